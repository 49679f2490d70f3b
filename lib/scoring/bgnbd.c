/* BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way:
 * an alternative to the Pareto/NBD model", Marketing Science 24(2)).
 * Parameters r, alpha (gamma purchase rates), a, b (beta dropout
 * probabilities). Formulas and numerical methods: docs/models.md. */
#include <math.h>
#include <stddef.h>

#include "model_ops.h"
#include "model_private.h"
#include "special.h"

enum { P_R, P_ALPHA, P_A, P_B };

static const char *const bgnbd_param_names[4] = { "r", "alpha", "a", "b" };
/* A neutral start: lifetimes starts from ones too; the fit is scale-robust
 * because it runs over log-parameters. */
static const double bgnbd_default_initial[4] = { 1.0, 1.0, 1.0, 1.0 };

/* Per-x terms of the log-likelihood and its gradient: rows sorted by x
 * compute them once per distinct x. */
typedef struct bg_xterms {
    double x;
    double a12;                 /* A1 + A2 */
    double d_r, d_a, d_b;       /* their derivatives w.r.t. r, a, b */
    double log_bx1, inv_bx1;    /* ln(b+x-1), 1/(b+x-1) when x > 0 */
} bg_xterms;

typedef struct bg_consts {
    double r, alpha, a, b, log_alpha, log_a;
    double lg_r, lg_b, lg_ab, psi_r, psi_b, psi_ab;
} bg_consts;

static void bg_xterms_compute(bg_xterms *xt, const bg_consts *k, double x, int want_grad)
{
    xt->x = x;
    double a1 = dbmi_lgamma(k->r + x) - k->lg_r + k->r * k->log_alpha;
    double a2 = k->lg_ab + dbmi_lgamma(k->b + x) - k->lg_b - dbmi_lgamma(k->a + k->b + x);
    xt->a12 = a1 + a2;
    if (x > 0) {
        xt->log_bx1 = log(k->b + x - 1.0);
        xt->inv_bx1 = 1.0 / (k->b + x - 1.0);
    } else {
        xt->log_bx1 = 0.0;
        xt->inv_bx1 = 0.0;
    }
    if (want_grad) {
        double psi_abx = dbmi_digamma(k->a + k->b + x);
        xt->d_r = dbmi_digamma(k->r + x) - k->psi_r + k->log_alpha;
        xt->d_a = k->psi_ab - psi_abx;
        xt->d_b = k->psi_ab + dbmi_digamma(k->b + x) - k->psi_b - psi_abx;
    }
}

static double bgnbd_log_likelihood(const double *params, const dbmi_stats_row *rows,
                                   size_t nrows, double *grad_log)
{
    bg_consts k;
    k.r = params[P_R];
    k.alpha = params[P_ALPHA];
    k.a = params[P_A];
    k.b = params[P_B];
    if (!(k.r > 0 && k.alpha > 0 && k.a > 0 && k.b > 0) || !isfinite(k.r + k.alpha + k.a + k.b))
        return -INFINITY;
    k.log_alpha = log(k.alpha);
    k.log_a = log(k.a);
    k.lg_r = dbmi_lgamma(k.r);
    k.lg_b = dbmi_lgamma(k.b);
    k.lg_ab = dbmi_lgamma(k.a + k.b);
    int want_grad = grad_log != NULL;
    if (want_grad) {
        k.psi_r = dbmi_digamma(k.r);
        k.psi_b = dbmi_digamma(k.b);
        k.psi_ab = dbmi_digamma(k.a + k.b);
    }
    bg_xterms xt;
    bg_xterms_compute(&xt, &k, rows != NULL && nrows > 0 ? rows[0].x : 0.0, want_grad);
    double ll = 0.0, g_r = 0.0, g_alpha = 0.0, g_a = 0.0, g_b = 0.0;
    for (size_t i = 0; i < nrows; i++) {
        const dbmi_stats_row *row = &rows[i];
        double w = row->weight;
        if (w == 0.0)
            continue;
        if (row->x != xt.x)
            bg_xterms_compute(&xt, &k, row->x, want_grad);
        double rx = k.r + row->x;
        double log_aT = log(k.alpha + row->T);
        double a3 = -rx * log_aT;
        double lse, w3 = 1.0, w4 = 0.0, log_atx = 0.0;
        if (row->x > 0) {
            log_atx = log(k.alpha + row->t_x);
            double a4 = k.log_a - xt.log_bx1 - rx * log_atx;
            double m = a3 > a4 ? a3 : a4;
            double e3 = exp(a3 - m), e4 = exp(a4 - m);
            lse = m + log(e3 + e4);
            w3 = e3 / (e3 + e4);
            w4 = e4 / (e3 + e4);
        } else {
            lse = a3;
        }
        ll += w * (xt.a12 + lse);
        if (want_grad) {
            g_r += w * (xt.d_r - w3 * log_aT - w4 * log_atx);
            g_alpha += w * (k.r / k.alpha - rx * (w3 / (k.alpha + row->T)
                                                 + w4 / (k.alpha + row->t_x)));
            g_a += w * (xt.d_a + w4 / k.a);
            g_b += w * (xt.d_b - w4 * xt.inv_bx1);
        }
    }
    if (want_grad) {
        grad_log[P_R] = g_r * k.r;
        grad_log[P_ALPHA] = g_alpha * k.alpha;
        grad_log[P_A] = g_a * k.a;
        grad_log[P_B] = g_b * k.b;
    }
    return isfinite(ll) ? ll : -INFINITY;
}

double dbmi_bgnbd_p_alive(const double *params, double x, double t_x, double T)
{
    if (x <= 0)
        return 1.0;
    double r = params[P_R], alpha = params[P_ALPHA], a = params[P_A], b = params[P_B];
    /* ln of a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x); log1p keeps t_x ~ T exact. */
    double l = log(a) - log(b + x - 1.0) + (r + x) * log1p((T - t_x) / (alpha + t_x));
    if (l > 0) {
        double e = exp(-l);
        return e / (1.0 + e);
    }
    return 1.0 / (1.0 + exp(l));
}

static double bgnbd_p_alive(const double *params, double x, double t_x, double T)
{
    return dbmi_bgnbd_p_alive(params, x, t_x, T);
}

/* Tolerance of the series below: the tail bound relative to the sum. */
#define BG_SERIES_EPS 0x1p-55

/* ln|Gamma(v)| and its sign; *is_pole when v is a non-positive integer
 * (1/Gamma(v) = 0 there). */
static double lgamma_signed(double v, int *sign, int *is_pole)
{
    *is_pole = v <= 0 && v == floor(v);
    if (*is_pole) {
        *sign = 0;
        return 0.0;
    }
    return lgamma_r(v, sign);
}

/* 2F1(p, q; c; -1/u) summed directly; u > 1. Returns NaN when the series
 * is ill-conditioned (terms far larger than the sum) or does not converge. */
static double hyp2f1_reciprocal(double p, double q, double c, double u, double *cond)
{
    *cond = INFINITY;
    double w = -1.0 / u, term = 1.0, sum = 1.0, max_term = 1.0;
    for (int n = 0; n < 2000; n++) {
        double dn = (double)n;
        double den = (c + dn) * (dn + 1.0);
        if (den == 0.0)
            return NAN;
        term *= (p + dn) * (q + dn) / den * w;
        sum += term;
        if (fabs(term) > max_term)
            max_term = fabs(term);
        if (term == 0.0) {
            *cond = max_term / fabs(sum);
            return sum;
        }
        if (fabs(term) > BG_SERIES_EPS * fabs(sum))
            continue;                   /* the tail bound below cannot hold yet */
        double dn1 = dn + 1.0;
        double ratio = fabs((p + dn1) * (q + dn1) / ((c + dn1) * (dn1 + 1.0)) * w);
        if (ratio < 1.0 && fabs(term) * ratio / (1.0 - ratio) <= BG_SERIES_EPS * fabs(sum)) {
            *cond = max_term / fabs(sum);
            return sum;
        }
    }
    return NAN;
}

/* G = 2F1(A, a-1; c; -u) for large u by the 1/w connection formula
 * (Abramowitz & Stegun 15.3.7): two series in -1/u with gamma-function
 * coefficients. Returns NaN when a coefficient pole or cancellation makes
 * it inaccurate. */
static double bg_connection_once(double A, double a, double c, double u, double *cond)
{
    double b1 = a - 1.0, lu = log(u);
    double t[2], conds[2] = { 0.0, 0.0 };
    *cond = INFINITY;
    for (int k = 0; k < 2; k++) {
        /* k = 0: Gamma(c)Gamma(b1-A)/(Gamma(b1)Gamma(c-A)) u^-A F(A, 1-c+A; 1-b1+A; -1/u)
         * k = 1: the same with A and b1 exchanged */
        double p = k == 0 ? A : b1, q = k == 0 ? b1 : A;
        int s1, s2, s3, s4, pole1, pole2, pole3, pole4;
        double l1 = lgamma_signed(c, &s1, &pole1);
        double l2 = lgamma_signed(q - p, &s2, &pole2);
        double l3 = lgamma_signed(q, &s3, &pole3);
        double l4 = lgamma_signed(c - p, &s4, &pole4);
        if (pole1 || pole2)
            return NAN;
        if (pole3 || pole4) {           /* 1/Gamma = 0: the term vanishes */
            t[k] = 0.0;
            continue;
        }
        double f = hyp2f1_reciprocal(p, 1.0 - c + p, 1.0 - q + p, u, &conds[k]);
        if (!isfinite(f))
            return NAN;
        t[k] = (double)(s1 * s2 * s3 * s4) * exp(l1 + l2 - l3 - l4 - p * lu) * f;
    }
    double g = t[0] + t[1];
    if (!isfinite(g))
        return NAN;
    *cond = (fabs(t[0]) * fmax(conds[0], 1.0) + fabs(t[1]) * fmax(conds[1], 1.0)) / fabs(g);
    return g;
}

/* As bg_connection_once, also when A - (a-1) is (nearly) an integer, where
 * the formula's two terms have poles that cancel: then G is interpolated
 * (cubic Lagrange) from A shifted to 1e-4 and 2e-4 either side of the pole. */
static double bg_connection(double A, double a, double c, double u, double *cond)
{
    double d = A - (a - 1.0), k = nearbyint(d), eps = d - k;
    const double h = 1e-4;
    if (fabs(eps) > 2 * h)
        return bg_connection_once(A, a, c, u, cond);
    double nodes[4] = { -2 * h, -h, h, 2 * h }, g = 0.0;
    *cond = 0.0;
    for (int i = 0; i < 4; i++) {
        double ci, gi = bg_connection_once(A - eps + nodes[i], a, c, u, &ci), w = 1.0;
        if (!isfinite(gi))
            return NAN;
        if (ci > *cond)
            *cond = ci;
        for (int j = 0; j < 4; j++)
            if (j != i)
                w *= (eps - nodes[j]) / (nodes[i] - nodes[j]);
        g += w * gi;
    }
    return g;
}

/* The expected number of purchases in the next t periods of a customer who
 * is alive now:
 *   H = c/(a-1) [1 - (beta/(beta+t))^A 2F1(A, c-a+1; c; t/(beta+t))]
 * with A = r+x, beta = alpha+T, c = a+b+x-1 (Fader, Hardie & Lee 2005,
 * eq. 10 without its P(alive) denominator). Two cancellation-free series
 * (docs/models.md): in u = t/beta (Pfaff's transformation) for u <= 1/2,
 * otherwise in z = t/(beta+t) after Euler's transformation, with 1-(1-z)^(a-1)
 * taken through expm1 so a -> 1 is not a 0/0. */
static double bg_alive_expectation_sum(double A, double beta, double a, double c, double t)
{
    if (t <= 0)
        return 0.0;
    double u = t / beta;
    if (u <= 0.5) {
        /* H = sum_{n>=1} (-1)^(n+1) (A)_n (a)_(n-1) / ((c+1)_(n-1) n!) u^n */
        double term = A * u, sum = term, max_term = fabs(term);
        for (int n = 1; n < 4000; n++) {
            double dn = (double)n;
            term *= -u * (A + dn) * (a + dn - 1.0) / ((c + dn) * (dn + 1.0));
            sum += term;
            if (fabs(term) > max_term)
                max_term = fabs(term);
            if (fabs(term) > BG_SERIES_EPS * fabs(sum))
                continue;               /* the tail bound below cannot hold yet */
            double q = u * fabs((A + dn + 1.0) * (a + dn) / ((c + dn + 1.0) * (dn + 2.0)));
            if (q < 1.0 && fabs(term) * q / (1.0 - q) <= BG_SERIES_EPS * fabs(sum)) {
                /* Alternating terms far larger than the sum lose digits:
                 * then the z series below is the better one. */
                if (max_term <= 1e3 * fabs(sum) && sum > 0)
                    return sum;
                break;
            }
        }
    }
    /* Each method below reports its condition (how many times rounding
     * errors are amplified); the first one under GOOD_COND wins, else the
     * best of them. */
    const double good_cond = 1e3;
    double best = NAN, best_cond = INFINITY;
    if (u > 20.0 && a != 1.0) {
        /* Far horizons (t >> alpha+T): the z series below would need ~1/(1-z)
         * terms; G = 2F1(A, a-1; c; -u) (Pfaff) by the 1/u expansion. */
        double cond;
        double g = bg_connection(A, a, c, u, &cond);
        double h = c / (a - 1.0) * (1.0 - g);
        cond *= fmax(1.0, fabs(g)) / fabs(1.0 - g);
        if (isfinite(h) && cond <= good_cond)
            return h;
        if (isfinite(h) && cond < best_cond) {
            best = h;
            best_cond = cond;
        }
    }
    double z = t / (beta + t);
    double log1mz = -log1p(u);                  /* ln(1-z) without rounding 1-z */
    double am1 = a - 1.0;
    double q_term = am1 == 0.0 ? -log1mz : -expm1(am1 * log1mz) / am1;
    /* S = sum_{n>=1} (c-A)_n (a)_(n-1) / ((c+1)_(n-1) n!) z^n, scaled;
     * H = c Q - (1-z)^(a-1) S. */
    double cA = c - A;
    double term = cA * z, sum = term, scale = 0.0, max_term = fabs(term);
    int converged = term == 0.0;
    long steps = dbmi_series_growth_start(cA, am1, c, z, 1);
    /* Dropout only removes purchases, so H <= A u (the expectation without
     * it). A term beyond 1e16 A u / (1-z)^(a-1) therefore means that the
     * result's condition exceeds 1e16: no digit of it would be right, and
     * summing on (millions of alternating terms for a hostile r = 1e13)
     * is not worth it. */
    double log_term_limit = log(1e16) + log(A) + log(u) - am1 * log1mz;
    double term_limit = exp(log_term_limit);
    for (long n = 1; !converged && n < steps && max_term <= term_limit; n++) {
        double dn = (double)n;
        term *= z * (cA + dn) * (a + dn - 1.0) / ((c + dn) * (dn + 1.0));
        sum += term;
        if (fabs(term) > max_term)
            max_term = fabs(term);
        if (fabs(sum) > 1e250 || max_term > 1e250) {
            sum *= 1e-250;
            term *= 1e-250;
            max_term *= 1e-250;
            scale += 250.0 * 2.302585092994045684;
            term_limit = exp(log_term_limit - scale);
        }
        if (!isfinite(sum))
            break;
        if (term == 0.0) {
            converged = 1;
        } else if (fabs(term) <= BG_SERIES_EPS * fabs(sum)) {
            double q = z * fabs((cA + dn + 1.0) * (a + dn) / ((c + dn + 1.0) * (dn + 2.0)));
            if (q < z)
                q = z;
            converged = q < 1.0 && fabs(term) * q / (1.0 - q) <= BG_SERIES_EPS * fabs(sum);
        }
    }
    if (converged) {
        double pre = exp(am1 * log1mz + scale);
        double h = c * q_term - pre * sum;
        /* rounding of the sum's largest term and of c Q, against the result */
        double cond = fmax(fabs(c * q_term), pre * max_term) / fabs(h);
        if (isfinite(h) && cond <= good_cond)
            return h;
        if (isfinite(h) && cond < best_cond) {
            best = h;
            best_cond = cond;
        }
    }
    /* Last resort: H = c/(a-1) (1 - (1-z)^A 2F1(A, c-a+1; c; z)) with the
     * general series (better when A is large and a+b-1-r very negative). */
    if (am1 != 0.0) {
        double s2, cond;
        double m = dbmi_hyp2f1_scaled_cond(A, c - a + 1.0, c, z, &s2, &cond);
        double g = m * exp(A * log1mz + s2);
        double h = c / am1 * (1.0 - g);
        cond *= fmax(1.0, fabs(g)) / fabs(1.0 - g);
        if (isfinite(h) && cond < best_cond) {
            best = h;
            best_cond = cond;
        }
    }
    return best;
}

/* The expectation, or NaN ("could not be computed") when rounding left it
 * negative: with a huge b (1e15 and more, only from a hostile or broken
 * model) the series' terms cancel beyond what their condition estimates
 * see, and values down to -1.8e308 came out (docs/fuzzing.md). */
static double bg_alive_expectation(double A, double beta, double a, double c, double t)
{
    double h = bg_alive_expectation_sum(A, beta, a, c, t);
    return h >= 0 ? h : NAN;
}

static double bgnbd_alive_expectation(const double *params, double t, double x, double T)
{
    double r = params[P_R], alpha = params[P_ALPHA], a = params[P_A], b = params[P_B];
    return bg_alive_expectation(r + x, alpha + T, a, a + b + x - 1.0, t);
}

static double bgnbd_expected_purchases(const double *params, double t, double x,
                                       double t_x, double T)
{
    return bgnbd_alive_expectation(params, t, x, T) * dbmi_bgnbd_p_alive(params, x, t_x, T);
}

static double bgnbd_expected_purchases_new(const double *params, double t)
{
    double r = params[P_R], alpha = params[P_ALPHA], a = params[P_A], b = params[P_B];
    return bg_alive_expectation(r, alpha, a, a + b - 1.0, t);
}

/* P(X(t) = n) for a new customer (Fader, Hardie & Lee 2005, eq. 8). */
static double bgnbd_prob_purchases(const double *params, int n, double t)
{
    double r = params[P_R], alpha = params[P_ALPHA], a = params[P_A], b = params[P_B];
    if (n < 0 || !(t >= 0))
        return NAN;
    double dn = (double)n;
    if (t == 0)
        return n == 0 ? 1.0 : 0.0;
    double lbeta_ab = dbmi_lgamma(a) + dbmi_lgamma(b) - dbmi_lgamma(a + b);
    double log_p0 = log(alpha / (alpha + t));               /* ln(alpha/(alpha+t)) */
    double log_p1 = log(t / (alpha + t));
    /* NBD probability of n purchases while alive, times P(alive through them). */
    double first = dbmi_lgamma(a) + dbmi_lgamma(b + dn) - dbmi_lgamma(a + b + dn) - lbeta_ab
                 + dbmi_lgamma(r + dn) - dbmi_lgamma(r) - dbmi_lgamma(dn + 1.0)
                 + r * log_p0 + (n > 0 ? dn * log_p1 : 0.0);
    double p = exp(first);
    if (n > 0) {
        /* Dropped out right after the n-th purchase: B(a+1,b+n-1)/B(a,b) times
         * P(NBD count >= n). */
        double coef = exp(dbmi_lgamma(a + 1.0) + dbmi_lgamma(b + dn - 1.0)
                          - dbmi_lgamma(a + b + dn) - lbeta_ab);
        double term = exp(r * log_p0), cdf = term;  /* P(NBD = 0) */
        double pz = t / (alpha + t);
        for (int j = 1; j < n; j++) {
            term *= (r + (double)j - 1.0) / (double)j * pz;
            cdf += term;
        }
        double tail = 1.0 - cdf;
        p += coef * (tail > 0 ? tail : 0.0);
    }
    return p;
}

const dbmi_model_ops dbmi_bgnbd_ops = {
    1 /* LIBDBM_MODEL_BGNBD */, "bgnbd", 4, bgnbd_param_names,
    bgnbd_log_likelihood, bgnbd_p_alive, bgnbd_expected_purchases,
    bgnbd_alive_expectation, bgnbd_expected_purchases_new, bgnbd_prob_purchases, bgnbd_default_initial,
};
