/* Helpers shared by the scoring fuzz targets (fuzz_scoring.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_scoring.h"

#define N_CUSTOMERS 8

static libdbm_context *ctx;
/* Fixed partners for the functions that take two models (CLV, the bulk
 * scoring): the published CDNOW fits (docs/models.md). */
static libdbm_model *ref_freq, *ref_spend;

/* Customers from new (0, 0, 0) to heavy and long-lived, with spend; a
 * loaded model's parameters vary, these do not. */
static const double cx[N_CUSTOMERS] = { 0, 0, 1, 2, 5, 30, 100, 1e4 };
static const double ctx_[N_CUSTOMERS] = { 0, 0, 1, 5, 30, 51.9, 100, 1e3 };
static const double cT[N_CUSTOMERS] = { 0, 10, 2, 5, 40, 52, 100, 2e3 };
static const double cm[N_CUSTOMERS] = { 0, 0, 20, 35.5, 1e-3, 1e6, 12, 7 };

libdbm_context *fuzz_context(void)
{
    static const double bgnbd[4] = { 0.243, 4.414, 0.793, 2.426 };
    static const double gg[3] = { 6.25, 3.74, 15.44 };
    if (ctx != NULL)
        return ctx;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return NULL;
    if (libdbm_model_new(&ref_freq, ctx, LIBDBM_MODEL_BGNBD) != LIBDBM_OK ||
        libdbm_model_set_params(ref_freq, bgnbd, 4) != LIBDBM_OK ||
        libdbm_model_new(&ref_spend, ctx, LIBDBM_MODEL_GAMMA_GAMMA) != LIBDBM_OK ||
        libdbm_model_set_params(ref_spend, gg, 3) != LIBDBM_OK)
        fuzz_fail("reference models", LIBDBM_EINVAL);
    return ctx;
}

void fuzz_fail(const char *what, int status)
{
    fprintf(stderr, "%s: %s (%s)\n", what, libdbm_strerror(status),
            ctx ? libdbm_context_errmsg(ctx) : "");
    abort();
}

/* CRC-32C bit by bit: independent of lib/base/crc32c.c's tables. */
static uint32_t crc32c(const unsigned char *p, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (len-- > 0) {
        int k;
        crc ^= *p++;
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

unsigned char *fuzz_reseal(const uint8_t *data, size_t size)
{
    unsigned char *copy;
    uint32_t crc;
    if (size < 4 || (copy = malloc(size)) == NULL)
        return NULL;
    memcpy(copy, data, size);
    crc = crc32c(copy, size - 4);
    copy[size - 4] = (unsigned char)crc;
    copy[size - 3] = (unsigned char)(crc >> 8);
    copy[size - 2] = (unsigned char)(crc >> 16);
    copy[size - 1] = (unsigned char)(crc >> 24);
    return copy;
}

int fuzz_blob_target(const uint8_t *data, size_t size, fuzz_blob_loader *load)
{
    libdbm_context *context = fuzz_context();
    unsigned char *sealed;
    if (context == NULL)
        return 0;
    load(context, data, size);
    if ((sealed = fuzz_reseal(data, size)) != NULL) {
        load(context, sealed, size);
        free(sealed);
    }
    return 0;
}

/* Values returned with LIBDBM_OK lie in their mathematical range:
 * probabilities in [0, 1], expected numbers of purchases not negative
 * (up to rounding). */
static void not_negative(const char *what, double v)
{
    if (!(v >= -1e-9)) {
        fprintf(stderr, "%s: %.17g < 0\n", what, v);
        abort();
    }
}

/* A value returned with LIBDBM_OK must be finite; the only other answer
 * for valid customers is LIBDBM_ERANGE ("could not be computed"). */
static int answered(const char *what, int status, double v)
{
    if (status == LIBDBM_OK) {
        if (!isfinite(v)) {
            fprintf(stderr, "%s: %g returned with LIBDBM_OK\n", what, v);
            abort();
        }
        return 1;
    }
    if (status != LIBDBM_ERANGE)
        fuzz_fail(what, status);
    return 0;
}

static void probability(const char *what, double p)
{
    if (!(p >= -1e-12 && p <= 1 + 1e-12)) {
        fprintf(stderr, "%s: %.17g is not a probability\n", what, p);
        abort();
    }
}

/* The array and bulk functions promise the scalar result within 1e-12
 * relative (the last term keeps denormal results from failing it). Either
 * side may instead say it could not compute a value (NaN in an array with
 * LIBDBM_ERANGE, LIBDBM_ERANGE from a scalar function): the bulk path
 * multiplies P(alive) by factors computed once per (x, T), so near
 * overflow one of them gives up where the other does not. */
static void agrees(const char *what, int i, double bulk, int scalar_ok, double scalar)
{
    if (isnan(bulk) || !scalar_ok)
        return;
    if (!(fabs(bulk - scalar) <= 1e-12 * fmax(fabs(bulk), fabs(scalar)) + 1e-300)) {
        fprintf(stderr, "%s, customer %d: bulk %.17g, scalar %.17g\n", what, i, bulk, scalar);
        abort();
    }
}

static void check_bulk_status(const char *what, int status, const double *v, int n)
{
    int i;
    if (status == LIBDBM_OK) {
        for (i = 0; v != NULL && i < n; i++)
            if (!isfinite(v[i])) {
                fprintf(stderr, "%s: element %d is %g with LIBDBM_OK\n", what, i, v[i]);
                abort();
            }
    } else if (status != LIBDBM_ERANGE) {
        fuzz_fail(what, status);
    }
}

static void check_frequency_model(const libdbm_model *m)
{
    static const double horizons[] = { 0, 1, 52, 1e4 };
    libdbm_predict_options opt = LIBDBM_PREDICT_OPTIONS_INIT;
    double pa[N_CUSTOMERS], ep[N_CUSTOMERS], clv[N_CUSTOMERS];
    double bulk_pa[N_CUSTOMERS], bulk_ep[N_CUSTOMERS], bulk_clv[N_CUSTOMERS];
    double arr[N_CUSTOMERS], v;
    int pa_ok[N_CUSTOMERS], ep_ok[N_CUSTOMERS], clv_ok[N_CUSTOMERS], i, k, status;
    for (i = 0; i < N_CUSTOMERS; i++) {
        status = libdbm_model_p_alive(m, &pa[i], cx[i], ctx_[i], cT[i]);
        pa_ok[i] = answered("p_alive", status, pa[i]);
        if (pa_ok[i])
            probability("p_alive", pa[i]);
        for (k = 0; k < 4; k++) {
            status = libdbm_model_expected_purchases(m, &v, horizons[k], cx[i], ctx_[i], cT[i]);
            if (answered("expected_purchases", status, v))
                not_negative("expected_purchases", v);
            if (k == 2) {       /* the bulk functions' horizon */
                ep[i] = v;
                ep_ok[i] = status == LIBDBM_OK;
            }
        }
        status = libdbm_model_clv(m, ref_spend, &clv[i], cx[i], ctx_[i], cT[i], cm[i], 12, 0.01,
                                  1.0, 365.25 / 12.0 / 7.0);
        clv_ok[i] = answered("clv", status, clv[i]);
    }
    status = libdbm_model_p_alive_array(m, arr, cx, ctx_, cT, N_CUSTOMERS, 1);
    check_bulk_status("p_alive_array", status, arr, N_CUSTOMERS);
    for (i = 0; i < N_CUSTOMERS; i++)
        agrees("p_alive_array", i, arr[i], pa_ok[i], pa[i]);
    status = libdbm_model_expected_purchases_array(m, arr, 52, cx, ctx_, cT, N_CUSTOMERS, 1);
    check_bulk_status("expected_purchases_array", status, arr, N_CUSTOMERS);
    for (i = 0; i < N_CUSTOMERS; i++)
        agrees("expected_purchases_array", i, arr[i], ep_ok[i], ep[i]);
    status = libdbm_model_predict_arrays(m, ref_spend, bulk_pa, bulk_ep, NULL, bulk_clv, cx, ctx_,
                                         cT, cm, N_CUSTOMERS, &opt);
    check_bulk_status("predict_arrays", status, bulk_pa, N_CUSTOMERS);
    check_bulk_status("predict_arrays", status, bulk_ep, N_CUSTOMERS);
    check_bulk_status("predict_arrays", status, bulk_clv, N_CUSTOMERS);
    for (i = 0; i < N_CUSTOMERS; i++) {
        agrees("predict_arrays p_alive", i, bulk_pa[i], pa_ok[i], pa[i]);
        agrees("predict_arrays expected", i, bulk_ep[i], ep_ok[i], ep[i]);
        agrees("predict_arrays clv", i, bulk_clv[i], clv_ok[i], clv[i]);
    }
    for (k = 0; k < 4; k++) {
        status = libdbm_model_expected_purchases_new(m, &v, horizons[k]);
        if (answered("expected_purchases_new", status, v))
            not_negative("expected_purchases_new", v);
    }
    for (k = 0; k < 4; k++) {
        static const int32_t counts[] = { 0, 1, 3, 50 };
        status = libdbm_model_prob_purchases(m, &v, counts[k], k % 2 ? 52.0 : 1.0);
        if (answered("prob_purchases", status, v))
            probability("prob_purchases", v);
    }
}

static void check_spend_model(const libdbm_model *m)
{
    libdbm_predict_options opt = LIBDBM_PREDICT_OPTIONS_INIT;
    double spend[N_CUSTOMERS], clv[N_CUSTOMERS], bulk_spend[N_CUSTOMERS], bulk_clv[N_CUSTOMERS];
    int spend_ok[N_CUSTOMERS], clv_ok[N_CUSTOMERS], i, status;
    for (i = 0; i < N_CUSTOMERS; i++) {
        status = libdbm_model_expected_spend(m, &spend[i], cx[i], cm[i]);
        spend_ok[i] = answered("expected_spend", status, spend[i]);
        status = libdbm_model_clv(ref_freq, m, &clv[i], cx[i], ctx_[i], cT[i], cm[i], 12, 0.01,
                                  1.0, 365.25 / 12.0 / 7.0);
        clv_ok[i] = answered("clv", status, clv[i]);
    }
    status = libdbm_model_predict_arrays(ref_freq, m, NULL, NULL, bulk_spend, bulk_clv, cx, ctx_,
                                         cT, cm, N_CUSTOMERS, &opt);
    check_bulk_status("predict_arrays", status, bulk_spend, N_CUSTOMERS);
    check_bulk_status("predict_arrays", status, bulk_clv, N_CUSTOMERS);
    for (i = 0; i < N_CUSTOMERS; i++) {
        agrees("predict_arrays spend", i, bulk_spend[i], spend_ok[i], spend[i]);
        agrees("predict_arrays clv", i, bulk_clv[i], clv_ok[i], clv[i]);
    }
    /* Only the spend column: no frequency model, no t_x or T. */
    status = libdbm_model_predict_arrays(NULL, m, NULL, NULL, bulk_spend, NULL, cx, NULL, NULL,
                                         cm, N_CUSTOMERS, NULL);
    check_bulk_status("predict_arrays spend only", status, bulk_spend, N_CUSTOMERS);
    for (i = 0; i < N_CUSTOMERS; i++)
        agrees("predict_arrays spend only", i, bulk_spend[i], spend_ok[i], spend[i]);
}

/* The fit information and standard errors: errors returned with
 * LIBDBM_OK are square roots of variances, finite and >= 0. */
static void check_fit_info(const libdbm_model *m, int32_t count)
{
    double ll, seconds, errors[4];
    int32_t iterations, i;
    int converged, status;
    if ((status = libdbm_model_fit_info(m, &ll, &iterations, &converged, &seconds)) != LIBDBM_OK)
        fuzz_fail("fit_info", status);
    if ((converged != 0 && converged != 1) || iterations < 0) {
        fprintf(stderr, "fit_info: converged %d, iterations %d\n", converged, (int)iterations);
        abort();
    }
    status = libdbm_model_std_errors(m, errors, 4);
    if (status == LIBDBM_OK) {
        for (i = 0; i < count; i++)
            if (!(errors[i] >= 0) || !isfinite(errors[i])) {
                fprintf(stderr, "std_errors: error %d is %g with LIBDBM_OK\n", (int)i,
                        errors[i]);
                abort();
            }
    } else if (status != LIBDBM_EINVAL && status != LIBDBM_ERANGE) {
        fuzz_fail("std_errors", status);
    }
}

static void same_params(const char *what, const libdbm_model *a, const libdbm_model *b)
{
    double pa[4], pb[4];
    int ka, kb;
    int32_t n = 0;
    if (libdbm_model_kind(a, &ka) != LIBDBM_OK || libdbm_model_kind(b, &kb) != LIBDBM_OK ||
        libdbm_model_param_count(a, &n) != LIBDBM_OK || ka != kb ||
        libdbm_model_get_params(a, pa, 4) != LIBDBM_OK ||
        libdbm_model_get_params(b, pb, 4) != LIBDBM_OK ||
        memcmp(pa, pb, (size_t)n * sizeof(double)) != 0) {
        fprintf(stderr, "%s: the parameters differ after a round trip\n", what);
        abort();
    }
}

/* JSON: 17 significant digits restore the same doubles; after one trip
 * (which drops what JSON cannot hold: the fit of an unfitted model,
 * non-finite figures) the text is stable. */
static void check_json(const libdbm_model *m)
{
    char *json = NULL, *json2 = NULL, *json3 = NULL;
    libdbm_model *back = NULL, *back2 = NULL;
    int status;
    if ((status = libdbm_model_to_json(m, &json)) != LIBDBM_OK)
        fuzz_fail("to_json", status);
    if ((status = libdbm_model_from_json(&back, ctx, json)) != LIBDBM_OK)
        fuzz_fail("from_json of to_json", status);
    same_params("json", m, back);
    if (libdbm_model_to_json(back, &json2) != LIBDBM_OK ||
        libdbm_model_from_json(&back2, ctx, json2) != LIBDBM_OK ||
        libdbm_model_to_json(back2, &json3) != LIBDBM_OK || strcmp(json2, json3) != 0) {
        fprintf(stderr, "model JSON is not stable:\n%s\n%s\n", json2 ? json2 : "",
                json3 ? json3 : "");
        abort();
    }
    libdbm_free_string(json);
    libdbm_free_string(json2);
    libdbm_free_string(json3);
    libdbm_model_free(back);
    libdbm_model_free(back2);
}

/* The blob holds everything: saving what it loads gives the same bytes. */
static void check_blob(const libdbm_model *m)
{
    void *blob = NULL, *blob2 = NULL;
    size_t len = 0, len2 = 0;
    libdbm_model *back = NULL;
    int status;
    if ((status = libdbm_model_save(m, &blob, &len)) != LIBDBM_OK)
        fuzz_fail("model_save", status);
    if ((status = libdbm_model_load(&back, ctx, blob, len)) != LIBDBM_OK)
        fuzz_fail("model_load of model_save", status);
    same_params("blob", m, back);
    if (libdbm_model_save(back, &blob2, &len2) != LIBDBM_OK || len != len2 ||
        memcmp(blob, blob2, len) != 0) {
        fprintf(stderr, "model blob does not read back to the same bytes\n");
        abort();
    }
    libdbm_free_blob(blob);
    libdbm_free_blob(blob2);
    libdbm_model_free(back);
}

void fuzz_check_model(const libdbm_model *m)
{
    double params[4];
    int32_t count = 0, i;
    int kind = 0;
    if (libdbm_model_kind(m, &kind) != LIBDBM_OK || libdbm_model_param_count(m, &count) != LIBDBM_OK ||
        count < 3 || count > 4 || libdbm_model_get_params(m, params, 4) != LIBDBM_OK)
        fuzz_fail("model kind and parameters", LIBDBM_EINVAL);
    for (i = 0; i < count; i++)
        if (!(params[i] > 0) || !isfinite(params[i])) {
            fprintf(stderr, "a loaded model has parameter %d = %g\n", (int)i, params[i]);
            abort();
        }
    if (kind == LIBDBM_MODEL_GAMMA_GAMMA)
        check_spend_model(m);
    else if (kind == LIBDBM_MODEL_BGNBD || kind == LIBDBM_MODEL_PARETO_NBD)
        check_frequency_model(m);
    else
        fuzz_fail("model kind", LIBDBM_EINVAL);
    check_fit_info(m, count);
    check_json(m);
    check_blob(m);
}
