/* RFM quantile scores: fitting the bin boundaries by selection (no full
 * sort; quantile.c), scoring by counting boundaries passed, the portable
 * blob, and the raw values from purchase days. The rule is stated in
 * include/libdbm/rfm.h and docs/rfm.md. */
#include <math.h>
#include <string.h>

#include "bytes.h"
#include "context_private.h"
#include "blob.h"
#include "libdbm/rfm.h"
#include "parallel.h"
#include "quantile.h"
#include "rfm_score.h"
#include "rfm_values.h"

#define RFM_COLUMNS 3
#define RFM_BLOB_MAGIC "RBFM"
#define RFM_BLOB_VERSION 1u

struct libdbm_rfm_bins {
    libdbm_context *ctx;
    int32_t bins;
    int32_t monetary_mode;
    int32_t frequency_mode;
    int32_t lookback_days;
    /* bins-1 boundaries per column, in the column's own units. */
    double *bounds[RFM_COLUMNS];
};

/* Recency is better when smaller; frequency and monetary when larger. The
 * fit works on "goodness" keys sign * value, ascending = worst to best. */
static const double column_sign[RFM_COLUMNS] = {-1.0, 1.0, 1.0};
static const char *const column_name[RFM_COLUMNS] = {"recency", "frequency", "monetary"};

LIBDBM_API int libdbm_rfm_options_init(libdbm_rfm_options *options)
{
    static const libdbm_rfm_options defaults = LIBDBM_RFM_OPTIONS_INIT;
    if (options == NULL)
        return LIBDBM_EINVAL;
    *options = defaults;
    return LIBDBM_OK;
}

/* Copies the caller's options (which may be an older, shorter struct) over
 * the defaults and validates them. */
static int read_options(libdbm_context *ctx, const libdbm_rfm_options *in,
                        libdbm_rfm_options *out)
{
    libdbm_rfm_options_init(out);
    if (in != NULL) {
        size_t size = in->struct_size;
        if (size < offsetof(libdbm_rfm_options, bins) + sizeof(int32_t))
            return dbmi_error(ctx, LIBDBM_EINVAL,
                              "rfm options: struct_size %u is too small", in->struct_size);
        if (size > sizeof(*out))
            size = sizeof(*out);   /* a newer host: fields we do not know are ignored */
        memcpy(out, in, size);
        out->struct_size = (uint32_t)sizeof(*out);
    }
    if (out->bins < 2 || out->bins > LIBDBM_RFM_MAX_BINS)
        return dbmi_error(ctx, LIBDBM_EINVAL, "rfm options: bins must be 2..%d, not %d",
                          LIBDBM_RFM_MAX_BINS, out->bins);
    if (out->monetary_mode != LIBDBM_RFM_MONETARY_TOTAL
        && out->monetary_mode != LIBDBM_RFM_MONETARY_AVERAGE)
        return dbmi_error(ctx, LIBDBM_EINVAL, "rfm options: unknown monetary_mode %d",
                          out->monetary_mode);
    if (out->frequency_mode != LIBDBM_RFM_FREQUENCY_DAYS
        && out->frequency_mode != LIBDBM_RFM_FREQUENCY_PURCHASES)
        return dbmi_error(ctx, LIBDBM_EINVAL, "rfm options: unknown frequency_mode %d",
                          out->frequency_mode);
    if (out->lookback_days < 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "rfm options: lookback_days %d is negative",
                          out->lookback_days);
    return LIBDBM_OK;
}

static void bins_free_arrays(libdbm_rfm_bins *bins)
{
    int c;
    for (c = 0; c < RFM_COLUMNS; c++) {
        dbmi_free(bins->ctx, bins->bounds[c]);
        bins->bounds[c] = NULL;
    }
}

LIBDBM_API void libdbm_rfm_bins_free(libdbm_rfm_bins *bins)
{
    if (bins == NULL)
        return;
    bins_free_arrays(bins);
    dbmi_free(bins->ctx, bins);
}

static int bins_alloc(libdbm_rfm_bins **out, libdbm_context *ctx, int32_t nbins)
{
    libdbm_rfm_bins *bins = dbmi_calloc(ctx, 1, sizeof(*bins));
    int c;
    if (bins == NULL)
        return dbmi_error_nomem(ctx, "rfm bins");
    bins->ctx = ctx;
    bins->bins = nbins;
    for (c = 0; c < RFM_COLUMNS; c++) {
        bins->bounds[c] = dbmi_calloc(ctx, (size_t)(nbins - 1), sizeof(double));
        if (bins->bounds[c] == NULL) {
            libdbm_rfm_bins_free(bins);
            return dbmi_error_nomem(ctx, "rfm bins");
        }
    }
    *out = bins;
    return LIBDBM_OK;
}

/* Boundary k (1..bins-1) is the value at ascending position
 * ceil(k * n / bins) - 1 of the goodness keys. */
static size_t boundary_position(int32_t k, int32_t nbins, size_t n)
{
    /* k * n fits: n < 2^63 / 100 is checked by the caller. */
    size_t num = (size_t)k * n;
    return (num + (size_t)nbins - 1) / (size_t)nbins - 1;
}

static int fit_column(libdbm_rfm_bins *bins, double *work, const double *values,
                      size_t n, int column, int32_t threads)
{
    size_t positions[LIBDBM_RFM_MAX_BINS - 1], nan_at;
    double found[LIBDBM_RFM_MAX_BINS - 1];
    int32_t k, count = bins->bins - 1;
    int status;
    for (k = 1; k <= count; k++)
        positions[k - 1] = boundary_position(k, bins->bins, n);
    status = dbmi_order_statistics(bins->ctx, found, &nan_at, work, values, column_sign[column],
                                   n, positions, (int)count, threads);
    if (status != LIBDBM_OK)
        return status;
    if (nan_at < n)
        return dbmi_error(bins->ctx, LIBDBM_EINVAL,
                          "rfm fit: %s value %zu is NaN", column_name[column], nan_at);
    for (k = 0; k < count; k++)
        bins->bounds[column][k] = column_sign[column] * found[k];
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_rfm_bins_fit(libdbm_rfm_bins **out, libdbm_context *ctx,
                                   const double *recency, const double *frequency,
                                   const double *monetary, int64_t n,
                                   const libdbm_rfm_options *options)
{
    return libdbm_rfm_bins_fit_threads(out, ctx, recency, frequency, monetary, n, options, 1);
}

LIBDBM_API int libdbm_rfm_bins_fit_threads(libdbm_rfm_bins **out, libdbm_context *ctx,
                                           const double *recency, const double *frequency,
                                           const double *monetary, int64_t n,
                                           const libdbm_rfm_options *options,
                                           int32_t threads)
{
    const double *columns[RFM_COLUMNS];
    libdbm_rfm_options opts;
    libdbm_rfm_bins *bins;
    double *work;
    size_t bytes;
    int status, c;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL)
        return LIBDBM_EINVAL;
    if (recency == NULL || frequency == NULL || monetary == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "rfm fit: a value array is NULL");
    if (n < 1 || (uint64_t)n > (uint64_t)INT64_MAX / LIBDBM_RFM_MAX_BINS
        || (uint64_t)n > SIZE_MAX / LIBDBM_RFM_MAX_BINS)
        return dbmi_error(ctx, LIBDBM_EINVAL, "rfm fit: %lld customers is out of range",
                          (long long)n);
    if (threads < 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "rfm fit: threads %d is negative", (int)threads);
    status = read_options(ctx, options, &opts);
    if (status != LIBDBM_OK)
        return status;
    if (dbmi_size_mul((size_t)n, sizeof(double), &bytes))
        return dbmi_error_nomem(ctx, "rfm fit work array");
    status = bins_alloc(&bins, ctx, opts.bins);
    if (status != LIBDBM_OK)
        return status;
    bins->monetary_mode = opts.monetary_mode;
    bins->frequency_mode = opts.frequency_mode;
    bins->lookback_days = opts.lookback_days;
    work = dbmi_malloc(ctx, bytes);
    if (work == NULL) {
        libdbm_rfm_bins_free(bins);
        return dbmi_error_nomem(ctx, "rfm fit work array");
    }
    columns[0] = recency;
    columns[1] = frequency;
    columns[2] = monetary;
    for (c = 0; c < RFM_COLUMNS && status == LIBDBM_OK; c++)
        status = fit_column(bins, work, columns[c], (size_t)n, c, threads);
    dbmi_free(ctx, work);
    if (status != LIBDBM_OK) {
        libdbm_rfm_bins_free(bins);
        return status;
    }
    *out = bins;
    return LIBDBM_OK;
}

/* ---- scoring --------------------------------------------------------- */

/* One thread's part: the three columns of customers [begin, end). */
typedef struct score_job {
    _Alignas(64) const libdbm_rfm_bins *bins;   /* own cache lines: no false sharing */
    int32_t *outs[RFM_COLUMNS];
    const double *ins[RFM_COLUMNS];
    int64_t begin, end;
    int64_t nan_at[RFM_COLUMNS];    /* first NaN of the part, or -1 */
} score_job;

/* Chunks of this many customers keep a column's scores in L1 while every
 * boundary is compared. */
#define SCORE_BLOCK 2048

static void score_part(void *arg)
{
    score_job *job = arg;
    int c;
    for (c = 0; c < RFM_COLUMNS; c++) {
        const double *v = job->ins[c];
        int64_t i;
        job->nan_at[c] = -1;
        if (v == NULL)
            continue;
        for (i = job->begin; i < job->end; i += SCORE_BLOCK) {
            size_t len = (size_t)(job->end - i < SCORE_BLOCK ? job->end - i : SCORE_BLOCK), k;
            dbmi_rfm_score_values(job->outs[c] + i, v + i, len, job->bins->bounds[c],
                                  job->bins->bins - 1, column_sign[c] < 0);
            /* while the block is in L1: the first NaN */
            for (k = 0; k < len && job->nan_at[c] < 0; k++)
                if (isnan(v[i + (int64_t)k]))
                    job->nan_at[c] = i + (int64_t)k;
        }
    }
}

LIBDBM_API int libdbm_rfm_bins_score_threads(const libdbm_rfm_bins *bins,
                                             int32_t *r_out, int32_t *f_out, int32_t *m_out,
                                             const double *recency, const double *frequency,
                                             const double *monetary, int64_t n,
                                             int32_t threads)
{
    score_job jobs[DBMI_MAX_THREADS];
    int32_t *outs[RFM_COLUMNS];
    const double *ins[RFM_COLUMNS];
    int c, t;
    if (bins == NULL)
        return LIBDBM_EINVAL;
    if (n < 0 || (uint64_t)n > SIZE_MAX / sizeof(double) || threads < 0)
        return dbmi_error(bins->ctx, LIBDBM_EINVAL,
                          "rfm score: %lld customers or %d threads is out of range",
                          (long long)n, (int)threads);
    outs[0] = r_out;
    outs[1] = f_out;
    outs[2] = m_out;
    ins[0] = recency;
    ins[1] = frequency;
    ins[2] = monetary;
    for (c = 0; c < RFM_COLUMNS; c++)
        if ((outs[c] == NULL) != (ins[c] == NULL))
            return dbmi_error(bins->ctx, LIBDBM_EINVAL,
                              "rfm score: %s scores and values must both be given or both NULL",
                              column_name[c]);
    threads = dbmi_thread_count(threads, n, 1 << 14);     /* 16,384 customers a thread */
    for (t = 0; t < threads; t++) {
        score_job *job = &jobs[t];
        job->bins = bins;
        memcpy(job->outs, outs, sizeof(outs));
        memcpy(job->ins, ins, sizeof(ins));
        dbmi_chunk(n, t, threads, &job->begin, &job->end);
    }
    dbmi_parallel_run(score_part, jobs, sizeof(jobs[0]), threads);
    for (c = 0; c < RFM_COLUMNS; c++)
        for (t = 0; t < threads; t++)
            if (jobs[t].nan_at[c] >= 0)
                return dbmi_error(bins->ctx, LIBDBM_EINVAL, "rfm score: %s value %lld is NaN",
                                  column_name[c], (long long)jobs[t].nan_at[c]);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_rfm_bins_score(const libdbm_rfm_bins *bins,
                                     int32_t *r_out, int32_t *f_out, int32_t *m_out,
                                     const double *recency, const double *frequency,
                                     const double *monetary, int64_t n)
{
    return libdbm_rfm_bins_score_threads(bins, r_out, f_out, m_out, recency, frequency,
                                         monetary, n, 1);
}

LIBDBM_API int libdbm_rfm_bins_info(const libdbm_rfm_bins *bins, int32_t *bins_out,
                                    int32_t *monetary_mode, int32_t *frequency_mode,
                                    int32_t *lookback_days)
{
    if (bins == NULL)
        return LIBDBM_EINVAL;
    if (bins_out != NULL)
        *bins_out = bins->bins;
    if (monetary_mode != NULL)
        *monetary_mode = bins->monetary_mode;
    if (frequency_mode != NULL)
        *frequency_mode = bins->frequency_mode;
    if (lookback_days != NULL)
        *lookback_days = bins->lookback_days;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_rfm_bins_boundary(const libdbm_rfm_bins *bins, double *out,
                                        int32_t column, int32_t k)
{
    if (bins == NULL || out == NULL)
        return LIBDBM_EINVAL;
    if (column < 0 || column >= RFM_COLUMNS || k < 1 || k >= bins->bins)
        return dbmi_error(bins->ctx, LIBDBM_EINVAL,
                          "rfm boundary: column %d / boundary %d out of range", column, k);
    *out = bins->bounds[column][k - 1];
    return LIBDBM_OK;
}

/* ---- blob -------------------------------------------------------------
 * u32 magic, u32 version, u32 bins, u32 monetary_mode, u32 frequency_mode,
 * u32 lookback_days, 3 * (bins-1) f64 boundaries (recency, frequency,
 * monetary), u32 CRC-32C of everything before it. Little-endian. */

LIBDBM_API int libdbm_rfm_bins_save(const libdbm_rfm_bins *bins, void **blob_out,
                                    size_t *size_out)
{
    dbmi_buf buf;
    int c, k;
    if (blob_out != NULL)
        *blob_out = NULL;
    if (bins == NULL || blob_out == NULL || size_out == NULL)
        return bins ? dbmi_error(bins->ctx, LIBDBM_EINVAL, "rfm save: NULL argument")
                    : LIBDBM_EINVAL;
    dbmi_blob_begin(&buf, bins->ctx, RFM_BLOB_MAGIC, RFM_BLOB_VERSION);
    dbmi_buf_put_u32(&buf, (uint32_t)bins->bins);
    dbmi_buf_put_u32(&buf, (uint32_t)bins->monetary_mode);
    dbmi_buf_put_u32(&buf, (uint32_t)bins->frequency_mode);
    dbmi_buf_put_u32(&buf, (uint32_t)bins->lookback_days);
    for (c = 0; c < RFM_COLUMNS; c++)
        for (k = 0; k < bins->bins - 1; k++)
            dbmi_buf_put_f64(&buf, bins->bounds[c][k]);
    return dbmi_blob_seal(&buf, blob_out, size_out, "rfm blob");
}

LIBDBM_API int libdbm_rfm_bins_load(libdbm_rfm_bins **out, libdbm_context *ctx,
                                    const void *blob, size_t size)
{
    dbmi_reader r;
    libdbm_rfm_bins *bins;
    uint32_t nbins, modes[3];
    size_t expect;
    int c, k, status;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL)
        return LIBDBM_EINVAL;
    if (blob == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "rfm load: NULL blob");
    status = dbmi_blob_open(ctx, blob, size, RFM_BLOB_MAGIC, RFM_BLOB_VERSION, "rfm load", &r);
    if (status != LIBDBM_OK)
        return status;
    nbins = dbmi_get_u32(&r);
    if (nbins < 2 || nbins > LIBDBM_RFM_MAX_BINS)
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "rfm load: %u bins is out of range", nbins);
    expect = 6 * 4 + (size_t)RFM_COLUMNS * (nbins - 1) * 8 + 4;
    if (size != expect)
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "rfm load: blob has %zu bytes, expected %zu",
                          size, expect);
    for (k = 0; k < 3; k++)
        modes[k] = dbmi_get_u32(&r);
    if (modes[0] > LIBDBM_RFM_MONETARY_AVERAGE || modes[1] > LIBDBM_RFM_FREQUENCY_PURCHASES
        || modes[2] > INT32_MAX)
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "rfm load: bad mode or lookback");
    status = bins_alloc(&bins, ctx, (int32_t)nbins);
    if (status != LIBDBM_OK)
        return status;
    bins->monetary_mode = (int32_t)modes[0];
    bins->frequency_mode = (int32_t)modes[1];
    bins->lookback_days = (int32_t)modes[2];
    for (c = 0; c < RFM_COLUMNS; c++) {
        for (k = 0; k < (int)nbins - 1; k++) {
            double v = dbmi_get_f64(&r);
            double prev = k > 0 ? bins->bounds[c][k - 1] : 0.0;
            /* Boundaries are ordered worst to best: keys never decrease. */
            if (isnan(v) || (k > 0 && column_sign[c] * v < column_sign[c] * prev)) {
                libdbm_rfm_bins_free(bins);
                return dbmi_error(ctx, LIBDBM_ECORRUPT,
                                  "rfm load: %s boundary %d is not ordered", column_name[c],
                                  k + 1);
            }
            bins->bounds[c][k] = v;
        }
    }
    if (r.failed) {
        libdbm_rfm_bins_free(bins);
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "rfm load: truncated blob");
    }
    *out = bins;
    return LIBDBM_OK;
}

/* ---- values from purchase days ---------------------------------------- */

int dbmi_rfm_values(double out[3], const dbmi_purchase_day *days, size_t n,
                    int32_t as_of_day, const libdbm_rfm_options *options,
                    int64_t scale)
{
    int64_t frequency = 0, total = 0;
    size_t i, last = n;
    int64_t window_start;
    if (options == NULL || scale <= 0 || options->lookback_days < 0)
        return -1;
    window_start = options->lookback_days > 0
                       ? (int64_t)as_of_day - options->lookback_days + 1
                       : INT64_MIN;
    for (i = 0; i < n && days[i].day <= as_of_day; i++) {
        last = i;
        if (days[i].day < window_start)
            continue;
        frequency += options->frequency_mode == LIBDBM_RFM_FREQUENCY_PURCHASES
                         ? (int64_t)days[i].count
                         : 1;
        if (__builtin_add_overflow(total, days[i].amount_minor, &total))
            total = days[i].amount_minor > 0 ? INT64_MAX : INT64_MIN;
    }
    if (last == n)
        return 0;
    out[0] = (double)((int64_t)as_of_day - days[last].day);
    out[1] = (double)frequency;
    if (options->monetary_mode == LIBDBM_RFM_MONETARY_AVERAGE)
        out[2] = frequency > 0 ? (double)total / ((double)frequency * (double)scale) : 0.0;
    else
        out[2] = (double)total / (double)scale;
    return 1;
}
