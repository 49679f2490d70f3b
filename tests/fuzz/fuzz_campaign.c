/* libFuzzer target for the campaign definition text parser
 * (lib/campaign/parse.c, through the builder in definition.c) and, for
 * inputs that parse, the printer and the scheduler: the canonical text must
 * read back to the same canonical text, and a scheduler over a fresh
 * in-memory store (two profiles, one with ordinary dates and one with dates
 * at the ends of the time range) under a small contact policy must enter
 * them, hand out actions over a year of due() calls (with the clock going
 * back once), take their outcomes and report, all without failing. A
 * violation calls abort(). Build and run: docs/fuzzing.md. Without
 * libFuzzer, fuzz_main.c runs it over tests/fuzz/corpus/campaign and
 * fuzz_mutate.c over mutations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "libdbm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DAY INT64_C(86400)
#define T0 INT64_C(1772323200) /* 2026-03-01T00:00:00Z */

static libdbm_context *ctx;
static libdbm_policy *policy;

/* Date attributes and events under the names the seed corpus uses, so
 * that mutations of it reach stages anchored on a date, conversions by
 * event and event entries. */
static const char *const date_names[] = { "offer_expires", "departure", "return_date",
                                          "lease_end", "ends", "d" };
static const char *const event_names[] = { "cruise_booked", "fraud_reported",
                                           "lease_end_updated", "birth_recorded", "e",
                                           "card_replaced", "excursion_booked",
                                           "lease_renewed", "bought" };

static const char *const channels[] = { "email", "sms", "direct_mail", "phone", "push" };

static void fail(const char *what, int status)
{
    fprintf(stderr, "%s: %s (%s)\n", what, libdbm_strerror(status), libdbm_context_errmsg(ctx));
    abort();
}

static int setup(void)
{
    /* Quiet hours, caps and a gap make the scheduler defer and skip, so
     * the blocked modes are reached; the policy is immutable and shared. */
    static const char policy_text[] =
        "cap email 1 per 7d\n"
        "cap all 2 per 30d\n"
        "gap sms 1d\n"
        "quiet 22:00-07:00\n"
        "consent unknown allow\n";
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK ||
        libdbm_policy_parse(&policy, ctx, policy_text) != LIBDBM_OK)
        return -1;
    return 0;
}

/* "c" has dates around T0, a purchase and events; "x" has dates at the
 * ends of what a time attribute may hold. Errors are ignored: a value the
 * store refuses is simply absent. */
static libdbm_store *make_store(void)
{
    static const int64_t extreme[] = { LIBDBM_TIME_MAX, LIBDBM_TIME_MIN, INT64_MAX, INT64_MIN,
                                       0, -1 };
    libdbm_store *store = NULL;
    size_t k;
    if (libdbm_store_open(&store, ctx, NULL, NULL) != LIBDBM_OK)
        return NULL;
    for (k = 0; k < sizeof(date_names) / sizeof(date_names[0]); k++) {
        libdbm_store_attr_set_time(store, "c", date_names[k], T0 + (int64_t)(k * 17 + 3) * DAY);
        libdbm_store_attr_set_time(store, "x", date_names[k], extreme[k]);
    }
    libdbm_store_attr_set_string(store, "c", "country", "BR");
    libdbm_store_attr_set_bool(store, "c", "unsubscribed", 0);
    libdbm_store_attr_set_bool(store, "x", "unsubscribed", 1);
    /* The policy denies a channel without an address: "c" has one on every
     * channel the corpus uses, "x" only an email address. */
    for (k = 0; k < sizeof(channels) / sizeof(channels[0]); k++)
        libdbm_store_channel_set_address(store, "c", channels[k], "c-address", T0 - 30 * DAY);
    libdbm_store_channel_set_address(store, "x", "email", "x@example.com", 0);
    libdbm_store_consent_record(store, "c", "email", NULL, LIBDBM_CONSENT_GRANTED, T0 - 30 * DAY,
                                "f", "v");
    libdbm_store_purchase_add(store, NULL, "c", T0 - 100 * DAY, 10.0, NULL);
    libdbm_store_purchase_add(store, NULL, "c", T0 + 4 * DAY, 25.5, NULL);
    for (k = 0; k < sizeof(event_names) / sizeof(event_names[0]); k++)
        libdbm_store_event_add(store, k % 2 ? "x" : "c", event_names[k],
                               T0 + (int64_t)k * 3 * DAY, 1.0);
    return store;
}

/* Hands out what is due at @p now, checks every action and feeds an
 * outcome back for most of them (a few stay unanswered). */
static void run_due(libdbm_campaign_scheduler *s, const char *name, int64_t now, int for_c,
                    unsigned *turn)
{
    static const int outcomes[] = { LIBDBM_OUTCOME_SENT, LIBDBM_OUTCOME_CLICKED, 0,
                                    LIBDBM_OUTCOME_OPENED, LIBDBM_OUTCOME_CONVERTED,
                                    LIBDBM_OUTCOME_BOUNCED, LIBDBM_OUTCOME_RESPONDED };
    libdbm_campaign_actions *actions = NULL;
    size_t name_len = strlen(name);
    int64_t k, n;
    int status = for_c ? libdbm_campaign_due_for(s, &actions, "c", now)
                       : libdbm_campaign_due(s, &actions, now);
    if (status != LIBDBM_OK)
        fail("due", status);
    n = libdbm_campaign_actions_count(actions);
    for (k = 0; k < n; k++) {
        const char *id = NULL, *customer = NULL, *channel = NULL, *content = NULL;
        int32_t stage = -1;
        int redelivery = -1, outcome;
        status = libdbm_campaign_action_get(actions, k, &id, &customer, &stage, &channel,
                                            &content, &redelivery);
        if (status != LIBDBM_OK)
            fail("action_get", status);
        /* The id is CAMPAIGN/ENTRY/STAGE/CUSTOMER_ID (docs/campaigns.md). */
        if (id == NULL || customer == NULL || channel == NULL || content == NULL ||
            strncmp(id, name, name_len) != 0 || id[name_len] != '/' || stage < 0 ||
            stage >= 32 || (redelivery != 0 && redelivery != 1)) {
            fprintf(stderr, "bad action %s for %s\n", id ? id : "(null)", name);
            abort();
        }
        outcome = outcomes[(*turn)++ % (sizeof(outcomes) / sizeof(outcomes[0]))];
        if (outcome != 0 &&
            (status = libdbm_campaign_record_outcome(s, id, outcome, now + 60)) != LIBDBM_OK)
            fail("record_outcome", status);
    }
    libdbm_campaign_actions_free(actions);
}

static void schedule(const libdbm_campaign *c, const char *name)
{
    /* A year of calls, the first two in the policy's quiet hours (UTC),
     * the clock going back once (T0 + 2d after T0 + 8d). */
    static const int64_t steps[] = { 0, 3600, DAY + 34200, 8 * DAY + 43200, 2 * DAY + 36000,
                                     10 * DAY + 43200, 21 * DAY + 54000, 45 * DAY + 32400,
                                     100 * DAY + 43200, 200 * DAY + 43200, 400 * DAY + 43200 };
    libdbm_store *store = make_store();
    libdbm_campaign_scheduler *s = NULL;
    char *report = NULL;
    double rates[5];
    unsigned turn = 0;
    int status, entered;
    size_t k;
    if (store == NULL)
        return;
    if ((status = libdbm_campaign_scheduler_new(&s, c, store, policy)) != LIBDBM_OK)
        fail("scheduler_new", status);
    status = libdbm_campaign_enter_segment(s, NULL, T0);
    if (status != LIBDBM_OK && status != LIBDBM_EINVAL)   /* EINVAL: not a segment entry */
        fail("enter_segment", status);
    if ((status = libdbm_campaign_enter(s, &entered, "c", T0)) != LIBDBM_OK)
        fail("enter c", status);
    if ((status = libdbm_campaign_enter(s, &entered, "x", T0 + 1)) != LIBDBM_OK)
        fail("enter x", status);
    if ((status = libdbm_campaign_trigger(s, &entered, "c", "e", T0 + 2)) != LIBDBM_OK)
        fail("trigger", status);
    for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
        run_due(s, name, T0 + steps[k], k == 2, &turn);
    if ((status = libdbm_campaign_report(s, &report, LIBDBM_CAMPAIGN_REPORT_CSV)) != LIBDBM_OK)
        fail("report csv", status);
    libdbm_free_string(report);
    report = NULL;
    if ((status = libdbm_campaign_report(s, &report, LIBDBM_CAMPAIGN_REPORT_JSON)) != LIBDBM_OK)
        fail("report json", status);
    libdbm_free_string(report);
    if ((status = libdbm_campaign_uplift(s, &rates[0], &rates[1], &rates[2], &rates[3],
                                         &rates[4])) != LIBDBM_OK)
        fail("uplift", status);
    libdbm_campaign_scheduler_free(s);
    libdbm_store_close(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    libdbm_campaign *c = NULL, *again = NULL;
    char *text, *canon = NULL, *canon2 = NULL, name[80];
    if (ctx == NULL && setup() != 0)
        return 0;
    if ((text = fuzz_text(data, size)) == NULL)
        return 0;
    if (libdbm_campaign_parse(&c, ctx, text) == LIBDBM_OK) {
        if (libdbm_campaign_to_string(c, &canon) != LIBDBM_OK ||
            libdbm_campaign_parse(&again, ctx, canon) != LIBDBM_OK ||
            libdbm_campaign_to_string(again, &canon2) != LIBDBM_OK || strcmp(canon, canon2) != 0) {
            fprintf(stderr, "canonical text does not read back (%s):\n%s\n---\n%s\n",
                    libdbm_context_errmsg(ctx), canon ? canon : "", canon2 ? canon2 : "");
            abort();
        }
        /* The canonical text starts "campaign NAME\n". */
        if (sscanf(canon, "campaign %79s", name) != 1)
            abort();
        schedule(c, name);
    } else {
        int32_t line = -1, column = -1;
        int status = libdbm_campaign_last_error(ctx, &line, &column);
        if (status == LIBDBM_OK || line < 0 || column < 0)
            abort();
    }
    libdbm_free_string(canon);
    libdbm_free_string(canon2);
    libdbm_campaign_free(c);
    libdbm_campaign_free(again);
    free(text);
    return 0;
}
