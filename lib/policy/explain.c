/* libdbm_policy_explain: the combined answer and every applicable rule's
 * own verdict at the request time, as JSON. */
#include <string.h>

#include "policy_check.h"
#include "policy_text.h"

static void json_string(dbmi_buf *buf, const char *s)
{
    dbmi_buf_put_u8(buf, '"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            dbmi_pol_printf(buf, "\\%c", c);
        else if (c < 0x20)
            dbmi_pol_printf(buf, "\\u%04x", c);
        else
            dbmi_buf_put_u8(buf, c);
    }
    dbmi_buf_put_u8(buf, '"');
}

static void json_time(dbmi_buf *buf, int64_t t)
{
    char text[40];
    if (libdbm_time_format(text, sizeof(text), t) == LIBDBM_OK)
        json_string(buf, text);
    else
        dbmi_pol_printf(buf, "%lld", (long long)t);
}

static const char *verdict_name(int verdict)
{
    return verdict == LIBDBM_POLICY_ALLOW ? "allow"
           : verdict == LIBDBM_POLICY_DENY ? "deny" : "defer";
}

/* Statics a transactional message is exempt from. */
static int exempt(const dbmi_pol_facts *f, int kind)
{
    return f->transactional && kind == DBMI_POL_R_STALE;
}

static void static_rules(dbmi_buf *buf, const dbmi_pol_facts *f)
{
    for (int kind = DBMI_POL_R_SUPPRESSION; kind < DBMI_POL_FIRST_TIME_RULE; kind++) {
        dbmi_pol_rule rule = { kind, NULL, NULL };
        dbmi_pol_why why;
        char reason[600];
        int allows = dbmi_pol_static_allows(f, kind);
        dbmi_pol_printf(buf, "%s{\"rule\":\"%s\",\"verdict\":\"%s\"",
                        kind == DBMI_POL_R_SUPPRESSION ? "" : ",", dbmi_pol_rule_names[kind],
                        exempt(f, kind) ? "exempt" : allows ? "allow" : "deny");
        if (!allows) {
            dbmi_pol_why_init(&why, f, &rule, DBMI_POL_NEVER);
            dbmi_pol_why_text(&why, reason, sizeof(reason));
            dbmi_pol_puts(buf, ",\"reason\":");
            json_string(buf, reason);
        }
        dbmi_pol_puts(buf, "}");
    }
}

static void rule_text(dbmi_buf *buf, const dbmi_pol_facts *f, const dbmi_pol_rule *rule)
{
    const dbmi_pol_spec *sp = &f->policy->spec;
    dbmi_pol_puts(buf, ",\"text\":\"");
    switch (rule->kind) {
    case DBMI_POL_R_CAP: dbmi_pol_print_cap(buf, rule->cap); break;
    case DBMI_POL_R_GAP: dbmi_pol_print_gap(buf, rule->gap); break;
    case DBMI_POL_R_FATIGUE: dbmi_pol_print_fatigue(buf, f->fatigue); break;
    case DBMI_POL_R_QUIET:
        dbmi_pol_printf(buf, "quiet %02d:%02d-%02d:%02d", (int)(sp->quiet_start / 60),
                        (int)(sp->quiet_start % 60), (int)(sp->quiet_end / 60),
                        (int)(sp->quiet_end % 60));
        break;
    default:
        dbmi_pol_puts(buf, "weekdays");
        for (int d = 1; d <= 7; d++)
            if (sp->weekdays & LIBDBM_WEEKDAY_BIT(d % 7))
                dbmi_pol_printf(buf, " %s", dbmi_pol_weekday_names[d % 7]);
        break;
    }
    dbmi_pol_puts(buf, "\"");
}

static void time_rules(dbmi_buf *buf, const dbmi_pol_facts *f)
{
    dbmi_pol_rule rule;
    size_t cursor = 0;
    while (dbmi_pol_next_rule(f, &cursor, &rule)) {
        int64_t e = dbmi_pol_earliest(f, &rule, f->time);
        dbmi_pol_why why;
        char reason[600];
        dbmi_pol_printf(buf, ",{\"rule\":\"%s\"", dbmi_pol_rule_names[rule.kind]);
        rule_text(buf, f, &rule);
        if (e == f->time) {
            dbmi_pol_puts(buf, ",\"verdict\":\"allow\"}");
            continue;
        }
        if (e == DBMI_POL_NEVER || e > f->horizon_end) {
            dbmi_pol_puts(buf, ",\"verdict\":\"deny\"");
        } else {
            dbmi_pol_puts(buf, ",\"verdict\":\"defer\",\"until\":");
            json_time(buf, e);
        }
        dbmi_pol_why_init(&why, f, &rule, e);
        dbmi_pol_why_text(&why, reason, sizeof(reason));
        dbmi_pol_puts(buf, ",\"reason\":");
        json_string(buf, reason);
        dbmi_pol_puts(buf, "}");
    }
}

typedef struct explain_job {
    libdbm_context *ctx;
    libdbm_policy_answer *answer;
    char **json;
} explain_job;

static int write_json(const dbmi_pol_facts *f, const dbmi_pol_outcome *o, void *user_data)
{
    explain_job *job = user_data;
    libdbm_policy_answer *a = job->answer;
    dbmi_buf buf;
    int status;
    dbmi_pol_answer_set(a, f, o);
    dbmi_buf_init(&buf, job->ctx);
    dbmi_pol_printf(&buf, "{\"verdict\":\"%s\",\"until\":", verdict_name(o->verdict));
    if (o->verdict == LIBDBM_POLICY_DENY)
        dbmi_pol_puts(&buf, "null");
    else
        json_time(&buf, libdbm_policy_answer_until(a));
    dbmi_pol_puts(&buf, ",\"rule\":");
    json_string(&buf, libdbm_policy_answer_rule(a));
    dbmi_pol_puts(&buf, ",\"reason\":");
    json_string(&buf, libdbm_policy_answer_reason(a));
    dbmi_pol_printf(&buf, ",\"class\":\"%s\",\"override\":",
                    f->transactional ? "transactional" : "marketing");
    if (f->override != NULL)
        json_string(&buf, f->override->name);
    else
        dbmi_pol_puts(&buf, "null");
    dbmi_pol_puts(&buf, ",\"zone\":");
    if (f->tz != NULL)
        json_string(&buf, dbmi_tz_name(f->tz));
    else
        dbmi_pol_puts(&buf, "null");
    dbmi_pol_printf(&buf, ",\"priority\":%d,\"rules\":[", (int)f->priority);
    static_rules(&buf, f);
    time_rules(&buf, f);
    dbmi_pol_puts(&buf, "]}");
    status = dbmi_buf_status(&buf);
    if (status == LIBDBM_OK) {
        *job->json = dbmi_export_string(job->ctx, (const char *)buf.data, buf.len);
        if (*job->json == NULL)
            status = dbmi_error_nomem(job->ctx, "policy explanation");
    }
    dbmi_buf_free(&buf);
    return status;
}

LIBDBM_API int libdbm_policy_explain(const libdbm_policy *policy, char **json,
                                     libdbm_store *store,
                                     const libdbm_policy_request *request)
{
    explain_job job;
    int status;
    if (json != NULL)
        *json = NULL;
    if (policy == NULL || json == NULL)
        return dbmi_error(policy ? policy->ctx : NULL, LIBDBM_EINVAL,
                          "libdbm_policy_explain: NULL argument");
    job.ctx = policy->ctx;
    job.json = json;
    status = libdbm_policy_answer_new(&job.answer, policy->ctx);
    if (status != LIBDBM_OK)
        return status;
    status = dbmi_pol_evaluate(policy, store, request, write_json, &job);
    libdbm_policy_answer_free(job.answer);
    return status;
}
