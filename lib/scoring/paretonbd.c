/* Pareto/NBD (Schmittlein, Morrison & Colombo 1987, "Counting your
 * customers: who are they and what will they do next?", Management Science
 * 33(1)); the likelihood in the form of Fader, Hardie & Lee (2005), "A note
 * on deriving the Pareto/NBD model and related expressions".
 * Parameters r, alpha (gamma purchase rates), s, beta (gamma dropout rates).
 *
 * Per customer (x, t_x, T):
 *   L = G(r+x) a^r b^s / G(r) * [ (a+T)^-(r+x) (b+T)^-s + s * D ]
 *   D = integral over tau in [t_x, T] of (a+tau)^-(r+x) (b+tau)^-(s+1)
 * (dying at tau in (t_x, T] after the last purchase). D is I(t_x) - I(T)
 * with I(y) the same integral from y to infinity, which is the 2F1 of the
 * note:
 *   I(y) = (m+y)^-c / c * 2F1(c, k; c+1; |a-b|/(m+y)),  c = r+s+x,
 *   m = max(a,b), k = s+1 when a >= b, r+x otherwise.
 * Everything is in logs. D is taken from the two 2F1 values when that is
 * safe (the series argument is not too close to 1 and the difference keeps
 * at least ~13 digits) and otherwise by adaptive Gauss-Kronrod quadrature
 * of the integral itself, which has no cancellation. docs/pareto-nbd.md gives
 * the measured accuracy. */
#include <math.h>
#include <stddef.h>

#include "model_ops.h"
#include "special.h"

enum { P_R, P_ALPHA, P_S, P_BETA };

static const char *const pnbd_param_names[4] = {"r", "alpha", "s", "beta"};
static const double pnbd_default_initial[4] = {1.0, 1.0, 1.0, 1.0};

/* The 2F1 series is used only for arguments up to this; beyond it the
 * terms decay too slowly and the quadrature is cheaper and as exact. */
#define PNBD_MAX_Z 0.9

/* ---- quadrature --------------------------------------------------------- */

/* 15-point Kronrod nodes (positive half) and weights, with the weights of the
 * embedded 7-point Gauss rule at the odd nodes (QUADPACK's classical table). */
static const double gk_x[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.000000000000000000000000000000000};
static const double gk_wk[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double gk_wg[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

/* The log of an integrand: ln f(tau) = e_t ln tau - e_a ln(a+tau) - e_b ln(b+tau),
 * evaluated relative to a reference level so exp() neither overflows nor
 * (where it matters) underflows. */
typedef struct pnbd_integrand {
    double e_t, a, e_a, b, e_b, ref;
} pnbd_integrand;

static double log_integrand(const pnbd_integrand *f, double tau)
{
    double l = -f->e_a * log(f->a + tau) - f->e_b * log(f->b + tau);
    if (f->e_t != 0.0)
        l += f->e_t * log(tau);
    return l;
}

static double integrand(const pnbd_integrand *f, double tau)
{
    return exp(log_integrand(f, tau) - f->ref);
}

static void gk15(const pnbd_integrand *f, double lo, double hi, double *k, double *err)
{
    double c = 0.5 * (lo + hi), h = 0.5 * (hi - lo);
    double fc = integrand(f, c);
    double sk = fc * gk_wk[7], sg = fc * gk_wg[3];
    int j;
    for (j = 0; j < 7; j++) {
        double d = h * gk_x[j];
        double f1 = integrand(f, c - d), f2 = integrand(f, c + d);
        sk += gk_wk[j] * (f1 + f2);
        if (j % 2 == 1)
            sg += gk_wg[j / 2] * (f1 + f2);
    }
    *k = sk * h;
    *err = fabs((sk - sg) * h);
}

/* Adaptive bisection until each piece's Kronrod-Gauss difference is below
 * its share of the tolerance; the GK15 error estimate is very pessimistic
 * for smooth integrands, so the result is far more accurate than tol.
 * *budget bounds the number of rules applied (a pathological integrand
 * costs at most that, and gets the best estimate found). */
static double adapt(const pnbd_integrand *f, double lo, double hi, double tol, int *budget)
{
    double k, err, mid;
    gk15(f, lo, hi, &k, &err);
    if (err <= tol || *budget <= 0 || !isfinite(k))
        return k;
    *budget -= 2;
    mid = 0.5 * (lo + hi);
    return adapt(f, lo, mid, 0.5 * tol, budget) + adapt(f, mid, hi, 0.5 * tol, budget);
}

/* ln of the integral of exp(ln f) over [lo, hi], lo < hi. The reference
 * level is the largest of ln f at a few points, so the scaled integrand
 * peaks near 1. */
static double log_integral(pnbd_integrand *f, double lo, double hi)
{
    double first, total, best = -INFINITY;
    int i;
    for (i = 0; i <= 16; i++) {
        double tau = lo + (hi - lo) * (i / 16.0);
        double l;
        if (tau <= 0.0 && f->e_t > 0.0)
            continue;
        l = log_integrand(f, tau);
        if (l > best)
            best = l;
    }
    if (!isfinite(best))
        best = 0.0;
    f->ref = best;
    {
        int budget = 0;
        first = adapt(f, lo, hi, INFINITY, &budget);   /* one rule: the scale of the result */
        budget = 4000;
        total = adapt(f, lo, hi, 1e-13 * fabs(first), &budget);
    }
    return f->ref + log(total);
}

/* ---- the likelihood ------------------------------------------------------ */

/* ln(1 - e^d) for d < 0. */
static double log1mexp(double d)
{
    return d > -0.6931471805599453 ? log(-expm1(d)) : log1p(-exp(d));
}

/* ln I(y) through the 2F1 (see the top of the file); NaN when the series
 * argument exceeds PNBD_MAX_Z or the series fails. */
static double log_tail_2f1(double r, double alpha, double s, double beta, double x, double y)
{
    double c = r + s + x, m, k, z, scale, mant;
    if (alpha >= beta) {
        m = alpha;
        k = s + 1.0;
        z = (alpha - beta) / (alpha + y);
    } else {
        m = beta;
        k = r + x;
        z = (beta - alpha) / (beta + y);
    }
    if (z > PNBD_MAX_Z)
        return NAN;
    mant = dbmi_hyp2f1_scaled(c, k, c + 1.0, z, &scale);
    if (!(mant > 0) || !isfinite(mant))
        return NAN;
    return -c * log(m + y) - log(c) + log(mant) + scale;
}

/* ln D = ln of the integral over [t_x, T] of (a+tau)^-(r+x) (b+tau)^-(s+1);
 * -inf when t_x == T. */
static double log_death_integral(double r, double alpha, double s, double beta, double x,
                                 double t_x, double T)
{
    pnbd_integrand f;
    if (!(T > t_x))
        return -INFINITY;
    {
        double hi = log_tail_2f1(r, alpha, s, beta, x, t_x);
        double lo = log_tail_2f1(r, alpha, s, beta, x, T);
        /* Keep the difference only when it loses at most ~3 digits. */
        if (isfinite(hi) && isfinite(lo) && lo - hi < -1e-3)
            return hi + log1mexp(lo - hi);
    }
    f.e_t = 0.0;
    f.a = alpha;
    f.e_a = r + x;
    f.b = beta;
    f.e_b = s + 1.0;
    return log_integral(&f, t_x, T);
}

/* The two log terms of the bracket: survived to T, died in (t_x, T]. */
static void pnbd_terms(const double *p, double x, double t_x, double T, double *alive,
                       double *dead)
{
    double r = p[P_R], alpha = p[P_ALPHA], s = p[P_S], beta = p[P_BETA];
    *alive = -(r + x) * log(alpha + T) - s * log(beta + T);
    *dead = log(s) + log_death_integral(r, alpha, s, beta, x, t_x, T);
}

static int params_ok(const double *p)
{
    int i;
    for (i = 0; i < 4; i++)
        if (!(p[i] > 0) || !isfinite(p[i]))
            return 0;
    return 1;
}

static double row_log_likelihood(const double *p, double x, double t_x, double T)
{
    double r = p[P_R], alpha = p[P_ALPHA], s = p[P_S], beta = p[P_BETA];
    double alive, dead, m;
    pnbd_terms(p, x, t_x, T, &alive, &dead);
    m = alive > dead ? alive : dead;
    return dbmi_lgamma(r + x) - dbmi_lgamma(r) + r * log(alpha) + s * log(beta)
         + m + log(exp(alive - m) + exp(dead - m));
}

static double total_log_likelihood(const double *p, const dbmi_stats_row *rows, size_t nrows)
{
    double ll = 0.0;
    size_t i;
    for (i = 0; i < nrows; i++) {
        if (rows[i].weight == 0.0)
            continue;
        ll += rows[i].weight * row_log_likelihood(p, rows[i].x, rows[i].t_x, rows[i].T);
    }
    return ll;
}

/* The gradient with respect to the log-parameters is taken by central
 * differences of the total (step 1e-5 in ln theta): the analytic
 * derivatives of the 2F1 in its parameters are not worth their cost here,
 * and the fitter only needs the gradient to ~1e-6 relative. */
static double pnbd_log_likelihood(const double *params, const dbmi_stats_row *rows,
                                  size_t nrows, double *grad_log)
{
    const double h = 1e-5;
    double ll;
    int i;
    if (!params_ok(params))
        return -INFINITY;
    ll = total_log_likelihood(params, rows, nrows);
    if (!isfinite(ll))
        return -INFINITY;
    if (grad_log != NULL) {
        for (i = 0; i < 4; i++) {
            double q[4], up, down;
            int j;
            for (j = 0; j < 4; j++)
                q[j] = params[j];
            q[i] = params[i] * exp(h);
            up = total_log_likelihood(q, rows, nrows);
            q[i] = params[i] * exp(-h);
            down = total_log_likelihood(q, rows, nrows);
            grad_log[i] = (up - down) / (2.0 * h);
            if (!isfinite(grad_log[i]))
                return -INFINITY;
        }
    }
    return ll;
}

static double pnbd_p_alive(const double *params, double x, double t_x, double T)
{
    double alive, dead;
    if (!params_ok(params))
        return NAN;
    pnbd_terms(params, x, t_x, T, &alive, &dead);
    /* 1 / (1 + e^(dead - alive)), without overflow either way. */
    if (dead > alive) {
        double e = exp(alive - dead);
        return e / (1.0 + e);
    }
    return 1.0 / (1.0 + exp(dead - alive));
}

/* (b / (b + t))^(s-1) taken out of [1 - ...] / (s - 1), exact as s -> 1. */
static double dropout_factor(double s, double b, double t)
{
    double l = log1p(t / b);        /* ln((b+t)/b) */
    double sm1 = s - 1.0;
    if (sm1 == 0.0)
        return l;
    return -expm1(-sm1 * l) / sm1;
}

/* E[Y(t) | x, t_x, T] = (r+x)(b+T)/(a+T) * [1 - ((b+T)/(b+T+t))^(s-1)]/(s-1)
 * * P(alive); this is the factor before P(alive). */
static double pnbd_alive_expectation(const double *params, double t, double x, double T)
{
    double r = params[P_R], alpha = params[P_ALPHA], beta = params[P_BETA], s = params[P_S];
    if (!(t >= 0))
        return NAN;
    if (t == 0)
        return 0.0;
    return (r + x) * (beta + T) / (alpha + T) * dropout_factor(s, beta + T, t);
}

static double pnbd_expected_purchases(const double *params, double t, double x, double t_x,
                                      double T)
{
    return pnbd_alive_expectation(params, t, x, T) * pnbd_p_alive(params, x, t_x, T);
}

/* E[X(t)] for a new customer: r b / a * [1 - (b/(b+t))^(s-1)]/(s-1). */
static double pnbd_expected_purchases_new(const double *params, double t)
{
    double r = params[P_R], alpha = params[P_ALPHA], s = params[P_S], beta = params[P_BETA];
    if (!params_ok(params) || !(t >= 0))
        return NAN;
    if (t == 0)
        return 0.0;
    return r * beta / alpha * dropout_factor(s, beta, t);
}

/* P(X(t) = n) for a new customer: alive through t with n NBD purchases, or
 * dead at tau in (0, t] after n purchases in (0, tau]:
 *   NB(n; r, a/(a+t)) (b/(b+t))^s
 *   + G(r+n)/(G(r) n!) a^r s b^s * int_0^t tau^n (a+tau)^-(r+n) (b+tau)^-(s+1) dtau. */
static double pnbd_prob_purchases(const double *params, int n, double t)
{
    double r = params[P_R], alpha = params[P_ALPHA], s = params[P_S], beta = params[P_BETA];
    double dn = (double)n, lcoef, alive;
    pnbd_integrand f;
    if (!params_ok(params) || n < 0 || !(t >= 0) || !isfinite(t))
        return NAN;
    if (t == 0)
        return n == 0 ? 1.0 : 0.0;
    lcoef = dbmi_lgamma(r + dn) - dbmi_lgamma(r) - dbmi_lgamma(dn + 1.0);
    alive = lcoef + r * log(alpha / (alpha + t)) + (n > 0 ? dn * log(t / (alpha + t)) : 0.0)
          - s * log1p(t / beta);
    f.e_t = dn;
    f.a = alpha;
    f.e_a = r + dn;
    f.b = beta;
    f.e_b = s + 1.0;
    return exp(alive)
         + exp(lcoef + r * log(alpha) + log(s) + s * log(beta) + log_integral(&f, 0.0, t));
}

const dbmi_model_ops dbmi_pareto_nbd_ops = {
    2 /* LIBDBM_MODEL_PARETO_NBD */, "pareto_nbd", 4, pnbd_param_names,
    pnbd_log_likelihood, pnbd_p_alive, pnbd_expected_purchases,
    pnbd_alive_expectation, pnbd_expected_purchases_new, pnbd_prob_purchases, pnbd_default_initial,
};
