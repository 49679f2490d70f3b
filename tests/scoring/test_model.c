/* Scoring core through the public API: CDNOW fits against the published
 * figures, fit robustness, statistics merge/save/load, model blobs and JSON,
 * degenerate data, bulk scoring across threads, and allocation failures.
 * argv[1]: the folder holding the CDNOW data (absent: the CDNOW parts skip). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgnbd_sim.h"
#include "cdnow_summary.h"
#include "check.h"
#include "failalloc.h"

static cdnow_summary_row *cdnow;
static long ncdnow;

static double rel_diff(double a, double b)
{
    double scale = fmax(fabs(a), fabs(b));
    return scale == 0 ? 0 : fabs(a - b) / scale;
}

static libdbm_stats *cdnow_stats(libdbm_context *ctx, long begin, long step)
{
    libdbm_stats *s;
    CHECK_OK(libdbm_stats_new(&s, ctx));
    for (long i = begin; i < ncdnow; i += step)
        CHECK_OK(libdbm_stats_add(s, cdnow[i].x, cdnow[i].t_x, cdnow[i].T, cdnow[i].m_x, 1.0));
    return s;
}

/* A small deterministic PRNG (splitmix64) for the tests. */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static double uniform(void)
{
    unsigned long long z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

static void test_cdnow_fits(libdbm_context *ctx)
{
    libdbm_stats *stats = cdnow_stats(ctx, 0, 1);
    double customers;
    int64_t rows;
    CHECK_OK(libdbm_stats_customers(stats, &customers));
    CHECK_OK(libdbm_stats_rows(stats, &rows));
    CHECK(customers == 2357);
    CHECK(rows > 100 && rows <= 2357);

    /* BG/NBD: Fader, Hardie & Lee (2005), r = 0.243, alpha = 4.414, a = 0.793,
     * b = 2.426, LL = -9582.4, each to its published rounding. */
    libdbm_model *bg;
    CHECK_OK(libdbm_model_new(&bg, ctx, LIBDBM_MODEL_BGNBD));
    CHECK_OK(libdbm_model_fit(bg, stats, NULL));
    double p[4], se[4], ll, secs;
    int32_t iters;
    int conv;
    CHECK_OK(libdbm_model_get_params(bg, p, 4));
    CHECK_OK(libdbm_model_fit_info(bg, &ll, &iters, &conv, &secs));
    printf("BG/NBD CDNOW: r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.4f (%d iterations, %.4f s)\n",
           p[0], p[1], p[2], p[3], ll, iters, secs);
    CHECK(fabs(p[0] - 0.243) <= 0.0005);
    CHECK(fabs(p[1] - 4.414) <= 0.0005);
    CHECK(fabs(p[2] - 0.793) <= 0.0005);
    CHECK(fabs(p[3] - 2.426) <= 0.0005);
    CHECK(fabs(ll - -9582.4) <= 0.05);
    CHECK(conv == 1 && iters > 0);
    double ll2;
    CHECK_OK(libdbm_model_log_likelihood(bg, stats, &ll2));
    CHECK(rel_diff(ll, ll2) < 1e-12);
    CHECK_OK(libdbm_model_std_errors(bg, se, 4));
    printf("BG/NBD CDNOW standard errors: %.5f %.5f %.5f %.5f\n", se[0], se[1], se[2], se[3]);
    for (int i = 0; i < 4; i++)
        CHECK(se[i] > 0 && se[i] < p[i]);

    /* Gamma-Gamma on the customers with x >= 1: p = 6.25, q = 3.74, gamma = 15.44. */
    libdbm_model *gg;
    CHECK_OK(libdbm_model_new(&gg, ctx, LIBDBM_MODEL_GAMMA_GAMMA));
    CHECK_OK(libdbm_model_fit(gg, stats, NULL));
    double g[3];
    CHECK_OK(libdbm_model_get_params(gg, g, 3));
    CHECK_OK(libdbm_model_fit_info(gg, &ll, &iters, NULL, NULL));
    printf("Gamma-Gamma CDNOW: p=%.5f q=%.5f gamma=%.5f LL=%.4f (%d iterations)\n",
           g[0], g[1], g[2], ll, iters);
    CHECK(fabs(g[0] - 6.25) <= 0.005);
    CHECK(fabs(g[1] - 3.74) <= 0.005);
    /* gamma: the maximum likelihood on this file (zbar rounded to cents) is
     * 15.4477, as lifetimes finds too; the note's 15.44 is 0.008 away. */
    CHECK(fabs(g[2] - 15.44) <= 0.01);
    CHECK(fabs(g[2] - 15.4477) <= 0.0005);

    /* Expected spend: E[M] between the customer's mean and the population mean. */
    double pop, e;
    CHECK_OK(libdbm_model_expected_spend(gg, &pop, 0, 0));
    CHECK(rel_diff(pop, g[0] * g[2] / (g[1] - 1)) < 1e-15);
    CHECK_OK(libdbm_model_expected_spend(gg, &e, 5, 100));
    CHECK(e < 100 && e > pop);
    CHECK_OK(libdbm_model_expected_spend(gg, &e, 5, 1));
    CHECK(e > 1 && e < pop);
    CHECK_STATUS(libdbm_model_expected_spend(bg, &e, 5, 1), LIBDBM_EINVAL);

    /* CLV: with no discount the sum telescopes to E[Y(H months)] E[M] margin. */
    double clv, ey, clv_disc;
    CHECK_OK(libdbm_model_clv(bg, gg, &clv, 2, 30.43, 38.86, 22.35, 12, 0.0, 0.3, 52.0 / 12));
    CHECK_OK(libdbm_model_expected_purchases(bg, &ey, 52.0, 2, 30.43, 38.86));
    CHECK_OK(libdbm_model_expected_spend(gg, &e, 2, 22.35));
    CHECK(rel_diff(clv, ey * e * 0.3) < 1e-12);
    CHECK_OK(libdbm_model_clv(bg, gg, &clv_disc, 2, 30.43, 38.86, 22.35, 12, 0.01, 0.3, 52.0 / 12));
    CHECK(clv_disc < clv && clv_disc > clv / 1.01 / 1.01 / 1.01 / 1.01 / 1.01 / 1.01 / 1.01 / 1.01 / 1.01 / 1.01 / 1.01 / 1.01);
    CHECK_STATUS(libdbm_model_clv(gg, bg, &clv, 2, 30, 38, 22, 12, 0.01, 0.3, 4), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_clv(bg, gg, &clv, 2, 30, 38, 22, 12, -1.0, 0.3, 4), LIBDBM_EINVAL);

    /* P(X(t) = n) sums to 1 and its mean is E[X(t)] (independent formulas). */
    double sum = 0, mean = 0, enew;
    for (int32_t n = 0; n < 400; n++) {
        double pn;
        CHECK_OK(libdbm_model_prob_purchases(bg, &pn, n, 39.0));
        CHECK(pn >= 0 && pn <= 1);
        sum += pn;
        mean += n * pn;
    }
    CHECK_OK(libdbm_model_expected_purchases_new(bg, &enew, 39.0));
    printf("new customer, 39 weeks: E[X]=%.10f, sum P(X=n)=%.12f, mean=%.10f\n", enew, sum, mean);
    CHECK(fabs(sum - 1) < 1e-9);
    CHECK(rel_diff(mean, enew) < 1e-8);
    /* The fitted model reproduces the calibration period's repeat purchases:
     * sum_i E[X(T_i)] against sum_i x_i = 2,457 (Fader et al. 2005, Figure 2
     * shows the two curves together). */
    double expected_total = 0, observed_total = 0;
    for (long i = 0; i < ncdnow; i++) {
        CHECK_OK(libdbm_model_expected_purchases_new(bg, &enew, cdnow[i].T));
        expected_total += enew;
        observed_total += cdnow[i].x;
    }
    printf("calibration repeat purchases: expected %.1f, observed %.0f\n", expected_total,
           observed_total);
    CHECK(observed_total == 2457);
    CHECK(fabs(expected_total / observed_total - 1) < 0.02);

    /* The same optimum from 20 random starting points (log-uniform in
     * [0.01, 100]). */
    for (int k = 0; k < 20; k++) {
        double init[4], q[4], llk;
        for (int i = 0; i < 4; i++)
            init[i] = exp(log(0.01) + uniform() * log(1e4));
        libdbm_fit_options opt = LIBDBM_FIT_OPTIONS_INIT;
        opt.initial = init;
        libdbm_model *m;
        CHECK_OK(libdbm_model_new(&m, ctx, LIBDBM_MODEL_BGNBD));
        int rc = libdbm_model_fit(m, stats, &opt);
        if (rc != LIBDBM_OK)
            printf("start %d (%g %g %g %g): %s\n", k, init[0], init[1], init[2], init[3],
                   libdbm_context_errmsg(ctx));
        CHECK_OK(rc);
        CHECK_OK(libdbm_model_get_params(m, q, 4));
        CHECK_OK(libdbm_model_fit_info(m, &llk, NULL, NULL, NULL));
        for (int i = 0; i < 4; i++)
            CHECK(rel_diff(q[i], p[i]) < 1e-6);
        CHECK(rel_diff(llk, -9582.4) < 1e-5);
        libdbm_model_free(m);
    }

    /* Shards merged give the same fit as one pass. */
    libdbm_stats *merged;
    CHECK_OK(libdbm_stats_new(&merged, ctx));
    for (int shard = 0; shard < 5; shard++) {
        libdbm_stats *part = cdnow_stats(ctx, shard, 5);
        void *blob;
        size_t len;
        libdbm_stats *copy;
        CHECK_OK(libdbm_stats_save(part, &blob, &len));        /* shards travel as blobs */
        CHECK_OK(libdbm_stats_load(&copy, ctx, blob, len));
        libdbm_free_blob(blob);
        CHECK_OK(libdbm_stats_merge(merged, copy));
        libdbm_stats_free(copy);
        libdbm_stats_free(part);
    }
    CHECK_STATUS(libdbm_stats_merge(merged, merged), LIBDBM_EINVAL);
    int64_t mrows;
    CHECK_OK(libdbm_stats_rows(merged, &mrows));
    CHECK_OK(libdbm_stats_customers(merged, &customers));
    CHECK(mrows == rows && customers == 2357);
    libdbm_model *bg2, *gg2;
    CHECK_OK(libdbm_model_new(&bg2, ctx, LIBDBM_MODEL_BGNBD));
    CHECK_OK(libdbm_model_fit(bg2, merged, NULL));
    CHECK_OK(libdbm_model_new(&gg2, ctx, LIBDBM_MODEL_GAMMA_GAMMA));
    CHECK_OK(libdbm_model_fit(gg2, merged, NULL));
    double q[4], g2[3];
    CHECK_OK(libdbm_model_get_params(bg2, q, 4));
    CHECK_OK(libdbm_model_get_params(gg2, g2, 3));
    for (int i = 0; i < 4; i++)
        CHECK(rel_diff(q[i], p[i]) <= 1e-9);
    for (int i = 0; i < 3; i++)
        CHECK(rel_diff(g2[i], g[i]) <= 1e-9);
    libdbm_model_free(bg2);
    libdbm_model_free(gg2);
    libdbm_stats_free(merged);

    /* Bulk scoring: identical bits for 1, 2 and 4 threads; the fast P(alive)
     * path within 1e-12 of the scalar one. Customers: CDNOW repeated. */
    long n = 20000;
    double *x = malloc((size_t)n * sizeof(double)), *tx = malloc((size_t)n * sizeof(double));
    double *T = malloc((size_t)n * sizeof(double));
    double *out[3], *ey_out[3];
    for (long i = 0; i < n; i++) {
        x[i] = cdnow[i % ncdnow].x + (double)(i / ncdnow);
        tx[i] = cdnow[i % ncdnow].t_x;
        T[i] = cdnow[i % ncdnow].T;
        if (x[i] > 0 && tx[i] == 0)
            tx[i] = 0.5;
    }
    x[7] = 3000;                    /* P(alive) ~ 1e-400: beyond the fast path's range */
    tx[7] = 0.1;
    T[7] = 39;
    int32_t threads[3] = { 1, 2, 4 };
    for (int k = 0; k < 3; k++) {
        out[k] = malloc((size_t)n * sizeof(double));
        ey_out[k] = malloc((size_t)n * sizeof(double));
        CHECK_OK(libdbm_model_p_alive_array(bg, out[k], x, tx, T, n, threads[k]));
        CHECK_OK(libdbm_model_expected_purchases_array(bg, ey_out[k], 52.0, x, tx, T, n,
                                                       threads[k]));
    }
    CHECK(memcmp(out[0], out[1], (size_t)n * sizeof(double)) == 0);
    CHECK(memcmp(out[0], out[2], (size_t)n * sizeof(double)) == 0);
    CHECK(memcmp(ey_out[0], ey_out[1], (size_t)n * sizeof(double)) == 0);
    CHECK(memcmp(ey_out[0], ey_out[2], (size_t)n * sizeof(double)) == 0);
    double worst = 0;
    for (long i = 0; i < n; i++) {
        double pa, eyi;
        CHECK_OK(libdbm_model_p_alive(bg, &pa, x[i], tx[i], T[i]));
        double d = rel_diff(pa, out[0][i]);
        if (d > worst)
            worst = d;
        CHECK_OK(libdbm_model_expected_purchases(bg, &eyi, 52.0, x[i], tx[i], T[i]));
        CHECK(memcmp(&eyi, &ey_out[0][i], sizeof(double)) == 0);
    }
    printf("bulk P(alive) vs scalar: worst relative difference %.3g\n", worst);
    CHECK(worst <= 1e-12);
    CHECK(out[0][7] >= 0 && out[0][7] < 1e-300);
    /* An invalid customer: EINVAL, NaN for it, the others computed. */
    T[3] = tx[3] - 1;
    CHECK_STATUS(libdbm_model_p_alive_array(bg, out[1], x, tx, T, n, 2), LIBDBM_EINVAL);
    CHECK(isnan(out[1][3]) && out[1][4] == out[0][4]);
    for (int k = 0; k < 3; k++) {
        free(out[k]);
        free(ey_out[k]);
    }
    free(x);
    free(tx);
    free(T);
    libdbm_model_free(bg);
    libdbm_model_free(gg);
    libdbm_stats_free(stats);
}

/* A small CRC-32C for forging blobs with a valid checksum. */
static unsigned crc32c(const unsigned char *p, size_t n)
{
    unsigned crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return ~crc;
}

static void put_u32le(unsigned char *p, unsigned v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

typedef int (*load_fn)(libdbm_context *ctx, const void *blob, size_t len);

static int load_stats(libdbm_context *ctx, const void *blob, size_t len)
{
    libdbm_stats *s;
    int rc = libdbm_stats_load(&s, ctx, blob, len);
    libdbm_stats_free(s);
    return rc;
}

static int load_model(libdbm_context *ctx, const void *blob, size_t len)
{
    libdbm_model *m;
    int rc = libdbm_model_load(&m, ctx, blob, len);
    libdbm_model_free(m);
    return rc;
}

/* Every truncation and every single-byte corruption is rejected; a forged
 * newer version gives EVERSION. */
static void check_blob_rejections(libdbm_context *ctx, const void *blob, size_t len, load_fn load)
{
    unsigned char *copy = malloc(len);
    CHECK(load(ctx, blob, len) == LIBDBM_OK);
    for (size_t cut = 0; cut < len; cut++)
        CHECK_STATUS(load(ctx, blob, cut), LIBDBM_ECORRUPT);
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, blob, len);
        copy[i] ^= (unsigned char)(1u << (i % 8));
        int rc = load(ctx, copy, len);
        CHECK(rc == LIBDBM_ECORRUPT || rc == LIBDBM_EVERSION);
    }
    memcpy(copy, blob, len);
    put_u32le(copy + 4, 2);
    put_u32le(copy + len - 4, crc32c(copy, len - 4));
    CHECK_STATUS(load(ctx, copy, len), LIBDBM_EVERSION);
    /* A valid checksum over nonsense content is still rejected. */
    memcpy(copy, blob, len);
    memset(copy + 8, 0xFF, len - 12 > 16 ? 16 : len - 12);
    put_u32le(copy + len - 4, crc32c(copy, len - 4));
    CHECK_STATUS(load(ctx, copy, len), LIBDBM_ECORRUPT);
    free(copy);
}

static const double sim_params[4], sim_spend[3];

/* Adds @p n simulated customers (ages 20 to 40 weeks, day resolution). */
static int add_simulated(libdbm_stats *stats, int n, uint64_t seed)
{
    sim_rng g;
    sim_seed(&g, seed);
    int rc = LIBDBM_OK;
    for (int i = 0; i < n && rc == LIBDBM_OK; i++) {
        double x, tx, mx, T = 20 + 20 * sim_uniform(&g);
        sim_customer(&g, sim_params, &T, 7, sim_spend, &x, &tx, &mx);
        rc = libdbm_stats_add(stats, x, tx, T, mx, 1);
    }
    return rc;
}

static void test_blobs_and_json(libdbm_context *ctx)
{
    libdbm_stats *stats;
    CHECK_OK(libdbm_stats_new(&stats, ctx));
    add_simulated(stats, 500, 1);
    void *blob;
    size_t len;
    CHECK_OK(libdbm_stats_save(stats, &blob, &len));
    libdbm_stats *back;
    CHECK_OK(libdbm_stats_load(&back, ctx, blob, len));
    void *blob2;
    size_t len2;
    CHECK_OK(libdbm_stats_save(back, &blob2, &len2));
    CHECK(len == len2 && memcmp(blob, blob2, len) == 0);
    libdbm_stats_free(back);
    libdbm_free_blob(blob2);
    check_blob_rejections(ctx, blob, len, load_stats);
    libdbm_free_blob(blob);

    libdbm_model *m;
    CHECK_OK(libdbm_model_new(&m, ctx, LIBDBM_MODEL_BGNBD));
    CHECK_OK(libdbm_model_fit(m, stats, NULL));
    CHECK_OK(libdbm_model_save(m, &blob, &len));
    libdbm_model *mb;
    CHECK_OK(libdbm_model_load(&mb, ctx, blob, len));
    double p1[4], p2[4], se1[4], se2[4], ll1, ll2;
    int32_t it1, it2;
    CHECK_OK(libdbm_model_get_params(m, p1, 4));
    CHECK_OK(libdbm_model_get_params(mb, p2, 4));
    CHECK(memcmp(p1, p2, sizeof(p1)) == 0);
    CHECK_OK(libdbm_model_std_errors(m, se1, 4));
    CHECK_OK(libdbm_model_std_errors(mb, se2, 4));
    CHECK(memcmp(se1, se2, sizeof(se1)) == 0);
    CHECK_OK(libdbm_model_fit_info(m, &ll1, &it1, NULL, NULL));
    CHECK_OK(libdbm_model_fit_info(mb, &ll2, &it2, NULL, NULL));
    CHECK(ll1 == ll2 && it1 == it2);
    check_blob_rejections(ctx, blob, len, load_model);
    libdbm_free_blob(blob);
    libdbm_model_free(mb);

    char *json;
    CHECK_OK(libdbm_model_to_json(m, &json));
    printf("JSON: %s\n", json);
    libdbm_model *mj;
    CHECK_OK(libdbm_model_from_json(&mj, ctx, json));
    CHECK_OK(libdbm_model_get_params(mj, p2, 4));
    CHECK(memcmp(p1, p2, sizeof(p1)) == 0);
    CHECK_OK(libdbm_model_std_errors(mj, se2, 4));
    CHECK(memcmp(se1, se2, sizeof(se1)) == 0);
    libdbm_model_free(mj);
    libdbm_free_string(json);
    /* Key order, whitespace and unknown keys do not matter. */
    CHECK_OK(libdbm_model_from_json(&mj, ctx,
             " { \"params\" : {\"b\":2.5,\"a\":0.5,\"x\":[1,{\"r\":9}],\"alpha\":4,\"r\":0.25},"
             "\"extra\":{\"params\":{\"r\":7}}, \"model\":\"bgnbd\", \"format\":1 }\n"));
    CHECK_OK(libdbm_model_get_params(mj, p2, 4));
    CHECK(p2[0] == 0.25 && p2[1] == 4 && p2[2] == 0.5 && p2[3] == 2.5);
    CHECK_STATUS(libdbm_model_std_errors(mj, se2, 4), LIBDBM_EINVAL);   /* not fitted */
    libdbm_model_free(mj);
    const char *bad[] = {
        "", "{", "[]", "{\"format\":1,\"model\":\"bgnbd\",\"params\":{\"r\":1,\"alpha\":1,\"a\":1}}",
        "{\"format\":1,\"model\":\"nope\",\"params\":{}}",
        "{\"format\":1,\"model\":\"bgnbd\",\"params\":{\"r\":-1,\"alpha\":1,\"a\":1,\"b\":1}}",
        "{\"format\":1,\"model\":\"bgnbd\",\"params\":{\"r\":1,\"alpha\":1,\"a\":1,\"b\":1}} x",
        "{\"model\":\"bgnbd\",\"params\":{\"r\":1,\"alpha\":1,\"a\":1,\"b\":1}}",
        "{\"format\":1,\"model\":\"bgnbd\",\"params\":{\"r\":1,\"alpha\":1,\"a\":1,\"b\":1,}}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mj = (libdbm_model *)&mj;
        int rc = libdbm_model_from_json(&mj, ctx, bad[i]);
        CHECK(rc == LIBDBM_ESYNTAX);
        CHECK(mj == NULL);
    }
    CHECK_STATUS(libdbm_model_from_json(&mj, ctx, "{\"format\":2,\"model\":\"bgnbd\"}"),
                 LIBDBM_EVERSION);
    libdbm_model_free(m);
    libdbm_stats_free(stats);
}

static void test_degenerate(libdbm_context *ctx)
{
    libdbm_stats *stats;
    libdbm_model *m;
    double before[4], after[4];
    CHECK_OK(libdbm_stats_new(&stats, ctx));
    CHECK_OK(libdbm_model_new(&m, ctx, LIBDBM_MODEL_BGNBD));
    CHECK_OK(libdbm_model_get_params(m, before, 4));
    CHECK_STATUS(libdbm_model_fit(m, stats, NULL), LIBDBM_ENOCONVERGE);       /* empty */
    for (int i = 0; i < 100; i++)
        CHECK_OK(libdbm_stats_add(stats, 0, 0, 1 + i % 10, 0, 1));
    CHECK_STATUS(libdbm_model_fit(m, stats, NULL), LIBDBM_ENOCONVERGE);       /* all x = 0 */
    CHECK_OK(libdbm_model_get_params(m, after, 4));
    CHECK(memcmp(before, after, sizeof(before)) == 0);
    libdbm_model *gg;
    CHECK_OK(libdbm_model_new(&gg, ctx, LIBDBM_MODEL_GAMMA_GAMMA));
    CHECK_STATUS(libdbm_model_fit(gg, stats, NULL), LIBDBM_ENOCONVERGE);
    /* Every customer buys every period and never leaves: BG/NBD's a -> 0. */
    libdbm_stats *loyal;
    CHECK_OK(libdbm_stats_new(&loyal, ctx));
    for (int i = 0; i < 100; i++)
        CHECK_OK(libdbm_stats_add(loyal, 20, 20, 20, 5, 1));
    int rc = libdbm_model_fit(m, loyal, NULL);
    CHECK_OK(libdbm_model_get_params(m, after, 4));
    for (int i = 0; i < 4; i++)
        CHECK(isfinite(after[i]) && after[i] > 0);
    printf("degenerate 'loyal' data: %s (%s)\n", libdbm_strerror(rc),
           rc ? libdbm_context_errmsg(ctx) : "");
    CHECK(rc == LIBDBM_ENOCONVERGE || rc == LIBDBM_OK);
    /* Hitting the iteration limit is an error too. */
    libdbm_fit_options opt;
    CHECK_OK(libdbm_fit_options_init(&opt));
    opt.max_iterations = 2;
    libdbm_model *m2;
    CHECK_OK(libdbm_model_new(&m2, ctx, LIBDBM_MODEL_BGNBD));
    libdbm_stats_free(stats);
    CHECK_OK(libdbm_stats_new(&stats, ctx));
    for (int i = 0; i < 100; i++)
        CHECK_OK(libdbm_stats_add(stats, i % 4, i % 4 ? 5 + i % 3 : 0, 10, 1, 1));
    CHECK_STATUS(libdbm_model_fit(m2, stats, &opt), LIBDBM_ENOCONVERGE);
    int conv = 1;
    CHECK_OK(libdbm_model_fit_info(m2, NULL, NULL, &conv, NULL));
    CHECK(conv == 0);
    opt.struct_size = 3;
    CHECK_STATUS(libdbm_model_fit(m2, stats, &opt), LIBDBM_EINVAL);
    opt.struct_size = sizeof(opt) + 8;
    CHECK_STATUS(libdbm_model_fit(m2, stats, &opt), LIBDBM_EINVAL);
    libdbm_model_free(m2);

    /* Bad arguments. */
    CHECK_STATUS(libdbm_stats_add(stats, -1, 0, 1, 0, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_stats_add(stats, 1.5, 0, 1, 0, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_stats_add(stats, 1, 2, 1, 1, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_stats_add(stats, 1, 0.5, 1, NAN, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_stats_add(stats, 1, 0.5, INFINITY, 1, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_stats_add(stats, 1, 0.5, 1, 1, -1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_stats_add(stats, 0, 0.5, 1, 1, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_new(&m2, ctx, 99), LIBDBM_EINVAL);
    CHECK(m2 == NULL);
    double p[4] = { 1, 1, 1, 0 }, v;
    CHECK_STATUS(libdbm_model_set_params(m, p, 4), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_set_params(m, p, 3), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_p_alive(m, &v, 1, 2, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_p_alive(gg, &v, 1, 0.5, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_expected_purchases(m, &v, -1, 1, 0.5, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_model_prob_purchases(m, &v, -1, 1), LIBDBM_EINVAL);
    libdbm_model_free(gg);
    libdbm_model_free(m);
    libdbm_stats_free(loyal);
    libdbm_stats_free(stats);
}

/* ---- allocation-failure sweeps ---- */

static const double sim_params[4] = { 0.5, 5.0, 0.8, 2.5 };
static const double sim_spend[3] = { 6.0, 4.0, 15.0 };

/* The statistics' blob: equal blobs mean equal groups, weights and order. */
static void same_stats(const libdbm_stats *a, const libdbm_stats *b)
{
    void *blob_a, *blob_b;
    size_t len_a, len_b;
    double ca, cb;
    CHECK_OK(libdbm_stats_save(a, &blob_a, &len_a));
    CHECK_OK(libdbm_stats_save(b, &blob_b, &len_b));
    CHECK(len_a == len_b && memcmp(blob_a, blob_b, len_a) == 0);
    CHECK_OK(libdbm_stats_customers(a, &ca));
    CHECK_OK(libdbm_stats_customers(b, &cb));
    CHECK(ca == cb);
    libdbm_free_blob(blob_a);
    libdbm_free_blob(blob_b);
}

/* libdbm_stats_add_array against one libdbm_stats_add call per customer:
 * the same statistics bit for bit, over blocks, index growth, repeated and
 * new groups, zero weights, x = 0 and m_x = 0; bad input changes nothing. */
static void test_add_array(libdbm_context *ctx)
{
    enum { N = 5003 };      /* not a multiple of any block size */
    static double x[N], tx[N], T[N], mx[N], w[N];
    libdbm_stats *one, *bulk, *unit, *bulk_unit;
    int64_t rows;
    uint64_t seed = 20261208;
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(seed >> 33);
        x[i] = (double)(r % 7);
        T[i] = 20 + (double)(r / 7 % 30);
        tx[i] = x[i] > 0 ? (double)(r / 210 % 20) : 0;
        /* half the spends repeat (groups shared), half are new */
        mx[i] = x[i] > 0 && r % 11 ? (r % 2 ? 5.0 * (r % 4) : 0.01 * (double)i) : 0;
        w[i] = r % 13 == 0 ? 0 : 1 + (double)(r % 3);
    }
    CHECK_OK(libdbm_stats_new(&one, ctx));
    CHECK_OK(libdbm_stats_new(&unit, ctx));
    CHECK_OK(libdbm_stats_new(&bulk, ctx));
    CHECK_OK(libdbm_stats_new(&bulk_unit, ctx));
    for (int i = 0; i < N; i++) {
        CHECK_OK(libdbm_stats_add(one, x[i], tx[i], T[i], mx[i], w[i]));
        CHECK_OK(libdbm_stats_add(unit, x[i], tx[i], T[i], mx[i], 1));
    }
    /* in two calls, so the second meets groups the first made */
    CHECK_OK(libdbm_stats_add_array(bulk, x, tx, T, mx, w, 1000));
    CHECK_OK(libdbm_stats_add_array(bulk, x + 1000, tx + 1000, T + 1000, mx + 1000, w + 1000,
                                    N - 1000));
    CHECK_OK(libdbm_stats_add_array(bulk_unit, x, tx, T, mx, NULL, N));
    same_stats(one, bulk);
    same_stats(unit, bulk_unit);
    CHECK_OK(libdbm_stats_rows(bulk, &rows));
    CHECK(rows > 500 && rows < N);      /* both new and repeated groups were met */
    CHECK_OK(libdbm_stats_add_array(bulk, x, tx, T, mx, w, 0));
    same_stats(one, bulk);

    /* A bad customer anywhere: nothing added, the message names it. */
    tx[4321] = T[4321] + 1;
    CHECK_STATUS(libdbm_stats_add_array(bulk, x, tx, T, mx, w, N), LIBDBM_EINVAL);
    CHECK(strstr(libdbm_context_errmsg(ctx), "customer 4321") != NULL);
    same_stats(one, bulk);
    tx[4321] = 0;
    w[17] = -1;
    CHECK_STATUS(libdbm_stats_add_array(bulk, x, tx, T, mx, w, N), LIBDBM_EINVAL);
    same_stats(one, bulk);
    CHECK_STATUS(libdbm_stats_add_array(bulk, x, tx, T, mx, NULL, -1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_stats_add_array(bulk, x, NULL, T, mx, NULL, 3), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_stats_add_array(NULL, x, tx, T, mx, NULL, 3), LIBDBM_EINVAL);
    same_stats(one, bulk);
    libdbm_stats_free(one);
    libdbm_stats_free(unit);
    libdbm_stats_free(bulk);
    libdbm_stats_free(bulk_unit);
}

static int scenario_stats(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    libdbm_stats *a = NULL, *b = NULL, *c = NULL;
    void *blob = NULL;
    size_t len;
    (void)user_data;
    int rc = libdbm_context_new(&ctx, options);
    if (rc != LIBDBM_OK)
        return rc;
    rc = libdbm_stats_new(&a, ctx);
    if (rc == LIBDBM_OK)
        rc = libdbm_stats_new(&b, ctx);
    for (int i = 0; rc == LIBDBM_OK && i < 200; i++)
        rc = libdbm_stats_add(i % 2 ? a : b, (double)(i % 5), (double)(i % 5), 10 + (double)(i % 9),
                              3, 1);
    for (int i = 0; rc == LIBDBM_OK && i < 3; i++) {
        static const double x[3] = { 0, 2, 4 }, tx[3] = { 0, 1, 3 }, T[3] = { 9, 9, 9 };
        static const double mx[3] = { 0, 7.5, 2 };
        rc = libdbm_stats_add_array(b, x, tx, T, mx, NULL, 3);
    }
    if (rc == LIBDBM_OK)
        rc = libdbm_stats_merge(a, b);
    if (rc == LIBDBM_OK)
        rc = libdbm_stats_save(a, &blob, &len);
    if (rc == LIBDBM_OK)
        rc = libdbm_stats_load(&c, ctx, blob, len);
    libdbm_free_blob(blob);
    libdbm_stats_free(a);
    libdbm_stats_free(b);
    libdbm_stats_free(c);
    libdbm_context_free(ctx);
    return rc;
}

static int scenario_model(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    libdbm_stats *s = NULL;
    libdbm_model *m = NULL, *g = NULL, *back = NULL, *fromj = NULL;
    void *blob = NULL;
    char *json = NULL;
    size_t len;
    (void)user_data;
    int rc = libdbm_context_new(&ctx, options);
    if (rc != LIBDBM_OK)
        return rc;
    rc = libdbm_stats_new(&s, ctx);
    if (rc == LIBDBM_OK)
        rc = add_simulated(s, 200, 2);
    if (rc == LIBDBM_OK)
        rc = libdbm_model_new(&m, ctx, LIBDBM_MODEL_BGNBD);
    if (rc == LIBDBM_OK)
        rc = libdbm_model_fit(m, s, NULL);
    if (rc == LIBDBM_OK)
        rc = libdbm_model_new(&g, ctx, LIBDBM_MODEL_GAMMA_GAMMA);
    if (rc == LIBDBM_OK)
        rc = libdbm_model_fit(g, s, NULL);
    if (rc == LIBDBM_OK)
        rc = libdbm_model_save(m, &blob, &len);
    if (rc == LIBDBM_OK)
        rc = libdbm_model_load(&back, ctx, blob, len);
    if (rc == LIBDBM_OK)
        rc = libdbm_model_to_json(m, &json);
    if (rc == LIBDBM_OK)
        rc = libdbm_model_from_json(&fromj, ctx, json);
    libdbm_free_string(json);
    libdbm_free_blob(blob);
    libdbm_model_free(fromj);
    libdbm_model_free(back);
    libdbm_model_free(g);
    libdbm_model_free(m);
    libdbm_stats_free(s);
    libdbm_context_free(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    libdbm_context *ctx;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_blobs_and_json(ctx);
    test_degenerate(ctx);
    test_add_array(ctx);
    failalloc_sweep_or_die("stats build/merge/save/load", scenario_stats, NULL, 10000);
    failalloc_sweep_or_die("model new/fit/save/load/json", scenario_model, NULL, 10000);
    ncdnow = argc > 1 ? cdnow_summary_load(argv[1], &cdnow) : -1;
    if (ncdnow < 0) {
        printf("SKIP: CDNOW summary not found in %s (the other checks passed)\n",
               argc > 1 ? argv[1] : "(no folder given)");
        libdbm_context_free(ctx);
        return 77;
    }
    CHECK(ncdnow == 2357);
    test_cdnow_fits(ctx);
    free(cdnow);
    libdbm_context_free(ctx);
    return 0;
}
