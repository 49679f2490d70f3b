/* Segments over a profile store: builds an in-memory store of N synthetic
 * profiles (default 1M; the figure is for 10M:
 * `bench-segment-store 10000000`, about 9 GB of memory) through the public
 * API in batches, then times, on one core:
 *   - the compile of the brief's example;
 *   - the first evaluation after the store was written (it builds the
 *     store's column cache) and the following ones (best of 5) of the
 *     issue's five-predicate expression and of the same plus a behavioural
 *     predicate over the contact history;
 *   - the row-at-a-time reference interpreter over the same store (reading
 *     each profile's own data, no columns), with the ratio;
 *   - libdbm_segment_test on single profiles.
 * The two evaluators must agree, or the benchmark fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libdbm.h"
#include "segment_timing.h"
#include "store_source.h"

#define NOW INT64_C(1735689600) /* 2025-01-01T00:00:00Z */
#define DAY INT64_C(86400)

static const char *const five =
    "rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and consent.email and "
    "attr.country == \"BR\" and recency_days < 90";
static const char *const behavioural =
    "rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and consent.email and "
    "attr.country == \"BR\" and recency_days < 90 and not contacted(email, last 7d)";

static uint64_t rng = 20261123;

static uint64_t next(void)
{
    uint64_t x = (rng += UINT64_C(0x9E3779B97F4A7C15));
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static void ok(libdbm_context *ctx, int status, const char *what)
{
    if (status != LIBDBM_OK) {
        fprintf(stderr, "%s: %s: %s\n", what, libdbm_strerror(status), libdbm_context_errmsg(ctx));
        exit(1);
    }
}

/* One synthetic profile: an RFM segment among 11, P(alive) uniform, a
 * country (30% BR), email consent (60% granted, 20% denied), 1 to 3
 * purchases in the last year and, for half of them, up to 3 emails in the
 * last 30 days. */
static void add_profile(libdbm_context *ctx, libdbm_store *store, size_t i)
{
    static const char *const segments[] = {
        "Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising",
        "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost"};
    static const char *const countries[] = {"BR", "BR", "BR", "US", "DE", "FR", "MX", "AR", "PT",
                                            "ES"};
    char id[32];
    uint64_t r = next();
    int k, n;
    snprintf(id, sizeof(id), "c%09zu", i);
    ok(ctx, libdbm_store_attr_set_string(store, id, "rfm.segment", segments[r % 11]), "segment");
    ok(ctx, libdbm_store_attr_set_double(store, id, "p_alive", (double)(next() % 1000) / 1000.0),
       "p_alive");
    ok(ctx, libdbm_store_attr_set_string(store, id, "country", countries[(r >> 8) % 10]), "country");
    if ((r >> 16) % 5 < 4)
        ok(ctx, libdbm_store_consent_record(store, id, "email", NULL,
                                            (r >> 16) % 5 < 3 ? LIBDBM_CONSENT_GRANTED
                                                              : LIBDBM_CONSENT_DENIED,
                                            NOW - 400 * DAY, "bench", NULL), "consent");
    for (k = 0, n = 1 + (int)((r >> 24) % 3); k < n; k++)
        ok(ctx, libdbm_store_purchase_add_minor(store, NULL, id,
                                                NOW - (int64_t)(next() % (365 * DAY)),
                                                (int64_t)(next() % 20000), NULL), "purchase");
    for (k = 0, n = (r >> 32) % 2 ? (int)((r >> 40) % 4) : 0; k < n; k++)
        ok(ctx, libdbm_store_contact_add(store, id, NOW - (int64_t)(next() % (30 * DAY)), "email",
                                         "newsletter", 0, LIBDBM_OUTCOME_SENT), "contact");
}

static libdbm_store *build_store(libdbm_context *ctx, size_t profiles)
{
    libdbm_store *store;
    size_t i;
    timing t0 = start();
    ok(ctx, libdbm_store_open(&store, ctx, NULL, NULL), "open");
    for (i = 0; i < profiles; i++) {
        if (i % 100000 == 0)
            ok(ctx, libdbm_store_begin(store), "begin");
        add_profile(ctx, store, i);
        if (i % 100000 == 99999 || i + 1 == profiles)
            ok(ctx, libdbm_store_commit(store), "commit");
    }
    t0 = since(t0);
    printf("store of %zu profiles built in %.1f s, CPU %.1f s (public API, batches of 100000)\n",
           profiles, t0.wall, t0.cpu);
    return store;
}

/* The row-at-a-time interpreter over the store's own data (no columns). */
static timing interpret(const libdbm_segment *seg, libdbm_store *store, libdbm_members **out)
{
    dbmi_seg_store_source src;
    timing t0 = start();
    dbmi_store_read_lock(store);
    if (dbmi_seg_store_source_init(&src, store, NOW, 1) != LIBDBM_OK ||
        dbmi_seg_eval_rows(out, seg, &src.source, NOW) != LIBDBM_OK)
        exit(1);
    dbmi_seg_store_source_fini(&src);
    dbmi_store_read_unlock(store);
    return since(t0);
}

static void bench_eval(libdbm_context *ctx, libdbm_store *store, size_t profiles,
                       const char *label, const char *expr, double target_ms)
{
    libdbm_segment *seg;
    libdbm_members *m = NULL, *ref = NULL;
    timing best = {1e9, 1e9}, first, t, t_ref;
    int k;
    ok(ctx, libdbm_segment_compile(&seg, ctx, expr), "compile");
    t = start();
    ok(ctx, libdbm_segment_evaluate(&m, seg, store, NOW), "evaluate");
    first = since(t);
    for (k = 0; k < 5; k++) {
        libdbm_members_free(m);
        t = start();
        ok(ctx, libdbm_segment_evaluate(&m, seg, store, NOW), "evaluate");
        best = best_of(best, since(t));
    }
    t_ref = interpret(seg, store, &ref);
    require_same_members(m, ref);
    printf("%s over %zu profiles: %.1f ms, CPU %.1f ms (best of 5; target <= %.0f ms; first "
           "after a write %.1f ms, CPU %.1f ms), row-at-a-time %.1f ms, CPU %.1f ms, "
           "ratio %.1fx (CPU %.1fx); %lld members\n",
           label, profiles, best.wall * 1e3, best.cpu * 1e3, target_ms, first.wall * 1e3,
           first.cpu * 1e3, t_ref.wall * 1e3, t_ref.cpu * 1e3, t_ref.wall / best.wall,
           t_ref.cpu / best.cpu, (long long)libdbm_members_count(m));
    libdbm_members_free(m);
    libdbm_members_free(ref);
    libdbm_segment_free(seg);
}

static void bench_test(libdbm_context *ctx, libdbm_store *store, size_t profiles)
{
    enum { RUNS = 100000 };
    libdbm_segment *seg;
    timing t0;
    int i, member, members = 0;
    char id[32];
    ok(ctx, libdbm_segment_compile(&seg, ctx, behavioural), "compile");
    t0 = start();
    for (i = 0; i < RUNS; i++) {
        snprintf(id, sizeof(id), "c%09zu", (size_t)(next() % profiles));
        ok(ctx, libdbm_segment_test(&member, seg, store, id, NOW), "test");
        members += member;
    }
    t0 = since(t0);
    printf("libdbm_segment_test (one profile, behavioural expression): %.2f us per call, "
           "CPU %.2f us (%d of %d were members)\n", t0.wall / RUNS * 1e6, t0.cpu / RUNS * 1e6,
           members, RUNS);
    libdbm_segment_free(seg);
}

int main(int argc, char **argv)
{
    size_t profiles = argc > 1 ? (size_t)strtoull(argv[1], NULL, 0) : 1000000;
    libdbm_context *ctx;
    libdbm_store *store;
    if (profiles == 0 || libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 1;
    bench_compile(ctx);
    store = build_store(ctx, profiles);
    bench_eval(ctx, store, profiles, "five predicates", five, 100);
    bench_eval(ctx, store, profiles, "five predicates + not contacted(email, last 7d)",
               behavioural, 500);
    bench_test(ctx, store, profiles);
    libdbm_store_close(store);
    libdbm_context_free(ctx);
    return 0;
}
