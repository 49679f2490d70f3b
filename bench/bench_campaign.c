/* Campaign scheduler figures (docs/campaigns.md, "Performance"):
 *  1. enter N customers (default 1M; the store holds 10% more outside the
 *     segment) by segment into a campaign and compute the due actions at
 *     that time (every treated entry's first stage falls due),
 *     in a store in memory, without and with a contact policy; with the
 *     ratio to a baseline that only formats the same N action ids;
 *  2. event-trigger latency: record an event, trigger the entry and get the
 *     action from due_for() for one customer, the median and 99th
 *     percentile over 20000 customers.
 * Usage: bench-campaign [N]. Figures measured on a shared machine are
 * noisy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libdbm.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the process: steadier than wall time on a shared machine. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void ok(int status, libdbm_context *ctx, const char *what)
{
    if (status != LIBDBM_OK) {
        fprintf(stderr, "%s: %s\n", what, libdbm_context_errmsg(ctx));
        exit(1);
    }
}

static const char *campaign_text =
    "campaign bench\n"
    "entry segment \"attr.tier == \\\"gold\\\"\"\n"
    "holdout 10% salt \"b\"\n"
    "stage first channel email content offer\n"
    "stage second channel email content reminder\n"
    "  at previous + 7d\n";

static const char *policy_text = "cap email 2 per 7d\nconsent unknown allow\nquiet off\nstale off\n";

static libdbm_store *fill(libdbm_context *ctx, long n, int with_address)
{
    libdbm_store *store;
    char id[32], addr[48];
    long i;
    ok(libdbm_store_open(&store, ctx, NULL, NULL), ctx, "open");
    ok(libdbm_store_begin(store), ctx, "begin");
    /* n customers in the segment, and a tenth as many outside it. */
    for (i = 0; i < n + n / 10; i++) {
        snprintf(id, sizeof(id), "cust%08ld", i);
        ok(libdbm_store_attr_set_string(store, id, "tier", i % 11 == 10 ? "silver" : "gold"), ctx,
           "attr");
        if (with_address) {
            snprintf(addr, sizeof(addr), "%s@example.org", id);
            ok(libdbm_store_channel_set_address(store, id, "email", addr, 0), ctx, "address");
        }
    }
    ok(libdbm_store_commit(store), ctx, "commit");
    return store;
}

static void bench_batch(libdbm_context *ctx, long n, int with_policy)
{
    libdbm_store *store = fill(ctx, n, with_policy);
    libdbm_campaign *c;
    libdbm_policy *policy = NULL;
    libdbm_campaign_scheduler *s;
    libdbm_campaign_actions *a;
    int64_t entered, now = 1780000000;
    double t0, t1, t2, c0, c2;
    ok(libdbm_campaign_parse(&c, ctx, campaign_text), ctx, "parse");
    if (with_policy)
        ok(libdbm_policy_parse(&policy, ctx, policy_text), ctx, "policy");
    ok(libdbm_campaign_scheduler_new(&s, c, store, policy), ctx, "scheduler");
    c0 = cpu_seconds();
    t0 = now_seconds();
    ok(libdbm_campaign_enter_segment(s, &entered, now), ctx, "enter");
    t1 = now_seconds();
    ok(libdbm_campaign_due(s, &a, now), ctx, "due");
    t2 = now_seconds();
    c2 = cpu_seconds();
    printf("campaign %s policy: %ld profiles, %lld entered, %lld actions due: enter %.3f s, "
           "due %.3f s, total %.3f s wall, %.3f s CPU (target <= 1 s)\n",
           with_policy ? "with a" : "without a", n + n / 10, (long long)entered,
           (long long)libdbm_campaign_actions_count(a), t1 - t0, t2 - t1, t2 - t0, c2 - c0);
    libdbm_campaign_actions_free(a);
    /* A second due() at the same time finds nothing: the cost of a scan. */
    t0 = now_seconds();
    ok(libdbm_campaign_due(s, &a, now + 60), ctx, "due");
    printf("campaign %s policy: a due() with nothing due: %.3f s\n",
           with_policy ? "with a" : "without a", now_seconds() - t0);
    libdbm_campaign_actions_free(a);
    libdbm_campaign_scheduler_free(s);
    libdbm_policy_free(policy);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

static void bench_baseline(long n)
{
    char *ids = malloc((size_t)n * 48);
    double t0 = now_seconds();
    long i;
    if (ids == NULL)
        exit(1);
    for (i = 0; i < n; i++)
        snprintf(ids + i * 48, 48, "bench/1/0/cust%08ld", i);
    printf("baseline: formatting %ld action ids: %.3f s\n", n, now_seconds() - t0);
    free(ids);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void bench_trigger(libdbm_context *ctx)
{
    enum { M = 20000 };
    static double lat[M];
    libdbm_store *store;
    libdbm_campaign *c;
    libdbm_campaign_scheduler *s;
    int64_t now = 1780000000;
    char id[32];
    int i, entered;
    ok(libdbm_store_open(&store, ctx, NULL, NULL), ctx, "open");
    ok(libdbm_campaign_parse(&c, ctx,
                             "campaign fraud\nentry event fraud_reported\n"
                             "stage alert channel sms content alert class transactional\n"
                             "stage follow_up channel email content follow_up\n"
                             "  at previous + 1d\n"),
       ctx, "parse");
    ok(libdbm_campaign_scheduler_new(&s, c, store, NULL), ctx, "scheduler");
    for (i = 0; i < M; i++) {
        snprintf(id, sizeof(id), "p%06d", i);
        ok(libdbm_store_profile_ensure(store, NULL, id), ctx, "ensure");
    }
    for (i = 0; i < M; i++) {
        libdbm_campaign_actions *a;
        double t0;
        snprintf(id, sizeof(id), "p%06d", i);
        t0 = now_seconds();
        ok(libdbm_store_event_add(store, id, "fraud_reported", now + i, 0), ctx, "event");
        ok(libdbm_campaign_trigger(s, &entered, id, "fraud_reported", now + i), ctx, "trigger");
        ok(libdbm_campaign_due_for(s, &a, id, now + i), ctx, "due_for");
        lat[i] = now_seconds() - t0;
        if (entered != 1 || libdbm_campaign_actions_count(a) != 1) {
            fprintf(stderr, "trigger: no action\n");
            exit(1);
        }
        libdbm_campaign_actions_free(a);
    }
    qsort(lat, M, sizeof(double), by_value);
    printf("event trigger -> action due (memory store, %d customers): median %.2f us, "
           "p99 %.2f us (target median <= 10 us)\n",
           M, lat[M / 2] * 1e6, lat[M * 99 / 100] * 1e6);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    libdbm_context *ctx;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 1;
    bench_baseline(n);
    bench_batch(ctx, n, 0);
    bench_batch(ctx, n, 1);
    bench_trigger(ctx);
    libdbm_context_free(ctx);
    return 0;
}
