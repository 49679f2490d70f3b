/* Outcomes fed back by the host (libdbm_campaign_record_outcome). */
#include <string.h>

#include "libdbm.h"
#include "scheduler.h"
#include "store_columns.h"

typedef struct outcome_write {
    libdbm_campaign_scheduler *s;
    const char *origin;
    char *customer;             /* the canonical id, for the contact row */
    size_t slot;
    uint32_t number;
    int32_t stage;
    int outcome;
    int64_t at;
    int active;
} outcome_write;

/* Finds the entry the action id names; copies the canonical id. */
static int find_entry(outcome_write *o)
{
    libdbm_campaign_scheduler *s = o->s;
    const dbmi_model *m;
    const char *canonical;
    uint32_t name, i;
    size_t slot;
    int status = LIBDBM_ENOTFOUND;
    dbmi_store_read_lock(s->store);
    m = dbmi_store_model(s->store);
    if (dbmi_store_slot_of_locked(s->store, o->origin, &slot) == LIBDBM_OK &&
        dbmi_store_name_id(s->store, s->campaign->name, strlen(s->campaign->name), &name)) {
        canonical = dbmi_store_slot_id(s->store, slot);
        for (i = dbmi_camp_first(m, (uint32_t)slot); i != DBMI_CAMP_NONE;
             i = dbmi_camp_entry_at(m, i)->next) {
            const dbmi_camp_entry *e = dbmi_camp_entry_at(m, i);
            const char *origin = e->origin ? e->origin : canonical;
            if (e->campaign != name || e->number != o->number || strcmp(origin, o->origin) != 0)
                continue;
            if ((size_t)o->stage >= e->n_stages || e->stages[o->stage].state != DBMI_CAMP_ISSUED) {
                status = dbmi_error(s->ctx, LIBDBM_EINVAL, "action '%s/%u/%d/%s' was never issued",
                                    s->campaign->name, (unsigned)o->number, (int)o->stage,
                                    o->origin);
                break;
            }
            o->active = e->end == DBMI_CAMP_ACTIVE;
            o->slot = slot;
            o->customer = dbmi_strdup(s->ctx, canonical);
            status = o->customer ? LIBDBM_OK : dbmi_error_nomem(s->ctx, "campaign outcome");
            break;
        }
    }
    dbmi_store_read_unlock(s->store);
    if (status == LIBDBM_ENOTFOUND)
        return dbmi_error(s->ctx, LIBDBM_ENOTFOUND, "no campaign entry for action '%s/%u/%d/%s'",
                          s->campaign->name, (unsigned)o->number, (int)o->stage, o->origin);
    return status;
}

static int write_outcome(void *arg)
{
    outcome_write *o = arg;
    libdbm_campaign_scheduler *s = o->s;
    dbmi_camp_write w;
    int status;
    memset(&w, 0, sizeof(w));
    w.code = DBMI_CAMP_REC_OUTCOME;
    w.id = o->origin;
    w.campaign = s->campaign->name;
    w.number = o->number;
    w.stage = o->stage;
    w.type = o->outcome;
    w.time = o->at;
    w.slot_hint = (uint32_t)o->slot;
    status = dbmi_store_campaign_write(s->store, &w);
    /* The SENT row was written when the action was issued. */
    if (status == LIBDBM_OK && o->outcome != LIBDBM_OUTCOME_SENT)
        status = libdbm_store_contact_add(s->store, o->customer, o->at,
                                          s->campaign->stages[o->stage].channel, s->campaign->name,
                                          o->stage, o->outcome);
    if (status == LIBDBM_OK && o->outcome == LIBDBM_OUTCOME_CONVERTED && o->active) {
        w.code = DBMI_CAMP_REC_END;
        w.stage = 0;
        w.type = DBMI_CAMP_END_CONVERTED;
        status = dbmi_store_campaign_write(s->store, &w);
    }
    return status;
}

LIBDBM_API int libdbm_campaign_record_outcome(libdbm_campaign_scheduler *s, const char *action_id,
                                              int outcome, int64_t at)
{
    outcome_write o;
    int status;
    if (s == NULL || action_id == NULL)
        return LIBDBM_EINVAL;
    if (outcome < LIBDBM_OUTCOME_SENT || outcome > LIBDBM_OUTCOME_FAILED)
        return dbmi_error(s->ctx, LIBDBM_EINVAL, "outcome %d is not a LIBDBM_OUTCOME_*", outcome);
    memset(&o, 0, sizeof(o));
    o.s = s;
    o.outcome = outcome;
    o.at = at;
    status = dbmi_camp_parse_action_id(s->ctx, action_id, s->campaign->name, &o.number, &o.stage,
                                       &o.origin);
    if (status == LIBDBM_OK && (size_t)o.stage >= s->campaign->n_stages)
        status = dbmi_error(s->ctx, LIBDBM_EINVAL, "campaign '%s' has no stage %d",
                            s->campaign->name, (int)o.stage);
    if (status != LIBDBM_OK)
        return status;
    dbmi_store_gate_lock(s->store);
    status = find_entry(&o);
    if (status == LIBDBM_OK)
        status = dbmi_camp_in_batch(s, write_outcome, &o);
    dbmi_store_gate_unlock(s->store);
    dbmi_free(s->ctx, o.customer);
    return status;
}
