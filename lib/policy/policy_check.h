/* One evaluation of a request, shared by check, check-and-record and
 * explain: @p report runs under the store's read lock with the facts and
 * the combined outcome, and turns them into the caller's result. */
#ifndef LIBDBM_POLICY_POLICY_CHECK_H
#define LIBDBM_POLICY_POLICY_CHECK_H

#include "evaluate.h"

typedef int (*dbmi_pol_report_fn)(const dbmi_pol_facts *f, const dbmi_pol_outcome *o,
                                  void *user_data);

int dbmi_pol_evaluate(const libdbm_policy *policy, libdbm_store *store,
                      const libdbm_policy_request *request, dbmi_pol_report_fn report,
                      void *user_data);

#endif
