/* dbmtool campaign: the actions of a campaign due now, as CSV with their
 * stable ids; --record-outcome feeds back what happened to them; --report
 * prints the campaign's measurement (docs/campaigns.md). Every run is a new
 * scheduler: actions handed out before and never given an outcome come
 * again (redelivery = 1, same id) until one is recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "textfile.h"
#include "verbs.h"

#define SYNOPSIS                                                                          \
    "campaign STORE CAMPAIGN_FILE --now TIME [--enter] [--policy POLICY_FILE] "          \
    "[--record-outcome FILE] [--report csv|json]"

/* Definition files beyond this are refused before parsing (the formats'
 * own limit is 1 MiB). */
#define MAX_DEFINITION_FILE (1024u * 1024u)

typedef struct campaign_args {
    const char *positional[2];
    const char *now_text, *policy_path, *outcomes_path, *report;
    int enter;
    int64_t now;
} campaign_args;

/* Reads a definition file; refuses NUL bytes. */
static int read_definition(const char *path, char **text)
{
    size_t len = 0;
    int code = dbmtool_read_text_file(path, MAX_DEFINITION_FILE, text, &len);
    if (code != DBMTOOL_EXIT_OK)
        return code;
    if (strlen(*text) != len) {
        free(*text);
        *text = NULL;
        return dbmtool_usage_error("%s: the file holds a NUL byte", path);
    }
    return DBMTOOL_EXIT_OK;
}

static int load(libdbm_context *ctx, const campaign_args *a, libdbm_campaign **campaign,
                libdbm_policy **policy)
{
    char *text = NULL, what[600];
    int status, code = read_definition(a->positional[1], &text);
    if (code != DBMTOOL_EXIT_OK)
        return code;
    status = libdbm_campaign_parse(campaign, ctx, text);
    free(text);
    if (status != LIBDBM_OK) {
        snprintf(what, sizeof(what), "campaign file '%s'", a->positional[1]);
        return dbmtool_fail(ctx, status, what);
    }
    if (a->policy_path == NULL)
        return DBMTOOL_EXIT_OK;
    if ((code = read_definition(a->policy_path, &text)) != DBMTOOL_EXIT_OK)
        return code;
    status = libdbm_policy_parse(policy, ctx, text);
    free(text);
    if (status != LIBDBM_OK) {
        snprintf(what, sizeof(what), "policy file '%s'", a->policy_path);
        return dbmtool_fail(ctx, status, what);
    }
    return DBMTOOL_EXIT_OK;
}

static int print_due(libdbm_context *ctx, libdbm_campaign_scheduler *s, const campaign_args *a)
{
    libdbm_campaign_actions *actions = NULL;
    int64_t k, n;
    int status;
    if (a->enter && (status = libdbm_campaign_enter_segment(s, NULL, a->now)) != LIBDBM_OK)
        return dbmtool_fail(ctx, status, "entering the campaign's segment");
    if ((status = libdbm_campaign_due(s, &actions, a->now)) != LIBDBM_OK)
        return dbmtool_fail(ctx, status, "computing the due actions");
    puts("action_id,customer_id,stage,channel,content,redelivery");
    n = libdbm_campaign_actions_count(actions);
    for (k = 0; k < n; k++) {
        const char *id, *customer, *channel, *content;
        int32_t stage;
        int redelivery;
        libdbm_campaign_action_get(actions, k, &id, &customer, &stage, &channel, &content,
                                   &redelivery);
        dbmtool_put_csv_field(id, ',');
        dbmtool_put_csv_field(customer, ',');
        printf("%d,%s,%s,%d\n", (int)stage, channel, content, redelivery);
    }
    libdbm_campaign_actions_free(actions);
    return dbmtool_flush_stdout();
}

static int outcome_of(const char *text)
{
    static const char *const names[] = {"sent", "delivered", "opened", "clicked", "responded",
                                        "converted", "bounced", "unsubscribed", "failed", NULL};
    int i;
    for (i = 0; names[i] != NULL; i++)
        if (strcmp(text, names[i]) == 0)
            return LIBDBM_OUTCOME_SENT + i;
    return 0;
}

/* One row of an outcome file: action_id,outcome[,time]. */
static int record_row(libdbm_context *ctx, libdbm_campaign_scheduler *s, const campaign_args *a,
                      const dbmtool_csv *csv)
{
    const char *path = a->outcomes_path;
    long line = dbmtool_csv_line(csv);
    size_t fields = dbmtool_csv_count(csv);
    int64_t at = a->now;
    int outcome, status;
    if (fields < 2 || fields > 3)
        return dbmtool_usage_error("%s:%ld: expected action_id,outcome[,time]", path, line);
    outcome = outcome_of(dbmtool_csv_field(csv, 1));
    if (outcome == 0)
        return dbmtool_usage_error("%s:%ld: unknown outcome '%s' (expected sent, delivered, "
                                   "opened, clicked, responded, converted, bounced, "
                                   "unsubscribed or failed)", path, line,
                                   dbmtool_csv_field(csv, 1));
    if (fields == 3 && *dbmtool_csv_field(csv, 2) != '\0' &&
        libdbm_time_parse(&at, dbmtool_csv_field(csv, 2)) != LIBDBM_OK)
        return dbmtool_usage_error("%s:%ld: bad time '%s'", path, line, dbmtool_csv_field(csv, 2));
    status = libdbm_campaign_record_outcome(s, dbmtool_csv_field(csv, 0), outcome, at);
    if (status != LIBDBM_OK) {
        char what[128];
        snprintf(what, sizeof(what), "%s:%ld: recording the outcome", path, line);
        return dbmtool_fail(ctx, status, what);
    }
    return DBMTOOL_EXIT_OK;
}

static int record_outcomes(libdbm_context *ctx, libdbm_campaign_scheduler *s,
                           const campaign_args *a)
{
    FILE *f = fopen(a->outcomes_path, "rb");
    dbmtool_csv *csv;
    long recorded = 0;
    int code = DBMTOOL_EXIT_OK, r, header = 1;
    if (f == NULL) {
        fprintf(stderr, "dbmtool: cannot open '%s'\n", a->outcomes_path);
        return DBMTOOL_EXIT_IO;
    }
    if ((csv = dbmtool_csv_new(f, DBMTOOL_CSV_COMMA)) == NULL) {
        fclose(f);
        return dbmtool_fail(ctx, LIBDBM_ENOMEM, "reading the outcomes");
    }
    while (code == DBMTOOL_EXIT_OK && (r = dbmtool_csv_next(csv)) != DBMTOOL_CSV_END) {
        if (r == DBMTOOL_CSV_BAD)
            code = dbmtool_usage_error("%s:%ld: %s", a->outcomes_path, dbmtool_csv_line(csv),
                                       dbmtool_csv_error(csv));
        else if (r < 0)
            code = dbmtool_fail(ctx, r == DBMTOOL_CSV_NOMEM ? LIBDBM_ENOMEM : LIBDBM_EIO,
                                "reading the outcomes");
        else if (header && strcmp(dbmtool_csv_field(csv, 0), "action_id") == 0)
            header = 0;     /* the header row */
        else if ((code = record_row(ctx, s, a, csv)) == DBMTOOL_EXIT_OK)
            recorded++;
        header = 0;
    }
    dbmtool_csv_free(csv);
    fclose(f);
    if (code == DBMTOOL_EXIT_OK)
        fprintf(stderr, "dbmtool: %ld outcomes recorded\n", recorded);
    return code;
}

static int print_report(libdbm_context *ctx, libdbm_campaign_scheduler *s, const char *format)
{
    char *text = NULL;
    int fmt, status;
    if (strcmp(format, "csv") == 0)
        fmt = LIBDBM_CAMPAIGN_REPORT_CSV;
    else if (strcmp(format, "json") == 0)
        fmt = LIBDBM_CAMPAIGN_REPORT_JSON;
    else
        return dbmtool_usage_error("--report: 'csv' or 'json', not '%s'", format);
    if ((status = libdbm_campaign_report(s, &text, fmt)) != LIBDBM_OK)
        return dbmtool_fail(ctx, status, "measuring the campaign");
    fputs(text, stdout);
    libdbm_free_string(text);
    return dbmtool_flush_stdout();
}

static int run(libdbm_context *ctx, const campaign_args *a, libdbm_campaign *campaign,
               libdbm_policy *policy)
{
    libdbm_store_options options = LIBDBM_STORE_OPTIONS_INIT;
    libdbm_store *store = NULL;
    libdbm_campaign_scheduler *s = NULL;
    char what[512];
    int status, code;
    /* An existing store: read-only for the report, else for writing. */
    options.flags = a->report != NULL ? LIBDBM_STORE_READONLY : 0;
    status = libdbm_store_open(&store, ctx, a->positional[0], &options);
    if (status != LIBDBM_OK) {
        /* A store that cannot be opened (absent too) is a store error. */
        snprintf(what, sizeof(what), "opening store '%s'", a->positional[0]);
        dbmtool_fail(ctx, status, what);
        return DBMTOOL_EXIT_IO;
    }
    if ((status = libdbm_campaign_scheduler_new(&s, campaign, store, policy)) != LIBDBM_OK)
        code = dbmtool_fail(ctx, status, "starting the scheduler");
    else if (a->report != NULL)
        code = print_report(ctx, s, a->report);
    else if (a->outcomes_path != NULL)
        code = record_outcomes(ctx, s, a);
    else
        code = print_due(ctx, s, a);
    libdbm_campaign_scheduler_free(s);
    if (libdbm_store_close(store) != LIBDBM_OK && code == DBMTOOL_EXIT_OK)
        code = dbmtool_fail(ctx, LIBDBM_EIO, "closing the store");
    return code;
}

int dbmtool_campaign(libdbm_context *ctx, int argc, char **argv)
{
    campaign_args a;
    libdbm_campaign *campaign = NULL;
    libdbm_policy *policy = NULL;
    int code;
    memset(&a, 0, sizeof(a));
    {
        dbmtool_option options[] = {
            { "now", &a.now_text, NULL },
            { "policy", &a.policy_path, NULL },
            { "record-outcome", &a.outcomes_path, NULL },
            { "report", &a.report, NULL },
            { "enter", NULL, &a.enter },
            { NULL, NULL, NULL },
        };
        if ((code = dbmtool_parse_args(argc, argv, options, a.positional, 2, 2, SYNOPSIS)) != 0)
            return code;
    }
    if (a.now_text == NULL && a.report == NULL)
        return dbmtool_usage_error("--now is required\nusage: dbmtool " SYNOPSIS);
    if (a.now_text != NULL && (code = dbmtool_parse_time(&a.now, a.now_text, "now")) != 0)
        return code;
    if ((a.report != NULL) + (a.outcomes_path != NULL) > 1 ||
        (a.enter && (a.report != NULL || a.outcomes_path != NULL)))
        return dbmtool_usage_error("--enter, --record-outcome and --report do not go together");
    if ((code = load(ctx, &a, &campaign, &policy)) == DBMTOOL_EXIT_OK)
        code = run(ctx, &a, campaign, policy);
    libdbm_policy_free(policy);
    libdbm_campaign_free(campaign);
    return code;
}
