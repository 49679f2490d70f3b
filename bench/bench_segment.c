/* Segment language figures: compile time of the brief's example, and the
 * columnar evaluator over N fake rows (default 10M) for a five-predicate
 * expression and for the same plus a behavioural predicate, each with the
 * ratio to the row-at-a-time reference interpreter measured in the same
 * run over the same materialised columns. Usage: bench-segment [ROWS]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/segment/fake_source.h"
#include "libdbm.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *const brief_example =
    "rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and consent.email and "
    "attr.country == \"BR\" and purchases(last 90d) >= 2 and not contacted(email, last 7d)";

static void bench_compile(libdbm_context *ctx)
{
    enum { RUNS = 20000 };
    static double lat[RUNS];
    double total = 0, t0;
    int i;
    size_t len = strlen(brief_example);
    for (i = 0; i < RUNS; i++) {
        libdbm_segment *seg;
        t0 = now_seconds();
        if (libdbm_segment_compile(&seg, ctx, brief_example) != LIBDBM_OK)
            exit(1);
        lat[i] = now_seconds() - t0;
        total += lat[i];
        libdbm_segment_free(seg);
    }
    /* baseline: one pass over the text (strlen + copy), the least any compiler does */
    t0 = now_seconds();
    for (i = 0; i < RUNS; i++) {
        char *copy = malloc(len + 1);
        memcpy(copy, brief_example, len + 1);
        __asm__ volatile("" : : "r"(copy) : "memory");
        free(copy);
    }
    {
        double base = (now_seconds() - t0) / RUNS;
        qsort(lat, RUNS, sizeof(double), by_value);
        printf("compile brief example (%zu bytes): mean %.2f us, p50 %.2f us, p99 %.2f us "
               "(target <= 50 us); %.0fx a malloc+copy of the text (%.3f us)\n",
               len, total / RUNS * 1e6, lat[RUNS / 2] * 1e6, lat[RUNS * 99 / 100] * 1e6,
               total / RUNS / base, base * 1e6);
    }
}

static void bench_eval(libdbm_context *ctx, fake_source *fs, const char *label, const char *expr,
                       double target_ms)
{
    libdbm_segment *seg;
    libdbm_members *m = NULL, *ref = NULL, *diff = NULL;
    double best = 1e9, t0, t_ref;
    int k;
    if (libdbm_segment_compile(&seg, ctx, expr) != LIBDBM_OK) {
        fprintf(stderr, "%s\n", libdbm_context_errmsg(ctx));
        exit(1);
    }
    /* warm-up: materialises the fake's columns */
    if (dbmi_seg_eval_columnar(&m, seg, &fs->source, FAKE_NOW) != LIBDBM_OK)
        exit(1);
    libdbm_members_free(m);
    for (k = 0; k < 5; k++) {
        t0 = now_seconds();
        if (dbmi_seg_eval_columnar(&m, seg, &fs->source, FAKE_NOW) != LIBDBM_OK)
            exit(1);
        if (now_seconds() - t0 < best)
            best = now_seconds() - t0;
        if (k < 4)
            libdbm_members_free(m);
    }
    t0 = now_seconds();
    if (dbmi_seg_eval_rows(&ref, seg, &fs->source, FAKE_NOW) != LIBDBM_OK)
        exit(1);
    t_ref = now_seconds() - t0;
    if (libdbm_members_minus(&diff, m, ref) != LIBDBM_OK || libdbm_members_count(diff) != 0 ||
        libdbm_members_count(m) != libdbm_members_count(ref)) {
        fprintf(stderr, "evaluators disagree\n");
        exit(1);
    }
    printf("%s over %zu rows: columnar %.1f ms (best of 5; target <= %.0f ms), "
           "row-at-a-time %.1f ms, ratio %.1fx; %lld members, %.1f ns/row\n",
           label, fs->rows, best * 1e3, target_ms, t_ref * 1e3, t_ref / best,
           (long long)libdbm_members_count(m), best * 1e9 / (double)fs->rows);
    libdbm_members_free(m);
    libdbm_members_free(ref);
    libdbm_members_free(diff);
    libdbm_segment_free(seg);
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 0) : 10000000;
    libdbm_context *ctx;
    fake_source fs;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 1;
    bench_compile(ctx);
    fake_source_init(&fs, 2024, rows, 5, 6);
    fs.rows_from_columns = 1;
    bench_eval(ctx, &fs, "five predicates",
               "rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and "
               "consent.email and attr.country == \"BR\" and frequency >= 2", 100);
    bench_eval(ctx, &fs, "five predicates + purchases(last 90d) >= 2",
               "rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and "
               "consent.email and attr.country == \"BR\" and frequency >= 2 and "
               "purchases(last 90d) >= 2", 500);
    bench_eval(ctx, &fs, "brief example (two behavioural predicates)", brief_example, 500);
    fake_source_fini(&fs);
    libdbm_context_free(ctx);
    return 0;
}
