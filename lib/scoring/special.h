/* Special functions shared by the scoring models: log-gamma without the
 * global signgam (thread-safe), digamma, and hypergeometric series that keep
 * an explicit exponent so huge intermediate terms never overflow. */
#ifndef LIBDBM_SCORING_SPECIAL_H
#define LIBDBM_SCORING_SPECIAL_H

/* ln Gamma(x) for x > 0 (thread-safe: no signgam). */
double dbmi_lgamma(double x);
/* psi(x) = d/dx ln Gamma(x) for x > 0, ~1e-15 relative; NaN for x <= 0. */
double dbmi_digamma(double x);
/* The most terms a hypergeometric-type series is summed to before it is
 * declared not convergent. */
#define DBMI_SERIES_MAX_TERMS 4000000L

/* For a series whose term ratio is
 *   t(n+1)/t(n) = z (p+n)(q+n) / ((c+n)(n+1)),  0 <= z < 1,
 * summed at steps n = first, first+1, ... below DBMI_SERIES_MAX_TERMS: the
 * first step from which the terms provably grow in magnitude at every step
 * to the end of that budget, so that summing on cannot converge; or
 * DBMI_SERIES_MAX_TERMS when that cannot be shown. A loop may stop there
 * with the result it would have reached at the end of its budget, instead
 * of spending millions of terms on hostile model parameters (r = 1e29). */
long dbmi_series_growth_start(double p, double q, double c, double z, long first);

/* 2F1(a,b;c;z) = mantissa * exp(*log_scale) for 0 <= z < 1: the same series
 * as dbmi_hyp2f1 with the exponent kept apart. NaN when it does not converge. */
double dbmi_hyp2f1_scaled(double a, double b, double c, double z, double *log_scale);

/* The same, also storing the series' condition: its largest term over its
 * sum (about how many times the rounding error is amplified). */
double dbmi_hyp2f1_scaled_cond(double a, double b, double c, double z, double *log_scale,
                               double *cond);

#endif
