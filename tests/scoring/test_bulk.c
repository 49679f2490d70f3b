/* libdbm_model_predict_arrays (the bulk score row) against the scalar
 * reference functions -- libdbm_model_p_alive, _expected_purchases,
 * _expected_spend and _clv -- within 1e-12 relative (expected spend
 * bitwise), on random and edge customers (x = 0, t_x = T, T near 0, large
 * and fractional x), for BG/NBD and Pareto/NBD; bitwise identity across
 * thread counts; columns requested alone; invalid customers, bad options
 * and model kinds; a per-thread table that overflows; allocation failures. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "failalloc.h"

static const double bgnbd_params[4] = { 0.242593, 4.413532, 0.792886, 2.425753 };
static const double pnbd_params[4] = { 0.553, 10.578, 0.606, 11.669 };
static const double gg_params[3] = { 6.2488, 3.74459, 15.44775 };

static uint64_t rng_state = 0x243f6a8885a308d3u;

static double uniform(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

static libdbm_model *new_model(libdbm_context *ctx, int kind, const double *params,
                               int32_t count)
{
    libdbm_model *m;
    CHECK_OK(libdbm_model_new(&m, ctx, kind));
    CHECK_OK(libdbm_model_set_params(m, params, count));
    return m;
}

typedef struct customers {
    long n;
    double *x, *t_x, *T, *m_x;
} customers;

typedef struct columns {
    double *p_alive, *expected, *spend, *clv;
} columns;

static double *doubles(long n)
{
    double *v = malloc((size_t)n * sizeof(double));
    CHECK(v != NULL);
    return v;
}

static void columns_new(columns *c, long n)
{
    c->p_alive = doubles(n);
    c->expected = doubles(n);
    c->spend = doubles(n);
    c->clv = doubles(n);
}

static void columns_free(columns *c)
{
    free(c->p_alive);
    free(c->expected);
    free(c->spend);
    free(c->clv);
}

/* Mostly CDNOW-like customers at day resolution in weeks (so (x, T)
 * repeats), with continuous ages and the edges mixed in. */
static void make_customers(customers *c, long n)
{
    c->n = n;
    c->x = doubles(n);
    c->t_x = doubles(n);
    c->T = doubles(n);
    c->m_x = doubles(n);
    for (long i = 0; i < n; i++) {
        double T = floor(27 * 7 + 12 * 7 * uniform()) / 7, x = floor(-3 * log(uniform()));
        double t_x = x > 0 ? floor(T * 7 * uniform()) / 7 : 0.0;
        double m_x = x > 0 ? 5 + 100 * uniform() : 0.0;
        switch (i % 13) {
        case 0: T = 78 * uniform(); t_x = x > 0 ? T * uniform() : 0.0; break;
        case 1: t_x = T; break;                             /* bought at the end */
        case 2: T = 1e-3 * (1 + uniform()); t_x = x > 0 ? T : 0.0; break;   /* brand new */
        case 3: x = floor(200 + 2000 * uniform()); t_x = T * (0.9 + 0.1 * uniform()); break;
        case 4: x += 0.5; break;                            /* fractional counts */
        case 5: if (x == 0) m_x = NAN; break;               /* ignored when x = 0 */
        default: break;
        }
        c->x[i] = x;
        c->t_x[i] = t_x;
        c->T[i] = T;
        c->m_x[i] = m_x;
    }
}

static void customers_free(customers *c)
{
    free(c->x);
    free(c->t_x);
    free(c->T);
    free(c->m_x);
}

static double rel_diff(double got, double want)
{
    if (got == want)
        return 0.0;
    return fabs(got - want) / fmax(fabs(want), 1e-300);
}

/* Every column against the scalar functions: 1e-12 relative, expected
 * spend bitwise; prints the worst differences. */
static void check_against_scalar(const libdbm_model *freq, const libdbm_model *spend,
                                 const customers *c, const columns *got,
                                 const libdbm_predict_options *o, const char *what)
{
    double worst[4] = { 0, 0, 0, 0 };
    for (long i = 0; i < c->n; i++) {
        double want[4];
        CHECK_OK(libdbm_model_p_alive(freq, &want[0], c->x[i], c->t_x[i], c->T[i]));
        CHECK_OK(libdbm_model_expected_purchases(freq, &want[1], o->horizon, c->x[i],
                                                 c->t_x[i], c->T[i]));
        CHECK_OK(libdbm_model_expected_spend(spend, &want[2], c->x[i], c->m_x[i]));
        CHECK_OK(libdbm_model_clv(freq, spend, &want[3], c->x[i], c->t_x[i], c->T[i],
                                  c->m_x[i], o->clv_months, o->monthly_discount, o->margin,
                                  o->periods_per_month));
        worst[0] = fmax(worst[0], rel_diff(got->p_alive[i], want[0]));
        worst[1] = fmax(worst[1], rel_diff(got->expected[i], want[1]));
        CHECK(memcmp(&got->spend[i], &want[2], sizeof(double)) == 0);
        worst[3] = fmax(worst[3], rel_diff(got->clv[i], want[3]));
    }
    printf("%s: worst relative difference from the scalar functions: P(alive) %.3g, "
           "E[Y] %.3g, CLV %.3g\n", what, worst[0], worst[1], worst[3]);
    CHECK(worst[0] <= 1e-12 && worst[1] <= 1e-12 && worst[3] <= 1e-12);
}

static int predict(const libdbm_model *freq, const libdbm_model *spend, const columns *out,
                   const customers *c, const libdbm_predict_options *o)
{
    return libdbm_model_predict_arrays(freq, spend, out->p_alive, out->expected, out->spend,
                                       out->clv, c->x, c->t_x, c->T, c->m_x, c->n, o);
}

static int same_bits(const double *a, const double *b, long n)
{
    return memcmp(a, b, (size_t)n * sizeof(double)) == 0;
}

static void check_same_columns(const columns *a, const columns *b, long n)
{
    CHECK(same_bits(a->p_alive, b->p_alive, n));
    CHECK(same_bits(a->expected, b->expected, n));
    CHECK(same_bits(a->spend, b->spend, n));
    CHECK(same_bits(a->clv, b->clv, n));
}

/* One model kind: scalar agreement for a few option sets, thread counts,
 * columns alone. */
static void test_model_kind(libdbm_context *ctx, int kind, const double *params,
                            const char *name)
{
    libdbm_model *freq = new_model(ctx, kind, params, 4);
    libdbm_model *spend = new_model(ctx, LIBDBM_MODEL_GAMMA_GAMMA, gg_params, 3);
    customers c;
    columns one, many, alone;
    libdbm_predict_options o = LIBDBM_PREDICT_OPTIONS_INIT;
    char what[96];
    make_customers(&c, 20011);
    columns_new(&one, c.n);
    columns_new(&many, c.n);
    columns_new(&alone, c.n);

    /* Defaults; then days with no discount (the sum telescopes); a
     * horizon of 0 and no CLV months. */
    CHECK_OK(predict(freq, spend, &one, &c, NULL));
    snprintf(what, sizeof(what), "%s, default options", name);
    check_against_scalar(freq, spend, &c, &one, &o, what);
    o.horizon = 365;
    o.clv_months = 24;
    o.monthly_discount = 0.0;
    o.margin = 0.25;
    o.periods_per_month = 365.25 / 12;
    CHECK_OK(predict(freq, spend, &one, &c, &o));
    snprintf(what, sizeof(what), "%s, 365 periods, 24 months, no discount", name);
    check_against_scalar(freq, spend, &c, &one, &o, what);
    o.horizon = 0;
    o.clv_months = 0;
    CHECK_OK(predict(freq, spend, &one, &c, &o));
    for (long i = 0; i < c.n; i++)
        CHECK(one.expected[i] == 0 && one.clv[i] == 0);

    /* Any thread count: the same bits. */
    libdbm_predict_options_init(&o);
    o.margin = 0.3;
    CHECK_OK(predict(freq, spend, &one, &c, &o));
    for (int32_t threads = 2; threads <= 5; threads++) {
        o.threads = threads;
        CHECK_OK(predict(freq, spend, &many, &c, &o));
        check_same_columns(&one, &many, c.n);
    }
    o.threads = 1;

    /* A column asked for alone is the same column. */
    CHECK_OK(libdbm_model_predict_arrays(freq, spend, NULL, NULL, NULL, alone.clv, c.x, c.t_x,
                                         c.T, c.m_x, c.n, &o));
    CHECK(same_bits(alone.clv, one.clv, c.n));
    CHECK_OK(libdbm_model_predict_arrays(freq, NULL, NULL, alone.expected, NULL, NULL, c.x,
                                         c.t_x, c.T, NULL, c.n, &o));
    CHECK(same_bits(alone.expected, one.expected, c.n));
    CHECK_OK(libdbm_model_predict_arrays(NULL, spend, NULL, NULL, alone.spend, NULL, c.x, NULL,
                                         NULL, c.m_x, c.n, &o));
    CHECK(same_bits(alone.spend, one.spend, c.n));
    CHECK_OK(libdbm_model_predict_arrays(freq, NULL, alone.p_alive, NULL, NULL, NULL, c.x,
                                         c.t_x, c.T, NULL, c.n, &o));
    CHECK(same_bits(alone.p_alive, one.p_alive, c.n));

    columns_free(&one);
    columns_free(&many);
    columns_free(&alone);
    customers_free(&c);
    libdbm_model_free(freq);
    libdbm_model_free(spend);
}

/* Invalid customers give NaN and EINVAL, the others their usual values;
 * bad options, model kinds and a Gamma-Gamma q <= 1 are refused. */
static void test_errors(libdbm_context *ctx)
{
    static const double no_mean[3] = { 6.0, 0.9, 15.0 };
    libdbm_model *bg = new_model(ctx, LIBDBM_MODEL_BGNBD, bgnbd_params, 4);
    libdbm_model *gg = new_model(ctx, LIBDBM_MODEL_GAMMA_GAMMA, gg_params, 3);
    libdbm_model *gg_bad = new_model(ctx, LIBDBM_MODEL_GAMMA_GAMMA, no_mean, 3);
    customers c;
    columns good, got;
    libdbm_predict_options o = LIBDBM_PREDICT_OPTIONS_INIT;
    make_customers(&c, 9001);
    columns_new(&good, c.n);
    columns_new(&got, c.n);
    CHECK_OK(predict(bg, gg, &good, &c, NULL));

    c.t_x[10] = c.T[10] + 1;        /* t_x > T */
    c.x[20] = -1;
    c.T[30] = INFINITY;
    c.x[40] = 3;
    c.m_x[40] = -5;                 /* spend (and CLV) invalid, P(alive) fine */
    c.x[50] = NAN;
    o.threads = 2;
    CHECK_STATUS(predict(bg, gg, &got, &c, &o), LIBDBM_EINVAL);
    for (long i = 0; i < c.n; i++) {
        if (i == 10 || i == 20 || i == 30 || i == 50) {
            CHECK(isnan(got.p_alive[i]) && isnan(got.expected[i]) && isnan(got.clv[i]));
        } else if (i == 40) {
            CHECK(isnan(got.spend[i]) && isnan(got.clv[i]) && !isnan(got.p_alive[i]));
        } else {
            CHECK(got.p_alive[i] == good.p_alive[i] && got.expected[i] == good.expected[i] &&
                  got.spend[i] == good.spend[i] && got.clv[i] == good.clv[i]);
        }
    }
    CHECK(isnan(got.spend[20]) && isnan(got.spend[50]));
    CHECK(!isnan(got.spend[10]) && !isnan(got.spend[30]));
    CHECK(strstr(libdbm_context_errmsg(ctx), "invalid customers") != NULL);
    customers_free(&c);
    make_customers(&c, 9001);
    CHECK_OK(predict(bg, gg, &good, &c, NULL));

    /* Models: kinds, missing models for wanted columns, q <= 1. */
    CHECK_STATUS(predict(gg, gg, &got, &c, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(predict(bg, bg, &got, &c, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(predict(bg, NULL, &got, &c, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(predict(NULL, gg, &got, &c, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(predict(NULL, NULL, &got, &c, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(predict(bg, gg_bad, &got, &c, NULL), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_model_predict_arrays(bg, gg, got.p_alive, NULL, NULL, NULL, c.x, NULL,
                                             c.T, NULL, c.n, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_predict_arrays(bg, gg, NULL, NULL, got.spend, NULL, c.x, c.t_x,
                                             c.T, NULL, c.n, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_predict_arrays(bg, gg, got.p_alive, NULL, NULL, NULL, c.x, c.t_x,
                                             c.T, NULL, -1, NULL), LIBDBM_EINVAL);
    CHECK_OK(libdbm_model_predict_arrays(bg, gg, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                         NULL, 0, NULL));

    /* Options: each bad value; an older, shorter struct takes defaults. */
    for (int k = 0; k < 11; k++) {
        libdbm_predict_options_init(&o);
        switch (k) {
        case 0: o.struct_size = 0; break;
        case 1: o.struct_size = (uint32_t)sizeof(o) + 8; break;
        case 2: o.threads = -1; break;
        case 3: o.horizon = -1; break;
        case 4: o.clv_months = -1; break;
        case 5: o.clv_months = LIBDBM_PREDICT_MAX_CLV_MONTHS + 1; break;
        case 6: o.reserved = 1; break;
        case 7: o.monthly_discount = -1; break;
        case 8: o.margin = NAN; break;
        case 9: o.horizon = INFINITY; break;
        default: o.periods_per_month = 0; break;
        }
        CHECK_STATUS(predict(bg, gg, &got, &c, &o), LIBDBM_EINVAL);
    }
    libdbm_predict_options_init(&o);
    o.margin = 123.0;               /* beyond the shorter struct: ignored */
    o.struct_size = (uint32_t)offsetof(libdbm_predict_options, margin);
    CHECK_OK(predict(bg, gg, &got, &c, &o));
    CHECK(same_bits(got.clv, good.clv, c.n));
    CHECK_STATUS(libdbm_predict_options_init(NULL), LIBDBM_EINVAL);

    columns_free(&good);
    columns_free(&got);
    customers_free(&c);
    libdbm_model_free(bg);
    libdbm_model_free(gg);
    libdbm_model_free(gg_bad);
}

/* More distinct (x, T) than a worker's table holds (2^17): it starts
 * over, and every value still matches the scalar function. */
static void test_table_overflow(libdbm_context *ctx)
{
    enum { N = 300007 };
    libdbm_model *bg = new_model(ctx, LIBDBM_MODEL_BGNBD, bgnbd_params, 4);
    customers c;
    double *expected = doubles(N), worst = 0;
    make_customers(&c, N);
    for (long i = 0; i < N; i++) {
        c.T[i] = 20 + 60 * uniform();
        c.t_x[i] = c.x[i] > 0 ? c.T[i] * uniform() : 0.0;
    }
    CHECK_OK(libdbm_model_predict_arrays(bg, NULL, NULL, expected, NULL, NULL, c.x, c.t_x, c.T,
                                         NULL, N, NULL));
    for (long i = 0; i < N; i++) {
        double want;
        CHECK_OK(libdbm_model_expected_purchases(bg, &want, 52, c.x[i], c.t_x[i], c.T[i]));
        worst = fmax(worst, rel_diff(expected[i], want));
    }
    printf("table overflow: %d customers, worst relative difference %.3g\n", N, worst);
    CHECK(worst <= 1e-12);
    free(expected);
    customers_free(&c);
    libdbm_model_free(bg);
}

static int scenario_predict(const libdbm_context_options *options, void *user_data)
{
    const customers *c = user_data;
    libdbm_context *ctx;
    libdbm_model *bg = NULL, *gg = NULL;
    columns out;
    libdbm_predict_options o = LIBDBM_PREDICT_OPTIONS_INIT;
    int status = libdbm_context_new(&ctx, options);
    if (status != LIBDBM_OK)
        return status;
    columns_new(&out, c->n);
    o.threads = 2;
    if ((status = libdbm_model_new(&bg, ctx, LIBDBM_MODEL_BGNBD)) == LIBDBM_OK &&
        (status = libdbm_model_set_params(bg, bgnbd_params, 4)) == LIBDBM_OK &&
        (status = libdbm_model_new(&gg, ctx, LIBDBM_MODEL_GAMMA_GAMMA)) == LIBDBM_OK &&
        (status = libdbm_model_set_params(gg, gg_params, 3)) == LIBDBM_OK)
        status = predict(bg, gg, &out, c, &o);
    if (status == LIBDBM_OK)
        status = libdbm_model_expected_purchases_array(bg, out.expected, 52, c->x, c->t_x, c->T,
                                                       c->n, 2);
    columns_free(&out);
    libdbm_model_free(bg);
    libdbm_model_free(gg);
    libdbm_context_free(ctx);
    return status;
}

int main(void)
{
    libdbm_context *ctx;
    customers small;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_model_kind(ctx, LIBDBM_MODEL_BGNBD, bgnbd_params, "BG/NBD");
    test_model_kind(ctx, LIBDBM_MODEL_PARETO_NBD, pnbd_params, "Pareto/NBD");
    test_errors(ctx);
    test_table_overflow(ctx);
    libdbm_context_free(ctx);
    make_customers(&small, 10000);
    failalloc_sweep_or_die("bulk predictions", scenario_predict, &small, 1000);
    customers_free(&small);
    puts("scoring-bulk: ok");
    return 0;
}
