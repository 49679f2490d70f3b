/* A transaction id delivered to two profiles that are later merged counts
 * once (docs/store.md, "Merge"): the merged aggregates equal those of one
 * profile that received every purchase, checked against such a reference
 * store over random feeds, in memory and after reopening from the log and
 * from a snapshot. Also: snapshots of payload version 1 (transaction hashes
 * without day and amount) are still read, and their transactions then keep
 * the old rule (counted twice); an unknown payload version is refused. */
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "check.h"
#include "model.h"
#include "store_columns.h"
#include "store_snapshot.h"
#include "store_test_util.h"

static libdbm_context *ctx;

static const int aggs[] = {LIBDBM_AGG_FIRST_PURCHASE, LIBDBM_AGG_LAST_PURCHASE,
                           LIBDBM_AGG_PURCHASE_COUNT, LIBDBM_AGG_PURCHASE_DAYS,
                           LIBDBM_AGG_TOTAL_MINOR, LIBDBM_AGG_REFUND_COUNT,
                           LIBDBM_AGG_REFUND_TOTAL_MINOR};
#define N_AGGS (sizeof(aggs) / sizeof(aggs[0]))

static int64_t agg(libdbm_store *s, const char *id, int which)
{
    int64_t v = -12345;
    CHECK_OK(libdbm_store_aggregate(s, &v, id, which));
    return v;
}

/* The purchase days as scoring reads them must match too. */
static void same_days(libdbm_store *a, const char *id_a, libdbm_store *b, const char *id_b)
{
    const dbmi_purchase_day *da, *db;
    size_t sa, sb, na, nb;
    CHECK_OK(dbmi_store_slot_of(a, id_a, &sa));
    CHECK_OK(dbmi_store_slot_of(b, id_b, &sb));
    dbmi_store_read_lock(a);
    dbmi_store_read_lock(b);
    dbmi_store_slot_purchase_days(a, sa, &da, &na);
    dbmi_store_slot_purchase_days(b, sb, &db, &nb);
    CHECK(na == nb);
    CHECK(na == 0 || memcmp(da, db, na * sizeof(*da)) == 0);
    dbmi_store_read_unlock(b);
    dbmi_store_read_unlock(a);
}

static void same_aggregates(libdbm_store *merged, libdbm_store *reference)
{
    size_t k;
    for (k = 0; k < N_AGGS; k++) {
        /* First and last purchase are ENOTFOUND without purchases. */
        int64_t x = -1, y = -2;
        int sx = libdbm_store_aggregate(merged, &x, "a", aggs[k]);
        int sy = libdbm_store_aggregate(reference, &y, "one", aggs[k]);
        CHECK(sx == sy);
        CHECK(sx != LIBDBM_OK || x == y);
    }
    same_days(merged, "a", reference, "one");
}

typedef struct purchase { int64_t time; int64_t amount; char txn[16]; int to_a, to_b; } purchase;

/* A random feed: transactions from a small pool so that many reach both
 * profiles; the copies of one transaction are identical (a POS retry). */
static size_t random_feed(uint64_t *rng, purchase *p, size_t max)
{
    size_t n = 1 + store_test_rand(rng) % max, i;
    for (i = 0; i < n; i++) {
        uint64_t r = store_test_rand(rng);
        p[i].time = 86400 * (int64_t)(r % 20) + (int64_t)(r >> 40) % 86400;
        p[i].amount = (int64_t)((r >> 8) % 5000) - ((r >> 20) % 7 == 0 ? 6000 : 0);
        if ((r >> 24) % 5 == 0)
            p[i].txn[0] = '\0';     /* no transaction id */
        else
            snprintf(p[i].txn, sizeof(p[i].txn), "T%u", (unsigned)(i % 13));
        /* Without a transaction id, a purchase given to both profiles
         * would be two purchases: give it to one. */
        p[i].to_a = (r >> 30) % 3 != 0;
        p[i].to_b = !p[i].to_a || (p[i].txn[0] != '\0' && (r >> 32) % 2 == 0);
    }
    /* A transaction id stands for one purchase: its copies agree. */
    for (i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < i; j++)
            if (p[i].txn[0] != '\0' && strcmp(p[i].txn, p[j].txn) == 0) {
                p[i].time = p[j].time;
                p[i].amount = p[j].amount;
            }
    }
    return n;
}

static void deliver(libdbm_store *s, const char *id, const purchase *p)
{
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, id, p->time, p->amount,
                                             p->txn[0] ? p->txn : NULL));
}

static void one_round(uint64_t *rng, const char *dir)
{
    purchase feed[40];
    size_t n = random_feed(rng, feed, 40), i;
    int created;
    libdbm_store *merged = NULL, *reference = NULL;
    CHECK_OK(libdbm_store_open(&merged, ctx, dir, NULL));
    CHECK_OK(libdbm_store_open(&reference, ctx, NULL, NULL));
    for (i = 0; i < n; i++) {
        if (feed[i].to_a)
            deliver(merged, "a", &feed[i]);
        if (feed[i].to_b)
            deliver(merged, "b", &feed[i]);
        deliver(reference, "one", &feed[i]);
    }
    CHECK_OK(libdbm_store_profile_ensure(merged, &created, "a"));
    CHECK_OK(libdbm_store_profile_ensure(merged, &created, "b"));
    CHECK_OK(libdbm_store_profile_ensure(reference, &created, "one"));
    CHECK_OK(libdbm_store_merge(merged, "a", "b"));
    same_aggregates(merged, reference);
    /* Redelivered after the merge, under either id: still once. */
    for (i = 0; i < n; i += 3) {
        deliver(merged, i % 2 ? "a" : "b", &feed[i]);
        if (feed[i].txn[0] == '\0')
            deliver(reference, "one", &feed[i]);
    }
    same_aggregates(merged, reference);
    if (dir != NULL) {
        CHECK_OK(libdbm_store_close(merged));
        CHECK_OK(libdbm_store_open(&merged, ctx, dir, NULL));   /* log replay */
        same_aggregates(merged, reference);
        CHECK_OK(libdbm_store_checkpoint(merged));
        CHECK_OK(libdbm_store_close(merged));
        CHECK_OK(libdbm_store_open(&merged, ctx, dir, NULL));   /* snapshot */
        same_aggregates(merged, reference);
    }
    CHECK_OK(libdbm_store_close(merged));
    CHECK_OK(libdbm_store_close(reference));
}

static void test_simple(void)
{
    libdbm_store *s = NULL;
    CHECK_OK(libdbm_store_open(&s, ctx, NULL, NULL));
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "a", 86400, 1000, "T1"));
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "a", 2 * 86400, 500, "T2"));
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "b", 86400, 1000, "T1"));
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "b", 3 * 86400, -200, "R1"));
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "a", 3 * 86400, -200, "R1"));
    CHECK_OK(libdbm_store_merge(s, "a", "b"));
    CHECK(agg(s, "a", LIBDBM_AGG_PURCHASE_COUNT) == 2);
    CHECK(agg(s, "a", LIBDBM_AGG_TOTAL_MINOR) == 1500);
    CHECK(agg(s, "a", LIBDBM_AGG_PURCHASE_DAYS) == 2);
    CHECK(agg(s, "a", LIBDBM_AGG_REFUND_COUNT) == 1);
    CHECK(agg(s, "a", LIBDBM_AGG_REFUND_TOTAL_MINOR) == -200);
    CHECK(agg(s, "b", LIBDBM_AGG_TOTAL_MINOR) == 1500);    /* the alias */
    CHECK_OK(libdbm_store_close(s));
}

/* ---- payload version 1 ---------------------------------------------------- */

static void put_cstr(dbmi_buf *b, const char *s)
{
    dbmi_buf_put_bytes(b, s, strlen(s) + 1);
}

/* A version 1 payload: profiles "a" and "b", each with one purchase of
 * 1000 on day 1 under the transaction hash of "T1". */
static void v1_payload(dbmi_buf *b, uint32_t version)
{
    static const unsigned char salt[DBMI_SALT_BYTES];
    static const char *ids[] = {"a", "b"};
    int k, j;
    dbmi_buf_put_u32(b, version);
    dbmi_buf_put_i64(b, 100);
    dbmi_buf_put(b, salt, sizeof(salt));
    dbmi_buf_put_varint(b, 0);     /* names */
    dbmi_buf_put_varint(b, 0);     /* declared */
    dbmi_buf_put_varint(b, 0);     /* suppressed */
    dbmi_buf_put_varint(b, 2);     /* profiles */
    for (k = 0; k < 2; k++) {
        put_cstr(b, ids[k]);
        dbmi_buf_put_varint(b, 1);        /* one day */
        dbmi_buf_put_varint(b, 2);        /* zigzag(1) */
        dbmi_buf_put_varint(b, 1);        /* count */
        dbmi_buf_put_varint(b, 2000);     /* zigzag(1000) */
        dbmi_buf_put_varint(b, 2 * 86400);        /* first: zigzag(86400) */
        dbmi_buf_put_varint(b, 2 * 86400);        /* last */
        dbmi_buf_put_varint(b, 0);        /* refunds */
        dbmi_buf_put_varint(b, 0);
        dbmi_buf_put_varint(b, 1);        /* one transaction, hash only */
        dbmi_buf_put_u64(b, dbmi_txn_hash("T1", 2));
        for (j = 0; j < 5; j++)
            dbmi_buf_put_varint(b, 0);    /* attrs .. events */
    }
    dbmi_buf_put_varint(b, 0);     /* aliases */
}

static void test_version_1(void)
{
    dbmi_buf b;
    dbmi_model m;
    uint32_t a, bb;
    dbmi_buf_init(&b, ctx);
    v1_payload(&b, 1);
    CHECK_OK(dbmi_buf_status(&b));
    dbmi_model_init(&m, ctx, 100);
    CHECK_OK(dbmi_store_deserialize(&m, b.data, b.len));
    CHECK(dbmi_model_find(&m, "a", 1, &a) && dbmi_model_find(&m, "b", 1, &bb));
    CHECK(m.slots[a].n_txns == 1);
    CHECK(dbmi_model_txns(&m, a)[0].amount_minor == DBMI_TXN_AMOUNT_UNKNOWN);
    CHECK(dbmi_model_has_txn(&m, a, dbmi_txn_hash("T1", 2)));
    /* Without the amount the copy cannot be taken out: counted twice. */
    CHECK_OK(dbmi_model_merge(&m, a, bb));
    CHECK(m.purchase_count[a] == 2);
    CHECK(m.total_minor[a] == 2000);
    CHECK(dbmi_model_txns(&m, a)[0].hash == dbmi_txn_hash("T1", 2));
    dbmi_model_free(&m);
    /* A version this build does not know is refused with a clear error. */
    dbmi_buf_clear(&b);
    v1_payload(&b, 99);
    dbmi_model_init(&m, ctx, 100);
    CHECK_STATUS(dbmi_store_deserialize(&m, b.data, b.len), LIBDBM_EVERSION);
    CHECK(strstr(libdbm_context_errmsg(ctx), "version 99") != NULL);
    dbmi_model_free(&m);
    dbmi_buf_free(&b);
}

int main(void)
{
    uint64_t rng = 0x9e3779b97f4a7c15u;
    char dir[512];
    int round;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_simple();
    test_version_1();
    for (round = 0; round < 300; round++)
        one_round(&rng, NULL);
    for (round = 0; round < 20; round++) {
        store_test_tmpdir(dir, sizeof(dir), "merge-txn");
        one_round(&rng, dir);
        store_test_rmdir(dir);
    }
    libdbm_context_free(ctx);
    puts("store-merge-txn: ok");
    return 0;
}
