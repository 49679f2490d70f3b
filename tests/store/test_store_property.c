/* Property tests over the public API (seeded; the seed is printed; pass a
 * seed as argv[1] to replay):
 *  - random purchase feeds with transaction ids, shuffled and with
 *    duplicated deliveries, give exactly the aggregates of the clean
 *    in-order feed (and, through the internal column interface, the same
 *    per-day arrays);
 *  - merging two profiles gives the aggregates of one profile fed the
 *    union of both feeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "store_columns.h"
#include "store_test_util.h"

typedef struct purchase { int64_t time; int64_t amount; char txn[24]; } purchase;

static libdbm_context *ctx;

static const int aggs[] = {LIBDBM_AGG_FIRST_PURCHASE, LIBDBM_AGG_LAST_PURCHASE,
                           LIBDBM_AGG_PURCHASE_COUNT, LIBDBM_AGG_PURCHASE_DAYS,
                           LIBDBM_AGG_TOTAL_MINOR, LIBDBM_AGG_REFUND_COUNT,
                           LIBDBM_AGG_REFUND_TOTAL_MINOR};

static void snapshot_aggs(libdbm_store *s, const char *id, int64_t out[7])
{
    size_t k;
    for (k = 0; k < 7; k++) {
        int st = libdbm_store_aggregate(s, &out[k], id, aggs[k]);
        if (st == LIBDBM_ENOTFOUND)
            out[k] = INT64_MIN;
        else
            CHECK_OK(st);
    }
}

static void feed(libdbm_store *s, const char *id, const purchase *p, size_t n, int batch)
{
    size_t i;
    if (batch)
        CHECK_OK(libdbm_store_begin(s));
    for (i = 0; i < n; i++)
        CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, id, p[i].time, p[i].amount, p[i].txn));
    if (batch)
        CHECK_OK(libdbm_store_commit(s));
}

static size_t random_feed(uint64_t *rng, purchase *p, size_t max, const char *prefix)
{
    size_t n = 1 + store_test_rand(rng) % max, i;
    for (i = 0; i < n; i++) {
        p[i].time = 1500000000 + (int64_t)(store_test_rand(rng) % (86400 * 60));
        p[i].amount = (int64_t)(store_test_rand(rng) % 100000);
        if (store_test_rand(rng) % 8 == 0)
            p[i].amount = -p[i].amount - 1; /* a refund */
        snprintf(p[i].txn, sizeof(p[i].txn), "%s-%zu", prefix, i);
    }
    return n;
}

static void test_order_and_duplicates(uint64_t seed, int cases)
{
    uint64_t rng = seed;
    int c;
    for (c = 0; c < cases; c++) {
        purchase clean[64], messy[192];
        size_t n = random_feed(&rng, clean, 64, "t"), m = 0, i;
        libdbm_store *a, *b;
        int64_t va[7], vb[7];
        for (i = 0; i < n; i++) {
            size_t copies = 1 + store_test_rand(&rng) % 3, k;
            for (k = 0; k < copies; k++)
                messy[m++] = clean[i];
        }
        for (i = m; i > 1; i--) {
            size_t j = store_test_rand(&rng) % i;
            purchase t = messy[i - 1];
            messy[i - 1] = messy[j];
            messy[j] = t;
        }
        /* The clean feed in time order. */
        for (i = 1; i < n; i++) {
            size_t j = i;
            while (j > 0 && clean[j - 1].time > clean[j].time) {
                purchase t = clean[j];
                clean[j] = clean[j - 1];
                clean[j - 1] = t;
                j--;
            }
        }
        CHECK_OK(libdbm_store_open(&a, ctx, NULL, NULL));
        CHECK_OK(libdbm_store_open(&b, ctx, NULL, NULL));
        feed(a, "x", clean, n, 0);
        feed(b, "x", messy, m, c % 2);
        snapshot_aggs(a, "x", va);
        snapshot_aggs(b, "x", vb);
        if (memcmp(va, vb, sizeof(va)) != 0) {
            fprintf(stderr, "case %d: aggregates differ (seed %llu)\n", c, (unsigned long long)seed);
            CHECK(0);
        }
        {
            const dbmi_purchase_day *da, *db;
            size_t nda, ndb, sa, sb, k;
            dbmi_store_columns cols;
            CHECK_OK(dbmi_store_slot_of(a, "x", &sa));
            CHECK_OK(dbmi_store_slot_of(b, "x", &sb));
            dbmi_store_read_lock(a);
            dbmi_store_read_lock(b);
            dbmi_store_slot_purchase_days(a, sa, &da, &nda);
            dbmi_store_slot_purchase_days(b, sb, &db, &ndb);
            CHECK(nda == ndb && (nda == 0 || memcmp(da, db, nda * sizeof(*da)) == 0));
            for (k = 1; k < nda; k++)
                CHECK(da[k - 1].day < da[k].day);
            dbmi_store_get_columns(b, &cols);
            CHECK(cols.count == dbmi_store_slot_count(b) && cols.purchase_days[sb] == ndb);
            CHECK(dbmi_store_money_scale_of(b) == 100 && dbmi_store_slot_live(b, sb));
            dbmi_store_read_unlock(b);
            dbmi_store_read_unlock(a);
        }
        libdbm_store_close(a);
        libdbm_store_close(b);
    }
}

static void test_merge_equals_union(uint64_t seed, int cases)
{
    uint64_t rng = seed ^ 0x5555;
    int c;
    for (c = 0; c < cases; c++) {
        purchase pa[48], pb[48];
        size_t na = random_feed(&rng, pa, 48, "a"), nb = random_feed(&rng, pb, 48, "b");
        libdbm_store *merged, *single;
        int64_t vm[7], vs[7], count;
        CHECK_OK(libdbm_store_open(&merged, ctx, NULL, NULL));
        CHECK_OK(libdbm_store_open(&single, ctx, NULL, NULL));
        feed(merged, "A", pa, na, 0);
        feed(merged, "B", pb, nb, 1);
        feed(single, "U", pb, nb, 0);
        feed(single, "U", pa, na, 0);
        CHECK_OK(libdbm_store_contact_add(merged, "A", 10, "email", "c", 0, LIBDBM_OUTCOME_SENT));
        CHECK_OK(libdbm_store_contact_add(merged, "B", 20, "email", "c", 0, LIBDBM_OUTCOME_SENT));
        CHECK_OK(libdbm_store_event_add(merged, "B", "ev", 5, 1));
        CHECK_OK(libdbm_store_merge(merged, c % 2 ? "A" : "B", c % 2 ? "B" : "A"));
        snapshot_aggs(merged, "A", vm);
        snapshot_aggs(single, "U", vs);
        if (memcmp(vm, vs, sizeof(vm)) != 0) {
            fprintf(stderr, "merge case %d differs (seed %llu)\n", c, (unsigned long long)seed);
            CHECK(0);
        }
        snapshot_aggs(merged, "B", vm);
        CHECK(memcmp(vm, vs, sizeof(vm)) == 0);
        /* Histories unioned; redelivery after the merge counts zero. */
        CHECK_OK(libdbm_store_contact_count(merged, &count, "A", NULL, 0, 0, 100));
        CHECK(count == 2);
        CHECK_OK(libdbm_store_event_count(merged, &count, "A", "ev", 0, 100));
        CHECK(count == 1);
        {
            int added = -1;
            CHECK_OK(libdbm_store_purchase_add_minor(merged, &added, "A", pa[0].time, pa[0].amount, pa[0].txn));
            CHECK(added == 0);
            CHECK_OK(libdbm_store_purchase_add_minor(merged, &added, "B", pb[0].time, pb[0].amount, pb[0].txn));
            CHECK(added == 0);
        }
        libdbm_store_close(merged);
        libdbm_store_close(single);
    }
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : (uint64_t)time(NULL);
    if (seed == 0)
        seed = 1;
    printf("store-property: seed %llu\n", (unsigned long long)seed);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_order_and_duplicates(seed, 300);
    test_merge_equals_union(seed, 200);
    libdbm_context_free(ctx);
    puts("store-property: ok");
    return 0;
}
