/* Bulk scoring, the nightly hot path: P(alive) and expected purchases for
 * arrays of customers, split over threads in contiguous chunks. Every
 * element is computed by the same code whatever the chunking, so results
 * are bitwise identical for any thread count.
 *
 * BG/NBD P(alive) has a branch-free loop with its own exp/log (portable C
 * the compiler vectorises; this file is built with -O3 -fno-trapping-math
 * -ffp-contract=fast) and per-model constants hoisted; the rare elements it cannot handle to full accuracy
 * (|exponent| > 700, invalid input) are redone by the scalar code. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "model_internal.h"

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

/* exp(y) for y in [-708, 708]: y = n ln2 + r, |r| <= ln2/2, Taylor to r^13. */
static inline double vec_exp(double y)
{
    const double shifter = 0x1.8p52;
    double t = y * 0x1.71547652b82fep0 + shifter;
    double n = t - shifter;
    double r = (y - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t biased = (as_bits(n + (shifter + 1023.0)) & 0x7FFu) << 52;
    return p * as_double(biased);
}

/* Returns nonzero when some element needs the scalar code. The loop has
 * no branches (selects only, flags OR-ed as bit patterns) so that it
 * vectorises; this file is compiled with -fno-trapping-math for that. */
/* x86-64 builds carry AVX-512 and AVX2 copies of the loop, chosen at load
 * time (GCC/clang function multi-versioning); every thread runs the same
 * copy, so results stay identical across thread counts. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__) && !defined(DBMI_NO_CLONES)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
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
         * one log, one exp, two divisions. */
        double bx1 = xi > 0 ? bm1 + xi : 1.0;
        double ratio = (alpha + Ti) / (alpha + txi);
        ratio = ratio >= 1.0 ? ratio : 1.0;
        double y = (r + xi) * vec_log(ratio);
        double e = vec_exp(y <= 700.0 ? y : 700.0);
        double pi = bx1 / (bx1 + a * e);
        double out = xi > 0 ? pi : 1.0;
        double bad = xi >= 0 ? 0.0 : 1.0;
        bad = txi >= 0 ? bad : 1.0;
        bad = Ti >= txi ? bad : 1.0;
        bad = Ti <= 1e300 ? bad : 1.0;
        bad = xi <= 1e15 ? bad : 1.0;
        bad = bx1 > 0 ? bad : 1.0;          /* fractional x with b+x-1 <= 0 */
        bad = y <= 700.0 ? bad : (xi > 0 ? 1.0 : bad);
        out = bad > 0 ? NAN : out;
        p[i] = out;
    }
    /* NaN marks an element for the scalar code (a separate loop: GCC does
     * not vectorise the OR reduction inside the one above). */
    for (int64_t i = 0; i < n; i++)
        redo |= (as_bits(p[i]) + 0x0010000000000000ULL) & 0x8000000000000000ULL;
    return redo;
}

typedef struct bulk_job {
    const libdbm_model *model;
    int what;                   /* 0 p_alive, 1 expected purchases */
    double t;
    double *out;
    const double *x, *t_x, *T;
    int64_t begin, end;
    int invalid;                /* an element was invalid (its output is NaN) */
    int unresolved;             /* a valid element's value is not finite */
} bulk_job;

static int customer_valid(double x, double t_x, double T)
{
    return x >= 0 && t_x >= 0 && T >= t_x && isfinite(x) && isfinite(T);
}

static void run_job(bulk_job *job)
{
    const libdbm_model *m = job->model;
    const double *x = job->x + job->begin, *t_x = job->t_x + job->begin;
    const double *T = job->T + job->begin;
    double *out = job->out + job->begin;
    int64_t n = job->end - job->begin;
    int invalid = 0;
    if (job->what == 0 && m->kind == LIBDBM_MODEL_BGNBD) {
        if (bgnbd_p_alive_block(m->params, out, x, t_x, T, n)) {
            for (int64_t i = 0; i < n; i++) {
                if (!customer_valid(x[i], t_x[i], T[i])) {
                    out[i] = NAN;
                    invalid = 1;
                } else if (isnan(out[i])) {
                    /* beyond the fast exponent range: the scalar code */
                    out[i] = dbmi_bgnbd_p_alive(m->params, x[i], t_x[i], T[i]);
                    if (!isfinite(out[i]))
                        job->unresolved = 1;
                }
            }
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            if (!customer_valid(x[i], t_x[i], T[i])) {
                out[i] = NAN;
                invalid = 1;
                continue;
            }
            out[i] = job->what == 0 ? m->ops->p_alive(m->params, x[i], t_x[i], T[i])
                                    : m->ops->expected_purchases(m->params, job->t, x[i],
                                                                 t_x[i], T[i]);
            if (!isfinite(out[i]))
                job->unresolved = 1;
        }
    }
    job->invalid = invalid;
}

static void *job_thread(void *arg)
{
    run_job(arg);
    return NULL;
}

#define MAX_THREADS 64

static int run_bulk(const libdbm_model *m, int what, double t, double *out, const double *x,
                    const double *t_x, const double *T, int64_t n, int32_t threads)
{
    if (m == NULL)
        return LIBDBM_EINVAL;
    if (out == NULL || x == NULL || t_x == NULL || T == NULL || n < 0 || threads < 0)
        return n == 0 && threads >= 0 ? LIBDBM_OK
               : dbmi_error(m->ctx, LIBDBM_EINVAL, "bulk scoring: NULL array, n < 0 or threads < 0");
    if (m->ops == NULL)
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "bulk scoring needs a frequency/recency model");
    if (what == 1 && (!(t >= 0) || !isfinite(t)))
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "t must be finite and >= 0");
    if (threads == 0)
        threads = 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    /* Small arrays are not worth a thread. */
    if ((int64_t)threads * 4096 > n)
        threads = (int32_t)(n / 4096 > 0 ? n / 4096 : 1);
    bulk_job jobs[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    int started[MAX_THREADS];
    for (int32_t k = 0; k < threads; k++) {
        bulk_job *j = &jobs[k];
        j->model = m;
        j->what = what;
        j->t = t;
        j->out = out;
        j->x = x;
        j->t_x = t_x;
        j->T = T;
        j->begin = n * k / threads;
        j->end = n * (k + 1) / threads;
        j->invalid = 0;
        j->unresolved = 0;
        started[k] = 0;
    }
    for (int32_t k = 1; k < threads; k++)
        started[k] = pthread_create(&tids[k], NULL, job_thread, &jobs[k]) == 0;
    run_job(&jobs[0]);
    int invalid = jobs[0].invalid, unresolved = jobs[0].unresolved;
    for (int32_t k = 1; k < threads; k++) {
        if (started[k])
            pthread_join(tids[k], NULL);
        else
            run_job(&jobs[k]);      /* no thread available: same result, serially */
        invalid |= jobs[k].invalid;
        unresolved |= jobs[k].unresolved;
    }
    if (invalid)
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "bulk scoring: invalid customers "
                          "(x >= 0, 0 <= t_x <= T, finite, are required); their results are NaN");
    if (unresolved)
        return dbmi_error(m->ctx, LIBDBM_ERANGE, "bulk scoring: some values could not be "
                          "computed to full accuracy (their results are NaN)");
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_model_p_alive_array(const libdbm_model *model, double *p, const double *x,
                                          const double *t_x, const double *T, int64_t n,
                                          int32_t threads)
{
    return run_bulk(model, 0, 0.0, p, x, t_x, T, n, threads);
}

LIBDBM_API int libdbm_model_expected_purchases_array(const libdbm_model *model, double *out,
                                                     double t, const double *x,
                                                     const double *t_x, const double *T,
                                                     int64_t n, int32_t threads)
{
    return run_bulk(model, 1, t, out, x, t_x, T, n, threads);
}
