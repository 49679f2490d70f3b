/* Threads racing check-and-record for the last slots of a cap: exactly the
 * cap's worth are granted and recorded, whether the threads share one
 * policy or use one policy object per business unit, and the store
 * (a durable one) holds exactly those contacts after reopening. Two more
 * threads keep checking (without recording) meanwhile: their checks see
 * the store between writes and never fail. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define THREADS 8
#define ATTEMPTS 40
#define CUSTOMERS 6
#define CAP 3
#define T0 1700000000LL

typedef struct race {
    libdbm_store *store;
    const libdbm_policy *policies[2];
    pthread_barrier_t start;
    int done;                   /* atomic: the racers have finished */
    int granted[CUSTOMERS];
    pthread_mutex_t lock;
} race;

typedef struct worker {
    race *race;
    int index;
} worker;

static void *run(void *arg)
{
    worker *w = arg;
    race *r = w->race;
    libdbm_context *ctx;
    libdbm_policy_answer *answer;
    char id[16];
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_policy_answer_new(&answer, ctx));
    pthread_barrier_wait(&r->start);
    for (int i = 0; i < ATTEMPTS; i++) {
        libdbm_policy_request q = LIBDBM_POLICY_REQUEST_INIT;
        int c = (i + w->index) % CUSTOMERS;
        snprintf(id, sizeof(id), "c%d", c);
        q.customer_id = id;
        q.channel = i % 2 ? "email" : "sms";
        q.business_unit = w->index % 2 ? "sales" : "service";
        q.campaign = "race";
        q.time = T0 + w->index * 60 + i;
        CHECK_OK(libdbm_policy_check_and_record(r->policies[w->index % 2], answer, r->store, &q));
        CHECK(libdbm_policy_answer_recorded(answer) ==
              (libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_ALLOW));
        if (libdbm_policy_answer_recorded(answer)) {
            pthread_mutex_lock(&r->lock);
            r->granted[c]++;
            pthread_mutex_unlock(&r->lock);
        }
    }
    libdbm_policy_answer_free(answer);
    libdbm_context_free(ctx);
    return NULL;
}

/* Checks without recording until the racers are done. */
static void *observe(void *arg)
{
    race *r = arg;
    libdbm_context *ctx;
    libdbm_policy_answer *answer;
    long checks = 0;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_policy_answer_new(&answer, ctx));
    pthread_barrier_wait(&r->start);
    while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) || checks == 0) {
        libdbm_policy_request q = LIBDBM_POLICY_REQUEST_INIT;
        char id[16];
        snprintf(id, sizeof(id), "c%ld", checks % CUSTOMERS);
        q.customer_id = id;
        q.channel = "email";
        q.time = T0 + 600;
        CHECK_OK(libdbm_policy_check(r->policies[checks % 2], answer, r->store, &q));
        CHECK(libdbm_policy_answer_verdict(answer) != 0);
        checks++;
    }
    libdbm_policy_answer_free(answer);
    libdbm_context_free(ctx);
    return NULL;
}

static void count_recorded(libdbm_store *store, int64_t *counts)
{
    char id[16];
    for (int c = 0; c < CUSTOMERS; c++) {
        int64_t email = 0, sms = 0;
        snprintf(id, sizeof(id), "c%d", c);
        CHECK_OK(libdbm_store_contact_count(store, &email, id, "email", LIBDBM_OUTCOME_SENT, 0,
                                            T0 + 86400));
        CHECK_OK(libdbm_store_contact_count(store, &sms, id, "sms", LIBDBM_OUTCOME_SENT, 0,
                                            T0 + 86400));
        counts[c] = email + sms;
    }
}

/* One round: @p shared = 1 gives every thread the same policy object. */
static void round_of(libdbm_context *ctx, const char *dir, int shared)
{
    static const char *const text = "cap all 3 per 7d\nconsent unknown allow\n";
    race r;
    worker w[THREADS];
    pthread_t threads[THREADS], observers[2];
    libdbm_policy *a = NULL, *b = NULL;
    int64_t counts[CUSTOMERS];
    char id[16];
    memset(&r, 0, sizeof(r));
    CHECK_OK(libdbm_store_open(&r.store, ctx, dir, NULL));
    for (int c = 0; c < CUSTOMERS; c++) {
        snprintf(id, sizeof(id), "c%d", c);
        CHECK_OK(libdbm_store_channel_set_address(r.store, id, "email", "x@example.com", T0));
        CHECK_OK(libdbm_store_channel_set_address(r.store, id, "sms", "+100", T0));
    }
    CHECK_OK(libdbm_policy_parse(&a, ctx, text));
    CHECK_OK(libdbm_policy_parse(&b, ctx, text));
    r.policies[0] = a;
    r.policies[1] = shared ? a : b;
    pthread_barrier_init(&r.start, NULL, THREADS + 2);
    pthread_mutex_init(&r.lock, NULL);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&observers[i], NULL, observe, &r) == 0);
    for (int i = 0; i < THREADS; i++) {
        w[i].race = &r;
        w[i].index = i;
        CHECK(pthread_create(&threads[i], NULL, run, &w[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    __atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
        pthread_join(observers[i], NULL);
    count_recorded(r.store, counts);
    for (int c = 0; c < CUSTOMERS; c++) {
        if (r.granted[c] != CAP || counts[c] != CAP)
            fprintf(stderr, "customer %d: %d granted, %lld recorded, cap %d\n", c, r.granted[c],
                    (long long)counts[c], CAP);
        CHECK(r.granted[c] == CAP);
        CHECK(counts[c] == CAP);
    }
    CHECK_OK(libdbm_store_close(r.store));
    /* durable: the same after reopening */
    CHECK_OK(libdbm_store_open(&r.store, ctx, dir, NULL));
    count_recorded(r.store, counts);
    for (int c = 0; c < CUSTOMERS; c++)
        CHECK(counts[c] == CAP);
    CHECK_OK(libdbm_store_close(r.store));
    pthread_barrier_destroy(&r.start);
    pthread_mutex_destroy(&r.lock);
    libdbm_policy_free(a);
    libdbm_policy_free(b);
}

static void remove_store(const char *dir)
{
    static const char *const files[] = { "LOCK", "snapshot.dbm", "log.dbm" };
    char path[512];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    libdbm_context *ctx;
    char dir1[] = "/tmp/libdbm-policy-race-XXXXXX", dir2[] = "/tmp/libdbm-policy-race-XXXXXX";
    int32_t off;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    if (libdbm_tz_offset(ctx, &off, "UTC", 0) != LIBDBM_OK) {
        fprintf(stderr, "no zoneinfo: skipped\n");
        return 77;
    }
    CHECK(mkdtemp(dir1) != NULL && mkdtemp(dir2) != NULL);
    round_of(ctx, dir1, 1);
    round_of(ctx, dir2, 0);
    remove_store(dir1);
    remove_store(dir2);
    libdbm_context_free(ctx);
    printf("policy race: ok (%d threads x %d attempts, cap %d per customer)\n", THREADS, ATTEMPTS,
           CAP);
    return 0;
}
