/* dbmtool fit: maximum-likelihood fit of a model on a store's summaries. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "model_file.h"
#include "verbs.h"

#define SYNOPSIS "fit STORE --model bgnbd|pareto-nbd|gamma-gamma --until DATE " \
                 "[--unit day|week] [--penalizer X] [--out MODEL]"

static int parse_kind(int *kind, const char *name)
{
    if (strcmp(name, "bgnbd") == 0)
        *kind = LIBDBM_MODEL_BGNBD;
    else if (strcmp(name, "pareto-nbd") == 0)
        *kind = LIBDBM_MODEL_PARETO_NBD;
    else if (strcmp(name, "gamma-gamma") == 0)
        *kind = LIBDBM_MODEL_GAMMA_GAMMA;
    else
        return dbmtool_usage_error("--model: '%s' is not bgnbd, pareto-nbd or gamma-gamma", name);
    return DBMTOOL_EXIT_OK;
}

/* Prints the fit report: the model's own JSON plus what the fit measured. */
static int print_report(libdbm_context *ctx, const libdbm_model *model, double customers)
{
    double ll, seconds, errors[8];
    int32_t iterations, nparams, i;
    int converged, have_errors;
    char *json = NULL;
    int status = libdbm_model_to_json(model, &json);
    if (status != LIBDBM_OK)
        return dbmtool_fail(ctx, status, "encoding the model");
    libdbm_model_fit_info(model, &ll, &iterations, &converged, &seconds);
    libdbm_model_param_count(model, &nparams);
    have_errors = libdbm_model_std_errors(model, errors, 8) == LIBDBM_OK;
    printf("{\"model\":%s,\"log_likelihood\":%.10g,\"customers\":%.0f,"
           "\"iterations\":%d,\"converged\":%s,\"seconds\":%.6f,\"std_errors\":",
           json, ll, customers, (int)iterations, converged ? "true" : "false", seconds);
    if (have_errors) {
        putchar('[');
        for (i = 0; i < nparams; i++)
            printf("%s%.10g", i ? "," : "", errors[i]);
        putchar(']');
    } else {
        fputs("null", stdout);
    }
    puts("}");
    libdbm_free_string(json);
    return dbmtool_flush_stdout();
}

/* The customers a fit reads: everyone for the frequency/recency models,
 * the repeat customers (x >= 1) for Gamma-Gamma. */
static double customers_used(const libdbm_summary *summary, int kind)
{
    const double *x;
    int64_t count, i;
    double used = 0;
    libdbm_summary_count(summary, &count);
    if (kind != LIBDBM_MODEL_GAMMA_GAMMA)
        return (double)count;
    libdbm_summary_columns(summary, &x, NULL, NULL, NULL);
    for (i = 0; i < count; i++)
        used += x[i] >= 1;
    return used;
}

static int fit_summary(libdbm_context *ctx, const libdbm_summary *summary, int kind,
                       double penalizer, const char *out_path)
{
    libdbm_fit_options fit_options = LIBDBM_FIT_OPTIONS_INIT;
    libdbm_stats *stats = NULL;
    libdbm_model *model = NULL;
    double customers = 0;
    int status, code;

    fit_options.penalizer = penalizer;
    status = libdbm_stats_new(&stats, ctx);
    if (status == LIBDBM_OK)
        status = libdbm_summary_add_to_stats(summary, stats);
    if (status == LIBDBM_OK)
        status = libdbm_model_new(&model, ctx, kind);
    if (status != LIBDBM_OK) {
        code = dbmtool_fail(ctx, status, "preparing the fit");
        goto done;
    }
    customers = customers_used(summary, kind);
    status = libdbm_model_fit(model, stats, &fit_options);
    if (status != LIBDBM_OK) {
        code = dbmtool_fail(ctx, status, "fitting");
        goto done;
    }
    code = print_report(ctx, model, customers);
    if (code == DBMTOOL_EXIT_OK && out_path != NULL)
        code = dbmtool_write_model(ctx, model, out_path);
done:
    libdbm_model_free(model);
    libdbm_stats_free(stats);
    return code;
}

int dbmtool_fit(libdbm_context *ctx, int argc, char **argv)
{
    const char *path = NULL, *model_name = NULL, *until_text = NULL, *unit_text = "week";
    const char *penalizer_text = "0", *out_path = NULL;
    dbmtool_option options[] = {
        { "model", &model_name, NULL },
        { "until", &until_text, NULL },
        { "unit", &unit_text, NULL },
        { "penalizer", &penalizer_text, NULL },
        { "out", &out_path, NULL },
        { NULL, NULL, NULL },
    };
    libdbm_store *store = NULL;
    libdbm_summary *summary = NULL;
    int64_t until;
    int unit, kind = 0, code, status;
    double penalizer;
    char extra;

    code = dbmtool_parse_args(argc, argv, options, &path, 1, 1, SYNOPSIS);
    if (code != DBMTOOL_EXIT_OK)
        return code;
    if (model_name == NULL || until_text == NULL)
        return dbmtool_usage_error("--model and --until are required\nusage: dbmtool %s",
                                   SYNOPSIS);
    if ((code = parse_kind(&kind, model_name)) != DBMTOOL_EXIT_OK ||
        (code = dbmtool_parse_time(&until, until_text, "until")) != DBMTOOL_EXIT_OK ||
        (code = dbmtool_parse_unit(&unit, unit_text)) != DBMTOOL_EXIT_OK)
        return code;
    if (sscanf(penalizer_text, "%lf%c", &penalizer, &extra) != 1 || !(penalizer >= 0))
        return dbmtool_usage_error("--penalizer: '%s' is not a number >= 0", penalizer_text);
    if ((code = dbmtool_open_store_readonly(ctx, path, &store)) != DBMTOOL_EXIT_OK)
        return code;
    status = libdbm_summary_new(&summary, store, until, unit);
    if (status != LIBDBM_OK)
        code = dbmtool_fail(ctx, status, "summarising");
    else
        code = fit_summary(ctx, summary, kind, penalizer, out_path);
    libdbm_summary_free(summary);
    libdbm_store_close(store);
    return code;
}
