/* Every action goes through the contact policy first: with an email cap of
 * one per rolling week, a second email a day after the first is deferred
 * to the moment the window frees (defer), skipped with the rule recorded
 * (skip), or ends the entry (drop); a transactional stage is not capped;
 * issued marketing actions are in the contact history at once, so the
 * caps see them.
 *
 * Usage: test-campaign-policy */
#include <stdio.h>
#include <string.h>

#include "campaign_test_util.h"
#include "check.h"

#define HOUR 3600
#define DAY 86400

static const char *policy_text =
    "cap email 1 per 7d\n"
    "consent unknown allow\n"
    "quiet off\n"
    "stale off\n";

static libdbm_campaign *make(libdbm_context *ctx, const char *mode, const char *second_class)
{
    char text[1024];
    libdbm_campaign *c = NULL;
    snprintf(text, sizeof(text),
             "campaign nudge\n"
             "entry event go\n"
             "stage first channel email content a\n"
             "stage second channel email content b class %s\n"
             "  at previous + 1d\n"
             "  blocked %s\n"
             "stage third channel sms content c\n"
             "  at previous + 1d\n",
             second_class, mode);
    CHECK_OK(libdbm_campaign_parse(&c, ctx, text));
    return c;
}

static void run(libdbm_context *ctx, const libdbm_policy *policy, const char *mode,
                const char *second_class, const char *expected, const char *report_line)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign *c = make(ctx, mode, second_class);
    libdbm_campaign_scheduler *s;
    ctu_log log = {0};
    int64_t t0 = ctu_utc(2026, 1, 5, 12, 0), sent;
    char *report;
    int entered;
    CHECK_OK(libdbm_store_channel_set_address(store, "dana", "email", "dana@example.org", t0));
    CHECK_OK(libdbm_store_channel_set_address(store, "dana", "sms", "+5511999990000", t0));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, policy));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, "dana", "go", t0));
    CHECK(entered == 1);
    ctu_run(s, &log, t0, t0 + 20 * DAY, HOUR);
    ctu_expect(&log, c, "dana", expected);
    CHECK_OK(libdbm_campaign_report(s, &report, LIBDBM_CAMPAIGN_REPORT_CSV));
    if (strstr(report, report_line) == NULL)
        fprintf(stderr, "%s\nmissing: %s\n", report, report_line);
    CHECK(strstr(report, report_line) != NULL);
    libdbm_free_string(report);
    /* The history holds one SENT row per marketing email handed out. */
    CHECK_OK(libdbm_store_contact_count(store, &sent, "dana", "email", LIBDBM_OUTCOME_SENT, 0,
                                        INT64_MAX));
    CHECK(sent == (strcmp(second_class, "marketing") == 0 && strcmp(mode, "defer") == 0 ? 2 : 1));
    ctu_log_free(&log);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
}

int main(void)
{
    libdbm_context *ctx;
    libdbm_policy *policy;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_policy_parse(&policy, ctx, policy_text));
    /* defer: the second email waits for the week to pass (Jan 12 12:00),
     * the text message follows a day later. */
    run(ctx, policy, "defer", "marketing",
        "first@2026-01-05T12:00\nsecond@2026-01-12T12:00\nthird@2026-01-13T12:00\n",
        "nudge,second,deferred,1\n");
    /* skip: the rule is recorded, the sequence goes on. */
    run(ctx, policy, "skip", "marketing", "first@2026-01-05T12:00\nthird@2026-01-07T12:00\n",
        "nudge,second,denied_by_cap,1\n");
    /* drop: the entry ends. */
    run(ctx, policy, "drop", "marketing", "first@2026-01-05T12:00\n",
        "nudge,second,denied,1\n");
    /* transactional mail is not capped (and not counted). */
    run(ctx, policy, "drop", "transactional",
        "first@2026-01-05T12:00\nsecond@2026-01-06T12:00\nthird@2026-01-07T12:00\n",
        "nudge,second,allowed,1\n");
    libdbm_policy_free(policy);
    libdbm_context_free(ctx);
    return 0;
}
