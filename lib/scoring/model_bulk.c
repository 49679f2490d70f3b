/* Bulk scoring, the nightly hot path: P(alive), expected purchases,
 * expected spend and CLV for arrays of customers, split over threads in
 * contiguous chunks and, inside a chunk, in blocks that stay in the L1
 * cache. Every element is computed by the same code whatever the chunking,
 * so results are bitwise identical for any thread count.
 *
 * BG/NBD P(alive) has a branch-free loop with its own exp/log (portable C
 * the compiler vectorises; this file is built with -O3 -fno-trapping-math
 * -ffp-contract=fast) and per-model constants hoisted; the rare elements it
 * cannot handle to full accuracy (|exponent| > 700, r + x > 64, overflow,
 * invalid input) are redone by the scalar code. Expected purchases and CLV multiply
 * P(alive) by per-(x, T) terms from a table (alive_table.h). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "alive_table.h"
#include "model_internal.h"
#include "parallel.h"
#include "vector_clones.h"

static inline uint64_t as_bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return u;
}

static inline double as_double(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof(v));
    return v;
}

/* ln(v) for finite v > 0 (normal): v = 2^k m with m in [sqrt(1/2), sqrt(2)),
 * ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.1716, odd series to s^19
 * (the next term is below 2.5e-17 relative). */
static inline double vec_log(double v)
{
    uint64_t bits = as_bits(v);
    uint64_t tmp = bits - 0x3FE6A09E667F3BCDULL + 0x3FF0000000000000ULL;
    uint64_t kb = tmp >> 52;                            /* k + 1023 */
    double m = as_double(bits - ((kb - 1023u) << 52));
    double k = as_double(0x4330000000000000ULL | kb) - 4503599627370496.0 - 1023.0;
    double f = m - 1.0;
    double s = f / (2.0 + f), s2 = s * s;
    double poly = 1.0 / 19;
    poly = poly * s2 + 1.0 / 17;
    poly = poly * s2 + 1.0 / 15;
    poly = poly * s2 + 1.0 / 13;
    poly = poly * s2 + 1.0 / 11;
    poly = poly * s2 + 1.0 / 9;
    poly = poly * s2 + 1.0 / 7;
    poly = poly * s2 + 1.0 / 5;
    poly = poly * s2 + 1.0 / 3;
    double r = 2.0 * s + 2.0 * s * s2 * poly;
    return k * 0x1.62e42fee00000p-1 + (r + k * 0x1.a39ef35793c76p-33);
}

/* exp(y) for y in [-708, 708]: y = n ln2 + r, |r| <= ln2/2, and a degree-11
 * polynomial fitted to e^r on that range (weighted least squares iterated
 * to equal-ripple in mpmath; relative error 3e-18 before rounding). */
static inline double vec_exp(double y)
{
    const double shifter = 0x1.8p52;
    double t = y * 0x1.71547652b82fep0 + shifter;
    double n = t - shifter;
    double r = (y - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
    double p = 0x1.ad6610e8f88e1p-26;
    p = p * r + 0x1.28b311bd2b617p-22;
    p = p * r + 0x1.71df452853d48p-19;
    p = p * r + 0x1.a01992d10b570p-16;
    p = p * r + 0x1.a01a01105382fp-13;
    p = p * r + 0x1.6c16c187810c6p-10;
    p = p * r + 0x1.1111111130de2p-7;
    p = p * r + 0x1.555555554f370p-5;
    p = p * r + 0x1.55555555554a2p-3;
    p = p * r + 0x1.0000000000010p-1;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t biased = (as_bits(n + (shifter + 1023.0)) & 0x7FFu) << 52;
    return p * as_double(biased);
}

/* Returns nonzero when some element needs the scalar code. The loop has
 * no branches (selects only, flags OR-ed as bit patterns) so that it
 * vectorises; this file is compiled with -fno-trapping-math for that. */
DBMI_VECTOR_CLONES
static uint64_t bgnbd_p_alive_block(const double *params, double *restrict p,
                                    const double *restrict x, const double *restrict t_x,
                                    const double *restrict T, int64_t n)
{
    const double r = params[0], alpha = params[1], a = params[2], b = params[3];
    const double bm1 = b - 1.0;
    uint64_t redo = 0;
    for (int64_t i = 0; i < n; i++) {
        double xi = x[i], txi = t_x[i], Ti = T[i];
        /* P(alive) = (b+x-1) / (b+x-1 + a ((alpha+T)/(alpha+t_x))^(r+x)):
         * one log, one exp, three divisions (one inside the log). */
        double bx1 = xi > 0 ? bm1 + xi : 1.0;
        double ratio = (alpha + Ti) / (alpha + txi);
        ratio = ratio >= 1.0 ? ratio : 1.0;
        double y = (r + xi) * vec_log(ratio);
        double e = vec_exp(y <= 700.0 ? y : 700.0);
        double den = bx1 + a * e;
        double pi = bx1 / den;
        double out = xi > 0 ? pi : 1.0;
        double bad = xi >= 0 ? 0.0 : 1.0;
        bad = txi >= 0 ? bad : 1.0;
        bad = Ti >= txi ? bad : 1.0;
        bad = Ti <= 1e300 ? bad : 1.0;
        /* (r+x) amplifies the rounding of the ratio (about 3e-16): beyond
         * r + x = 64 the scalar code's log1p keeps 1e-12 (a large r as
         * much as a large x) */
        bad = r + xi <= 64.0 ? bad : 1.0;
        bad = bx1 > 0 ? bad : 1.0;          /* fractional x with b+x-1 <= 0 */
        bad = y <= 700.0 ? bad : (xi > 0 ? 1.0 : bad);
        /* a e, or b+x-1 + a e, beyond the largest double would make it 0
         * (a huge b or a); the scalar code works in logs */
        bad = den < INFINITY ? bad : (xi > 0 ? 1.0 : bad);
        out = bad > 0 ? NAN : out;
        p[i] = out;
    }
    /* NaN marks an element for the scalar code (a separate loop: GCC does
     * not vectorise the OR reduction inside the one above). */
    for (int64_t i = 0; i < n; i++)
        redo |= (as_bits(p[i]) + 0x0010000000000000ULL) & 0x8000000000000000ULL;
    return redo;
}

/* Nonzero when some of the n values is NaN or infinite (vectorises). */
static uint64_t any_not_finite(const double *v, int64_t n)
{
    uint64_t any = 0;
    for (int64_t i = 0; i < n; i++)
        any |= (as_bits(v[i]) & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL;
    return any;
}

/* One bulk call: what to compute, shared read-only by the workers. */
typedef struct bulk_request {
    const libdbm_model *freq, *spend;
    int exact_p_alive;          /* P(alive) by the scalar code (bitwise scalar E[Y]) */
    double *p_alive, *expected, *spend_out, *clv;   /* NULL: not wanted */
    const double *x, *t_x, *T, *m_x;
    double margin;
    dbmi_alive_spec spec;       /* the per-(x, T) terms */
    int use_table;
} bulk_request;

typedef struct bulk_job {
    _Alignas(64) const bulk_request *rq;    /* own cache lines: no false sharing */
    int64_t begin, end;
    dbmi_alive_table table;
    int invalid;                /* an element was invalid (its output is NaN) */
    int unresolved;             /* a valid element's value is not finite */
} bulk_job;

/* Customers per block: the block's temporaries (P(alive), spend) stay in
 * L1 between the passes. */
#define BLOCK 512

static int customer_valid(double x, double t_x, double T)
{
    return x >= 0 && t_x >= 0 && T >= t_x && isfinite(x) && isfinite(T);
}

static void p_alive_block(bulk_job *job, double *out, int64_t begin, int64_t n)
{
    const bulk_request *rq = job->rq;
    const libdbm_model *m = rq->freq;
    const double *x = rq->x + begin, *t_x = rq->t_x + begin, *T = rq->T + begin;
    int fast = !rq->exact_p_alive && m->kind == LIBDBM_MODEL_BGNBD;
    if (fast && !bgnbd_p_alive_block(m->params, out, x, t_x, T, n))
        return;
    for (int64_t i = 0; i < n; i++) {
        if (!customer_valid(x[i], t_x[i], T[i])) {
            out[i] = NAN;
            job->invalid = 1;
        } else if (!fast || isnan(out[i])) {
            /* the scalar path, or an element the fast loop left to it */
            out[i] = m->ops->p_alive(m->params, x[i], t_x[i], T[i]);
            if (!isfinite(out[i])) {
                out[i] = NAN;
                job->unresolved = 1;
            }
        }
    }
}

/* The inputs dbmi_gamma_gamma_expected_spend_array() accepts (it gives NaN
 * for the others). */
static int spend_valid(double x, double m_x)
{
    return x >= 0 && isfinite(x) && (x == 0 || (m_x >= 0 && isfinite(m_x)));
}

static void spend_block(bulk_job *job, double *out, int64_t begin, int64_t n)
{
    const bulk_request *rq = job->rq;
    dbmi_gamma_gamma_expected_spend_array(rq->spend->params, out, rq->x + begin,
                                          rq->m_x + begin, n);
    if (!any_not_finite(out, n))
        return;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(out[i]) && !spend_valid(rq->x[begin + i], rq->m_x[begin + i])) {
            job->invalid = 1;
        } else if (!isfinite(out[i])) {
            /* also NaN from valid inputs: p x + q - 1 and the numerator
             * both overflowing give infinity / infinity */
            out[i] = NAN;
            job->unresolved = 1;
        }
    }
}

/* NaN for a value that is not finite although its inputs were valid. */
static double resolved(bulk_job *job, double v)
{
    if (isfinite(v))
        return v;
    job->unresolved = 1;
    return NAN;
}

/* E[Y] = H(horizon) P(alive) and CLV = P(alive) E[M] margin F, H and F
 * from the table. */
static void table_block(bulk_job *job, const double *pa, const double *spend, int64_t begin,
                        int64_t n)
{
    const bulk_request *rq = job->rq;
    const double *x = rq->x + begin, *T = rq->T + begin;
    double *expected = rq->expected ? rq->expected + begin : NULL;
    double *clv = rq->clv ? rq->clv + begin : NULL;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(pa[i])) {             /* invalid or unresolved: already counted */
            if (expected)
                expected[i] = NAN;
            if (clv)
                clv[i] = NAN;
            continue;
        }
        const dbmi_alive_entry *e = dbmi_alive_table_get(&job->table, x[i], T[i]);
        if (expected)
            expected[i] = resolved(job, e->expected * pa[i]);
        if (clv)
            clv[i] = isnan(spend[i]) ? NAN
                                     : resolved(job, pa[i] * spend[i] * rq->margin
                                                     * e->clv_factor);
    }
}

static void run_job(bulk_job *job)
{
    const bulk_request *rq = job->rq;
    double pa_buf[BLOCK], spend_buf[BLOCK];
    for (int64_t b = job->begin; b < job->end; b += BLOCK) {
        int64_t n = job->end - b < BLOCK ? job->end - b : BLOCK;
        double *pa = rq->p_alive ? rq->p_alive + b : pa_buf;
        double *spend = rq->spend_out ? rq->spend_out + b : spend_buf;
        if (rq->freq != NULL)
            p_alive_block(job, pa, b, n);
        if (rq->spend != NULL)
            spend_block(job, spend, b, n);
        if (rq->use_table)
            table_block(job, pa, spend, b, n);
    }
}

static void run_job_thread(void *job)
{
    run_job(job);
}

/* Splits [0, n) into one contiguous chunk per thread and reports invalid
 * or unresolved elements. */
static int run_bulk(libdbm_context *ctx, const bulk_request *rq, int64_t n, int32_t threads)
{
    bulk_job jobs[DBMI_MAX_THREADS];
    int status = LIBDBM_OK;
    /* Small arrays are not worth a thread. */
    threads = dbmi_thread_count(threads, n, 4096);
    for (int32_t k = 0; k < threads; k++) {
        bulk_job *j = &jobs[k];
        j->rq = rq;
        dbmi_chunk(n, k, threads, &j->begin, &j->end);
        j->invalid = 0;
        j->unresolved = 0;
        j->table.entries = NULL;
        if (rq->use_table && status == LIBDBM_OK)
            status = dbmi_alive_table_init(&j->table, ctx, &rq->spec,
                                           (size_t)(j->end - j->begin));
    }
    if (status == LIBDBM_OK)
        dbmi_parallel_run(run_job_thread, jobs, sizeof(jobs[0]), threads);
    int invalid = 0, unresolved = 0;
    for (int32_t k = 0; k < threads; k++) {
        invalid |= jobs[k].invalid;
        unresolved |= jobs[k].unresolved;
        dbmi_alive_table_free(&jobs[k].table, ctx);
    }
    if (status != LIBDBM_OK)
        return status;
    if (invalid)
        return dbmi_error(ctx, LIBDBM_EINVAL, "bulk scoring: invalid customers (x >= 0, "
                          "0 <= t_x <= T, finite, m_x >= 0 when x > 0, are required); "
                          "their results are NaN");
    if (unresolved)
        return dbmi_error(ctx, LIBDBM_ERANGE, "bulk scoring: some values could not be "
                          "computed to full accuracy (their results are NaN)");
    return LIBDBM_OK;
}

static int check_arrays(const libdbm_model *m, double *out, const double *x, const double *t_x,
                        const double *T, int64_t n, int32_t threads)
{
    if (m == NULL)
        return LIBDBM_EINVAL;
    if (out == NULL || x == NULL || t_x == NULL || T == NULL || n < 0 || threads < 0)
        return n == 0 && threads >= 0 ? LIBDBM_OK
               : dbmi_error(m->ctx, LIBDBM_EINVAL, "bulk scoring: NULL array, n < 0 or threads < 0");
    if (m->ops == NULL)
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "bulk scoring needs a frequency/recency model");
    return LIBDBM_OK;
}

static void request_init(bulk_request *rq, const libdbm_model *freq, const double *x,
                         const double *t_x, const double *T)
{
    memset(rq, 0, sizeof(*rq));
    rq->freq = freq;
    rq->x = x;
    rq->t_x = t_x;
    rq->T = T;
}

LIBDBM_API int libdbm_model_p_alive_array(const libdbm_model *model, double *p, const double *x,
                                          const double *t_x, const double *T, int64_t n,
                                          int32_t threads)
{
    int status = check_arrays(model, p, x, t_x, T, n, threads);
    if (status != LIBDBM_OK || n == 0)
        return status;
    bulk_request rq;
    request_init(&rq, model, x, t_x, T);
    rq.p_alive = p;
    return run_bulk(model->ctx, &rq, n, threads);
}

LIBDBM_API int libdbm_model_expected_purchases_array(const libdbm_model *model, double *out,
                                                     double t, const double *x,
                                                     const double *t_x, const double *T,
                                                     int64_t n, int32_t threads)
{
    int status = check_arrays(model, out, x, t_x, T, n, threads);
    if (status != LIBDBM_OK || n == 0)
        return status;
    if (!(t >= 0) || !isfinite(t))
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "t must be finite and >= 0");
    bulk_request rq;
    request_init(&rq, model, x, t_x, T);
    rq.exact_p_alive = 1;       /* each value bitwise the scalar function's */
    rq.expected = out;
    rq.use_table = 1;
    rq.spec.model = model;
    rq.spec.want_expected = 1;
    rq.spec.horizon = t;
    return run_bulk(model->ctx, &rq, n, threads);
}

LIBDBM_API int libdbm_predict_options_init(libdbm_predict_options *options)
{
    static const libdbm_predict_options defaults = LIBDBM_PREDICT_OPTIONS_INIT;
    if (options == NULL)
        return LIBDBM_EINVAL;
    *options = defaults;
    return LIBDBM_OK;
}

static int read_predict_options(libdbm_context *ctx, const libdbm_predict_options *in,
                                libdbm_predict_options *o)
{
    libdbm_predict_options_init(o);
    if (in != NULL) {
        if (in->struct_size < sizeof(uint32_t) || in->struct_size > sizeof(*o))
            return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_predict_options: unknown "
                              "struct_size %u", (unsigned)in->struct_size);
        memcpy(o, in, in->struct_size);
    }
    if (o->threads < 0 || !(o->horizon >= 0) || !isfinite(o->horizon) || o->clv_months < 0 ||
        o->clv_months > LIBDBM_PREDICT_MAX_CLV_MONTHS ||
        o->reserved != 0 || !(o->monthly_discount > -1.0) || !isfinite(o->monthly_discount) ||
        !isfinite(o->margin) || !(o->periods_per_month > 0) || !isfinite(o->periods_per_month))
        return dbmi_error(ctx, LIBDBM_EINVAL, "invalid libdbm_predict_options value");
    return LIBDBM_OK;
}

/* Which models and inputs the wanted columns need, and their kinds. */
static int check_predict(libdbm_context *ctx, const bulk_request *rq, int64_t n)
{
    int want_freq = rq->p_alive || rq->expected || rq->clv;
    int want_spend = rq->spend_out || rq->clv;
    if (n < 0 || (n > 0 && (rq->x == NULL || (want_freq && (rq->t_x == NULL || rq->T == NULL))
                            || (want_spend && rq->m_x == NULL))))
        return dbmi_error(ctx, LIBDBM_EINVAL, "bulk scoring: n < 0 or a needed input is NULL");
    if (want_freq && (rq->freq == NULL || rq->freq->ops == NULL))
        return dbmi_error(ctx, LIBDBM_EINVAL, "bulk scoring: P(alive), expected purchases "
                          "and CLV need a BG/NBD or Pareto/NBD model");
    if (want_spend && (rq->spend == NULL || rq->spend->kind != LIBDBM_MODEL_GAMMA_GAMMA))
        return dbmi_error(ctx, LIBDBM_EINVAL, "bulk scoring: expected spend and CLV need a "
                          "Gamma-Gamma model");
    if (want_spend && !(rq->spend->params[1] > 1))
        return dbmi_error(ctx, LIBDBM_ERANGE,
                          "Gamma-Gamma q <= 1: the mean spend does not exist");
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_model_predict_arrays(const libdbm_model *freq_model,
                                           const libdbm_model *spend_model,
                                           double *p_alive, double *expected_purchases,
                                           double *expected_spend, double *clv,
                                           const double *x, const double *t_x,
                                           const double *T, const double *m_x, int64_t n,
                                           const libdbm_predict_options *options)
{
    const libdbm_model *any = freq_model ? freq_model : spend_model;
    libdbm_predict_options o;
    bulk_request rq;
    int status;
    if (any == NULL)
        return LIBDBM_EINVAL;
    if ((status = read_predict_options(any->ctx, options, &o)) != LIBDBM_OK)
        return status;
    /* Models not needed by the wanted columns are not used at all. */
    request_init(&rq, p_alive || expected_purchases || clv ? freq_model : NULL, x, t_x, T);
    rq.spend = expected_spend || clv ? spend_model : NULL;
    rq.p_alive = p_alive;
    rq.expected = expected_purchases;
    rq.spend_out = expected_spend;
    rq.clv = clv;
    rq.m_x = m_x;
    rq.margin = o.margin;
    if ((status = check_predict(any->ctx, &rq, n)) != LIBDBM_OK || n == 0)
        return status;
    rq.use_table = expected_purchases || clv;
    rq.spec.model = freq_model;
    rq.spec.want_expected = expected_purchases != NULL;
    rq.spec.horizon = o.horizon;
    rq.spec.clv_months = clv ? o.clv_months : 0;
    rq.spec.monthly_discount = o.monthly_discount;
    rq.spec.periods_per_month = o.periods_per_month;
    return run_bulk(any->ctx, &rq, n, o.threads);
}
