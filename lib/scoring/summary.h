/* The per-customer "buy till you die" summary (x, t_x, T, m_x) in the
 * conventions of lifetimes' summary_data_from_transaction_data(freq='D',
 * observation_period_end=END): purchases are counted per distinct UTC day,
 * the first purchase day opens the customer's history, the end day is
 * inclusive, and weeks are days divided by 7 (never calendar weeks).
 * docs/summary-rules.md states the rules and why.
 *
 * m_x stays exact: the repeat days' amounts are summed in integer minor
 * units and divided once, when a double or a printed value is asked for. */
#ifndef LIBDBM_SCORING_SUMMARY_H
#define LIBDBM_SCORING_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "purchase_day.h"

/* Period units: the number of days per unit. */
enum {
    DBMI_UNIT_DAY = 1,
    DBMI_UNIT_WEEK = 7
};

typedef struct dbmi_summary {
    int64_t x;                  /* distinct purchase days up to end, minus 1 */
    int32_t first_day;          /* first purchase day (days since epoch) */
    int32_t last_day;           /* last purchase day on or before end */
    int32_t end_day;            /* the as-of day (inclusive) */
    int32_t unit_days;          /* 1 (days) or 7 (weeks) */
    int64_t repeat_amount_minor;/* summed amounts of the repeat days */
    double t_x;                 /* (last - first) / unit_days */
    double T;                   /* (end - first) / unit_days */
} dbmi_summary;

/* Summarises one customer's history @p days (@p n entries, sorted by day,
 * one per distinct day, as lib/store/purchase_day.h promises) as of
 * @p end_day inclusive in units of @p unit_days (> 0). Returns 1 and fills
 * @p out when the customer's first purchase is on or before the end, 0
 * (customer excluded, as lifetimes drops them) otherwise or when n == 0.
 * Days after the end are ignored. An unsorted input is not detected here:
 * the store guarantees the order. The repeat amount saturates at the int64
 * limits rather than overflowing (an amount that large is not money). */
int dbmi_summarize(dbmi_summary *out, const dbmi_purchase_day *days, size_t n,
                   int32_t end_day, int32_t unit_days);

/* m_x as a double in the host's currency unit: the repeat amount divided
 * by x and by @p scale (minor units per unit, e.g. 100), 0 when x == 0. */
double dbmi_summary_monetary(const dbmi_summary *s, int64_t scale);

/* Number of distinct purchase days in [from_day, to_day] (inclusive): the
 * holdout-period count of the BTYD literature. */
int64_t dbmi_holdout_count(const dbmi_purchase_day *days, size_t n,
                           int32_t from_day, int32_t to_day);

/* Number of repeat purchase days (every day but the customer's first
 * purchase day) in [from_day, to_day]: the summand of the cumulative
 * repeat-transactions curve. */
int64_t dbmi_repeat_count(const dbmi_purchase_day *days, size_t n,
                          int32_t from_day, int32_t to_day);

/* Prints the exact rational num / den (den > 0) with @p decimals digits
 * after the point (0..18), rounding half up on the exact value (half away
 * from zero for negative values: -0.125 -> -0.13), so 22.345 prints as
 * 22.35 whatever binary doubles would say. Writes at most @p cap bytes
 * including the NUL. Returns the length written (excluding the NUL), or -1
 * when the text does not fit or an argument is out of range. */
int dbmi_format_ratio(char *buf, size_t cap, int64_t num, int64_t den,
                      int decimals);

/* The CSV row of `dbmtool summary`:
 * `customer_id,frequency,recency,T,monetary_value` where frequency is the
 * integer x, recency and T are t_x and T (exact day counts divided by the
 * unit) and monetary_value is m_x (exact minor-unit sum / (x * scale)), the
 * last three printed with @p decimals digits by dbmi_format_ratio (2 in
 * dbmtool, as lifetimes' published CDNOW summary). @p id is printed as
 * given (the caller quotes it when it must). Returns the length or -1 when
 * it does not fit. */
int dbmi_summary_format_row(char *buf, size_t cap, const char *id,
                            const dbmi_summary *s, int64_t scale, int decimals);

#endif
