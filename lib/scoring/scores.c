/* libdbm_scores: one pass over the store gives each customer's summary and
 * raw RFM values; RFM scores, segments and the model predictions follow
 * column by column. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "civil_time.h"
#include "context_private.h"
#include "customer_summary.h"
#include "libdbm/scores.h"
#include "rfm_values.h"
#include "store_columns.h"

struct libdbm_scores {
    libdbm_context *ctx;
    libdbm_summary *summary;        /* rows, ids, x, t_x, T, m_x */
    size_t count;
    double *rfm_values;             /* 3 per row: recency days, frequency, monetary */
    double *recency, *frequency, *monetary;
    int32_t *r, *f, *m;
    int32_t *segment;               /* index into segment_names */
    char **segment_names;           /* rule names copied from the table, then the fallback */
    size_t segment_name_count;
    double *p_alive, *expected_purchases, *expected_spend, *clv;
};

LIBDBM_API int libdbm_score_options_init(libdbm_score_options *options)
{
    static const libdbm_score_options defaults = LIBDBM_SCORE_OPTIONS_INIT;
    if (options == NULL)
        return LIBDBM_EINVAL;
    *options = defaults;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_scores_free(libdbm_scores *scores)
{
    libdbm_context *ctx;
    size_t i;
    if (scores == NULL)
        return;
    ctx = scores->ctx;
    libdbm_summary_free(scores->summary);
    dbmi_free(ctx, scores->rfm_values);
    dbmi_free(ctx, scores->recency);
    dbmi_free(ctx, scores->frequency);
    dbmi_free(ctx, scores->monetary);
    dbmi_free(ctx, scores->r);
    dbmi_free(ctx, scores->f);
    dbmi_free(ctx, scores->m);
    dbmi_free(ctx, scores->segment);
    for (i = 0; i < scores->segment_name_count; i++)
        dbmi_free(ctx, scores->segment_names[i]);
    dbmi_free(ctx, scores->segment_names);
    dbmi_free(ctx, scores->p_alive);
    dbmi_free(ctx, scores->expected_purchases);
    dbmi_free(ctx, scores->expected_spend);
    dbmi_free(ctx, scores->clv);
    dbmi_free(ctx, scores);
}

/* What the summary pass needs to compute the raw RFM values. */
typedef struct rfm_pass {
    libdbm_scores *scores;
    const libdbm_rfm_options *options;
    int32_t as_of_day;
    int64_t scale;
} rfm_pass;

static int allocate_rows(void *user_data, size_t rows)
{
    rfm_pass *pass = user_data;
    libdbm_scores *s = pass->scores;
    libdbm_context *ctx = s->ctx;
    size_t n = rows ? rows : 1;
    s->count = rows;
    s->rfm_values = dbmi_calloc(ctx, n, 3 * sizeof(double));
    s->recency = dbmi_calloc(ctx, n, sizeof(double));
    s->frequency = dbmi_calloc(ctx, n, sizeof(double));
    s->monetary = dbmi_calloc(ctx, n, sizeof(double));
    s->r = dbmi_calloc(ctx, n, sizeof(int32_t));
    s->f = dbmi_calloc(ctx, n, sizeof(int32_t));
    s->m = dbmi_calloc(ctx, n, sizeof(int32_t));
    s->segment = dbmi_calloc(ctx, n, sizeof(int32_t));
    s->p_alive = dbmi_calloc(ctx, n, sizeof(double));
    s->expected_purchases = dbmi_calloc(ctx, n, sizeof(double));
    s->expected_spend = dbmi_calloc(ctx, n, sizeof(double));
    s->clv = dbmi_calloc(ctx, n, sizeof(double));
    if (!s->rfm_values || !s->recency || !s->frequency || !s->monetary || !s->r || !s->f ||
        !s->m || !s->segment || !s->p_alive || !s->expected_purchases ||
        !s->expected_spend || !s->clv)
        return dbmi_error_nomem(ctx, "allocating scores");
    return LIBDBM_OK;
}

static void rfm_values_of_row(void *user_data, size_t row, const dbmi_purchase_day *days,
                              size_t n)
{
    rfm_pass *pass = user_data;
    libdbm_scores *s = pass->scores;
    double values[3] = { 0, 0, 0 };
    /* Every summarised customer has a purchase on or before the as-of day,
     * so the values exist; a lookback window may leave frequency at 0. */
    dbmi_rfm_values(values, days, n, pass->as_of_day, pass->options, pass->scale);
    s->recency[row] = values[0];
    s->frequency[row] = values[1];
    s->monetary[row] = values[2];
}

static int reserve_segment_names(libdbm_scores *s, const libdbm_rfm_segments *segments)
{
    int32_t rules = 0;
    libdbm_rfm_segments_count(segments, &rules);
    s->segment_names = dbmi_calloc(s->ctx, (size_t)rules + 1, sizeof(char *));
    if (s->segment_names == NULL)
        return dbmi_error_nomem(s->ctx, "copying segment names");
    s->segment_name_count = (size_t)rules + 1;
    return LIBDBM_OK;
}

/* The segment slot of one (r, f, m): rules take places 0..count-1, the
 * fallback the last one. A rule's name is copied the first time it
 * matches, so the scores outlive the table. */
static int classify(libdbm_scores *s, const libdbm_rfm_segments *segments, int32_t r,
                    int32_t f, int32_t m, int32_t *slot_out)
{
    const char *name = NULL;
    int32_t rule = -1;
    size_t slot;
    int status = libdbm_rfm_segments_classify(segments, &name, &rule, r, f, m);
    if (status != LIBDBM_OK)
        return status;
    slot = rule >= 0 ? (size_t)rule : s->segment_name_count - 1;
    if (slot >= s->segment_name_count)
        return dbmi_error(s->ctx, LIBDBM_EINVAL, "segment table changed while scoring");
    if (s->segment_names[slot] == NULL &&
        (s->segment_names[slot] = dbmi_strdup(s->ctx, name)) == NULL)
        return dbmi_error_nomem(s->ctx, "copying a segment name");
    *slot_out = (int32_t)slot;
    return LIBDBM_OK;
}

/* Names every row's segment. The segment depends on (r, f, m) only, so
 * each of the bins^3 combinations is classified once (memo[] holds
 * slot + 1, 0 until then). */
static int name_segments(libdbm_scores *s, const libdbm_rfm_segments *segments, int32_t bins)
{
    size_t b = (size_t)bins, i;
    int32_t *memo = dbmi_calloc(s->ctx, b * b * b, sizeof(int32_t));
    int status = LIBDBM_OK;
    if (memo == NULL)
        return dbmi_error_nomem(s->ctx, "segment table");
    for (i = 0; i < s->count && status == LIBDBM_OK; i++) {
        size_t at = ((size_t)(s->r[i] - 1) * b + (size_t)(s->f[i] - 1)) * b
                  + (size_t)(s->m[i] - 1);
        int32_t slot = 0;
        if (memo[at] == 0 &&
            (status = classify(s, segments, s->r[i], s->f[i], s->m[i], &slot)) == LIBDBM_OK)
            memo[at] = slot + 1;
        s->segment[i] = memo[at] - 1;
    }
    dbmi_free(s->ctx, memo);
    return status;
}

/* Scores every row (fitting the bins when none are given) and names its
 * segment. */
static int score_rfm(libdbm_scores *s, const libdbm_rfm_bins *given_bins,
                     const libdbm_rfm_segments *segments, const libdbm_rfm_options *options,
                     int32_t threads)
{
    libdbm_rfm_bins *own_bins = NULL;
    const libdbm_rfm_bins *bins = given_bins;
    int64_t n = (int64_t)s->count;
    int32_t nbins = 0;
    int status;
    if (n == 0)
        return LIBDBM_OK;
    if (bins == NULL) {
        status = libdbm_rfm_bins_fit_threads(&own_bins, s->ctx, s->recency, s->frequency,
                                             s->monetary, n, options, threads);
        if (status != LIBDBM_OK)
            return status;
        bins = own_bins;
    }
    status = libdbm_rfm_bins_score_threads(bins, s->r, s->f, s->m, s->recency, s->frequency,
                                           s->monetary, n, threads);
    libdbm_rfm_bins_info(bins, &nbins, NULL, NULL, NULL);
    libdbm_rfm_bins_free(own_bins);
    if (status != LIBDBM_OK)
        return status;
    if ((status = reserve_segment_names(s, segments)) != LIBDBM_OK)
        return status;
    return name_segments(s, segments, nbins);
}

static void fill_nan(double *values, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        values[i] = NAN;
}

static int check_kind(libdbm_context *ctx, const libdbm_model *model, int spend)
{
    int kind = 0;
    libdbm_model_kind(model, &kind);
    if (spend ? kind != LIBDBM_MODEL_GAMMA_GAMMA
              : kind != LIBDBM_MODEL_BGNBD && kind != LIBDBM_MODEL_PARETO_NBD)
        return dbmi_error(ctx, LIBDBM_EINVAL, "%s",
                          spend ? "the spend model must be a Gamma-Gamma model"
                                : "the frequency model must be BG/NBD or Pareto/NBD");
    return LIBDBM_OK;
}

static int predict(libdbm_scores *s, const libdbm_model *freq, const libdbm_model *spend,
                   const libdbm_score_options *o)
{
    libdbm_predict_options po = LIBDBM_PREDICT_OPTIONS_INIT;
    const double *x, *t_x, *T, *m_x;
    libdbm_summary_columns(s->summary, &x, &t_x, &T, &m_x);
    fill_nan(s->p_alive, s->count);
    fill_nan(s->expected_purchases, s->count);
    fill_nan(s->expected_spend, s->count);
    fill_nan(s->clv, s->count);
    if (freq == NULL && spend == NULL)
        return LIBDBM_OK;
    po.threads = o->threads;
    po.horizon = (double)o->horizon;
    po.clv_months = o->clv_months;
    po.monthly_discount = o->monthly_discount;
    po.margin = o->margin;
    po.periods_per_month = 365.25 / 12.0 / (double)o->unit;
    /* One bulk pass; a column whose model is missing stays NaN. */
    return libdbm_model_predict_arrays(freq, spend, freq ? s->p_alive : NULL,
                                       freq ? s->expected_purchases : NULL,
                                       spend ? s->expected_spend : NULL,
                                       freq && spend ? s->clv : NULL, x, t_x, T, m_x,
                                       (int64_t)s->count, &po);
}

static int check_arguments(libdbm_context *ctx, const libdbm_model *freq,
                           const libdbm_model *spend, const libdbm_score_options *o)
{
    int status = LIBDBM_OK;
    if (o->struct_size < sizeof(uint32_t) || o->struct_size > sizeof(*o))
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_score_options: unknown struct_size %u",
                          (unsigned)o->struct_size);
    if ((o->unit != LIBDBM_UNIT_DAY && o->unit != LIBDBM_UNIT_WEEK) || o->horizon < 0 ||
        o->clv_months < 0 || o->clv_months > LIBDBM_PREDICT_MAX_CLV_MONTHS || o->threads < 1 ||
        !(o->monthly_discount > -1.0) || !isfinite(o->monthly_discount) ||
        !isfinite(o->margin) || o->reserved != 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "invalid libdbm_score_options value");
    if (freq != NULL)
        status = check_kind(ctx, freq, 0);
    if (status == LIBDBM_OK && spend != NULL)
        status = check_kind(ctx, spend, 1);
    return status;
}

LIBDBM_API int libdbm_scores_compute(libdbm_scores **out, libdbm_store *store,
                                     int64_t as_of,
                                     const libdbm_model *freq_model,
                                     const libdbm_model *spend_model,
                                     const libdbm_rfm_bins *bins,
                                     const libdbm_rfm_segments *segments,
                                     const libdbm_rfm_options *rfm_options,
                                     const libdbm_score_options *options)
{
    libdbm_score_options opts = LIBDBM_SCORE_OPTIONS_INIT;
    libdbm_rfm_options rfm_defaults = LIBDBM_RFM_OPTIONS_INIT;
    libdbm_rfm_segments *own_segments = NULL;
    libdbm_context *ctx;
    libdbm_scores *s;
    rfm_pass pass;
    int status;

    if (out == NULL || store == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    ctx = dbmi_store_context(store);
    if (options != NULL) {
        if (options->struct_size < sizeof(uint32_t) || options->struct_size > sizeof(opts))
            return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_score_options: unknown struct_size %u",
                              (unsigned)options->struct_size);
        memcpy(&opts, options, options->struct_size);
    }
    if ((status = check_arguments(ctx, freq_model, spend_model, &opts)) != LIBDBM_OK)
        return status;
    if (rfm_options == NULL)
        rfm_options = &rfm_defaults;
    s = dbmi_calloc(ctx, 1, sizeof(*s));
    if (s == NULL)
        return dbmi_error_nomem(ctx, "allocating scores");
    s->ctx = ctx;
    pass.scores = s;
    pass.options = rfm_options;
    /* The same day the summary uses; out-of-range times fail in the build. */
    pass.as_of_day = (int32_t)dbmi_day_of_time(as_of);
    pass.scale = dbmi_store_money_scale_of(store); /* fixed when the store was created */
    status = dbmi_summary_build(&s->summary, store, as_of, opts.unit, allocate_rows,
                                rfm_values_of_row, &pass);
    if (status == LIBDBM_OK && segments == NULL) {
        status = libdbm_rfm_segments_new_default(&own_segments, ctx);
        segments = own_segments;
    }
    if (status == LIBDBM_OK)
        status = score_rfm(s, bins, segments, rfm_options, opts.threads);
    if (status == LIBDBM_OK)
        status = predict(s, freq_model, spend_model, &opts);
    libdbm_rfm_segments_free(own_segments);
    if (status != LIBDBM_OK) {
        libdbm_scores_free(s);
        return status;
    }
    *out = s;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_scores_count(const libdbm_scores *scores, int64_t *count)
{
    if (scores == NULL || count == NULL)
        return LIBDBM_EINVAL;
    *count = (int64_t)scores->count;
    return LIBDBM_OK;
}

static int check_row(const libdbm_scores *scores, int64_t index)
{
    if (index < 0 || (uint64_t)index >= scores->count)
        return dbmi_error(scores->ctx, LIBDBM_ERANGE, "row %lld is outside the %zu scores",
                          (long long)index, scores->count);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_scores_get(const libdbm_scores *scores,
                                 const char **customer_id, const char **rfm_segment,
                                 int32_t *r_score, int32_t *f_score, int32_t *m_score,
                                 double *p_alive, double *expected_purchases,
                                 double *expected_spend, double *clv,
                                 int64_t index)
{
    size_t i;
    if (scores == NULL)
        return LIBDBM_EINVAL;
    if (check_row(scores, index) != LIBDBM_OK)
        return LIBDBM_ERANGE;
    i = (size_t)index;
    if (customer_id)
        libdbm_summary_get(scores->summary, customer_id, NULL, NULL, NULL, NULL, index);
    if (rfm_segment)
        *rfm_segment = scores->segment_names[scores->segment[i]];
    if (r_score)
        *r_score = scores->r[i];
    if (f_score)
        *f_score = scores->f[i];
    if (m_score)
        *m_score = scores->m[i];
    if (p_alive)
        *p_alive = scores->p_alive[i];
    if (expected_purchases)
        *expected_purchases = scores->expected_purchases[i];
    if (expected_spend)
        *expected_spend = scores->expected_spend[i];
    if (clv)
        *clv = scores->clv[i];
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_scores_get_rfm_values(const libdbm_scores *scores,
                                            double *recency_days, double *frequency,
                                            double *monetary, int64_t index)
{
    if (scores == NULL)
        return LIBDBM_EINVAL;
    if (check_row(scores, index) != LIBDBM_OK)
        return LIBDBM_ERANGE;
    if (recency_days)
        *recency_days = scores->recency[index];
    if (frequency)
        *frequency = scores->frequency[index];
    if (monetary)
        *monetary = scores->monetary[index];
    return LIBDBM_OK;
}

/* Appends ",value" (or "," for NaN) to the line being built. */
static int append_number(char *buf, size_t cap, size_t *len, double value)
{
    int written = isnan(value) ? snprintf(buf + *len, cap - *len, ",")
                               : snprintf(buf + *len, cap - *len, ",%.10g", value);
    if (written < 0 || (size_t)written >= cap - *len)
        return -1;
    *len += (size_t)written;
    return 0;
}

LIBDBM_API int libdbm_scores_format_row(const libdbm_scores *scores, char *buffer,
                                        size_t capacity, int64_t index)
{
    char id[3 * 1024 + 3], segment[512];
    const char *customer_id;
    size_t i, len;
    int written;
    if (scores == NULL || buffer == NULL)
        return LIBDBM_EINVAL;
    if (check_row(scores, index) != LIBDBM_OK)
        return LIBDBM_ERANGE;
    i = (size_t)index;
    libdbm_summary_get(scores->summary, &customer_id, NULL, NULL, NULL, NULL, index);
    if (dbmi_csv_field(id, sizeof(id), customer_id) < 0 ||
        dbmi_csv_field(segment, sizeof(segment), scores->segment_names[scores->segment[i]]) < 0)
        goto too_small;
    written = snprintf(buffer, capacity, "%s,%.10g,%.10g,%.10g,%d,%d,%d,%s", id,
                       scores->recency[i], scores->frequency[i], scores->monetary[i],
                       (int)scores->r[i], (int)scores->f[i], (int)scores->m[i], segment);
    if (written < 0 || (size_t)written >= capacity)
        goto too_small;
    len = (size_t)written;
    if (append_number(buffer, capacity, &len, scores->p_alive[i]) ||
        append_number(buffer, capacity, &len, scores->expected_purchases[i]) ||
        append_number(buffer, capacity, &len, scores->expected_spend[i]) ||
        append_number(buffer, capacity, &len, scores->clv[i]))
        goto too_small;
    return LIBDBM_OK;
too_small:
    return dbmi_error(scores->ctx, LIBDBM_ERANGE, "score row %zu does not fit in %zu bytes", i,
                      capacity);
}

static int write_double(libdbm_store *store, const char *id, const char *name, double value)
{
    int status;
    if (!isnan(value))
        return libdbm_store_attr_set_double(store, id, name, value);
    status = libdbm_store_attr_delete(store, id, name);
    return status == LIBDBM_ENOTFOUND ? LIBDBM_OK : status;
}

static int write_row(const libdbm_scores *s, libdbm_store *store, size_t i)
{
    const char *id;
    int status;
    libdbm_summary_get(s->summary, &id, NULL, NULL, NULL, NULL, (int64_t)i);
    if ((status = libdbm_store_attr_set_int64(store, id, "rfm.r", s->r[i])) != LIBDBM_OK ||
        (status = libdbm_store_attr_set_int64(store, id, "rfm.f", s->f[i])) != LIBDBM_OK ||
        (status = libdbm_store_attr_set_int64(store, id, "rfm.m", s->m[i])) != LIBDBM_OK ||
        (status = libdbm_store_attr_set_string(store, id, "rfm.segment",
                                               s->segment_names[s->segment[i]])) != LIBDBM_OK ||
        (status = write_double(store, id, "p_alive", s->p_alive[i])) != LIBDBM_OK ||
        (status = write_double(store, id, "expected_purchases",
                               s->expected_purchases[i])) != LIBDBM_OK ||
        (status = write_double(store, id, "expected_spend", s->expected_spend[i])) != LIBDBM_OK)
        return status;
    return write_double(store, id, "clv", s->clv[i]);
}

LIBDBM_API int libdbm_scores_write_back(const libdbm_scores *scores, libdbm_store *store)
{
    size_t i;
    int status;
    if (scores == NULL || store == NULL)
        return LIBDBM_EINVAL;
    if ((status = libdbm_store_begin(store)) != LIBDBM_OK)
        return status;
    for (i = 0; i < scores->count; i++) {
        if ((status = write_row(scores, store, i)) != LIBDBM_OK) {
            libdbm_store_rollback(store);
            return status;
        }
    }
    return libdbm_store_commit(store);
}
