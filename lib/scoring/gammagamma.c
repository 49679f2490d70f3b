/* Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using
 * iso-value curves for customer base analysis", JMR 42(4); Fader & Hardie,
 * "The Gamma-Gamma model of monetary value", 2013 note). Parameters p, q,
 * gamma; fitted on customers with x >= 1 repeat purchases of mean m_x. */
#include <math.h>

#include "model_private.h"
#include "special.h"

const char *const dbmi_gamma_gamma_param_names[3] = { "p", "q", "gamma" };
const double dbmi_gamma_gamma_default_initial[3] = { 1.0, 1.0, 1.0 };

double dbmi_gamma_gamma_log_likelihood(const double *params, const dbmi_spend_row *rows,
                                       size_t nrows, double *grad_log)
{
    double p = params[0], q = params[1], g = params[2];
    if (!(p > 0 && q > 0 && g > 0) || !isfinite(p + q + g))
        return -INFINITY;
    double lg_q = dbmi_lgamma(q), log_g = log(g);
    double psi_q = grad_log ? dbmi_digamma(q) : 0.0;
    double ll = 0.0, g_p = 0.0, g_q = 0.0, g_g = 0.0;
    for (size_t i = 0; i < nrows; i++) {
        double x = rows[i].x, m = rows[i].m_x, w = rows[i].weight;
        if (w == 0.0)
            continue;
        double px = p * x, log_m = log(m), log_x = log(x);
        double log_gxm = log(g + x * m);
        ll += w * (dbmi_lgamma(px + q) - dbmi_lgamma(px) - lg_q + q * log_g
                   + (px - 1.0) * log_m + px * log_x - (px + q) * log_gxm);
        if (grad_log) {
            double psi_pxq = dbmi_digamma(px + q);
            g_p += w * x * (psi_pxq - dbmi_digamma(px) + log_m + log_x - log_gxm);
            g_q += w * (psi_pxq - psi_q + log_g - log_gxm);
            g_g += w * (q / g - (px + q) / (g + x * m));
        }
    }
    if (grad_log) {
        grad_log[0] = g_p * p;
        grad_log[1] = g_q * q;
        grad_log[2] = g_g * g;
    }
    return isfinite(ll) ? ll : -INFINITY;
}

double dbmi_gamma_gamma_expected_spend(const double *params, double x, double m_x)
{
    double p = params[0], q = params[1], g = params[2];
    /* E[M | x, m_x] = p (gamma + x m_x) / (p x + q - 1); x = 0 gives the
     * population mean p gamma / (q - 1). */
    return p * (g + x * m_x) / (p * x + q - 1.0);
}

void dbmi_gamma_gamma_expected_spend_array(const double *params, double *out, const double *x,
                                           const double *m_x, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        double xi = x[i], mi = m_x[i];
        int valid = xi >= 0 && isfinite(xi) && (xi == 0 || (mi >= 0 && isfinite(mi)));
        out[i] = valid ? dbmi_gamma_gamma_expected_spend(params, xi, xi > 0 ? mi : 0.0) : NAN;
    }
}
