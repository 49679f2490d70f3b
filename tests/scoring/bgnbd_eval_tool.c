/* Test helper for check_bgnbd_reference.py: reads lines
 * "r alpha a b x t_x T t" and prints "p_alive expected_purchases" as
 * computed by the library (%.17g), or "nan nan" with the error. */
#include <stdio.h>

#include <libdbm.h>

int main(void)
{
    libdbm_context *ctx;
    libdbm_model *m;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK ||
        libdbm_model_new(&m, ctx, LIBDBM_MODEL_BGNBD) != LIBDBM_OK)
        return 2;
    double p[4], x, tx, T, t;
    while (scanf("%lf %lf %lf %lf %lf %lf %lf %lf", &p[0], &p[1], &p[2], &p[3], &x, &tx, &T,
                 &t) == 8) {
        double pa = 0, ey = 0;
        int rc = libdbm_model_set_params(m, p, 4);
        if (rc == LIBDBM_OK)
            rc = libdbm_model_p_alive(m, &pa, x, tx, T);
        if (rc == LIBDBM_OK)
            rc = libdbm_model_expected_purchases(m, &ey, t, x, tx, T);
        if (rc == LIBDBM_OK)
            printf("%.17g %.17g\n", pa, ey);
        else
            printf("nan nan %s\n", libdbm_context_errmsg(ctx));
    }
    libdbm_model_free(m);
    libdbm_context_free(ctx);
    return 0;
}
