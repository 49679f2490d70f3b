/* Internal interface between the generic model object (model.c, fit.c) and
 * the frequency/recency models (bgnbd.c, paretonbd.c). Each model kind is one
 * constant ops table; the model object, the fitter, the bulk scorers and the
 * blob/JSON code only ever go through it. */
#ifndef LIBDBM_SCORING_MODEL_OPS_H
#define LIBDBM_SCORING_MODEL_OPS_H

#include <stddef.h>

/* One group of customers sharing (x, t_x, T): weight is the number of
 * customers (or any non-negative weight). */
typedef struct dbmi_stats_row { double x, t_x, T, weight; } dbmi_stats_row;

typedef struct dbmi_model_ops {
    int kind;                           /* enum libdbm_model_kind */
    const char *name;                   /* "bgnbd", "pareto_nbd": JSON "model" */
    int nparams;
    const char *const *param_names;     /* nparams names, JSON keys */
    /* Total weighted log-likelihood over rows and, when grad_log is not NULL,
     * its gradient with respect to the log-parameters (nparams values).
     * Returns -INFINITY (or NaN) where the likelihood cannot be evaluated;
     * the fitter treats anything non-finite as "step rejected". */
    double (*log_likelihood)(const double *params, const dbmi_stats_row *rows,
                             size_t nrows, double *grad_log);
    /* Per customer; params are the natural (positive) parameters. */
    double (*p_alive)(const double *params, double x, double t_x, double T);
    double (*expected_purchases)(const double *params, double t, double x,
                                 double t_x, double T);
    /* E[Y(t)] of a customer known to be alive now: expected_purchases is
     * exactly this times p_alive, and it depends on (x, T) only, so bulk
     * scoring computes it once per distinct (x, T) (alive_table.h). */
    double (*alive_expectation)(const double *params, double t, double x, double T);
    double (*expected_purchases_new)(const double *params, double t);
    double (*prob_purchases)(const double *params, int n, double t);
    const double *default_initial;      /* starting point for the fit */
} dbmi_model_ops;

extern const dbmi_model_ops dbmi_bgnbd_ops;      /* bgnbd.c */
extern const dbmi_model_ops dbmi_pareto_nbd_ops; /* paretonbd.c */

/* Gauss hypergeometric 2F1(a,b;c;z) for 0 <= z < 1, accurate to ~1e-15
 * relative, using Euler's transformation when it converges faster; used by
 * both models. Returns NaN outside its domain (z < 0, z >= 1, c <= 0). */
double dbmi_hyp2f1(double a, double b, double c, double z);

#endif
