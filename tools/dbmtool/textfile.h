/* Reading a whole small input file (a rule table, a measurement export)
 * into memory, with a size limit so a wrong path cannot eat the machine. */
#ifndef DBMTOOL_TEXTFILE_H
#define DBMTOOL_TEXTFILE_H

#include <stddef.h>

/* Reads @p path into a NUL-terminated malloc'ed buffer (@p len excludes the
 * NUL; the file may hold NUL bytes, which callers refuse as they see fit).
 * Returns a dbmtool exit code after printing what went wrong: 2 when the
 * file cannot be read, 1 when it is larger than @p max bytes. */
int dbmtool_read_text_file(const char *path, size_t max, char **data, size_t *len);

#endif
