/* Test helper for check_rfm_reference.py: reads "n bins" then n lines of
 * "recency frequency monetary" from the file argv[1], fits RFM bins with the
 * public API and prints "r f m" scores, one customer per line. */
#include <stdio.h>
#include <stdlib.h>

#include <libdbm.h>

int main(int argc, char **argv)
{
    libdbm_context *ctx;
    libdbm_rfm_options opts = LIBDBM_RFM_OPTIONS_INIT;
    libdbm_rfm_bins *bins;
    long long n, i;
    int nbins;
    double *v;
    int32_t *s;
    FILE *f;
    if (argc != 2 || (f = fopen(argv[1], "r")) == NULL)
        return 2;
    if (fscanf(f, "%lld %d", &n, &nbins) != 2 || n < 1)
        return 2;
    v = malloc((size_t)n * 3 * sizeof(double));
    s = malloc((size_t)n * 3 * sizeof(int32_t));
    if (v == NULL || s == NULL)
        return 2;
    for (i = 0; i < n; i++)
        if (fscanf(f, "%lf %lf %lf", &v[i], &v[n + i], &v[2 * n + i]) != 3)
            return 2;
    fclose(f);
    opts.bins = nbins;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK
        || libdbm_rfm_bins_fit(&bins, ctx, v, v + n, v + 2 * n, n, &opts) != LIBDBM_OK
        || libdbm_rfm_bins_score(bins, s, s + n, s + 2 * n, v, v + n, v + 2 * n, n) != LIBDBM_OK)
        return 1;
    for (i = 0; i < n; i++)
        printf("%d %d %d\n", (int)s[i], (int)s[n + i], (int)s[2 * n + i]);
    libdbm_rfm_bins_free(bins);
    libdbm_context_free(ctx);
    free(v);
    free(s);
    return 0;
}
