/* The calibration/holdout check: one summary pass collects each customer's
 * holdout purchase days beside the calibration summary; the model predicts
 * the same quantity from the calibration summary alone. */
#include <math.h>

#include "civil_time.h"
#include "context_private.h"
#include "customer_summary.h"
#include "libdbm/scores.h"
#include "store_columns.h"
#include "summary.h"

struct libdbm_holdout {
    libdbm_context *ctx;
    int32_t buckets;
    int64_t *customers;
    double *actual;
    double *predicted;
};

/* What the summary pass needs to count the holdout days. */
typedef struct holdout_pass {
    libdbm_context *ctx;
    int32_t from_day, to_day;
    double *counts;
} holdout_pass;

static int allocate_counts(void *user_data, size_t rows)
{
    holdout_pass *pass = user_data;
    pass->counts = dbmi_calloc(pass->ctx, rows ? rows : 1, sizeof(double));
    return pass->counts ? LIBDBM_OK : dbmi_error_nomem(pass->ctx, "counting holdout purchases");
}

static void count_holdout(void *user_data, size_t row, const dbmi_purchase_day *days, size_t n)
{
    holdout_pass *pass = user_data;
    pass->counts[row] = (double)dbmi_holdout_count(days, n, pass->from_day, pass->to_day);
}

LIBDBM_API void libdbm_holdout_free(libdbm_holdout *holdout)
{
    if (holdout == NULL)
        return;
    dbmi_free(holdout->ctx, holdout->customers);
    dbmi_free(holdout->ctx, holdout->actual);
    dbmi_free(holdout->ctx, holdout->predicted);
    dbmi_free(holdout->ctx, holdout);
}

static int check_arguments(libdbm_context *ctx, const libdbm_model *model, int64_t cal_day,
                           int64_t hold_day, int unit, int32_t buckets)
{
    int kind = 0;
    if (model == NULL || libdbm_model_kind(model, &kind) != LIBDBM_OK ||
        (kind != LIBDBM_MODEL_BGNBD && kind != LIBDBM_MODEL_PARETO_NBD))
        return dbmi_error(ctx, LIBDBM_EINVAL, "the holdout check needs a BG/NBD or Pareto/NBD model");
    if (unit != LIBDBM_UNIT_DAY && unit != LIBDBM_UNIT_WEEK)
        return dbmi_error(ctx, LIBDBM_EINVAL, "unknown period unit %d", unit);
    if (buckets < 2 || buckets > 1000)
        return dbmi_error(ctx, LIBDBM_EINVAL, "buckets must be 2..1000, not %d", (int)buckets);
    if (hold_day <= cal_day || cal_day < INT32_MIN || hold_day > INT32_MAX)
        return dbmi_error(ctx, LIBDBM_EINVAL, "the holdout must end after the calibration period");
    return LIBDBM_OK;
}

/* Sums the customers of each bucket, then divides into means. */
static int aggregate(libdbm_holdout *h, const libdbm_summary *summary, const double *actual,
                     const double *predicted)
{
    const double *x;
    int64_t count, i;
    int32_t b;
    libdbm_summary_count(summary, &count);
    libdbm_summary_columns(summary, &x, NULL, NULL, NULL);
    for (i = 0; i < count; i++) {
        b = x[i] >= (double)(h->buckets - 1) ? h->buckets - 1 : (int32_t)x[i];
        h->customers[b]++;
        h->actual[b] += actual[i];
        h->predicted[b] += predicted[i];
    }
    for (b = 0; b < h->buckets; b++) {
        double n = (double)h->customers[b];
        h->actual[b] = n > 0 ? h->actual[b] / n : NAN;
        h->predicted[b] = n > 0 ? h->predicted[b] / n : NAN;
    }
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_holdout_compute(libdbm_holdout **out, libdbm_store *store,
                                      const libdbm_model *model, int64_t calibration_end,
                                      int64_t holdout_end, int unit, int32_t buckets)
{
    libdbm_context *ctx;
    libdbm_summary *summary = NULL;
    libdbm_holdout *h = NULL;
    holdout_pass pass = { NULL, 0, 0, NULL };
    double *predicted = NULL;
    const double *x, *t_x, *T;
    int64_t cal_day = dbmi_day_of_time(calibration_end), hold_day = dbmi_day_of_time(holdout_end);
    int64_t count;
    int status;

    if (out == NULL || store == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    ctx = dbmi_store_context(store);
    if ((status = check_arguments(ctx, model, cal_day, hold_day, unit, buckets)) != LIBDBM_OK)
        return status;
    pass.ctx = ctx;
    pass.from_day = (int32_t)(cal_day + 1);
    pass.to_day = (int32_t)hold_day;
    status = dbmi_summary_build(&summary, store, calibration_end, unit, allocate_counts,
                                count_holdout, &pass);
    if (status == LIBDBM_OK) {
        libdbm_summary_count(summary, &count);
        h = dbmi_calloc(ctx, 1, sizeof(*h));
        predicted = dbmi_calloc(ctx, count ? (size_t)count : 1, sizeof(double));
        if (h != NULL) {
            h->ctx = ctx;
            h->buckets = buckets;
            h->customers = dbmi_calloc(ctx, (size_t)buckets, sizeof(int64_t));
            h->actual = dbmi_calloc(ctx, (size_t)buckets, sizeof(double));
            h->predicted = dbmi_calloc(ctx, (size_t)buckets, sizeof(double));
        }
        if (!h || !predicted || !h->customers || !h->actual || !h->predicted)
            status = dbmi_error_nomem(ctx, "computing a holdout check");
    }
    if (status == LIBDBM_OK) {
        libdbm_summary_columns(summary, &x, &t_x, &T, NULL);
        status = libdbm_model_expected_purchases_array(
            model, predicted, (double)(hold_day - cal_day) / unit, x, t_x, T, count, 1);
    }
    if (status == LIBDBM_OK)
        status = aggregate(h, summary, pass.counts, predicted);
    dbmi_free(ctx, pass.counts);
    dbmi_free(ctx, predicted);
    libdbm_summary_free(summary);
    if (status != LIBDBM_OK) {
        libdbm_holdout_free(h);
        return status;
    }
    *out = h;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_holdout_bucket(const libdbm_holdout *holdout, int64_t *customers,
                                     double *actual, double *predicted, int32_t bucket)
{
    if (holdout == NULL)
        return LIBDBM_EINVAL;
    if (bucket < 0 || bucket >= holdout->buckets)
        return dbmi_error(holdout->ctx, LIBDBM_ERANGE, "bucket %d is outside 0..%d", (int)bucket,
                          (int)holdout->buckets - 1);
    if (customers)
        *customers = holdout->customers[bucket];
    if (actual)
        *actual = holdout->actual[bucket];
    if (predicted)
        *predicted = holdout->predicted[bucket];
    return LIBDBM_OK;
}
