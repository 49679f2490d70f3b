/* libdbm_policy_check and libdbm_policy_check_and_record. The facts point
 * into the store's memory, so everything that reads them (the search and
 * the answer's sentences) runs under the read lock. Check-and-record holds
 * the store's gate across check and write: every check-and-record on the
 * store, through any policy object, is serialised there, so two can never
 * both see the last free slot. */
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "policy_check.h"
#include "store_columns.h"

int dbmi_pol_evaluate(const libdbm_policy *policy, libdbm_store *store,
                      const libdbm_policy_request *request, dbmi_pol_report_fn report,
                      void *user_data)
{
    dbmi_pol_facts f;
    dbmi_pol_outcome o;
    int status = dbmi_pol_facts_begin(&f, policy, store, request);
    if (status != LIBDBM_OK)
        return status;
    dbmi_store_read_lock(store);
    status = dbmi_pol_facts_read(&f, request->customer_id);
    if (status == LIBDBM_OK) {
        dbmi_pol_search(&f, &o);
        status = report(&f, &o, user_data);
    }
    dbmi_store_read_unlock(store);
    return status;
}

static int fill_answer(const dbmi_pol_facts *f, const dbmi_pol_outcome *o, void *answer)
{
    dbmi_pol_answer_set(answer, f, o);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_check(const libdbm_policy *policy, libdbm_policy_answer *answer,
                                   libdbm_store *store, const libdbm_policy_request *request)
{
    if (answer == NULL)
        return dbmi_error(policy ? policy->ctx : NULL, LIBDBM_EINVAL,
                          "libdbm_policy_check: NULL answer");
    return dbmi_pol_evaluate(policy, store, request, fill_answer, answer);
}

/* The campaign a recorded contact carries: "UNIT/CAMPAIGN", "CAMPAIGN",
 * or "-" for none (the unit is what per-unit caps count by). */
static void recorded_campaign(const libdbm_policy_request *r, char *buf, size_t size)
{
    const char *campaign = r->campaign ? r->campaign : "-";
    if (r->business_unit != NULL)
        snprintf(buf, size, "%s/%s", r->business_unit, campaign);
    else
        snprintf(buf, size, "%s", campaign);
}

LIBDBM_API int libdbm_policy_check_and_record(const libdbm_policy *policy,
                                              libdbm_policy_answer *answer,
                                              libdbm_store *store,
                                              const libdbm_policy_request *request)
{
    char campaign[DBMI_POL_MAX_NAME + 1 + DBMI_POL_MAX_CAMPAIGN + 1];
    int status;
    if (answer == NULL || store == NULL)
        return dbmi_error(policy ? policy->ctx : NULL, LIBDBM_EINVAL,
                          "libdbm_policy_check_and_record: NULL argument");
    dbmi_store_gate_lock(store);
    status = dbmi_pol_evaluate(policy, store, request, fill_answer, answer);
    if (status == LIBDBM_OK && libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_ALLOW &&
        request->message_class == LIBDBM_MESSAGE_MARKETING) {
        recorded_campaign(request, campaign, sizeof(campaign));
        status = libdbm_store_contact_add(store, request->customer_id, request->time,
                                          request->channel, campaign, 0, LIBDBM_OUTCOME_SENT);
        if (status == LIBDBM_OK)
            dbmi_pol_answer_recorded(answer);
    }
    dbmi_store_gate_unlock(store);
    return status;
}
