/* Grouped sufficient statistics (libdbm_stats): customers sharing
 * (x, t_x, T) are one weighted row for the frequency/recency models, and
 * customers sharing (x, m_x) one row for Gamma-Gamma. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "bytes.h"
#include "model_private.h"

#define STATS_MAGIC "LDBS"
#define STATS_FORMAT_VERSION 1u

static uint64_t double_bits(double v)
{
    uint64_t u;
    v += 0.0;                   /* -0.0 and 0.0 are one key */
    memcpy(&u, &v, sizeof(u));
    return u;
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* The key's words, each times its own odd constant, summed, then one
 * finaliser: the multiplies are independent, so the probe's address is
 * ready sooner than with a mix per word (this is on every add). */
static uint64_t row_hash(const dbmi_stats_row *row)
{
    return mix64(double_bits(row->x) * 0x9E3779B97F4A7C15ULL
                 + double_bits(row->t_x) * 0xC2B2AE3D27D4EB4FULL
                 + double_bits(row->T) * 0x165667B19E3779F9ULL);
}

static uint64_t spend_hash(const dbmi_spend_row *row)
{
    return mix64(double_bits(row->x) * 0x9E3779B97F4A7C15ULL
                 + double_bits(row->m_x) * 0xC2B2AE3D27D4EB4FULL);
}

static int row_equal(const dbmi_stats_row *p, const dbmi_stats_row *q)
{
    return p->x == q->x && p->t_x == q->t_x && p->T == q->T;
}

static int spend_equal(const dbmi_spend_row *p, const dbmi_spend_row *q)
{
    return p->x == q->x && p->m_x == q->m_x;
}

/* The slot holding @p key's row, or the empty slot where it belongs. */
static size_t find_row_slot(const libdbm_stats *s, const dbmi_stats_row *key)
{
    size_t mask = s->rows_index.capacity - 1;
    size_t i = (size_t)row_hash(key) & mask;
    while (s->rows_index.slots[i] != 0 && !row_equal(&s->rows[s->rows_index.slots[i] - 1], key))
        i = (i + 1) & mask;
    return i;
}

static size_t find_spend_slot(const libdbm_stats *s, const dbmi_spend_row *key)
{
    size_t mask = s->spend_index.capacity - 1;
    size_t i = (size_t)spend_hash(key) & mask;
    while (s->spend_index.slots[i] != 0 &&
           !spend_equal(&s->spend[s->spend_index.slots[i] - 1], key))
        i = (i + 1) & mask;
    return i;
}

/* Makes room for @p extra more rows of each kind (arrays and indexes at most
 * half full), so the inserts that follow cannot fail. */
static int stats_reserve(libdbm_stats *s, size_t extra_rows, size_t extra_spend)
{
    size_t need_rows, need_spend;
    if (dbmi_size_add(s->nrows, extra_rows, &need_rows) ||
        dbmi_size_add(s->nspend, extra_spend, &need_spend) ||
        need_rows >= UINT32_MAX / 2 || need_spend >= UINT32_MAX / 2)
        return dbmi_error(s->ctx, LIBDBM_ELIMIT, "statistics: more than 2^31 groups");
    int rc = dbmi_grow_array(s->ctx, (void **)&s->rows, &s->rows_cap, need_rows,
                             sizeof(dbmi_stats_row));
    if (rc == LIBDBM_OK)
        rc = dbmi_grow_array(s->ctx, (void **)&s->spend, &s->spend_cap, need_spend,
                             sizeof(dbmi_spend_row));
    if (rc != LIBDBM_OK)
        return rc;
    for (int which = 0; which < 2; which++) {
        dbmi_row_index *index = which == 0 ? &s->rows_index : &s->spend_index;
        size_t need = which == 0 ? need_rows : need_spend;
        if (need * 2 < index->capacity)
            continue;
        size_t cap = 16;
        while (cap <= need * 2)
            cap *= 2;
        uint32_t *slots = dbmi_calloc(s->ctx, cap, sizeof(uint32_t));
        if (slots == NULL)
            return dbmi_error_nomem(s->ctx, "statistics index");
        dbmi_free(s->ctx, index->slots);
        index->slots = slots;
        index->capacity = cap;
        size_t count = which == 0 ? s->nrows : s->nspend;
        for (size_t k = 0; k < count; k++) {
            size_t slot = which == 0 ? find_row_slot(s, &s->rows[k])
                                     : find_spend_slot(s, &s->spend[k]);
            index->slots[slot] = (uint32_t)(k + 1);
        }
    }
    return LIBDBM_OK;
}

/* Inserts after stats_reserve(): cannot fail. */
static void insert_row(libdbm_stats *s, const dbmi_stats_row *row)
{
    size_t slot = find_row_slot(s, row);
    if (s->rows_index.slots[slot] != 0) {
        s->rows[s->rows_index.slots[slot] - 1].weight += row->weight;
        return;
    }
    s->rows[s->nrows] = *row;
    s->rows_index.slots[slot] = (uint32_t)++s->nrows;
}

static void insert_spend(libdbm_stats *s, const dbmi_spend_row *row)
{
    size_t slot = find_spend_slot(s, row);
    if (s->spend_index.slots[slot] != 0) {
        s->spend[s->spend_index.slots[slot] - 1].weight += row->weight;
        return;
    }
    s->spend[s->nspend] = *row;
    s->spend_index.slots[slot] = (uint32_t)++s->nspend;
}

LIBDBM_API int libdbm_stats_new(libdbm_stats **out, libdbm_context *ctx)
{
    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (ctx == NULL)
        return LIBDBM_EINVAL;
    libdbm_stats *s = dbmi_calloc(ctx, 1, sizeof(*s));
    if (s == NULL)
        return dbmi_error_nomem(ctx, "statistics");
    s->ctx = ctx;
    *out = s;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_stats_free(libdbm_stats *stats)
{
    if (stats == NULL)
        return;
    libdbm_context *ctx = stats->ctx;
    dbmi_free(ctx, stats->rows);
    dbmi_free(ctx, stats->spend);
    dbmi_free(ctx, stats->rows_index.slots);
    dbmi_free(ctx, stats->spend_index.slots);
    dbmi_free(ctx, stats);
}

/* NULL when the customer is valid, else what is wrong with it. */
static const char *customer_problem(double x, double t_x, double T, double m_x, double weight)
{
    if (!isfinite(x) || !isfinite(t_x) || !isfinite(T) || !isfinite(weight))
        return "x, t_x, T and weight must be finite";
    if (x < 0 || x != floor(x) || x > 1e15)
        return "x must be a non-negative integer";
    if (t_x < 0 || T < t_x)
        return "0 <= t_x <= T is required";
    if (x == 0 && t_x != 0)
        return "t_x must be 0 when x is 0";
    if (weight < 0)
        return "weight must be >= 0";
    if (x > 0 && (isnan(m_x) || m_x < 0 || isinf(m_x)))
        return "m_x must be finite and >= 0 when x > 0";
    return NULL;
}

LIBDBM_API int libdbm_stats_add(libdbm_stats *stats, double x, double t_x, double T,
                                double m_x, double weight)
{
    if (stats == NULL)
        return LIBDBM_EINVAL;
    const char *problem = customer_problem(x, t_x, T, m_x, weight);
    if (problem != NULL)
        return dbmi_error(stats->ctx, LIBDBM_EINVAL,
                          "libdbm_stats_add(x=%g, t_x=%g, T=%g, m_x=%g, weight=%g): %s",
                          x, t_x, T, m_x, weight, problem);
    if (weight == 0)
        return LIBDBM_OK;
    int spend = x > 0 && m_x > 0;
    int rc = stats_reserve(stats, 1, spend ? 1 : 0);
    if (rc != LIBDBM_OK)
        return rc;
    dbmi_stats_row row = { x + 0.0, t_x + 0.0, T + 0.0, weight };
    insert_row(stats, &row);
    if (spend) {
        dbmi_spend_row srow = { x, m_x, weight };
        insert_spend(stats, &srow);
    }
    stats->customers += weight;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_stats_merge(libdbm_stats *into, const libdbm_stats *from)
{
    if (into == NULL || from == NULL || into == from)
        return into != NULL ? dbmi_error(into->ctx, LIBDBM_EINVAL,
                                         "libdbm_stats_merge: NULL or identical arguments")
                            : LIBDBM_EINVAL;
    int rc = stats_reserve(into, from->nrows, from->nspend);
    if (rc != LIBDBM_OK)
        return rc;
    for (size_t i = 0; i < from->nrows; i++)
        insert_row(into, &from->rows[i]);
    for (size_t i = 0; i < from->nspend; i++)
        insert_spend(into, &from->spend[i]);
    into->customers += from->customers;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_stats_customers(const libdbm_stats *stats, double *count)
{
    if (stats == NULL || count == NULL)
        return LIBDBM_EINVAL;
    *count = stats->customers;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_stats_rows(const libdbm_stats *stats, int64_t *rows)
{
    if (stats == NULL || rows == NULL)
        return LIBDBM_EINVAL;
    *rows = (int64_t)stats->nrows;
    return LIBDBM_OK;
}

static int compare_rows(const void *pa, const void *pb)
{
    const dbmi_stats_row *p = pa, *q = pb;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->T != q->T)
        return p->T < q->T ? -1 : 1;
    if (p->t_x != q->t_x)
        return p->t_x < q->t_x ? -1 : 1;
    return 0;
}

static int compare_spend(const void *pa, const void *pb)
{
    const dbmi_spend_row *p = pa, *q = pb;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->m_x != q->m_x)
        return p->m_x < q->m_x ? -1 : 1;
    return 0;
}

int dbmi_stats_sorted_rows(const libdbm_stats *stats, libdbm_context *ctx,
                           dbmi_stats_row **rows, size_t *nrows)
{
    *rows = NULL;
    *nrows = 0;
    if (stats->nrows == 0)
        return LIBDBM_OK;
    dbmi_stats_row *copy = dbmi_malloc(ctx, stats->nrows * sizeof(*copy));
    if (copy == NULL)
        return dbmi_error_nomem(ctx, "sorted statistics");
    memcpy(copy, stats->rows, stats->nrows * sizeof(*copy));
    qsort(copy, stats->nrows, sizeof(*copy), compare_rows);
    *rows = copy;
    *nrows = stats->nrows;
    return LIBDBM_OK;
}

int dbmi_stats_sorted_spend(const libdbm_stats *stats, libdbm_context *ctx,
                            dbmi_spend_row **rows, size_t *nrows)
{
    *rows = NULL;
    *nrows = 0;
    if (stats->nspend == 0)
        return LIBDBM_OK;
    dbmi_spend_row *copy = dbmi_malloc(ctx, stats->nspend * sizeof(*copy));
    if (copy == NULL)
        return dbmi_error_nomem(ctx, "sorted statistics");
    memcpy(copy, stats->spend, stats->nspend * sizeof(*copy));
    qsort(copy, stats->nspend, sizeof(*copy), compare_spend);
    *rows = copy;
    *nrows = stats->nspend;
    return LIBDBM_OK;
}

/* Blob: "LDBS", u32 version, f64 customers, varint nrows, nrows x (x, t_x,
 * T, weight), varint nspend, nspend x (x, m_x, weight), u32 CRC-32C of all
 * the bytes before it. Little-endian, doubles as IEEE-754 bits. */
LIBDBM_API int libdbm_stats_save(const libdbm_stats *stats, void **blob, size_t *len)
{
    if (blob != NULL)
        *blob = NULL;
    if (len != NULL)
        *len = 0;
    if (stats == NULL || blob == NULL || len == NULL)
        return LIBDBM_EINVAL;
    dbmi_buf buf;
    dbmi_blob_begin(&buf, stats->ctx, STATS_MAGIC, STATS_FORMAT_VERSION);
    dbmi_buf_put_f64(&buf, stats->customers);
    dbmi_buf_put_varint(&buf, stats->nrows);
    for (size_t i = 0; i < stats->nrows; i++) {
        dbmi_buf_put_f64(&buf, stats->rows[i].x);
        dbmi_buf_put_f64(&buf, stats->rows[i].t_x);
        dbmi_buf_put_f64(&buf, stats->rows[i].T);
        dbmi_buf_put_f64(&buf, stats->rows[i].weight);
    }
    dbmi_buf_put_varint(&buf, stats->nspend);
    for (size_t i = 0; i < stats->nspend; i++) {
        dbmi_buf_put_f64(&buf, stats->spend[i].x);
        dbmi_buf_put_f64(&buf, stats->spend[i].m_x);
        dbmi_buf_put_f64(&buf, stats->spend[i].weight);
    }
return dbmi_blob_seal(&buf, blob, len, "statistics blob");
}

LIBDBM_API int libdbm_stats_load(libdbm_stats **out, libdbm_context *ctx, const void *blob,
                                 size_t len)
{
    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (ctx == NULL || (blob == NULL && len > 0))
        return LIBDBM_EINVAL;
    dbmi_reader r;
    int open_rc = dbmi_blob_open(ctx, blob, len, STATS_MAGIC, STATS_FORMAT_VERSION,
                                 "statistics blob", &r);
    if (open_rc != LIBDBM_OK)
        return open_rc;
    double customers = dbmi_get_f64(&r);
    uint64_t nrows = dbmi_get_varint(&r);
    /* Each row takes 32 bytes: a count beyond the blob is corrupt, and
     * checking it first keeps a forged count from sizing an allocation. */
    if (r.failed || nrows > dbmi_reader_remaining(&r) / 32 || !(customers >= 0) ||
        !isfinite(customers))
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "statistics blob: bad header");
    libdbm_stats *s;
    int rc = libdbm_stats_new(&s, ctx);
    if (rc != LIBDBM_OK)
        return rc;
    rc = stats_reserve(s, (size_t)nrows, 0);
    for (uint64_t i = 0; rc == LIBDBM_OK && i < nrows; i++) {
        dbmi_stats_row row;
        row.x = dbmi_get_f64(&r);
        row.t_x = dbmi_get_f64(&r);
        row.T = dbmi_get_f64(&r);
        row.weight = dbmi_get_f64(&r);
        if (r.failed || customer_problem(row.x, row.t_x, row.T, 1.0, row.weight) != NULL)
            rc = dbmi_error(ctx, LIBDBM_ECORRUPT, "statistics blob: bad group %llu",
                            (unsigned long long)i);
        else
            insert_row(s, &row);
    }
    uint64_t nspend = rc == LIBDBM_OK ? dbmi_get_varint(&r) : 0;
    if (rc == LIBDBM_OK && (r.failed || nspend > dbmi_reader_remaining(&r) / 24))
        rc = dbmi_error(ctx, LIBDBM_ECORRUPT, "statistics blob: bad spend header");
    if (rc == LIBDBM_OK)
        rc = stats_reserve(s, 0, (size_t)nspend);
    for (uint64_t i = 0; rc == LIBDBM_OK && i < nspend; i++) {
        dbmi_spend_row row;
        row.x = dbmi_get_f64(&r);
        row.m_x = dbmi_get_f64(&r);
        row.weight = dbmi_get_f64(&r);
        if (r.failed || !(row.x >= 1) || !(row.m_x > 0) || !isfinite(row.m_x) ||
            customer_problem(row.x, 0, 0, row.m_x, row.weight) != NULL)
            rc = dbmi_error(ctx, LIBDBM_ECORRUPT, "statistics blob: bad spend group %llu",
                            (unsigned long long)i);
        else
            insert_spend(s, &row);
    }
    if (rc == LIBDBM_OK && dbmi_reader_remaining(&r) != 0)
        rc = dbmi_error(ctx, LIBDBM_ECORRUPT, "statistics blob: trailing bytes");
    if (rc != LIBDBM_OK) {
        libdbm_stats_free(s);
        return rc;
    }
    s->customers = customers;
    *out = s;
    return LIBDBM_OK;
}
