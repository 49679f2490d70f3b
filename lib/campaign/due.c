/* libdbm_campaign_due: which actions are due now.
 *
 * Three steps. (1) The scan (scan.c): under the store's read lock, every
 * active entry of the campaign is looked at once and copied into a small
 * work item when something may happen to it now. (2) The decisions
 * (decide.c), without the lock, written into one batch. (3) The batch is
 * committed, and only then are the issued actions handed to the host: an
 * action the host sees is always durable. The store's gate is held
 * throughout, so two schedulers never decide the same entry at once. */
#include <string.h>

#include "due.h"
#include "libdbm.h"
#include "store_columns.h"

static void run_free(due_run *r)
{
    size_t i, k;
    libdbm_members_free(r->exit_members);
    for (i = 0; i < DBMI_CAMP_MAX_STAGES; i++)
        for (k = 0; k < DBMI_CAMP_MAX_CONDITIONS; k++)
            libdbm_members_free(r->cond_members[i][k]);
    dbmi_free(r->s->ctx, r->items);
    dbmi_free(r->s->ctx, r->dates);
    dbmi_buf_free(&r->ids);
    libdbm_campaign_actions_free(r->actions);
}

/* New entries first: the continuous segment, or the event sweep. */
static int run_entries(due_run *r)
{
    libdbm_members *members = NULL;
    int status = LIBDBM_OK;
    if (r->only != NULL)
        return LIBDBM_OK;
    if (r->c->entry_kind == LIBDBM_CAMPAIGN_ENTRY_CONTINUOUS) {
        status = libdbm_segment_evaluate(&members, r->c->entry_segment, r->s->store, r->now);
        if (status == LIBDBM_OK)
            status = dbmi_camp_enter_batch(r->s, members, r->now, NULL);
        libdbm_members_free(members);
    } else if (r->c->entry_kind == LIBDBM_CAMPAIGN_ENTRY_EVENT) {
        status = dbmi_camp_enter_batch(r->s, NULL, r->now, NULL);
    }
    return status;
}

static int run_due(libdbm_campaign_scheduler *s, libdbm_campaign_actions **out,
                   const char *only, int64_t now)
{
    due_run r;
    int status;
    memset(&r, 0, sizeof(r));
    r.s = s;
    r.c = s->campaign;
    r.now = now;
    r.only = only;
    dbmi_buf_init(&r.ids, s->ctx);
    status = run_entries(&r);
    if (status == LIBDBM_OK)
        status = dbmi_camp_actions_new(s, &r.actions);
    if (status == LIBDBM_OK && r.c->exit_segment != NULL && only == NULL)
        status = libdbm_segment_evaluate(&r.exit_members, r.c->exit_segment, s->store, now);
    if (status == LIBDBM_OK && r.c->exit_segment != NULL && only != NULL)
        status = libdbm_segment_test(&r.exit_matches, r.c->exit_segment, s->store, only, now);
    dbmi_store_gate_lock(s->store);
    if (status == LIBDBM_OK)
        status = dbmi_camp_scan(&r);
    if (status == LIBDBM_OK && r.n_items > 0)
        status = dbmi_camp_in_batch(s, dbmi_camp_decide_all, &r);
    dbmi_store_gate_unlock(s->store);
    if (status == LIBDBM_OK) {
        if (only == NULL)
            s->recovered = 1;
        *out = r.actions;
        r.actions = NULL;
    }
    run_free(&r);
    return status;
}

LIBDBM_API int libdbm_campaign_due(libdbm_campaign_scheduler *s, libdbm_campaign_actions **out,
                                   int64_t now)
{
    if (out != NULL)
        *out = NULL;
    if (s == NULL || out == NULL)
        return LIBDBM_EINVAL;
    return run_due(s, out, NULL, now);
}

LIBDBM_API int libdbm_campaign_due_for(libdbm_campaign_scheduler *s,
                                       libdbm_campaign_actions **out, const char *customer_id,
                                       int64_t now)
{
    if (out != NULL)
        *out = NULL;
    if (s == NULL || out == NULL || customer_id == NULL)
        return LIBDBM_EINVAL;
    return run_due(s, out, customer_id, now);
}
