/* The model object (libdbm_model): kinds, parameters, fitting, per-customer
 * scores, CLV, and the blob and JSON forms. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "blob.h"
#include "bytes.h"
#include "model_private.h"
#include "model_internal.h"

#define MODEL_MAGIC "LDBM"
#define MODEL_FORMAT_VERSION 1u

const dbmi_model_ops *dbmi_model_ops_for_kind(int kind)
{
    switch (kind) {
    case LIBDBM_MODEL_BGNBD:
        return &dbmi_bgnbd_ops;
    case LIBDBM_MODEL_PARETO_NBD:
        return &dbmi_pareto_nbd_ops;
    default:
        return NULL;
    }
}

static int kind_params(int kind, int *nparams, const char *const **names, const double **initial)
{
    if (kind == LIBDBM_MODEL_GAMMA_GAMMA) {
        *nparams = 3;
        *names = dbmi_gamma_gamma_param_names;
        *initial = dbmi_gamma_gamma_default_initial;
        return LIBDBM_OK;
    }
    if (kind != LIBDBM_MODEL_BGNBD && kind != LIBDBM_MODEL_PARETO_NBD)
        return LIBDBM_EINVAL;
    const dbmi_model_ops *ops = dbmi_model_ops_for_kind(kind);
    if (ops == NULL)
        return LIBDBM_ENOTSUP;
    *nparams = ops->nparams;
    *names = ops->param_names;
    *initial = ops->default_initial;
    return LIBDBM_OK;
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case LIBDBM_MODEL_BGNBD: return "bgnbd";
    case LIBDBM_MODEL_PARETO_NBD: return "pareto_nbd";
    case LIBDBM_MODEL_GAMMA_GAMMA: return "gamma_gamma";
    default: return "unknown";
    }
}

static void clear_fit(libdbm_model *m)
{
    m->fitted = 0;
    m->log_likelihood = 0.0;
    m->iterations = 0;
    m->seconds = 0.0;
    m->has_cov = 0;
    memset(m->cov, 0, sizeof(m->cov));
}

LIBDBM_API int libdbm_model_new(libdbm_model **out, libdbm_context *ctx, int kind)
{
    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (ctx == NULL)
        return LIBDBM_EINVAL;
    int nparams;
    const char *const *names;
    const double *initial;
    int rc = kind_params(kind, &nparams, &names, &initial);
    if (rc == LIBDBM_ENOTSUP)
        return dbmi_error(ctx, rc, "model kind %d (%s) is not built into this library",
                          kind, kind_name(kind));
    if (rc != LIBDBM_OK)
        return dbmi_error(ctx, rc, "unknown model kind %d", kind);
    libdbm_model *m = dbmi_calloc(ctx, 1, sizeof(*m));
    if (m == NULL)
        return dbmi_error_nomem(ctx, "model");
    m->ctx = ctx;
    m->kind = kind;
    m->ops = dbmi_model_ops_for_kind(kind);
    m->nparams = nparams;
    m->param_names = names;
    memcpy(m->params, initial, (size_t)nparams * sizeof(double));
    *out = m;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_model_free(libdbm_model *model)
{
    if (model != NULL)
        dbmi_free(model->ctx, model);
}

LIBDBM_API int libdbm_model_kind(const libdbm_model *model, int *kind)
{
    if (model == NULL || kind == NULL)
        return LIBDBM_EINVAL;
    *kind = model->kind;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_model_param_count(const libdbm_model *model, int32_t *count)
{
    if (model == NULL || count == NULL)
        return LIBDBM_EINVAL;
    *count = model->nparams;
    return LIBDBM_OK;
}

static int params_valid(const double *params, int n)
{
    for (int i = 0; i < n; i++)
        if (!(params[i] > 0) || !isfinite(params[i]))
            return 0;
    return 1;
}

LIBDBM_API int libdbm_model_set_params(libdbm_model *model, const double *params, int32_t count)
{
    if (model == NULL)
        return LIBDBM_EINVAL;
    if (params == NULL || count != model->nparams)
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "%s takes %d parameters",
                          kind_name(model->kind), model->nparams);
    if (!params_valid(params, model->nparams))
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "parameters must be finite and > 0");
    memcpy(model->params, params, (size_t)count * sizeof(double));
    clear_fit(model);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_model_get_params(const libdbm_model *model, double *params, int32_t count)
{
    if (model == NULL || params == NULL || count < model->nparams)
        return LIBDBM_EINVAL;
    memcpy(params, model->params, (size_t)model->nparams * sizeof(double));
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_fit_options_init(libdbm_fit_options *options)
{
    if (options == NULL)
        return LIBDBM_EINVAL;
    libdbm_fit_options defaults = LIBDBM_FIT_OPTIONS_INIT;
    *options = defaults;
    return LIBDBM_OK;
}

/* ---- fitting ------------------------------------------------------------ */

typedef struct fit_problem {
    const libdbm_model *model;
    const dbmi_stats_row *rows;
    size_t nrows;
    const dbmi_spend_row *spend;
    size_t nspend;
    double scale;               /* 1/total weight: the objective is a mean */
    double penalizer;
} fit_problem;

static double model_ll(const fit_problem *fp, const double *params, double *grad_log)
{
    if (fp->model->kind == LIBDBM_MODEL_GAMMA_GAMMA)
        return dbmi_gamma_gamma_log_likelihood(params, fp->spend, fp->nspend, grad_log);
    return fp->model->ops->log_likelihood(params, fp->rows, fp->nrows, grad_log);
}

/* Mean negative log-likelihood plus penalizer * sum(params^2), over theta =
 * log(params). */
static double fit_objective(const double *theta, double *grad, void *user_data)
{
    const fit_problem *fp = user_data;
    int n = fp->model->nparams;
    double params[DBMI_MODEL_MAX_PARAMS] = { 0 }, g[DBMI_MODEL_MAX_PARAMS] = { 0 };
    for (int i = 0; i < n; i++) {
        if (!(fabs(theta[i]) < 700))
            return INFINITY;
        params[i] = exp(theta[i]);
    }
    double ll = model_ll(fp, params, g);
    if (!isfinite(ll))
        return INFINITY;
    double f = -ll * fp->scale;
    for (int i = 0; i < n; i++) {
        f += fp->penalizer * params[i] * params[i];
        grad[i] = -g[i] * fp->scale + 2.0 * fp->penalizer * params[i] * params[i];
    }
    return f;
}

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

LIBDBM_API int libdbm_model_fit(libdbm_model *model, const libdbm_stats *stats,
                                const libdbm_fit_options *options)
{
    if (model == NULL)
        return LIBDBM_EINVAL;
    libdbm_context *ctx = model->ctx;
    libdbm_fit_options opt = LIBDBM_FIT_OPTIONS_INIT;
    if (stats == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_model_fit: NULL statistics");
    if (options != NULL) {
        if (options->struct_size < sizeof(uint32_t) || options->struct_size > sizeof(opt))
            return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_fit_options: bad struct_size %u",
                              (unsigned)options->struct_size);
        memcpy(&opt, options, options->struct_size);
        opt.struct_size = (uint32_t)sizeof(opt);
    }
    if (!(opt.penalizer >= 0) || !isfinite(opt.penalizer) || opt.max_iterations < 1 ||
        !(opt.tolerance > 0) || !isfinite(opt.tolerance))
        return dbmi_error(ctx, LIBDBM_EINVAL,
                          "libdbm_fit_options: penalizer >= 0, max_iterations >= 1 and "
                          "tolerance > 0 are required");
    if (opt.initial != NULL && !params_valid(opt.initial, model->nparams))
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_fit_options: initial values must be > 0");

    double start = monotonic_seconds();
    fit_problem fp;
    memset(&fp, 0, sizeof(fp));
    fp.model = model;
    fp.penalizer = opt.penalizer;
    dbmi_stats_row *rows = NULL;
    dbmi_spend_row *spend = NULL;
    double total = 0.0, repeaters = 0.0;
    int rc;
    if (model->kind == LIBDBM_MODEL_GAMMA_GAMMA) {
        rc = dbmi_stats_sorted_spend(stats, ctx, &spend, &fp.nspend);
        for (size_t i = 0; i < fp.nspend; i++)
            total += spend[i].weight;
        repeaters = total;
    } else {
        rc = dbmi_stats_sorted_rows(stats, ctx, &rows, &fp.nrows);
        for (size_t i = 0; i < fp.nrows; i++) {
            total += rows[i].weight;
            if (rows[i].x > 0)
                repeaters += rows[i].weight;
        }
    }
    if (rc != LIBDBM_OK)
        return rc;
    fp.rows = rows;
    fp.spend = spend;
    if (!(total > 0) || !(repeaters > 0)) {
        dbmi_free(ctx, rows);
        dbmi_free(ctx, spend);
        return dbmi_error(ctx, LIBDBM_ENOCONVERGE,
                          "cannot fit %s: %s", kind_name(model->kind),
                          total > 0 ? "no customer has a repeat purchase"
                                    : "the statistics hold no customers");
    }
    fp.scale = 1.0 / total;

    double theta[DBMI_MODEL_MAX_PARAMS];
    const double *init = opt.initial;
    int nparams;
    const char *const *names;
    if (init == NULL)
        kind_params(model->kind, &nparams, &names, &init);
    for (int i = 0; i < model->nparams; i++)
        theta[i] = log(init[i]);
    dbmi_fit_result res;
    rc = dbmi_bfgs_minimize(ctx, fit_objective, &fp, model->nparams, theta,
                            opt.max_iterations, opt.tolerance, &res);
    double params[DBMI_MODEL_MAX_PARAMS];
    for (int i = 0; i < model->nparams; i++)
        params[i] = exp(theta[i]);
    if (rc == LIBDBM_OK && (!res.converged || !params_valid(params, model->nparams)))
        rc = dbmi_error(ctx, LIBDBM_ENOCONVERGE, "%s fit did not converge after %d iterations: %s",
                        kind_name(model->kind), (int)res.iterations,
                        res.reason ? res.reason : "non-finite parameters");
    double ll = 0.0, inverse[DBMI_MODEL_MAX_PARAMS * DBMI_MODEL_MAX_PARAMS];
    int has_cov = 0;
    if (rc == LIBDBM_OK) {
        ll = model_ll(&fp, params, NULL);
        /* The covariance of the log-parameters is the inverse Hessian of the
         * total (not mean, not penalised) negative log-likelihood. */
        fit_problem raw = fp;
        raw.scale = 1.0;
        raw.penalizer = 0.0;
        has_cov = dbmi_inverse_hessian(ctx, fit_objective, &raw, model->nparams, theta,
                                       inverse) == LIBDBM_OK;
    }
    dbmi_free(ctx, rows);
    dbmi_free(ctx, spend);
    if (rc != LIBDBM_OK)
        return rc;
    memcpy(model->params, params, sizeof(params));
    clear_fit(model);
    model->fitted = 1;
    model->log_likelihood = ll;
    model->iterations = res.iterations;
    model->has_cov = has_cov;
    if (has_cov) {
        int n = model->nparams;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)     /* delta method: d p / d theta = p */
                model->cov[i * n + j] = params[i] * params[j] * inverse[i * n + j];
    }
    model->seconds = monotonic_seconds() - start;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_model_log_likelihood(const libdbm_model *model, const libdbm_stats *stats,
                                           double *ll)
{
    if (model == NULL || stats == NULL || ll == NULL)
        return LIBDBM_EINVAL;
    fit_problem fp;
    memset(&fp, 0, sizeof(fp));
    fp.model = model;
    fp.rows = stats->rows;
    fp.nrows = stats->nrows;
    fp.spend = stats->spend;
    fp.nspend = stats->nspend;
    *ll = model_ll(&fp, model->params, NULL);
    if (!isfinite(*ll))
        return dbmi_error(model->ctx, LIBDBM_ERANGE, "the log-likelihood is not finite");
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_model_fit_info(const libdbm_model *model, double *log_likelihood,
                                     int32_t *iterations, int *converged, double *seconds)
{
    if (model == NULL)
        return LIBDBM_EINVAL;
    if (log_likelihood)
        *log_likelihood = model->log_likelihood;
    if (iterations)
        *iterations = model->iterations;
    if (converged)
        *converged = model->fitted;
    if (seconds)
        *seconds = model->seconds;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_model_std_errors(const libdbm_model *model, double *errors, int32_t count)
{
    if (model == NULL || errors == NULL || count < model->nparams)
        return LIBDBM_EINVAL;
    if (!model->fitted)
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "standard errors need a fitted model");
    if (!model->has_cov)
        return dbmi_error(model->ctx, LIBDBM_ERANGE, "the information matrix was singular");
    /* A fit stores a positive definite covariance, but a loaded blob or
     * JSON text may hold any doubles there: a variance that is negative or
     * not finite has no finite standard error. */
    for (int i = 0; i < model->nparams; i++) {
        double variance = model->cov[i * model->nparams + i];
        if (!(variance >= 0) || !isfinite(variance))
            return dbmi_error(model->ctx, LIBDBM_ERANGE,
                              "the covariance of parameter %d is not a finite variance (%g)",
                              i + 1, variance);
    }
    for (int i = 0; i < model->nparams; i++)
        errors[i] = sqrt(model->cov[i * model->nparams + i]);
    return LIBDBM_OK;
}

/* ---- per customer ------------------------------------------------------- */

int dbmi_check_customer(const libdbm_model *model, double x, double t_x, double T)
{
    if (model->ops == NULL)
        return dbmi_error(model->ctx, LIBDBM_EINVAL,
                          "%s is not a frequency/recency model", kind_name(model->kind));
    if (!(x >= 0) || !(t_x >= 0) || !(T >= t_x) || !isfinite(x) || !isfinite(T))
        return dbmi_error(model->ctx, LIBDBM_EINVAL,
                          "customer (x=%g, t_x=%g, T=%g): x >= 0 and 0 <= t_x <= T, finite, "
                          "are required", x, t_x, T);
    return LIBDBM_OK;
}

static int finite_result(const libdbm_model *model, double v, const char *what)
{
    if (!isfinite(v))
        return dbmi_error(model->ctx, LIBDBM_ERANGE, "%s could not be computed to full "
                          "accuracy for these values", what);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_model_p_alive(const libdbm_model *model, double *p, double x, double t_x,
                                    double T)
{
    if (model == NULL || p == NULL)
        return LIBDBM_EINVAL;
    int rc = dbmi_check_customer(model, x, t_x, T);
    if (rc != LIBDBM_OK)
        return rc;
    *p = model->ops->p_alive(model->params, x, t_x, T);
    return finite_result(model, *p, "P(alive)");
}

LIBDBM_API int libdbm_model_expected_purchases(const libdbm_model *model, double *out, double t,
                                               double x, double t_x, double T)
{
    if (model == NULL || out == NULL)
        return LIBDBM_EINVAL;
    int rc = dbmi_check_customer(model, x, t_x, T);
    if (rc != LIBDBM_OK)
        return rc;
    if (!(t >= 0) || !isfinite(t))
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "t must be finite and >= 0");
    *out = model->ops->expected_purchases(model->params, t, x, t_x, T);
    return finite_result(model, *out, "the expected number of purchases");
}

LIBDBM_API int libdbm_model_expected_purchases_new(const libdbm_model *model, double *out,
                                                   double t)
{
    if (model == NULL || out == NULL)
        return LIBDBM_EINVAL;
    int rc = dbmi_check_customer(model, 0, 0, 0);
    if (rc != LIBDBM_OK)
        return rc;
    if (!(t >= 0) || !isfinite(t))
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "t must be finite and >= 0");
    *out = model->ops->expected_purchases_new(model->params, t);
    return finite_result(model, *out, "the expected number of purchases");
}

LIBDBM_API int libdbm_model_prob_purchases(const libdbm_model *model, double *out, int32_t n,
                                           double t)
{
    if (model == NULL || out == NULL)
        return LIBDBM_EINVAL;
    int rc = dbmi_check_customer(model, 0, 0, 0);
    if (rc != LIBDBM_OK)
        return rc;
    if (n < 0 || !(t >= 0) || !isfinite(t))
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "n >= 0 and finite t >= 0 are required");
    *out = model->ops->prob_purchases(model->params, (int)n, t);
    /* Beyond rounding outside [0, 1] only when extreme parameters (a BG/NBD
     * b ~ 1e14, a Pareto/NBD beta ~ 1e308) make the lgamma differences
     * cancel: not a probability, so "could not be computed". */
    if (!(*out >= -1e-12 && *out <= 1.0 + 1e-12))
        *out = NAN;
    return finite_result(model, *out, "P(X(t) = n)");
}

LIBDBM_API int libdbm_model_expected_spend(const libdbm_model *model, double *out, double x,
                                           double m_x)
{
    if (model == NULL || out == NULL)
        return LIBDBM_EINVAL;
    if (model->kind != LIBDBM_MODEL_GAMMA_GAMMA)
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "expected spend needs a Gamma-Gamma model");
    if (!(x >= 0) || !isfinite(x) || (x > 0 && (!(m_x >= 0) || !isfinite(m_x))))
        return dbmi_error(model->ctx, LIBDBM_EINVAL, "x >= 0 and m_x >= 0, finite, are required");
    if (!(model->params[1] > 1))
        return dbmi_error(model->ctx, LIBDBM_ERANGE,
                          "Gamma-Gamma q <= 1: the mean spend does not exist");
    /* Large parameters overflow (p x + q - 1 and the numerator both to
     * infinity give NaN); the bulk path reports those as LIBDBM_ERANGE too. */
    *out = dbmi_gamma_gamma_expected_spend(model->params, x, x > 0 ? m_x : 0.0);
    return finite_result(model, *out, "the expected spend");
}

LIBDBM_API int libdbm_model_clv(const libdbm_model *freq_model, const libdbm_model *spend_model,
                                double *clv, double x, double t_x, double T, double m_x,
                                int32_t horizon_months, double monthly_discount, double margin,
                                double periods_per_month)
{
    if (freq_model == NULL || spend_model == NULL || clv == NULL)
        return LIBDBM_EINVAL;
    int rc = dbmi_check_customer(freq_model, x, t_x, T);
    if (rc != LIBDBM_OK)
        return rc;
    if (horizon_months < 0 || !(monthly_discount > -1) || !isfinite(monthly_discount) ||
        !isfinite(margin) || !(periods_per_month > 0) || !isfinite(periods_per_month))
        return dbmi_error(freq_model->ctx, LIBDBM_EINVAL,
                          "CLV: horizon_months >= 0, monthly_discount > -1, finite margin "
                          "and periods_per_month > 0 are required");
    double spend;
    rc = libdbm_model_expected_spend(spend_model, &spend, x, m_x);
    if (rc != LIBDBM_OK)
        return rc;
    *clv = dbmi_clv_core(freq_model, spend, x, t_x, T, horizon_months, monthly_discount, margin,
                         periods_per_month);
    return finite_result(freq_model, *clv, "CLV");
}

double dbmi_clv_core(const libdbm_model *freq_model, double spend, double x, double t_x,
                     double T, int32_t horizon_months, double monthly_discount, double margin,
                     double periods_per_month)
{
    const dbmi_model_ops *ops = freq_model->ops;
    double total = 0.0, previous = 0.0, discount = 1.0;
    for (int32_t i = 1; i <= horizon_months; i++) {
        double e = ops->expected_purchases(freq_model->params, (double)i * periods_per_month,
                                           x, t_x, T);
        discount /= 1.0 + monthly_discount;
        total += (e - previous) * spend * margin * discount;
        previous = e;
    }
    return total;
}

/* ---- blob --------------------------------------------------------------- */

/* "LDBM", u32 version, u32 kind, u32 nparams, nparams x f64, u8 fitted,
 * f64 log-likelihood, u32 iterations, f64 seconds, u8 has_cov, [n*n f64],
 * u32 CRC-32C of everything before. */
LIBDBM_API int libdbm_model_save(const libdbm_model *model, void **blob, size_t *len)
{
    if (blob != NULL)
        *blob = NULL;
    if (len != NULL)
        *len = 0;
    if (model == NULL || blob == NULL || len == NULL)
        return LIBDBM_EINVAL;
    dbmi_buf buf;
    dbmi_blob_begin(&buf, model->ctx, MODEL_MAGIC, MODEL_FORMAT_VERSION);
    dbmi_buf_put_u32(&buf, (uint32_t)model->kind);
    dbmi_buf_put_u32(&buf, (uint32_t)model->nparams);
    for (int i = 0; i < model->nparams; i++)
        dbmi_buf_put_f64(&buf, model->params[i]);
    dbmi_buf_put_u8(&buf, (uint8_t)model->fitted);
    dbmi_buf_put_f64(&buf, model->log_likelihood);
    dbmi_buf_put_u32(&buf, (uint32_t)model->iterations);
    dbmi_buf_put_f64(&buf, model->seconds);
    dbmi_buf_put_u8(&buf, (uint8_t)model->has_cov);
    if (model->has_cov)
        for (int i = 0; i < model->nparams * model->nparams; i++)
            dbmi_buf_put_f64(&buf, model->cov[i]);
return dbmi_blob_seal(&buf, blob, len, "model blob");
}

LIBDBM_API int libdbm_model_load(libdbm_model **out, libdbm_context *ctx, const void *blob,
                                 size_t len)
{
    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (ctx == NULL || (blob == NULL && len > 0))
        return LIBDBM_EINVAL;
    dbmi_reader r;
    int open_rc = dbmi_blob_open(ctx, blob, len, MODEL_MAGIC, MODEL_FORMAT_VERSION,
                                 "model blob", &r);
    if (open_rc != LIBDBM_OK)
        return open_rc;
    uint32_t kind = dbmi_get_u32(&r);
    uint32_t nparams = dbmi_get_u32(&r);
    if (r.failed || kind > 100)
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "model blob: bad kind");
    libdbm_model *m;
    int rc = libdbm_model_new(&m, ctx, (int)kind);
    if (rc == LIBDBM_EINVAL)
        return dbmi_error(ctx, LIBDBM_ECORRUPT, "model blob: unknown kind %u", (unsigned)kind);
    if (rc != LIBDBM_OK)
        return rc;
    if (nparams != (uint32_t)m->nparams)
        rc = dbmi_error(ctx, LIBDBM_ECORRUPT, "model blob: wrong parameter count");
    for (int i = 0; rc == LIBDBM_OK && i < m->nparams; i++)
        m->params[i] = dbmi_get_f64(&r);
    if (rc == LIBDBM_OK) {
        m->fitted = dbmi_get_u8(&r);
        m->log_likelihood = dbmi_get_f64(&r);
        m->iterations = (int32_t)dbmi_get_u32(&r);
        m->seconds = dbmi_get_f64(&r);
        m->has_cov = dbmi_get_u8(&r);
        if (m->has_cov == 1)
            for (int i = 0; i < m->nparams * m->nparams; i++)
                m->cov[i] = dbmi_get_f64(&r);
        if (r.failed || dbmi_reader_remaining(&r) != 0 || m->fitted > 1 || m->has_cov > 1 ||
            !params_valid(m->params, m->nparams) || m->iterations < 0)
            rc = dbmi_error(ctx, LIBDBM_ECORRUPT, "model blob: bad content");
    }
    if (rc != LIBDBM_OK) {
        libdbm_model_free(m);
        return rc;
    }
    *out = m;
    return LIBDBM_OK;
}
