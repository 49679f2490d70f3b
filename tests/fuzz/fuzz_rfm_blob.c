/* libFuzzer target for the RFM bin boundaries blob loader
 * (libdbm_rfm_bins_load, lib/scoring/rfm.c). The input is loaded as it is
 * and again with the right CRC-32C in its last 4 bytes (fuzz_reseal).
 * Boundaries that load must save to exactly the loaded bytes, and scoring
 * values around and at every boundary must give what include/libdbm/rfm.h
 * states: score = 1 + #{k : value strictly better than boundary k}, in
 * 1..bins, the same with two threads. A violation calls abort(). Build and
 * run: docs/fuzzing.md; the seed corpus (tests/fuzz/corpus/rfm-blob) was
 * written by libdbm_rfm_bins_save (fuzz_scoring_seeds.c). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_scoring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VALUES (3 * LIBDBM_RFM_MAX_BINS + 16)

/* The rule of include/libdbm/rfm.h, from the boundaries alone. Recency
 * (column 0) is better when smaller, frequency and monetary when larger. */
static int32_t expected_score(const double *bounds, int32_t n, int column, double v)
{
    int32_t score = 1, k;
    for (k = 0; k < n; k++)
        if (column == 0 ? v < bounds[k] : v > bounds[k])
            score++;
    return score;
}

static void check_scores(const libdbm_rfm_bins *bins, int32_t nbins)
{
    static const double fixed[] = { -INFINITY, -1e300, -1, 0, 0.5, 1, 3, 10, 1e9, INFINITY };
    double bounds[3][LIBDBM_RFM_MAX_BINS], values[MAX_VALUES];
    int32_t scores[3][MAX_VALUES], scores2[3][MAX_VALUES], k;
    int n = 0, c, i, status;
    for (i = 0; i < (int)(sizeof(fixed) / sizeof(fixed[0])); i++)
        values[n++] = fixed[i];
    for (c = 0; c < 3; c++)
        for (k = 1; k < nbins; k++) {
            if ((status = libdbm_rfm_bins_boundary(bins, &bounds[c][k - 1], c, k)) != LIBDBM_OK)
                fuzz_fail("rfm_bins_boundary", status);
            if (isnan(bounds[c][k - 1]))
                fuzz_fail("a loaded boundary is NaN", LIBDBM_OK);
            /* the boundary itself and its neighbours */
            if (k % 7 == 1 || k == nbins - 1) {
                values[n++] = bounds[c][k - 1];
                values[n++] = nextafter(bounds[c][k - 1], -INFINITY);
                values[n++] = nextafter(bounds[c][k - 1], INFINITY);
            }
        }
    status = libdbm_rfm_bins_score(bins, scores[0], scores[1], scores[2], values, values, values,
                                   n);
    if (status != LIBDBM_OK)
        fuzz_fail("rfm_bins_score", status);
    status = libdbm_rfm_bins_score_threads(bins, scores2[0], scores2[1], scores2[2], values,
                                           values, values, n, 2);
    if (status != LIBDBM_OK)
        fuzz_fail("rfm_bins_score_threads", status);
    /* only the first n scores of each column were written */
    for (c = 0; c < 3; c++)
        if (memcmp(scores[c], scores2[c], (size_t)n * sizeof(int32_t)) != 0)
            fuzz_fail("rfm_bins_score_threads differs", status);
    for (c = 0; c < 3; c++)
        for (i = 0; i < n; i++) {
            int32_t want = expected_score(bounds[c], nbins - 1, c, values[i]);
            if (scores[c][i] != want || want < 1 || want > nbins) {
                fprintf(stderr, "column %d, value %.17g: score %d, the rule gives %d (%d bins)\n",
                        c, values[i], (int)scores[c][i], (int)want, (int)nbins);
                abort();
            }
        }
    /* Without a column's arrays, that score is skipped. */
    if (libdbm_rfm_bins_score(bins, NULL, scores2[1], NULL, NULL, values, NULL, n) != LIBDBM_OK ||
        memcmp(scores2[1], scores[1], (size_t)n * sizeof(int32_t)) != 0)
        fuzz_fail("rfm_bins_score of one column", LIBDBM_OK);
}

static void load(libdbm_context *ctx, const unsigned char *blob, size_t size)
{
    libdbm_rfm_bins *bins = NULL;
    void *saved = NULL;
    size_t len = 0;
    int32_t nbins = 0, monetary = -1, frequency = -1, lookback = -1;
    int status;
    if (libdbm_rfm_bins_load(&bins, ctx, blob, size) != LIBDBM_OK)
        return;
    if ((status = libdbm_rfm_bins_save(bins, &saved, &len)) != LIBDBM_OK)
        fuzz_fail("rfm_bins_save", status);
    if (len != size || memcmp(saved, blob, size) != 0) {
        fprintf(stderr, "loaded RFM bins save to other bytes\n");
        abort();
    }
    libdbm_free_blob(saved);
    if (libdbm_rfm_bins_info(bins, &nbins, &monetary, &frequency, &lookback) != LIBDBM_OK ||
        nbins < 2 || nbins > LIBDBM_RFM_MAX_BINS || monetary < 0 || frequency < 0 || lookback < 0)
        fuzz_fail("rfm_bins_info", LIBDBM_OK);
    check_scores(bins, nbins);
    libdbm_rfm_bins_free(bins);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_blob_target(data, size, load);
}
