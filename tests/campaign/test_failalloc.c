/* The allocation-failure sweep over the campaign API: parse and print a
 * definition, enter by segment and by trigger, take the due actions, feed
 * outcomes back, merge and erase profiles in a campaign, measure. Every run
 * ends in OK or ENOMEM and leaks nothing. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "failalloc.h"

static const char *const definition =
    "campaign sweep\n"
    "entry segment \"attr.tier == \\\"gold\\\"\"\n"
    "holdout 20% salt \"s\"\n"
    "convert on purchase within 30d\n"
    "deadline attr.ends\n"
    "catchup latest\n"
    "stage one channel email content a\n"
    "  window 08:00-20:00\n"
    "stage two channel email content b\n"
    "  at previous + 1d\n"
    "  if no_response\n"
    "  if segment \"attr.tier is not null\"\n"
    "stage three channel sms content c class transactional\n"
    "  at attr.ends - 2d\n";

#define T0 1780000000

static int step(libdbm_campaign_scheduler *s, int64_t now)
{
    libdbm_campaign_actions *a = NULL;
    int64_t k;
    int status = libdbm_campaign_due(s, &a, now);
    for (k = 0; status == LIBDBM_OK && k < libdbm_campaign_actions_count(a); k++) {
        const char *id;
        CHECK_OK(libdbm_campaign_action_get(a, k, &id, NULL, NULL, NULL, NULL, NULL));
        status = libdbm_campaign_record_outcome(s, id, k % 2 ? LIBDBM_OUTCOME_SENT
                                                             : LIBDBM_OUTCOME_RESPONDED, now);
    }
    libdbm_campaign_actions_free(a);
    return status;
}

static int scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    libdbm_store *store = NULL;
    libdbm_campaign *c = NULL, *again = NULL;
    libdbm_campaign_scheduler *s = NULL;
    char *text = NULL, *csv = NULL, *json = NULL, id[16];
    int64_t entered;
    int i, status = libdbm_context_new(&ctx, options);
    (void)user_data;
    if (status != LIBDBM_OK)
        return status;
    if ((status = libdbm_store_open(&store, ctx, NULL, NULL)) != LIBDBM_OK)
        goto done;
    for (i = 0; i < 6 && status == LIBDBM_OK; i++) {
        snprintf(id, sizeof(id), "c%d", i);
        status = libdbm_store_attr_set_string(store, id, "tier", "gold");
        if (status == LIBDBM_OK)
            status = libdbm_store_attr_set_time(store, id, "ends", T0 + 10 * 86400);
    }
    if (status != LIBDBM_OK ||
        (status = libdbm_campaign_parse(&c, ctx, definition)) != LIBDBM_OK ||
        (status = libdbm_campaign_to_string(c, &text)) != LIBDBM_OK ||
        (status = libdbm_campaign_parse(&again, ctx, text)) != LIBDBM_OK ||
        (status = libdbm_campaign_scheduler_new(&s, c, store, NULL)) != LIBDBM_OK ||
        (status = libdbm_campaign_enter_segment(s, &entered, T0)) != LIBDBM_OK ||
        (status = step(s, T0 + 3600)) != LIBDBM_OK ||
        (status = libdbm_store_purchase_add(store, NULL, "c1", T0 + 7200, 5.0, NULL)) != LIBDBM_OK ||
        (status = libdbm_store_merge(store, "c2", "c3")) != LIBDBM_OK ||
        (status = libdbm_store_erase(store, "c4", 0)) != LIBDBM_OK ||
        (status = step(s, T0 + 2 * 86400)) != LIBDBM_OK ||
        (status = step(s, T0 + 9 * 86400)) != LIBDBM_OK ||
        (status = libdbm_campaign_report(s, &csv, LIBDBM_CAMPAIGN_REPORT_CSV)) != LIBDBM_OK ||
        (status = libdbm_campaign_report(s, &json, LIBDBM_CAMPAIGN_REPORT_JSON)) != LIBDBM_OK)
        goto done;
    CHECK(entered == 6);
    /* A syntax error must still say ESYNTAX (or ENOMEM) under pressure. */
    {
        libdbm_campaign *bad = NULL;
        int st = libdbm_campaign_parse(&bad, ctx, "campaign x\nentry segment \"p_alive >\"\n");
        CHECK(st == LIBDBM_ESYNTAX || st == LIBDBM_ENOMEM);
        if (st == LIBDBM_ENOMEM)
            status = st;
    }
done:
    libdbm_free_string(text);
    libdbm_free_string(csv);
    libdbm_free_string(json);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    libdbm_campaign_free(again);
    libdbm_store_close(store);
    libdbm_context_free(ctx);
    return status;
}

int main(void)
{
    failalloc_sweep_or_die("campaign", scenario, NULL, 100000);
    return 0;
}
