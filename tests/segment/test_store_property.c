/* Property test of segments over a store: random stores (random_store.c)
 * and random expressions (gen_expr.c). For every case the store-backed
 * columnar evaluation (libdbm_segment_evaluate) must give exactly the
 * members that the reference interpreter finds reading each profile
 * through the public store API (ref_source.c); libdbm_segment_count and
 * libdbm_segment_test must agree with it, and the exported ids must be the
 * members' ids. Each store is written to again between rounds, so the
 * column cache must follow the store's changes.
 * Usage: test-segment-store-property [SEED [STORES]]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "gen_expr.h"
#include "random_store.h"
#include "ref_source.h"

#define EXPRESSIONS_PER_ROUND 12
#define ROUNDS 3

typedef struct stats {
    long cases, mixed, failures;
} stats;

static int same_members(const libdbm_members *a, const libdbm_members *b, size_t rows,
                        int64_t *first_diff)
{
    size_t r;
    for (r = 0; r < rows; r++)
        if (libdbm_members_contains(a, (int64_t)r) != libdbm_members_contains(b, (int64_t)r)) {
            *first_diff = (int64_t)r;
            return 0;
        }
    return libdbm_members_count(a) == libdbm_members_count(b);
}

/* The shadow must agree with the store's own aggregates, or the reference
 * would be checking the wrong thing. */
static void check_shadow(const rs_store *rs, const ref_source *ref)
{
    size_t slot;
    for (slot = 0; slot < ref->source.rows; slot++) {
        const rs_profile *p;
        int64_t count = -1;
        if (ref->ids[slot] == NULL)
            continue;
        p = rs_find(rs, ref->ids[slot]);
        CHECK(p != NULL);
        CHECK_OK(libdbm_store_aggregate(rs->store, &count, ref->ids[slot], LIBDBM_AGG_PURCHASE_COUNT));
        CHECK(count == (int64_t)p->n_purchases);
    }
}

/* libdbm_segment_test on every live profile, and the exported ids. */
static void check_per_profile(const rs_store *rs, const ref_source *ref,
                              const libdbm_segment *seg, const libdbm_members *got, int64_t as_of)
{
    char *ids = NULL;
    size_t length = 0, at = 0, slot;
    int64_t count = -1;
    CHECK_OK(libdbm_members_export_ids(got, &ids, &length, &count, rs->store));
    CHECK(count == libdbm_members_count(got));
    for (slot = 0; slot < ref->source.rows; slot++) {
        int member = -1;
        if (ref->ids[slot] == NULL)
            continue;
        CHECK_OK(libdbm_segment_test(&member, seg, rs->store, ref->ids[slot], as_of));
        CHECK(member == libdbm_members_contains(got, (int64_t)slot));
        if (member) {
            char *one = NULL;
            CHECK(at < length && strcmp(ids + at, ref->ids[slot]) == 0);
            at += strlen(ref->ids[slot]) + 1;
            CHECK_OK(libdbm_members_id(got, &one, rs->store, (int64_t)slot));
            CHECK(strcmp(one, ref->ids[slot]) == 0);
            libdbm_free_string(one);
        }
    }
    CHECK(at == length);
    libdbm_free_string(ids);
}

static void one_case(stats *st, gen_state *g, const rs_store *rs,
                     const libdbm_segment_registry *reg, libdbm_context *ctx)
{
    libdbm_segment *seg = NULL;
    libdbm_members *got = NULL, *want = NULL;
    ref_source ref;
    int64_t as_of = RS_NOW - (int64_t)(gen_next(g) % 3) * 45 * 86400, diff = -1, count = -1;
    g->max_depth = 1 + (int)(gen_next(g) % 4);
    gen_expression(g);
    if (libdbm_segment_compile_with(&seg, ctx, g->buf, reg) != LIBDBM_OK) {
        printf("[%s] does not compile: %s\n", g->buf, libdbm_context_errmsg(ctx));
        st->failures++;
        return;
    }
    CHECK_OK(libdbm_segment_evaluate(&got, seg, rs->store, as_of));
    ref_source_init(&ref, rs, as_of);
    CHECK_OK(dbmi_seg_eval_rows(&want, seg, &ref.source, as_of));
    CHECK_OK(ref.status);
    if (!same_members(got, want, ref.source.rows, &diff)) {
        printf("store seed case %ld: evaluate %" PRId64 " members, reference %" PRId64
               " (first difference at slot %" PRId64 ", id '%s') as of %" PRId64 " for\n  [%s]\n",
               st->cases, libdbm_members_count(got), libdbm_members_count(want), diff,
               diff >= 0 && ref.ids[diff] ? ref.ids[diff] : "(not live)", as_of, g->buf);
        st->failures++;
    }
    CHECK_OK(libdbm_segment_count(&count, seg, rs->store, as_of));
    CHECK(count == libdbm_members_count(got));
    if (st->cases % 4 == 0)
        check_per_profile(rs, &ref, seg, got, as_of);
    if (st->cases % 16 == 0)
        check_shadow(rs, &ref);
    CHECK_OK(libdbm_store_profile_count(rs->store, &count));
    if (libdbm_members_count(want) > 0 && libdbm_members_count(want) < count)
        st->mixed++;
    st->cases++;
    ref_source_fini(&ref);
    libdbm_members_free(got);
    libdbm_members_free(want);
    libdbm_segment_free(seg);
}

static void define_named(gen_state *g, libdbm_segment_registry *reg, libdbm_context *ctx)
{
    int r;
    for (r = 0; r < 4; r++) {
        libdbm_segment *seg;
        char name[8];
        g->nrefs = r;
        g->max_depth = 3;
        gen_expression(g);
        CHECK_OK(libdbm_segment_compile_with(&seg, ctx, g->buf, reg));
        snprintf(name, sizeof(name), "r%d", r);
        CHECK_OK(libdbm_segment_registry_define(reg, name, seg));
        libdbm_segment_free(seg);
    }
    g->nrefs = 4;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);
    long stores = argc > 2 ? strtol(argv[2], NULL, 0) : 300, s;
    libdbm_context *ctx;
    libdbm_segment_registry *reg;
    gen_state g;
    stats st = {0, 0, 0};

    printf("segment-store-property: seed %" PRIu64 ", %ld stores\n", seed, stores);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_segment_registry_new(&reg, ctx));
    memset(&g, 0, sizeof(g));
    g.rng = seed;
    define_named(&g, reg, ctx);
    for (s = 0; s < stores && st.failures < 10; s++) {
        rs_store rs;
        int round, e;
        /* mostly small stores; every tenth spans several 64-slot words */
        int big = s % 10 == 9;
        CHECK_OK(rs_open(&rs, ctx, gen_next(&g), 1 + (int)(gen_next(&g) % (big ? 250 : 40)),
                         (int)(gen_next(&g) % (big ? 2000 : 250))));
        for (round = 0; round < ROUNDS; round++) {
            for (e = 0; e < EXPRESSIONS_PER_ROUND; e++)
                one_case(&st, &g, &rs, reg, ctx);
            CHECK_OK(rs_write(&rs, 1 + (int)(gen_next(&g) % 40)));
        }
        rs_close(&rs);
    }
    free(g.buf);
    libdbm_segment_registry_free(reg);
    libdbm_context_free(ctx);
    printf("segment-store-property: %ld cases, %ld with a proper subset of profiles, "
           "%ld failures\n", st.cases, st.mixed, st.failures);
    CHECK(st.mixed * 4 >= st.cases);
    return st.failures == 0 ? 0 : 1;
}
