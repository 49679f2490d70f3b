/* RFM bins and segments through the public API: the documented quantile
 * rule on hand-made cases, permutation invariance, tie sharing, balanced
 * bins, saved boundaries reproducing the scores, blob corruption, the
 * default segment table and its text form, and allocation-failure sweeps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "failalloc.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The rule, written the slow way: count the strictly worse values. */
static int32_t reference_score(const double *values, int64_t n, double v, int better_small,
                               int32_t bins)
{
    int64_t worse = 0, i;
    for (i = 0; i < n; i++)
        worse += better_small ? values[i] > v : values[i] < v;
    return (int32_t)(worse * bins / n) + 1;
}

static void test_hand_cases(libdbm_context *ctx)
{
    /* 10 distinct values, 5 bins: two per bin. */
    double rec[10] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    double freq[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    double mon[10] = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
    int32_t r[10], f[10], m[10];
    int32_t want_r[10] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    int32_t want_m[10] = {5, 1, 5, 1, 4, 2, 4, 2, 3, 3};
    libdbm_rfm_bins *bins;
    double b;
    int i;
    CHECK_OK(libdbm_rfm_bins_fit(&bins, ctx, rec, freq, mon, 10, NULL));
    CHECK_OK(libdbm_rfm_bins_score(bins, r, f, m, rec, freq, mon, 10));
    for (i = 0; i < 10; i++) {
        CHECK(r[i] == want_r[i]);
        CHECK(f[i] == want_r[i]);
        CHECK(m[i] == want_m[i]);
    }
    /* Boundary k is the value at worst-to-best position ceil(k*n/bins)-1. */
    CHECK_OK(libdbm_rfm_bins_boundary(bins, &b, 0, 1));
    CHECK(b == 8);
    CHECK_OK(libdbm_rfm_bins_boundary(bins, &b, 1, 4));
    CHECK(b == 8);
    CHECK_STATUS(libdbm_rfm_bins_boundary(bins, &b, 1, 5), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_rfm_bins_boundary(bins, &b, 3, 1), LIBDBM_EINVAL);
    /* A new customer between boundaries. */
    {
        double nr = 2.5, nf = 0, nm = 1000;
        CHECK_OK(libdbm_rfm_bins_score(bins, r, f, m, &nr, &nf, &nm, 1));
        CHECK(r[0] == 4 && f[0] == 1 && m[0] == 5);
        CHECK_OK(libdbm_rfm_bins_score(bins, NULL, f, NULL, NULL, &nf, NULL, 1));
        CHECK_STATUS(libdbm_rfm_bins_score(bins, r, f, m, NULL, &nf, &nm, 1), LIBDBM_EINVAL);
        nf = NAN;
        CHECK_STATUS(libdbm_rfm_bins_score(bins, NULL, f, NULL, NULL, &nf, NULL, 1),
                     LIBDBM_EINVAL);
    }
    libdbm_rfm_bins_free(bins);

    /* Ties: 6 customers with frequency 1, 4 with 2..5. One-time buyers all
     * get the score of their first position (1); the rest follow. */
    {
        double fq[10] = {1, 1, 3, 1, 1, 5, 1, 2, 1, 4};
        double flat[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        CHECK_OK(libdbm_rfm_bins_fit(&bins, ctx, flat, fq, flat, 10, NULL));
        CHECK_OK(libdbm_rfm_bins_score(bins, r, f, m, flat, fq, flat, 10));
        for (i = 0; i < 10; i++) {
            CHECK(r[i] == 1 && m[i] == 1);   /* all tied: all share score 1 */
            CHECK(f[i] == (fq[i] == 1 ? 1 : fq[i] == 2 ? 4 : fq[i] == 3 ? 4 : 5));
        }
        libdbm_rfm_bins_free(bins);
    }
    /* Fewer customers than bins. */
    {
        double one = 3;
        CHECK_OK(libdbm_rfm_bins_fit(&bins, ctx, &one, &one, &one, 1, NULL));
        CHECK_OK(libdbm_rfm_bins_score(bins, r, f, m, &one, &one, &one, 1));
        CHECK(r[0] == 1 && f[0] == 1 && m[0] == 1);
        libdbm_rfm_bins_free(bins);
    }
    /* Bad input. */
    {
        double nan_values[2] = {1, NAN};
        libdbm_rfm_options opts = LIBDBM_RFM_OPTIONS_INIT;
        CHECK_STATUS(libdbm_rfm_bins_fit(&bins, ctx, rec, freq, nan_values, 2, NULL),
                     LIBDBM_EINVAL);
        CHECK(bins == NULL);
        CHECK(strstr(libdbm_context_errmsg(ctx), "monetary") != NULL);
        CHECK_STATUS(libdbm_rfm_bins_fit(&bins, ctx, rec, freq, mon, 0, NULL), LIBDBM_EINVAL);
        CHECK_STATUS(libdbm_rfm_bins_fit(&bins, ctx, NULL, freq, mon, 3, NULL), LIBDBM_EINVAL);
        opts.bins = 1;
        CHECK_STATUS(libdbm_rfm_bins_fit(&bins, ctx, rec, freq, mon, 10, &opts), LIBDBM_EINVAL);
        opts.bins = 5;
        opts.monetary_mode = 7;
        CHECK_STATUS(libdbm_rfm_bins_fit(&bins, ctx, rec, freq, mon, 10, &opts), LIBDBM_EINVAL);
        opts.monetary_mode = LIBDBM_RFM_MONETARY_AVERAGE;
        opts.struct_size = 2;
        CHECK_STATUS(libdbm_rfm_bins_fit(&bins, ctx, rec, freq, mon, 10, &opts), LIBDBM_EINVAL);
        CHECK_STATUS(libdbm_rfm_options_init(NULL), LIBDBM_EINVAL);
    }
}

/* Random data with many ties (small integer ranges) and without. */
static void fill_random(double *rec, double *freq, double *mon, int64_t n, int ties)
{
    int64_t i;
    for (i = 0; i < n; i++) {
        if (ties) {
            rec[i] = (double)(rng_next() % 60);
            freq[i] = (double)(1 + (rng_next() % 100 < 60 ? 0 : rng_next() % 8));
            mon[i] = (double)(rng_next() % 20) * 5.0;
        } else {
            rec[i] = (double)(rng_next() >> 11) / 9007199254740992.0 * 365.0;
            freq[i] = (double)i + 0.5;      /* distinct */
            mon[i] = (double)(rng_next() >> 11) / 1024.0;
        }
    }
}

static void test_random(libdbm_context *ctx, int64_t n, int32_t nbins, int ties)
{
    double *rec = malloc((size_t)n * sizeof(double)), *freq = malloc((size_t)n * sizeof(double));
    double *mon = malloc((size_t)n * sizeof(double));
    double *prec = malloc((size_t)n * sizeof(double)), *pfreq = malloc((size_t)n * sizeof(double));
    double *pmon = malloc((size_t)n * sizeof(double));
    int32_t *r = malloc((size_t)n * sizeof(int32_t)), *f = malloc((size_t)n * sizeof(int32_t));
    int32_t *m = malloc((size_t)n * sizeof(int32_t)), *r2 = malloc((size_t)n * sizeof(int32_t));
    int32_t *f2 = malloc((size_t)n * sizeof(int32_t)), *m2 = malloc((size_t)n * sizeof(int32_t));
    int64_t *perm = malloc((size_t)n * sizeof(int64_t));
    int64_t i, counts[3][101];
    libdbm_rfm_options opts = LIBDBM_RFM_OPTIONS_INIT;
    libdbm_rfm_bins *bins, *permuted, *loaded;
    void *blob;
    size_t size;
    int c, k;
    CHECK(rec && freq && mon && prec && pfreq && pmon && r && f && m && r2 && f2 && m2 && perm);
    opts.bins = nbins;
    fill_random(rec, freq, mon, n, ties);
    CHECK_OK(libdbm_rfm_bins_fit(&bins, ctx, rec, freq, mon, n, &opts));
    CHECK_OK(libdbm_rfm_bins_score(bins, r, f, m, rec, freq, mon, n));

    /* Against the slow rule, on a sample of customers. */
    for (i = 0; i < n; i += (n > 2000 ? n / 997 : 1)) {
        CHECK(r[i] == reference_score(rec, n, rec[i], 1, nbins));
        CHECK(f[i] == reference_score(freq, n, freq[i], 0, nbins));
        CHECK(m[i] == reference_score(mon, n, mon[i], 0, nbins));
    }
    /* Ties share a score; better values never score lower. */
    memset(counts, 0, sizeof(counts));
    for (i = 0; i < n; i++) {
        int64_t j = (int64_t)(rng_next() % (uint64_t)n);
        CHECK(r[i] >= 1 && r[i] <= nbins && f[i] >= 1 && f[i] <= nbins);
        if (rec[i] == rec[j])
            CHECK(r[i] == r[j]);
        if (rec[i] < rec[j])
            CHECK(r[i] >= r[j]);
        if (mon[i] == mon[j])
            CHECK(m[i] == m[j]);
        if (freq[i] > freq[j])
            CHECK(f[i] >= f[j]);
        counts[0][r[i]]++;
        counts[1][f[i]]++;
        counts[2][m[i]]++;
    }
    /* Balanced bins on distinct values: floor(n/bins) or ceil(n/bins). */
    if (!ties)
        for (c = 0; c < 3; c++)
            for (k = 1; k <= nbins; k++)
                CHECK(counts[c][k] == n / nbins || counts[c][k] == (n + nbins - 1) / nbins);

    /* Permutation invariance: shuffled input, same boundaries and scores. */
    for (i = 0; i < n; i++)
        perm[i] = i;
    for (i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)(rng_next() % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (i = 0; i < n; i++) {
        prec[i] = rec[perm[i]];
        pfreq[i] = freq[perm[i]];
        pmon[i] = mon[perm[i]];
    }
    CHECK_OK(libdbm_rfm_bins_fit(&permuted, ctx, prec, pfreq, pmon, n, &opts));
    CHECK_OK(libdbm_rfm_bins_score(permuted, r2, f2, m2, prec, pfreq, pmon, n));
    for (i = 0; i < n; i++)
        CHECK(r2[i] == r[perm[i]] && f2[i] == f[perm[i]] && m2[i] == m[perm[i]]);

    /* Saved boundaries reproduce the scores. */
    CHECK_OK(libdbm_rfm_bins_save(bins, &blob, &size));
    CHECK(size == (size_t)(6 * 4 + 3 * (nbins - 1) * 8 + 4));
    CHECK_OK(libdbm_rfm_bins_load(&loaded, ctx, blob, size));
    CHECK_OK(libdbm_rfm_bins_score(loaded, r2, f2, m2, rec, freq, mon, n));
    for (i = 0; i < n; i++)
        CHECK(r2[i] == r[i] && f2[i] == f[i] && m2[i] == m[i]);
    {
        int32_t nb, mm, fm, lb;
        CHECK_OK(libdbm_rfm_bins_info(loaded, &nb, &mm, &fm, &lb));
        CHECK(nb == nbins && mm == LIBDBM_RFM_MONETARY_TOTAL && fm == LIBDBM_RFM_FREQUENCY_DAYS
              && lb == 0);
    }
    libdbm_free_blob(blob);
    libdbm_rfm_bins_free(loaded);
    libdbm_rfm_bins_free(permuted);
    libdbm_rfm_bins_free(bins);
    free(rec); free(freq); free(mon); free(prec); free(pfreq); free(pmon);
    free(r); free(f); free(m); free(r2); free(f2); free(m2); free(perm);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Fitting and scoring on 1, 2 and 3 threads: the same boundaries, the
 * same scores. */
static void check_threads_agree(libdbm_context *ctx, const libdbm_rfm_bins *bins,
                                const double *v, int64_t n, const libdbm_rfm_options *opts)
{
    int32_t *one = malloc((size_t)n * 3 * sizeof(int32_t));
    int32_t *many = malloc((size_t)n * 3 * sizeof(int32_t));
    CHECK(one && many);
    CHECK_OK(libdbm_rfm_bins_score(bins, one, one + n, one + 2 * n, v, v, v, n));
    for (int32_t threads = 2; threads <= 3; threads++) {
        libdbm_rfm_bins *other;
        CHECK_OK(libdbm_rfm_bins_fit_threads(&other, ctx, v, v, v, n, opts, threads));
        for (int c = 0; c < 3; c++)
            for (int k = 1; k < opts->bins; k++) {
                double a, b;
                CHECK_OK(libdbm_rfm_bins_boundary(bins, &a, c, k));
                CHECK_OK(libdbm_rfm_bins_boundary(other, &b, c, k));
                CHECK(memcmp(&a, &b, sizeof(a)) == 0);
            }
        CHECK_OK(libdbm_rfm_bins_score_threads(other, many, many + n, many + 2 * n, v, v, v, n,
                                               threads));
        CHECK(memcmp(one, many, (size_t)n * 3 * sizeof(int32_t)) == 0);
        libdbm_rfm_bins_free(other);
    }
    free(one);
    free(many);
}

/* Columns long enough for the histogram selection (quantile.c, n >= 2^16):
 * every boundary equals the value a sorted copy holds at the rule's
 * position (ceil(k n / bins) - 1 of the ascending "goodness" keys, recency
 * negated). Shapes: continuous, few distinct values, everything inside
 * one histogram bucket, both signs with -0 and +0, 600 orders of magnitude. */
static void test_large_boundaries(libdbm_context *ctx)
{
    enum { N = 70001, SHAPES = 5 };
    static const int32_t bin_counts[3] = {5, 7, 100};
    double *v = malloc(N * sizeof(double)), *sorted = malloc(N * sizeof(double));
    int shape, b, c, k;
    CHECK(v && sorted);
    for (shape = 0; shape < SHAPES; shape++) {
        for (int i = 0; i < N; i++) {
            double u = (double)(rng_next() >> 11) * 0x1p-53;
            switch (shape) {
            case 0: v[i] = 1000.0 * u; break;
            case 1: v[i] = (double)(rng_next() % 10); break;
            case 2: v[i] = 100.0 + 1e-9 * u; break;
            case 3: v[i] = i % 7 == 0 ? -0.0 : i % 7 == 1 ? 0.0 : 50.0 * (u - 0.5); break;
            default: v[i] = pow(10.0, 600.0 * u - 300.0); break;
            }
        }
        for (b = 0; b < 3; b++) {
            libdbm_rfm_options opts = LIBDBM_RFM_OPTIONS_INIT;
            libdbm_rfm_bins *bins;
            opts.bins = bin_counts[b];
            CHECK_OK(libdbm_rfm_bins_fit(&bins, ctx, v, v, v, N, &opts));
            check_threads_agree(ctx, bins, v, N, &opts);
            for (c = 0; c < 3; c++) {
                double sign = c == 0 ? -1.0 : 1.0;
                for (int i = 0; i < N; i++)
                    sorted[i] = sign * v[i];
                qsort(sorted, N, sizeof(double), compare_doubles);
                for (k = 1; k < opts.bins; k++) {
                    int64_t pos = ((int64_t)k * N + opts.bins - 1) / opts.bins - 1;
                    double got;
                    CHECK_OK(libdbm_rfm_bins_boundary(bins, &got, c, k));
                    CHECK(got == sign * sorted[pos]);
                }
            }
            libdbm_rfm_bins_free(bins);
        }
    }
    /* The first NaN is named, whichever thread's part it is in. */
    v[N - 10] = NAN;
    v[N / 2] = NAN;
    {
        libdbm_rfm_bins *bins, *good;
        int32_t *scores = malloc(N * sizeof(int32_t));
        CHECK(scores != NULL);
        CHECK_STATUS(libdbm_rfm_bins_fit_threads(&bins, ctx, v, v, v, N, NULL, 2),
                     LIBDBM_EINVAL);
        CHECK(strstr(libdbm_context_errmsg(ctx), "35000") != NULL);
        CHECK_STATUS(libdbm_rfm_bins_fit(&bins, ctx, v, v, v, N, NULL), LIBDBM_EINVAL);
        CHECK(strstr(libdbm_context_errmsg(ctx), "35000") != NULL);
        CHECK_OK(libdbm_rfm_bins_fit(&good, ctx, sorted, sorted, sorted, N, NULL));
        CHECK_STATUS(libdbm_rfm_bins_score_threads(good, NULL, NULL, scores, NULL, NULL, v, N,
                                                   4), LIBDBM_EINVAL);
        CHECK(strstr(libdbm_context_errmsg(ctx), "monetary value 35000 is NaN") != NULL);
        CHECK_STATUS(libdbm_rfm_bins_score_threads(good, NULL, NULL, scores, NULL, NULL,
                                                   sorted, N, -1), LIBDBM_EINVAL);
        CHECK_STATUS(libdbm_rfm_bins_fit_threads(&bins, ctx, sorted, sorted, sorted, N, NULL,
                                                 -1), LIBDBM_EINVAL);
        libdbm_rfm_bins_free(good);
        free(scores);
    }
    free(v);
    free(sorted);
}

/* Adversarial shapes for the selection: sorted, reversed, all equal,
 * organ pipe. The scores must still follow the rule. */
static void test_shapes(libdbm_context *ctx)
{
    enum { N = 5000 };
    static double v[N];
    static int32_t s[N];
    int shape, i;
    for (shape = 0; shape < 4; shape++) {
        libdbm_rfm_bins *bins;
        for (i = 0; i < N; i++)
            v[i] = shape == 0 ? i : shape == 1 ? N - i : shape == 2 ? 7 : (i < N / 2 ? i : N - i);
        CHECK_OK(libdbm_rfm_bins_fit(&bins, ctx, v, v, v, N, NULL));
        CHECK_OK(libdbm_rfm_bins_score(bins, NULL, s, NULL, NULL, v, NULL, N));
        for (i = 0; i < N; i += 7)
            CHECK(s[i] == reference_score(v, N, v[i], 0, 5));
        libdbm_rfm_bins_free(bins);
    }
}

static void test_blob_corruption(libdbm_context *ctx)
{
    double v[4] = {1, 2, 3, 4};
    libdbm_rfm_bins *bins, *loaded;
    unsigned char *copy;
    void *blob;
    size_t size, i;
    CHECK_OK(libdbm_rfm_bins_fit(&bins, ctx, v, v, v, 4, NULL));
    CHECK_OK(libdbm_rfm_bins_save(bins, &blob, &size));
    copy = malloc(size);
    CHECK(copy != NULL);
    /* Portable layout: magic "RBFM", version 1 little-endian. */
    CHECK(memcmp(blob, "RBFM\1\0\0\0", 8) == 0);
    for (i = 0; i < size; i++) {
        memcpy(copy, blob, size);
        copy[i] ^= 0x10;
        CHECK(libdbm_rfm_bins_load(&loaded, ctx, copy, size) != LIBDBM_OK);
        CHECK(loaded == NULL);
    }
    for (i = 0; i < size; i++)
        CHECK_STATUS(libdbm_rfm_bins_load(&loaded, ctx, blob, i), LIBDBM_ECORRUPT);
    CHECK_STATUS(libdbm_rfm_bins_load(&loaded, ctx, NULL, 10), LIBDBM_EINVAL);
    free(copy);
    libdbm_free_blob(blob);
    libdbm_rfm_bins_free(bins);
}

static const char *classify(const libdbm_rfm_segments *segs, int r, int f, int m)
{
    const char *name = NULL;
    CHECK_OK(libdbm_rfm_segments_classify(segs, &name, NULL, r, f, m));
    CHECK(name != NULL);
    return name;
}

static void test_segments(libdbm_context *ctx)
{
    libdbm_rfm_segments *segs;
    int32_t count, rule;
    const char *name;
    CHECK_OK(libdbm_rfm_segments_new_default(&segs, ctx));
    CHECK_OK(libdbm_rfm_segments_count(segs, &count));
    CHECK(count == 11);
    CHECK(strcmp(classify(segs, 5, 5, 5), "Champions") == 0);
    CHECK(strcmp(classify(segs, 2, 3, 5), "Loyal Customers") == 0);
    CHECK(strcmp(classify(segs, 5, 1, 1), "Potential Loyalist") == 0); /* before New Customers */
    CHECK(strcmp(classify(segs, 2, 2, 2), "Need Attention") == 0);
    CHECK(strcmp(classify(segs, 3, 1, 2), "Potential Loyalist") == 0);
    CHECK(strcmp(classify(segs, 2, 1, 2), "About To Sleep") == 0);
    CHECK(strcmp(classify(segs, 1, 3, 4), "At Risk") == 0);
    CHECK(strcmp(classify(segs, 1, 1, 1), "Hibernating") == 0);      /* Lost never wins */
    CHECK(strcmp(classify(segs, 1, 1, 5), "Others") == 0);
    CHECK_OK(libdbm_rfm_segments_classify(segs, &name, &rule, 1, 1, 5));
    CHECK(rule == -1);
    CHECK_OK(libdbm_rfm_segments_classify(segs, &name, &rule, 1, 2, 1));
    CHECK(rule == 9);

    /* User table: clear, add, reorder via the text form. */
    CHECK_OK(libdbm_rfm_segments_clear(segs));
    CHECK(strcmp(classify(segs, 5, 5, 5), "Others") == 0);
    CHECK_OK(libdbm_rfm_segments_add_rule(segs, "Lost", 1, 2, 1, 2, 1, 2));
    CHECK_STATUS(libdbm_rfm_segments_add_rule(segs, "Bad", 3, 2, 1, 1, 1, 1), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_rfm_segments_add_rule(segs, "", 1, 1, 1, 1, 1, 1), LIBDBM_EINVAL);
    CHECK(strcmp(classify(segs, 1, 1, 1), "Lost") == 0);
    CHECK_OK(libdbm_rfm_segments_parse(segs,
        "# my table\n"
        "  Best customers : r=5 f=4-5 m=4-5\r\n"
        "\n"
        "Frequent: f=5\n"
        "Everyone else:\n"));
    CHECK_OK(libdbm_rfm_segments_count(segs, &count));
    CHECK(count == 4);
    CHECK(strcmp(classify(segs, 5, 4, 5), "Best customers") == 0);
    CHECK(strcmp(classify(segs, 4, 5, 1), "Frequent") == 0);
    CHECK(strcmp(classify(segs, 4, 4, 1), "Everyone else") == 0);
    CHECK(strcmp(classify(segs, 2, 1, 1), "Lost") == 0);
    CHECK_OK(libdbm_rfm_segments_set_fallback(segs, "Unknown"));
    CHECK_OK(libdbm_rfm_segments_clear(segs));
    CHECK(strcmp(classify(segs, 2, 1, 1), "Unknown") == 0);
    /* Syntax errors leave the table unchanged and say where. */
    CHECK_STATUS(libdbm_rfm_segments_parse(segs, "A: r=1-2\nB r=1\n"), LIBDBM_ESYNTAX);
    CHECK(strstr(libdbm_context_errmsg(ctx), "line 2") != NULL);
    CHECK_STATUS(libdbm_rfm_segments_parse(segs, "A: r=1-2 x=3\n"), LIBDBM_ESYNTAX);
    CHECK(strstr(libdbm_context_errmsg(ctx), "column 10") != NULL);
    CHECK_STATUS(libdbm_rfm_segments_parse(segs, "A: r=3-2\n"), LIBDBM_ESYNTAX);
    CHECK_STATUS(libdbm_rfm_segments_parse(segs, "A: r=1 r=2\n"), LIBDBM_ESYNTAX);
    CHECK_STATUS(libdbm_rfm_segments_parse(segs, ": r=1\n"), LIBDBM_ESYNTAX);
    CHECK_STATUS(libdbm_rfm_segments_parse(segs, "A: r=\n"), LIBDBM_ESYNTAX);
    CHECK_STATUS(libdbm_rfm_segments_parse(segs, "A: r=1f=2\n"), LIBDBM_ESYNTAX);
    CHECK_OK(libdbm_rfm_segments_count(segs, &count));
    CHECK(count == 0);
    CHECK_STATUS(libdbm_rfm_segments_parse(segs, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_rfm_segments_classify(NULL, &name, NULL, 1, 1, 1), LIBDBM_EINVAL);
    libdbm_rfm_segments_free(segs);
    libdbm_rfm_segments_free(NULL);
    libdbm_rfm_bins_free(NULL);
}

/* ---- allocation-failure sweeps ---------------------------------------- */

static int sweep_bins(const libdbm_context_options *options, void *user_data)
{
    double v[20];
    libdbm_context *ctx;
    libdbm_rfm_bins *bins = NULL, *loaded = NULL;
    void *blob = NULL;
    size_t size;
    int32_t s[20];
    int i, status;
    (void)user_data;
    for (i = 0; i < 20; i++)
        v[i] = (i * 7) % 11;
    status = libdbm_context_new(&ctx, options);
    if (status != LIBDBM_OK)
        return status;
    status = libdbm_rfm_bins_fit(&bins, ctx, v, v, v, 20, NULL);
    if (status == LIBDBM_OK)
        status = libdbm_rfm_bins_save(bins, &blob, &size);
    if (status == LIBDBM_OK)
        status = libdbm_rfm_bins_load(&loaded, ctx, blob, size);
    if (status == LIBDBM_OK)
        status = libdbm_rfm_bins_score(loaded, s, s, s, v, v, v, 20);
    libdbm_free_blob(blob);
    libdbm_rfm_bins_free(loaded);
    libdbm_rfm_bins_free(bins);
    libdbm_context_free(ctx);
    return status;
}

/* The histogram selection's allocations (columns of 2^16 and more). */
static int sweep_large_bins(const libdbm_context_options *options, void *user_data)
{
    enum { N = 70000 };
    double *v = malloc(N * sizeof(double));
    libdbm_context *ctx;
    libdbm_rfm_bins *bins = NULL;
    int i, status;
    (void)user_data;
    if (v == NULL)
        return LIBDBM_ENOMEM;
    for (i = 0; i < N; i++)
        v[i] = (i * 7919) % 1009;
    status = libdbm_context_new(&ctx, options);
    if (status == LIBDBM_OK) {
        status = libdbm_rfm_bins_fit(&bins, ctx, v, v, v, N, NULL);
        libdbm_rfm_bins_free(bins);
        libdbm_context_free(ctx);
    }
    free(v);
    return status;
}

static int sweep_segments(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    libdbm_rfm_segments *segs = NULL;
    int32_t count = -1;
    int status;
    (void)user_data;
    status = libdbm_context_new(&ctx, options);
    if (status != LIBDBM_OK)
        return status;
    status = libdbm_rfm_segments_new_default(&segs, ctx);
    if (status == LIBDBM_OK)
        status = libdbm_rfm_segments_add_rule(segs, "Extra", 1, 5, 1, 5, 1, 5);
    if (status == LIBDBM_OK) {
        status = libdbm_rfm_segments_parse(segs, "A: r=1\nB: f=2-3\nC: m=4\n");
        /* all or nothing */
        CHECK_OK(libdbm_rfm_segments_count(segs, &count));
        CHECK(count == (status == LIBDBM_OK ? 15 : 12));
    }
    if (status == LIBDBM_OK)
        status = libdbm_rfm_segments_set_fallback(segs, "Nobody");
    libdbm_rfm_segments_free(segs);
    libdbm_context_free(ctx);
    return status;
}

int main(void)
{
    libdbm_context *ctx;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_hand_cases(ctx);
    test_random(ctx, 1000, 5, 1);
    test_random(ctx, 1000, 5, 0);
    test_random(ctx, 997, 7, 0);
    test_random(ctx, 20011, 5, 1);
    test_random(ctx, 20011, 10, 0);
    test_random(ctx, 3, 5, 0);
    test_random(ctx, 100003, 5, 1);
    test_random(ctx, 100003, 10, 0);
    test_large_boundaries(ctx);
    test_shapes(ctx);
    test_blob_corruption(ctx);
    test_segments(ctx);
    libdbm_context_free(ctx);
    failalloc_sweep_or_die("rfm bins", sweep_bins, NULL, 100);
    failalloc_sweep_or_die("rfm bins, large columns", sweep_large_bins, NULL, 100);
    failalloc_sweep_or_die("rfm segments", sweep_segments, NULL, 200);
    puts("scoring-rfm: ok");
    return 0;
}
