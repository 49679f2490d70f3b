/* Scenario 1 (examples/campaigns/spring_offer.campaign): an offer
 * announced by direct mail, an email reminder a week later to those who
 * did not respond, a last-chance email two days before the offer expires.
 * An injected clock steps hour by hour through ten weeks; every customer's
 * actions are compared with times worked out by hand from the definition,
 * holdout membership with an independent implementation of the documented
 * hash, and the uplift with the Wald interval computed here.
 *
 * Usage: test-campaign-spring-offer EXAMPLES_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_test_util.h"
#include "check.h"

#define N 120
#define HOUR 3600
#define DAY 86400

static const char *id_of(int i)
{
    static char buf[16];
    snprintf(buf, sizeof(buf), "S%03d", i);
    return buf;
}

static const char *find_id(const ctu_log *log, const char *customer, int32_t stage)
{
    size_t k;
    for (k = 0; k < log->n; k++)
        if (strcmp(log->items[k].customer, customer) == 0 && log->items[k].stage == stage)
            return log->items[k].id;
    return NULL;
}

int main(int argc, char **argv)
{
    libdbm_context *ctx;
    libdbm_store *store;
    libdbm_campaign *c;
    libdbm_campaign_scheduler *s;
    ctu_log log = {0};
    int64_t t0 = ctu_utc(2026, 3, 2, 8, 0), expires = t0 + 21 * DAY, entered;
    int holdout[N], i, n_treated = 0, n_hold = 0, conv_treated = 0, conv_hold = 0;
    double rt, rh, up, lo, hi, p1, p0, se;
    char *report = NULL, expect[512], line[128], late_id[16] = "";
    size_t k;
    CHECK(argc == 2);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    store = ctu_memory_store(ctx);
    c = ctu_load(ctx, argv[1], "spring_offer.campaign");
    for (i = 0; i < N; i++)
        CHECK_OK(libdbm_store_attr_set_time(store, id_of(i), "offer_expires", expires));
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, "no_offer"));   /* not in the segment */
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_campaign_enter_segment(s, &entered, t0));
    CHECK(entered == N);
    CHECK_OK(libdbm_campaign_enter_segment(s, &entered, t0));   /* re-entry: never */
    CHECK(entered == 0);

    /* Two days: announcements; then a third of the customers respond. */
    ctu_run(s, &log, t0, t0 + 2 * DAY, HOUR);
    for (i = 0; i < N; i += 3) {
        const char *id = find_id(&log, id_of(i), 0);
        if (id != NULL)
            CHECK_OK(libdbm_campaign_record_outcome(s, id, LIBDBM_OUTCOME_RESPONDED, t0 + 2 * DAY));
    }
    /* Day 10: every fifth customer buys (converts). */
    ctu_run(s, &log, t0 + 2 * DAY + HOUR, t0 + 10 * DAY - HOUR, HOUR);
    for (i = 0; i < N; i += 5)
        CHECK_OK(libdbm_store_purchase_add(store, NULL, id_of(i), t0 + 10 * DAY, 20.0, NULL));
    ctu_run(s, &log, t0 + 10 * DAY, t0 + 20 * DAY - HOUR, HOUR);
    /* Day 20, one day before the offer ends: a late joiner (the first id
     * that is not in the holdout). */
    for (i = 0; late_id[0] == '\0'; i++) {
        snprintf(line, sizeof(line), "LATE%d", i);
        if (!ctu_holdout(line, "spring_offer", "spring-2026", 0.10))
            strcpy(late_id, line);
    }
    CHECK_OK(libdbm_store_attr_set_time(store, late_id, "offer_expires", expires));
    CHECK_OK(libdbm_campaign_enter_segment(s, &entered, t0 + 20 * DAY));
    CHECK(entered == 1);
    ctu_run(s, &log, t0 + 20 * DAY, t0 + 70 * DAY, HOUR);

    for (i = 0; i < N; i++) {
        const char *id = id_of(i);
        holdout[i] = ctu_holdout(id, "spring_offer", "spring-2026", 0.10);
        expect[0] = '\0';
        if (!holdout[i]) {
            ctu_entry(line, sizeof(line), "announce", t0);
            strcat(strcat(expect, line), "\n");
            if (i % 3 != 0) {
                ctu_entry(line, sizeof(line), "reminder", ctu_utc(2026, 3, 9, 9, 0));
                strcat(strcat(expect, line), "\n");
            }
            if (i % 5 != 0) {
                ctu_entry(line, sizeof(line), "last_chance", ctu_utc(2026, 3, 21, 9, 0));
                strcat(strcat(expect, line), "\n");
            }
        }
        ctu_expect(&log, c, id, expect);
        n_treated += !holdout[i];
        n_hold += holdout[i];
        conv_treated += !holdout[i] && i % 5 == 0;
        conv_hold += holdout[i] && i % 5 == 0;
    }
    CHECK(n_hold >= 3 && n_hold <= 25);  /* 10% of 120, well inside 4 sigma */
    /* The late joiner: the announcement, then only the last chance. */
    expect[0] = '\0';
    ctu_entry(line, sizeof(line), "announce", t0 + 20 * DAY);
    strcat(strcat(expect, line), "\n");
    ctu_entry(line, sizeof(line), "last_chance", t0 + 20 * DAY + HOUR);
    strcat(strcat(expect, line), "\n");
    ctu_expect(&log, c, late_id, expect);
    /* Every id handed out once, none re-delivered. */
    for (k = 0; k < log.n; k++) {
        size_t j;
        CHECK(!log.items[k].redelivery);
        for (j = 0; j < k; j++)
            CHECK(strcmp(log.items[j].id, log.items[k].id) != 0);
    }

    /* Measurement: rates and the Wald interval, worked out here. */
    n_treated++;    /* the late joiner, who did not convert */
    CHECK_OK(libdbm_campaign_uplift(s, &rt, &rh, &up, &lo, &hi));
    p1 = (double)conv_treated / n_treated;
    p0 = (double)conv_hold / n_hold;
    se = sqrt(p1 * (1 - p1) / n_treated + p0 * (1 - p0) / n_hold);
    CHECK(fabs(rt - p1) < 1e-12 && fabs(rh - p0) < 1e-12 && fabs(up - (p1 - p0)) < 1e-12);
    CHECK(fabs(lo - (p1 - p0 - 1.959963984540054 * se)) < 1e-9);
    CHECK(fabs(hi - (p1 - p0 + 1.959963984540054 * se)) < 1e-9);
    CHECK_OK(libdbm_campaign_report(s, &report, LIBDBM_CAMPAIGN_REPORT_CSV));
    snprintf(line, sizeof(line), "spring_offer,announce,allowed,%d\n", n_treated);
    CHECK(strstr(report, line) != NULL);
    snprintf(line, sizeof(line), "spring_offer,,entered_holdout,%d\n", n_hold);
    CHECK(strstr(report, line) != NULL);
    CHECK(strstr(report, "spring_offer,reminder,skipped_deadline,1\n") != NULL);
    libdbm_free_string(report);
    CHECK_OK(libdbm_campaign_report(s, &report, LIBDBM_CAMPAIGN_REPORT_JSON));
    CHECK(strstr(report, "\"stage\":\"last_chance\"") != NULL);
    libdbm_free_string(report);

    ctu_log_free(&log);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_store_close(store);
    libdbm_context_free(ctx);
    return 0;
}
