/* Internals shared by the scoring files: the stats and model objects, the
 * Gamma-Gamma functions and the generic optimiser. */
#ifndef LIBDBM_SCORING_MODEL_PRIVATE_H
#define LIBDBM_SCORING_MODEL_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "context_private.h"
#include "model_ops.h"

#define DBMI_MODEL_MAX_PARAMS 4

/* One Gamma-Gamma group: customers with x >= 1 repeat purchases of mean m_x. */
typedef struct dbmi_spend_row { double x, m_x, weight; } dbmi_spend_row;

/* Open-addressing index from a row's key to its position in the row array. */
typedef struct dbmi_row_index {
    /* low 32 bits of the key's hash << 32 | row position + 1; 0 = empty.
     * The hash bits settle most mismatches and every rehash without
     * reading the row (a cache miss each with millions of groups). */
    uint64_t *slots;
    size_t capacity;            /* power of two */
} dbmi_row_index;

struct libdbm_stats {
    libdbm_context *ctx;
    dbmi_stats_row *rows;       /* frequency/recency groups, insertion order */
    size_t nrows, rows_cap;
    dbmi_row_index rows_index;
    dbmi_spend_row *spend;      /* Gamma-Gamma groups */
    size_t nspend, spend_cap;
    dbmi_row_index spend_index;
    double customers;           /* total weight */
};

/* Copies of the groups sorted by key, so a fit does not depend on the order
 * in which customers or shards arrived. Free with dbmi_free(ctx, ...). */
int dbmi_stats_sorted_rows(const libdbm_stats *stats, libdbm_context *ctx,
                           dbmi_stats_row **rows, size_t *nrows);
int dbmi_stats_sorted_spend(const libdbm_stats *stats, libdbm_context *ctx,
                            dbmi_spend_row **rows, size_t *nrows);

/* Gamma-Gamma (gammagamma.c): params p, q, gamma. */
extern const char *const dbmi_gamma_gamma_param_names[3];
extern const double dbmi_gamma_gamma_default_initial[3];
double dbmi_gamma_gamma_log_likelihood(const double *params, const dbmi_spend_row *rows,
                                       size_t nrows, double *grad_log);
double dbmi_gamma_gamma_expected_spend(const double *params, double x, double m_x);
/* The same for n customers; NaN for invalid ones (x >= 0 finite, and
 * m_x >= 0 finite when x > 0). Bitwise the scalar function. */
void dbmi_gamma_gamma_expected_spend_array(const double *params, double *out, const double *x,
                                           const double *m_x, int64_t n);

/* BG/NBD building blocks used by the bulk scorers (bgnbd.c). */
double dbmi_bgnbd_p_alive(const double *params, double x, double t_x, double T);

/* The generic optimiser (fit.c): minimises f over theta in R^n with its
 * gradient. f returns +inf or NaN where it cannot be evaluated. */
typedef double (*dbmi_objective_fn)(const double *theta, double *grad, void *user_data);
typedef struct dbmi_fit_result {
    double f;                   /* objective at the solution */
    int32_t iterations;
    int converged;
    const char *reason;         /* why it stopped without converging */
} dbmi_fit_result;
/* BFGS with a backtracking line search. theta holds the start and receives
 * the solution (only when converged). Returns LIBDBM_OK or LIBDBM_ENOMEM;
 * convergence is reported in result. */
int dbmi_bfgs_minimize(libdbm_context *ctx, dbmi_objective_fn fn, void *user_data,
                       int n, double *theta, int32_t max_iterations, double tolerance,
                       dbmi_fit_result *result);
/* The inverse of the Hessian of fn at theta (n*n, row major), by central
 * finite differences of the analytic gradient. Returns LIBDBM_OK,
 * LIBDBM_ERANGE (singular or not positive definite) or LIBDBM_ENOMEM. */
int dbmi_inverse_hessian(libdbm_context *ctx, dbmi_objective_fn fn, void *user_data,
                         int n, const double *theta, double *inverse);

#endif
