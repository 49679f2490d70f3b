/* Internal: a customer's raw RFM values from the store's purchase days, in
 * the definitions of libdbm_rfm_options (docs/rfm.md). */
#ifndef LIBDBM_SCORING_RFM_VALUES_H
#define LIBDBM_SCORING_RFM_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "libdbm.h"
#include "libdbm/rfm.h"
#include "purchase_day.h"

/* Fills out[0] = recency (days from the last purchase on or before
 * @p as_of_day to it), out[1] = frequency and out[2] = monetary (in currency
 * units: minor units / @p scale) over the purchases of the window
 * (as_of_day - lookback_days, as_of_day], or all up to as_of_day when
 * lookback_days is 0. Returns 1, or 0 when the customer has no purchase on
 * or before the as-of day (not scored), or -1 for bad options/scale. */
int dbmi_rfm_values(double out[3], const dbmi_purchase_day *days, size_t n,
                    int32_t as_of_day, const libdbm_rfm_options *options,
                    int64_t scale);

#endif
