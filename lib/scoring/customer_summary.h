/* Internal side of libdbm_summary: building a summary while another
 * computation (the RFM values of libdbm_scores) sees each row's purchase
 * days in the same pass and under the same read lock, so both agree on the
 * rows even while the store is being written. */
#ifndef LIBDBM_SCORING_CUSTOMER_SUMMARY_H
#define LIBDBM_SCORING_CUSTOMER_SUMMARY_H

#include "libdbm/summary.h"
#include "purchase_day.h"

/* Called once per row, in row order, with that customer's purchase days. */
typedef void (*dbmi_summary_row_fn)(void *user_data, size_t row,
                                    const dbmi_purchase_day *days, size_t n);

/* Builds a summary as libdbm_summary_new() does; @p before_rows (may be
 * NULL) is called once the row count is known and may fail (its status is
 * returned), then @p on_row for each row. */
int dbmi_summary_build(libdbm_summary **out, libdbm_store *store, int64_t until,
                       int unit, int (*before_rows)(void *user_data, size_t rows),
                       dbmi_summary_row_fn on_row, void *user_data);

/* The as-of day of a summary and the store's money scale. */
int32_t dbmi_summary_end_day(const libdbm_summary *summary);
int64_t dbmi_summary_scale(const libdbm_summary *summary);

/* Writes @p text as a CSV field (quoted per RFC 4180 when it must be).
 * Returns its length, or -1 when it does not fit in @p cap with a NUL. */
long dbmi_csv_field(char *buf, size_t cap, const char *text);

#endif
