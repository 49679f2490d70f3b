/* dbmtool report: gathers scores, the holdout check and the campaign
 * measurement, then writes one self-contained HTML page (docs/report.md).
 * The page is written next to its destination and renamed into place, so
 * a failed run never leaves half a report behind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "html.h"
#include "json.h"
#include "model_file.h"
#include "report.h"
#include "textfile.h"
#include "verbs.h"

#define SYNOPSIS "report STORE --out FILE [--model MODEL] [--spend-model MODEL] " \
                 "[--as-of DATE] [--calibration-end DATE --holdout-end DATE] " \
                 "[--unit day|week] [--buckets N] [--rfm-segments FILE] " \
                 "[--campaign-stats FILE] [--title TEXT]"

/* Rule tables and measurement exports are small; larger files are not one. */
#define INPUT_FILE_MAX ((size_t)16 << 20)

typedef struct report_args {
    const char *path, *out_path, *model_path, *spend_path, *as_of_text, *cal_text,
        *hold_text, *unit_text, *buckets_text, *segments_path, *campaign_path, *title;
} report_args;

/* Everything the page shows, loaded before a byte of it is written. */
typedef struct report_inputs {
    libdbm_model *model, *spend;
    libdbm_rfm_segments *segments;
    dbmtool_json *campaigns;
    libdbm_store *store;
    libdbm_scores *scores;
    libdbm_holdout *holdout;
    int64_t as_of, cal_end, hold_end;
    int unit;
    int32_t buckets;
} report_inputs;

static int parse_times(const report_args *a, report_inputs *in)
{
    int code;
    char extra;
    if ((a->cal_text == NULL) != (a->hold_text == NULL))
        return dbmtool_usage_error("--calibration-end and --holdout-end go together");
    if (a->cal_text != NULL && a->model_path == NULL)
        return dbmtool_usage_error("the holdout check needs --model");
    if (a->as_of_text == NULL && a->cal_text == NULL)
        return dbmtool_usage_error("--as-of (or --calibration-end) is required\n"
                                   "usage: dbmtool %s", SYNOPSIS);
    if ((a->as_of_text &&
         (code = dbmtool_parse_time(&in->as_of, a->as_of_text, "as-of")) != 0) ||
        (a->cal_text &&
         ((code = dbmtool_parse_time(&in->cal_end, a->cal_text, "calibration-end")) != 0 ||
          (code = dbmtool_parse_time(&in->hold_end, a->hold_text, "holdout-end")) != 0)) ||
        (code = dbmtool_parse_unit(&in->unit, a->unit_text)) != 0)
        return code;
    if (a->as_of_text == NULL)
        in->as_of = in->cal_end;
    if (sscanf(a->buckets_text, "%d%c", &in->buckets, &extra) != 1 || in->buckets < 2 ||
        in->buckets > 1000)
        return dbmtool_usage_error("--buckets: '%s' is not a number from 2 to 1000",
                                   a->buckets_text);
    return DBMTOOL_EXIT_OK;
}

static int load_segments(libdbm_context *ctx, const char *path, libdbm_rfm_segments **out)
{
    char *text = NULL, what[512];
    size_t len;
    int code, status;
    if ((code = dbmtool_read_text_file(path, INPUT_FILE_MAX, &text, &len)) != 0)
        return code;
    if (strlen(text) != len) {
        free(text);
        return dbmtool_usage_error("%s: a NUL byte in the segment rules", path);
    }
    status = libdbm_rfm_segments_new_default(out, ctx);
    if (status == LIBDBM_OK && (status = libdbm_rfm_segments_clear(*out)) == LIBDBM_OK)
        status = libdbm_rfm_segments_parse(*out, text);
    free(text);
    snprintf(what, sizeof(what), "reading the segment rules '%s'", path);
    return status == LIBDBM_OK ? DBMTOOL_EXIT_OK : dbmtool_fail(ctx, status, what);
}

static int load_campaigns(const char *path, dbmtool_json **out)
{
    char *text = NULL, error[256];
    size_t len;
    int code = dbmtool_read_text_file(path, INPUT_FILE_MAX, &text, &len);
    if (code != DBMTOOL_EXIT_OK)
        return code;
    if (dbmtool_json_parse_many(out, text, len, error, sizeof(error)) != 0) {
        free(text);
        return dbmtool_usage_error("%s: %s", path, error);
    }
    free(text);
    return dbmtool_report_campaigns_check(*out, path) == 0 ? DBMTOOL_EXIT_OK
                                                          : DBMTOOL_EXIT_USAGE;
}

static int compute(libdbm_context *ctx, report_inputs *in)
{
    libdbm_score_options options = LIBDBM_SCORE_OPTIONS_INIT;
    int status;
    options.unit = in->unit;
    status = libdbm_scores_compute(&in->scores, in->store, in->as_of, in->model, in->spend,
                                   NULL, in->segments, NULL, &options);
    if (status != LIBDBM_OK)
        return dbmtool_fail(ctx, status, "scoring");
    if (in->cal_end == INT64_MIN)
        return DBMTOOL_EXIT_OK;
    status = libdbm_holdout_compute(&in->holdout, in->store, in->model, in->cal_end,
                                    in->hold_end, in->unit, in->buckets);
    return status == LIBDBM_OK ? DBMTOOL_EXIT_OK
                               : dbmtool_fail(ctx, status, "computing the holdout check");
}

static int load(libdbm_context *ctx, const report_args *a, report_inputs *in)
{
    int code;
    if ((code = parse_times(a, in)) != 0 ||
        (a->model_path && (code = dbmtool_read_model(ctx, a->model_path, &in->model)) != 0) ||
        (a->spend_path && (code = dbmtool_read_model(ctx, a->spend_path, &in->spend)) != 0) ||
        (a->segments_path && (code = load_segments(ctx, a->segments_path, &in->segments)) != 0) ||
        (a->campaign_path && (code = load_campaigns(a->campaign_path, &in->campaigns)) != 0) ||
        (code = dbmtool_open_store_readonly(ctx, a->path, &in->store)) != 0)
        return code;
    return compute(ctx, in);
}

static void write_meta(FILE *out, const report_args *a, const report_inputs *in)
{
    char date[LIBDBM_TIME_FORMAT_DATE_SIZE];
    int64_t customers;
    libdbm_scores_count(in->scores, &customers);
    libdbm_time_format_date(date, sizeof(date), in->as_of);
    fputs("<p class=\"meta\">Store <code>", out);
    dbmtool_html_text(out, a->path);
    fprintf(out, "</code>; %lld customers with purchases, scored as of %s", (long long)customers,
            date);
    if (a->model_path) {
        fputs("; model <code>", out);
        dbmtool_html_text(out, a->model_path);
        fputs("</code>", out);
    }
    if (a->spend_path) {
        fputs("; spend model <code>", out);
        dbmtool_html_text(out, a->spend_path);
        fputs("</code>", out);
    }
    fprintf(out, ". Written by dbmtool %s.</p>\n", libdbm_version());
}

static void write_page(FILE *out, const report_args *a, const report_inputs *in, int *nomem)
{
    const libdbm_rfm_options rfm = LIBDBM_RFM_OPTIONS_INIT; /* what scoring used */
    int64_t customers;
    dbmtool_html_begin(out, a->title);
    write_meta(out, a, in);
    libdbm_scores_count(in->scores, &customers);
    if (customers == 0) {
        dbmtool_html_missing(out, "The store has no customer with a purchase on or before "
                                  "the scoring date: nothing to chart.");
    } else if (dbmtool_report_scores(out, in->scores, rfm.bins) != 0) {
        *nomem = 1;
    }
    dbmtool_report_holdout(out, in->holdout, in->buckets,
                           in->unit == LIBDBM_UNIT_DAY ? "day" : "week",
                           "No holdout check: give --calibration-end and --holdout-end "
                           "(with --model).");
    dbmtool_report_campaigns(out, in->campaigns);
    dbmtool_html_end(out);
}

/* Writes the page to "OUT.tmp" and renames it over OUT. */
static int write_report(const report_args *a, const report_inputs *in)
{
    size_t len = strlen(a->out_path);
    char *tmp = malloc(len + 5);
    FILE *out;
    int nomem = 0, failed;
    if (tmp == NULL) {
        fprintf(stderr, "dbmtool: out of memory\n");
        return DBMTOOL_EXIT_IO;
    }
    memcpy(tmp, a->out_path, len);
    memcpy(tmp + len, ".tmp", 5);
    if ((out = fopen(tmp, "w")) == NULL) {
        fprintf(stderr, "dbmtool: %s: %s\n", tmp, strerror(errno));
        free(tmp);
        return DBMTOOL_EXIT_IO;
    }
    write_page(out, a, in, &nomem);
    failed = ferror(out);
    failed |= fclose(out) != 0;
    if (failed || nomem || rename(tmp, a->out_path) != 0) {
        fprintf(stderr, "dbmtool: %s: %s\n", a->out_path,
                nomem ? "out of memory" : failed ? "writing the report failed" : strerror(errno));
        remove(tmp);
        free(tmp);
        return DBMTOOL_EXIT_IO;
    }
    free(tmp);
    return DBMTOOL_EXIT_OK;
}

int dbmtool_report(libdbm_context *ctx, int argc, char **argv)
{
    report_args a = { NULL, NULL, NULL, NULL, NULL, NULL, NULL, "week", "8", NULL, NULL,
                      "Customer base report" };
    dbmtool_option options[] = {
        { "out", &a.out_path, NULL },           { "model", &a.model_path, NULL },
        { "spend-model", &a.spend_path, NULL }, { "as-of", &a.as_of_text, NULL },
        { "calibration-end", &a.cal_text, NULL },
        { "holdout-end", &a.hold_text, NULL },  { "unit", &a.unit_text, NULL },
        { "buckets", &a.buckets_text, NULL },   { "rfm-segments", &a.segments_path, NULL },
        { "campaign-stats", &a.campaign_path, NULL },
        { "title", &a.title, NULL },            { NULL, NULL, NULL },
    };
    report_inputs in;
    int code;
    memset(&in, 0, sizeof(in));
    in.cal_end = INT64_MIN;
    if ((code = dbmtool_parse_args(argc, argv, options, &a.path, 1, 1, SYNOPSIS)) != 0)
        return code;
    if (a.out_path == NULL)
        return dbmtool_usage_error("--out is required\nusage: dbmtool %s", SYNOPSIS);
    if ((code = load(ctx, &a, &in)) == DBMTOOL_EXIT_OK) {
        code = write_report(&a, &in);
        if (code == DBMTOOL_EXIT_OK)
            printf("%s\n", a.out_path);
        if (code == DBMTOOL_EXIT_OK)
            code = dbmtool_flush_stdout();
    }
    libdbm_holdout_free(in.holdout);
    libdbm_scores_free(in.scores);
    libdbm_store_close(in.store);
    dbmtool_json_free(in.campaigns);
    libdbm_rfm_segments_free(in.segments);
    libdbm_model_free(in.spend);
    libdbm_model_free(in.model);
    return code;
}
