/* Property test: random well-typed expressions over random fake sources.
 * For every case the columnar evaluator's member set must equal the
 * row-at-a-time interpreter's, and print -> parse -> print must be stable
 * (and the re-parsed segment must select the same members).
 * Usage: test-segment-property [SEED [CASES]]; the seed is printed so a
 * failure can be replayed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "fake_source.h"
#include "gen_expr.h"

static int same_members(const libdbm_members *a, const libdbm_members *b, size_t rows,
                        int64_t *first_diff)
{
    size_t r;
    if (libdbm_members_count(a) != libdbm_members_count(b)) {
        *first_diff = -1;
        for (r = 0; r < rows; r++)
            if (libdbm_members_contains(a, (int64_t)r) != libdbm_members_contains(b, (int64_t)r)) {
                *first_diff = (int64_t)r;
                break;
            }
        return 0;
    }
    for (r = 0; r < rows; r++)
        if (libdbm_members_contains(a, (int64_t)r) != libdbm_members_contains(b, (int64_t)r)) {
            *first_diff = (int64_t)r;
            return 0;
        }
    return 1;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);
    long cases = argc > 2 ? strtol(argv[2], NULL, 0) : 3000, i;
    long mixed = 0, failures = 0;
    libdbm_context *ctx;
    libdbm_segment_registry *reg;
    gen_state g;
    int r;

    printf("segment-property: seed %" PRIu64 ", %ld cases\n", seed, cases);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_segment_registry_new(&reg, ctx));
    memset(&g, 0, sizeof(g));
    g.rng = seed;
    g.max_depth = 4;
    /* a few named segments, each able to refer to the earlier ones */
    for (r = 0; r < 4; r++) {
        libdbm_segment *seg;
        char name[8];
        g.nrefs = r;
        gen_expression(&g);
        if (libdbm_segment_compile_with(&seg, ctx, g.buf, reg) != LIBDBM_OK) {
            printf("named segment r%d [%s] does not compile: %s\n", r, g.buf, libdbm_context_errmsg(ctx));
            return 1;
        }
        snprintf(name, sizeof(name), "r%d", r);
        CHECK_OK(libdbm_segment_registry_define(reg, name, seg));
        libdbm_segment_free(seg);
    }
    g.nrefs = 4;
    for (i = 0; i < cases && failures < 10; i++) {
        fake_source fs;
        libdbm_segment *seg = NULL, *back = NULL;
        libdbm_members *col = NULL, *ref = NULL, *col2 = NULL;
        char *text = NULL, *again = NULL;
        size_t rows = (size_t)(gen_next(&g) % 300);
        int64_t diff = -1;
        int64_t now = FAKE_NOW - (int64_t)(gen_next(&g) % 3) * 86400 * 45;

        g.max_depth = 1 + (int)(gen_next(&g) % 5);
        gen_expression(&g);
        fake_source_init(&fs, gen_next(&g), rows, (int)(gen_next(&g) % 40), (int)(gen_next(&g) % 7));
        if (libdbm_segment_compile_with(&seg, ctx, g.buf, reg) != LIBDBM_OK) {
            printf("case %ld: [%s] does not compile: %s\n", i, g.buf, libdbm_context_errmsg(ctx));
            failures++;
            fake_source_fini(&fs);
            continue;
        }
        CHECK_OK(libdbm_segment_to_string(seg, &text));
        CHECK_OK(libdbm_segment_compile_with(&back, ctx, text, reg));
        CHECK_OK(libdbm_segment_to_string(back, &again));
        if (strcmp(text, again) != 0) {
            printf("case %ld: print not stable:\n  [%s]\n  [%s]\n", i, text, again);
            failures++;
        }
        CHECK_OK(dbmi_seg_eval_columnar(&col, seg, &fs.source, now));
        CHECK_OK(dbmi_seg_eval_rows(&ref, seg, &fs.source, now));
        CHECK_OK(dbmi_seg_eval_columnar(&col2, back, &fs.source, now));
        if (!same_members(col, ref, rows, &diff) || !same_members(col, col2, rows, &diff)) {
            printf("case %ld: columnar %" PRId64 " members, reference %" PRId64
                   ", reparsed %" PRId64 " (first difference at row %" PRId64 ") for\n  [%s]\n",
                   i, libdbm_members_count(col), libdbm_members_count(ref),
                   libdbm_members_count(col2), diff, g.buf);
            failures++;
        }
        if (libdbm_members_count(ref) > 0 && (size_t)libdbm_members_count(ref) < rows)
            mixed++;
        libdbm_members_free(col);
        libdbm_members_free(col2);
        libdbm_members_free(ref);
        libdbm_free_string(text);
        libdbm_free_string(again);
        libdbm_segment_free(seg);
        libdbm_segment_free(back);
        fake_source_fini(&fs);
    }
    free(g.buf);
    libdbm_segment_registry_free(reg);
    libdbm_context_free(ctx);
    printf("segment-property: %ld cases, %ld with a proper subset of rows, %ld failures\n",
           i, mixed, failures);
    /* the generator must produce discriminating expressions, not all-or-nothing */
    CHECK(mixed * 4 >= i);
    return failures == 0 ? 0 : 1;
}
