/* Per-(x, T) terms of bulk scoring. E[Y(t)] = P(alive) * H(t; x, T) for
 * both frequency models (model_ops.h, alive_expectation), and CLV is
 * P(alive) * E[M] * margin * sum_i (H_i - H_{i-1}) / (1+d)^i, so the costly
 * part -- BG/NBD's hypergeometric series, 1 + clv_months of them -- depends
 * on (x, T) only. Customers share few distinct (x, T) (x is a count, T
 * takes one value per first-purchase day), so each bulk worker keeps a
 * table of the terms it has computed. Entries are pure functions of
 * (x, T): results never depend on what a table held before. */
#ifndef LIBDBM_SCORING_ALIVE_TABLE_H
#define LIBDBM_SCORING_ALIVE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "model_internal.h"

/* What the entries hold; fixed for one bulk call. */
typedef struct dbmi_alive_spec {
    const libdbm_model *model;  /* frequency/recency model */
    int want_expected;          /* compute H(horizon) */
    double horizon;             /* t of the expected purchases */
    int32_t clv_months;         /* 0: no CLV factor */
    double monthly_discount;
    double periods_per_month;
} dbmi_alive_spec;

typedef struct dbmi_alive_entry {
    uint64_t x_key, T_key;      /* 0 x_key: empty */
    double expected;            /* H(horizon) */
    double clv_factor;          /* sum_i (H(i months) - H(i-1 months)) / (1+d)^i */
} dbmi_alive_entry;

typedef struct dbmi_alive_table {
    const dbmi_alive_spec *spec;
    dbmi_alive_entry *entries;  /* max_capacity slots, then max_capacity/2 for regrowth */
    size_t max_capacity;
    size_t mask;                /* capacity in use - 1; a power of two */
    size_t used;
} dbmi_alive_table;

/* Reserves room for about @p customers distinct (x, T) (capped: a table
 * that fills up starts over); the table starts small, so the few distinct
 * keys of typical data stay in the L1/L2 cache, and doubles inside the
 * reserved room. Call from the thread that owns @p ctx; lookups then
 * allocate nothing, so they may run on worker threads. */
int dbmi_alive_table_init(dbmi_alive_table *table, libdbm_context *ctx,
                          const dbmi_alive_spec *spec, size_t customers);
void dbmi_alive_table_free(dbmi_alive_table *table, libdbm_context *ctx);

/* The terms of a valid customer (x >= 0, T finite). */
const dbmi_alive_entry *dbmi_alive_table_get(dbmi_alive_table *table, double x, double T);

#endif
