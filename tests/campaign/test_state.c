/* The scheduler's durable state: issued actions survive a restart and are
 * handed out again with the same ids (flagged as re-deliveries) until an
 * outcome acknowledges them; a checkpoint keeps the state; an erased
 * profile's entries vanish from the files; a conversion cancels pending
 * stages at once; a clock that goes back issues nothing new.
 *
 * Usage: test-campaign-state */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign_test_util.h"
#include "check.h"

#define DAY 86400

static const char *definition =
    "campaign welcome\n"
    "entry segment \"attr.new\"\n"
    "convert on outcome within 60d\n"
    "stage hello channel email content hello\n"
    "stage tips channel email content tips\n"
    "  at previous + 2d\n"
    "stage offer channel email content offer\n"
    "  at previous + 5d\n";

static libdbm_store *open_store(libdbm_context *ctx, const char *dir)
{
    libdbm_store *s = NULL;
    CHECK_OK(libdbm_store_open(&s, ctx, dir, NULL));
    return s;
}

/* 1 when any file of @p dir contains @p needle. */
static int dir_contains(const char *dir, const char *needle)
{
    const char *names[] = {"snapshot.dbm", "log.dbm"};
    int k, found = 0;
    for (k = 0; k < 2 && !found; k++) {
        char path[600];
        FILE *f;
        char *buf;
        long n;
        snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
        if ((f = fopen(path, "rb")) == NULL)
            continue;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = malloc((size_t)n + 1);
        CHECK(buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n);
        fclose(f);
        found = memmem(buf, (size_t)n, needle, strlen(needle)) != NULL;
        free(buf);
    }
    return found;
}

static size_t count_for(const ctu_log *log, const char *customer, int redelivery)
{
    size_t k, n = 0;
    for (k = 0; k < log->n; k++)
        n += strcmp(log->items[k].customer, customer) == 0 && log->items[k].redelivery == redelivery;
    return n;
}

int main(void)
{
    char dir[] = "/tmp/libdbm-campaign-state-XXXXXX";
    libdbm_context *ctx;
    libdbm_store *store;
    libdbm_campaign *c;
    libdbm_campaign_scheduler *s;
    ctu_log log = {0}, again = {0};
    int64_t t0 = ctu_utc(2026, 5, 4, 10, 0), entered;
    char *before = NULL, *after = NULL;
    size_t k;
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_campaign_parse(&c, ctx, definition));

    /* Round 1: three customers enter; the hellos go out, only alice's is
     * acknowledged. */
    store = open_store(ctx, dir);
    CHECK_OK(libdbm_store_attr_set_bool(store, "alice", "new", 1));
    CHECK_OK(libdbm_store_attr_set_bool(store, "bob", "new", 1));
    CHECK_OK(libdbm_store_attr_set_bool(store, "carol-erase-me", "new", 1));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_campaign_enter_segment(s, &entered, t0));
    CHECK(entered == 3);
    CHECK(ctu_due(s, &log, NULL, t0, 0) == 3);
    for (k = 0; k < log.n; k++)
        if (strcmp(log.items[k].customer, "alice") == 0)
            CHECK_OK(libdbm_campaign_record_outcome(s, log.items[k].id, LIBDBM_OUTCOME_SENT, t0));
    CHECK(ctu_due(s, &log, NULL, t0 + 60, 0) == 0);    /* nothing twice in one process */
    libdbm_campaign_scheduler_free(s);
    CHECK_OK(libdbm_store_close(store));

    /* Round 2 (a restart): bob's and carol's hellos come again, same ids,
     * flagged; alice's does not. */
    store = open_store(ctx, dir);
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK(ctu_due(s, &again, NULL, t0 + 120, 0) == 2);
    for (k = 0; k < again.n; k++) {
        size_t j, same = 0;
        CHECK(again.items[k].redelivery);
        CHECK(strcmp(again.items[k].customer, "alice") != 0);
        for (j = 0; j < log.n; j++)
            same += strcmp(log.items[j].id, again.items[k].id) == 0;
        CHECK(same == 1);
        CHECK_OK(libdbm_campaign_record_outcome(s, again.items[k].id, LIBDBM_OUTCOME_SENT, t0));
    }
    /* Outcomes for unknown or foreign ids are refused. */
    CHECK_STATUS(libdbm_campaign_record_outcome(s, "welcome/9/0/alice", LIBDBM_OUTCOME_SENT, t0),
                 LIBDBM_ENOTFOUND);
    CHECK_STATUS(libdbm_campaign_record_outcome(s, "other/1/0/alice", LIBDBM_OUTCOME_SENT, t0),
                 LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_record_outcome(s, "welcome/1/2/alice", LIBDBM_OUTCOME_SENT, t0),
                 LIBDBM_EINVAL);     /* never issued */
    CHECK_STATUS(libdbm_campaign_record_outcome(s, "welcome/1/x/alice", LIBDBM_OUTCOME_SENT, t0),
                 LIBDBM_EINVAL);
    /* The tips fall due two days later. */
    CHECK(ctu_due(s, &log, NULL, t0 + 2 * DAY, 1) == 3);
    /* Alice converts: her offer (due at day 7) is cancelled at once. */
    for (k = 0; k < log.n; k++)
        if (strcmp(log.items[k].customer, "alice") == 0 && log.items[k].stage == 1)
            CHECK_OK(libdbm_campaign_record_outcome(s, log.items[k].id, LIBDBM_OUTCOME_CONVERTED,
                                                    t0 + 3 * DAY));

    /* Carol is erased mid-campaign: her actions vanish, and after a
     * checkpoint no byte of her id is left in the store's files. */
    CHECK_OK(libdbm_campaign_report(s, &before, LIBDBM_CAMPAIGN_REPORT_CSV));
    CHECK(strstr(before, "welcome,hello,allowed,3\n") != NULL);
    libdbm_free_string(before);
    CHECK_OK(libdbm_store_erase(store, "carol-erase-me", 0));
    CHECK_OK(libdbm_store_checkpoint(store));
    CHECK(!dir_contains(dir, "carol-erase-me"));
    CHECK_OK(libdbm_campaign_report(s, &before, LIBDBM_CAMPAIGN_REPORT_CSV));
    CHECK(strstr(before, "welcome,hello,allowed,2\n") != NULL);
    CHECK(strstr(before, "welcome,,converted_treated,1\n") != NULL);

    /* A checkpoint and a restart keep the state exactly. */
    libdbm_campaign_scheduler_free(s);
    CHECK_OK(libdbm_store_close(store));
    store = open_store(ctx, dir);
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    CHECK_OK(libdbm_campaign_report(s, &after, LIBDBM_CAMPAIGN_REPORT_CSV));
    CHECK(strcmp(before, after) == 0);
    libdbm_free_string(after);

    /* The clock goes back ten days: nothing is issued or un-issued. */
    ctu_log_free(&again);
    CHECK(ctu_due(s, &again, NULL, t0 - 10 * DAY, 1) == 0);
    CHECK(ctu_due(s, &again, NULL, t0 + 1 * DAY, 1) == 0);
    /* Forward again: only bob's offer, at day 7. */
    CHECK(ctu_due(s, &again, NULL, t0 + 7 * DAY - 1, 1) == 0);
    CHECK(ctu_due(s, &again, NULL, t0 + 7 * DAY, 1) == 1);
    CHECK(strcmp(again.items[0].customer, "bob") == 0 && again.items[0].stage == 2);
    CHECK(count_for(&again, "alice", 0) == 0 && count_for(&again, "carol-erase-me", 0) == 0);
    CHECK_STATUS(libdbm_campaign_record_outcome(s, "welcome/1/0/carol-erase-me",
                                                LIBDBM_OUTCOME_OPENED, t0), LIBDBM_ENOTFOUND);
    /* The measurement window ends: the entries complete, nothing more. */
    CHECK(ctu_due(s, &again, NULL, t0 + 61 * DAY, 1) == 0);
    CHECK_OK(libdbm_campaign_enter_segment(s, &entered, t0 + 62 * DAY));
    CHECK(entered == 0);    /* re-entry: never */
    CHECK_OK(libdbm_campaign_report(s, &after, LIBDBM_CAMPAIGN_REPORT_JSON));
    CHECK(strstr(after, "\"entered\":{\"treated\":2,\"holdout\":0}") != NULL);
    CHECK(strstr(after, "\"stage\":\"offer\",\"channel\":\"email\",\"due\":1,\"allowed\":1") != NULL);

    libdbm_free_string(before);
    libdbm_free_string(after);
    ctu_log_free(&log);
    ctu_log_free(&again);
    libdbm_campaign_scheduler_free(s);
    CHECK_OK(libdbm_store_close(store));
    libdbm_campaign_free(c);
    libdbm_context_free(ctx);
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0);
    }
    return 0;
}
