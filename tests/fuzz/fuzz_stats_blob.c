/* libFuzzer target for the sufficient-statistics blob loader
 * (libdbm_stats_load, lib/scoring/stats.c). The input is loaded as it is
 * and again with the right CRC-32C in its last 4 bytes (fuzz_reseal).
 * Statistics that load must save and load again to the same bytes, merge
 * into empty statistics, give a finite log-likelihood (or LIBDBM_ERANGE)
 * under three fixed models, and, when small, fit a BG/NBD and a
 * Gamma-Gamma model with few iterations: the fit converges or says it did
 * not, never leaves parameters that are not finite and > 0, and a fitted
 * model keeps the promises of fuzz_check_model. A violation calls abort().
 * Build and run: docs/fuzzing.md; the seed corpus
 * (tests/fuzz/corpus/stats-blob) was written by libdbm_stats_save
 * (fuzz_scoring_seeds.c). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_scoring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fitting is the costly part: only statistics this small are fitted. */
#define MAX_FIT_ROWS 64

static void check_likelihoods(libdbm_context *ctx, const libdbm_stats *s)
{
    static const double params[3][4] = { { 0.243, 4.414, 0.793, 2.426 },
                                         { 0.55, 10.58, 0.61, 11.67 },
                                         { 6.25, 3.74, 15.44, 0 } };
    static const int kinds[3] = { LIBDBM_MODEL_BGNBD, LIBDBM_MODEL_PARETO_NBD,
                                  LIBDBM_MODEL_GAMMA_GAMMA };
    int k;
    for (k = 0; k < 3; k++) {
        libdbm_model *m = NULL;
        double ll = 0;
        int status;
        if (libdbm_model_new(&m, ctx, kinds[k]) != LIBDBM_OK ||
            libdbm_model_set_params(m, params[k], k == 2 ? 3 : 4) != LIBDBM_OK)
            fuzz_fail("model", LIBDBM_EINVAL);
        status = libdbm_model_log_likelihood(m, s, &ll);
        if ((status == LIBDBM_OK && !isfinite(ll)) ||
            (status != LIBDBM_OK && status != LIBDBM_ERANGE))
            fuzz_fail("log_likelihood", status);
        libdbm_model_free(m);
    }
}

static void check_fit(libdbm_context *ctx, const libdbm_stats *s, int kind)
{
    libdbm_fit_options opt = LIBDBM_FIT_OPTIONS_INIT;
    libdbm_model *m = NULL;
    double params[4];
    int32_t count = 0, i;
    int status;
    opt.max_iterations = 25;
    if (libdbm_model_new(&m, ctx, kind) != LIBDBM_OK)
        fuzz_fail("model_new", LIBDBM_EINVAL);
    status = libdbm_model_fit(m, s, &opt);
    if (status != LIBDBM_OK && status != LIBDBM_ENOCONVERGE)
        fuzz_fail("model_fit", status);
    /* "never left with NaN parameters" (include/libdbm/model.h) */
    libdbm_model_param_count(m, &count);
    libdbm_model_get_params(m, params, 4);
    for (i = 0; i < count; i++)
        if (!(params[i] > 0) || !isfinite(params[i])) {
            fprintf(stderr, "model_fit left parameter %d = %g\n", (int)i, params[i]);
            abort();
        }
    if (status == LIBDBM_OK)
        fuzz_check_model(m);
    libdbm_model_free(m);
}

static void load(libdbm_context *ctx, const unsigned char *blob, size_t size)
{
    libdbm_stats *s = NULL, *again = NULL, *merged = NULL;
    void *saved = NULL, *saved2 = NULL;
    size_t len = 0, len2 = 0;
    double customers = -1, merged_customers = -1;
    int64_t rows = -1;
    int status;
    if (libdbm_stats_load(&s, ctx, blob, size) != LIBDBM_OK)
        return;
    if (libdbm_stats_customers(s, &customers) != LIBDBM_OK || !(customers >= 0) ||
        !isfinite(customers) || libdbm_stats_rows(s, &rows) != LIBDBM_OK || rows < 0) {
        fprintf(stderr, "loaded statistics: %g customers, %lld rows\n", customers,
                (long long)rows);
        abort();
    }
    if ((status = libdbm_stats_save(s, &saved, &len)) != LIBDBM_OK)
        fuzz_fail("stats_save", status);
    if ((status = libdbm_stats_load(&again, ctx, saved, len)) != LIBDBM_OK)
        fuzz_fail("stats_load of stats_save", status);
    if (libdbm_stats_save(again, &saved2, &len2) != LIBDBM_OK || len != len2 ||
        memcmp(saved, saved2, len) != 0) {
        fprintf(stderr, "statistics do not save to the same bytes twice\n");
        abort();
    }
    if (libdbm_stats_new(&merged, ctx) != LIBDBM_OK ||
        (status = libdbm_stats_merge(merged, s)) != LIBDBM_OK)
        fuzz_fail("stats_merge", status);
    libdbm_stats_customers(merged, &merged_customers);
    if (merged_customers != customers) {
        fprintf(stderr, "merged into empty statistics: %g customers, not %g\n",
                merged_customers, customers);
        abort();
    }
    check_likelihoods(ctx, s);
    if (rows <= MAX_FIT_ROWS) {
        check_fit(ctx, s, LIBDBM_MODEL_BGNBD);
        check_fit(ctx, s, LIBDBM_MODEL_GAMMA_GAMMA);
    }
    libdbm_free_blob(saved);
    libdbm_free_blob(saved2);
    libdbm_stats_free(s);
    libdbm_stats_free(again);
    libdbm_stats_free(merged);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_blob_target(data, size, load);
}
