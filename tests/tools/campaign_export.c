/* Runs a campaign definition over a store through the public API and
 * prints its measurement export (libdbm_campaign_report, JSON), so the
 * report tests feed `dbmtool report` the library's real export.
 *
 * Usage: campaign-export STORE CAMPAIGN_FILE START DAYS
 * Every tenth customer of the store gets the profile date offer_expires =
 * START + 21 days (the spring offer's date; a subset keeps the durable
 * writes few); the scheduler is stepped every 6 hours for DAYS days from
 * START; every action handed out is acknowledged as SENT, and of them every
 * third gets a RESPONDED outcome and every seventh a CONVERTED one. */
#include <stdio.h>
#include <stdlib.h>

#include <libdbm.h>

#define STEP (6 * 3600) /* each due() is a durable write: a few hundred only */
#define DAY 86400

static int failed(libdbm_context *ctx, int status, const char *what)
{
    fprintf(stderr, "campaign-export: %s: %s: %s\n", what, libdbm_strerror(status),
            libdbm_context_errmsg(ctx));
    return 1;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long n;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) != NULL) {
        if (fread(text, 1, (size_t)n, f) != (size_t)n) {
            free(text);
            text = NULL;
        } else {
            text[n] = '\0';
        }
    }
    if (f != NULL)
        fclose(f);
    return text;
}

/* Gives every tenth customer the offer's expiry date, in one batch. */
static int set_expiry(libdbm_context *ctx, libdbm_store *store, int64_t start)
{
    libdbm_scores *scores = NULL;
    int64_t n, i;
    int status = libdbm_scores_compute(&scores, store, start, NULL, NULL, NULL, NULL, NULL,
                                       NULL);
    if (status != LIBDBM_OK)
        return failed(ctx, status, "listing the customers");
    libdbm_scores_count(scores, &n);
    status = libdbm_store_begin(store);
    for (i = 0; i < n && status == LIBDBM_OK; i += 10) {
        const char *id;
        libdbm_scores_get(scores, &id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, i);
        status = libdbm_store_attr_set_time(store, id, "offer_expires", start + 21 * DAY);
    }
    status = status == LIBDBM_OK ? libdbm_store_commit(store) : status;
    libdbm_scores_free(scores);
    return status == LIBDBM_OK ? 0 : failed(ctx, status, "setting offer_expires");
}

static int run(libdbm_context *ctx, libdbm_campaign_scheduler *s, int64_t start, int64_t days)
{
    int64_t t, handed = 0, k, n;
    int status = libdbm_campaign_enter_segment(s, NULL, start);
    for (t = start; status == LIBDBM_OK && t <= start + days * DAY; t += STEP) {
        libdbm_campaign_actions *a = NULL;
        if ((status = libdbm_campaign_due(s, &a, t)) != LIBDBM_OK)
            break;
        n = libdbm_campaign_actions_count(a);
        for (k = 0; k < n && status == LIBDBM_OK; k++) {
            const char *id;
            libdbm_campaign_action_get(a, k, &id, NULL, NULL, NULL, NULL, NULL);
            handed++;
            status = libdbm_campaign_record_outcome(s, id, LIBDBM_OUTCOME_SENT, t);
            if (status != LIBDBM_OK)
                break;
            if (handed % 7 == 0)
                status = libdbm_campaign_record_outcome(s, id, LIBDBM_OUTCOME_CONVERTED, t);
            else if (handed % 3 == 0)
                status = libdbm_campaign_record_outcome(s, id, LIBDBM_OUTCOME_RESPONDED, t);
        }
        libdbm_campaign_actions_free(a);
    }
    return status == LIBDBM_OK ? 0 : failed(ctx, status, "running the campaign");
}

int main(int argc, char **argv)
{
    libdbm_context *ctx = NULL;
    libdbm_store *store = NULL;
    libdbm_campaign *campaign = NULL;
    libdbm_campaign_scheduler *s = NULL;
    int64_t start;
    char *text, *report = NULL;
    int status, rc = 1;
    if (argc != 5 || libdbm_time_parse(&start, argv[3]) != LIBDBM_OK) {
        fprintf(stderr, "usage: campaign-export STORE CAMPAIGN_FILE START DAYS\n");
        return 1;
    }
    if ((text = read_all(argv[2])) == NULL) {
        fprintf(stderr, "campaign-export: cannot read %s\n", argv[2]);
        return 1;
    }
    if ((status = libdbm_context_new(&ctx, NULL)) != LIBDBM_OK)
        goto done;
    if ((status = libdbm_store_open(&store, ctx, argv[1], NULL)) != LIBDBM_OK) {
        failed(ctx, status, "opening the store");
        goto done;
    }
    if ((status = libdbm_campaign_parse(&campaign, ctx, text)) != LIBDBM_OK) {
        failed(ctx, status, argv[2]);
        goto done;
    }
    if (set_expiry(ctx, store, start) != 0)
        goto done;
    if ((status = libdbm_campaign_scheduler_new(&s, campaign, store, NULL)) != LIBDBM_OK) {
        failed(ctx, status, "creating the scheduler");
        goto done;
    }
    if (run(ctx, s, start, atoll(argv[4])) != 0)
        goto done;
    if ((status = libdbm_campaign_report(s, &report, LIBDBM_CAMPAIGN_REPORT_JSON)) != LIBDBM_OK) {
        failed(ctx, status, "exporting the measurement");
        goto done;
    }
    fputs(report, stdout);
    rc = fflush(stdout) != 0;
done:
    libdbm_free_string(report);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(campaign);
    libdbm_store_close(store);
    libdbm_context_free(ctx);
    free(text);
    return rc;
}
