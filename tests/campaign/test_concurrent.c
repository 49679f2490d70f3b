/* Concurrent schedulers: four threads, each with its own scheduler of the
 * same campaign on one store (and a contact policy with a cap), step the
 * same clock at once while customers keep entering by trigger. No action
 * id is ever handed out as new twice, every stage of every entry is issued
 * exactly once, and the cap holds for every customer.
 *
 * Usage: test-campaign-concurrent */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_test_util.h"
#include "check.h"

#define THREADS 4
#define CUSTOMERS 60
#define HOUR 3600

static const char *definition =
    "campaign race\n"
    "entry event go\n"
    "stage a channel email content a\n"
    "stage b channel email content b\n"
    "  at previous + 1h\n"
    "stage c channel sms content c\n"
    "  at previous + 1h\n";

static libdbm_context *ctx;
static libdbm_store *store;
static libdbm_campaign *campaign;
static libdbm_policy *policy;
static int64_t t0;

typedef struct worker {
    int index;
    ctu_log log;
} worker;

static void *run(void *arg)
{
    worker *w = arg;
    libdbm_campaign_scheduler *s;
    int step;
    CHECK_OK(libdbm_campaign_scheduler_new(&s, campaign, store, policy));
    for (step = 0; step < 3 * CUSTOMERS; step++) {
        int64_t now = t0 + step * HOUR / 4;
        /* Every thread triggers the same customers: one entry each. */
        if (step < CUSTOMERS) {
            char id[16];
            snprintf(id, sizeof(id), "k%d", step);
            CHECK_OK(libdbm_campaign_trigger(s, NULL, id, "go", now));
        }
        ctu_due(s, &w->log, NULL, now, step % 3 != w->index % 3);
    }
    libdbm_campaign_scheduler_free(s);
    return NULL;
}

int main(void)
{
    worker workers[THREADS];
    pthread_t threads[THREADS];
    libdbm_campaign_scheduler *s;
    char id[16];
    size_t total = 0, k, j;
    int i, w;
    t0 = ctu_utc(2026, 8, 3, 9, 0);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    store = ctu_memory_store(ctx);
    CHECK_OK(libdbm_campaign_parse(&campaign, ctx, definition));
    CHECK_OK(libdbm_policy_parse(&policy, ctx,
                                 "cap email 2 per 7d\nconsent unknown allow\nquiet off\nstale off\n"));
    for (i = 0; i < CUSTOMERS; i++) {
        snprintf(id, sizeof(id), "k%d", i);
        CHECK_OK(libdbm_store_channel_set_address(store, id, "email", "k@example.org", 0));
        CHECK_OK(libdbm_store_channel_set_address(store, id, "sms", "+5511900000000", 0));
    }
    for (w = 0; w < THREADS; w++) {
        memset(&workers[w], 0, sizeof(workers[w]));
        workers[w].index = w;
        CHECK(pthread_create(&threads[w], NULL, run, &workers[w]) == 0);
    }
    for (w = 0; w < THREADS; w++)
        CHECK(pthread_join(threads[w], NULL) == 0);
    /* Drain what no thread acknowledged, then count. */
    CHECK_OK(libdbm_campaign_scheduler_new(&s, campaign, store, policy));
    {
        ctu_log last = {0};
        ctu_due(s, &last, NULL, t0 + 1000 * HOUR, 1);
        ctu_log_free(&last);
    }
    for (w = 0; w < THREADS; w++)
        for (k = 0; k < workers[w].log.n; k++) {
            const ctu_sent *a = &workers[w].log.items[k];
            if (a->redelivery)
                continue;
            total++;
            for (i = 0; i < THREADS; i++)
                for (j = 0; j < workers[i].log.n; j++) {
                    const ctu_sent *b = &workers[i].log.items[j];
                    if ((i != w || j != k) && !b->redelivery && strcmp(a->id, b->id) == 0) {
                        fprintf(stderr, "%s handed out as new twice\n", a->id);
                        CHECK(0);
                    }
                }
        }
    CHECK(total == 3 * CUSTOMERS);
    for (i = 0; i < CUSTOMERS; i++) {
        int64_t n;
        snprintf(id, sizeof(id), "k%d", i);
        CHECK_OK(libdbm_store_contact_count(store, &n, id, "email", LIBDBM_OUTCOME_SENT, 0, INT64_MAX));
        CHECK(n == 2);
    }
    for (w = 0; w < THREADS; w++)
        ctu_log_free(&workers[w].log);
    libdbm_campaign_scheduler_free(s);
    libdbm_policy_free(policy);
    libdbm_campaign_free(campaign);
    libdbm_store_close(store);
    libdbm_context_free(ctx);
    return 0;
}
