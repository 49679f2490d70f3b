/* Model files of dbmtool: `fit --out` writes a model as JSON (readable,
 * portable); `score --model` reads JSON or the binary blob of
 * libdbm_model_save(), told apart by the first byte. */
#ifndef DBMTOOL_MODEL_FILE_H
#define DBMTOOL_MODEL_FILE_H

#include <libdbm.h>

/* Returns a dbmtool exit code; prints what went wrong. */
int dbmtool_write_model(libdbm_context *ctx, const libdbm_model *model, const char *path);
int dbmtool_read_model(libdbm_context *ctx, const char *path, libdbm_model **model);

#endif
