/* The per-customer purchase history as the scoring layer reads it: one
 * entry per distinct UTC calendar day with at least one purchase, sorted by
 * day. Amounts are exact integers in the store's minor currency unit (see
 * dbmi_store_money_scale), so sums never depend on the order purchases
 * arrived in. Refunds (negative amounts) are not purchases and are not here.
 */
#ifndef LIBDBM_STORE_PURCHASE_DAY_H
#define LIBDBM_STORE_PURCHASE_DAY_H

#include <stdint.h>

typedef struct dbmi_purchase_day {
    int32_t day;            /* days since 1970-01-01, UTC */
    uint32_t count;         /* purchases on that day (after de-duplication) */
    int64_t amount_minor;   /* their summed amount, in minor units */
} dbmi_purchase_day;

#endif
