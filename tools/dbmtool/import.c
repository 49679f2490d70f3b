/* dbmtool import STORE FILE --format FORMAT: loads a file into a store as
 * one atomic batch (docs/import.md describes every format). Every row is
 * validated; when any row is bad, nothing is kept, every bad row is listed
 * as FILE:LINE: problem (the first IMPORT_MAX_LISTED of them) and the exit
 * status is 1. On success a one-line JSON summary goes to stdout. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "idset.h"
#include "import.h"

#define IMPORT_MAX_LISTED 20
#define PROGRESS_EVERY 100000

enum format {
    FORMAT_CDNOW, FORMAT_PURCHASES, FORMAT_PROFILES, FORMAT_CONSENT,
    FORMAT_CONTACTS, FORMAT_EVENTS, FORMAT_ADDRESSES
};

static const char *const format_names[] = {
    "cdnow", "purchases", "profiles", "consent", "contacts", "events", "addresses", NULL
};

/* The columns of the CSV formats, found by their header names. */
enum column {
    COL_CUSTOMER, COL_TIMESTAMP, COL_AMOUNT, COL_TRANSACTION, COL_CHANNEL, COL_STATE,
    COL_SOURCE, COL_PURPOSE, COL_WORDING, COL_CAMPAIGN, COL_STAGE, COL_OUTCOME,
    COL_NAME, COL_VALUE, COL_ADDRESS, COL_VERIFIED_AT, COL_INVALID, COL_COUNT
};

static const char *const column_names[COL_COUNT] = {
    "customer_id", "timestamp", "amount", "transaction_id", "channel", "state",
    "source", "purpose", "wording_version", "campaign", "stage", "outcome",
    "name", "value", "address", "verified_at", "invalid"
};

typedef struct format_columns {
    enum column required[6];  /* ended by COL_COUNT */
    enum column optional[3];  /* ended by COL_COUNT */
} format_columns;

#define END COL_COUNT
static const format_columns csv_columns[] = {
    [FORMAT_PURCHASES] = { { COL_CUSTOMER, COL_TIMESTAMP, COL_AMOUNT, END },
                           { COL_TRANSACTION, END } },
    [FORMAT_CONSENT] = { { COL_CUSTOMER, COL_CHANNEL, COL_STATE, COL_TIMESTAMP, COL_SOURCE, END },
                         { COL_PURPOSE, COL_WORDING, END } },
    [FORMAT_CONTACTS] = { { COL_CUSTOMER, COL_TIMESTAMP, COL_CHANNEL, COL_CAMPAIGN, COL_STAGE,
                            COL_OUTCOME },
                          { END } },
    [FORMAT_EVENTS] = { { COL_CUSTOMER, COL_NAME, COL_TIMESTAMP, END }, { COL_VALUE, END } },
    [FORMAT_ADDRESSES] = { { COL_CUSTOMER, COL_CHANNEL, COL_ADDRESS, END },
                           { COL_VERIFIED_AT, COL_INVALID, END } },
};
#undef END

/* A typed attribute column of the profiles format. */
typedef struct attribute_column {
    char *name;
    int type;  /* LIBDBM_TYPE_* */
} attribute_column;

typedef struct importer {
    libdbm_context *ctx;
    libdbm_store *store;
    const char *file;
    enum format format;
    dbmtool_csv *csv;
    int column_of[COL_COUNT];       /* record index of each column, -1 absent */
    size_t header_columns;
    attribute_column *attributes;   /* profiles: per record index (0 unused) */
    int cdnow_columns;              /* cdnow: 4 or 5 once known */
    int64_t money_scale;
    int scale_digits;               /* money_scale = 10^scale_digits, or -1 */
    long rows, bad_rows, duplicates, suppressed;
    dbmtool_idset *customers;
    int progress;                   /* stderr is a terminal */
    int fatal;                      /* exit code of an I/O or store failure, 0 */
} importer;

/* ---- reporting ---------------------------------------------------------- */

static void row_error(importer *imp, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void row_error(importer *imp, long line, const char *fmt, ...)
{
    va_list ap;
    imp->bad_rows++;
    if (imp->bad_rows > IMPORT_MAX_LISTED)
        return;
    if (imp->progress)
        fputc('\n', stderr);
    fprintf(stderr, "%s:%ld: ", imp->file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The outcome of a store write for one row: input problems (bad id, bad
 * channel name, value out of range) are the row's fault and are listed;
 * anything else (I/O, memory, read-only store) stops the import. Returns 0
 * to go on, -1 to stop. */
static int store_result(importer *imp, long line, int status, const char *what)
{
    switch (status) {
    case LIBDBM_OK:
        return 0;
    case LIBDBM_EINVAL:
    case LIBDBM_ERANGE:
    case LIBDBM_ENOTFOUND:
    case LIBDBM_ESYNTAX:
    case LIBDBM_EEXIST:
        row_error(imp, line, "%s: %s", what, libdbm_context_errmsg(imp->ctx));
        return 0;
    default:
        if (imp->progress)
            fputc('\n', stderr);
        fprintf(stderr, "%s:%ld: ", imp->file, line);
        imp->fatal = dbmtool_fail(imp->ctx, status, what);
        if (imp->fatal == DBMTOOL_EXIT_OK || imp->fatal == DBMTOOL_EXIT_USAGE)
            imp->fatal = DBMTOOL_EXIT_IO;
        return -1;
    }
}

/* ---- field parsers: 1 on success, else 0 after reporting the row -------- */

static int parse_time_field(importer *imp, long line, const char *column, const char *text,
                            int64_t *out)
{
    if (libdbm_time_parse(out, text) == LIBDBM_OK)
        return 1;
    row_error(imp, line, "%s: bad timestamp '%s' (expected YYYY-MM-DD, YYYYMMDD, an ISO-8601 "
              "date-time or epoch seconds)", column, text);
    return 0;
}

static int parse_int64_text(const char *text, int64_t *out)
{
    char *end;
    long long v;
    if (!((*text >= '0' && *text <= '9') || *text == '-' || *text == '+'))
        return 0;  /* strtoll would skip leading blanks */
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    *out = (int64_t)v;
    return 1;
}

/* A finite decimal number: digits, optional sign, point and exponent; no
 * hexadecimal, infinities, NaN or surrounding blanks. */
static int parse_double_text(const char *text, double *out)
{
    const char *p;
    char *end;
    double v;
    if (*text == '\0')
        return 0;
    for (p = text; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return 0;
    errno = 0;
    v = strtod(text, &end);
    if (*end != '\0' || !isfinite(v) || errno == ERANGE)
        return 0;
    *out = v;
    return 1;
}

static int parse_bool_text(const char *text, int *out)
{
    static const char *const yes[] = { "1", "true", "t", "yes", "y", NULL };
    static const char *const no[] = { "0", "false", "f", "no", "n", NULL };
    int i;
    for (i = 0; yes[i]; i++)
        if (strcasecmp(text, yes[i]) == 0) {
            *out = 1;
            return 1;
        }
    for (i = 0; no[i]; i++)
        if (strcasecmp(text, no[i]) == 0) {
            *out = 0;
            return 1;
        }
    return 0;
}

/* An amount in currency units as exact minor units, when the store's scale
 * is a power of ten: [+-]digits[.digits], digits beyond the scale rounded
 * half away from zero (as the library rounds doubles). */
static int parse_amount_minor(const char *text, int scale_digits, int64_t *out)
{
    const char *p = text;
    int negative = 0, digits = 0, frac_digits = 0, round_up = 0;
    int64_t value = 0;
    if (*p == '+' || *p == '-')
        negative = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, *p - '0', &value))
            return -1;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++, frac_digits++) {
            if (frac_digits < scale_digits) {
                if (__builtin_mul_overflow(value, 10, &value) ||
                    __builtin_add_overflow(value, *p - '0', &value))
                    return -1;
            } else if (frac_digits == scale_digits) {
                round_up = *p >= '5';
            }
        }
    }
    if (*p != '\0' || digits == 0)
        return 0;
    for (; frac_digits < scale_digits; frac_digits++)
        if (__builtin_mul_overflow(value, 10, &value))
            return -1;
    if (round_up && __builtin_add_overflow(value, 1, &value))
        return -1;
    *out = negative ? -value : value;
    return 1;
}

/* ---- customers ---------------------------------------------------------- */

/* Counts @p id among the file's distinct customers. 0, or -1 on ENOMEM. */
static int note_customer(importer *imp, const char *id)
{
    if (dbmtool_idset_add(imp->customers, id) < 0) {
        fprintf(stderr, "dbmtool: out of memory\n");
        imp->fatal = DBMTOOL_EXIT_IO;
        return -1;
    }
    return 0;
}

/* ---- purchases (and the cdnow logs) ------------------------------------- */

static int add_purchase(importer *imp, long line, const char *id, int64_t t,
                        const char *amount_text, const char *transaction_id)
{
    int added = 0, status;
    if (imp->scale_digits >= 0) {
        int64_t minor;
        int parsed = parse_amount_minor(amount_text, imp->scale_digits, &minor);
        if (parsed <= 0) {
            row_error(imp, line, parsed < 0 ? "amount: '%s' is out of range"
                                            : "amount: bad number '%s' (expected a decimal "
                                              "like -12.50)", amount_text);
            return 0;
        }
        status = libdbm_store_purchase_add_minor(imp->store, &added, id, t, minor,
                                                 transaction_id);
    } else {
        double amount;
        if (!parse_double_text(amount_text, &amount)) {
            row_error(imp, line, "amount: bad number '%s'", amount_text);
            return 0;
        }
        status = libdbm_store_purchase_add(imp->store, &added, id, t, amount, transaction_id);
    }
    if (store_result(imp, line, status, "purchase") < 0)
        return -1;
    if (status == LIBDBM_OK && !added)
        imp->duplicates++;
    return 0;
}

static int all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* One line of a CDNOW log: "master sample YYYYMMDD cds dollars" (the 1/10
 * sample) or "id YYYYMMDD cds dollars" (the master log, after its header). */
static int import_cdnow_row(importer *imp, long line)
{
    dbmtool_csv *csv = imp->csv;
    int n = (int)dbmtool_csv_count(csv);
    const char *id, *date, *cds, *dollars;
    int64_t t;
    if (imp->cdnow_columns == 0) {
        if (line == 1 && !all_digits(dbmtool_csv_field(csv, 0)))
            return 1;  /* the master log's header line */
        if (n != 4 && n != 5) {
            row_error(imp, line, "expected 4 or 5 whitespace-separated columns, found %d", n);
            return 0;
        }
        imp->cdnow_columns = n;
    }
    if (n != imp->cdnow_columns) {
        row_error(imp, line, "expected %d columns like the lines before, found %d",
                  imp->cdnow_columns, n);
        return 0;
    }
    id = dbmtool_csv_field(csv, (size_t)(n - 4));
    date = dbmtool_csv_field(csv, (size_t)(n - 3));
    cds = dbmtool_csv_field(csv, (size_t)(n - 2));
    dollars = dbmtool_csv_field(csv, (size_t)(n - 1));
    if (!all_digits(id) || (n == 5 && !all_digits(dbmtool_csv_field(csv, 0)))) {
        row_error(imp, line, "customer id: expected digits, found '%s'", id);
        return 0;
    }
    while (id[0] == '0' && id[1] != '\0')
        id++;  /* "0042" is customer "42" */
    if (strlen(date) != 8 || !all_digits(date) || libdbm_time_parse(&t, date) != LIBDBM_OK) {
        row_error(imp, line, "date: expected YYYYMMDD, found '%s'", date);
        return 0;
    }
    if (!all_digits(cds)) {
        row_error(imp, line, "number of CDs: expected a whole number, found '%s'", cds);
        return 0;
    }
    if (note_customer(imp, id) < 0)
        return -1;
    imp->rows++;
    return add_purchase(imp, line, id, t, dollars, NULL);
}

/* ---- the CSV formats ---------------------------------------------------- */

static const char *column(const importer *imp, enum column col)
{
    int index = imp->column_of[col];
    return index < 0 ? "" : dbmtool_csv_field(imp->csv, (size_t)index);
}

static const char *column_or_null(const importer *imp, enum column col)
{
    const char *text = column(imp, col);
    return *text ? text : NULL;
}

static int import_purchase_row(importer *imp, long line, const char *id)
{
    int64_t t;
    if (!parse_time_field(imp, line, "timestamp", column(imp, COL_TIMESTAMP), &t))
        return 0;
    return add_purchase(imp, line, id, t, column(imp, COL_AMOUNT),
                        column_or_null(imp, COL_TRANSACTION));
}

static int parse_type_name(const char *name, int *type)
{
    static const struct { const char *name; int type; } types[] = {
        { "string", LIBDBM_TYPE_STRING }, { "int", LIBDBM_TYPE_INT64 },
        { "double", LIBDBM_TYPE_DOUBLE }, { "bool", LIBDBM_TYPE_BOOL },
        { "time", LIBDBM_TYPE_TIME },
    };
    size_t i;
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(name, types[i].name) == 0) {
            *type = types[i].type;
            return 1;
        }
    return 0;
}

static int import_profile_row(importer *imp, long line, const char *id)
{
    size_t i, n = dbmtool_csv_count(imp->csv);
    int status = libdbm_store_profile_ensure(imp->store, NULL, id);
    if (store_result(imp, line, status, "customer_id") < 0 || status != LIBDBM_OK)
        return imp->fatal ? -1 : 0;
    for (i = 1; i < n; i++) {
        const attribute_column *attr = &imp->attributes[i];
        const char *text = dbmtool_csv_field(imp->csv, i);
        int64_t i64;
        double d;
        int b;
        if (*text == '\0')
            continue;  /* not set */
        switch (attr->type) {
        case LIBDBM_TYPE_INT64:
            if (!parse_int64_text(text, &i64)) {
                row_error(imp, line, "%s: bad integer '%s'", attr->name, text);
                return 0;
            }
            status = libdbm_store_attr_set_int64(imp->store, id, attr->name, i64);
            break;
        case LIBDBM_TYPE_DOUBLE:
            if (!parse_double_text(text, &d)) {
                row_error(imp, line, "%s: bad number '%s'", attr->name, text);
                return 0;
            }
            status = libdbm_store_attr_set_double(imp->store, id, attr->name, d);
            break;
        case LIBDBM_TYPE_BOOL:
            if (!parse_bool_text(text, &b)) {
                row_error(imp, line, "%s: bad boolean '%s' (expected true/false, 1/0, yes/no)",
                          attr->name, text);
                return 0;
            }
            status = libdbm_store_attr_set_bool(imp->store, id, attr->name, b);
            break;
        case LIBDBM_TYPE_TIME:
            if (!parse_time_field(imp, line, attr->name, text, &i64))
                return 0;
            status = libdbm_store_attr_set_time(imp->store, id, attr->name, i64);
            break;
        default:
            status = libdbm_store_attr_set_string(imp->store, id, attr->name, text);
            break;
        }
        if (store_result(imp, line, status, attr->name) < 0)
            return -1;
        if (status != LIBDBM_OK)
            return 0;
    }
    return 0;
}

static int import_consent_row(importer *imp, long line, const char *id)
{
    static const struct { const char *name; int state; } states[] = {
        { "granted", LIBDBM_CONSENT_GRANTED }, { "denied", LIBDBM_CONSENT_DENIED },
        { "unknown", LIBDBM_CONSENT_UNKNOWN },
    };
    const char *state_text = column(imp, COL_STATE);
    int state = -1;
    size_t i;
    int64_t t;
    for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        if (strcmp(state_text, states[i].name) == 0)
            state = states[i].state;
    if (state < 0) {
        row_error(imp, line, "state: expected granted, denied or unknown, found '%s'",
                  state_text);
        return 0;
    }
    if (!parse_time_field(imp, line, "timestamp", column(imp, COL_TIMESTAMP), &t))
        return 0;
    if (*column(imp, COL_SOURCE) == '\0') {
        row_error(imp, line, "source: empty (consent needs its evidence)");
        return 0;
    }
    return store_result(imp, line,
                        libdbm_store_consent_record(imp->store, id, column(imp, COL_CHANNEL),
                                                    column_or_null(imp, COL_PURPOSE), state, t,
                                                    column(imp, COL_SOURCE),
                                                    column_or_null(imp, COL_WORDING)),
                        "consent");
}

static int import_contact_row(importer *imp, long line, const char *id)
{
    static const char *const outcomes[] = {
        "sent", "delivered", "opened", "clicked", "responded", "converted", "bounced",
        "unsubscribed", "failed", NULL
    };
    const char *outcome_text = column(imp, COL_OUTCOME);
    const char *stage_text = column(imp, COL_STAGE);
    int outcome = 0, i;
    int64_t t, stage;
    for (i = 0; outcomes[i]; i++)
        if (strcmp(outcome_text, outcomes[i]) == 0)
            outcome = LIBDBM_OUTCOME_SENT + i;
    if (outcome == 0) {
        row_error(imp, line, "outcome: unknown outcome '%s' (expected sent, delivered, opened, "
                  "clicked, responded, converted, bounced, unsubscribed or failed)", outcome_text);
        return 0;
    }
    if (!parse_time_field(imp, line, "timestamp", column(imp, COL_TIMESTAMP), &t))
        return 0;
    if (!parse_int64_text(stage_text, &stage) || stage < 0 || stage > INT32_MAX) {
        row_error(imp, line, "stage: expected a whole number >= 0, found '%s'", stage_text);
        return 0;
    }
    return store_result(imp, line,
                        libdbm_store_contact_add(imp->store, id, t, column(imp, COL_CHANNEL),
                                                 column(imp, COL_CAMPAIGN), (int32_t)stage,
                                                 outcome),
                        "contact");
}

static int import_event_row(importer *imp, long line, const char *id)
{
    const char *value_text = column(imp, COL_VALUE);
    double value = 0;
    int64_t t;
    if (!parse_time_field(imp, line, "timestamp", column(imp, COL_TIMESTAMP), &t))
        return 0;
    if (*value_text && !parse_double_text(value_text, &value)) {
        row_error(imp, line, "value: bad number '%s'", value_text);
        return 0;
    }
    return store_result(imp, line,
                        libdbm_store_event_add(imp->store, id, column(imp, COL_NAME), t, value),
                        "event");
}

static int import_address_row(importer *imp, long line, const char *id)
{
    const char *channel = column(imp, COL_CHANNEL);
    const char *address = column(imp, COL_ADDRESS);
    const char *verified_text = column(imp, COL_VERIFIED_AT);
    const char *invalid_text = column(imp, COL_INVALID);
    int64_t verified_at = 0;
    int invalid = -1, suppressed = 0, status;
    if (*verified_text &&
        !parse_time_field(imp, line, "verified_at", verified_text, &verified_at))
        return 0;
    if (*invalid_text && !parse_bool_text(invalid_text, &invalid)) {
        row_error(imp, line, "invalid: bad boolean '%s' (expected true/false, 1/0, yes/no)",
                  invalid_text);
        return 0;
    }
    status = libdbm_store_channel_set_address(imp->store, id, channel, address, verified_at);
    if (store_result(imp, line, status, "address") < 0)
        return -1;
    if (status != LIBDBM_OK)
        return 0;
    if (invalid >= 0) {
        status = libdbm_store_channel_set_invalid(imp->store, id, channel, invalid, verified_at);
        if (store_result(imp, line, status, "invalid") < 0)
            return -1;
    }
    status = libdbm_store_is_suppressed(imp->store, &suppressed, channel, address);
    if (store_result(imp, line, status, "suppression check") < 0)
        return -1;
    if (status == LIBDBM_OK && suppressed)
        imp->suppressed++;
    return 0;
}

/* Reads the header row of a CSV format and maps its columns. */
static int read_header(importer *imp)
{
    dbmtool_csv *csv = imp->csv;
    size_t i, n;
    int result = dbmtool_csv_next(csv);
    int ok = 1;
    if (result == DBMTOOL_CSV_END) {
        row_error(imp, 1, "empty file: a header row is required");
        return 0;
    }
    if (result != DBMTOOL_CSV_RECORD && result != DBMTOOL_CSV_BAD)
        return result;
    if (result == DBMTOOL_CSV_BAD) {
        row_error(imp, dbmtool_csv_line(csv), "header: %s", dbmtool_csv_error(csv));
        return 0;
    }
    n = dbmtool_csv_count(csv);
    imp->header_columns = n;
    for (i = 0; i < COL_COUNT; i++)
        imp->column_of[i] = -1;
    if (imp->format == FORMAT_PROFILES) {
        if (strcmp(dbmtool_csv_field(csv, 0), "customer_id") != 0) {
            row_error(imp, 1, "header: the first column must be customer_id, found '%s'",
                      dbmtool_csv_field(csv, 0));
            return 0;
        }
        imp->column_of[COL_CUSTOMER] = 0;
        imp->attributes = calloc(n, sizeof(*imp->attributes));
        if (imp->attributes == NULL)
            return DBMTOOL_CSV_NOMEM;
        for (i = 1; i < n; i++) {
            char *name = strdup(dbmtool_csv_field(csv, i));
            char *colon;
            if (name == NULL)
                return DBMTOOL_CSV_NOMEM;
            imp->attributes[i].name = name;
            imp->attributes[i].type = LIBDBM_TYPE_STRING;
            colon = strrchr(name, ':');
            if (colon != NULL) {
                *colon = '\0';
                if (!parse_type_name(colon + 1, &imp->attributes[i].type)) {
                    row_error(imp, 1, "header: column %zu: unknown type '%s' (expected string, "
                              "int, double, bool or time)", i + 1, colon + 1);
                    ok = 0;
                }
            }
            if (*name == '\0') {
                row_error(imp, 1, "header: column %zu has no attribute name", i + 1);
                ok = 0;
            }
        }
        return ok;
    }
    for (i = 0; i < n; i++) {
        const char *name = dbmtool_csv_field(csv, i);
        const format_columns *spec = &csv_columns[imp->format];
        int known = 0, k;
        for (k = 0; k < 6 && spec->required[k] != COL_COUNT; k++)
            if (strcmp(name, column_names[spec->required[k]]) == 0)
                known = 1 + (int)spec->required[k];
        for (k = 0; k < 3 && spec->optional[k] != COL_COUNT; k++)
            if (strcmp(name, column_names[spec->optional[k]]) == 0)
                known = 1 + (int)spec->optional[k];
        if (!known) {
            row_error(imp, 1, "header: unknown column '%s' for format %s", name,
                      format_names[imp->format]);
            ok = 0;
        } else if (imp->column_of[known - 1] >= 0) {
            row_error(imp, 1, "header: column '%s' appears twice", name);
            ok = 0;
        } else {
            imp->column_of[known - 1] = (int)i;
        }
    }
    {
        const format_columns *spec = &csv_columns[imp->format];
        int k;
        for (k = 0; k < 6 && spec->required[k] != COL_COUNT; k++)
            if (imp->column_of[spec->required[k]] < 0) {
                row_error(imp, 1, "header: missing column '%s' (required by format %s)",
                          column_names[spec->required[k]], format_names[imp->format]);
                ok = 0;
            }
    }
    return ok;
}

static int import_csv_row(importer *imp, long line)
{
    size_t n = dbmtool_csv_count(imp->csv);
    const char *id;
    if (n != imp->header_columns) {
        row_error(imp, line, "expected %zu columns as in the header, found %zu",
                  imp->header_columns, n);
        return 0;
    }
    id = column(imp, COL_CUSTOMER);
    if (*id == '\0') {
        row_error(imp, line, "customer_id: empty");
        return 0;
    }
    if (note_customer(imp, id) < 0)
        return -1;
    imp->rows++;
    switch (imp->format) {
    case FORMAT_PURCHASES: return import_purchase_row(imp, line, id);
    case FORMAT_PROFILES: return import_profile_row(imp, line, id);
    case FORMAT_CONSENT: return import_consent_row(imp, line, id);
    case FORMAT_CONTACTS: return import_contact_row(imp, line, id);
    case FORMAT_EVENTS: return import_event_row(imp, line, id);
    case FORMAT_ADDRESSES: return import_address_row(imp, line, id);
    default: return 0;
    }
}

/* ---- the verb ----------------------------------------------------------- */

static void show_progress(const importer *imp)
{
    if (imp->progress && imp->rows % PROGRESS_EVERY == 0 && imp->rows > 0)
        fprintf(stderr, "\rdbmtool: import: %ld rows", imp->rows);
}

/* Reads every record; returns 0 when all were read (bad rows counted), or
 * an exit code for an I/O failure. */
static int read_rows(importer *imp)
{
    dbmtool_csv *csv = imp->csv;
    if (imp->format != FORMAT_CDNOW) {
        int header = read_header(imp);
        if (header == DBMTOOL_CSV_IOERR || header == DBMTOOL_CSV_NOMEM)
            return header;
        if (header == 0)
            return 0;  /* bad header: listed; no row can be read by it */
    }
    for (;;) {
        int result = dbmtool_csv_next(csv);
        long line = dbmtool_csv_line(csv);
        int stop;
        if (result == DBMTOOL_CSV_END)
            return 0;
        if (result == DBMTOOL_CSV_IOERR || result == DBMTOOL_CSV_NOMEM)
            return result;
        if (result == DBMTOOL_CSV_BAD) {
            row_error(imp, line, "%s", dbmtool_csv_error(csv));
            continue;
        }
        stop = imp->format == FORMAT_CDNOW ? import_cdnow_row(imp, line)
                                           : import_csv_row(imp, line);
        if (stop < 0)
            return imp->fatal;
        show_progress(imp);
    }
}

static int scale_digits_of(int64_t scale)
{
    int digits = 0;
    while (scale > 1 && scale % 10 == 0) {
        scale /= 10;
        digits++;
    }
    return scale == 1 ? digits : -1;
}

static int parse_format(const char *name, enum format *format)
{
    int i;
    for (i = 0; format_names[i]; i++)
        if (strcmp(name, format_names[i]) == 0) {
            *format = (enum format)i;
            return 1;
        }
    return 0;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void importer_free(importer *imp)
{
    size_t i;
    if (imp->attributes != NULL)
        for (i = 0; i < imp->header_columns; i++)
            free(imp->attributes[i].name);
    free(imp->attributes);
    dbmtool_csv_free(imp->csv);
    dbmtool_idset_free(imp->customers);
}

/* Runs the import once the file is open; returns the exit code. */
static int run_import(importer *imp, FILE *fp)
{
    int64_t profiles_before = 0, profiles_after = 0;
    struct timespec start;
    int status, code;
    clock_gettime(CLOCK_MONOTONIC, &start);
    imp->csv = dbmtool_csv_new(fp, imp->format == FORMAT_CDNOW ? DBMTOOL_CSV_WHITESPACE
                                                               : DBMTOOL_CSV_COMMA);
    imp->customers = dbmtool_idset_new();
    if (imp->csv == NULL || imp->customers == NULL) {
        fprintf(stderr, "dbmtool: out of memory\n");
        return DBMTOOL_EXIT_IO;
    }
    if ((status = libdbm_store_money_scale(imp->store, &imp->money_scale)) != LIBDBM_OK ||
        (status = libdbm_store_profile_count(imp->store, &profiles_before)) != LIBDBM_OK)
        return dbmtool_fail(imp->ctx, status, "reading the store");
    imp->scale_digits = scale_digits_of(imp->money_scale);
    status = libdbm_store_begin(imp->store);
    if (status != LIBDBM_OK)
        return dbmtool_fail(imp->ctx, status, "starting the import batch");

    code = read_rows(imp);
    if (imp->progress && imp->rows >= PROGRESS_EVERY)
        fputc('\n', stderr);
    if (code == DBMTOOL_CSV_IOERR) {
        fprintf(stderr, "dbmtool: %s: read error: %s\n", imp->file, strerror(errno));
        code = DBMTOOL_EXIT_IO;
    } else if (code == DBMTOOL_CSV_NOMEM) {
        fprintf(stderr, "dbmtool: out of memory\n");
        code = DBMTOOL_EXIT_IO;
    }
    if (code == 0 && imp->bad_rows > 0) {
        if (imp->bad_rows > IMPORT_MAX_LISTED)
            fprintf(stderr, "%s: ... and %ld more bad rows\n", imp->file,
                    imp->bad_rows - IMPORT_MAX_LISTED);
        fprintf(stderr, "dbmtool: %s: %ld bad row%s; nothing was imported\n", imp->file,
                imp->bad_rows, imp->bad_rows == 1 ? "" : "s");
        code = DBMTOOL_EXIT_USAGE;
    }
    if (code != 0) {
        libdbm_store_rollback(imp->store);
        return code;
    }
    status = libdbm_store_commit(imp->store);
    if (status != LIBDBM_OK)
        return dbmtool_fail(imp->ctx, status == LIBDBM_EINVAL ? LIBDBM_EIO : status,
                            "committing the import");
    status = libdbm_store_profile_count(imp->store, &profiles_after);
    if (status != LIBDBM_OK)
        return dbmtool_fail(imp->ctx, status, "counting profiles");
    printf("{\"format\":\"%s\",\"rows\":%ld,\"customers\":%zu,\"new_profiles\":%lld,"
           "\"duplicates\":%ld,\"suppressed\":%ld,\"seconds\":%.3f}\n",
           format_names[imp->format], imp->rows, dbmtool_idset_count(imp->customers),
           (long long)(profiles_after - profiles_before), imp->duplicates, imp->suppressed,
           seconds_since(&start));
    if (fflush(stdout) != 0) {
        fprintf(stderr, "dbmtool: writing the summary: %s\n", strerror(errno));
        return DBMTOOL_EXIT_IO;
    }
    return DBMTOOL_EXIT_OK;
}

int dbmtool_import(libdbm_context *ctx, int argc, char **argv)
{
    const char *store_path = NULL, *file = NULL, *format_name = NULL;
    libdbm_store_options options = LIBDBM_STORE_OPTIONS_INIT;
    importer imp;
    FILE *fp;
    int i, status, code;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0) {
            if (i + 1 >= argc)
                return dbmtool_usage_error("import: --format needs a value");
            format_name = argv[++i];
        } else if (strncmp(argv[i], "--format=", 9) == 0) {
            format_name = argv[i] + 9;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return dbmtool_usage_error("import: unknown option '%s'", argv[i]);
        } else if (store_path == NULL) {
            store_path = argv[i];
        } else if (file == NULL) {
            file = argv[i];
        } else {
            return dbmtool_usage_error("import: unexpected argument '%s'", argv[i]);
        }
    }
    if (store_path == NULL || file == NULL || format_name == NULL)
        return dbmtool_usage_error("usage: dbmtool import STORE FILE --format "
                                   "cdnow|purchases|profiles|consent|contacts|events|addresses");
    memset(&imp, 0, sizeof(imp));
    if (!parse_format(format_name, &imp.format))
        return dbmtool_usage_error("import: unknown format '%s' (expected cdnow, purchases, "
                                   "profiles, consent, contacts, events or addresses)",
                                   format_name);
    imp.ctx = ctx;
    imp.file = file;
    imp.progress = isatty(STDERR_FILENO);

    /* The file first: a missing file must not leave a new, empty store. */
    fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (fp == NULL) {
        fprintf(stderr, "dbmtool: %s: %s\n", file, strerror(errno));
        return DBMTOOL_EXIT_IO;
    }
    status = libdbm_store_open(&imp.store, ctx, store_path, &options);
    if (status != LIBDBM_OK) {
        code = dbmtool_fail(ctx, status, "opening the store");
        if (status == LIBDBM_EINVAL || status == LIBDBM_ENOTFOUND)
            code = DBMTOOL_EXIT_IO;
    } else {
        code = run_import(&imp, fp);
        status = libdbm_store_close(imp.store);
        if (status != LIBDBM_OK && code == DBMTOOL_EXIT_OK)
            code = dbmtool_fail(ctx, status, "closing the store");
    }
    importer_free(&imp);
    if (fp != stdin)
        fclose(fp);
    return code;
}
