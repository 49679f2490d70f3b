/* dbmtool import (docs/import.md). */
#ifndef DBMTOOL_IMPORT_H
#define DBMTOOL_IMPORT_H

#include <libdbm.h>

int dbmtool_import(libdbm_context *ctx, int argc, char **argv);

#endif
