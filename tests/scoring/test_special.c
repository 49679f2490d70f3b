/* The scoring layer's special functions against values computed with
 * mpmath at 30 digits (tests/scoring/check_bgnbd_reference.py covers the
 * models built on them). */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "model_ops.h"
#include "special.h"

static void near(double got, double want, double tol, const char *what)
{
    double err = fabs(got - want) / fabs(want);
    if (!(err <= tol)) {
        printf("%s: got %.17g want %.17g (relative error %.3g)\n", what, got, want, err);
        CHECK(err <= tol);
    }
}

int main(void)
{
    near(dbmi_digamma(1e-3), -1000.5755719318103005, 1e-15, "psi(1e-3)");
    near(dbmi_digamma(0.5), -1.9635100260214234794, 1e-15, "psi(0.5)");
    near(dbmi_digamma(1.0), -0.57721566490153286061, 1e-15, "psi(1)");
    near(dbmi_digamma(7.25), 1.9104535268837360284, 1e-15, "psi(7.25)");
    near(dbmi_digamma(1e4), 9.2102903711428494036, 1e-15, "psi(1e4)");
    CHECK(isnan(dbmi_digamma(0.0)) && isnan(dbmi_digamma(-1.5)));
    near(dbmi_lgamma(0.5), 0.57236494292470008707, 1e-15, "lgamma(0.5)");

    /* Closed forms. */
    for (double z = 0.0; z < 0.999; z += 0.0625) {
        if (z > 0)
            near(dbmi_hyp2f1(1, 1, 2, z), -log1p(-z) / z, 1e-14, "2F1(1,1;2;z)");
        near(dbmi_hyp2f1(2.5, 3.25, 3.25, z), pow(1 - z, -2.5), 1e-14, "2F1(a,b;b;z)");
        double s = sqrt(z);
        if (z > 0)
            near(dbmi_hyp2f1(0.5, 0.5, 1.5, z), asin(s) / s, 1e-14, "2F1(1/2,1/2;3/2;z^2)");
    }
    /* mpmath values. */
    near(dbmi_hyp2f1(0.243, 2.426, 1.219, 0.9), 6.5310931089652151877, 1e-14, "2F1 CDNOW-like");
    near(dbmi_hyp2f1(3.5, -0.5, 2.2, 0.95), -1.3402094542166222305, 1e-14, "2F1 negative b");
    near(dbmi_hyp2f1(100.243, 102.426, 101.219, 0.5), 3.4431898877762639261e+30, 1e-13,
         "2F1 large parameters (Euler)");
    double scale;
    double mant = dbmi_hyp2f1_scaled(1000.5, 1002, 1001.3, 0.7, &scale);
    near(log(mant) + scale, 1205.417180049499222379073, 1e-14, "ln 2F1 beyond double range");
    CHECK(isinf(dbmi_hyp2f1(1000.5, 1002, 1001.3, 0.7)));
    CHECK(isnan(dbmi_hyp2f1(1, 1, 2, 1.0)) && isnan(dbmi_hyp2f1(1, 1, 2, -0.5)));
    CHECK(isnan(dbmi_hyp2f1(1, 1, -2.0, 0.5)));       /* c a pole */
    near(dbmi_hyp2f1(-2, 1, 3, 0.5), 1 - 1.0 / 3 + 1.0 / 24, 1e-15, "a polynomial");
    return 0;
}
