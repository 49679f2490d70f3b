/* The rules the scenario tests do not reach: continuous entry, the exit
 * segment, re-entry after N days, catch-up "all", a send window in a zone
 * with daylight saving time, a missing date, and the scheduler's argument
 * checks.
 *
 * Usage: test-campaign-rules */
#include <stdio.h>
#include <string.h>

#include "campaign_test_util.h"
#include "check.h"

#define HOUR 3600
#define DAY 86400

static libdbm_campaign *parse(libdbm_context *ctx, const char *text)
{
    libdbm_campaign *c = NULL;
    int status = libdbm_campaign_parse(&c, ctx, text);
    if (status != LIBDBM_OK)
        fprintf(stderr, "%s\n", libdbm_context_errmsg(ctx));
    CHECK_OK(status);
    return c;
}

static void line(char *expect, const char *stage, int64_t at)
{
    char buf[96];
    ctu_entry(buf, sizeof(buf), stage, at);
    strcat(strcat(expect, buf), "\n");
}

/* Continuous entry, exit segment, re-entry after 10 days. */
static void continuous(libdbm_context *ctx)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign *c = parse(ctx,
        "campaign vip_care\n"
        "entry continuous \"attr.vip\"\n"
        "reentry after 10d\n"
        "convert on outcome within 3d\n"
        "exit when \"attr.opted_out\"\n"
        "stage hello channel email content hello\n"
        "stage follow channel email content follow\n"
        "  at previous + 2d\n"
        "stage third channel email content third\n"
        "  at previous + 2d\n");
    libdbm_campaign_scheduler *s;
    ctu_log log = {0};
    int64_t t0 = ctu_utc(2026, 6, 1, 0, 0);
    char expect[512] = "";
    CHECK_OK(libdbm_store_attr_set_bool(store, "v1", "vip", 0));
    CHECK_OK(libdbm_store_attr_set_bool(store, "v2", "vip", 1));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    ctu_run(s, &log, t0, t0 + DAY, HOUR);
    /* v1 becomes a VIP on day 1 at 10:00: enters at the next due(). */
    CHECK_OK(libdbm_store_attr_set_bool(store, "v1", "vip", 1));
    ctu_run(s, &log, t0 + DAY + 10 * HOUR, t0 + 3 * DAY, HOUR);
    /* v2 opts out on day 3: its third stage never comes. */
    CHECK_OK(libdbm_store_attr_set_bool(store, "v2", "opted_out", 1));
    ctu_run(s, &log, t0 + 3 * DAY + HOUR, t0 + 20 * DAY, HOUR);
    line(expect, "hello", t0);
    line(expect, "follow", t0 + 2 * DAY);
    ctu_expect(&log, c, "v2", expect);
    /* v1: the sequence, completion after the 3-day window (day 6 10:00),
     * then re-entry 10 days after its first entry, and again. */
    expect[0] = '\0';
    line(expect, "hello", t0 + DAY + 10 * HOUR);
    line(expect, "follow", t0 + 3 * DAY + 10 * HOUR);
    line(expect, "third", t0 + 5 * DAY + 10 * HOUR);
    line(expect, "hello", t0 + 11 * DAY + 10 * HOUR);
    line(expect, "follow", t0 + 13 * DAY + 10 * HOUR);
    line(expect, "third", t0 + 15 * DAY + 10 * HOUR);
    ctu_expect(&log, c, "v1", expect);
    ctu_log_free(&log);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

/* Catch-up "all": every stage already past fires, one per call, in order;
 * a missing date skips its stage. */
static void catchup_all(libdbm_context *ctx)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign *c = parse(ctx,
        "campaign countdown\n"
        "entry event joined\n"
        "catchup all\n"
        "stage d14 channel email content a\n"
        "  at attr.ends - 14d\n"
        "stage d7 channel email content b\n"
        "  at attr.ends - 7d\n"
        "stage d1 channel email content c\n"
        "  at attr.ends - 1d\n");
    libdbm_campaign_scheduler *s;
    ctu_log log = {0};
    int64_t t0 = ctu_utc(2026, 6, 1, 12, 0);
    char expect[512] = "";
    int entered;
    CHECK_OK(libdbm_store_attr_set_time(store, "late", "ends", t0 + 3 * DAY));
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, "nodate"));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "late", "joined", t0));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "nodate", "joined", t0));
    ctu_run(s, &log, t0, t0 + 5 * DAY, HOUR);
    line(expect, "d14", t0);
    line(expect, "d7", t0 + HOUR);
    line(expect, "d1", t0 + 2 * DAY);
    ctu_expect(&log, c, "late", expect);
    ctu_expect(&log, c, "nodate", "");
    ctu_log_free(&log);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

/* A 09:00-17:00 window in New York: 09:00 EST is 14:00 UTC, 09:00 EDT
 * (from March 8, 2026) 13:00 UTC. */
static void window_dst(libdbm_context *ctx)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign *c = parse(ctx,
        "campaign morning\n"
        "entry event joined\n"
        "timezone America/New_York\n"
        "stage one channel email content a\n"
        "  window 09:00-17:00\n"
        "stage two channel email content b\n"
        "  at previous + 7d\n"
        "  window 09:00-17:00\n");
    libdbm_campaign_scheduler *s;
    ctu_log log = {0};
    int64_t t0 = ctu_utc(2026, 3, 5, 23, 0);    /* 18:00 EST, after the window */
    char expect[256] = "";
    int entered;
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, "ny"));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "ny", "joined", t0));
    ctu_run(s, &log, t0, t0 + 10 * DAY, 15 * 60);
    line(expect, "one", ctu_utc(2026, 3, 6, 14, 0));
    line(expect, "two", ctu_utc(2026, 3, 13, 14, 0));  /* 10:00 EDT: inside */
    ctu_expect(&log, c, "ny", expect);
    ctu_log_free(&log);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

/* Dates of the campaign itself: a stage at a fixed time (a flash sale's
 * eve), a fixed deadline cutting the stage after it. */
static void fixed_dates(libdbm_context *ctx)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign *c = parse(ctx,
        "campaign flash\n"
        "entry event joined\n"
        "deadline 2026-06-12T00:00:00Z\n"
        "stage teaser channel email content a\n"
        "stage eve channel email content b\n"
        "  at 2026-06-10T09:00:00Z - 1d\n"
        "stage after channel email content c\n"
        "  at previous + 3d\n");
    libdbm_campaign_scheduler *s;
    ctu_log log = {0};
    int64_t t0 = ctu_utc(2026, 6, 1, 12, 0);
    char expect[256] = "", *text = NULL;
    int entered;
    CHECK_OK(libdbm_campaign_to_string(c, &text));
    CHECK(strstr(text, "deadline 2026-06-12T00:00:00Z\n") != NULL);
    CHECK(strstr(text, "  at 2026-06-09T09:00:00Z\n") != NULL);
    libdbm_free_string(text);
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, "f"));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "f", "joined", t0));
    ctu_run(s, &log, t0, t0 + 20 * DAY, HOUR);
    line(expect, "teaser", t0);
    line(expect, "eve", ctu_utc(2026, 6, 9, 9, 0));
    ctu_expect(&log, c, "f", expect);    /* "after" (June 12 09:00) is past the deadline */
    ctu_log_free(&log);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

/* A date attribute no profile has ever had: the stage is skipped, the
 * sequence goes on. */
static void unknown_date(libdbm_context *ctx)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign *c = parse(ctx,
        "campaign nodates\n"
        "entry event joined\n"
        "stage first channel email content a\n"
        "  at attr.never_set - 1d\n"
        "stage second channel email content b\n"
        "  at previous + 1h\n");
    libdbm_campaign_scheduler *s;
    ctu_log log = {0};
    int64_t t0 = ctu_utc(2026, 6, 1, 12, 0);
    char expect[128] = "", *report = NULL;
    int entered;
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, "u"));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "u", "joined", t0));
    ctu_run(s, &log, t0, t0 + DAY, HOUR);
    line(expect, "second", t0 + HOUR);
    ctu_expect(&log, c, "u", expect);
    CHECK_OK(libdbm_campaign_report(s, &report, LIBDBM_CAMPAIGN_REPORT_CSV));
    CHECK(strstr(report, "nodates,first,skipped_no_date,1\n") != NULL);
    libdbm_free_string(report);
    ctu_log_free(&log);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

/* Times at the ends of int64 (hosts may store any time): no overflow, a
 * date far away is never due, and the scheduler goes on. */
static void extreme_times(libdbm_context *ctx)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign *c = parse(ctx,
        "campaign extremes\n"
        "entry event joined\n"
        "reentry after 3650d\n"
        "convert on purchase within 3650d\n"
        "deadline attr.x\n"
        "stage one channel email content a\n"
        "  at attr.x - 3650d\n"
        "  window 09:00-10:00\n"
        "stage two channel email content b\n"
        "  at previous + 3650d\n");
    libdbm_campaign_scheduler *s;
    ctu_log log = {0};
    int entered;
    CHECK_OK(libdbm_store_attr_set_time(store, "max", "x", INT64_MAX));
    CHECK_OK(libdbm_store_attr_set_time(store, "min", "x", INT64_MIN + 1));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "max", "joined", INT64_MAX - 10));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "min", "joined", INT64_MIN + 10));
    ctu_due(s, &log, NULL, INT64_MIN + 20, 1);
    ctu_due(s, &log, NULL, 0, 1);
    ctu_due(s, &log, NULL, INT64_MAX - 5, 1);
    ctu_due(s, &log, NULL, INT64_MAX, 1);
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "min", "joined", INT64_MAX));
    ctu_expect(&log, c, "max", "");     /* its deadline never passes, its date never comes */
    ctu_log_free(&log);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

static void arguments(libdbm_context *ctx)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign *c, *empty;
    libdbm_campaign_scheduler *s = NULL;
    libdbm_campaign_actions *a = NULL;
    const char *id;
    int entered;
    int64_t n;
    c = parse(ctx, "campaign args\nentry event go\nstage one channel email content a\n");
    CHECK_OK(libdbm_campaign_new(&empty, ctx, "empty"));
    CHECK_STATUS(libdbm_campaign_scheduler_new(&s, empty, store, NULL), LIBDBM_EINVAL);
    CHECK(s == NULL);
    CHECK_STATUS(libdbm_campaign_to_string(empty, (char **)&id), LIBDBM_EINVAL);
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_STATUS(libdbm_campaign_enter_segment(s, &n, 0), LIBDBM_EINVAL);   /* not a segment */
    CHECK_STATUS(libdbm_campaign_enter(s, &entered, "ghost", 0), LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_campaign_due(s, NULL, 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_record_outcome(s, "args/1/0/x", 42, 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_report(s, (char **)&id, 7), LIBDBM_EINVAL);
    /* A batch left open by the host: due() refuses, nothing is issued. */
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, "x"));
    CHECK_OK(libdbm_campaign_enter(s, &entered, "x", 0));
    CHECK(entered == 1);
    CHECK_OK(libdbm_campaign_enter(s, &entered, "x", 5));
    CHECK(entered == 0);    /* already in */
    CHECK_OK(libdbm_store_begin(store));
    CHECK_STATUS(libdbm_campaign_due(s, &a, 10), LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_rollback(store));
    CHECK_OK(libdbm_campaign_due(s, &a, 10));
    CHECK(libdbm_campaign_actions_count(a) == 1);
    CHECK_STATUS(libdbm_campaign_action_get(a, 1, &id, NULL, NULL, NULL, NULL, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_action_get(a, -1, &id, NULL, NULL, NULL, NULL, NULL), LIBDBM_EINVAL);
    CHECK(libdbm_campaign_actions_count(NULL) == 0);
    libdbm_campaign_actions_free(a);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_scheduler_free(NULL);
    libdbm_campaign_free(c);
    libdbm_campaign_free(empty);
    libdbm_campaign_free(NULL);
    libdbm_store_close(store);
}

int main(void)
{
    libdbm_context *ctx;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    continuous(ctx);
    catchup_all(ctx);
    window_dst(ctx);
    fixed_dates(ctx);
    unknown_date(ctx);
    extreme_times(ctx);
    arguments(ctx);
    libdbm_context_free(ctx);
    return 0;
}
