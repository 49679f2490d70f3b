/* dbmtool holdout: predicted vs actual holdout repeat purchases per
 * calibration-frequency bucket (the BTYD literature's validation plot). */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "model_file.h"
#include "verbs.h"

#define SYNOPSIS "holdout STORE --model MODEL --calibration-end DATE --holdout-end DATE " \
                 "[--unit day|week] [--buckets N]"

static void print_value(double v)
{
    if (isnan(v))
        fputs(",", stdout);
    else
        printf(",%.6f", v);
}

static int print_buckets(const libdbm_holdout *h, int32_t buckets)
{
    int32_t b;
    puts("calibration_frequency,customers,actual,predicted");
    for (b = 0; b < buckets; b++) {
        int64_t customers;
        double actual, predicted;
        libdbm_holdout_bucket(h, &customers, &actual, &predicted, b);
        printf(b == buckets - 1 ? "%d+,%lld" : "%d,%lld", (int)b, (long long)customers);
        print_value(actual);
        print_value(predicted);
        putchar('\n');
    }
    return dbmtool_flush_stdout();
}

int dbmtool_holdout(libdbm_context *ctx, int argc, char **argv)
{
    const char *path = NULL, *model_path = NULL, *cal_text = NULL, *hold_text = NULL;
    const char *unit_text = "week", *buckets_text = "8";
    dbmtool_option options[] = {
        { "model", &model_path, NULL },
        { "calibration-end", &cal_text, NULL },
        { "holdout-end", &hold_text, NULL },
        { "unit", &unit_text, NULL },
        { "buckets", &buckets_text, NULL },
        { NULL, NULL, NULL },
    };
    libdbm_model *model = NULL;
    libdbm_store *store = NULL;
    libdbm_holdout *h = NULL;
    int64_t cal_end, hold_end;
    int unit, buckets, code, status;
    char extra;

    if ((code = dbmtool_parse_args(argc, argv, options, &path, 1, 1, SYNOPSIS)) != 0)
        return code;
    if (model_path == NULL || cal_text == NULL || hold_text == NULL)
        return dbmtool_usage_error("--model, --calibration-end and --holdout-end are required\n"
                                   "usage: dbmtool %s", SYNOPSIS);
    if ((code = dbmtool_parse_time(&cal_end, cal_text, "calibration-end")) != 0 ||
        (code = dbmtool_parse_time(&hold_end, hold_text, "holdout-end")) != 0 ||
        (code = dbmtool_parse_unit(&unit, unit_text)) != 0)
        return code;
    if (sscanf(buckets_text, "%d%c", &buckets, &extra) != 1 || buckets < 2 || buckets > 1000)
        return dbmtool_usage_error("--buckets: '%s' is not a number from 2 to 1000", buckets_text);
    if ((code = dbmtool_read_model(ctx, model_path, &model)) != DBMTOOL_EXIT_OK)
        return code;
    if ((code = dbmtool_open_store_readonly(ctx, path, &store)) == DBMTOOL_EXIT_OK) {
        status = libdbm_holdout_compute(&h, store, model, cal_end, hold_end, unit, buckets);
        code = status == LIBDBM_OK ? print_buckets(h, buckets)
                                   : dbmtool_fail(ctx, status, "computing the holdout check");
    }
    libdbm_holdout_free(h);
    libdbm_store_close(store);
    libdbm_model_free(model);
    return code;
}
