/* A checkout counter's use of libdbm (examples/pos).
 *
 * A point-of-sale box keeps a local, durable store of its customers. At the
 * counter it looks the customer up, records the sale with the receipt's
 * transaction id (a retried request must not count twice), and asks the
 * contact policy whether the receipt email may carry a marketing coupon.
 * Then the box goes offline for a day, buffers its sales and syncs them
 * late and out of order (with one retried upload): the per-customer
 * aggregates must be exactly those of an in-order feed.
 *
 *     pos STORE_DIR     (the directory is created; an existing store is reused)
 *
 * Prints latency figures (median and p99 over many calls) and exits 1 when
 * any step does not behave as described. Build against the installed
 * library:  cc pos.c $(pkg-config --cflags --libs libdbm) -o pos
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libdbm.h>

#define DAY INT64_C(86400)
#define TIMED_CALLS 20000
#define OFFLINE_SALES 400
#define OFFLINE_CUSTOMERS 40

/* The policy the shop's CRM team wrote (docs/policy.md): at most one
 * marketing email every 3 days and 2 a week, never at night. */
static const char policy_text[] =
    "timezone attribute timezone default \"America/Sao_Paulo\"\n"
    "consent unknown deny\n"
    "cap email 2 per 7d\n"
    "gap email 3d\n"
    "quiet 21:00-08:00\n";

static int failures;

static void expect(int ok, const char *what)
{
    printf("  %-66s %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

static int check(int status, libdbm_context *ctx, const char *call)
{
    if (status != LIBDBM_OK) {
        fprintf(stderr, "pos: %s: %s (%s)\n", call, libdbm_strerror(status),
                libdbm_context_errmsg(ctx));
        exit(2);
    }
    return status;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prints the median and p99 of @p calls measured latencies. */
static void report_latency(const char *what, double *ns, int calls)
{
    qsort(ns, (size_t)calls, sizeof(double), compare_doubles);
    printf("  %-40s median %8.0f ns   p99 %8.0f ns   (%d calls)\n", what,
           ns[calls / 2], ns[calls * 99 / 100], calls);
}

/* A small deterministic generator, so every run syncs the same day (walk-in
 * customers W0000..W0039). */
static uint32_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*state >> 33);
}

typedef struct sale {
    char customer[16];
    char receipt[24];
    int64_t time;
    double amount;
} sale;

static void make_offline_day(sale *sales, int64_t day_start)
{
    uint64_t rng = 42;
    for (int i = 0; i < OFFLINE_SALES; i++) {
        snprintf(sales[i].customer, sizeof(sales[i].customer), "W%04u",
                 next_random(&rng) % OFFLINE_CUSTOMERS);
        snprintf(sales[i].receipt, sizeof(sales[i].receipt), "R-OFF-%05d", i);
        /* opening hours 09:00-21:00 local (UTC-3): 12:00-24:00 UTC */
        sales[i].time = day_start + 12 * 3600 + i * (12 * 3600 / OFFLINE_SALES);
        sales[i].amount = (double)(next_random(&rng) % 20000) / 100.0 + 1.0;
        if (i % 37 == 36)
            sales[i].amount = -sales[i].amount / 4;   /* a few refunds */
    }
}

static void load_sales(libdbm_store *store, libdbm_context *ctx, const sale *sales,
                       const int *order, int n)
{
    check(libdbm_store_begin(store), ctx, "begin");
    for (int i = 0; i < n; i++) {
        const sale *s = &sales[order[i]];
        check(libdbm_store_purchase_add(store, NULL, s->customer, s->time, s->amount, s->receipt),
              ctx, "purchase_add");
    }
    check(libdbm_store_commit(store), ctx, "commit");
}

/* Whether every aggregate of every offline customer is the same in both stores. */
static int same_aggregates(libdbm_store *a, libdbm_store *b)
{
    for (int c = 0; c < OFFLINE_CUSTOMERS; c++) {
        char id[16];
        snprintf(id, sizeof(id), "W%04d", c);
        for (int which = LIBDBM_AGG_FIRST_PURCHASE; which <= LIBDBM_AGG_REFUND_TOTAL_MINOR;
             which++) {
            int64_t va = -1, vb = -1;
            int sa = libdbm_store_aggregate(a, &va, id, which);
            int sb = libdbm_store_aggregate(b, &vb, id, which);
            if (sa != sb || va != vb)
                return 0;
        }
    }
    return 1;
}

static void sync_offline_day(libdbm_context *ctx, libdbm_store *store, int64_t day_start)
{
    static sale sales[OFFLINE_SALES];
    static int in_order[OFFLINE_SALES], shuffled[OFFLINE_SALES + OFFLINE_SALES / 4];
    libdbm_store *reference;
    uint64_t rng = 7;
    int n_shuffled = 0;

    printf("\noffline for a day, then syncing %d sales late and out of order\n", OFFLINE_SALES);
    make_offline_day(sales, day_start);
    for (int i = 0; i < OFFLINE_SALES; i++)
        in_order[i] = shuffled[n_shuffled++] = i;
    for (int i = 0; i < OFFLINE_SALES / 4; i++)   /* a retried upload resends a quarter */
        shuffled[n_shuffled++] = (int)(next_random(&rng) % OFFLINE_SALES);
    for (int i = n_shuffled - 1; i > 0; i--) {
        int j = (int)(next_random(&rng) % (uint32_t)(i + 1)), t = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = t;
    }
    /* What the store would hold had the box never been offline. */
    check(libdbm_store_open(&reference, ctx, NULL, NULL), ctx, "open in-memory");
    load_sales(reference, ctx, sales, in_order, OFFLINE_SALES);
    double t0 = now_ns();
    load_sales(store, ctx, sales, shuffled, n_shuffled);
    printf("  synced %d uploads (%d duplicates) in one durable batch: %.2f ms\n", n_shuffled,
           n_shuffled - OFFLINE_SALES, (now_ns() - t0) / 1e6);
    expect(same_aggregates(store, reference),
           "late, shuffled, duplicated feed gives the in-order aggregates");
    libdbm_store_close(reference);
}

static void seed_customer(libdbm_context *ctx, libdbm_store *store, int64_t now)
{
    int exists = 0;
    check(libdbm_store_profile_exists(store, &exists, "C0001"), ctx, "profile_exists");
    if (exists)
        return;
    check(libdbm_store_profile_ensure(store, NULL, "C0001"), ctx, "profile_ensure");
    check(libdbm_store_attr_set_string(store, "C0001", "timezone", "America/Sao_Paulo"), ctx,
          "attr_set_string");
    check(libdbm_store_channel_set_address(store, "C0001", "email", "ana@example.com",
                                           now - 30 * DAY), ctx, "set_address");
    check(libdbm_store_consent_record(store, "C0001", "email", NULL, LIBDBM_CONSENT_GRANTED,
                                      now - 30 * DAY, "pos-signup", "v1"), ctx, "consent");
}

static void checkout(libdbm_context *ctx, libdbm_store *store, const libdbm_policy *policy,
                     int64_t now)
{
    static double ns[TIMED_CALLS];
    libdbm_policy_request req = LIBDBM_POLICY_REQUEST_INIT;
    libdbm_policy_answer *answer;
    int exists = 0, added_first = -1, added_again = -1;
    int64_t count_before = 0, count_after = 0;

    printf("checkout: customer C0001 buys for 59.90 (receipt R-0001)\n");
    for (int i = 0; i < TIMED_CALLS; i++) {
        double t0 = now_ns();
        libdbm_store_profile_exists(store, &exists, "C0001");
        ns[i] = now_ns() - t0;
    }
    report_latency("look up the customer", ns, TIMED_CALLS);
    expect(exists == 1, "customer found");

    libdbm_store_aggregate(store, &count_before, "C0001", LIBDBM_AGG_PURCHASE_COUNT);
    double t0 = now_ns();
    check(libdbm_store_purchase_add(store, &added_first, "C0001", now, 59.90, "R-0001"), ctx,
          "purchase_add");
    double record_ns = now_ns() - t0;
    /* The terminal timed out and sent the same sale again. */
    check(libdbm_store_purchase_add(store, &added_again, "C0001", now, 59.90, "R-0001"), ctx,
          "purchase_add");
    libdbm_store_aggregate(store, &count_after, "C0001", LIBDBM_AGG_PURCHASE_COUNT);
    printf("  %-40s %8.0f ns (durable: logged and fsynced)\n", "record the sale", record_ns);
    expect(added_again == 0 && count_after == count_before + (added_first == 1),
           "the replayed receipt R-0001 counts once");

    check(libdbm_policy_answer_new(&answer, ctx), ctx, "answer_new");
    req.customer_id = "C0001";
    req.channel = "email";
    req.campaign = "receipt-coupon";
    req.time = now;
    for (int i = 0; i < TIMED_CALLS; i++) {
        double t1 = now_ns();
        libdbm_policy_check(policy, answer, store, &req);
        ns[i] = now_ns() - t1;
    }
    report_latency("policy check (coupon in receipt email)", ns, TIMED_CALLS);
    check(libdbm_policy_check_and_record(policy, answer, store, &req), ctx, "check_and_record");
    printf("  coupon: %s\n", libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_ALLOW
                                 ? "allowed, recorded in the contact history"
                                 : libdbm_policy_answer_reason(answer));
    /* A second coupon the same day runs into the 3-day gap: deferred, not lost. */
    check(libdbm_policy_check(policy, answer, store, &req), ctx, "check");
    expect(libdbm_policy_answer_verdict(answer) != LIBDBM_POLICY_ALLOW,
           "a second coupon the same day is not allowed");
    if (libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_DEFER) {
        char until[32];
        libdbm_time_format(until, sizeof(until), libdbm_policy_answer_until(answer));
        printf("  second coupon deferred by %s until %s (%s)\n",
               libdbm_policy_answer_rule(answer), until, libdbm_policy_answer_reason(answer));
    }
    /* The receipt itself is transactional: no gap or cap applies. */
    req.message_class = LIBDBM_MESSAGE_TRANSACTIONAL;
    req.campaign = "receipt";
    check(libdbm_policy_check(policy, answer, store, &req), ctx, "check");
    expect(libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_ALLOW,
           "the transactional receipt email is allowed");
    libdbm_policy_answer_free(answer);
}

int main(int argc, char **argv)
{
    /* 2026-03-02 15:00 UTC = 12:00 in Sao Paulo, inside opening hours. */
    const int64_t now = INT64_C(1772463600);
    libdbm_context *ctx;
    libdbm_store *store;
    libdbm_policy *policy;

    if (argc != 2) {
        fprintf(stderr, "usage: pos STORE_DIR\n");
        return 1;
    }
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 2;
    check(libdbm_store_open(&store, ctx, argv[1], NULL), ctx, "store_open");
    check(libdbm_policy_parse(&policy, ctx, policy_text), ctx, "policy_parse");
    seed_customer(ctx, store, now);
    checkout(ctx, store, policy, now);
    sync_offline_day(ctx, store, now - DAY);
    libdbm_policy_free(policy);
    check(libdbm_store_close(store), ctx, "store_close");
    libdbm_context_free(ctx);
    printf("\n%s\n", failures ? "pos: some steps FAILED" : "pos: every step behaved");
    return failures ? 1 : 0;
}
