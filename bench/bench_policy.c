/* Contact policy checks (docs/policy.md, "Performance"): the latency of one
 * libdbm_policy_check for customers with a year of contact history (about
 * 150 contacts over email, sms and push, some clicks), median and p99 over
 * single calls on one thread; the brute-force reference of the tests
 * (tests/policy/ref_policy.c, minute by minute) on a sample of the same
 * requests, for the ratio; and check-and-record throughput on 1 and 2
 * threads (in-memory store). Usage: bench-policy [CHECKS [latency]]; with
 * "latency" only the first figure is measured (for profiling). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ref_policy.h"

#define CUSTOMERS 1000
#define YEAR_START 1672531200LL     /* 2023-01-01 */
#define YEAR_END (YEAR_START + 365LL * 86400)
#define REF_SAMPLE 200

static const char *const zones[] = { "America/New_York", "Europe/Berlin", "America/Sao_Paulo",
                                     "Asia/Kathmandu" };
static const char *const channels[] = { "email", "sms", "push" };

static ref_policy policy_model;
static ref_customer customers[CUSTOMERS];

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(libdbm_context *ctx, int status, const char *what)
{
    fprintf(stderr, "bench-policy: %s: %s (%s)\n", what, libdbm_strerror(status),
            libdbm_context_errmsg(ctx));
    exit(1);
}

/* A typical policy: the brief's caps, a calendar cap, a gap, fatigue,
 * quiet hours and weekdays. The horizon is 30 days so that the reference's
 * minute-by-minute walk stays affordable. */
static void make_policy(ref_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->base.caps[0] = (ref_cap){ "email", NULL, LIBDBM_WINDOW_ROLLING, 7 * 86400, 2, 0, 0 };
    p->base.caps[1] = (ref_cap){ NULL, NULL, LIBDBM_WINDOW_ROLLING, 7 * 86400, 3, 0, 0 };
    p->base.caps[2] = (ref_cap){ "sms", NULL, LIBDBM_WINDOW_CALENDAR_WEEK, 0, 1, 0, 0 };
    p->base.n_caps = 3;
    p->base.gaps[0] = (ref_gap){ NULL, 12 * 3600 };
    p->base.n_gaps = 1;
    p->fatigue_channel = "email";
    p->fatigue_n = 5;
    p->fatigue_action = LIBDBM_FATIGUE_PAUSE;
    p->fatigue_pause = 30 * 86400;
    p->responses = (1u << LIBDBM_OUTCOME_CLICKED) | (1u << LIBDBM_OUTCOME_RESPONDED) |
                   (1u << LIBDBM_OUTCOME_CONVERTED);
    p->consent_unknown_allow = 0;
    p->quiet_start = 21 * 60;
    p->quiet_end = 8 * 60;
    p->weekdays = 0x7Eu;        /* mon-sat */
    p->zone = "UTC";
    p->horizon_days = 30;
}

/* A year of history: about three contacts a week, one click in ten. */
static void make_customer(ref_customer *c, int index)
{
    int64_t t = YEAR_START;
    memset(c, 0, sizeof(*c));
    c->zone = zones[index % 4];
    c->has_address = 1;
    c->verified_at = YEAR_START;
    c->consent = LIBDBM_CONSENT_GRANTED;
    c->consent_at = YEAR_START - 86400;
    while (c->n_rows < REF_MAX_ROWS - 1) {
        t += 86400 + (int64_t)(rnd() % (3 * 86400)) / 60 * 60;
        if (t >= YEAR_END - 7 * 86400)
            break;
        const char *channel = channels[rnd() % 3];
        c->rows[c->n_rows++] = (ref_row){ t, channel, "news", LIBDBM_OUTCOME_SENT };
        if (rnd() % 10 == 0)
            c->rows[c->n_rows++] = (ref_row){ t + 3600, channel, "news", LIBDBM_OUTCOME_CLICKED };
    }
}

static void load(libdbm_context *ctx, libdbm_store *store)
{
    char id[16];
    int status = LIBDBM_OK;
    for (int i = 0; i < CUSTOMERS && status == LIBDBM_OK; i++) {
        const ref_customer *c = &customers[i];
        snprintf(id, sizeof(id), "c%d", i);
        status = libdbm_store_attr_set_string(store, id, "timezone", c->zone);
        for (int k = 0; k < 3 && status == LIBDBM_OK; k++) {
            status = libdbm_store_channel_set_address(store, id, channels[k], "addr", c->verified_at);
            if (status == LIBDBM_OK)
                status = libdbm_store_consent_record(store, id, channels[k], NULL, c->consent,
                                                     c->consent_at, "form", "v1");
        }
        for (int r = 0; r < c->n_rows && status == LIBDBM_OK; r++)
            status = libdbm_store_contact_add(store, id, c->rows[r].time, c->rows[r].channel,
                                              c->rows[r].campaign, 0, c->rows[r].outcome);
    }
    if (status != LIBDBM_OK)
        die(ctx, status, "loading the store");
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The i-th request: a random customer, channel and minute in the last week
 * of the year (after every contact of the history). */
static void request_of(long i, libdbm_policy_request *r, ref_request *ref, char *id)
{
    uint64_t h = (uint64_t)i * 0x9E3779B97F4A7C15ULL;
    int c = (int)(h % CUSTOMERS);
    snprintf(id, 16, "c%d", c);
    libdbm_policy_request_init(r);
    r->customer_id = id;
    r->channel = channels[(h >> 20) % 3];
    r->time = YEAR_END - 7 * 86400 + (int64_t)((h >> 32) % (7 * 1440)) * 60;
    memset(ref, 0, sizeof(*ref));
    ref->channel = r->channel;
    ref->time = r->time;
}

static double percentile(double *ns, size_t n, double q)
{
    if (n == 0)
        return 0;
    qsort(ns, n, sizeof(double), compare_double);
    return ns[(size_t)((double)(n - 1) * q)];
}

static double latency(libdbm_context *ctx, libdbm_policy *policy, libdbm_store *store,
                      long checks, const char *label)
{
    libdbm_policy_answer *answer;
    double *ns = malloc(sizeof(double) * (size_t)checks), total = 0;
    double *by_verdict[4];
    size_t n_by[4] = { 0, 0, 0, 0 };
    int verdicts[4] = { 0, 0, 0, 0 };
    char id[16];
    for (int v = 0; v < 4; v++)
        by_verdict[v] = malloc(sizeof(double) * (size_t)checks);
    if (ns == NULL || by_verdict[3] == NULL || libdbm_policy_answer_new(&answer, ctx) != LIBDBM_OK)
        exit(1);
    for (long i = 0; i < checks; i++) {
        libdbm_policy_request r;
        ref_request ref;
        double t0;
        int status, v;
        request_of(i, &r, &ref, id);
        t0 = now_ns();
        status = libdbm_policy_check(policy, answer, store, &r);
        ns[i] = now_ns() - t0;
        total += ns[i];
        if (status != LIBDBM_OK)
            die(ctx, status, "check");
        v = libdbm_policy_answer_verdict(answer);
        verdicts[v]++;
        by_verdict[v][n_by[v]++] = ns[i];
    }
    printf("%s: check latency, one thread, %ld checks: median %.0f ns, p99 %.0f ns, "
           "mean %.0f ns\n", label, checks, percentile(ns, (size_t)checks, 0.5), percentile(ns, (size_t)checks, 0.99),
           total / (double)checks);
    printf("  allow answers (%d): median %.0f ns, p99 %.0f ns; defer answers (%d): median %.0f ns, "
           "p99 %.0f ns; deny %d\n", verdicts[LIBDBM_POLICY_ALLOW],
           percentile(by_verdict[1], n_by[1], 0.5), percentile(by_verdict[1], n_by[1], 0.99),
           verdicts[LIBDBM_POLICY_DEFER], percentile(by_verdict[3], n_by[3], 0.5),
           percentile(by_verdict[3], n_by[3], 0.99), verdicts[LIBDBM_POLICY_DENY]);
    libdbm_policy_answer_free(answer);
    free(ns);
    for (int v = 0; v < 4; v++)
        free(by_verdict[v]);
    return total / (double)checks;
}

/* The reference on the first REF_SAMPLE requests; returns ns per check and
 * counts disagreements (expected 0). */
static double reference(libdbm_context *ctx, libdbm_policy *policy, libdbm_store *store,
                        int *mismatches)
{
    libdbm_policy_answer *answer;
    double total = 0;
    char id[16];
    if (libdbm_policy_answer_new(&answer, ctx) != LIBDBM_OK)
        exit(1);
    for (long i = 0; i < REF_SAMPLE; i++) {
        libdbm_policy_request r;
        ref_request ref;
        ref_answer want;
        double t0;
        request_of(i, &r, &ref, id);
        t0 = now_ns();
        ref_check(ctx, &policy_model, &customers[atoi(id + 1)], &ref, &want);
        total += now_ns() - t0;
        libdbm_policy_check(policy, answer, store, &r);
        *mismatches += libdbm_policy_answer_verdict(answer) != want.verdict ||
                       (want.verdict != LIBDBM_POLICY_DENY &&
                        libdbm_policy_answer_until(answer) != want.until);
    }
    libdbm_policy_answer_free(answer);
    return total / REF_SAMPLE;
}

typedef struct worker {
    libdbm_context *ctx;
    libdbm_policy *policy;
    libdbm_store *store;
    long first, count;
    long recorded;
} worker;

static void *record_loop(void *arg)
{
    worker *w = arg;
    libdbm_policy_answer *answer;
    char id[16];
    if (libdbm_policy_answer_new(&answer, w->ctx) != LIBDBM_OK)
        return NULL;
    for (long i = w->first; i < w->first + w->count; i++) {
        libdbm_policy_request r;
        ref_request ref;
        request_of(i, &r, &ref, id);
        if (libdbm_policy_check_and_record(w->policy, answer, w->store, &r) != LIBDBM_OK)
            die(w->ctx, LIBDBM_EIO, "check_and_record");
        w->recorded += libdbm_policy_answer_recorded(answer);
    }
    libdbm_policy_answer_free(answer);
    return NULL;
}

static void throughput(libdbm_context *ctx, libdbm_policy *policy, int threads, long ops)
{
    libdbm_store *store;
    pthread_t tid[2];
    worker w[2];
    long recorded = 0;
    double t0, secs;
    if (libdbm_store_open(&store, ctx, NULL, NULL) != LIBDBM_OK)
        exit(1);
    load(ctx, store);
    t0 = now_ns();
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){ ctx, policy, store, i * ops / threads, ops / threads, 0 };
        pthread_create(&tid[i], NULL, record_loop, &w[i]);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        recorded += w[i].recorded;
    }
    secs = (now_ns() - t0) / 1e9;
    printf("check-and-record, %d thread%s, in-memory store: %.0f ops/s (%ld recorded of %ld)\n",
           threads, threads > 1 ? "s" : "", (double)ops / secs, recorded, ops);
    libdbm_store_close(store);
}

int main(int argc, char **argv)
{
    long checks = argc > 1 ? atol(argv[1]) : 200000;
    libdbm_context *ctx;
    libdbm_store *store;
    libdbm_policy *policy;
    libdbm_policy *caps_only;
    int mismatches = 0, rows = 0, status;
    double lib_ns, ref_ns;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 1;
    make_policy(&policy_model);
    for (int i = 0; i < CUSTOMERS; i++) {
        make_customer(&customers[i], i);
        rows += customers[i].n_rows;
    }
    if ((status = ref_build(&policy, ctx, &policy_model)) != LIBDBM_OK)
        die(ctx, status, "policy");
    if ((status = libdbm_store_open(&store, ctx, NULL, NULL)) != LIBDBM_OK)
        die(ctx, status, "store");
    load(ctx, store);
    printf("%d customers, %.0f contact rows each on average (a year of history)\n", CUSTOMERS,
           (double)rows / CUSTOMERS);
    lib_ns = latency(ctx, policy, store, checks, "bench policy (docs/policy.md)");
    /* The brief's caps alone: no local clock, no fatigue. */
    if ((status = libdbm_policy_parse(&caps_only, ctx,
                                      "cap email 2 per 7d\ncap all 3 per 7d\n"
                                      "cap direct_mail 1 per 30d\n")) != LIBDBM_OK)
        die(ctx, status, "policy");
    latency(ctx, caps_only, store, checks, "the brief's three caps only");
    libdbm_policy_free(caps_only);
    if (argc > 2 && strcmp(argv[2], "latency") == 0)
        checks = 0;
    if (checks == 0)
        goto done;
    ref_ns = reference(ctx, policy, store, &mismatches);
    printf("brute-force reference (minute by minute, 30-day horizon): %.0f ns per check on "
           "%d requests; library %.0fx faster; %d disagreements\n", ref_ns, REF_SAMPLE,
           ref_ns / lib_ns, mismatches);
    throughput(ctx, policy, 1, checks / 2);
    throughput(ctx, policy, 2, checks / 2);
done:
    libdbm_store_close(store);
    libdbm_policy_free(policy);
    libdbm_context_free(ctx);
    return mismatches != 0;
}
