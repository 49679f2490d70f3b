/* Test helper for check_bgnbd_lifetimes.py: for each CDNOW customer prints
 * "p_alive E[Y(t)]" (%.17g) under the BG/NBD parameters and t given as
 * arguments; with "fit", prints the library's BG/NBD fit (r alpha a b) and
 * Gamma-Gamma fit (p q gamma) on the same summary, one line each.
 * Usage: bgnbd-score-tool DATA_DIR r alpha a b t | bgnbd-score-tool DATA_DIR fit */
#include <stdio.h>
#include <stdlib.h>

#include <libdbm.h>

#include "cdnow_summary.h"

static int print_fits(const cdnow_summary_row *rows, long n)
{
    libdbm_context *ctx;
    libdbm_stats *stats;
    libdbm_model *bg, *gg;
    double p[4];
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK || libdbm_stats_new(&stats, ctx) != LIBDBM_OK)
        return 2;
    for (long i = 0; i < n; i++)
        if (libdbm_stats_add(stats, rows[i].x, rows[i].t_x, rows[i].T, rows[i].m_x, 1) != LIBDBM_OK)
            return 4;
    if (libdbm_model_new(&bg, ctx, LIBDBM_MODEL_BGNBD) != LIBDBM_OK ||
        libdbm_model_fit(bg, stats, NULL) != LIBDBM_OK ||
        libdbm_model_get_params(bg, p, 4) != LIBDBM_OK)
        return 5;
    printf("%.17g %.17g %.17g %.17g\n", p[0], p[1], p[2], p[3]);
    if (libdbm_model_new(&gg, ctx, LIBDBM_MODEL_GAMMA_GAMMA) != LIBDBM_OK ||
        libdbm_model_fit(gg, stats, NULL) != LIBDBM_OK ||
        libdbm_model_get_params(gg, p, 3) != LIBDBM_OK)
        return 5;
    printf("%.17g %.17g %.17g\n", p[0], p[1], p[2]);
    libdbm_model_free(bg);
    libdbm_model_free(gg);
    libdbm_stats_free(stats);
    libdbm_context_free(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 7 && argc != 3)
        return 2;
    cdnow_summary_row *rows;
    long n = cdnow_summary_load(argv[1], &rows);
    if (n < 0)
        return 3;
    if (argc == 3) {
        int rc = print_fits(rows, n);
        free(rows);
        return rc;
    }
    double p[4], t = atof(argv[6]);
    for (int i = 0; i < 4; i++)
        p[i] = atof(argv[2 + i]);
    libdbm_context *ctx;
    libdbm_model *m;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK ||
        libdbm_model_new(&m, ctx, LIBDBM_MODEL_BGNBD) != LIBDBM_OK ||
        libdbm_model_set_params(m, p, 4) != LIBDBM_OK)
        return 2;
    for (long i = 0; i < n; i++) {
        double pa, ey;
        if (libdbm_model_p_alive(m, &pa, rows[i].x, rows[i].t_x, rows[i].T) != LIBDBM_OK ||
            libdbm_model_expected_purchases(m, &ey, t, rows[i].x, rows[i].t_x, rows[i].T) !=
                LIBDBM_OK)
            return 4;
        printf("%.17g %.17g\n", pa, ey);
    }
    libdbm_model_free(m);
    libdbm_context_free(ctx);
    free(rows);
    return 0;
}
