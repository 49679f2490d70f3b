/* Segment language figures: compile time of the brief's example, and the
 * columnar evaluator over N fake rows (default 10M) for a five-predicate
 * expression and for the same plus a behavioural predicate, each with the
 * ratio to the row-at-a-time reference interpreter measured in the same
 * run over the same materialised columns. Usage: bench-segment [ROWS]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/segment/fake_source.h"
#include "libdbm.h"
#include "segment_timing.h"

static void bench_eval(libdbm_context *ctx, fake_source *fs, const char *label, const char *expr,
                       double target_ms)
{
    libdbm_segment *seg;
    libdbm_members *m = NULL, *ref = NULL;
    timing best = {1e9, 1e9}, t, t_ref;
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
        t = start();
        if (dbmi_seg_eval_columnar(&m, seg, &fs->source, FAKE_NOW) != LIBDBM_OK)
            exit(1);
        best = best_of(best, since(t));
        if (k < 4)
            libdbm_members_free(m);
    }
    t = start();
    if (dbmi_seg_eval_rows(&ref, seg, &fs->source, FAKE_NOW) != LIBDBM_OK)
        exit(1);
    t_ref = since(t);
    require_same_members(m, ref);
    printf("%s over %zu rows: columnar %.1f ms, CPU %.1f ms (best of 5; target <= %.0f ms), "
           "row-at-a-time %.1f ms, CPU %.1f ms, ratio %.1fx (CPU %.1fx); %lld members, "
           "%.1f ns/row\n",
           label, fs->rows, best.wall * 1e3, best.cpu * 1e3, target_ms, t_ref.wall * 1e3,
           t_ref.cpu * 1e3, t_ref.wall / best.wall, t_ref.cpu / best.cpu,
           (long long)libdbm_members_count(m), best.cpu * 1e9 / (double)fs->rows);
    libdbm_members_free(m);
    libdbm_members_free(ref);
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
