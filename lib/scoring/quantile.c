/* Order statistics (quantile.h). For a large column one pass histograms
 * the top 16 bits of an order-preserving integer key, so each wanted
 * position falls in a known bucket; a second pass gathers only those
 * buckets' values, and a selection inside each bucket finishes (a large
 * bucket holding one value only -- heavy ties -- is answered from its key
 * range instead). RFM columns (day counts, purchase counts, money) spread
 * over many buckets, so the gathered part is small; a column packed into
 * one bucket costs one plain selection, as small columns always do. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "parallel.h"
#include "quantile.h"

#define KEY_BUCKETS ((size_t)1 << 16)
/* Below this the histogram costs more than it saves. */
#define HISTOGRAM_MIN_N ((size_t)1 << 16)
/* Values per thread at least: a thread's histogram costs 2^16 counters. */
#define MIN_PER_THREAD ((int64_t)1 << 15)

static void swap_d(double *a, size_t i, size_t j)
{
    double t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void sift_down(double *a, size_t start, size_t end)
{
    size_t root = start;
    while (2 * root + 1 < end) {
        size_t child = 2 * root + 1;
        if (child + 1 < end && a[child] < a[child + 1])
            child++;
        if (!(a[root] < a[child]))
            return;
        swap_d(a, root, child);
        root = child;
    }
}

/* The fallback that bounds selection at O(n log n) on adversarial input. */
static void heap_sort(double *a, size_t n)
{
    size_t i;
    if (n < 2)
        return;
    for (i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (i = n - 1; i > 0; i--) {
        swap_d(a, 0, i);
        sift_down(a, 0, i);
    }
}

static void insertion_sort(double *a, size_t n)
{
    size_t i, j;
    for (i = 1; i < n; i++) {
        double v = a[i];
        for (j = i; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

static double median3(double x, double y, double z)
{
    if (x < y) {
        if (y < z)
            return y;
        return x < z ? z : x;
    }
    if (x < z)
        return x;
    return y < z ? z : y;
}

/* Rearranges a[lo, hi) so that a[k] holds the value a sorted array would
 * have there, everything before it is <= and everything after it is >=.
 * Three-way partitions, so runs of equal values (frequent in RFM data) cost
 * one pass. */
static void select_nth(double *a, size_t lo, size_t hi, size_t k)
{
    int budget = 2;
    size_t span;
    for (span = hi - lo; span > 1; span >>= 1)
        budget += 2;
    while (hi - lo > 24) {
        size_t lt = lo, i = lo, gt = hi;
        double pivot;
        if (budget-- == 0) {
            heap_sort(a + lo, hi - lo);
            return;
        }
        pivot = median3(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
        while (i < gt) {
            if (a[i] < pivot)
                swap_d(a, lt++, i++);
            else if (a[i] > pivot)
                swap_d(a, i, --gt);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return;
    }
    insertion_sort(a + lo, hi - lo);
}

/* Puts the value of ascending position k of a[lo, hi) at a[k], for the
 * ascending positions[0..count), each selection starting after the last. */
static void select_positions(double *a, size_t lo, size_t hi, const size_t *positions,
                             int count)
{
    size_t from = lo;
    for (int k = 0; k < count; k++) {
        if (positions[k] >= from) {
            select_nth(a, from, hi, positions[k]);
            from = positions[k] + 1;
        }
        /* else the same position as the previous one, already in place */
    }
}

/* Ascending doubles give ascending keys; -0 and +0 the same key. */
static uint64_t order_key(double v)
{
    uint64_t u;
    v += 0.0;                       /* -0 + 0 = +0 */
    memcpy(&u, &v, sizeof(u));
    return (u >> 63) ? ~u : u | 0x8000000000000000ULL;
}

static size_t find_nan(const double *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(values[i]))
            return i;
    return n;
}

static int plain_statistics(double *out, double *work, const double *values, double sign,
                            size_t n, const size_t *positions, int count)
{
    for (size_t i = 0; i < n; i++)
        work[i] = sign * values[i];
    select_positions(work, 0, n, positions, count);
    for (int k = 0; k < count; k++)
        out[k] = work[positions[k]];
    return LIBDBM_OK;
}

/* The bucket and bucket-relative rank of each position; buckets[] lists
 * the distinct buckets, slot_of[bucket] is 1 + their index there. */
/* One thread's chunk of the column in the passes below. Per-bucket state
 * is indexed by slot_of[] directly: entry 0 stands for "not selected" and
 * absorbs the other values, so the passes have no data-dependent branch
 * (half the values may fall either way: mispredictions would dominate).
 * The passes keep that state in locals and store it once at the end, so
 * neighbouring jobs never write the same cache line in a loop. */
typedef struct column_job {
    const double *values;
    double sign;
    int64_t begin, end;
    size_t *hist;                   /* this chunk's KEY_BUCKETS counts */
    int64_t nan_at;                 /* first NaN of the chunk, or -1 */
    const uint8_t *slot_of;         /* bucket -> 1 + selected bucket, 0 if not */
    double *dest[257];              /* next place of each selected bucket's values */
    uint64_t lo[257], hi[257];      /* smallest and largest key of each selected bucket */
} column_job;

static void histogram_pass(void *arg)
{
    column_job *job = arg;
    for (int64_t i = job->begin; i < job->end; i++) {
        double v = job->values[i];
        if (isnan(v)) {
            job->nan_at = i;
            return;
        }
        job->hist[order_key(job->sign * v) >> 48]++;
    }
}

static void range_pass(void *arg)
{
    column_job *job = arg;
    const double *values = job->values;
    const uint8_t *slot_of = job->slot_of;
    uint64_t lo[257], hi[257];
    for (int j = 0; j < 257; j++) {
        lo[j] = UINT64_MAX;
        hi[j] = 0;
    }
    for (int64_t i = job->begin; i < job->end; i++) {
        uint64_t key = order_key(job->sign * values[i]);
        int j = slot_of[key >> 48];
        lo[j] = key < lo[j] ? key : lo[j];
        hi[j] = key > hi[j] ? key : hi[j];
    }
    memcpy(job->lo, lo, sizeof(lo));
    memcpy(job->hi, hi, sizeof(hi));
}

static void gather_pass(void *arg)
{
    column_job *job = arg;
    const double *values = job->values;
    const uint8_t *slot_of = job->slot_of;
    double sink, *dest[257];
    memcpy(dest, job->dest, sizeof(dest));
    dest[0] = &sink;
    for (int64_t i = job->begin; i < job->end; i++) {
        double v = job->sign * values[i];
        int j = slot_of[order_key(v) >> 48];
        double *d = dest[j];
        *d = v;
        dest[j] = d + (j != 0);
    }
}

/* The buckets holding the wanted positions: slot[k] is the selected bucket
 * of position k and rank[k] its rank inside it; the selected buckets'
 * values are laid out one bucket after the other, chunk by chunk inside. A
 * bucket holding a single value (ties: one-time buyers' frequency) is
 * answered without gathering it. */
typedef struct bucket_plan {
    size_t bucket[256], start[256], size[256];
    int nbuckets;
    int single[256];                /* the bucket holds one value only */
    double value[256];              /* that value */
    int slot[256];
    size_t rank[256];
} bucket_plan;

static void plan_buckets(bucket_plan *p, uint8_t *slot_of, const size_t *total,
                         const size_t *positions, int count)
{
    size_t below = 0, b = 0, offset = 0;
    p->nbuckets = 0;
    for (int k = 0; k < count; k++) {
        while (below + total[b] <= positions[k])
            below += total[b++];
        if (slot_of[b] == 0) {
            int j = p->nbuckets++;
            slot_of[b] = (uint8_t)(j + 1);
            p->bucket[j] = b;
            p->start[j] = offset;
            p->size[j] = total[b];
            p->single[j] = 0;
            offset += total[b];
        }
        p->slot[k] = slot_of[b] - 1;
        p->rank[k] = positions[k] - below;
    }
}

static double key_value(uint64_t key)
{
    uint64_t u = (key >> 63) ? key & ~0x8000000000000000ULL : ~key;
    double v;
    memcpy(&v, &u, sizeof(v));
    return v;
}

/* Large selected buckets (a sixteenth of the column or more) that hold a
 * single value are answered from their key range and left out of the
 * gathering (slot_of cleared). */
static void find_single_values(bucket_plan *p, uint8_t *slot_of, column_job *jobs,
                               int32_t threads, size_t n)
{
    int large = 0;
    for (int j = 0; j < p->nbuckets; j++)
        large |= p->size[j] >= n / 16;
    if (!large)
        return;
    dbmi_parallel_run(range_pass, jobs, sizeof(jobs[0]), threads);
    for (int j = 0; j < p->nbuckets; j++) {
        uint64_t lo = UINT64_MAX, hi = 0;
        for (int32_t t = 0; t < threads; t++) {
            lo = jobs[t].lo[j + 1] < lo ? jobs[t].lo[j + 1] : lo;
            hi = jobs[t].hi[j + 1] > hi ? jobs[t].hi[j + 1] : hi;
        }
        if (lo == hi) {
            p->single[j] = 1;
            p->value[j] = key_value(lo);
            slot_of[p->bucket[j]] = 0;
        }
    }
}

/* Gathers the other selected buckets (each thread its chunk's values, in
 * chunk order) and selects inside them. */
static void select_in_buckets(bucket_plan *p, column_job *jobs, int32_t threads, double *work,
                              int count)
{
    size_t local[256];
    for (int j = 0; j < p->nbuckets; j++) {
        size_t at = p->start[j];
        for (int32_t t = 0; t < threads; t++) {
            jobs[t].dest[j + 1] = work + at;
            at += jobs[t].hist[p->bucket[j]];
        }
    }
    dbmi_parallel_run(gather_pass, jobs, sizeof(jobs[0]), threads);
    for (int j = 0; j < p->nbuckets; j++) {
        int m = 0;
        if (p->single[j])
            continue;
        for (int k = 0; k < count; k++)
            if (p->slot[k] == j)
                local[m++] = p->start[j] + p->rank[k];
        select_positions(work, p->start[j], p->start[j] + p->size[j], local, m);
    }
}

static int histogram_statistics(libdbm_context *ctx, double *out, size_t *nan_at, double *work,
                                const double *values, double sign, size_t n,
                                const size_t *positions, int count, int32_t threads)
{
    bucket_plan p;
    /* threads' histograms, then their total; the jobs (6 KiB each) on the
     * heap, not on a host thread's stack */
    size_t *hist = dbmi_calloc(ctx, ((size_t)threads + 1) * KEY_BUCKETS, sizeof(size_t));
    uint8_t *slot_of = dbmi_calloc(ctx, KEY_BUCKETS, 1);
    column_job *jobs = dbmi_calloc(ctx, (size_t)threads, sizeof(column_job));
    size_t *total = hist + (size_t)threads * KEY_BUCKETS;
    if (hist == NULL || slot_of == NULL || jobs == NULL) {
        dbmi_free(ctx, hist);
        dbmi_free(ctx, slot_of);
        dbmi_free(ctx, jobs);
        return dbmi_error_nomem(ctx, "order statistics histogram");
    }
    for (int32_t t = 0; t < threads; t++) {
        column_job *job = &jobs[t];
        job->values = values;
        job->sign = sign;
        dbmi_chunk((int64_t)n, t, threads, &job->begin, &job->end);
        job->hist = hist + (size_t)t * KEY_BUCKETS;
        job->nan_at = -1;
        job->slot_of = slot_of;
    }
    dbmi_parallel_run(histogram_pass, jobs, sizeof(jobs[0]), threads);
    *nan_at = n;
    for (int32_t t = threads; t-- > 0;)
        if (jobs[t].nan_at >= 0)
            *nan_at = (size_t)jobs[t].nan_at;
    if (*nan_at == n) {
        for (int32_t t = 0; t < threads; t++)
            for (size_t b = 0; b < KEY_BUCKETS; b++)
                total[b] += jobs[t].hist[b];
        plan_buckets(&p, slot_of, total, positions, count);
        find_single_values(&p, slot_of, jobs, threads, n);
        select_in_buckets(&p, jobs, threads, work, count);
        for (int k = 0; k < count; k++) {
            int j = p.slot[k];
            out[k] = p.single[j] ? p.value[j] : work[p.start[j] + p.rank[k]];
        }
    }
    dbmi_free(ctx, hist);
    dbmi_free(ctx, slot_of);
    dbmi_free(ctx, jobs);
    return LIBDBM_OK;
}

int dbmi_order_statistics(libdbm_context *ctx, double *out, size_t *nan_at, double *work,
                          const double *values, double sign, size_t n,
                          const size_t *positions, int count, int32_t threads)
{
    if (n >= HISTOGRAM_MIN_N && count <= 255)
        return histogram_statistics(ctx, out, nan_at, work, values, sign, n, positions, count,
                                    dbmi_thread_count(threads, (int64_t)n, MIN_PER_THREAD));
    if ((*nan_at = find_nan(values, n)) < n)
        return LIBDBM_OK;
    return plain_statistics(out, work, values, sign, n, positions, count);
}
