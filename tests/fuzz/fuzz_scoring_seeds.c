/* Writes the seed corpora of the scoring fuzz targets with the library's
 * own savers (public API only), so the seeds are real blobs:
 *   DIR/model-blob/  libdbm_model_save of models set by hand and fitted
 *   DIR/model-json/  libdbm_model_to_json of the same models
 *   DIR/stats-blob/  libdbm_stats_save of empty, small and weighted statistics
 *   DIR/rfm-blob/    libdbm_rfm_bins_save of boundaries fitted with 2 to 100 bins
 * The customers come from a fixed pseudo-random sequence; a fitted model's
 * blob holds the fit's wall-clock time, so two runs differ in those bytes
 * only. Usage: fuzz-scoring-seeds DIR (the four folders must exist); see
 * docs/fuzzing.md. Not a test: the committed corpora were made with it. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libdbm.h"

static uint64_t state = 20261123;

/* A uniform double in [0, 1) (splitmix64). */
static double uniform(void)
{
    uint64_t x = (state += UINT64_C(0x9E3779B97F4A7C15));
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return (double)((x ^ (x >> 31)) >> 11) / 9007199254740992.0;
}

static void check(int status, const char *what)
{
    if (status != LIBDBM_OK) {
        fprintf(stderr, "fuzz-scoring-seeds: %s: %s\n", what, libdbm_strerror(status));
        exit(1);
    }
}

static void write_file(const char *dir, const char *sub, const char *name, const void *data,
                       size_t len)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "fuzz-scoring-seeds: cannot write %s\n", path);
        exit(1);
    }
    printf("%s (%zu bytes)\n", path, len);
}

/* @p customers customers over 10 to 52 weeks, each with a purchase rate
 * from Gamma(1, 10) and exponential amounts around a scale of their own
 * (as Gamma-Gamma describes spend). They drop out as BG/NBD describes it
 * (with a probability from U(0, 0.5) after each purchase) or, with
 * @p pareto, as Pareto/NBD does (at an exponential time whose rate is
 * from Gamma(1, 20)). A Pareto/NBD fit of data without such a spread of
 * dropout rates drifts to huge s and beta and takes minutes. */
static libdbm_stats *make_stats(libdbm_context *ctx, int customers, double weight, int pareto)
{
    libdbm_stats *s = NULL;
    int i;
    check(libdbm_stats_new(&s, ctx), "stats_new");
    for (i = 0; i < customers; i++) {
        double T = 10 + (double)(int)(uniform() * 43), t = 0, t_x = 0, x = 0, total = 0;
        double rate = -log(1 - uniform()) / 10, drop = uniform() / 2;
        double lifetime = -log(1 - uniform()) / (-log(1 - uniform()) / 20);
        double scale = 10 / (-log(1 - uniform()) + 0.05);
        for (;;) {
            t += -log(1 - uniform()) / rate;
            if (t > T || (pareto && t > lifetime))
                break;
            x++;
            t_x = (double)(int)(t * 10) / 10;
            total += 0.01 + (double)(int)(-log(1 - uniform()) * scale * 100) / 100;
            if (!pareto && uniform() < drop)
                break;
        }
        check(libdbm_stats_add(s, x, t_x, T, x > 0 ? total / x : 0, weight), "stats_add");
    }
    return s;
}

static void save_model(libdbm_context *ctx, const char *dir, const char *name,
                       const libdbm_model *m)
{
    void *blob = NULL;
    size_t len = 0;
    char *json = NULL, file[256];
    (void)ctx;
    check(libdbm_model_save(m, &blob, &len), "model_save");
    snprintf(file, sizeof(file), "%s.bin", name);
    write_file(dir, "model-blob", file, blob, len);
    libdbm_free_blob(blob);
    check(libdbm_model_to_json(m, &json), "model_to_json");
    snprintf(file, sizeof(file), "%s.json", name);
    write_file(dir, "model-json", file, json, strlen(json));
    libdbm_free_string(json);
}

static void models(libdbm_context *ctx, const char *dir)
{
    static const double bgnbd[4] = { 0.243, 4.414, 0.793, 2.426 };
    static const double pnbd[4] = { 0.55, 10.58, 0.61, 11.67 };
    static const double gg[3] = { 6.25, 3.74, 15.44 };
    static const double extreme[4] = { 1e-300, 1e300, 5e-324, 1.7976931348623157e308 };
    static const struct { const char *name; int kind; const double *params; } fixed[] = {
        { "bgnbd-cdnow", LIBDBM_MODEL_BGNBD, bgnbd },
        { "paretonbd-cdnow", LIBDBM_MODEL_PARETO_NBD, pnbd },
        { "gammagamma-cdnow", LIBDBM_MODEL_GAMMA_GAMMA, gg },
        { "bgnbd-extreme", LIBDBM_MODEL_BGNBD, extreme },
        { "gammagamma-extreme", LIBDBM_MODEL_GAMMA_GAMMA, extreme + 1 },
    };
    static const struct { const char *name; int kind; } fitted[] = {
        { "bgnbd-fitted", LIBDBM_MODEL_BGNBD },
        { "paretonbd-fitted", LIBDBM_MODEL_PARETO_NBD },
        { "gammagamma-fitted", LIBDBM_MODEL_GAMMA_GAMMA },
    };
    libdbm_stats *bg = make_stats(ctx, 400, 1.0, 0), *pareto = make_stats(ctx, 400, 1.0, 1);
    size_t k;
    for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
        libdbm_model *m = NULL;
        check(libdbm_model_new(&m, ctx, fixed[k].kind), "model_new");
        check(libdbm_model_set_params(m, fixed[k].params,
                                      fixed[k].kind == LIBDBM_MODEL_GAMMA_GAMMA ? 3 : 4),
              "model_set_params");
        save_model(ctx, dir, fixed[k].name, m);
        libdbm_model_free(m);
    }
    /* Fitted: the blob holds the fit information and the covariance. */
    for (k = 0; k < sizeof(fitted) / sizeof(fitted[0]); k++) {
        libdbm_model *m = NULL;
        check(libdbm_model_new(&m, ctx, fitted[k].kind), "model_new");
        check(libdbm_model_fit(m, fitted[k].kind == LIBDBM_MODEL_PARETO_NBD ? pareto : bg, NULL),
              "model_fit");
        save_model(ctx, dir, fitted[k].name, m);
        libdbm_model_free(m);
    }
    libdbm_stats_free(bg);
    libdbm_stats_free(pareto);
}

static void save_stats(const char *dir, const char *name, const libdbm_stats *s)
{
    void *blob = NULL;
    size_t len = 0;
    check(libdbm_stats_save(s, &blob, &len), "stats_save");
    write_file(dir, "stats-blob", name, blob, len);
    libdbm_free_blob(blob);
}

static void stats(libdbm_context *ctx, const char *dir)
{
    libdbm_stats *empty = NULL, *small = make_stats(ctx, 12, 1.0, 0);
    libdbm_stats *weighted = make_stats(ctx, 30, 2.5, 1), *more = make_stats(ctx, 30, 1.0, 0);
    check(libdbm_stats_new(&empty, ctx), "stats_new");
    save_stats(dir, "empty.bin", empty);
    save_stats(dir, "small.bin", small);
    /* Merged statistics: equal groups have added up their weights. */
    check(libdbm_stats_merge(weighted, more), "stats_merge");
    check(libdbm_stats_merge(weighted, small), "stats_merge");
    check(libdbm_stats_add(weighted, 0, 0, 0, 0, 7), "stats_add");
    save_stats(dir, "weighted.bin", weighted);
    libdbm_stats_free(empty);
    libdbm_stats_free(small);
    libdbm_stats_free(weighted);
    libdbm_stats_free(more);
}

static void rfm(libdbm_context *ctx, const char *dir)
{
    static const struct { const char *name; int32_t bins, monetary, frequency, lookback, n; } cases[] = {
        { "bins5.bin", 5, LIBDBM_RFM_MONETARY_TOTAL, LIBDBM_RFM_FREQUENCY_DAYS, 0, 50 },
        { "bins2.bin", 2, LIBDBM_RFM_MONETARY_TOTAL, LIBDBM_RFM_FREQUENCY_DAYS, 0, 7 },
        { "bins10-average.bin", 10, LIBDBM_RFM_MONETARY_AVERAGE, LIBDBM_RFM_FREQUENCY_PURCHASES,
          365, 40 },
        { "bins100.bin", 100, LIBDBM_RFM_MONETARY_TOTAL, LIBDBM_RFM_FREQUENCY_DAYS, 730, 300 },
    };
    size_t k;
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        libdbm_rfm_options opt = LIBDBM_RFM_OPTIONS_INIT;
        libdbm_rfm_bins *bins = NULL;
        double r[300], f[300], m[300];
        void *blob = NULL;
        size_t len = 0;
        int32_t i;
        for (i = 0; i < cases[k].n; i++) {
            /* integer days and counts: ties, as in real data */
            r[i] = (double)(int)(uniform() * 400);
            f[i] = 1 + (double)(int)(uniform() * uniform() * 20);
            m[i] = (double)(int)(uniform() * 50000) / 100;
        }
        opt.bins = cases[k].bins;
        opt.monetary_mode = cases[k].monetary;
        opt.frequency_mode = cases[k].frequency;
        opt.lookback_days = cases[k].lookback;
        check(libdbm_rfm_bins_fit(&bins, ctx, r, f, m, cases[k].n, &opt), "rfm_bins_fit");
        check(libdbm_rfm_bins_save(bins, &blob, &len), "rfm_bins_save");
        write_file(dir, "rfm-blob", cases[k].name, blob, len);
        libdbm_free_blob(blob);
        libdbm_rfm_bins_free(bins);
    }
}

int main(int argc, char **argv)
{
    libdbm_context *ctx = NULL;
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz-scoring-seeds DIR\n");
        return 2;
    }
    check(libdbm_context_new(&ctx, NULL), "context_new");
    models(ctx, argv[1]);
    stats(ctx, argv[1]);
    rfm(ctx, argv[1]);
    libdbm_context_free(ctx);
    return 0;
}
