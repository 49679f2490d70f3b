/* The generic maximum-likelihood optimiser: BFGS over the log-parameters
 * with a backtracking (Armijo) line search on the models' analytic
 * gradients, and the observed-information covariance for standard errors. */
#include <math.h>
#include <string.h>

#include "model_private.h"

#define MAXN DBMI_MODEL_MAX_PARAMS
/* A log-parameter beyond this (parameters outside ~[1e-13, 4e13]) means the
 * likelihood has no interior maximum: the data cannot identify the model. */
#define THETA_LIMIT 30.0
/* Largest change of any log-parameter in one step. */
#define MAX_STEP 5.0

static double max_abs(const double *v, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++)
        if (fabs(v[i]) > m || isnan(v[i]))
            m = isnan(v[i]) ? INFINITY : fabs(v[i]);
    return m;
}

static void set_identity(double *h, int n, double scale)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            h[i * n + j] = i == j ? scale : 0.0;
}

int dbmi_bfgs_minimize(libdbm_context *ctx, dbmi_objective_fn fn, void *user_data,
                       int n, double *theta, int32_t max_iterations, double tolerance,
                       dbmi_fit_result *result)
{
    (void)ctx;
    double x[MAXN], g[MAXN], xn[MAXN], gn[MAXN], d[MAXN], s[MAXN], y[MAXN], hy[MAXN];
    double h[MAXN * MAXN];
    memset(result, 0, sizeof(*result));
    if (n < 1 || n > MAXN)
        return LIBDBM_EINVAL;
    memcpy(x, theta, (size_t)n * sizeof(double));
    double f = fn(x, g, user_data);
    if (!isfinite(f) || !isfinite(max_abs(g, n))) {
        result->reason = "the likelihood cannot be evaluated at the starting point";
        return LIBDBM_OK;
    }
    set_identity(h, n, 1.0);
    int fresh = 1;                      /* h is a (scaled) identity */
    for (int32_t it = 0; it < max_iterations; it++) {
        result->iterations = it;
        double gmax = max_abs(g, n);
        if (gmax <= tolerance * fmax(1.0, fabs(f))) {
            result->converged = 1;
            break;
        }
        double slope = 0.0;
        for (int i = 0; i < n; i++) {
            d[i] = 0.0;
            for (int j = 0; j < n; j++)
                d[i] -= h[i * n + j] * g[j];
            slope += d[i] * g[i];
        }
        if (!(slope < 0)) {             /* not a descent direction: restart */
            set_identity(h, n, 1.0);
            fresh = 1;
            for (int i = 0; i < n; i++)
                d[i] = -g[i];
            slope = 0.0;
            for (int i = 0; i < n; i++)
                slope -= g[i] * g[i];
        }
        double dmax = max_abs(d, n);
        double step = dmax > MAX_STEP ? MAX_STEP / dmax : 1.0;
        double fnew = NAN;
        int accepted = 0;
        for (int k = 0; k < 80 && !accepted; k++) {
            for (int i = 0; i < n; i++)
                xn[i] = x[i] + step * d[i];
            fnew = fn(xn, gn, user_data);
            if (isfinite(fnew) && isfinite(max_abs(gn, n))) {
                if (fnew <= f + 1e-4 * step * slope)
                    accepted = 1;
                /* Near the optimum f changes by less than its rounding: accept
                 * a step that keeps f within rounding and shrinks the gradient. */
                else if (fabs(fnew - f) <= 1e-14 * fmax(1.0, fabs(f)) && max_abs(gn, n) < gmax)
                    accepted = 1;
            }
            if (!accepted)
                step *= isfinite(fnew) ? 0.5 : 0.1;
        }
        if (!accepted) {
            if (!fresh) {               /* retry along the gradient */
                set_identity(h, n, 1.0);
                fresh = 1;
                continue;
            }
            result->reason = "the line search found no better point";
            break;
        }
        double sy = 0.0, yy = 0.0, ss = 0.0;
        for (int i = 0; i < n; i++) {
            s[i] = xn[i] - x[i];
            y[i] = gn[i] - g[i];
            sy += s[i] * y[i];
            yy += y[i] * y[i];
            ss += s[i] * s[i];
        }
        if (sy > 1e-12 * sqrt(ss * yy)) {
            if (fresh)                  /* Nocedal & Wright's initial scaling */
                set_identity(h, n, sy / yy);
            fresh = 0;
            /* H+ = (I - rho s y') H (I - rho y s') + rho s s' */
            double rho = 1.0 / sy, yhy = 0.0;
            for (int i = 0; i < n; i++) {
                hy[i] = 0.0;
                for (int j = 0; j < n; j++)
                    hy[i] += h[i * n + j] * y[j];
                yhy += y[i] * hy[i];
            }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j])
                                    + (rho * rho * yhy + rho) * s[i] * s[j];
        }
        memcpy(x, xn, (size_t)n * sizeof(double));
        memcpy(g, gn, (size_t)n * sizeof(double));
        f = fnew;
        result->iterations = it + 1;
        if (max_abs(x, n) > THETA_LIMIT) {
            result->reason = "the parameters diverge (the data cannot identify the model)";
            break;
        }
    }
    result->f = f;
    if (result->converged) {
        if (max_abs(x, n) > THETA_LIMIT) {
            result->converged = 0;
            result->reason = "the parameters diverge (the data cannot identify the model)";
        } else {
            memcpy(theta, x, (size_t)n * sizeof(double));
        }
    } else if (result->reason == NULL) {
        result->reason = "the iteration limit was reached";
    }
    return LIBDBM_OK;
}

/* Cholesky inverse of a symmetric positive definite n x n matrix. */
static int spd_inverse(const double *m, int n, double *inverse)
{
    double l[MAXN * MAXN] = { 0 };
    for (int j = 0; j < n; j++) {
        double diag = m[j * n + j];
        for (int k = 0; k < j; k++)
            diag -= l[j * n + k] * l[j * n + k];
        if (!(diag > 0) || !isfinite(diag))
            return -1;
        l[j * n + j] = sqrt(diag);
        for (int i = j + 1; i < n; i++) {
            double v = m[i * n + j];
            for (int k = 0; k < j; k++)
                v -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = v / l[j * n + j];
        }
    }
    /* inverse = (L L')^-1: solve column by column. */
    for (int c = 0; c < n; c++) {
        double z[MAXN], w[MAXN];
        for (int i = 0; i < n; i++) {
            double v = i == c ? 1.0 : 0.0;
            for (int k = 0; k < i; k++)
                v -= l[i * n + k] * z[k];
            z[i] = v / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double v = z[i];
            for (int k = i + 1; k < n; k++)
                v -= l[k * n + i] * w[k];
            w[i] = v / l[i * n + i];
        }
        for (int i = 0; i < n; i++)
            inverse[i * n + c] = w[i];
    }
    return 0;
}

int dbmi_inverse_hessian(libdbm_context *ctx, dbmi_objective_fn fn, void *user_data,
                         int n, const double *theta, double *inverse)
{
    double hess[MAXN * MAXN], tp[MAXN], gp[MAXN], gm[MAXN];
    if (n < 1 || n > MAXN)
        return LIBDBM_EINVAL;
    for (int i = 0; i < n; i++) {
        double hstep = 1e-5 * fmax(1.0, fabs(theta[i]));
        memcpy(tp, theta, (size_t)n * sizeof(double));
        tp[i] = theta[i] + hstep;
        double fp = fn(tp, gp, user_data);
        tp[i] = theta[i] - hstep;
        double fm = fn(tp, gm, user_data);
        if (!isfinite(fp) || !isfinite(fm))
            return dbmi_error(ctx, LIBDBM_ERANGE, "the Hessian cannot be evaluated at the optimum");
        for (int j = 0; j < n; j++)
            hess[i * n + j] = (gp[j] - gm[j]) / (2.0 * hstep);
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            hess[i * n + j] = hess[j * n + i] = 0.5 * (hess[i * n + j] + hess[j * n + i]);
    if (spd_inverse(hess, n, inverse) != 0)
        return dbmi_error(ctx, LIBDBM_ERANGE, "the information matrix is singular");
    return LIBDBM_OK;
}
