/* Readers concurrently with a writer (docs/threading.md, docs/store.md
 * "Threads"): reader threads look profiles up, read aggregates and walk a
 * cursor while one writer commits batches. Each batch adds one purchase of
 * the same amount to "a" and to "b" and creates one new profile, so a
 * reader holding the read lock must always see
 *   count(a) == count(b), total(a) == total(b), profiles == count(a) + 2,
 * and a reader going through the public API (one lock per call) must see
 * the counts only grow and every profile the counts promise. Run it under
 * the sanitizer builds too (meson setup -Db_sanitize=address|thread). */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "libdbm.h"
#include "store_columns.h"

enum { BATCHES = 3000, READERS = 3 };

static libdbm_store *store;
static volatile int writer_done;
static volatile int readers_started;
static volatile long mid_batch_views;  /* reader views while the writer ran */

static void *writer(void *arg)
{
    int k;
    (void)arg;
    /* Start once every reader runs, so that they overlap the writes. */
    while (__atomic_load_n(&readers_started, __ATOMIC_ACQUIRE) < READERS)
        sched_yield();
    for (k = 0; k < BATCHES; k++) {
        char id[32], txn[32];
        snprintf(id, sizeof(id), "new-%d", k);
        snprintf(txn, sizeof(txn), "t%d", k);
        CHECK_OK(libdbm_store_begin(store));
        CHECK_OK(libdbm_store_purchase_add_minor(store, NULL, "a", 86400 * (int64_t)(k % 400), k, txn));
        CHECK_OK(libdbm_store_purchase_add_minor(store, NULL, id, 86400, 1, NULL));
        CHECK_OK(libdbm_store_purchase_add_minor(store, NULL, "b", 86400 * (int64_t)(k % 300), k, txn));
        CHECK_OK(libdbm_store_commit(store));
    }
    __atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Under one read lock: the batch invariant holds exactly. */
static void locked_check(void)
{
    dbmi_store_columns c;
    size_t a, b;
    int64_t live;
    dbmi_store_read_lock(store);
    CHECK_OK(dbmi_store_slot_of_locked(store, "a", &a));
    CHECK_OK(dbmi_store_slot_of_locked(store, "b", &b));
    dbmi_store_get_columns(store, &c);
    CHECK(c.purchase_count[a] == c.purchase_count[b]);
    CHECK(c.total_minor[a] == c.total_minor[b]);
    live = 0;
    {
        size_t i, n = dbmi_store_slot_count(store);
        for (i = 0; i < n; i++)
            live += dbmi_store_slot_live(store, i);
    }
    CHECK(live == (int64_t)c.purchase_count[a] + 2);
    if (c.purchase_count[a] > 0 && c.purchase_count[a] < BATCHES)
        __atomic_add_fetch(&mid_batch_views, 1, __ATOMIC_RELAXED);
    dbmi_store_read_unlock(store);
}

static int64_t count_of(const char *id)
{
    int64_t v = -1;
    CHECK_OK(libdbm_store_aggregate(store, &v, id, LIBDBM_AGG_PURCHASE_COUNT));
    return v;
}

/* Through the public API: monotonic counts, promised profiles exist, a
 * cursor sees at least the profiles counted before it started. */
static void public_check(int64_t *last_seen)
{
    int64_t n = count_of("b"), total = 0, profiles = 0, walked = 0;
    char id[32];
    int exists = 0, status;
    libdbm_store_cursor *cur = NULL;
    const char *next;
    CHECK(n >= *last_seen);
    *last_seen = n;
    CHECK(count_of("a") >= n);      /* read later: never behind */
    if (n > 0) {
        snprintf(id, sizeof(id), "new-%lld", (long long)(n - 1));
        CHECK_OK(libdbm_store_profile_exists(store, &exists, id));
        CHECK(exists == 1);
    }
    CHECK_OK(libdbm_store_aggregate(store, &total, "a", LIBDBM_AGG_TOTAL_MINOR));
    CHECK(total >= n * (n - 1) / 2);
    CHECK_OK(libdbm_store_profile_count(store, &profiles));
    CHECK(profiles >= n + 2);
    CHECK_OK(libdbm_store_cursor_new(&cur, store));
    while ((status = libdbm_store_cursor_next(cur, &next)) == LIBDBM_OK) {
        CHECK(strcmp(next, "a") == 0 || strcmp(next, "b") == 0 || strncmp(next, "new-", 4) == 0);
        walked++;
    }
    CHECK_STATUS(status, LIBDBM_ENOTFOUND);
    CHECK(walked >= profiles);
    libdbm_store_cursor_free(cur);
}

static void *reader(void *arg)
{
    int64_t last_seen = 0;
    long rounds = 0;
    (void)arg;
    __atomic_add_fetch(&readers_started, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE) || rounds < 10) {
        locked_check();
        if (rounds % 8 == 0)
            public_check(&last_seen);
        rounds++;
    }
    return NULL;
}

int main(void)
{
    libdbm_context *ctx;
    pthread_t w, r[READERS];
    int i;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_store_open(&store, ctx, NULL, NULL));
    CHECK_OK(libdbm_store_profile_ensure(store, &i, "a"));
    CHECK_OK(libdbm_store_profile_ensure(store, &i, "b"));
    for (i = 0; i < READERS; i++)
        CHECK(pthread_create(&r[i], NULL, reader, NULL) == 0);
    CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
    CHECK(pthread_join(w, NULL) == 0);
    for (i = 0; i < READERS; i++)
        CHECK(pthread_join(r[i], NULL) == 0);
    locked_check();
    CHECK(count_of("a") == BATCHES);
    printf("store-threads: %ld reader views taken while the writer was committing\n",
           (long)mid_batch_views);
    CHECK_OK(libdbm_store_close(store));
    libdbm_context_free(ctx);
    puts("store-threads: ok");
    return 0;
}
