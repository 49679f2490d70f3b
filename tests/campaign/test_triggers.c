/* Scenarios 2 and 3 (examples/campaigns): a cruise booking followed by a
 * date-relative series, and event-triggered sequences (lease end, fraud,
 * birth), entered in real time by libdbm_campaign_trigger() or by the
 * events recorded in the store. One store, one scheduler per campaign, an
 * injected clock stepping hour by hour through six months; every
 * customer's actions are compared with times worked out by hand.
 *
 * Usage: test-campaign-triggers EXAMPLES_DIR */
#include <stdio.h>
#include <string.h>

#include "campaign_test_util.h"
#include "check.h"

#define HOUR 3600
#define DAY 86400
#define N_CAMPAIGNS 4

static libdbm_campaign *campaigns[N_CAMPAIGNS];
static libdbm_campaign_scheduler *schedulers[N_CAMPAIGNS];
static ctu_log logs[N_CAMPAIGNS];

static void step_all(int64_t from, int64_t to)
{
    int64_t t;
    int k;
    for (t = from; t <= to; t += HOUR)
        for (k = 0; k < N_CAMPAIGNS; k++)
            ctu_due(schedulers[k], &logs[k], NULL, t, 1);
}

static void line(char *expect, const char *stage, int64_t at)
{
    char buf[96];
    ctu_entry(buf, sizeof(buf), stage, at);
    strcat(strcat(expect, buf), "\n");
}

static const char *first_id(const ctu_log *log, const char *customer)
{
    size_t k;
    for (k = 0; k < log->n; k++)
        if (strcmp(log->items[k].customer, customer) == 0)
            return log->items[k].id;
    return NULL;
}

int main(int argc, char **argv)
{
    static const char *files[N_CAMPAIGNS] = {"cruise_series.campaign", "lease_end.campaign",
                                             "fraud_alert.campaign", "new_baby.campaign"};
    libdbm_context *ctx;
    libdbm_store *store;
    libdbm_campaign_actions *a;
    int64_t t0 = ctu_utc(2026, 4, 1, 12, 0), dep = ctu_utc(2026, 7, 1, 12, 0), ret = dep + 7 * DAY;
    char expect[512], lease_ids[3][16];
    const char *id;
    int k, entered;
    CHECK(argc == 2);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    store = ctu_memory_store(ctx);
    for (k = 0; k < N_CAMPAIGNS; k++) {
        campaigns[k] = ctu_load(ctx, argv[1], files[k]);
        CHECK_OK(libdbm_campaign_scheduler_new(&schedulers[k], campaigns[k], store, NULL));
    }
    /* Cruise customers: A books by trigger now, B 20 days and C 5 days
     * before departure, D now (and books an excursion: converts), E's
     * booking is only recorded as a store event (picked up by due()). */
    {
        const char *cruisers[] = {"A", "B", "C", "D", "E"};
        for (k = 0; k < 5; k++) {
            CHECK_OK(libdbm_store_attr_set_time(store, cruisers[k], "departure", dep));
            CHECK_OK(libdbm_store_attr_set_time(store, cruisers[k], "return_date", ret));
        }
        CHECK_OK(libdbm_store_event_add(store, "B", "cruise_booked", dep - 20 * DAY, 0));
        CHECK_OK(libdbm_store_event_add(store, "C", "cruise_booked", dep - 5 * DAY, 0));
        CHECK_OK(libdbm_store_event_add(store, "D", "cruise_booked", t0, 0));
        CHECK_OK(libdbm_store_event_add(store, "D", "excursion_booked", dep - 12 * DAY, 0));
        CHECK_OK(libdbm_store_event_add(store, "E", "cruise_booked", t0 + 30 * DAY, 0));
        CHECK_OK(libdbm_campaign_trigger(schedulers[0], &entered, "A", "cruise_booked", t0));
        CHECK(entered == 1);
        CHECK_OK(libdbm_campaign_trigger(schedulers[0], &entered, "A", "other_event", t0));
        CHECK(entered == 0);
    }
    /* Lease customers (outside the 5% holdout): lease end in 90 days, in
     * 40 days (late entry: the offer at once, catch-up "latest"), and one
     * who responds to the offer. */
    for (k = 0; k < 3; k++) {
        int i;
        for (i = 0;; i++) {
            snprintf(lease_ids[k], sizeof(lease_ids[k]), "L%d_%d", k, i);
            if (!ctu_holdout(lease_ids[k], "lease_renewal", "lease", 0.05))
                break;
        }
        CHECK_OK(libdbm_store_attr_set_time(store, lease_ids[k], "lease_end",
                                            t0 + (k == 1 ? 40 : 90) * DAY));
        CHECK_OK(libdbm_store_event_add(store, lease_ids[k], "lease_end_updated", t0, 0));
    }
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, "F1"));
    /* Birth events (outside the 10% holdout). */
    CHECK(!ctu_holdout("N1", "new_baby", "baby", 0.10) && !ctu_holdout("N2", "new_baby", "baby", 0.10));
    CHECK_OK(libdbm_store_event_add(store, "N1", "birth_recorded", t0 + 4 * DAY, 0));
    CHECK_OK(libdbm_store_event_add(store, "N2", "birth_recorded", t0 + 4 * DAY, 0));

    step_all(t0, t0 + 9 * DAY - HOUR);
    /* Real time: a fraud reported at 03:00 on April 10 is due at once. */
    CHECK_OK(libdbm_campaign_trigger(schedulers[2], &entered, "F1", "fraud_reported",
                                     t0 + 8 * DAY + 15 * HOUR));
    CHECK(entered == 1);
    CHECK(ctu_due(schedulers[2], &logs[2], "F1", t0 + 8 * DAY + 15 * HOUR, 1) == 1);
    CHECK_STATUS(libdbm_campaign_due_for(schedulers[2], &a, "nobody", t0), LIBDBM_ENOTFOUND);
    CHECK(a == NULL);
    /* N2 responds to the congratulations. */
    id = first_id(&logs[3], "N2");
    CHECK(id != NULL);
    CHECK_OK(libdbm_campaign_record_outcome(schedulers[3], id, LIBDBM_OUTCOME_RESPONDED, t0 + 9 * DAY));
    step_all(t0 + 9 * DAY, t0 + 40 * DAY);
    /* L2 got its offer at day 30 and clicks it. */
    id = first_id(&logs[1], lease_ids[2]);
    CHECK(id != NULL);
    CHECK_OK(libdbm_campaign_record_outcome(schedulers[1], id, LIBDBM_OUTCOME_CLICKED, t0 + 40 * DAY));
    step_all(t0 + 40 * DAY + HOUR, t0 + 200 * DAY);

    /* Cruise. */
    expect[0] = '\0';
    line(expect, "confirmation", t0);
    line(expect, "destination_guide", dep - 30 * DAY);
    line(expect, "shore_excursions", dep - 10 * DAY);
    line(expect, "feedback", ret + 3 * DAY);
    ctu_expect(&logs[0], campaigns[0], "A", expect);
    expect[0] = '\0';
    line(expect, "confirmation", dep - 20 * DAY);
    line(expect, "shore_excursions", dep - 10 * DAY);
    line(expect, "feedback", ret + 3 * DAY);
    ctu_expect(&logs[0], campaigns[0], "B", expect);
    expect[0] = '\0';
    line(expect, "confirmation", dep - 5 * DAY);
    line(expect, "feedback", ret + 3 * DAY);
    ctu_expect(&logs[0], campaigns[0], "C", expect);
    expect[0] = '\0';
    line(expect, "confirmation", t0);
    line(expect, "destination_guide", dep - 30 * DAY);
    ctu_expect(&logs[0], campaigns[0], "D", expect);
    expect[0] = '\0';
    line(expect, "confirmation", t0 + 30 * DAY);
    line(expect, "destination_guide", dep - 30 * DAY);
    line(expect, "shore_excursions", dep - 10 * DAY);
    line(expect, "feedback", ret + 3 * DAY);
    ctu_expect(&logs[0], campaigns[0], "E", expect);

    /* Lease: L0 offer 60 days ahead and the call 30 days ahead; L1 (40
     * days left) the offer at once, the call 30 days ahead; L2 responded. */
    expect[0] = '\0';
    line(expect, "renewal_offer", t0 + 30 * DAY);
    line(expect, "renewal_call", t0 + 60 * DAY);
    ctu_expect(&logs[1], campaigns[1], lease_ids[0], expect);
    expect[0] = '\0';
    line(expect, "renewal_offer", t0);
    line(expect, "renewal_call", t0 + 10 * DAY);
    ctu_expect(&logs[1], campaigns[1], lease_ids[1], expect);
    expect[0] = '\0';
    line(expect, "renewal_offer", t0 + 30 * DAY);
    ctu_expect(&logs[1], campaigns[1], lease_ids[2], expect);

    /* Fraud: the alert at once, the follow-up a day later. */
    expect[0] = '\0';
    line(expect, "alert", t0 + 8 * DAY + 15 * HOUR);
    line(expect, "follow_up", t0 + 9 * DAY + 15 * HOUR);
    ctu_expect(&logs[2], campaigns[2], "F1", expect);

    /* Birth: congratulations, the baby range two weeks later unless they
     * responded, the six-month mailing. */
    expect[0] = '\0';
    line(expect, "congratulations", t0 + 4 * DAY);
    line(expect, "baby_range", t0 + 18 * DAY);
    line(expect, "six_months", t0 + 4 * DAY + 182 * DAY);
    ctu_expect(&logs[3], campaigns[3], "N1", expect);
    expect[0] = '\0';
    line(expect, "congratulations", t0 + 4 * DAY);
    line(expect, "six_months", t0 + 4 * DAY + 182 * DAY);
    ctu_expect(&logs[3], campaigns[3], "N2", expect);

    for (k = 0; k < N_CAMPAIGNS; k++) {
        ctu_log_free(&logs[k]);
        libdbm_campaign_scheduler_free(schedulers[k]);
        libdbm_campaign_free(campaigns[k]);
    }
    libdbm_store_close(store);
    libdbm_context_free(ctx);
    return 0;
}
