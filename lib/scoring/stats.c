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

/* A hint to fetch memory about to be read or written (GCC and clang). */
#if defined(__GNUC__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)(address))
#endif

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

/* The hash bits a slot keeps: the low half of the hash, which for a
 * capacity of at most 2^32 also gives the home slot. */
static uint64_t hash_tag(uint64_t hash)
{
    return hash & 0xffffffffULL;
}

/* A slot's entry: the key's hash tag and the row position + 1. */
static uint64_t slot_entry(uint64_t hash, size_t position)
{
    return hash_tag(hash) << 32 | (uint64_t)(position + 1);
}

static uint64_t entry_tag(uint64_t entry)
{
    return entry >> 32;
}

static size_t entry_row(uint64_t entry)
{
    return (size_t)(entry & 0xffffffffULL) - 1;
}

/* The slot holding @p key's row, or the empty slot where it belongs. */
static size_t find_row_slot(const libdbm_stats *s, const dbmi_stats_row *key, uint64_t hash)
{
    size_t mask = s->rows_index.capacity - 1;
    uint64_t tag = hash_tag(hash);
    size_t i = (size_t)hash & mask;
    for (uint64_t e; (e = s->rows_index.slots[i]) != 0; i = (i + 1) & mask)
        if (entry_tag(e) == tag && row_equal(&s->rows[entry_row(e)], key))
            break;
    return i;
}

static size_t find_spend_slot(const libdbm_stats *s, const dbmi_spend_row *key, uint64_t hash)
{
    size_t mask = s->spend_index.capacity - 1;
    uint64_t tag = hash_tag(hash);
    size_t i = (size_t)hash & mask;
    for (uint64_t e; (e = s->spend_index.slots[i]) != 0; i = (i + 1) & mask)
        if (entry_tag(e) == tag && spend_equal(&s->spend[entry_row(e)], key))
            break;
    return i;
}

/* Moves every entry of @p old (capacity @p old_cap) to its home in @p index,
 * from the stored hash bits alone: no row is read. */
static void rehash(dbmi_row_index *index, const uint64_t *old, size_t old_cap)
{
    size_t mask = index->capacity - 1;
    for (size_t k = 0; k < old_cap; k++) {
        if (old[k] == 0)
            continue;
        size_t i = (size_t)entry_tag(old[k]) & mask;
        while (index->slots[i] != 0)
            i = (i + 1) & mask;
        index->slots[i] = old[k];
    }
}

/* Makes room for @p extra more rows of each kind (arrays and indexes at most
 * three quarters full), so the inserts that follow cannot fail. */
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
        /* Up to 3/4 full: the hash bits in the slots make the longer
         * probe runs cheap (8 slots per cache line, no row read), and the
         * index of millions of groups is half the memory to fault in. */
        if (need * 4 < index->capacity * 3)
            continue;
        size_t cap = 16;
        while (cap * 3 <= need * 4)
            cap *= 2;
        uint64_t *slots = dbmi_calloc(s->ctx, cap, sizeof(uint64_t)), *old = index->slots;
        if (slots == NULL)
            return dbmi_error_nomem(s->ctx, "statistics index");
        size_t old_cap = index->capacity;
        index->slots = slots;
        index->capacity = cap;
        rehash(index, old, old_cap);
        dbmi_free(s->ctx, old);
    }
    return LIBDBM_OK;
}

/* Inserts after stats_reserve(), with the key's hash: cannot fail. */
static void insert_row(libdbm_stats *s, const dbmi_stats_row *row, uint64_t hash)
{
    size_t slot = find_row_slot(s, row, hash);
    if (s->rows_index.slots[slot] != 0) {
        s->rows[entry_row(s->rows_index.slots[slot])].weight += row->weight;
        return;
    }
    s->rows[s->nrows] = *row;
    s->rows_index.slots[slot] = slot_entry(hash, s->nrows++);
}

static void insert_spend(libdbm_stats *s, const dbmi_spend_row *row, uint64_t hash)
{
    size_t slot = find_spend_slot(s, row, hash);
    if (s->spend_index.slots[slot] != 0) {
        s->spend[entry_row(s->spend_index.slots[slot])].weight += row->weight;
        return;
    }
    s->spend[s->nspend] = *row;
    s->spend_index.slots[slot] = slot_entry(hash, s->nspend++);
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
    insert_row(stats, &row, row_hash(&row));
    if (spend) {
        dbmi_spend_row srow = { x, m_x, weight };
        insert_spend(stats, &srow, spend_hash(&srow));
    }
    stats->customers += weight;
    return LIBDBM_OK;
}

/* Customers added per block by libdbm_stats_add_array: enough lookups in
 * flight to hide the memory latency, few enough to stay in L1. */
#define ADD_BLOCK 64

/* The slot a probe for @p hash starts at, for prefetching. */
static const uint64_t *home_slot(const dbmi_row_index *index, uint64_t hash)
{
    return &index->slots[(size_t)hash & (index->capacity - 1)];
}

/* The row an occupied home slot points to when its hash bits match: the
 * row compared first (prefetched once the slot has arrived). */
static const void *home_row(const dbmi_row_index *index, const void *rows, size_t row_size,
                            uint64_t hash)
{
    uint64_t e = *home_slot(index, hash);
    if (e == 0 || entry_tag(e) != hash_tag(hash))
        return NULL;
    return (const char *)rows + entry_row(e) * row_size;
}

/* Adds @p n <= ADD_BLOCK valid customers after stats_reserve(n, n), in
 * order, exactly as libdbm_stats_add() would one by one: the same groups,
 * the same sums in the same order. Only the memory accesses are
 * overlapped: every customer's home slots are prefetched first, then the
 * rows they point to, then the inserts run. */
static void add_block(libdbm_stats *s, const double *x, const double *t_x, const double *T,
                      const double *m_x, const double *weight, size_t n)
{
    dbmi_stats_row rows[ADD_BLOCK];
    dbmi_spend_row spend[ADD_BLOCK];
    uint64_t row_hashes[ADD_BLOCK], spend_hashes[ADD_BLOCK];
    unsigned char has_spend[ADD_BLOCK];
    size_t k;
    for (k = 0; k < n; k++) {
        double w = weight != NULL ? weight[k] : 1.0;
        dbmi_stats_row row = { x[k] + 0.0, t_x[k] + 0.0, T[k] + 0.0, w };
        rows[k] = row;
        row_hashes[k] = row_hash(&rows[k]);
        PREFETCH(home_slot(&s->rows_index, row_hashes[k]));
        has_spend[k] = w != 0 && x[k] > 0 && m_x[k] > 0;
        if (has_spend[k]) {
            dbmi_spend_row srow = { x[k], m_x[k], w };
            spend[k] = srow;
            spend_hashes[k] = spend_hash(&spend[k]);
            PREFETCH(home_slot(&s->spend_index, spend_hashes[k]));
        }
    }
    for (k = 0; k < n; k++) {
        const void *r = home_row(&s->rows_index, s->rows, sizeof(*s->rows), row_hashes[k]);
        if (r != NULL)
            PREFETCH(r);
        if (has_spend[k] &&
            (r = home_row(&s->spend_index, s->spend, sizeof(*s->spend), spend_hashes[k])) != NULL)
            PREFETCH(r);
    }
    for (k = 0; k < n; k++) {
        if (rows[k].weight == 0)
            continue;
        insert_row(s, &rows[k], row_hashes[k]);
        if (has_spend[k])
            insert_spend(s, &spend[k], spend_hashes[k]);
        s->customers += rows[k].weight;
    }
}

LIBDBM_API int libdbm_stats_add_array(libdbm_stats *stats, const double *x, const double *t_x,
                                      const double *T, const double *m_x, const double *weight,
                                      int64_t n)
{
    if (stats == NULL)
        return LIBDBM_EINVAL;
    if (n < 0 || (n > 0 && (x == NULL || t_x == NULL || T == NULL || m_x == NULL)))
        return dbmi_error(stats->ctx, LIBDBM_EINVAL,
                          "libdbm_stats_add_array: n >= 0 and the x, t_x, T and m_x arrays "
                          "are required");
    /* Every customer is checked before any is added. */
    for (int64_t i = 0; i < n; i++) {
        double w = weight != NULL ? weight[i] : 1.0;
        const char *problem = customer_problem(x[i], t_x[i], T[i], m_x[i], w);
        if (problem != NULL)
            return dbmi_error(stats->ctx, LIBDBM_EINVAL,
                              "libdbm_stats_add_array: customer %lld (x=%g, t_x=%g, T=%g, "
                              "m_x=%g, weight=%g): %s", (long long)i, x[i], t_x[i], T[i],
                              m_x[i], w, problem);
    }
    for (int64_t begin = 0; begin < n; begin += ADD_BLOCK) {
        size_t len = (size_t)(n - begin < ADD_BLOCK ? n - begin : ADD_BLOCK);
        int rc = stats_reserve(stats, len, len);
        if (rc != LIBDBM_OK)
            return rc;
        add_block(stats, x + begin, t_x + begin, T + begin, m_x + begin,
                  weight != NULL ? weight + begin : NULL, len);
    }
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
        insert_row(into, &from->rows[i], row_hash(&from->rows[i]));
    for (size_t i = 0; i < from->nspend; i++)
        insert_spend(into, &from->spend[i], spend_hash(&from->spend[i]));
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
            insert_row(s, &row, row_hash(&row));
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
            insert_spend(s, &row, spend_hash(&row));
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
