/* Two profiles that are both in a campaign are merged (docs/campaigns.md,
 * "Merges"): the entry that started first stays with the surviving
 * profile, keeps its holdout assignment and its action ids (built from the
 * id it started under); the other entry ends, so no stage is sent twice to
 * the merged person; outcomes for ids issued before the merge still land.
 *
 * Usage: test-campaign-merge */
#include <stdio.h>
#include <string.h>

#include "campaign_test_util.h"
#include "check.h"

#define HOUR 3600
#define DAY 86400

static const char *definition =
    "campaign onboard\n"
    "entry event joined\n"
    "holdout 50% salt \"m\"\n"
    "stage s0 channel email content a\n"
    "stage s1 channel email content b\n"
    "  at previous + 3d\n"
    "stage s2 channel email content c\n"
    "  at previous + 3d\n";

/* A fresh id with the wanted holdout assignment. */
static void pick(char *buf, size_t size, const char *prefix, int holdout)
{
    int i;
    for (i = 0;; i++) {
        snprintf(buf, size, "%s%d", prefix, i);
        if (ctu_holdout(buf, "onboard", "m", 0.5) == holdout)
            return;
    }
}

static const char *stage_id(const ctu_log *log, const char *customer, int32_t stage)
{
    size_t k;
    for (k = 0; k < log->n; k++)
        if (strcmp(log->items[k].customer, customer) == 0 && log->items[k].stage == stage)
            return log->items[k].id;
    return NULL;
}

/* @p first enters at t0, @p second a day later; at day 2 @p from is merged
 * into @p into. Returns the log. */
static void scenario(libdbm_context *ctx, libdbm_campaign *c, const char *first,
                     const char *second, const char *into, const char *from, ctu_log *log)
{
    libdbm_store *store = ctu_memory_store(ctx);
    libdbm_campaign_scheduler *s;
    int64_t t0 = ctu_utc(2026, 2, 2, 9, 0);
    int entered;
    const char *old_id;
    char saved[192];
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, first));
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, second));
    CHECK_OK(libdbm_campaign_trigger(s, &entered, first, "joined", t0));
    CHECK(entered == 1);
    ctu_run(s, log, t0, t0 + DAY - HOUR, HOUR);
    CHECK_OK(libdbm_campaign_trigger(s, &entered, second, "joined", t0 + DAY));
    CHECK(entered == 1);
    ctu_run(s, log, t0 + DAY, t0 + 2 * DAY - HOUR, HOUR);
    CHECK_OK(libdbm_store_merge(store, into, from));
    /* The merged person is in the campaign: no new entry. */
    CHECK_OK(libdbm_campaign_trigger(s, &entered, into, "joined", t0 + 2 * DAY));
    CHECK(entered == 0);
    /* An outcome for an id issued to the merged-away profile still lands. */
    old_id = stage_id(log, from, 0);
    if (old_id != NULL) {
        snprintf(saved, sizeof(saved), "%s", old_id);
        CHECK_OK(libdbm_campaign_record_outcome(s, saved, LIBDBM_OUTCOME_OPENED, t0 + 2 * DAY));
    }
    ctu_run(s, log, t0 + 2 * DAY, t0 + 20 * DAY, HOUR);
    libdbm_campaign_scheduler_free(s);
    libdbm_store_close(store);
}

static int count_stage(const ctu_log *log, const char *customer, int32_t stage)
{
    size_t k;
    int n = 0;
    for (k = 0; k < log->n; k++)
        n += strcmp(log->items[k].customer, customer) == 0 && log->items[k].stage == stage;
    return n;
}

int main(void)
{
    libdbm_context *ctx;
    libdbm_campaign *c;
    ctu_log log = {0};
    char a[32], b[32], expect[256], line[64];
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_campaign_parse(&c, ctx, definition));

    /* 1. Both treated; the survivor started first: its entry goes on, the
     * other's ends. */
    pick(a, sizeof(a), "ann", 0);
    pick(b, sizeof(b), "ann_dup", 0);
    scenario(ctx, c, a, b, a, b, &log);
    expect[0] = '\0';
    ctu_entry(line, sizeof(line), "s0", ctu_utc(2026, 2, 2, 9, 0));
    strcat(strcat(expect, line), "\n");
    ctu_entry(line, sizeof(line), "s1", ctu_utc(2026, 2, 5, 9, 0));
    strcat(strcat(expect, line), "\n");
    ctu_entry(line, sizeof(line), "s2", ctu_utc(2026, 2, 8, 9, 0));
    strcat(strcat(expect, line), "\n");
    ctu_expect(&log, c, a, expect);
    CHECK(count_stage(&log, b, 0) == 1 && count_stage(&log, b, 1) == 0);
    ctu_log_free(&log);

    /* 2. The survivor entered later: the merged-away profile's earlier
     * entry stays, under its own action ids, sent to the survivor. */
    pick(a, sizeof(a), "bea", 0);
    pick(b, sizeof(b), "bea_old", 0);
    scenario(ctx, c, b, a, a, b, &log);
    CHECK(count_stage(&log, a, 0) == 1 && count_stage(&log, b, 0) == 1); /* before the merge */
    CHECK(count_stage(&log, a, 1) == 1 && count_stage(&log, a, 2) == 1);
    snprintf(line, sizeof(line), "onboard/1/1/%s", b);
    CHECK(strcmp(stage_id(&log, a, 1), line) == 0);
    ctu_log_free(&log);

    /* 3. Holdout stays with the entry: the earlier entry was in the
     * holdout, so the merged person gets nothing more. */
    pick(a, sizeof(a), "cy", 0);
    pick(b, sizeof(b), "cy_hold", 1);
    scenario(ctx, c, b, a, a, b, &log);
    CHECK(count_stage(&log, a, 0) == 1);    /* a's own, before the merge */
    CHECK(count_stage(&log, a, 1) == 0 && count_stage(&log, a, 2) == 0);
    CHECK(count_stage(&log, b, 0) == 0);
    ctu_log_free(&log);

    libdbm_campaign_free(c);
    libdbm_context_free(ctx);
    return 0;
}
