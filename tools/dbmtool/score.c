/* dbmtool score: the full score row of every customer, optionally written
 * back onto the profiles. */
#include <stdio.h>

#include "cli.h"
#include "model_file.h"
#include "verbs.h"

#define SYNOPSIS "score STORE --model MODEL [--spend-model MODEL] --as-of DATE " \
                 "[--unit day|week] [--horizon N] [--clv-months N] [--discount X] " \
                 "[--margin X] [--threads N] [--write-back]"

typedef struct score_args {
    const char *path, *model_path, *spend_path, *as_of_text, *unit_text;
    const char *horizon_text, *months_text, *discount_text, *margin_text, *threads_text;
    int write_back;
} score_args;

static int parse_int(int32_t *out, const char *text, const char *name, int32_t min)
{
    int value;
    char extra;
    if (sscanf(text, "%d%c", &value, &extra) != 1 || value < min)
        return dbmtool_usage_error("--%s: '%s' is not a whole number >= %d", name, text,
                                   (int)min);
    *out = value;
    return DBMTOOL_EXIT_OK;
}

static int parse_double(double *out, const char *text, const char *name)
{
    char extra;
    if (sscanf(text, "%lf%c", out, &extra) != 1)
        return dbmtool_usage_error("--%s: '%s' is not a number", name, text);
    return DBMTOOL_EXIT_OK;
}

static int parse_score_options(const score_args *a, libdbm_score_options *o, int64_t *as_of)
{
    int unit, code;
    if ((code = dbmtool_parse_time(as_of, a->as_of_text, "as-of")) != DBMTOOL_EXIT_OK ||
        (code = dbmtool_parse_unit(&unit, a->unit_text)) != DBMTOOL_EXIT_OK ||
        (code = parse_int(&o->horizon, a->horizon_text, "horizon", 0)) != DBMTOOL_EXIT_OK ||
        (code = parse_int(&o->clv_months, a->months_text, "clv-months", 0)) != DBMTOOL_EXIT_OK ||
        (code = parse_int(&o->threads, a->threads_text, "threads", 1)) != DBMTOOL_EXIT_OK ||
        (code = parse_double(&o->monthly_discount, a->discount_text, "discount")) != DBMTOOL_EXIT_OK ||
        (code = parse_double(&o->margin, a->margin_text, "margin")) != DBMTOOL_EXIT_OK)
        return code;
    o->unit = unit;
    return DBMTOOL_EXIT_OK;
}

static int print_scores(libdbm_context *ctx, const libdbm_scores *scores)
{
    char line[8192];
    int64_t count, i;
    libdbm_scores_count(scores, &count);
    puts("customer_id,recency_days,frequency,monetary,r_score,f_score,m_score,rfm_segment,"
         "p_alive,expected_purchases,expected_spend,clv");
    for (i = 0; i < count; i++) {
        int status = libdbm_scores_format_row(scores, line, sizeof(line), i);
        if (status != LIBDBM_OK)
            return dbmtool_fail(ctx, status, "formatting a score row");
        puts(line);
    }
    return dbmtool_flush_stdout();
}

static int open_store(libdbm_context *ctx, const score_args *a, libdbm_store **store)
{
    libdbm_store_options options = LIBDBM_STORE_OPTIONS_INIT;
    int status;
    if (!a->write_back)
        return dbmtool_open_store_readonly(ctx, a->path, store);
    options.flags = 0; /* an existing store, for writing */
    status = libdbm_store_open(store, ctx, a->path, &options);
    return status == LIBDBM_OK ? DBMTOOL_EXIT_OK : dbmtool_fail(ctx, status, "opening the store");
}

int dbmtool_score(libdbm_context *ctx, int argc, char **argv)
{
    score_args a = { NULL, NULL, NULL, NULL, "week", "52", "12", "0.01", "1", "1", 0 };
    dbmtool_option options[] = {
        { "model", &a.model_path, NULL },      { "spend-model", &a.spend_path, NULL },
        { "as-of", &a.as_of_text, NULL },      { "unit", &a.unit_text, NULL },
        { "horizon", &a.horizon_text, NULL },  { "clv-months", &a.months_text, NULL },
        { "discount", &a.discount_text, NULL },{ "margin", &a.margin_text, NULL },
        { "threads", &a.threads_text, NULL },  { "write-back", NULL, &a.write_back },
        { NULL, NULL, NULL },
    };
    libdbm_score_options score_options = LIBDBM_SCORE_OPTIONS_INIT;
    libdbm_model *model = NULL, *spend = NULL;
    libdbm_store *store = NULL;
    libdbm_scores *scores = NULL;
    int64_t as_of;
    int code, status;

    if ((code = dbmtool_parse_args(argc, argv, options, &a.path, 1, 1, SYNOPSIS)) != 0)
        return code;
    if (a.model_path == NULL || a.as_of_text == NULL)
        return dbmtool_usage_error("--model and --as-of are required\nusage: dbmtool %s",
                                   SYNOPSIS);
    if ((code = parse_score_options(&a, &score_options, &as_of)) != DBMTOOL_EXIT_OK)
        return code;
    if ((code = dbmtool_read_model(ctx, a.model_path, &model)) != DBMTOOL_EXIT_OK)
        goto done;
    if (a.spend_path && (code = dbmtool_read_model(ctx, a.spend_path, &spend)) != DBMTOOL_EXIT_OK)
        goto done;
    if ((code = open_store(ctx, &a, &store)) != DBMTOOL_EXIT_OK)
        goto done;
    status = libdbm_scores_compute(&scores, store, as_of, model, spend, NULL, NULL, NULL,
                                   &score_options);
    if (status != LIBDBM_OK) {
        code = dbmtool_fail(ctx, status, "scoring");
        goto done;
    }
    code = print_scores(ctx, scores);
    if (code == DBMTOOL_EXIT_OK && a.write_back &&
        (status = libdbm_scores_write_back(scores, store)) != LIBDBM_OK)
        code = dbmtool_fail(ctx, status, "writing the scores back");
done:
    libdbm_scores_free(scores);
    libdbm_store_close(store);
    libdbm_model_free(spend);
    libdbm_model_free(model);
    return code;
}
