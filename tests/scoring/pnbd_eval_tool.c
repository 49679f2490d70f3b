/* Test helper for check_paretonbd_reference.py: reads lines
 * "r alpha s beta x t_x T t n" on stdin and prints, per line, the
 * customer's Pareto/NBD log-likelihood, P(alive), E[Y(t)], a new
 * customer's E[X(t)] and P(X(t) = n), with 17 significant digits. */
#include <math.h>
#include <stdio.h>

#include "model_ops.h"

int main(void)
{
    double p[4], x, t_x, T, t;
    int n;
    const dbmi_model_ops *ops = &dbmi_pareto_nbd_ops;
    while (scanf("%lf %lf %lf %lf %lf %lf %lf %lf %d", &p[0], &p[1], &p[2], &p[3], &x, &t_x,
                 &T, &t, &n) == 9) {
        dbmi_stats_row row;
        row.x = x;
        row.t_x = t_x;
        row.T = T;
        row.weight = 1.0;
        printf("%.17g %.17g %.17g %.17g %.17g\n", ops->log_likelihood(p, &row, 1, NULL),
               ops->p_alive(p, x, t_x, T), ops->expected_purchases(p, t, x, t_x, T),
               ops->expected_purchases_new(p, t), ops->prob_purchases(p, n, t));
    }
    return 0;
}
