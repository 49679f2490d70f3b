/* Step 2 of libdbm_campaign_due (due.h): without the store's read lock (a
 * writer must never wait for a reader that waits for it), each work item's
 * stages are decided in order: timing and send window, the deadline, the
 * catch-up rule, the conditions, then the contact policy. Every decision
 * is written into the run's batch. */
#include <string.h>

#include "due.h"
#include "libdbm.h"

static int write_record(due_run *r, const work_item *w, int code, size_t stage, int state,
                        int64_t at, const char *reason)
{
    dbmi_camp_write cw;
    memset(&cw, 0, sizeof(cw));
    cw.code = code;
    cw.id = dbmi_camp_arena_str(r, w->origin);
    cw.campaign = r->c->name;
    cw.number = w->number;
    cw.stage = (int32_t)stage;
    cw.type = state;
    cw.time = at;
    cw.reason = reason;
    cw.slot_hint = (uint32_t)w->slot;
    return dbmi_store_campaign_write(r->s->store, &cw);
}

static int write_stage(due_run *r, const work_item *w, size_t stage, int state, int64_t at,
                       const char *reason)
{
    return write_record(r, w, DBMI_CAMP_REC_STAGE, stage, state, at, reason);
}

static int write_end(due_run *r, const work_item *w, int end)
{
    return write_record(r, w, DBMI_CAMP_REC_END, 0, end, r->now, NULL);
}

static int segment_holds(due_run *r, size_t stage, size_t k, const work_item *w, int *holds)
{
    const dbmi_camp_condition *cond = &r->c->stages[stage].conditions[k];
    libdbm_members **cache = &r->cond_members[stage][k];
    int status;
    if (r->only != NULL)
        return libdbm_segment_test(holds, cond->segment, r->s->store, dbmi_camp_arena_str(r, w->customer),
                                   r->now);
    if (*cache == NULL) {
        status = libdbm_segment_evaluate(cache, cond->segment, r->s->store, r->now);
        if (status != LIBDBM_OK)
            return status;
    }
    *holds = libdbm_members_contains(*cache, (int64_t)w->slot);
    return LIBDBM_OK;
}

static int conditions_hold(due_run *r, const work_item *w, size_t stage, int prev_responded,
                           int *holds)
{
    const dbmi_camp_stage_def *def = &r->c->stages[stage];
    size_t k;
    int status;
    *holds = 1;
    for (k = 0; k < def->n_conditions && *holds; k++) {
        switch (def->conditions[k].kind) {
        case LIBDBM_CAMPAIGN_IF_SEGMENT:
            status = segment_holds(r, stage, k, w, holds);
            if (status != LIBDBM_OK)
                return status;
            break;
        case LIBDBM_CAMPAIGN_IF_NO_RESPONSE:
            *holds = !prev_responded;
            break;
        default:
            /* not converted: a conversion ended the entry in step 1 */
            break;
        }
    }
    return LIBDBM_OK;
}

/* The policy's verdict for stage @p stage now (ALLOW without a policy). */
static int ask_policy(due_run *r, const work_item *w, size_t stage, int *verdict, int64_t *until,
                      const char **rule)
{
    const dbmi_camp_stage_def *def = &r->c->stages[stage];
    libdbm_policy_request req = LIBDBM_POLICY_REQUEST_INIT;
    int status;
    *verdict = LIBDBM_POLICY_ALLOW;
    *until = r->now;
    *rule = "";
    if (r->s->policy == NULL)
        return LIBDBM_OK;
    req.message_class = def->message_class;
    req.customer_id = dbmi_camp_arena_str(r, w->customer);
    req.channel = def->channel;
    req.campaign = r->c->name;
    req.time = r->now;
    status = libdbm_policy_check(r->s->policy, r->s->answer, r->s->store, &req);
    if (status != LIBDBM_OK)
        return status;
    *verdict = libdbm_policy_answer_verdict(r->s->answer);
    *until = libdbm_policy_answer_until(r->s->answer);
    *rule = libdbm_policy_answer_rule(r->s->answer);
    return LIBDBM_OK;
}

static int issue(due_run *r, const work_item *w, size_t stage)
{
    const dbmi_camp_stage_def *def = &r->c->stages[stage];
    /* A marketing contact counts against the caps from the moment it is
     * handed out: the SENT row is written with the stage's state, in one
     * record. Transactional messages are not counted (the policy exempts
     * them) and get no row. */
    int status = def->message_class == LIBDBM_MESSAGE_MARKETING
                     ? write_record(r, w, DBMI_CAMP_REC_ISSUE, stage, DBMI_CAMP_ISSUED, r->now,
                                    def->channel)
                     : write_stage(r, w, stage, DBMI_CAMP_ISSUED, r->now, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_camp_actions_add(r->actions, r->c->name, w->number, (int32_t)stage,
                                       dbmi_camp_arena_str(r, w->origin), dbmi_camp_arena_str(r, w->customer), 0);
    return status;
}

/* What the policy's answer does to the stage; *stop = 1 when the entry
 * waits or ended. */
static int apply_verdict(due_run *r, const work_item *w, size_t stage, int verdict, int64_t until,
                         const char *rule, int *stop)
{
    int mode = r->c->stages[stage].on_blocked, status;
    *stop = 1;
    if (verdict == LIBDBM_POLICY_ALLOW)
        return issue(r, w, stage);
    if (verdict == LIBDBM_POLICY_DEFER && mode == LIBDBM_CAMPAIGN_BLOCKED_DEFER)
        return write_stage(r, w, stage, DBMI_CAMP_DEFERRED, until, rule);
    status = write_stage(r, w, stage, DBMI_CAMP_SKIPPED, r->now, rule);
    if (status == LIBDBM_OK && mode == LIBDBM_CAMPAIGN_BLOCKED_DROP)
        return write_end(r, w, DBMI_CAMP_END_DROPPED);
    *stop = 0;
    return status;
}

/* The profile's date for stage @p k (DBMI_CAMP_NO_TIME: none). */
static int64_t stage_date(const due_run *r, const work_item *w, size_t k)
{
    return w->has_dates ? r->dates[w->dates + k] : DBMI_CAMP_NO_TIME;
}

/* Under the LATEST rule a late stage gives way to a later stage that is
 * also due now. */
static int later_stage_due(const due_run *r, const work_item *w, size_t stage)
{
    int64_t due;
    if (stage + 1 >= r->c->n_stages)
        return 0;
    due = dbmi_camp_raw_due(r->c, stage + 1, w->entered_at, r->now, stage_date(r, w, stage + 1));
    return due != DBMI_CAMP_NO_TIME && due <= r->now;
}

static int decide(due_run *r, const work_item *w)
{
    const libdbm_campaign *c = r->c;
    int64_t reached = w->reached_at, deferred = w->deferred_until;
    int prev_responded = w->prev_responded, status = LIBDBM_OK, stop = 0;
    size_t k;
    if (w->kind == DBMI_CAMP_WORK_END)
        return write_end(r, w, w->end);
    for (k = w->next; k < c->n_stages && !stop && status == LIBDBM_OK; k++) {
        const dbmi_camp_stage_def *def = &c->stages[k];
        int64_t due = dbmi_camp_raw_due(c, k, w->entered_at, reached, stage_date(r, w, k)), at;
        int holds = 0, verdict = 0, late;
        const char *rule = "";
        if (dbmi_camp_past_deadline(w->deadline, due, r->now)) {
            status = write_stage(r, w, k, DBMI_CAMP_SKIPPED, r->now, DBMI_CAMP_REASON_DEADLINE);
            reached = r->now;
            prev_responded = 0;
            continue;
        }
        if (due == DBMI_CAMP_NO_TIME) {
            status = write_stage(r, w, k, DBMI_CAMP_SKIPPED, r->now, DBMI_CAMP_REASON_NO_DATE);
            reached = r->now;
            prev_responded = 0;
            continue;
        }
        late = due < reached;
        at = dbmi_camp_window_open(c, def, deferred > due ? deferred : due);
        if (at > r->now)
            break;
        deferred = DBMI_CAMP_NO_TIME;
        if (late && (c->catchup == LIBDBM_CAMPAIGN_CATCHUP_SKIP ||
                     (c->catchup == LIBDBM_CAMPAIGN_CATCHUP_LATEST && later_stage_due(r, w, k)))) {
            status = write_stage(r, w, k, DBMI_CAMP_SKIPPED, r->now, DBMI_CAMP_REASON_LATE);
        } else {
            status = conditions_hold(r, w, k, prev_responded, &holds);
            if (status == LIBDBM_OK && !holds)
                status = write_stage(r, w, k, DBMI_CAMP_SKIPPED, r->now,
                                     DBMI_CAMP_REASON_CONDITION);
            else if (status == LIBDBM_OK)
                status = ask_policy(r, w, k, &verdict, &at, &rule);
            if (status == LIBDBM_OK && holds)
                status = apply_verdict(r, w, k, verdict, at, rule, &stop);
        }
        reached = r->now;
        prev_responded = 0;
    }
    return status;
}

int dbmi_camp_decide_all(void *arg)
{
    due_run *r = arg;
    size_t k;
    /* Room for one action per item up front. */
    int status = dbmi_grow_array(r->s->ctx, (void **)&r->actions->items, &r->actions->capacity,
                                 r->actions->count + r->n_items, sizeof(dbmi_camp_action));
    for (k = 0; k < r->n_items && status == LIBDBM_OK; k++)
        status = decide(r, &r->items[k]);
    return status;
}

