#include <stdlib.h>
#include <string.h>

#include "fake_source.h"

const char *const fake_strings[] = {
    "Champions", "Loyal Customers", "Potential Loyalists", "At Risk", "Hibernating", "Lost",
    "BR", "US", "DE", "FR", "JP", "caf\xc3\xa9 \"q\"", "",
};
const size_t fake_nstrings = sizeof(fake_strings) / sizeof(fake_strings[0]);
const char *const fake_channels[3] = {"email", "sms", "push"};
const char *const fake_events[3] = {"cart_abandoned", "signup", "visit"};

static uint64_t mix(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static uint64_t hash3(uint64_t seed, uint64_t a, uint64_t b)
{
    return mix(seed ^ mix(a * UINT64_C(0x100000001B3) ^ mix(b + 0x51)));
}

/* Column ids: fields below 100; channel fields 100 + 10*channel + field
 * kind; attributes 200 + index. */
static const char *const attrs[] = {"country", "age", "score", "vip", "signup"};
static const int attr_kinds[] = {DBMI_SEG_COL_STR, DBMI_SEG_COL_I64, DBMI_SEG_COL_F64,
                                 DBMI_SEG_COL_BOOL, DBMI_SEG_COL_I64};

static int column_id(const dbmi_seg_field_ref *f, int *kind)
{
    size_t i;
    switch (f->field) {
    case DBMI_SEG_F_ATTR:
        for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
            if (strcmp(f->name, attrs[i]) == 0) {
                *kind = attr_kinds[i];
                return 200 + (int)i;
            }
        *kind = DBMI_SEG_COL_NONE;
        return -1;
    case DBMI_SEG_F_CONSENT: case DBMI_SEG_F_ADDRESS_VALID: case DBMI_SEG_F_VERIFIED_AGE:
        for (i = 0; i < 3; i++)
            if (strcmp(f->name, fake_channels[i]) == 0) {
                *kind = f->field == DBMI_SEG_F_VERIFIED_AGE ? DBMI_SEG_COL_I64 : DBMI_SEG_COL_BOOL;
                return 100 + 10 * (int)i + f->field;
            }
        *kind = DBMI_SEG_COL_NONE;
        return -1;
    case DBMI_SEG_F_MONETARY: case DBMI_SEG_F_P_ALIVE: case DBMI_SEG_F_CLV:
    case DBMI_SEG_F_EXPECTED_PURCHASES: case DBMI_SEG_F_EXPECTED_SPEND:
        *kind = DBMI_SEG_COL_F64;
        return f->field;
    case DBMI_SEG_F_RFM_SEGMENT:
        *kind = DBMI_SEG_COL_STR;
        return f->field;
    default:
        *kind = DBMI_SEG_COL_I64;
        return f->field;
    }
}

static const double decimals[] = {0.0, 0.25, 0.5, 0.8, 0.9, 1.0, 2.5, 100.0, -1.5};

/* The value of column @p id at @p row; returns 0 when null. */
static int value_at(const fake_source *fs, int id, int kind, size_t row, int64_t *i, double *d)
{
    uint64_t h = hash3(fs->seed, (uint64_t)id, row);
    if ((int)(h % 100) < fs->null_percent)
        return 0;
    h >>= 8;
    switch (kind) {
    case DBMI_SEG_COL_F64:
        *d = decimals[h % (sizeof(decimals) / sizeof(decimals[0]))];
        break;
    case DBMI_SEG_COL_STR:
        /* segment names for rfm.segment, countries and oddities for attributes */
        *i = id == DBMI_SEG_F_RFM_SEGMENT ? (int64_t)(h % 6) : (int64_t)(6 + h % (fake_nstrings - 6));
        break;
    case DBMI_SEG_COL_BOOL:
        *i = (int64_t)(h & 1);
        break;
    default:
        if (id == DBMI_SEG_F_FIRST_PURCHASE || id == DBMI_SEG_F_LAST_PURCHASE || id >= 100)
            *i = FAKE_NOW - (int64_t)(h % 800) * 43200; /* instants over ~400 days */
        else
            *i = (int64_t)(h % 12) - 1;
        break;
    }
    return 1;
}

/* Events of a row: kind 0 purchase, 1 contact, 2 open, 3 custom. */
static void event_at(const fake_source *fs, size_t row, int k, int *kind, int *chan,
                     int *name, int64_t *time, double *amount)
{
    uint64_t h = hash3(fs->seed ^ 0xE7, row, (uint64_t)k);
    *kind = (int)(h % 4);
    *chan = (int)((h >> 4) % 3);
    *name = (int)((h >> 8) % 3);
    *time = FAKE_NOW - (int64_t)((h >> 12) % 800) * 43200 + 43200 * ((h >> 40) % 3 == 0);
    *amount = (double)((h >> 20) % 200) / 4.0;
}

static int event_count(const fake_source *fs, size_t row)
{
    return fs->max_events ? (int)(hash3(fs->seed ^ 0xC0, row, 7) % (uint64_t)(fs->max_events + 1)) : 0;
}

static void count_row(const fake_source *fs, const dbmi_seg_behaviour_ref *b, size_t row,
                      int64_t *count, double *amount)
{
    int n = event_count(fs, row), k;
    int want_kind = b->behaviour == DBMI_SEG_B_PURCHASES || b->behaviour == DBMI_SEG_B_SPEND ? 0
                  : b->behaviour == DBMI_SEG_B_CONTACTED ? 1
                  : b->behaviour == DBMI_SEG_B_OPENED ? 2 : 3;
    *count = 0;
    *amount = 0;
    for (k = 0; k < n; k++) {
        int kind, chan, name;
        int64_t t;
        double a;
        event_at(fs, row, k, &kind, &chan, &name, &t, &a);
        if (kind != want_kind || t <= b->from || t > b->to)
            continue;
        if ((want_kind == 1 || want_kind == 2) && strcmp(fake_channels[chan], b->name) != 0)
            continue;
        if (want_kind == 3 && strcmp(fake_events[name], b->name) != 0)
            continue;
        ++*count;
        *amount += a;
    }
}

static int fake_column_fn(void *self, const dbmi_seg_field_ref *f, dbmi_seg_column *out)
{
    fake_source *fs = self;
    int kind, id = column_id(f, &kind), c;
    size_t row, nw = (fs->rows + 63) / 64;
    fake_column *col;
    memset(out, 0, sizeof(*out));
    if (id < 0)
        return LIBDBM_OK;
    for (c = 0; c < fs->ncolumns; c++)
        if (fs->columns[c].id == id) {
            *out = fs->columns[c].col;
            return LIBDBM_OK;
        }
    if (fs->ncolumns == FAKE_MAX_COLUMNS)
        return LIBDBM_ENOMEM;
    col = &fs->columns[fs->ncolumns];
    memset(col, 0, sizeof(*col));
    col->nulls = calloc(nw ? nw : 1, sizeof(uint64_t));
    col->data = calloc(fs->rows ? fs->rows : 1, kind == DBMI_SEG_COL_BOOL ? 1 : kind == DBMI_SEG_COL_STR ? 4 : 8);
    if (col->nulls == NULL || col->data == NULL) {
        free(col->nulls);
        free(col->data);
        return LIBDBM_ENOMEM;
    }
    for (row = 0; row < fs->rows; row++) {
        int64_t i = 0;
        double d = 0;
        if (!value_at(fs, id, kind, row, &i, &d)) {
            col->nulls[row / 64] |= UINT64_C(1) << (row % 64);
            continue;
        }
        switch (kind) {
        case DBMI_SEG_COL_I64: ((int64_t *)col->data)[row] = i; break;
        case DBMI_SEG_COL_F64: ((double *)col->data)[row] = d; break;
        case DBMI_SEG_COL_STR: ((uint32_t *)col->data)[row] = (uint32_t)i; break;
        default: ((uint8_t *)col->data)[row] = (uint8_t)i; break;
        }
    }
    col->id = id;
    col->col.kind = kind;
    col->col.nulls = col->nulls;
    col->col.i64 = col->data;
    col->col.f64 = col->data;
    col->col.str = col->data;
    col->col.b = col->data;
    fs->ncolumns++;
    *out = col->col;
    return LIBDBM_OK;
}

static int fake_string_id(void *self, const char *s, size_t len, uint32_t *id, int *found)
{
    size_t i;
    (void)self;
    *found = 0;
    for (i = 0; i < fake_nstrings; i++)
        if (strlen(fake_strings[i]) == len && memcmp(fake_strings[i], s, len) == 0) {
            *id = (uint32_t)i;
            *found = 1;
        }
    return LIBDBM_OK;
}

static int fake_counts(void *self, const dbmi_seg_behaviour_ref *b, const uint32_t *rows,
                       size_t n, int64_t *counts, double *amounts)
{
    size_t k;
    for (k = 0; k < n; k++)
        count_row(self, b, rows[k], &counts[k], &amounts[k]);
    return LIBDBM_OK;
}

static int fake_row_value(void *self, const dbmi_seg_field_ref *f, size_t row,
                          dbmi_seg_row_value *out)
{
    fake_source *fs = self;
    int kind, id = column_id(f, &kind);
    memset(out, 0, sizeof(*out));
    if (fs->rows_from_columns && id >= 0) {
        /* a plain array read, as a store-backed row interpreter would do */
        dbmi_seg_column col;
        int status = fake_column_fn(self, f, &col);
        if (status != LIBDBM_OK)
            return status;
        if (col.nulls != NULL && ((col.nulls[row / 64] >> (row % 64)) & 1))
            return LIBDBM_OK;
        out->kind = kind;
        switch (kind) {
        case DBMI_SEG_COL_I64: out->i = col.i64[row]; break;
        case DBMI_SEG_COL_F64: out->d = col.f64[row]; break;
        case DBMI_SEG_COL_STR:
            out->i = col.str[row];
            out->s = fake_strings[out->i];
            out->len = strlen(out->s);
            break;
        default: out->i = col.b[row]; break;
        }
        return LIBDBM_OK;
    }
    if (id < 0 || !value_at(fs, id, kind, row, &out->i, &out->d))
        return LIBDBM_OK;
    out->kind = kind;
    if (kind == DBMI_SEG_COL_STR) {
        out->s = fake_strings[out->i];
        out->len = strlen(out->s);
    }
    return LIBDBM_OK;
}

static int fake_row_count(void *self, const dbmi_seg_behaviour_ref *b, size_t row,
                          int64_t *count, double *amount)
{
    count_row(self, b, row, count, amount);
    return LIBDBM_OK;
}

void fake_source_init(fake_source *fs, uint64_t seed, size_t rows, int null_percent,
                      int max_events)
{
    memset(fs, 0, sizeof(*fs));
    fs->seed = seed;
    fs->rows = rows;
    fs->null_percent = null_percent;
    fs->max_events = max_events;
    fs->source.self = fs;
    fs->source.rows = rows;
    fs->source.column = fake_column_fn;
    fs->source.string_id = fake_string_id;
    fs->source.counts = fake_counts;
    fs->source.row_value = fake_row_value;
    fs->source.row_count = fake_row_count;
}

void fake_source_fini(fake_source *fs)
{
    int c;
    for (c = 0; c < fs->ncolumns; c++) {
        free(fs->columns[c].data);
        free(fs->columns[c].nulls);
    }
    fs->ncolumns = 0;
}
