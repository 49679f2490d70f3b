/* A streaming reader of delimited text for dbmtool's imports.
 *
 * CSV mode follows RFC 4180: fields separated by commas, records by CRLF or
 * LF, fields optionally enclosed in double quotes (which may then hold
 * commas, quotes written twice, and line breaks). Whitespace mode splits
 * each line on runs of spaces and tabs, ignoring leading and trailing ones
 * (the CDNOW logs). Both modes skip a UTF-8 byte-order mark at the start of
 * the file and completely empty lines, refuse NUL bytes and bare carriage
 * returns, and check that every field is valid UTF-8.
 *
 * The reader holds one record at a time (never the whole file). A
 * malformed record is reported and the reader resynchronises at its end, so
 * a caller can list every bad record of a file in one pass. */
#ifndef DBMTOOL_CSV_H
#define DBMTOOL_CSV_H

#include <stddef.h>
#include <stdio.h>

typedef struct dbmtool_csv dbmtool_csv;

enum dbmtool_csv_mode { DBMTOOL_CSV_COMMA = 0, DBMTOOL_CSV_WHITESPACE = 1 };

/* Results of dbmtool_csv_next(). */
enum dbmtool_csv_result {
    DBMTOOL_CSV_RECORD = 1,   /* a well-formed record */
    DBMTOOL_CSV_END = 0,      /* end of input */
    DBMTOOL_CSV_BAD = -1,     /* a malformed record: see dbmtool_csv_error();
                                 its fields are available but unreliable */
    DBMTOOL_CSV_IOERR = -2,   /* reading failed (errno is set) */
    DBMTOOL_CSV_NOMEM = -3    /* out of memory */
};

/* Longest record accepted (bytes of field data); longer ones are BAD. */
#define DBMTOOL_CSV_MAX_RECORD (16u << 20)

/* Returns a reader of @p fp (not closed by the reader), or NULL when out
 * of memory. */
dbmtool_csv *dbmtool_csv_new(FILE *fp, int mode);
void dbmtool_csv_free(dbmtool_csv *csv);

/* Reads the next record. */
int dbmtool_csv_next(dbmtool_csv *csv);

/* The current record: number of fields, field @p i (NUL-terminated, valid
 * until the next call), and the line number (from 1) where it starts. */
size_t dbmtool_csv_count(const dbmtool_csv *csv);
const char *dbmtool_csv_field(const dbmtool_csv *csv, size_t i);
long dbmtool_csv_line(const dbmtool_csv *csv);

/* What is wrong with the last BAD record ("" otherwise). */
const char *dbmtool_csv_error(const dbmtool_csv *csv);

/* 1 when the @p len bytes at @p s are valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0. */
int dbmtool_utf8_valid(const char *s, size_t len);

#endif
