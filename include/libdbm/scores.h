/*
 * libdbm — the full score row of every customer of a store: RFM scores and
 * segment, P(alive), expected purchases, expected spend and CLV, computed
 * together and written back onto the profiles so segments can filter on
 * them. Include <libdbm.h> rather than this file.
 */
#ifndef LIBDBM_SCORES_H
#define LIBDBM_SCORES_H

#include "common.h"
#include "context.h"
#include "store.h"
#include "model.h"
#include "rfm.h"
#include "summary.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Options of libdbm_scores_compute(). Versioned by @c struct_size; only
 * grows at the end. @since 0.1
 */
typedef struct libdbm_score_options {
    uint32_t struct_size;       /**< sizeof(libdbm_score_options) */
    int32_t unit;               /**< the models' period unit; default LIBDBM_UNIT_WEEK */
    int32_t horizon;            /**< periods of expected_purchases; default 52 */
    int32_t clv_months;         /**< CLV horizon in months, 0..LIBDBM_PREDICT_MAX_CLV_MONTHS; default 12 */
    double monthly_discount;    /**< CLV discount rate per month; default 0.01 */
    double margin;              /**< CLV margin on spend; default 1.0 (revenue) */
    int32_t threads;            /**< worker threads (>= 1) for the RFM fit and scores and
                                     the model columns; default 1 */
    int32_t reserved;           /**< must be 0 */
} libdbm_score_options;

/** Static initialiser with the defaults. @since 0.1 */
#define LIBDBM_SCORE_OPTIONS_INIT \
    { (uint32_t)sizeof(libdbm_score_options), LIBDBM_UNIT_WEEK, 52, 12, 0.01, 1.0, 1, 0 }

/** Fills @p options with the defaults. @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1 */
LIBDBM_API int libdbm_score_options_init(libdbm_score_options *options);

/**
 * The scores of a store's customers as of one time. Immutable once
 * computed; share it freely between threads.
 * @since 0.1
 */
typedef struct libdbm_scores libdbm_scores;

/**
 * Scores every customer with a purchase on or before the UTC day of
 * @p as_of (the rows of libdbm_summary_new()). The model columns come from
 * libdbm_model_predict_arrays() (within 1e-12 relative of the scalar
 * functions); every value is the same for any thread count.
 * @param freq_model BG/NBD or Pareto/NBD model, or NULL: p_alive and
 *        expected_purchases are then NaN (and CLV too).
 * @param spend_model Gamma-Gamma model, or NULL: expected_spend and CLV are NaN.
 * @param bins RFM boundaries to score against (e.g. last night's), or NULL
 *        to fit them on this population with @p rfm_options (NULL: defaults).
 * @param segments the named-segment rule table, or NULL for the default table.
 * @param options NULL for the defaults.
 * @return LIBDBM_OK; LIBDBM_EINVAL (bad arguments or model kinds, with a
 *         message); LIBDBM_ERANGE (a Gamma-Gamma model with q <= 1);
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_scores_compute(libdbm_scores **out, libdbm_store *store,
                                     int64_t as_of,
                                     const libdbm_model *freq_model,
                                     const libdbm_model *spend_model,
                                     const libdbm_rfm_bins *bins,
                                     const libdbm_rfm_segments *segments,
                                     const libdbm_rfm_options *rfm_options,
                                     const libdbm_score_options *options);

/** Frees scores. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_scores_free(libdbm_scores *scores);

/** Stores the number of scored customers. @since 0.1 */
LIBDBM_API int libdbm_scores_count(const libdbm_scores *scores, int64_t *count);

/**
 * Reads the numeric scores of row @p index; any out-pointer may be NULL.
 * Strings point into the scores object. Values a missing model could not
 * give are NaN.
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ERANGE (index out of range).
 * @since 0.1
 */
LIBDBM_API int libdbm_scores_get(const libdbm_scores *scores,
                                 const char **customer_id, const char **rfm_segment,
                                 int32_t *r_score, int32_t *f_score, int32_t *m_score,
                                 double *p_alive, double *expected_purchases,
                                 double *expected_spend, double *clv,
                                 int64_t index);

/**
 * Reads the raw RFM values of row @p index: days since the last purchase,
 * frequency and monetary value as the RFM options defined them.
 * @since 0.1
 */
LIBDBM_API int libdbm_scores_get_rfm_values(const libdbm_scores *scores,
                                            double *recency_days, double *frequency,
                                            double *monetary, int64_t index);

/**
 * Writes row @p index as the CSV line of `dbmtool score` (no line end):
 * `customer_id,recency_days,frequency,monetary,r_score,f_score,m_score,rfm_segment,p_alive,expected_purchases,expected_spend,clv`;
 * NaN values are empty fields.
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ERANGE (index, or capacity too small).
 * @since 0.1
 */
LIBDBM_API int libdbm_scores_format_row(const libdbm_scores *scores, char *buffer,
                                        size_t capacity, int64_t index);

/**
 * Writes the scores onto the profiles, in one batch, as attributes that
 * segments read: `rfm.r`, `rfm.f`, `rfm.m` (int64), `rfm.segment` (string),
 * and the doubles `p_alive`, `expected_purchases`, `expected_spend`, `clv`
 * (a NaN value deletes the attribute). The store must not be in a batch.
 * @return LIBDBM_OK or the store's error (the batch is then rolled back).
 * @since 0.1
 */
LIBDBM_API int libdbm_scores_write_back(const libdbm_scores *scores, libdbm_store *store);

/**
 * A calibration/holdout check of a frequency model: customers are grouped
 * by their repeat purchases in the calibration period (x = 0, 1, ...,
 * buckets-2, and a last bucket for buckets-1 or more), and each group's
 * mean number of repeat purchase periods (distinct purchase days) in the
 * holdout period is compared with the model's mean prediction E[Y(t)], t
 * being the holdout's length in periods (Fader, Hardie & Lee 2005, figure 4).
 * Immutable once computed.
 * @since 0.1
 */
typedef struct libdbm_holdout libdbm_holdout;

/**
 * Computes the check for the customers whose first purchase is on or
 * before the UTC day of @p calibration_end; the holdout runs from the next
 * day to the UTC day of @p holdout_end, inclusive.
 * @param model a fitted BG/NBD or Pareto/NBD model in units of @p unit.
 * @param buckets 2..1000 groups.
 * @return LIBDBM_OK, LIBDBM_EINVAL (bad arguments: holdout_end before
 *         calibration_end, wrong model kind, bad unit or buckets) or
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_holdout_compute(libdbm_holdout **out, libdbm_store *store,
                                      const libdbm_model *model, int64_t calibration_end,
                                      int64_t holdout_end, int unit, int32_t buckets);

/** Frees a check. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_holdout_free(libdbm_holdout *holdout);

/**
 * Reads bucket @p bucket (0-based): its customers, their mean actual and
 * mean predicted holdout repeat purchases (NaN for an empty bucket). Any
 * out-pointer may be NULL.
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ERANGE (no such bucket).
 * @since 0.1
 */
LIBDBM_API int libdbm_holdout_bucket(const libdbm_holdout *holdout, int64_t *customers,
                                     double *actual, double *predicted, int32_t bucket);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_SCORES_H */
