/* RFM scoring throughput: fit the bin boundaries and score N synthetic
 * customers (default 10 million) through the public API, against a plain
 * baseline measured in the same run: qsort each column, then find every
 * customer's rank by binary search (the rule written the obvious way).
 * Both must give the same scores; the benchmark says so and fails if not.
 * Usage: bench-rfm [N]. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libdbm.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t state = 42;
static uint64_t next(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Baseline: sort the goodness keys, L = lower_bound(key), score = 1 + L*bins/n. */
static void naive_scores(const double *v, int32_t *out, size_t n, int smaller_better, int bins,
                         double *sorted)
{
    size_t i;
    for (i = 0; i < n; i++)
        sorted[i] = smaller_better ? -v[i] : v[i];
    qsort(sorted, n, sizeof(double), cmp_double);
    for (i = 0; i < n; i++) {
        double key = smaller_better ? -v[i] : v[i];
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (sorted[mid] < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        out[i] = (int32_t)((unsigned long long)lo * (unsigned long long)bins / n) + 1;
    }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000u, i;
    double *rec = malloc(n * sizeof(double)), *freq = malloc(n * sizeof(double));
    double *mon = malloc(n * sizeof(double)), *tmp = malloc(n * sizeof(double));
    int32_t *r = malloc(n * sizeof(int32_t)), *f = malloc(n * sizeof(int32_t));
    int32_t *m = malloc(n * sizeof(int32_t)), *nr = malloc(n * sizeof(int32_t));
    int32_t *nf = malloc(n * sizeof(int32_t)), *nm = malloc(n * sizeof(int32_t));
    libdbm_context *ctx;
    libdbm_rfm_bins *bins;
    double t0, t_fit, t_score, t_naive;
    if (!rec || !freq || !mon || !tmp || !r || !f || !m || !nr || !nf || !nm || n == 0)
        return 1;
    /* Realistic shapes: recency in days (ties), frequency mostly 1 (heavy
     * ties), monetary continuous with cents. */
    for (i = 0; i < n; i++) {
        uint64_t u = next();
        rec[i] = (double)(u % 730);
        freq[i] = (u >> 20) % 100 < 55 ? 1.0 : (double)(2 + (u >> 28) % 30);
        mon[i] = (double)((u >> 34) % 5000000) / 100.0;
    }
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 1;
    t0 = now();
    if (libdbm_rfm_bins_fit(&bins, ctx, rec, freq, mon, (int64_t)n, NULL) != LIBDBM_OK)
        return 1;
    t_fit = now() - t0;
    t0 = now();
    if (libdbm_rfm_bins_score(bins, r, f, m, rec, freq, mon, (int64_t)n) != LIBDBM_OK)
        return 1;
    t_score = now() - t0;

    t0 = now();
    naive_scores(rec, nr, n, 1, 5, tmp);
    naive_scores(freq, nf, n, 0, 5, tmp);
    naive_scores(mon, nm, n, 0, 5, tmp);
    t_naive = now() - t0;
    for (i = 0; i < n; i++)
        if (r[i] != nr[i] || f[i] != nf[i] || m[i] != nm[i]) {
            fprintf(stderr, "bench-rfm: customer %zu differs from the baseline\n", i);
            return 1;
        }
    printf("rfm: %zu customers, 5 bins, 3 scores each\n", n);
    printf("  libdbm fit   %.3f s\n", t_fit);
    printf("  libdbm score %.3f s (%.1f M customers/s)\n", t_score, (double)n / t_score / 1e6);
    printf("  libdbm total %.3f s = %.2f M customers/s\n", t_fit + t_score,
           (double)n / (t_fit + t_score) / 1e6);
    printf("  baseline (qsort + binary search) %.3f s = %.2f M customers/s\n", t_naive,
           (double)n / t_naive / 1e6);
    printf("  speed-up over baseline: %.1fx (scores identical)\n", t_naive / (t_fit + t_score));
    libdbm_rfm_bins_free(bins);
    libdbm_context_free(ctx);
    free(rec); free(freq); free(mon); free(tmp);
    free(r); free(f); free(m); free(nr); free(nf); free(nm);
    return 0;
}
