/* libFuzzer target for dbmtool's delimited text reader
 * (tools/dbmtool/csv.c: RFC 4180 CSV and whitespace-separated lines, the
 * input of `dbmtool import`). It is a tool's code, not the library's, but
 * it reads files a host is handed. The input is read in both modes until
 * the end, resynchronising after bad records; every good record's fields
 * must be valid UTF-8, and written out again (CSV: every field quoted;
 * whitespace: fields joined by one space) must read back as one record
 * with the same fields. A violation calls abort(). Build and run:
 * docs/fuzzing.md; the seed corpus (tests/fuzz/corpus/csv) is
 * hand-written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The record as text, written so that the reader must give it back. It
 * starts with a byte-order mark, which the reader skips: a field that
 * itself starts with one (a mark in the middle of the input) stays. */
static char *encode(const dbmtool_csv *csv, int mode, size_t *len)
{
    size_t n = dbmtool_csv_count(csv), cap = 5, k, at = 3;
    char *out;
    for (k = 0; k < n; k++)
        cap += 2 * strlen(dbmtool_csv_field(csv, k)) + 3;
    if ((out = malloc(cap)) == NULL)
        return NULL;
    memcpy(out, "\xEF\xBB\xBF", 3);
    for (k = 0; k < n; k++) {
        const char *f = dbmtool_csv_field(csv, k);
        if (k > 0)
            out[at++] = mode == DBMTOOL_CSV_COMMA ? ',' : ' ';
        if (mode == DBMTOOL_CSV_COMMA)
            out[at++] = '"';
        for (; *f != '\0'; f++) {
            if (mode == DBMTOOL_CSV_COMMA && *f == '"')
                out[at++] = '"';
            out[at++] = *f;
        }
        if (mode == DBMTOOL_CSV_COMMA)
            out[at++] = '"';
    }
    out[at++] = '\n';
    *len = at;
    return out;
}

/* @p text must read as exactly the record @p want holds. */
static void reads_back(const dbmtool_csv *want, int mode, char *text, size_t len)
{
    FILE *fp = fmemopen(text, len, "rb");
    dbmtool_csv *again;
    size_t k;
    if (fp == NULL)
        return;
    if ((again = dbmtool_csv_new(fp, mode)) == NULL) {
        fclose(fp);
        return;
    }
    if (dbmtool_csv_next(again) != DBMTOOL_CSV_RECORD ||
        dbmtool_csv_count(again) != dbmtool_csv_count(want))
        goto differ;
    for (k = 0; k < dbmtool_csv_count(want); k++)
        if (strcmp(dbmtool_csv_field(again, k), dbmtool_csv_field(want, k)) != 0)
            goto differ;
    if (dbmtool_csv_next(again) != DBMTOOL_CSV_END)
        goto differ;
    dbmtool_csv_free(again);
    fclose(fp);
    return;
differ:
    fprintf(stderr, "mode %d: a record written out does not read back (%s):\n%.*s\n", mode,
            dbmtool_csv_error(again), (int)len, text);
    abort();
}

static void read_all(const uint8_t *data, size_t size, int mode)
{
    /* fmemopen wants a writable buffer of at least one byte. */
    char *copy = malloc(size + 1);
    FILE *fp;
    dbmtool_csv *csv;
    size_t records = 0;
    int result;
    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    if ((fp = fmemopen(copy, size ? size : 1, "rb")) == NULL) {
        free(copy);
        return;
    }
    if (size == 0)
        fgetc(fp);          /* at the end at once */
    if ((csv = dbmtool_csv_new(fp, mode)) == NULL) {
        fclose(fp);
        free(copy);
        return;
    }
    while ((result = dbmtool_csv_next(csv)) == DBMTOOL_CSV_RECORD || result == DBMTOOL_CSV_BAD) {
        /* Every record consumes at least one byte: more than size + 1
         * records means the reader stopped advancing. */
        if (++records > size + 1) {
            fprintf(stderr, "mode %d: %zu records from %zu bytes\n", mode, records, size);
            abort();
        }
        if (result == DBMTOOL_CSV_RECORD) {
            size_t k, len = 0;
            char *text;
            for (k = 0; k < dbmtool_csv_count(csv); k++) {
                const char *f = dbmtool_csv_field(csv, k);
                if (!dbmtool_utf8_valid(f, strlen(f))) {
                    fprintf(stderr, "mode %d: field %zu is not UTF-8\n", mode, k);
                    abort();
                }
            }
            if ((text = encode(csv, mode, &len)) != NULL) {
                reads_back(csv, mode, text, len);
                free(text);
            }
        } else if (dbmtool_csv_error(csv)[0] == '\0') {
            fprintf(stderr, "mode %d: a bad record without a message\n", mode);
            abort();
        }
    }
    if (result != DBMTOOL_CSV_END && result != DBMTOOL_CSV_NOMEM)
        abort();
    dbmtool_csv_free(csv);
    fclose(fp);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size, DBMTOOL_CSV_COMMA);
    read_all(data, size, DBMTOOL_CSV_WHITESPACE);
    return 0;
}
