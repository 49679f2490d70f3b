/* The model's JSON form: readable, and exact (17 significant digits, read
 * back with the C locale whatever the host's LC_NUMERIC). */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "model_internal.h"

#define JSON_FORMAT_VERSION 1
#define JSON_MAX_DEPTH 16
#define JSON_MAX_LEN (1u << 20)

static const char *kind_json_name(int kind)
{
    switch (kind) {
    case LIBDBM_MODEL_BGNBD: return "bgnbd";
    case LIBDBM_MODEL_PARETO_NBD: return "pareto_nbd";
    case LIBDBM_MODEL_GAMMA_GAMMA: return "gamma_gamma";
    default: return NULL;
    }
}

/* %.17g with '.' as the decimal separator in any locale. */
static void put_number(dbmi_buf *buf, double v)
{
    char tmp[40];
    if (!isfinite(v))
        v = 0.0;
    int len = snprintf(tmp, sizeof(tmp), "%.17g", v);
    for (int i = 0; i < len; i++)
        if (tmp[i] != '-' && tmp[i] != '+' && tmp[i] != 'e' && (tmp[i] < '0' || tmp[i] > '9'))
            tmp[i] = '.';
    dbmi_buf_put(buf, tmp, (size_t)len);
}

static void put_text(dbmi_buf *buf, const char *s)
{
    dbmi_buf_put(buf, s, strlen(s));
}

LIBDBM_API int libdbm_model_to_json(const libdbm_model *model, char **json)
{
    if (json != NULL)
        *json = NULL;
    if (model == NULL || json == NULL)
        return LIBDBM_EINVAL;
    dbmi_buf buf;
    dbmi_buf_init(&buf, model->ctx);
    put_text(&buf, "{\"format\":1,\"model\":\"");
    put_text(&buf, kind_json_name(model->kind));
    put_text(&buf, "\",\"params\":{");
    for (int i = 0; i < model->nparams; i++) {
        put_text(&buf, i ? ",\"" : "\"");
        put_text(&buf, model->param_names[i]);
        put_text(&buf, "\":");
        put_number(&buf, model->params[i]);
    }
    put_text(&buf, "},\"fit\":{\"converged\":");
    put_text(&buf, model->fitted ? "1" : "0");
    put_text(&buf, ",\"log_likelihood\":");
    put_number(&buf, model->log_likelihood);
    put_text(&buf, ",\"iterations\":");
    put_number(&buf, (double)model->iterations);
    put_text(&buf, ",\"seconds\":");
    put_number(&buf, model->seconds);
    put_text(&buf, "}");
    if (model->has_cov) {
        put_text(&buf, ",\"covariance\":[");
        for (int i = 0; i < model->nparams * model->nparams; i++) {
            if (i)
                put_text(&buf, ",");
            put_number(&buf, model->cov[i]);
        }
        put_text(&buf, "]");
    }
    put_text(&buf, "}");
    int rc = dbmi_buf_status(&buf);
    if (rc == LIBDBM_OK) {
        *json = dbmi_export_string(model->ctx, (const char *)buf.data, buf.len);
        if (*json == NULL)
            rc = dbmi_error_nomem(model->ctx, "model JSON");
    }
    dbmi_buf_free(&buf);
    return rc;
}

/* ---- reading: a small recursive-descent JSON parser that reports the
 * values it meets by path ("params.r", "covariance[3]", "model"). ------- */

typedef struct json_model {
    int format;                 /* -1 until seen */
    char model[32];
    double params[DBMI_MODEL_MAX_PARAMS];
    int seen_params[DBMI_MODEL_MAX_PARAMS];
    const char *const *param_names;
    int nparams;
    double fit[4];              /* converged, log_likelihood, iterations, seconds */
    int seen_fit[4];
    double cov[DBMI_MODEL_MAX_PARAMS * DBMI_MODEL_MAX_PARAMS];
    int ncov;
    char pending_names[8][32];  /* params seen before "model" told us the kind */
    double pending_values[8];
    int npending;
} json_model;

typedef struct json_parser {
    const char *p;
    const char *err;
    locale_t c_locale;
    json_model *out;
} json_parser;

static void skip_ws(json_parser *jp)
{
    while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r')
        jp->p++;
}

/* Reads a string into @p dst (truncated to cap-1; escapes other than the
 * simple ones are kept verbatim: names and kinds are ASCII). */
static int parse_string(json_parser *jp, char *dst, size_t cap)
{
    size_t n = 0;
    if (*jp->p != '"') {
        jp->err = "a string was expected";
        return -1;
    }
    jp->p++;
    while (*jp->p != '"') {
        char c = *jp->p;
        if (c == '\0' || (unsigned char)c < 0x20) {
            jp->err = "unterminated string";
            return -1;
        }
        if (c == '\\') {
            jp->p++;
            if (*jp->p == '\0') {
                jp->err = "unterminated string";
                return -1;
            }
            c = *jp->p;
        }
        if (n + 1 < cap)
            dst[n++] = c;
        jp->p++;
    }
    jp->p++;
    if (cap > 0)
        dst[n] = '\0';
    return 0;
}

static void record_param(json_model *m, const char *name, double v)
{
    if (m->param_names == NULL) {
        if (m->npending < 8) {
            snprintf(m->pending_names[m->npending], 32, "%s", name);
            m->pending_values[m->npending++] = v;
        }
        return;
    }
    for (int i = 0; i < m->nparams; i++)
        if (strcmp(name, m->param_names[i]) == 0) {
            m->params[i] = v;
            m->seen_params[i] = 1;
        }
}

static void on_number(json_parser *jp, const char *path, const char *key, int index, double v)
{
    json_model *m = jp->out;
    static const char *const fit_keys[4] = { "converged", "log_likelihood", "iterations",
                                             "seconds" };
    if (strcmp(path, "-") == 0) {
        return;
    } else if (index == -1 && strcmp(path, "") == 0 && strcmp(key, "format") == 0) {
        m->format = v == floor(v) && fabs(v) < 1e6 ? (int)v : 0;
    } else if (index == -1 && strcmp(path, "params") == 0) {
        record_param(m, key, v);
    } else if (index == -1 && strcmp(path, "fit") == 0) {
        for (int i = 0; i < 4; i++)
            if (strcmp(key, fit_keys[i]) == 0) {
                m->fit[i] = v;
                m->seen_fit[i] = 1;
            }
    } else if (strcmp(path, "") == 0 && strcmp(key, "covariance") == 0 && index >= 0) {
        if (index < DBMI_MODEL_MAX_PARAMS * DBMI_MODEL_MAX_PARAMS)
            m->cov[index] = v;
        if (index + 1 > m->ncov)
            m->ncov = index + 1;
    }
}

static int parse_value(json_parser *jp, const char *path, const char *key, int index, int depth);

static int parse_container(json_parser *jp, const char *path, const char *key, int depth)
{
    /* The path of children: "" at the top, the key of a top-level object
     * one level down ("params"), a top-level array's elements keep the
     * array's key with an index; anything deeper is ignored ("-"). */
    char open = *jp->p, close = open == '{' ? '}' : ']';
    const char *child_path = open == '{' ? (depth == 0 ? "" : depth == 1 ? key : "-")
                                         : (depth == 1 ? path : "-");
    jp->p++;
    skip_ws(jp);
    if (*jp->p == close) {
        jp->p++;
        return 0;
    }
    for (int idx = 0;; idx++) {
        char name[64] = "";
        skip_ws(jp);
        if (open == '{') {
            if (parse_string(jp, name, sizeof(name)) != 0)
                return -1;
            skip_ws(jp);
            if (*jp->p != ':') {
                jp->err = "':' was expected";
                return -1;
            }
            jp->p++;
            if (parse_value(jp, child_path, name, -1, depth + 1) != 0)
                return -1;
        } else {
            /* array elements keep the array's key, with their index */
            if (parse_value(jp, child_path, key, idx, depth + 1) != 0)
                return -1;
        }
        skip_ws(jp);
        if (*jp->p == ',') {
            jp->p++;
            continue;
        }
        if (*jp->p == close) {
            jp->p++;
            return 0;
        }
        jp->err = "',' or a closing bracket was expected";
        return -1;
    }
}

static int parse_value(json_parser *jp, const char *path, const char *key, int index, int depth)
{
    skip_ws(jp);
    if (depth > JSON_MAX_DEPTH) {
        jp->err = "nested too deeply";
        return -1;
    }
    char c = *jp->p;
    if (c == '{' || c == '[')
        return parse_container(jp, path, key, depth);
    if (c == '"') {
        char text[32];
        if (parse_string(jp, text, sizeof(text)) != 0)
            return -1;
        if (index == -1 && strcmp(path, "") == 0 && strcmp(key, "model") == 0 && depth == 1)
            snprintf(jp->out->model, sizeof(jp->out->model), "%s", text);
        return 0;
    }
    if (strncmp(jp->p, "true", 4) == 0 || strncmp(jp->p, "null", 4) == 0) {
        jp->p += 4;
        return 0;
    }
    if (strncmp(jp->p, "false", 5) == 0) {
        jp->p += 5;
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char *end;
        double v = strtod_l(jp->p, &end, jp->c_locale);
        if (end == jp->p) {
            jp->err = "bad number";
            return -1;
        }
        jp->p = end;
        on_number(jp, path, key, index, v);
        return 0;
    }
    jp->err = "a value was expected";
    return -1;
}

static int kind_from_name(const char *name)
{
    if (strcmp(name, "bgnbd") == 0)
        return LIBDBM_MODEL_BGNBD;
    if (strcmp(name, "pareto_nbd") == 0)
        return LIBDBM_MODEL_PARETO_NBD;
    if (strcmp(name, "gamma_gamma") == 0)
        return LIBDBM_MODEL_GAMMA_GAMMA;
    return 0;
}

LIBDBM_API int libdbm_model_from_json(libdbm_model **out, libdbm_context *ctx, const char *json)
{
    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (ctx == NULL || json == NULL)
        return LIBDBM_EINVAL;
    if (strlen(json) > JSON_MAX_LEN)
        return dbmi_error(ctx, LIBDBM_ELIMIT, "model JSON longer than %u bytes", JSON_MAX_LEN);
    json_model *jm = dbmi_calloc(ctx, 1, sizeof(*jm));
    if (jm == NULL)
        return dbmi_error_nomem(ctx, "model JSON");
    jm->format = -1;
    json_parser jp = { json, NULL, newlocale(LC_NUMERIC_MASK, "C", (locale_t)0), jm };
    int rc = LIBDBM_OK;
    if (jp.c_locale == (locale_t)0) {
        rc = dbmi_error_nomem(ctx, "C locale");
    } else {
        skip_ws(&jp);
        if (*jp.p != '{')
            jp.err = "an object was expected";
        else if (parse_value(&jp, "", "", -1, 0) == 0) {
            skip_ws(&jp);
            if (*jp.p != '\0')
                jp.err = "trailing characters";
        }
        freelocale(jp.c_locale);
        if (jp.err != NULL)
            rc = dbmi_error(ctx, LIBDBM_ESYNTAX, "model JSON, at offset %ld: %s",
                            (long)(jp.p - json), jp.err);
    }
    libdbm_model *m = NULL;
    int kind = rc == LIBDBM_OK ? kind_from_name(jm->model) : 0;
    if (rc == LIBDBM_OK && jm->format != JSON_FORMAT_VERSION)
        rc = jm->format == -1 ? dbmi_error(ctx, LIBDBM_ESYNTAX, "model JSON: no \"format\"")
                              : dbmi_error(ctx, LIBDBM_EVERSION, "model JSON: format %d, this "
                                           "library reads %d", jm->format, JSON_FORMAT_VERSION);
    if (rc == LIBDBM_OK && kind == 0)
        rc = dbmi_error(ctx, LIBDBM_ESYNTAX, "model JSON: unknown or missing \"model\"");
    if (rc == LIBDBM_OK)
        rc = libdbm_model_new(&m, ctx, kind);
    if (rc == LIBDBM_OK) {
        jm->param_names = m->param_names;
        jm->nparams = m->nparams;
        for (int i = 0; i < jm->npending; i++)
            record_param(jm, jm->pending_names[i], jm->pending_values[i]);
        for (int i = 0; i < m->nparams && rc == LIBDBM_OK; i++)
            if (!jm->seen_params[i] || !(jm->params[i] > 0) || !isfinite(jm->params[i]))
                rc = dbmi_error(ctx, LIBDBM_ESYNTAX, "model JSON: parameter \"%s\" missing or "
                                "not > 0", m->param_names[i]);
    }
    if (rc == LIBDBM_OK) {
        memcpy(m->params, jm->params, sizeof(m->params));
        if (jm->seen_fit[0] && jm->fit[0] == 1.0) {
            m->fitted = 1;
            m->log_likelihood = jm->fit[1];
            m->iterations = jm->fit[2] >= 0 && jm->fit[2] < 2e9 ? (int32_t)jm->fit[2] : 0;
            m->seconds = jm->fit[3];
            if (jm->ncov == m->nparams * m->nparams) {
                memcpy(m->cov, jm->cov, sizeof(m->cov));
                m->has_cov = 1;
            }
        }
    }
    dbmi_free(ctx, jm);
    if (rc != LIBDBM_OK) {
        libdbm_model_free(m);
        return rc;
    }
    *out = m;
    return LIBDBM_OK;
}
