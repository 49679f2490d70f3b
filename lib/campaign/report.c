/* Measurement: per-stage counts and the conversion uplift of treated over
 * holdout entries, from the scheduler state in the store (so erased
 * profiles leave the counts with the rest of their data). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "libdbm.h"
#include "policy_text.h"    /* dbmi_pol_printf, the outcome names */
#include "scheduler.h"
#include "store_columns.h"

#define MAX_RULES 16
/* The 97.5% quantile of the standard normal distribution. */
#define Z_975 1.959963984540054

typedef struct rule_count {
    char name[40];
    int64_t count;
} rule_count;

typedef struct stage_counts {
    int64_t due, allowed, deferred, late, condition, no_date, deadline, denied;
    int64_t outcomes[LIBDBM_OUTCOME_FAILED + 1];
    rule_count rules[MAX_RULES];
    size_t n_rules;
} stage_counts;

typedef struct counts {
    int64_t entered[2], converted[2];   /* [0] treated, [1] holdout */
    stage_counts stages[DBMI_CAMP_MAX_STAGES];
} counts;

static void count_rule(stage_counts *sc, const char *rule)
{
    size_t k;
    sc->denied++;
    for (k = 0; k < sc->n_rules; k++)
        if (strcmp(sc->rules[k].name, rule) == 0) {
            sc->rules[k].count++;
            return;
        }
    if (sc->n_rules == MAX_RULES)
        rule = "other";
    for (k = 0; k < sc->n_rules; k++)
        if (strcmp(sc->rules[k].name, rule) == 0) {
            sc->rules[k].count++;
            return;
        }
    snprintf(sc->rules[sc->n_rules].name, sizeof(sc->rules[0].name), "%s", rule);
    sc->rules[sc->n_rules++].count = 1;
}

static void count_stage(const libdbm_store *store, stage_counts *sc, const dbmi_camp_stage *st)
{
    const char *reason = st->reason ? dbmi_store_name_text(store, st->reason - 1) : "";
    int o;
    sc->deferred += st->defers;
    if (st->state == DBMI_CAMP_PENDING && st->defers == 0)
        return;
    sc->due++;
    if (st->state == DBMI_CAMP_ISSUED)
        sc->allowed++;
    else if (st->state == DBMI_CAMP_SKIPPED) {
        if (reason == NULL)
            reason = "";
        if (strcmp(reason, DBMI_CAMP_REASON_LATE) == 0)
            sc->late++;
        else if (strcmp(reason, DBMI_CAMP_REASON_CONDITION) == 0)
            sc->condition++;
        else if (strcmp(reason, DBMI_CAMP_REASON_NO_DATE) == 0)
            sc->no_date++;
        else if (strcmp(reason, DBMI_CAMP_REASON_DEADLINE) == 0)
            sc->deadline++;
        else
            count_rule(sc, reason);
    }
    for (o = LIBDBM_OUTCOME_SENT; o <= LIBDBM_OUTCOME_FAILED; o++)
        sc->outcomes[o] += (st->outcomes >> o) & 1u;
}

static void gather(libdbm_campaign_scheduler *s, counts *c)
{
    const libdbm_campaign *def = s->campaign;
    const dbmi_model *m;
    uint32_t name, i;
    size_t slot, n, k;
    memset(c, 0, sizeof(*c));
    dbmi_store_read_lock(s->store);
    m = dbmi_store_model(s->store);
    if (dbmi_store_name_id(s->store, def->name, strlen(def->name), &name)) {
        n = dbmi_store_slot_count(s->store);
        for (slot = 0; slot < n; slot++)
            for (i = dbmi_camp_first(m, (uint32_t)slot); i != DBMI_CAMP_NONE;
                 i = dbmi_camp_entry_at(m, i)->next) {
                const dbmi_camp_entry *e = dbmi_camp_entry_at(m, i);
                if (e->campaign != name)
                    continue;
                /* An entry a merge ended is the same person's other entry:
                 * its contacts count, the person only once. */
                if (e->end != DBMI_CAMP_END_MERGED) {
                    c->entered[e->holdout]++;
                    c->converted[e->holdout] += e->end == DBMI_CAMP_END_CONVERTED;
                }
                for (k = 0; k < e->n_stages && k < def->n_stages; k++)
                    count_stage(s->store, &c->stages[k], &e->stages[k]);
            }
    }
    dbmi_store_read_unlock(s->store);
}

/* The Wald interval for a difference of two independent proportions
 * (Newcombe 1998, method 1; Agresti & Caffo 2000 discuss its coverage). */
static void uplift_of(const counts *c, double *rt, double *rh, double *d, double *lo, double *hi)
{
    double n1 = (double)c->entered[0], n0 = (double)c->entered[1], p1, p0, se;
    if (n1 == 0 || n0 == 0) {
        *rt = n1 > 0 ? (double)c->converted[0] / n1 : NAN;
        *rh = n0 > 0 ? (double)c->converted[1] / n0 : NAN;
        *d = *lo = *hi = NAN;
        return;
    }
    p1 = (double)c->converted[0] / n1;
    p0 = (double)c->converted[1] / n0;
    se = sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0);
    *rt = p1;
    *rh = p0;
    *d = p1 - p0;
    *lo = *d - Z_975 * se;
    *hi = *d + Z_975 * se;
}

LIBDBM_API int libdbm_campaign_uplift(libdbm_campaign_scheduler *s, double *treated_rate,
                                      double *holdout_rate, double *uplift, double *ci_low,
                                      double *ci_high)
{
    counts c;
    double v[5];
    if (s == NULL)
        return LIBDBM_EINVAL;
    gather(s, &c);
    uplift_of(&c, &v[0], &v[1], &v[2], &v[3], &v[4]);
    if (treated_rate != NULL)
        *treated_rate = v[0];
    if (holdout_rate != NULL)
        *holdout_rate = v[1];
    if (uplift != NULL)
        *uplift = v[2];
    if (ci_low != NULL)
        *ci_low = v[3];
    if (ci_high != NULL)
        *ci_high = v[4];
    return LIBDBM_OK;
}

/* ---- formatting ------------------------------------------------------------ */

typedef struct metric {
    const char *name;
    int64_t value;
} metric;

static size_t stage_metrics(const stage_counts *sc, metric *out)
{
    size_t n = 0;
    int o;
    out[n++] = (metric){"due", sc->due};
    out[n++] = (metric){"allowed", sc->allowed};
    out[n++] = (metric){"deferred", sc->deferred};
    out[n++] = (metric){"denied", sc->denied};
    out[n++] = (metric){"skipped_late", sc->late};
    out[n++] = (metric){"skipped_condition", sc->condition};
    out[n++] = (metric){"skipped_no_date", sc->no_date};
    out[n++] = (metric){"skipped_deadline", sc->deadline};
    for (o = LIBDBM_OUTCOME_SENT; o <= LIBDBM_OUTCOME_FAILED; o++)
        out[n++] = (metric){dbmi_pol_outcome_names[o], sc->outcomes[o]};
    return n;
}

/* A double as JSON/CSV: null / empty for NaN. */
static void put_double(dbmi_buf *b, double v, int json)
{
    if (isnan(v))
        dbmi_pol_printf(b, "%s", json ? "null" : "");
    else
        dbmi_pol_printf(b, "%.10g", v);
}

static void csv(dbmi_buf *b, const libdbm_campaign *def, const counts *c, const double *u)
{
    static const char *const totals[] = {"entered_treated", "entered_holdout",
                                         "converted_treated", "converted_holdout"};
    static const char *const rates[] = {"rate_treated", "rate_holdout", "uplift",
                                        "uplift_ci_low", "uplift_ci_high"};
    metric ms[32];
    size_t k, j, n;
    int64_t tv[4];
    tv[0] = c->entered[0];
    tv[1] = c->entered[1];
    tv[2] = c->converted[0];
    tv[3] = c->converted[1];
    dbmi_pol_printf(b, "campaign,stage,metric,value\n");
    for (k = 0; k < 4; k++)
        dbmi_pol_printf(b, "%s,,%s,%lld\n", def->name, totals[k], (long long)tv[k]);
    for (k = 0; k < 5; k++) {
        dbmi_pol_printf(b, "%s,,%s,", def->name, rates[k]);
        put_double(b, u[k], 0);
        dbmi_pol_printf(b, "\n");
    }
    for (k = 0; k < def->n_stages; k++) {
        n = stage_metrics(&c->stages[k], ms);
        for (j = 0; j < n; j++)
            dbmi_pol_printf(b, "%s,%s,%s,%lld\n", def->name, def->stages[k].name, ms[j].name,
                (long long)ms[j].value);
        for (j = 0; j < c->stages[k].n_rules; j++)
            dbmi_pol_printf(b, "%s,%s,denied_by_%s,%lld\n", def->name, def->stages[k].name,
                c->stages[k].rules[j].name, (long long)c->stages[k].rules[j].count);
    }
}

static void json(dbmi_buf *b, const libdbm_campaign *def, const counts *c, const double *u)
{
    metric ms[32];
    size_t k, j, n;
    dbmi_pol_printf(b, "{\"campaign\":\"%s\",\"entered\":{\"treated\":%lld,\"holdout\":%lld},", def->name,
        (long long)c->entered[0], (long long)c->entered[1]);
    dbmi_pol_printf(b, "\"converted\":{\"treated\":%lld,\"holdout\":%lld},\"rate\":{\"treated\":",
        (long long)c->converted[0], (long long)c->converted[1]);
    put_double(b, u[0], 1);
    dbmi_pol_printf(b, ",\"holdout\":");
    put_double(b, u[1], 1);
    dbmi_pol_printf(b, "},\"uplift\":{\"value\":");
    put_double(b, u[2], 1);
    dbmi_pol_printf(b, ",\"ci_low\":");
    put_double(b, u[3], 1);
    dbmi_pol_printf(b, ",\"ci_high\":");
    put_double(b, u[4], 1);
    dbmi_pol_printf(b, ",\"confidence\":0.95},\"stages\":[");
    for (k = 0; k < def->n_stages; k++) {
        dbmi_pol_printf(b, "%s{\"stage\":\"%s\",\"channel\":\"%s\"", k ? "," : "", def->stages[k].name,
            def->stages[k].channel);
        n = stage_metrics(&c->stages[k], ms);
        for (j = 0; j < n; j++)
            dbmi_pol_printf(b, ",\"%s\":%lld", ms[j].name, (long long)ms[j].value);
        dbmi_pol_printf(b, ",\"denied_by\":{");
        for (j = 0; j < c->stages[k].n_rules; j++)
            dbmi_pol_printf(b, "%s\"%s\":%lld", j ? "," : "", c->stages[k].rules[j].name,
                (long long)c->stages[k].rules[j].count);
        dbmi_pol_printf(b, "}}");
    }
    dbmi_pol_printf(b, "]}\n");
}

LIBDBM_API int libdbm_campaign_report(libdbm_campaign_scheduler *s, char **out, int format)
{
    counts *c;
    double u[5];
    dbmi_buf b;
    int status;
    if (out != NULL)
        *out = NULL;
    if (s == NULL || out == NULL)
        return LIBDBM_EINVAL;
    if (format != LIBDBM_CAMPAIGN_REPORT_CSV && format != LIBDBM_CAMPAIGN_REPORT_JSON)
        return dbmi_error(s->ctx, LIBDBM_EINVAL, "report format %d is not a LIBDBM_CAMPAIGN_REPORT_*",
                          format);
    c = dbmi_malloc(s->ctx, sizeof(*c));
    if (c == NULL)
        return dbmi_error_nomem(s->ctx, "campaign report");
    gather(s, c);
    uplift_of(c, &u[0], &u[1], &u[2], &u[3], &u[4]);
    dbmi_buf_init(&b, s->ctx);
    if (format == LIBDBM_CAMPAIGN_REPORT_CSV)
        csv(&b, s->campaign, c, u);
    else
        json(&b, s->campaign, c, u);
    status = dbmi_buf_status(&b);
    if (status == LIBDBM_OK && (*out = dbmi_export_string(s->ctx, (const char *)b.data, b.len)) == NULL)
        status = dbmi_error_nomem(s->ctx, "campaign report");
    dbmi_buf_free(&b);
    dbmi_free(s->ctx, c);
    return status;
}
