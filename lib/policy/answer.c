/* The answer object. A check fills a caller-owned answer, so checking
 * allocates nothing; the reason's sentence is written only when asked for. */
#include <stdint.h>
#include <string.h>

#include "evaluate.h"

struct libdbm_policy_answer {
    libdbm_context *ctx;
    int verdict;
    int recorded;
    int64_t until;
    const char *rule;           /* static name */
    /* The reason is written on the first libdbm_policy_answer_reason()
     * after a check, from this snapshot (the answer belongs to one thread). */
    int reason_ready;
    dbmi_pol_why why;
    char reason[600];
};

LIBDBM_API int libdbm_policy_answer_new(libdbm_policy_answer **out, libdbm_context *ctx)
{
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_policy_answer_new: NULL argument");
    *out = dbmi_calloc(ctx, 1, sizeof(**out));
    if (*out == NULL)
        return dbmi_error_nomem(ctx, "policy answer");
    (*out)->ctx = ctx;
    (*out)->rule = "";
    (*out)->reason_ready = 1;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_policy_answer_free(libdbm_policy_answer *answer)
{
    if (answer != NULL)
        dbmi_free(answer->ctx, answer);
}

LIBDBM_API int libdbm_policy_answer_verdict(const libdbm_policy_answer *answer)
{
    return answer ? answer->verdict : 0;
}

LIBDBM_API int64_t libdbm_policy_answer_until(const libdbm_policy_answer *answer)
{
    return answer ? answer->until : 0;
}

LIBDBM_API const char *libdbm_policy_answer_rule(const libdbm_policy_answer *answer)
{
    return answer ? answer->rule : "";
}

LIBDBM_API const char *libdbm_policy_answer_reason(const libdbm_policy_answer *answer)
{
    /* The answer is the caller's own object (never defined const), filled
     * in here on first demand. */
    libdbm_policy_answer *a = (libdbm_policy_answer *)(uintptr_t)answer;
    if (a == NULL)
        return "";
    if (!a->reason_ready) {
        dbmi_pol_why_text(&a->why, a->reason, sizeof(a->reason));
        a->reason_ready = 1;
    }
    return a->reason;
}

LIBDBM_API int libdbm_policy_answer_recorded(const libdbm_policy_answer *answer)
{
    return answer ? answer->recorded : 0;
}

LIBDBM_API int libdbm_policy_request_init(libdbm_policy_request *request)
{
    static const libdbm_policy_request defaults = LIBDBM_POLICY_REQUEST_INIT;
    if (request == NULL)
        return LIBDBM_EINVAL;
    *request = defaults;
    return LIBDBM_OK;
}

void dbmi_pol_answer_set(libdbm_policy_answer *answer, const dbmi_pol_facts *f,
                         const dbmi_pol_outcome *o)
{
    answer->verdict = o->verdict;
    answer->recorded = 0;
    answer->until = o->verdict == LIBDBM_POLICY_DENY ? 0 : o->until;
    answer->rule = dbmi_pol_rule_names[o->rule.kind];
    answer->reason_ready = o->verdict == LIBDBM_POLICY_ALLOW;
    answer->reason[0] = '\0';
    if (o->verdict == LIBDBM_POLICY_ALLOW)
        return;
    dbmi_pol_why_init(&answer->why, f, &o->rule, o->rule_until);
    /* A time rule that refuses although some later moment suits it: the
     * moment lies beyond the horizon. */
    answer->why.horizon = o->verdict == LIBDBM_POLICY_DENY &&
                          o->rule.kind >= DBMI_POL_FIRST_TIME_RULE &&
                          o->rule_until != DBMI_POL_NEVER;
    if (answer->why.horizon)
        answer->rule = dbmi_pol_rule_names[DBMI_POL_R_HORIZON];
}

void dbmi_pol_answer_recorded(libdbm_policy_answer *answer)
{
    answer->recorded = 1;
}
