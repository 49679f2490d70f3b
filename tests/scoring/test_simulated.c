/* Parameter recovery: 100,000 customers simulated from known BG/NBD and
 * Gamma-Gamma parameters (our own seeded PRNG); the fits must land within
 * 3 standard errors of the truth, and the standard errors must be sane. */
#include <math.h>
#include <stdio.h>

#include "bgnbd_sim.h"
#include "check.h"

int main(void)
{
    static const double truth[4] = { 0.25, 4.0, 0.8, 2.5 };
    static const double spend_truth[3] = { 6.0, 4.0, 15.0 };
    libdbm_context *ctx;
    libdbm_stats *stats;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_stats_new(&stats, ctx));
    sim_rng g;
    sim_seed(&g, 20050101);
    for (int i = 0; i < 100000; i++) {
        double x, tx, mx, T = 27 + 12 * sim_uniform(&g);   /* a 12-week cohort, 39-week window */
        sim_customer(&g, truth, &T, 0, spend_truth, &x, &tx, &mx);
        CHECK_OK(libdbm_stats_add(stats, x, tx, T, mx, 1));
    }
    libdbm_model *bg, *gg;
    CHECK_OK(libdbm_model_new(&bg, ctx, LIBDBM_MODEL_BGNBD));
    CHECK_OK(libdbm_model_fit(bg, stats, NULL));
    CHECK_OK(libdbm_model_new(&gg, ctx, LIBDBM_MODEL_GAMMA_GAMMA));
    CHECK_OK(libdbm_model_fit(gg, stats, NULL));
    double p[4], se[4], q[3], qse[3], secs;
    int64_t rows;
    CHECK_OK(libdbm_stats_rows(stats, &rows));
    CHECK_OK(libdbm_model_get_params(bg, p, 4));
    CHECK_OK(libdbm_model_std_errors(bg, se, 4));
    CHECK_OK(libdbm_model_fit_info(bg, NULL, NULL, NULL, &secs));
    const char *names[4] = { "r", "alpha", "a", "b" };
    printf("BG/NBD, 100000 simulated customers (%lld groups), fit in %.3f s:\n", (long long)rows, secs);
    for (int i = 0; i < 4; i++) {
        printf("  %-5s true %.4f fitted %.4f se %.4f (%+.2f se)\n", names[i], truth[i], p[i], se[i],
               (p[i] - truth[i]) / se[i]);
        CHECK(fabs(p[i] - truth[i]) <= 3 * se[i]);
        CHECK(se[i] > 0 && se[i] < 0.2 * truth[i]);
    }
    CHECK_OK(libdbm_model_get_params(gg, q, 3));
    CHECK_OK(libdbm_model_std_errors(gg, qse, 3));
    const char *gnames[3] = { "p", "q", "gamma" };
    printf("Gamma-Gamma on the repeat buyers:\n");
    for (int i = 0; i < 3; i++) {
        printf("  %-5s true %.4f fitted %.4f se %.4f (%+.2f se)\n", gnames[i], spend_truth[i], q[i],
               qse[i], (q[i] - spend_truth[i]) / qse[i]);
        CHECK(fabs(q[i] - spend_truth[i]) <= 3 * qse[i]);
        CHECK(qse[i] > 0 && qse[i] < 0.2 * spend_truth[i]);
    }
    libdbm_model_free(bg);
    libdbm_model_free(gg);
    libdbm_stats_free(stats);
    libdbm_context_free(ctx);
    return 0;
}
