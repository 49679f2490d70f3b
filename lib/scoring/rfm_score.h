/* The RFM scoring loop, built with the bulk scorer's vectorising flags
 * (meson.build) and used by rfm.c. */
#ifndef LIBDBM_SCORING_RFM_SCORE_H
#define LIBDBM_SCORING_RFM_SCORE_H

#include <stddef.h>
#include <stdint.h>

/* scores[i] = 1 + the number of the @p nb boundaries b[] that values[i]
 * is better than (smaller when @p smaller_is_better, else larger); a NaN
 * passes none (the caller rejects NaN). */
void dbmi_rfm_score_values(int32_t *restrict scores, const double *restrict values, size_t n,
                           const double *restrict b, int32_t nb, int smaller_is_better);

#endif
