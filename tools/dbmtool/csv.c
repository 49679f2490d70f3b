/* Streaming RFC 4180 / whitespace-separated reader (see csv.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define READ_CHUNK 65536

enum state {
    FIELD_START,   /* nothing of the current field read yet */
    UNQUOTED,      /* inside an unquoted field */
    QUOTED,        /* inside a quoted field */
    QUOTE_SEEN     /* a quote inside a quoted field: closing or doubled */
};

struct dbmtool_csv {
    FILE *fp;
    int mode;
    unsigned char *in;          /* read buffer */
    size_t in_len, in_pos;
    int at_eof;
    int started;                /* the BOM check was done */
    long line;                  /* current line number, from 1 */
    long record_line;
    char *data;                 /* the record's fields, each NUL-terminated */
    size_t data_len, data_cap;
    size_t *offsets;            /* start of each field in data */
    size_t count, offsets_cap;
    char error[160];
};

dbmtool_csv *dbmtool_csv_new(FILE *fp, int mode)
{
    dbmtool_csv *csv = calloc(1, sizeof(*csv));
    if (csv == NULL)
        return NULL;
    csv->in = malloc(READ_CHUNK);
    if (csv->in == NULL) {
        free(csv);
        return NULL;
    }
    csv->fp = fp;
    csv->mode = mode;
    csv->line = 1;
    return csv;
}

void dbmtool_csv_free(dbmtool_csv *csv)
{
    if (csv == NULL)
        return;
    free(csv->in);
    free(csv->data);
    free(csv->offsets);
    free(csv);
}

size_t dbmtool_csv_count(const dbmtool_csv *csv) { return csv->count; }
long dbmtool_csv_line(const dbmtool_csv *csv) { return csv->record_line; }
const char *dbmtool_csv_error(const dbmtool_csv *csv) { return csv->error; }

const char *dbmtool_csv_field(const dbmtool_csv *csv, size_t i)
{
    return i < csv->count ? csv->data + csv->offsets[i] : "";
}

/* Next byte of input, or -1 at the end, -2 on a read error. */
static int next_byte(dbmtool_csv *csv)
{
    if (csv->in_pos == csv->in_len) {
        if (csv->at_eof)
            return -1;
        csv->in_len = fread(csv->in, 1, READ_CHUNK, csv->fp);
        csv->in_pos = 0;
        if (csv->in_len == 0) {
            csv->at_eof = 1;
            return ferror(csv->fp) ? -2 : -1;
        }
    }
    return csv->in[csv->in_pos++];
}

/* Records the first problem of a record. */
static void bad(dbmtool_csv *csv, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void bad(dbmtool_csv *csv, const char *fmt, ...)
{
    va_list ap;
    if (csv->error[0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(csv->error, sizeof(csv->error), fmt, ap);
    va_end(ap);
}

static int append(dbmtool_csv *csv, char c)
{
    if (csv->data_len >= DBMTOOL_CSV_MAX_RECORD) {
        bad(csv, "record longer than %u bytes", DBMTOOL_CSV_MAX_RECORD);
        return 0;  /* dropped; the record is BAD anyway */
    }
    if (csv->data_len + 1 >= csv->data_cap) {
        size_t cap = csv->data_cap ? csv->data_cap * 2 : 256;
        char *grown = realloc(csv->data, cap);
        if (grown == NULL)
            return -1;
        csv->data = grown;
        csv->data_cap = cap;
    }
    csv->data[csv->data_len++] = c;
    return 0;
}

static int begin_field(dbmtool_csv *csv)
{
    if (csv->count == csv->offsets_cap) {
        size_t cap = csv->offsets_cap ? csv->offsets_cap * 2 : 16;
        size_t *grown = realloc(csv->offsets, cap * sizeof(*grown));
        if (grown == NULL)
            return -1;
        csv->offsets = grown;
        csv->offsets_cap = cap;
    }
    csv->offsets[csv->count++] = csv->data_len;
    return 0;
}

static int end_field(dbmtool_csv *csv)
{
    /* The terminator always fits: append keeps one byte spare, and a
     * truncated (over-long) record still gets its NULs. */
    if (csv->data_len + 1 > csv->data_cap) {
        char *grown = realloc(csv->data, csv->data_cap + 64);
        if (grown == NULL)
            return -1;
        csv->data = grown;
        csv->data_cap += 64;
    }
    csv->data[csv->data_len++] = '\0';
    return 0;
}

static void reset_record(dbmtool_csv *csv)
{
    csv->data_len = 0;
    csv->count = 0;
    csv->error[0] = '\0';
    csv->record_line = csv->line;
}

/* Skips a UTF-8 byte-order mark at the very start of the input. */
static int skip_bom(dbmtool_csv *csv)
{
    static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
    int c = next_byte(csv);
    if (c == -2)
        return -2;
    if (c < 0)
        return 0;
    if (c == bom[0] && csv->in_len - csv->in_pos >= 2 &&
        csv->in[csv->in_pos] == bom[1] && csv->in[csv->in_pos + 1] == bom[2]) {
        csv->in_pos += 2;
        return 0;
    }
    csv->in_pos--;  /* c came from the buffer; put it back */
    return 0;
}

int dbmtool_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t need, k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1; cp = c & 0x1F; min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2; cp = c & 0x0F; min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3; cp = c & 0x07; min = 0x10000;
        } else {
            return 0;
        }
        if (len - i <= need)
            return 0;
        for (k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* Checks the finished record's fields for UTF-8. */
static void check_utf8(dbmtool_csv *csv)
{
    size_t i;
    for (i = 0; i < csv->count; i++) {
        const char *field = csv->data + csv->offsets[i];
        if (!dbmtool_utf8_valid(field, strlen(field))) {
            bad(csv, "column %zu is not valid UTF-8", i + 1);
            return;
        }
    }
}

static int finish(dbmtool_csv *csv)
{
    if (csv->error[0] == '\0')
        check_utf8(csv);
    return csv->error[0] != '\0' ? DBMTOOL_CSV_BAD : DBMTOOL_CSV_RECORD;
}

#define TRY(expr) do { if ((expr) < 0) return DBMTOOL_CSV_NOMEM; } while (0)

/* Whitespace mode: runs of blanks separate fields; no quoting. */
static int next_whitespace(dbmtool_csv *csv)
{
    int in_field = 0;
    for (;;) {
        int c = next_byte(csv);
        if (c == -2)
            return DBMTOOL_CSV_IOERR;
        if (c == '\r') {
            int d = next_byte(csv);
            if (d == -2)
                return DBMTOOL_CSV_IOERR;
            if (d != '\n' && d != -1) {
                bad(csv, "carriage return not followed by a line feed");
                csv->in_pos--;
                continue;
            }
            c = d == -1 ? -1 : '\n';
        }
        if (c == -1 || c == '\n') {
            if (in_field)
                TRY(end_field(csv));
            if (c == '\n')
                csv->line++;
            if (csv->count == 0 && csv->error[0] == '\0') {
                if (c == -1)
                    return DBMTOOL_CSV_END;
                reset_record(csv);  /* an empty line */
                continue;
            }
            return finish(csv);
        }
        if (c == ' ' || c == '\t') {
            if (in_field) {
                TRY(end_field(csv));
                in_field = 0;
            }
            continue;
        }
        if (c == '\0')
            bad(csv, "NUL byte");
        if (!in_field) {
            TRY(begin_field(csv));
            in_field = 1;
        }
        TRY(append(csv, (char)c));
    }
}

/* CSV mode (RFC 4180). */
static int next_comma(dbmtool_csv *csv)
{
    enum state state = FIELD_START;
    int any = 0;  /* anything but a line ending seen in this record */
    TRY(begin_field(csv));
    for (;;) {
        int c = next_byte(csv);
        if (c == -2)
            return DBMTOOL_CSV_IOERR;
        if (c == '\r' && state != QUOTED) {
            int d = next_byte(csv);
            if (d == -2)
                return DBMTOOL_CSV_IOERR;
            if (d != '\n' && d != -1) {
                bad(csv, "carriage return not followed by a line feed");
                csv->in_pos--;
                state = UNQUOTED;
                continue;
            }
            c = d == -1 ? -1 : '\n';
        }
        if (c == -1 && state == QUOTED) {
            bad(csv, "quoted field not closed before the end of the file");
            TRY(end_field(csv));
            return finish(csv);
        }
        if (c == -1 || (c == '\n' && state != QUOTED)) {
            TRY(end_field(csv));
            if (c == '\n')
                csv->line++;
            if (!any && csv->error[0] == '\0') {
                if (c == -1)
                    return DBMTOOL_CSV_END;
                reset_record(csv);  /* an empty line */
                TRY(begin_field(csv));
                continue;
            }
            return finish(csv);
        }
        any = 1;
        if (c == '\n')
            csv->line++;  /* a line break inside quotes */
        if (c == '\0')
            bad(csv, "NUL byte");
        switch (state) {
        case FIELD_START:
        case UNQUOTED:
            if (c == ',') {
                TRY(end_field(csv));
                TRY(begin_field(csv));
                state = FIELD_START;
            } else if (c == '"' && state == FIELD_START) {
                state = QUOTED;
            } else {
                if (c == '"')
                    bad(csv, "quote inside an unquoted field (column %zu)", csv->count);
                TRY(append(csv, (char)c));
                state = UNQUOTED;
            }
            break;
        case QUOTED:
            if (c == '"')
                state = QUOTE_SEEN;
            else
                TRY(append(csv, (char)c));
            break;
        case QUOTE_SEEN:
            if (c == '"') {
                TRY(append(csv, '"'));
                state = QUOTED;
            } else if (c == ',') {
                TRY(end_field(csv));
                TRY(begin_field(csv));
                state = FIELD_START;
            } else {
                bad(csv, "text after the closing quote (column %zu)", csv->count);
                TRY(append(csv, (char)c));
                state = UNQUOTED;
            }
            break;
        }
    }
}

int dbmtool_csv_next(dbmtool_csv *csv)
{
    if (!csv->started) {
        csv->started = 1;
        if (skip_bom(csv) == -2)
            return DBMTOOL_CSV_IOERR;
    }
    reset_record(csv);
    return csv->mode == DBMTOOL_CSV_WHITESPACE ? next_whitespace(csv) : next_comma(csv);
}
