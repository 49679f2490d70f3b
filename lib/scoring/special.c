/* Special functions for the scoring models (docs/models.md, "Numerical
 * methods"). */
#include <math.h>

#include "model_ops.h"
#include "special.h"

/* Rescale the running sum when it exceeds this magnitude. */
#define DBMI_SERIES_BIG 1e250

double dbmi_lgamma(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

double dbmi_digamma(double x)
{
    if (!(x > 0) || isinf(x))
        return isinf(x) ? x : NAN;
    double shift = 0.0;
    /* psi(x) = psi(x + 1) - 1/x until the asymptotic series is accurate. */
    while (x < 10.0) {
        shift -= 1.0 / x;
        x += 1.0;
    }
    double inv = 1.0 / x, inv2 = inv * inv;
    /* ln x - 1/(2x) - sum B_2k / (2k x^2k), Bernoulli numbers B_2..B_14. */
    double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240
                  - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 * (1.0 / 12)))))));
    return shift + log(x) - 0.5 * inv - series;
}

static double series_ratio(double p, double q, double c, double z, double n)
{
    return z * (p + n) * (q + n) / ((c + n) * (n + 1.0));
}

/* The first step >= first past which p + n keeps its sign (nonzero) up to
 * the step last. */
static double past_sign_change(double p, double first, double last)
{
    return -p >= first && -p <= last ? floor(-p) + 1.0 : first;
}

/* From n0 on, where c + n > 0 and p + n, q + n keep their signs, |ratio| - 1
 * has the sign of z |(p+n)(q+n)| - (c+n)(n+1), a quadratic in n with leading
 * coefficient -1 - z or z - 1, both < 0: a downward parabola, positive only
 * between its roots. Positive at n0 and at the last step therefore means
 * positive at every step between. */
long dbmi_series_growth_start(double p, double q, double c, double z, long first)
{
    const double last = (double)(DBMI_SERIES_MAX_TERMS - 1);
    if (!(z >= 0.0 && z < 1.0 && isfinite(p) && isfinite(q) && isfinite(c)))
        return DBMI_SERIES_MAX_TERMS;
    double n0 = past_sign_change(p, (double)first, last);
    n0 = fmax(n0, past_sign_change(q, (double)first, last));
    n0 = fmax(n0, past_sign_change(c, (double)first, last));
    if (n0 > last || c + n0 <= 0.0 || fabs(series_ratio(p, q, c, z, n0)) <= 1.0 ||
        fabs(series_ratio(p, q, c, z, last)) <= 1.0)
        return DBMI_SERIES_MAX_TERMS;
    return (long)n0;
}

/* Sums 2F1(a,b;c;z) term by term: sum * exp(*log_scale). */
static double hyp2f1_series(double a, double b, double c, double z, double *log_scale,
                            double *cond)
{
    double sum = 1.0, term = 1.0, scale = 0.0, max_term = 1.0;
    long steps = dbmi_series_growth_start(a, b, c, z, 0);
    for (long n = 0; n < steps; n++) {
        double dn = (double)n;
        double den = (c + dn) * (dn + 1.0);
        if (den == 0.0)
            return NAN;                 /* c a non-positive integer: a pole */
        term *= (a + dn) * (b + dn) / den * z;
        sum += term;
        if (fabs(term) > max_term)
            max_term = fabs(term);
        if (term == 0.0) {
            *log_scale = scale;         /* a or b a non-positive integer: a polynomial */
            *cond = max_term / fabs(sum);
            return sum;
        }
        if (fabs(sum) > DBMI_SERIES_BIG || max_term > DBMI_SERIES_BIG) {
            sum /= DBMI_SERIES_BIG;
            term /= DBMI_SERIES_BIG;
            max_term /= DBMI_SERIES_BIG;
            scale += log(DBMI_SERIES_BIG);
        }
        /* The tail after this term is at most |term| q/(1-q) once the term
         * ratio q stays below 1; the ratios tend to z, from above or below. */
        if (fabs(term) > 0x1p-55 * fabs(sum)) {
            if (!isfinite(sum))
                return NAN;
            continue;                   /* the tail bound below cannot hold yet */
        }
        double dn1 = dn + 1.0;
        double q = fabs((a + dn1) * (b + dn1) / ((c + dn1) * (dn1 + 1.0)) * z);
        if (q < z)
            q = z;
        if (q < 1.0 && fabs(term) * q / (1.0 - q) <= 0x1p-55 * fabs(sum)) {
            *log_scale = scale;
            *cond = max_term / fabs(sum);
            return sum;
        }
        if (!isfinite(sum))
            return NAN;
    }
    return NAN;
}

double dbmi_hyp2f1_scaled(double a, double b, double c, double z, double *log_scale)
{
    double cond;
    return dbmi_hyp2f1_scaled_cond(a, b, c, z, log_scale, &cond);
}

double dbmi_hyp2f1_scaled_cond(double a, double b, double c, double z, double *log_scale,
                               double *cond)
{
    *log_scale = 0.0;
    *cond = 1.0;
    if (!(z >= 0.0 && z < 1.0) || !isfinite(a) || !isfinite(b) || !isfinite(c))
        return NAN;
    if (z == 0.0)
        return 1.0;
    /* Euler: 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z). The series
     * with the smaller numerator parameters has smaller, faster-decaying
     * terms (for the BG/NBD expectation with x repeat purchases, a and b
     * grow with x while c-a and c-b do not). When the first choice's terms
     * cancel badly (alternating signs), the other form is tried too and the
     * better conditioned one kept. */
    int euler_first = fabs((c - a) * (c - b)) < fabs(a * b);
    double best = NAN, best_scale = 0.0, best_cond = INFINITY;
    for (int attempt = 0; attempt < 2; attempt++) {
        int euler = attempt == 0 ? euler_first : !euler_first;
        double s, cnd;
        double m = euler ? hyp2f1_series(c - a, c - b, c, z, &s, &cnd)
                         : hyp2f1_series(a, b, c, z, &s, &cnd);
        if (euler)
            s += (c - a - b) * log1p(-z);
        if (isfinite(m) && cnd < best_cond) {
            best = m;
            best_scale = s;
            best_cond = cnd;
        }
        if (best_cond <= 1e3)
            break;
    }
    *log_scale = best_scale;
    *cond = best_cond;
    return best;
}

double dbmi_hyp2f1(double a, double b, double c, double z)
{
    double s;
    double m = dbmi_hyp2f1_scaled(a, b, c, z, &s);
    return m * exp(s);
}
