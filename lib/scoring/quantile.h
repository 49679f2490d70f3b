/* Exact order statistics of a column of doubles: the values a sorted copy
 * would hold at given positions, without sorting. Used by the RFM fit
 * (rfm.c), where the serial cost of the bin boundaries bounds the whole
 * score row's thread scaling. */
#ifndef LIBDBM_SCORING_QUANTILE_H
#define LIBDBM_SCORING_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

#include "context_private.h"

/* Sets out[k] to the value at ascending position positions[k] of the
 * multiset { sign * values[i] } (positions ascending, each < n, count <=
 * 255), using work (n doubles) as scratch and up to @p threads threads for
 * the passes over the column (the result does not depend on them). A NaN
 * value stops it: *nan_at is then the index of the first (else n). -0 and
 * +0 are equal. Returns LIBDBM_OK or LIBDBM_ENOMEM (with a message). */
int dbmi_order_statistics(libdbm_context *ctx, double *out, size_t *nan_at, double *work,
                          const double *values, double sign, size_t n,
                          const size_t *positions, int count, int32_t threads);

#endif
