/* The model object's layout, shared by model.c, model_bulk.c and
 * model_json.c. */
#ifndef LIBDBM_SCORING_MODEL_INTERNAL_H
#define LIBDBM_SCORING_MODEL_INTERNAL_H

#include "model_private.h"

struct libdbm_model {
    libdbm_context *ctx;
    int kind;
    const dbmi_model_ops *ops;          /* NULL for Gamma-Gamma */
    int nparams;
    const char *const *param_names;
    double params[DBMI_MODEL_MAX_PARAMS];
    int fitted;                         /* fit information below is valid */
    double log_likelihood;
    int32_t iterations;
    double seconds;
    int has_cov;
    double cov[DBMI_MODEL_MAX_PARAMS * DBMI_MODEL_MAX_PARAMS];  /* natural scale */
};

/* The ops of a frequency/recency kind, NULL for others or kinds not built. */
const dbmi_model_ops *dbmi_model_ops_for_kind(int kind);
/* LIBDBM_OK or EINVAL (with a message) for a customer a frequency model can score. */
int dbmi_check_customer(const libdbm_model *model, double x, double t_x, double T);
/* CLV of one validated customer with expected spend @p spend. */
double dbmi_clv_core(const libdbm_model *freq_model, double spend, double x, double t_x,
                     double T, int32_t horizon_months, double monthly_discount, double margin,
                     double periods_per_month);

#endif
