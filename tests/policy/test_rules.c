/* Each rule's documented behaviour on hand-made cases, including the known
 * failures of existing tools that the brief lists: a capped message is
 * deferred (never dropped) to the exact moment the window frees, a cap of
 * 0 does not block transactional mail, transactional mail is never capped
 * but always stops at an unsubscribe or a suppression, and a business
 * unit's cap is shared. Also explain and check-and-record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define DAY 86400
#define T0 1700000000LL     /* 2023-11-14T22:13:20Z, a Tuesday */

static libdbm_context *ctx;
static libdbm_policy_answer *answer;

static libdbm_policy *policy(const char *text)
{
    libdbm_policy *p = NULL;
    if (libdbm_policy_parse(&p, ctx, text) != LIBDBM_OK)
        fprintf(stderr, "%s\n", libdbm_context_errmsg(ctx));
    CHECK(p != NULL);
    return p;
}

/* A store with customer "c" reachable on email and sms (consent granted). */
static libdbm_store *new_store(void)
{
    libdbm_store *s = NULL;
    CHECK_OK(libdbm_store_open(&s, ctx, NULL, NULL));
    CHECK_OK(libdbm_store_channel_set_address(s, "c", "email", "c@example.com", T0 - DAY));
    CHECK_OK(libdbm_store_channel_set_address(s, "c", "sms", "+5511999999999", T0 - DAY));
    CHECK_OK(libdbm_store_consent_record(s, "c", "email", NULL, LIBDBM_CONSENT_GRANTED,
                                         T0 - 100 * DAY, "form", "v1"));
    CHECK_OK(libdbm_store_consent_record(s, "c", "sms", NULL, LIBDBM_CONSENT_GRANTED,
                                         T0 - 100 * DAY, "form", "v1"));
    return s;
}

static void sent(libdbm_store *s, int64_t t, const char *channel, const char *campaign)
{
    CHECK_OK(libdbm_store_contact_add(s, "c", t, channel, campaign, 0, LIBDBM_OUTCOME_SENT));
}

/* Checks one request and compares verdict, time and rule. */
static void expect(const libdbm_policy *p, libdbm_store *s, const char *channel, int cls,
                   int64_t t, int verdict, int64_t until, const char *rule)
{
    libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
    r.customer_id = "c";
    r.channel = channel;
    r.message_class = cls;
    r.time = t;
    CHECK_OK(libdbm_policy_check(p, answer, s, &r));
    if (libdbm_policy_answer_verdict(answer) != verdict ||
        libdbm_policy_answer_until(answer) != until ||
        strcmp(libdbm_policy_answer_rule(answer), rule) != 0)
        fprintf(stderr, "got %d until %lld rule '%s' (%s); want %d until %lld rule '%s'\n",
                libdbm_policy_answer_verdict(answer),
                (long long)libdbm_policy_answer_until(answer), libdbm_policy_answer_rule(answer),
                libdbm_policy_answer_reason(answer), verdict, (long long)until, rule);
    CHECK(libdbm_policy_answer_verdict(answer) == verdict);
    CHECK(libdbm_policy_answer_until(answer) == until);
    CHECK(strcmp(libdbm_policy_answer_rule(answer), rule) == 0);
    CHECK((verdict == LIBDBM_POLICY_ALLOW) == (libdbm_policy_answer_reason(answer)[0] == '\0'));
}

static void caps_defer_to_the_freeing_moment(void)
{
    libdbm_policy *p = policy("cap email 2 per 7d\ncap all 3 per 7d\n");
    libdbm_store *s = new_store();
    sent(s, T0 - 6 * DAY, "email", "a");
    sent(s, T0 - 2 * DAY, "email", "b");
    /* the oldest leaves the window 7 days after it was sent, not "a week from now" */
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER, T0 + DAY, "cap");
    CHECK(strstr(libdbm_policy_answer_reason(answer), "email cap of 2 per 7d") != NULL);
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0 + DAY, LIBDBM_POLICY_ALLOW, T0 + DAY, "");
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0 + DAY - 1, LIBDBM_POLICY_DEFER, T0 + DAY,
           "cap");
    /* sms is under its own (no) cap but the all-channel cap counts email */
    sent(s, T0 - 3 * DAY, "sms", "c");
    expect(p, s, "sms", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER, T0 + DAY, "cap");
    /* transactional: never capped */
    expect(p, s, "email", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_ALLOW, T0, "");
    libdbm_store_close(s);
    libdbm_policy_free(p);
}

static void zero_cap_and_transactional(void)
{
    libdbm_policy *p = policy("cap email 0 per 7d\nquiet 00:00-23:59\nfatigue all after 1 unanswered pause 10d\n");
    libdbm_store *s = new_store();
    sent(s, T0 - DAY, "email", "a");
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DENY, 0, "cap");
    /* a cap of 0, quiet hours all day and fatigue do not touch transactional mail */
    expect(p, s, "email", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_ALLOW, T0, "");
    /* but an unsubscribe and a suppression stop it */
    CHECK_OK(libdbm_store_contact_add(s, "c", T0 - 3600, "email", "a", 0,
                                      LIBDBM_OUTCOME_UNSUBSCRIBED));
    expect(p, s, "email", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_DENY, 0, "unsubscribe");
    /* a later grant lifts the unsubscribe */
    CHECK_OK(libdbm_store_consent_record(s, "c", "email", NULL, LIBDBM_CONSENT_GRANTED,
                                         T0 - 60, "form", "v2"));
    expect(p, s, "email", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_ALLOW, T0, "");
    CHECK_OK(libdbm_store_consent_record(s, "c", "email", NULL, LIBDBM_CONSENT_DENIED, T0 - 30,
                                         "call", "v2"));
    expect(p, s, "email", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_DENY, 0, "consent");
    CHECK_OK(libdbm_store_channel_set_address(s, "ghost", "sms", "+5511999999999", 0));
    CHECK_OK(libdbm_store_erase(s, "ghost", 1));
    expect(p, s, "sms", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_DENY, 0, "suppression");
    expect(p, s, "push", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_DENY, 0, "address");
    CHECK_OK(libdbm_store_channel_set_address(s, "c", "push", "token", T0));
    CHECK_OK(libdbm_store_channel_set_invalid(s, "c", "push", 1, T0));
    expect(p, s, "push", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_DENY, 0, "invalid");
    libdbm_store_close(s);
    libdbm_policy_free(p);
}

static void consent_and_stale(void)
{
    libdbm_policy *deny = policy("stale after 30d\n");
    libdbm_policy *allow = policy("consent unknown allow\n");
    libdbm_store *s = new_store();
    CHECK_OK(libdbm_store_channel_set_address(s, "c", "phone", "+1555", T0 - 40 * DAY));
    expect(deny, s, "phone", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DENY, 0, "consent");
    expect(allow, s, "phone", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_ALLOW, T0, "");
    CHECK_OK(libdbm_store_consent_record(s, "c", "phone", NULL, LIBDBM_CONSENT_GRANTED, T0 - DAY,
                                         "form", "v1"));
    expect(deny, s, "phone", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DENY, 0, "stale");
    CHECK(strstr(libdbm_policy_answer_reason(answer), "last verified") != NULL);
    expect(deny, s, "phone", LIBDBM_MESSAGE_TRANSACTIONAL, T0, LIBDBM_POLICY_ALLOW, T0, "");
    CHECK_OK(libdbm_store_channel_verify(s, "c", "phone", T0 - 29 * DAY));
    expect(deny, s, "phone", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_ALLOW, T0, "");
    libdbm_store_close(s);
    libdbm_policy_free(deny);
    libdbm_policy_free(allow);
}

static void fatigue(void)
{
    libdbm_policy *pause = policy("fatigue email after 3 unanswered pause 30d\n");
    libdbm_policy *halve = policy("cap email 4 per 7d\ncap all 4 per 7d\n"
                                  "fatigue email after 3 unanswered halve\n");
    libdbm_store *s = new_store();
    sent(s, T0 - 50 * DAY, "email", "a");
    sent(s, T0 - 40 * DAY, "email", "a");
    sent(s, T0 - 20 * DAY, "email", "a");
    /* paused 30 days from the third unanswered contact */
    expect(pause, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER, T0 + 10 * DAY,
           "fatigue");
    expect(pause, s, "sms", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_ALLOW, T0, "");
    /* halving: 2 of 4 email slots, the all-channel cap keeps 4 */
    sent(s, T0 - 3 * DAY, "email", "a");
    expect(halve, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_ALLOW, T0, "");
    sent(s, T0 - 2 * DAY, "email", "a");
    expect(halve, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER,
           T0 - 3 * DAY + 7 * DAY, "cap");
    CHECK(strstr(libdbm_policy_answer_reason(answer), "email cap of 4 per 7d") != NULL);
    /* a click resets the streak: the full cap is back, the pause is lifted */
    CHECK_OK(libdbm_store_contact_add(s, "c", T0 - DAY, "email", "a", 0, LIBDBM_OUTCOME_CLICKED));
    expect(halve, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_ALLOW, T0, "");
    expect(pause, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_ALLOW, T0, "");
    /* an open is not a response by default */
    sent(s, T0 - DAY + 60, "email", "a");
    sent(s, T0 - DAY + 120, "email", "a");
    sent(s, T0 - DAY + 180, "email", "a");
    CHECK_OK(libdbm_store_contact_add(s, "c", T0 - 60, "email", "a", 0, LIBDBM_OUTCOME_OPENED));
    expect(pause, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER,
           T0 - DAY + 180 + 30 * DAY, "fatigue");
    libdbm_store_close(s);
    libdbm_policy_free(pause);
    libdbm_policy_free(halve);
}

static void gaps_quiet_weekdays_horizon(void)
{
    /* T0 is Tuesday 22:13:20 UTC */
    libdbm_policy *p = policy("gap all 1d\nquiet 21:00-08:00\nweekdays mon-fri\n");
    libdbm_policy *near = policy("cap email 1 per 30d\nhorizon 10d\n");
    libdbm_store *s = new_store();
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER,
           T0 - 22 * 3600 - 800 + DAY + 8 * 3600, "quiet_hours");
    sent(s, T0 - 3600, "sms", "a");
    /* the gap ends Wednesday 21:13:20, in quiet hours: Thursday 08:00 */
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER,
           T0 - 22 * 3600 - 800 + 2 * DAY + 8 * 3600, "quiet_hours");
    /* Saturday noon: Monday 08:00 */
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0 + 3 * DAY + 13 * 3600 + 1200,
           LIBDBM_POLICY_DEFER, T0 - 22 * 3600 - 800 + 6 * DAY + 8 * 3600, "quiet_hours");
    sent(s, T0 - DAY, "email", "a");
    expect(near, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DENY, 0, "horizon");
    CHECK(strstr(libdbm_policy_answer_reason(answer), "10-day horizon") != NULL);
    libdbm_store_close(s);
    libdbm_policy_free(p);
    libdbm_policy_free(near);
}

static void check_unit(const libdbm_policy *p, libdbm_store *s, const char *unit,
                       const char *campaign, int32_t priority, int verdict)
{
    libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
    r.customer_id = "c";
    r.channel = "email";
    r.business_unit = unit;
    r.campaign = campaign;
    r.priority = priority;
    r.time = T0;
    CHECK_OK(libdbm_policy_check(p, answer, s, &r));
    if (libdbm_policy_answer_verdict(answer) != verdict)
        fprintf(stderr, "unit %s campaign %s priority %d: got %d (%s)\n", unit ? unit : "-",
                campaign ? campaign : "-", (int)priority, libdbm_policy_answer_verdict(answer),
                libdbm_policy_answer_reason(answer));
    CHECK(libdbm_policy_answer_verdict(answer) == verdict);
}

static void units_priorities_overrides(void)
{
    libdbm_policy *p = policy("cap all 3 per 7d reserve 1 for priority 5\n"
                              "cap email 1 per 7d unit sales\n"
                              "priority \"cruise\" 9\n"
                              "override gold when attr.tier == \"gold\" {\n"
                              "  cap all 5 per 7d\n"
                              "}\n");
    libdbm_store *s = new_store();
    sent(s, T0 - DAY, "email", "sales/spring");
    check_unit(p, s, "sales", NULL, 0, LIBDBM_POLICY_DEFER);     /* the unit's own cap */
    check_unit(p, s, "service", NULL, 0, LIBDBM_POLICY_ALLOW);
    sent(s, T0 - DAY, "sms", "service/news");
    /* 2 of 3 used: the last slot is reserved for priority 5 and above */
    check_unit(p, s, "service", NULL, 0, LIBDBM_POLICY_DEFER);
    CHECK(strstr(libdbm_policy_answer_reason(answer), "kept for priority 5") != NULL);
    check_unit(p, s, "service", NULL, 5, LIBDBM_POLICY_ALLOW);
    check_unit(p, s, "service", "cruise", 0, LIBDBM_POLICY_ALLOW);
    /* a gold customer: the override's all-channel cap replaces the base one */
    CHECK_OK(libdbm_store_attr_set_string(s, "c", "tier", "gold"));
    check_unit(p, s, "service", NULL, 0, LIBDBM_POLICY_ALLOW);
    check_unit(p, s, "sales", NULL, 0, LIBDBM_POLICY_DEFER);     /* unit cap still applies */
    libdbm_store_close(s);
    libdbm_policy_free(p);
}

static void explain_and_record(void)
{
    libdbm_policy *p = policy("cap email 1 per 7d\nquiet 23:00-06:00\n");
    libdbm_store *s = new_store();
    libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
    char *json = NULL;
    int64_t count = 0;
    r.customer_id = "c";
    r.channel = "email";
    r.campaign = "spring";
    r.business_unit = "sales";
    r.time = T0;
    CHECK_OK(libdbm_policy_check_and_record(p, answer, s, &r));
    CHECK(libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_ALLOW);
    CHECK(libdbm_policy_answer_recorded(answer) == 1);
    CHECK_OK(libdbm_store_contact_count(s, &count, "c", "email", LIBDBM_OUTCOME_SENT, T0,
                                        T0 + 1));
    CHECK(count == 1);
    r.time = T0 + 3600;
    CHECK_OK(libdbm_policy_check_and_record(p, answer, s, &r));
    CHECK(libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_DEFER);
    CHECK(libdbm_policy_answer_until(answer) == T0 + 7 * DAY);
    CHECK(libdbm_policy_answer_recorded(answer) == 0);
    CHECK_OK(libdbm_policy_explain(p, &json, s, &r));
    CHECK(strstr(json, "\"verdict\":\"defer\",\"until\":\"2023-11-21T22:13:20Z\",\"rule\":\"cap\"") != NULL);
    CHECK(strstr(json, "{\"rule\":\"consent\",\"verdict\":\"allow\"}") != NULL);
    CHECK(strstr(json, "{\"rule\":\"cap\",\"text\":\"cap email 1 per 7d\",\"verdict\":\"defer\"") != NULL);
    CHECK(strstr(json, "{\"rule\":\"quiet_hours\",\"text\":\"quiet 23:00-06:00\",\"verdict\":\"defer\",\"until\":\"2023-11-15T06:00:00Z\"") != NULL);
    libdbm_free_string(json);
    /* transactional: recorded flag 0, nothing written */
    r.message_class = LIBDBM_MESSAGE_TRANSACTIONAL;
    CHECK_OK(libdbm_policy_check_and_record(p, answer, s, &r));
    CHECK(libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_ALLOW);
    CHECK(libdbm_policy_answer_recorded(answer) == 0);
    /* bad requests */
    r.channel = "E-mail";
    CHECK_STATUS(libdbm_policy_check(p, answer, s, &r), LIBDBM_EINVAL);
    r.channel = "email";
    r.customer_id = "nobody";
    CHECK_STATUS(libdbm_policy_check(p, answer, s, &r), LIBDBM_ENOTFOUND);
    r.customer_id = "c";
    r.struct_size = (uint32_t)sizeof(r) + 4;
    CHECK_STATUS(libdbm_policy_check(p, answer, s, &r), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_check(p, NULL, s, &r), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_check(NULL, answer, s, &r), LIBDBM_EINVAL);
    libdbm_store_close(s);
    libdbm_policy_free(p);
}

/* A history crowded with contacts recorded for later moments (hostile or
 * broken data) still gets a bounded, correct answer. */
static void crowded_future(void)
{
    libdbm_policy *p = policy("cap email 2 per 7d\ngap all 1h\nquiet 22:00-06:00\n");
    libdbm_store *s = new_store();
    CHECK_OK(libdbm_store_begin(s));
    for (int i = 0; i < 20000; i++)
        sent(s, T0 + 3600 + (int64_t)i * 120, i % 2 ? "email" : "sms", "x");
    CHECK_OK(libdbm_store_commit(s));
    /* A message lies in the 7-day windows that start up to 7 days before
     * it: the first free moment is 7 days after the last but one email
     * (T0 + 3600 + 120 * 19997), a weekday afternoon. */
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER,
           T0 + 3600 + 120 * 19997 + 7 * DAY, "cap");
    libdbm_policy_free(p);
    /* with halving, the 10000 unanswered emails halve the cap to 1: 7 days
     * after the last email */
    p = policy("cap email 2 per 7d\nfatigue email after 2 unanswered halve\n");
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DEFER,
           T0 + 3600 + 120 * 19999 + 7 * DAY, "cap");
    libdbm_store_close(s);
    libdbm_policy_free(p);
}

/* The store counts a profile's UNSUBSCRIBED rows so that checks of the
 * many profiles without one skip the history walk: the count must come
 * back from a log replay and from a snapshot, and add up in a merge. */
static void unsubscribe_survives_reopen_and_merge(void)
{
    libdbm_policy *p = policy("cap email 5 per 7d\n");
    char dir[] = "/tmp/libdbm-policy-unsub-XXXXXX", path[64], cmd[96];
    libdbm_store *s = NULL;
    int round;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/store", dir);
    CHECK_OK(libdbm_store_open(&s, ctx, path, NULL));
    CHECK_OK(libdbm_store_channel_set_address(s, "c", "email", "c@example.com", T0 - DAY));
    CHECK_OK(libdbm_store_consent_record(s, "c", "email", NULL, LIBDBM_CONSENT_GRANTED,
                                         T0 - 100 * DAY, "form", "v1"));
    sent(s, T0 - 2 * DAY, "email", "a");
    CHECK_OK(libdbm_store_contact_add(s, "c", T0 - DAY, "email", "a", 0,
                                      LIBDBM_OUTCOME_UNSUBSCRIBED));
    sent(s, T0 - 3600, "email", "b");
    /* "d" unsubscribed too; "e" never did, and takes d's history in a merge */
    CHECK_OK(libdbm_store_channel_set_address(s, "e", "email", "e@example.com", T0 - DAY));
    CHECK_OK(libdbm_store_consent_record(s, "e", "email", NULL, LIBDBM_CONSENT_GRANTED,
                                         T0 - 100 * DAY, "form", "v1"));
    CHECK_OK(libdbm_store_contact_add(s, "d", T0 - 2 * DAY, "email", "a", 0,
                                      LIBDBM_OUTCOME_UNSUBSCRIBED));
    expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DENY, 0, "unsubscribe");
    /* round 0 reopens from the log, round 1 from a snapshot */
    for (round = 0; round < 2; round++) {
        if (round == 1)
            CHECK_OK(libdbm_store_checkpoint(s));
        libdbm_store_close(s);
        s = NULL;
        CHECK_OK(libdbm_store_open(&s, ctx, path, NULL));
        expect(p, s, "email", LIBDBM_MESSAGE_MARKETING, T0, LIBDBM_POLICY_DENY, 0, "unsubscribe");
    }
    {
        libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
        r.customer_id = "e";
        r.channel = "email";
        r.time = T0;
        CHECK_OK(libdbm_policy_check(p, answer, s, &r));
        CHECK(libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_ALLOW);
        CHECK_OK(libdbm_store_merge(s, "e", "d"));
        CHECK_OK(libdbm_policy_check(p, answer, s, &r));
        CHECK(libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_DENY);
        CHECK(strcmp(libdbm_policy_answer_rule(answer), "unsubscribe") == 0);
        CHECK_OK(libdbm_store_checkpoint(s));
        libdbm_store_close(s);
        s = NULL;
        CHECK_OK(libdbm_store_open(&s, ctx, path, NULL));
        CHECK_OK(libdbm_policy_check(p, answer, s, &r));
        CHECK(strcmp(libdbm_policy_answer_rule(answer), "unsubscribe") == 0);
    }
    libdbm_store_close(s);
    libdbm_policy_free(p);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    int32_t off;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    if (libdbm_tz_offset(ctx, &off, "UTC", 0) != LIBDBM_OK) {
        fprintf(stderr, "no zoneinfo: skipped\n");
        return 77;
    }
    CHECK_OK(libdbm_policy_answer_new(&answer, ctx));
    caps_defer_to_the_freeing_moment();
    zero_cap_and_transactional();
    consent_and_stale();
    fatigue();
    gaps_quiet_weekdays_horizon();
    units_priorities_overrides();
    explain_and_record();
    crowded_future();
    unsubscribe_survives_reopen_and_merge();
    libdbm_policy_answer_free(answer);
    libdbm_context_free(ctx);
    printf("policy rules: ok\n");
    return 0;
}
