/*
 * libdbm — "buy till you die" models: sufficient statistics, BG/NBD,
 * Pareto/NBD, Gamma-Gamma, customer lifetime value, and model blobs.
 *
 * The formulas, references and accuracy figures are in docs/models.md.
 * Include <libdbm.h> rather than this file.
 */
#ifndef LIBDBM_MODEL_H
#define LIBDBM_MODEL_H

#include "common.h"
#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Sufficient statistics                                                     */
/* ------------------------------------------------------------------------ */

/**
 * Grouped sufficient statistics for fitting: one weighted row per distinct
 * (x, t_x, T) for the frequency/recency models (BG/NBD, Pareto/NBD) and one
 * per distinct (x, m_x) with x >= 1 for Gamma-Gamma. Statistics are
 * mergeable and serialisable: shards summarise, summaries merge, one fit.
 *
 * Threads: a stats object belongs to one thread at a time; const functions
 * (rows, customers, save, merge's @c from, model fits) may run concurrently
 * on the same object when nothing modifies it.
 * @since 0.1
 */
typedef struct libdbm_stats libdbm_stats;

/**
 * Creates empty statistics.
 * @param out receives the object (NULL on failure); free with libdbm_stats_free().
 * @param ctx the context whose allocator the object uses; must outlive it.
 * @return LIBDBM_OK, LIBDBM_EINVAL (NULL argument) or LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_stats_new(libdbm_stats **out, libdbm_context *ctx);

/** Frees statistics. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_stats_free(libdbm_stats *stats);

/**
 * Adds one customer (or @p weight identical customers).
 * @param x number of repeat purchase periods, an integer >= 0.
 * @param t_x time of the last repeat purchase, in periods since the first
 *        purchase (0 when x == 0); 0 <= t_x <= T.
 * @param T age of the customer in periods (time since the first purchase), > 0
 *        when x > 0, >= 0 otherwise.
 * @param m_x mean value of the repeat purchases; ignored when x == 0, must
 *        be finite and > 0 otherwise.
 * @param weight >= 0, usually 1; a zero weight adds nothing.
 * @return LIBDBM_OK; LIBDBM_EINVAL with a message for NaN, infinite,
 *         negative or inconsistent values (stats unchanged); LIBDBM_ENOMEM
 *         (stats unchanged).
 * @since 0.1
 */
LIBDBM_API int libdbm_stats_add(libdbm_stats *stats, double x, double t_x,
                                double T, double m_x, double weight);

/**
 * Adds @p n customers: the same as libdbm_stats_add() for each in order
 * (the same groups and sums, bit for bit), faster for many customers (the
 * group lookups of a block overlap their memory accesses).
 * @param x, t_x, T, m_x arrays of @p n values, as for libdbm_stats_add().
 * @param weight @p n weights, or NULL for weight 1 each.
 * @return LIBDBM_OK; LIBDBM_EINVAL naming the first invalid customer (every
 *         customer is checked before any is added: stats unchanged);
 *         LIBDBM_ENOMEM, after which the stats hold an unknown number of
 *         the first customers and should be discarded. Read-only for the
 *         arrays; not thread-safe for @p stats.
 * @since 0.1
 */
LIBDBM_API int libdbm_stats_add_array(libdbm_stats *stats, const double *x,
                                      const double *t_x, const double *T,
                                      const double *m_x, const double *weight,
                                      int64_t n);

/**
 * Adds every group of @p from to @p into (weights of equal groups add up).
 * Both must come from contexts with compatible allocators (usually the same).
 * @return LIBDBM_OK, LIBDBM_EINVAL, or LIBDBM_ENOMEM (then @p into is
 *         unchanged).
 * @since 0.1
 */
LIBDBM_API int libdbm_stats_merge(libdbm_stats *into, const libdbm_stats *from);

/**
 * Total weight (number of customers) added.
 * @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_stats_customers(const libdbm_stats *stats, double *count);

/**
 * Number of distinct (x, t_x, T) groups held for the frequency/recency models.
 * @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_stats_rows(const libdbm_stats *stats, int64_t *rows);

/**
 * Serialises the statistics into a versioned, CRC32C-checksummed,
 * endian-independent blob.
 * @param blob receives the bytes; free with libdbm_free_blob().
 * @param len receives the length.
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_stats_save(const libdbm_stats *stats, void **blob,
                                 size_t *len);

/**
 * Rebuilds statistics from a blob written by libdbm_stats_save().
 * @param out receives the object (NULL on failure).
 * @return LIBDBM_OK; LIBDBM_ECORRUPT for a bad magic, size, checksum or
 *         content; LIBDBM_EVERSION for an unsupported format version;
 *         LIBDBM_EINVAL; LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_stats_load(libdbm_stats **out, libdbm_context *ctx,
                                 const void *blob, size_t len);

/* ------------------------------------------------------------------------ */
/* Models                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * A fitted (or parameterised) model.
 *
 * Threads: the functions taking a const model are safe to call concurrently
 * on one model from any number of threads, as long as nothing modifies it
 * (libdbm_model_set_params, libdbm_model_fit, libdbm_model_free); a fitted
 * model is therefore immutable and shareable.
 * @since 0.1
 */
typedef struct libdbm_model libdbm_model;

/** Model kinds. @since 0.1 */
enum libdbm_model_kind {
    LIBDBM_MODEL_BGNBD = 1,       /**< BG/NBD (Fader, Hardie & Lee 2005): r, alpha, a, b */
    LIBDBM_MODEL_PARETO_NBD = 2,  /**< Pareto/NBD (Schmittlein et al. 1987): r, alpha, s, beta */
    LIBDBM_MODEL_GAMMA_GAMMA = 3  /**< Gamma-Gamma spend model (Fader et al. 2005): p, q, gamma */
};

/**
 * Creates a model of @p kind with default parameters (the fit's starting
 * point) and no fit information.
 * @param out receives the model (NULL on failure); free with libdbm_model_free().
 * @return LIBDBM_OK, LIBDBM_EINVAL (unknown kind, NULL argument),
 *         LIBDBM_ENOTSUP (kind not built in) or LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_model_new(libdbm_model **out, libdbm_context *ctx,
                                int kind);

/** Frees a model. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_model_free(libdbm_model *model);

/** Stores the model's enum libdbm_model_kind. @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1 */
LIBDBM_API int libdbm_model_kind(const libdbm_model *model, int *kind);

/** Number of parameters of the model's kind (4 or 3). @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1 */
LIBDBM_API int libdbm_model_param_count(const libdbm_model *model, int32_t *count);

/**
 * Sets the parameters, in the kind's order: BG/NBD r, alpha, a, b;
 * Pareto/NBD r, alpha, s, beta; Gamma-Gamma p, q, gamma. Clears the fit
 * information (the model counts as not fitted).
 * @param count must equal the kind's parameter count.
 * @return LIBDBM_OK, or LIBDBM_EINVAL (wrong count, a parameter not finite
 *         and > 0); the model is unchanged on error.
 * @since 0.1
 */
LIBDBM_API int libdbm_model_set_params(libdbm_model *model,
                                       const double *params, int32_t count);

/**
 * Copies the parameters into @p params (in the order of libdbm_model_set_params).
 * @param count must be >= the kind's parameter count.
 * @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_model_get_params(const libdbm_model *model,
                                       double *params, int32_t count);

/**
 * Options for libdbm_model_fit(). Versioned by @c struct_size; initialise
 * with LIBDBM_FIT_OPTIONS_INIT or libdbm_fit_options_init().
 * @since 0.1
 */
typedef struct libdbm_fit_options {
    uint32_t struct_size;   /**< sizeof(libdbm_fit_options) */
    double penalizer;       /**< L2 penalty on the parameters, like lifetimes' penalizer_coef; default 0 */
    int32_t max_iterations; /**< default 1000 */
    double tolerance;       /**< default 1e-10 (relative gradient norm) */
    const double *initial;  /**< NULL: defaults; else the kind's count of starting values (> 0) */
} libdbm_fit_options;

/** Static initialiser for libdbm_fit_options. @since 0.1 */
#define LIBDBM_FIT_OPTIONS_INIT \
    { (uint32_t)sizeof(libdbm_fit_options), 0.0, 1000, 1e-10, NULL }

/**
 * Fills @p options with the defaults (as LIBDBM_FIT_OPTIONS_INIT).
 * @return LIBDBM_OK, or LIBDBM_EINVAL when @p options is NULL. @since 0.1
 */
LIBDBM_API int libdbm_fit_options_init(libdbm_fit_options *options);

/**
 * Fits the model by maximum likelihood over the log-parameters (BFGS with a
 * backtracking line search on the analytic gradient). BG/NBD and Pareto/NBD
 * use the (x, t_x, T) groups; Gamma-Gamma the (x, m_x) groups with x >= 1.
 * @param options NULL for defaults.
 * @return LIBDBM_OK with the new parameters stored; LIBDBM_ENOCONVERGE (with
 *         a message) when the optimiser did not converge or the data cannot
 *         identify the model (empty statistics, no repeat purchases); the
 *         model then keeps its previous parameters and is never left with
 *         NaN parameters; LIBDBM_EINVAL; LIBDBM_ENOMEM.
 * Threads: modifies @p model; reads @p stats.
 * @since 0.1
 */
LIBDBM_API int libdbm_model_fit(libdbm_model *model, const libdbm_stats *stats,
                                const libdbm_fit_options *options);

/**
 * Total log-likelihood of @p stats under the model's current parameters
 * (without the constant terms that do not depend on the parameters, as in
 * the published figures).
 * @return LIBDBM_OK, LIBDBM_EINVAL, or LIBDBM_ERANGE when it is not finite.
 * @since 0.1
 */
LIBDBM_API int libdbm_model_log_likelihood(const libdbm_model *model,
                                           const libdbm_stats *stats, double *ll);

/**
 * Information about the last successful fit. Any out-pointer may be NULL.
 * @param log_likelihood the maximised log-likelihood (penalty excluded).
 * @param iterations optimiser iterations used.
 * @param converged 1 after a successful fit, 0 when the model was never
 *        fitted (parameters set by hand or defaults).
 * @param seconds wall-clock time of the fit.
 * @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_model_fit_info(const libdbm_model *model,
                                     double *log_likelihood, int32_t *iterations,
                                     int *converged, double *seconds);

/**
 * Standard errors of the fitted parameters (natural scale) from the inverse
 * of the observed information matrix (finite differences of the analytic
 * gradient, delta method from the log-parameters).
 * @param count must be >= the kind's parameter count.
 * @return LIBDBM_OK; LIBDBM_EINVAL when the model was not fitted (or bad
 *         arguments); LIBDBM_ERANGE when the information matrix is singular
 *         (or a loaded model's covariance has a variance that is negative
 *         or not finite; @p errors is then unchanged).
 * @since 0.1
 */
LIBDBM_API int libdbm_model_std_errors(const libdbm_model *model,
                                       double *errors, int32_t count);

/**
 * Probability that a customer with history (x, t_x, T) is still alive at T.
 * Frequency/recency kinds only.
 * @return LIBDBM_OK; LIBDBM_EINVAL (bad values or Gamma-Gamma model);
 *         LIBDBM_ERANGE when the value could not be computed (parameters
 *         far outside what a fit of real data gives, e.g. from a damaged
 *         model file).
 * @since 0.1
 */
LIBDBM_API int libdbm_model_p_alive(const libdbm_model *model, double *p,
                                    double x, double t_x, double T);

/**
 * Expected number of repeat purchases in the next @p t periods (t >= 0) of a
 * customer with history (x, t_x, T). Frequency/recency kinds only.
 * @return LIBDBM_OK; LIBDBM_EINVAL; LIBDBM_ERANGE when the value could not
 *         be computed (as for libdbm_model_p_alive()). @since 0.1
 */
LIBDBM_API int libdbm_model_expected_purchases(const libdbm_model *model,
                                               double *out, double t, double x,
                                               double t_x, double T);

/**
 * Expected number of purchases E[X(t)] of a new customer in @p t periods.
 * @return LIBDBM_OK; LIBDBM_EINVAL; LIBDBM_ERANGE when the value could not
 *         be computed (as for libdbm_model_p_alive()). @since 0.1
 */
LIBDBM_API int libdbm_model_expected_purchases_new(const libdbm_model *model,
                                                   double *out, double t);

/**
 * P(X(t) = n) for a new customer.
 * @return LIBDBM_OK; LIBDBM_EINVAL (n < 0, t < 0, wrong kind);
 *         LIBDBM_ERANGE when the value could not be computed, including a
 *         result outside [0, 1] by more than 1e-12 (parameters far outside
 *         what a fit of real data gives). @since 0.1
 */
LIBDBM_API int libdbm_model_prob_purchases(const libdbm_model *model,
                                           double *out, int32_t n, double t);

/**
 * P(alive) for @p n customers: p[i] = P(alive | x[i], t_x[i], T[i]).
 * Results are bitwise identical for any thread count and to the scalar
 * libdbm_model_p_alive() of the same build within 1e-12 relative.
 * @param p receives n values; must not overlap the input arrays.
 * @param threads worker threads to use, >= 1 (0 means 1); the calling thread is one of them.
 *        Arrays shorter than 4,096 customers per thread use fewer threads.
 * @return LIBDBM_OK; LIBDBM_EINVAL (NULL arrays, n < 0, an invalid customer:
 *         the corresponding output is NaN, the others are computed).
 * @since 0.1
 */
LIBDBM_API int libdbm_model_p_alive_array(const libdbm_model *model, double *p,
                                          const double *x, const double *t_x,
                                          const double *T, int64_t n,
                                          int32_t threads);

/**
 * Expected repeat purchases in the next @p t periods for @p n customers,
 * as libdbm_model_p_alive_array(); each value is bitwise the scalar
 * libdbm_model_expected_purchases() result (the costly part, which depends
 * on (x, T) only, is computed once per distinct (x, T) per thread).
 * @since 0.1
 */
LIBDBM_API int libdbm_model_expected_purchases_array(
    const libdbm_model *model, double *out, double t, const double *x,
    const double *t_x, const double *T, int64_t n, int32_t threads);

/**
 * Gamma-Gamma: expected mean transaction value of a customer with @p x
 * repeat purchases of mean value @p m_x (x = 0: the population mean
 * p*gamma/(q-1)).
 * @return LIBDBM_OK; LIBDBM_EINVAL (wrong kind, bad values); LIBDBM_ERANGE
 *         when q <= 1 (the mean does not exist) or the value is not finite
 *         (parameters so large that it overflows).
 * @since 0.1
 */
LIBDBM_API int libdbm_model_expected_spend(const libdbm_model *model,
                                           double *out, double x, double m_x);

/**
 * Customer lifetime value: the sum over months i = 1..horizon_months of
 * (E[Y(i months)] - E[Y(i-1 months)]) * E[M] * margin / (1+monthly_discount)^i,
 * where E[Y] comes from @p freq_model (BG/NBD or Pareto/NBD) and E[M] from
 * @p spend_model (Gamma-Gamma).
 * @param periods_per_month converts months to the model's period unit
 *        (e.g. 52/12 for weeks), > 0.
 * @param monthly_discount > -1; @param margin any finite value;
 * @param horizon_months >= 0.
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ERANGE (as libdbm_model_expected_spend).
 * @since 0.1
 */
LIBDBM_API int libdbm_model_clv(const libdbm_model *freq_model,
                                const libdbm_model *spend_model, double *clv,
                                double x, double t_x, double T, double m_x,
                                int32_t horizon_months, double monthly_discount,
                                double margin, double periods_per_month);

/** The longest CLV horizon of libdbm_model_predict_arrays(): 100 years. @since 0.1 */
#define LIBDBM_PREDICT_MAX_CLV_MONTHS 1200

/**
 * Options of libdbm_model_predict_arrays(). Versioned by @c struct_size;
 * only grows at the end. @since 0.1
 */
typedef struct libdbm_predict_options {
    uint32_t struct_size;       /**< sizeof(libdbm_predict_options) */
    int32_t threads;            /**< worker threads (>= 1, 0 means 1); default 1 */
    double horizon;             /**< periods of expected_purchases (>= 0); default 52 */
    int32_t clv_months;         /**< CLV horizon in months, 0..LIBDBM_PREDICT_MAX_CLV_MONTHS; default 12 */
    int32_t reserved;           /**< must be 0 */
    double monthly_discount;    /**< CLV discount rate per month (> -1); default 0.01 */
    double margin;              /**< CLV margin on spend (finite); default 1.0 */
    double periods_per_month;   /**< model periods per month (> 0); default 365.25/12/7 (weeks) */
} libdbm_predict_options;

/** Static initialiser with the defaults. @since 0.1 */
#define LIBDBM_PREDICT_OPTIONS_INIT \
    { (uint32_t)sizeof(libdbm_predict_options), 1, 52.0, 12, 0, 0.01, 1.0, 365.25 / 12.0 / 7.0 }

/** Fills @p options with the defaults. @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1 */
LIBDBM_API int libdbm_predict_options_init(libdbm_predict_options *options);

/**
 * The model columns of a score row for @p n customers in one pass:
 * P(alive), expected purchases over options->horizon periods, expected
 * spend and CLV over options->clv_months, each as the scalar
 * libdbm_model_p_alive(), libdbm_model_expected_purchases(),
 * libdbm_model_expected_spend() and libdbm_model_clv() would give within
 * 1e-12 relative, and bitwise identical for any thread count. The costly
 * part of E[Y] and CLV depends on (x, T) only and is computed once per
 * distinct (x, T) per thread (docs/models.md, "Bulk scoring").
 * @param freq_model BG/NBD or Pareto/NBD; may be NULL when only
 *        @p expected_spend is wanted.
 * @param spend_model Gamma-Gamma; may be NULL when neither
 *        @p expected_spend nor @p clv is wanted.
 * @param p_alive, expected_purchases, expected_spend, clv receive n values
 *        each, or NULL for a column not wanted; they must not overlap the
 *        inputs.
 * @param m_x mean repeat purchase values; may be NULL when neither
 *        @p expected_spend nor @p clv is wanted (as @p t_x and @p T when only
 *        @p expected_spend is).
 * @param options NULL for the defaults.
 * @return LIBDBM_OK; LIBDBM_EINVAL (bad arguments or model kinds; or an
 *         invalid customer -- x >= 0, 0 <= t_x <= T, finite, m_x >= 0 when
 *         x > 0 -- whose outputs are NaN, the others being computed);
 *         LIBDBM_ERANGE (Gamma-Gamma q <= 1; or a value that could not be
 *         computed to full accuracy, which is NaN); LIBDBM_ENOMEM.
 * Threads: reads the models; safe to call concurrently.
 * @since 0.1
 */
LIBDBM_API int libdbm_model_predict_arrays(const libdbm_model *freq_model,
                                           const libdbm_model *spend_model,
                                           double *p_alive, double *expected_purchases,
                                           double *expected_spend, double *clv,
                                           const double *x, const double *t_x,
                                           const double *T, const double *m_x, int64_t n,
                                           const libdbm_predict_options *options);

/**
 * Serialises the model (kind, parameters, fit information) into a small
 * versioned, CRC32C-checksummed, endian-independent blob.
 * @param blob receives the bytes; free with libdbm_free_blob().
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_model_save(const libdbm_model *model, void **blob,
                                 size_t *len);

/**
 * Rebuilds a model from a blob written by libdbm_model_save().
 * @param out receives the model (NULL on failure).
 * @return LIBDBM_OK; LIBDBM_ECORRUPT (bad magic, size, checksum, kind or
 *         parameters); LIBDBM_EVERSION (unsupported format version);
 *         LIBDBM_ENOTSUP (kind not built in); LIBDBM_EINVAL; LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_model_load(libdbm_model **out, libdbm_context *ctx,
                                 const void *blob, size_t len);

/**
 * Writes the model as JSON, e.g.
 * {"format":1,"model":"bgnbd","params":{"r":0.24,...},"fit":{...}}.
 * Numbers are printed with 17 significant digits, so a round trip through
 * libdbm_model_from_json() restores the same doubles.
 * @param json receives a NUL-terminated UTF-8 string; free with libdbm_free_string().
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_model_to_json(const libdbm_model *model, char **json);

/**
 * Reads a model from JSON written by libdbm_model_to_json() (keys in any
 * order, unknown keys ignored).
 * @return LIBDBM_OK; LIBDBM_ESYNTAX (not JSON, missing or bad fields, with
 *         a message); LIBDBM_EVERSION (unsupported "format"); LIBDBM_ENOTSUP;
 *         LIBDBM_EINVAL; LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_model_from_json(libdbm_model **out, libdbm_context *ctx,
                                      const char *json);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_MODEL_H */
