/* Segments evaluated by several threads on one store while a writer keeps
 * writing: every write empties the store's column cache, so readers race
 * to rebuild it. The writer only touches an attribute no expression reads,
 * so every evaluation must give the members the first one gave. (Run under
 * ThreadSanitizer in CI's sanitizer builds.) */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "random_store.h"

#define READERS 3
#define ROUNDS 150

static const char *const expressions[] = {
    "attr.country == \"BR\" or consent.email or recency_days < 60",
    "rfm.segment in (\"Champions\", \"Lost\") and not contacted(email, last 30d)",
    "p_alive > 0.3 or address.sms.valid or attr.age between 1 and 5",
};

typedef struct shared {
    rs_store *rs;
    libdbm_segment *seg[3];
    libdbm_members *expected[3];
    int stop;
    int failures;
} shared;

static void *reader(void *arg)
{
    shared *sh = arg;
    int round, e;
    for (round = 0; round < ROUNDS; round++) {
        for (e = 0; e < 3; e++) {
            libdbm_members *m = NULL, *diff = NULL;
            if (libdbm_segment_evaluate(&m, sh->seg[e], sh->rs->store, RS_NOW) != LIBDBM_OK ||
                libdbm_members_minus(&diff, m, sh->expected[e]) != LIBDBM_OK ||
                libdbm_members_count(diff) != 0 ||
                libdbm_members_count(m) != libdbm_members_count(sh->expected[e]))
                __atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
            libdbm_members_free(m);
            libdbm_members_free(diff);
        }
    }
    return NULL;
}

static void *writer(void *arg)
{
    shared *sh = arg;
    int64_t k = 0;
    while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
        const char *id = sh->rs->ids[k % sh->rs->nids].id;
        if (libdbm_store_attr_set_int64(sh->rs->store, id, "unrelated", k++) != LIBDBM_OK)
            __atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

int main(void)
{
    libdbm_context *ctx;
    rs_store rs;
    shared sh;
    pthread_t readers[READERS], w;
    int i;
    memset(&sh, 0, sizeof(sh));
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(rs_open(&rs, ctx, 2026, 200, 3000));
    sh.rs = &rs;
    for (i = 0; i < 3; i++) {
        CHECK_OK(libdbm_segment_compile(&sh.seg[i], ctx, expressions[i]));
        CHECK_OK(libdbm_segment_evaluate(&sh.expected[i], sh.seg[i], rs.store, RS_NOW));
        CHECK(libdbm_members_count(sh.expected[i]) > 0);
    }
    CHECK(pthread_create(&w, NULL, writer, &sh) == 0);
    for (i = 0; i < READERS; i++)
        CHECK(pthread_create(&readers[i], NULL, reader, &sh) == 0);
    for (i = 0; i < READERS; i++)
        pthread_join(readers[i], NULL);
    __atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
    pthread_join(w, NULL);
    CHECK(sh.failures == 0);
    for (i = 0; i < 3; i++) {
        libdbm_members_free(sh.expected[i]);
        libdbm_segment_free(sh.seg[i]);
    }
    rs_close(&rs);
    libdbm_context_free(ctx);
    puts("segment-store-threads: ok");
    return 0;
}
