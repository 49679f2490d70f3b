/* The RFM scoring loop (rfm_score.h): branch-free compares, so that it
 * vectorises; -fno-trapping-math lets the compiler use vector compares. */
#include "rfm_score.h"
#include "vector_clones.h"

DBMI_VECTOR_CLONES
void dbmi_rfm_score_values(int32_t *restrict scores, const double *restrict values, size_t n,
                           const double *restrict b, int32_t nb, int smaller_is_better)
{
    size_t i;
    int32_t k;
    for (i = 0; i < n; i++)
        scores[i] = 1;
    for (k = 0; k < nb; k++) {
        double bound = b[k];
        if (smaller_is_better)
            for (i = 0; i < n; i++)
                scores[i] += values[i] < bound;
        else
            for (i = 0; i < n; i++)
                scores[i] += values[i] > bound;
    }
}
