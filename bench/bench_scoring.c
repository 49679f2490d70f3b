/* Scoring core benchmark (docs/models.md, "Benchmarks").
 *
 *   bench-scoring [CUSTOMERS [DATA_DIR]]
 *
 * On CUSTOMERS synthetic customers (default 10M, simulated from the CDNOW
 * BG/NBD fit, ages 27-39 weeks at day resolution):
 *   1. P(alive): libdbm_model_p_alive_array, 1 thread, against a naive
 *      scalar baseline (the libm formula, one customer at a time) measured
 *      in the same run; the largest relative difference between the two;
 *   2. the same with 2 threads (scaling ratio);
 *   3. the full score row: RFM bins fit and scores, then P(alive),
 *      E[Y(52 weeks)], E[M] and 12-month CLV by libdbm_model_predict_arrays
 *      with 1 and 2 threads, against the scalar per-customer functions on a
 *      subset (speed and largest relative difference);
 *   4. stats build + BG/NBD fit on all customers;
 *   5. BG/NBD fit on CDNOW (when DATA_DIR holds it).
 * Figures are best-of-3 wall clock.
 *
 *   bench-scoring --file PATH
 *
 * times the same library calls on customers read from PATH (int64 n, then
 * n doubles each of x, t_x, T; written by bench_scoring_lifetimes.py) and
 * prints "name seconds" lines for that script's same-run comparison. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libdbm.h>

#include "../tests/scoring/bgnbd_sim.h"
#include "../tests/scoring/cdnow_summary.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void ok(int rc, const char *what, libdbm_context *ctx)
{
    if (rc != LIBDBM_OK) {
        fprintf(stderr, "%s: %s (%s)\n", what, libdbm_strerror(rc), libdbm_context_errmsg(ctx));
        exit(1);
    }
}

/* The naive baseline: the textbook formula with pow(), one customer at a time. */
static void naive_p_alive(const double *p, double *out, const double *x, const double *tx,
                          const double *T, long n)
{
    double r = p[0], alpha = p[1], a = p[2], b = p[3];
    for (long i = 0; i < n; i++)
        out[i] = x[i] > 0 ? 1.0 / (1.0 + a / (b + x[i] - 1.0) *
                                             pow((alpha + T[i]) / (alpha + tx[i]), r + x[i]))
                          : 1.0;
}

static double rel_diff(double got, double want)
{
    return fabs(got - want) / fmax(fabs(want), 1e-300);
}

/* The full score row: RFM scores (bins fitted on the population, and
 * against given bins) plus P(alive), E[Y(52 weeks)], E[M] and 12-month
 * CLV through libdbm_model_predict_arrays, against the scalar per-customer
 * functions on a subset (the baseline, and the reference for accuracy). */
static void score_rows(libdbm_context *ctx, const libdbm_model *bg, const libdbm_model *gg,
                       long n, const double *x, const double *tx, const double *T,
                       const double *mx)
{
    size_t bytes = (size_t)n * sizeof(double);
    double *rec = malloc(bytes), *freq = malloc(bytes), *mon = malloc(bytes);
    double *pa = malloc(bytes), *ey = malloc(bytes), *es = malloc(bytes), *clv = malloc(bytes);
    int32_t *r = malloc((size_t)n * 4), *f = malloc((size_t)n * 4), *m = malloc((size_t)n * 4);
    if (!rec || !freq || !mon || !pa || !ey || !es || !clv || !r || !f || !m)
        exit(1);
    for (long i = 0; i < n; i++) {
        rec[i] = 7.0 * (T[i] - tx[i]);
        freq[i] = x[i] + 1.0;
        mon[i] = x[i] > 0 ? (x[i] + 1.0) * mx[i] : 20.0;
    }
    libdbm_predict_options po = LIBDBM_PREDICT_OPTIONS_INIT;
    po.margin = 0.3;
    po.periods_per_month = 52.0 / 12;

    long sub = n < 200000 ? n : 200000;
    double e52 = 0, spend = 0, value = 0, total = 0;
    double t0 = now();
    for (long i = 0; i < sub; i++) {
        ok(libdbm_model_expected_purchases(bg, &e52, 52.0, x[i], tx[i], T[i]), "E[Y]", ctx);
        ok(libdbm_model_expected_spend(gg, &spend, x[i], mx[i]), "E[M]", ctx);
        ok(libdbm_model_clv(bg, gg, &value, x[i], tx[i], T[i], mx[i], 12, 0.01, 0.3, 52.0 / 12),
           "CLV", ctx);
        total += e52 + spend + value;
    }
    double t_scalar = now() - t0;
    printf("Score row, scalar per customer (E[Y(52 weeks)] + E[M] + 12-month CLV), %ld "
           "customers: %.3f M customers/s (%.2f us each; checksum %.6g)\n", sub,
           sub / t_scalar / 1e6, t_scalar / sub * 1e6, total);

    /* [threads - 1]: RFM fit, RFM scores, the model columns */
    double best_fit[2] = { 1e30, 1e30 }, best_score[2] = { 1e30, 1e30 };
    double best_pred[2] = { 1e30, 1e30 };
    for (int rep = 0; rep < 3; rep++) {
        for (int k = 0; k < 2; k++) {
            libdbm_rfm_bins *bins;
            t0 = now();
            ok(libdbm_rfm_bins_fit_threads(&bins, ctx, rec, freq, mon, n, NULL, k + 1),
               "rfm fit", ctx);
            double t1 = now();
            ok(libdbm_rfm_bins_score_threads(bins, r, f, m, rec, freq, mon, n, k + 1),
               "rfm score", ctx);
            double t2 = now();
            libdbm_rfm_bins_free(bins);
            po.threads = k + 1;
            ok(libdbm_model_predict_arrays(bg, gg, pa, ey, es, clv, x, tx, T, mx, n, &po),
               "predict", ctx);
            double t3 = now();
            best_fit[k] = fmin(best_fit[k], t1 - t0);
            best_score[k] = fmin(best_score[k], t2 - t1);
            best_pred[k] = fmin(best_pred[k], t3 - t2);
        }
    }
    double worst[4] = { 0, 0, 0, 0 };
    for (long i = 0; i < sub; i++) {
        double want[4];
        libdbm_model_p_alive(bg, &want[0], x[i], tx[i], T[i]);
        libdbm_model_expected_purchases(bg, &want[1], 52.0, x[i], tx[i], T[i]);
        libdbm_model_expected_spend(gg, &want[2], x[i], mx[i]);
        libdbm_model_clv(bg, gg, &want[3], x[i], tx[i], T[i], mx[i], 12, 0.01, 0.3, 52.0 / 12);
        double got[4] = { pa[i], ey[i], es[i], clv[i] };
        for (int k = 0; k < 4; k++)
            worst[k] = fmax(worst[k], rel_diff(got[k], want[k]));
    }
    printf("Score row, bulk, %ld customers, best of 3 (1 thread / 2 threads):\n", n);
    printf("  RFM bins fit:                %.3f / %.3f s\n", best_fit[0], best_fit[1]);
    printf("  RFM scores against the bins: %.3f / %.3f s\n", best_score[0], best_score[1]);
    printf("  P(alive)+E[Y]+E[M]+CLV:      %.3f / %.3f s (%.1f / %.1f M customers/s)\n",
           best_pred[0], best_pred[1], n / best_pred[0] / 1e6, n / best_pred[1] / 1e6);
    for (int fitted = 0; fitted < 2; fitted++) {
        double t1 = best_score[0] + best_pred[0] + (fitted ? best_fit[0] : 0);
        double t2 = best_score[1] + best_pred[1] + (fitted ? best_fit[1] : 0);
        printf("  full row, %s: %.1f M customers/s on 1 thread (%.0fx the scalar row), "
               "%.1f M/s on 2 (%.2fx)\n", fitted ? "bins fitted" : "given bins ",
               n / t1 / 1e6, (t_scalar / sub) / (t1 / n), n / t2 / 1e6, t1 / t2);
    }
    printf("  largest relative difference from the scalar functions (%ld customers): "
           "P(alive) %.3g, E[Y] %.3g, E[M] %.3g, CLV %.3g\n", sub, worst[0], worst[1],
           worst[2], worst[3]);

    double te[2] = { 1e30, 1e30 };
    for (int rep = 0; rep < 3; rep++)
        for (int k = 0; k < 2; k++) {
            t0 = now();
            ok(libdbm_model_expected_purchases_array(bg, ey, 52.0, x, tx, T, n, k + 1),
               "E[Y] array", ctx);
            te[k] = fmin(te[k], now() - t0);
        }
    double te1 = te[0], te2 = te[1];
    printf("E[Y(52 weeks)] array (bitwise the scalar function), %ld customers, best of 3: 1 thread "
           "%.1f M/s, 2 threads %.1f M/s (%.2fx)\n", n, n / te1 / 1e6, n / te2 / 1e6, te1 / te2);
    free(rec); free(freq); free(mon); free(pa); free(ey); free(es); free(clv);
    free(r); free(f); free(m);
}

static int file_mode(const char *path)
{
    FILE *f = fopen(path, "rb");
    int64_t n;
    if (f == NULL || fread(&n, sizeof(n), 1, f) != 1 || n <= 0)
        return 2;
    double *x = malloc((size_t)n * sizeof(double)), *tx = malloc((size_t)n * sizeof(double));
    double *T = malloc((size_t)n * sizeof(double)), *out = malloc((size_t)n * sizeof(double));
    double *no_spend = calloc((size_t)n, sizeof(double));   /* m_x unused by BG/NBD */
    if (!x || !tx || !T || !out || !no_spend || fread(x, sizeof(double), (size_t)n, f) != (size_t)n ||
        fread(tx, sizeof(double), (size_t)n, f) != (size_t)n ||
        fread(T, sizeof(double), (size_t)n, f) != (size_t)n)
        return 2;
    fclose(f);
    static const double params[4] = { 0.242593, 4.413532, 0.792886, 2.425753 };
    libdbm_context *ctx;
    libdbm_model *bg;
    ok(libdbm_context_new(&ctx, NULL), "context", NULL);
    ok(libdbm_model_new(&bg, ctx, LIBDBM_MODEL_BGNBD), "model", ctx);
    ok(libdbm_model_set_params(bg, params, 4), "params", ctx);
    double best_pa = 1e30, best_ey = 1e30, best_fit = 1e30, best_stats = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        ok(libdbm_model_p_alive_array(bg, out, x, tx, T, n, 1), "p_alive_array", ctx);
        double t1 = now();
        ok(libdbm_model_expected_purchases_array(bg, out, 39.0, x, tx, T, n, 1), "E[Y]", ctx);
        double t2 = now();
        libdbm_stats *stats;
        ok(libdbm_stats_new(&stats, ctx), "stats", ctx);
        ok(libdbm_stats_add_array(stats, x, tx, T, no_spend, NULL, n), "stats_add_array", ctx);
        double t3 = now();
        libdbm_model *fit;
        ok(libdbm_model_new(&fit, ctx, LIBDBM_MODEL_BGNBD), "model", ctx);
        ok(libdbm_model_fit(fit, stats, NULL), "fit", ctx);
        double t4 = now();
        libdbm_model_free(fit);
        libdbm_stats_free(stats);
        best_pa = fmin(best_pa, t1 - t0);
        best_ey = fmin(best_ey, t2 - t1);
        best_stats = fmin(best_stats, t3 - t2);
        best_fit = fmin(best_fit, t4 - t3);
    }
    printf("p_alive %.6f\nexpected_purchases %.6f\nstats %.6f\nfit %.6f\n", best_pa, best_ey,
           best_stats, best_fit);
    libdbm_model_free(bg);
    libdbm_context_free(ctx);
    free(x); free(tx); free(T); free(out); free(no_spend);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--file") == 0)
        return file_mode(argv[2]);
    long n = argc > 1 ? atol(argv[1]) : 10000000L;
    const char *data_dir = argc > 2 ? argv[2] : NULL;
    static const double params[4] = { 0.242593, 4.413532, 0.792886, 2.425753 };
    static const double spend[3] = { 6.2488, 3.74459, 15.44775 };
    double *x = malloc((size_t)n * sizeof(double)), *tx = malloc((size_t)n * sizeof(double));
    double *T = malloc((size_t)n * sizeof(double)), *mx = malloc((size_t)n * sizeof(double));
    double *out = malloc((size_t)n * sizeof(double)), *base = malloc((size_t)n * sizeof(double));
    if (!x || !tx || !T || !mx || !out || !base)
        return 1;
    sim_rng g;
    sim_seed(&g, 42);
    double t0 = now();
    for (long i = 0; i < n; i++) {
        T[i] = 27 + 12 * sim_uniform(&g);
        sim_customer(&g, params, &T[i], 7, spend, &x[i], &tx[i], &mx[i]);
    }
    printf("simulated %ld customers in %.2f s\n", n, now() - t0);

    libdbm_context *ctx;
    libdbm_model *bg, *gg;
    ok(libdbm_context_new(&ctx, NULL), "context", NULL);
    ok(libdbm_model_new(&bg, ctx, LIBDBM_MODEL_BGNBD), "model", ctx);
    ok(libdbm_model_set_params(bg, params, 4), "params", ctx);
    ok(libdbm_model_new(&gg, ctx, LIBDBM_MODEL_GAMMA_GAMMA), "model", ctx);
    ok(libdbm_model_set_params(gg, spend, 3), "params", ctx);

    double best_naive = 1e30, best1 = 1e30, best2 = 1e30, best_stream = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        /* the memory ceiling: the same bytes moved, one multiply-add each */
        t0 = now();
        for (long i = 0; i < n; i++)
            out[i] = x[i] + tx[i] * T[i];
        best_stream = fmin(best_stream, now() - t0);
        t0 = now();
        naive_p_alive(params, base, x, tx, T, n);
        double t1 = now();
        ok(libdbm_model_p_alive_array(bg, out, x, tx, T, n, 1), "p_alive_array", ctx);
        double t2 = now();
        ok(libdbm_model_p_alive_array(bg, out, x, tx, T, n, 2), "p_alive_array", ctx);
        double t3 = now();
        best_naive = fmin(best_naive, t1 - t0);
        best1 = fmin(best1, t2 - t1);
        best2 = fmin(best2, t3 - t2);
    }
    double worst = 0;
    for (long i = 0; i < n; i++) {
        double d = fabs(out[i] - base[i]) / fmax(fabs(base[i]), 1e-300);
        if (d > worst)
            worst = d;
    }
    printf("P(alive), %ld customers, best of 3:\n", n);
    printf("  naive scalar baseline (pow):   %8.1f M customers/s\n", n / best_naive / 1e6);
    printf("  libdbm, 1 thread:              %8.1f M customers/s  (%.2fx the baseline)\n",
           n / best1 / 1e6, best_naive / best1);
    printf("  libdbm, 2 threads:             %8.1f M customers/s  (%.2fx 1 thread)\n",
           n / best2 / 1e6, best1 / best2);
    printf("  largest relative difference from the baseline: %.3g\n", worst);
    printf("  memory ceiling, 1 thread (out = x + t_x * T, same bytes): %.1f M customers/s\n",
           n / best_stream / 1e6);

    score_rows(ctx, bg, gg, n, x, tx, T, mx);

    /* The bulk call first (the figure against the target), then the same
     * customers one call each for comparison; each run faults in its own
     * fresh memory (blocks this large go back to the system when freed). */
    libdbm_stats *stats, *one_by_one;
    t0 = now();
    ok(libdbm_stats_new(&stats, ctx), "stats", ctx);
    ok(libdbm_stats_add_array(stats, x, tx, T, mx, NULL, n), "stats_add_array", ctx);
    double tb = now() - t0;
    t0 = now();
    ok(libdbm_stats_new(&one_by_one, ctx), "stats", ctx);
    for (long i = 0; i < n; i++)
        ok(libdbm_stats_add(one_by_one, x[i], tx[i], T[i], mx[i], 1), "stats_add", ctx);
    double tb_one = now() - t0;
    libdbm_stats_free(one_by_one);
    int64_t rows;
    libdbm_stats_rows(stats, &rows);
    libdbm_model *fit;
    ok(libdbm_model_new(&fit, ctx, LIBDBM_MODEL_BGNBD), "model", ctx);
    t0 = now();
    ok(libdbm_model_fit(fit, stats, NULL), "fit", ctx);
    double tf = now() - t0;
    double fp[4];
    int32_t iters;
    libdbm_model_get_params(fit, fp, 4);
    libdbm_model_fit_info(fit, NULL, &iters, NULL, NULL);
    printf("stats build of %ld customers (libdbm_stats_add_array): %.2f s (%lld groups; one "
           "libdbm_stats_add call each: %.2f s, %.2fx); BG/NBD fit: %.3f s (%d iterations); "
           "total %.2f s; fitted r=%.4f alpha=%.4f a=%.4f b=%.4f\n",
           n, tb, (long long)rows, tb_one, tb_one / tb, tf, iters, tb + tf, fp[0], fp[1], fp[2],
           fp[3]);

    cdnow_summary_row *rows_c;
    long nc = data_dir ? cdnow_summary_load(data_dir, &rows_c) : -1;
    if (nc > 0) {
        libdbm_stats *cs;
        ok(libdbm_stats_new(&cs, ctx), "stats", ctx);
        for (long i = 0; i < nc; i++)
            ok(libdbm_stats_add(cs, rows_c[i].x, rows_c[i].t_x, rows_c[i].T, rows_c[i].m_x, 1),
               "stats_add", ctx);
        double best = 1e30;
        for (int rep = 0; rep < 20; rep++) {
            libdbm_model *cm;
            ok(libdbm_model_new(&cm, ctx, LIBDBM_MODEL_BGNBD), "model", ctx);
            t0 = now();
            ok(libdbm_model_fit(cm, cs, NULL), "fit", ctx);
            best = fmin(best, now() - t0);
            libdbm_model_free(cm);
        }
        printf("BG/NBD fit on CDNOW (%ld customers): %.2f ms (best of 20)\n", nc, best * 1e3);
        libdbm_stats_free(cs);
        free(rows_c);
    } else {
        printf("BG/NBD fit on CDNOW: skipped (no DATA_DIR with the CDNOW summary)\n");
    }
    libdbm_model_free(fit);
    libdbm_stats_free(stats);
    libdbm_model_free(bg);
    libdbm_model_free(gg);
    libdbm_context_free(ctx);
    free(x); free(tx); free(T); free(mx); free(out); free(base);
    return 0;
}
