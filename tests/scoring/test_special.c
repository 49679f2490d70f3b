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

/* A straightforward check of dbmi_series_growth_start: at every step from
 * the one it names to the end of the budget, the term ratio exceeds 1 in
 * magnitude. */
static int check_growth_start(double p, double q, double c, double z, long first)
{
    long n0 = dbmi_series_growth_start(p, q, c, z, first);
    CHECK(n0 >= first && n0 <= DBMI_SERIES_MAX_TERMS);
    for (long n = n0; n < DBMI_SERIES_MAX_TERMS; n++) {
        double dn = (double)n;
        double ratio = z * (p + dn) * (q + dn) / ((c + dn) * (dn + 1.0));
        if (!(fabs(ratio) > 1.0)) {
            printf("growth from step %ld claimed for (%g, %g; %g; %g), ratio %g at %ld\n", n0,
                   p, q, c, z, ratio, n);
            CHECK(fabs(ratio) > 1.0);
        }
    }
    return n0 < DBMI_SERIES_MAX_TERMS;
}

/* Series that cannot converge are recognised at once (hostile parameters
 * such as BG/NBD r = 1e29 cost millions of terms per call before), and
 * only those. */
static void growth_cases(void)
{
    /* provably growing: a huge numerator parameter, either sign */
    CHECK(dbmi_series_growth_start(1e29, 2.426, 2.219, 1.3e-12, 0) == 0);
    CHECK(dbmi_series_growth_start(-1e29, -0.207, 2.219, 1.3e-12, 0) == 1);
    CHECK(dbmi_series_growth_start(-1e29, -0.207, 2.219, 1.3e-12, 1) == 1);
    check_growth_start(1e29, 2.426, 2.219, 1.3e-12, 0);
    check_growth_start(-1e29, -0.207, 2.219, 1.3e-12, 0);
    check_growth_start(3e12, 1.5, -7.5, 0.25, 0);         /* past the sign change of c */
    /* series that converge, or whose terms shrink somewhere: no claim */
    CHECK(dbmi_series_growth_start(0.243, 2.426, 1.219, 0.9, 0) == DBMI_SERIES_MAX_TERMS);
    CHECK(dbmi_series_growth_start(1e6, 1.0, 1.0, 0.5, 0) == DBMI_SERIES_MAX_TERMS);
    CHECK(dbmi_series_growth_start(1e7, 1.0, 1.0, 0.5, 0) == 0);   /* peaks past the budget */
    CHECK(dbmi_series_growth_start(1e29, 2.0, 1e35, 0.5, 0) == DBMI_SERIES_MAX_TERMS);
    CHECK(dbmi_series_growth_start(1e29, 2.0, -1e29, 0.5, 0) == DBMI_SERIES_MAX_TERMS);
    CHECK(dbmi_series_growth_start(NAN, 2.0, 1.0, 0.5, 0) == DBMI_SERIES_MAX_TERMS);
    CHECK(dbmi_series_growth_start(1e29, 2.0, 1.0, 1.0, 0) == DBMI_SERIES_MAX_TERMS);
    /* random parameters over many magnitudes, brute force on each claim */
    unsigned long long rng = 20261208;
    int claims = 0;
    for (int i = 0; i < 40; i++) {
        double v[4];
        for (int k = 0; k < 4; k++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            double mag = pow(10.0, (double)(rng >> 40) / (double)(1ULL << 24) * 30.0 - 6.0);
            v[k] = (rng >> 11 & 1) ? -mag : mag;
        }
        double z = fabs(v[3]) / (1.0 + fabs(v[3]));
        claims += check_growth_start(v[0], v[1], fabs(v[2]) * (i % 4 == 0 ? -1.0 : 1.0), z,
                                     i % 2);
    }
    printf("%d of 40 random series shown to grow\n", claims);
    CHECK(claims >= 5 && claims <= 35);     /* both answers are exercised */
}

int main(void)
{
    growth_cases();
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
