/*
 * libdbm — per-customer "buy till you die" summaries from a store.
 *
 * A summary holds, for every customer with a purchase on or before the
 * as-of day, the statistics the BG/NBD, Pareto/NBD and Gamma-Gamma models
 * read: x (repeat purchase periods), t_x (first to last purchase), T (first
 * purchase to the as-of day) and m_x (mean value of the repeat purchase
 * days). The conventions are those of Python lifetimes'
 * summary_data_from_transaction_data(freq='D'), with weeks as days / 7
 * (docs/summary-rules.md). Include <libdbm.h> rather than this file.
 */
#ifndef LIBDBM_SUMMARY_H
#define LIBDBM_SUMMARY_H

#include "common.h"
#include "context.h"
#include "store.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Period units of summaries and models: days per period. @since 0.1 */
enum libdbm_period_unit {
    LIBDBM_UNIT_DAY = 1,
    LIBDBM_UNIT_WEEK = 7
};

/**
 * A table of per-customer summaries, a copy taken from a store at one
 * moment: later changes to the store do not show in it. Rows follow the
 * store's profile order (the order in which profiles were created).
 * Threads: immutable once made; share it freely.
 * @since 0.1
 */
typedef struct libdbm_summary libdbm_summary;

/**
 * Summarises every profile of @p store whose first purchase falls on or
 * before the UTC day containing @p until (that day included).
 * @param out receives the summary (free with libdbm_summary_free); NULL on
 *        failure.
 * @param unit LIBDBM_UNIT_DAY or LIBDBM_UNIT_WEEK.
 * @return LIBDBM_OK, LIBDBM_EINVAL (NULL argument, bad unit) or
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_summary_new(libdbm_summary **out, libdbm_store *store,
                                  int64_t until, int unit);

/** Frees a summary. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_summary_free(libdbm_summary *summary);

/** Stores the number of customers (rows). @since 0.1 */
LIBDBM_API int libdbm_summary_count(const libdbm_summary *summary, int64_t *count);

/**
 * Reads row @p index (0-based). Any out-pointer may be NULL.
 * @p customer_id points into the summary and lives as long as it.
 * @return LIBDBM_OK, LIBDBM_EINVAL (NULL summary) or LIBDBM_ERANGE (index
 *         outside 0..count-1).
 * @since 0.1
 */
LIBDBM_API int libdbm_summary_get(const libdbm_summary *summary,
                                  const char **customer_id, double *x,
                                  double *t_x, double *T, double *m_x,
                                  int64_t index);

/**
 * Gives the four columns as arrays of count doubles, for bulk scoring
 * (libdbm_model_p_alive_array). The arrays belong to the summary. Any
 * out-pointer may be NULL. @since 0.1
 */
LIBDBM_API int libdbm_summary_columns(const libdbm_summary *summary,
                                      const double **x, const double **t_x,
                                      const double **T, const double **m_x);

/**
 * Writes row @p index as the CSV line of `dbmtool summary`,
 * `customer_id,frequency,recency,T,monetary_value` (no line end), with
 * @p decimals (0..9) digits after the point, rounded half up on the exact
 * decimal value (so 22.345 prints 22.35). The customer id is quoted per
 * RFC 4180 when it holds a comma, quote or line break.
 * @return LIBDBM_OK, LIBDBM_ERANGE (index out of range, or @p capacity too
 *         small for the line and its NUL) or LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_summary_format_row(const libdbm_summary *summary,
                                         char *buffer, size_t capacity,
                                         int64_t index, int32_t decimals);

/**
 * Adds every row to @p stats with weight 1 (x, t_x, T and m_x), ready for
 * libdbm_model_fit(): the frequency/recency models use all rows, the
 * Gamma-Gamma model the rows with x >= 1.
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ENOMEM (stats then hold a
 *         prefix of the rows: discard them).
 * @since 0.1
 */
LIBDBM_API int libdbm_summary_add_to_stats(const libdbm_summary *summary,
                                           libdbm_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_SUMMARY_H */
