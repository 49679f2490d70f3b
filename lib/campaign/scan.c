/* Step 1 of libdbm_campaign_due (due.h): under the store's read lock,
 * every entry of the campaign is looked at once; the re-deliveries go to
 * the action list, and an active entry to which something may happen now
 * (a conversion, an exit, the end of its window, a stage whose time has
 * come) is copied into a work item for step 2. Also the timing rules both
 * steps share. */
#include <string.h>

#include "due.h"
#include "libdbm.h"
#include "store_columns.h"

const char *dbmi_camp_arena_str(const due_run *r, size_t offset)
{
    return (const char *)r->ids.data + offset;
}

static size_t arena_put(due_run *r, const char *s)
{
    size_t at = r->ids.len;
    dbmi_buf_put(&r->ids, s, strlen(s) + 1);
    return at;
}

typedef struct scan_names {
    uint32_t campaign, event, deadline;
    int have_event, have_deadline;
    uint32_t dates[DBMI_CAMP_MAX_STAGES];
    int have_date[DBMI_CAMP_MAX_STAGES];
} scan_names;

static int64_t time_attr(const libdbm_store *store, size_t slot, int have, uint32_t name)
{
    const dbmi_attr *a = have ? dbmi_store_slot_attr(store, slot, name) : NULL;
    return a != NULL && a->type == LIBDBM_TYPE_TIME ? a->v.i : DBMI_CAMP_NO_TIME;
}

int dbmi_camp_past_deadline(int64_t deadline, int64_t due, int64_t now)
{
    return deadline != DBMI_CAMP_NO_TIME && (now >= deadline || (due != DBMI_CAMP_NO_TIME && due > deadline));
}

int64_t dbmi_camp_raw_due(const libdbm_campaign *c, size_t k, int64_t entered_at, int64_t reached_at,
                       int64_t date)
{
    const dbmi_camp_stage_def *s = &c->stages[k];
    switch (s->anchor) {
    case LIBDBM_CAMPAIGN_AT_ENTRY:
        return dbmi_camp_time_add(entered_at, s->offset);
    case LIBDBM_CAMPAIGN_AT_PREVIOUS:
        return dbmi_camp_time_add(reached_at, s->offset);
    case LIBDBM_CAMPAIGN_AT_TIME:
        return s->offset;
    default:
        return date == DBMI_CAMP_NO_TIME ? DBMI_CAMP_NO_TIME : dbmi_camp_time_add(date, s->offset);
    }
}

/* A response to stage @p stage of the entry: fed back through the
 * scheduler, or a contact row the host added itself since the entry. */
static int responded(const libdbm_store *store, uint32_t campaign, size_t slot,
                     const dbmi_camp_entry *e, size_t stage)
{
    const dbmi_contact *rows;
    size_t n, k;
    if (stage < e->n_stages && (e->stages[stage].outcomes & DBMI_CAMP_RESPONSE_BITS))
        return 1;
    dbmi_store_slot_contacts(store, slot, &rows, &n);
    for (k = n; k-- > 0 && rows[k].time >= e->entered_at;)
        if (rows[k].campaign == campaign && rows[k].stage == (int32_t)stage &&
            (DBMI_CAMP_RESPONSE_BITS & (1u << rows[k].outcome)))
            return 1;
    return 0;
}

static int add_item(due_run *r, const work_item *w, const char *origin, const char *customer,
                    const int64_t *dates)
{
    work_item *item;
    if (dbmi_grow_array(r->s->ctx, (void **)&r->items, &r->cap_items, r->n_items + 1,
                        sizeof(*r->items)) != LIBDBM_OK)
        return LIBDBM_ENOMEM;
    item = &r->items[r->n_items];
    *item = *w;
    item->origin = arena_put(r, origin);
    item->customer = arena_put(r, customer);
    item->dates = r->n_dates;
    item->has_dates = dates != NULL;
    if (dates != NULL) {
        if (dbmi_grow_array(r->s->ctx, (void **)&r->dates, &r->cap_dates,
                            r->n_dates + r->c->n_stages, sizeof(int64_t)) != LIBDBM_OK)
            return LIBDBM_ENOMEM;
        memcpy(r->dates + r->n_dates, dates, r->c->n_stages * sizeof(int64_t));
        r->n_dates += r->c->n_stages;
    }
    r->n_items++;
    return dbmi_buf_status(&r->ids);
}

/* Issued actions without an outcome, handed out again by a new scheduler. */
static int redeliver(due_run *r, const dbmi_camp_entry *e, const char *origin, const char *customer)
{
    size_t k;
    int status = LIBDBM_OK;
    /* (a definition may have lost stages since: those are not handed out) */
    for (k = 0; k < e->n_stages && k < r->c->n_stages && status == LIBDBM_OK; k++)
        if (e->stages[k].state == DBMI_CAMP_ISSUED && e->stages[k].outcomes == 0)
            status = dbmi_camp_actions_add(r->actions, r->c->name, e->number, (int32_t)k, origin,
                                           customer, 1);
    return status;
}

/* Looks at one active entry; queues a work item when something is due. */
static int scan_entry(due_run *r, const scan_names *names, size_t slot, const dbmi_camp_entry *e)
{
    const libdbm_store *store = r->s->store;
    const libdbm_campaign *c = r->c;
    const char *customer = dbmi_store_slot_id(store, slot);
    const char *origin = e->origin ? e->origin : customer;
    int64_t dates[DBMI_CAMP_MAX_STAGES];
    int64_t window_end = dbmi_camp_time_add(e->entered_at, (int64_t)c->window_days * 86400);
    int has_dates = 0;
    work_item w;
    size_t k;
    if (e->entered_at > r->now)
        return LIBDBM_OK;       /* the clock went back: nothing happens yet */
    memset(&w, 0, sizeof(w));
    w.slot = slot;
    w.entered_at = e->entered_at;
    w.number = e->number;
    w.deferred_until = DBMI_CAMP_NO_TIME;
    w.deadline = c->has_deadline_time ? c->deadline_time
                                      : time_attr(store, slot, names->have_deadline, names->deadline);
    w.kind = DBMI_CAMP_WORK_END;
    if (dbmi_camp_converted(store, c, names->event, names->have_event, slot, e, r->now)) {
        w.end = DBMI_CAMP_END_CONVERTED;
        return add_item(r, &w, origin, customer, NULL);
    }
    if (r->exit_members != NULL ? libdbm_members_contains(r->exit_members, (int64_t)slot)
                                : r->exit_matches) {
        w.end = DBMI_CAMP_END_EXIT;
        return add_item(r, &w, origin, customer, NULL);
    }
    for (k = 0; k < e->n_stages && k < c->n_stages; k++)
        if (e->stages[k].state == DBMI_CAMP_PENDING || e->stages[k].state == DBMI_CAMP_DEFERRED)
            break;
    if (e->holdout || k >= c->n_stages) {
        if (r->now < window_end)
            return LIBDBM_OK;
        w.end = DBMI_CAMP_END_COMPLETED;
        return add_item(r, &w, origin, customer, NULL);
    }
    w.kind = DBMI_CAMP_WORK_STAGES;
    w.next = (uint8_t)k;
    w.reached_at = k == 0 ? e->entered_at : e->stages[k - 1].at;
    if (k < e->n_stages && e->stages[k].state == DBMI_CAMP_DEFERRED)
        w.deferred_until = e->stages[k].at;
    for (k = w.next; k < c->n_stages; k++) {
        dates[k] = time_attr(store, slot, names->have_date[k], names->dates[k]);
        has_dates |= names->have_date[k];
    }
    {
        int64_t due = dbmi_camp_raw_due(c, w.next, w.entered_at, w.reached_at, dates[w.next]);
        if (!dbmi_camp_past_deadline(w.deadline, due, r->now) && due != DBMI_CAMP_NO_TIME &&
            (due > r->now || w.deferred_until > r->now))
            return LIBDBM_OK;   /* not yet (a window only ever moves it later) */
    }
    w.prev_responded = w.next > 0 && responded(store, names->campaign, slot, e, w.next - 1u);
    return add_item(r, &w, origin, customer, has_dates ? dates : NULL);
}

static void resolve_names(const libdbm_store *store, const libdbm_campaign *c, scan_names *names)
{
    size_t k;
    memset(names, 0, sizeof(*names));
    if (c->conversion_event != NULL)
        names->have_event = dbmi_store_name_id(store, c->conversion_event,
                                               strlen(c->conversion_event), &names->event);
    if (c->deadline_attribute != NULL)
        names->have_deadline = dbmi_store_name_id(store, c->deadline_attribute,
                                                  strlen(c->deadline_attribute), &names->deadline);
    for (k = 0; k < c->n_stages; k++)
        if (c->stages[k].date_attribute != NULL)
            names->have_date[k] = dbmi_store_name_id(store, c->stages[k].date_attribute,
                                                     strlen(c->stages[k].date_attribute),
                                                     &names->dates[k]);
}

static int scan_slot(due_run *r, const scan_names *names, size_t slot)
{
    const dbmi_model *m = dbmi_store_model(r->s->store);
    const char *customer = dbmi_store_slot_id(r->s->store, slot);
    uint32_t i;
    int status = LIBDBM_OK;
    for (i = dbmi_camp_first(m, (uint32_t)slot); i != DBMI_CAMP_NONE && status == LIBDBM_OK;
         i = dbmi_camp_entry_at(m, i)->next) {
        const dbmi_camp_entry *e = dbmi_camp_entry_at(m, i);
        if (e->campaign != names->campaign)
            continue;
        /* Issued before and never acknowledged, even if the entry has
         * ended since (not when a merge ended it: the surviving entry
         * speaks for the person). */
        if (!r->s->recovered && e->end != DBMI_CAMP_END_MERGED)
            status = redeliver(r, e, e->origin ? e->origin : customer, customer);
        if (status == LIBDBM_OK && e->end == DBMI_CAMP_ACTIVE)
            status = scan_entry(r, names, slot, e);
    }
    return status;
}

int dbmi_camp_scan(due_run *r)
{
    libdbm_store *store = r->s->store;
    scan_names names;
    size_t slot, n;
    int status = LIBDBM_OK;
    dbmi_store_read_lock(store);
    resolve_names(store, r->c, &names);
    if (!dbmi_store_name_id(store, r->c->name, strlen(r->c->name), &names.campaign)) {
        dbmi_store_read_unlock(store);
        return LIBDBM_OK;       /* nobody ever entered */
    }
    if (r->only != NULL) {
        status = dbmi_store_slot_of_locked(store, r->only, &slot);
        if (status != LIBDBM_OK)
            status = dbmi_error(r->s->ctx, LIBDBM_ENOTFOUND, "no profile '%s'", r->only);
        else
            status = scan_slot(r, &names, slot);
    } else {
        n = dbmi_store_slot_count(store);
        for (slot = 0; slot < n && status == LIBDBM_OK; slot++)
            status = scan_slot(r, &names, slot);
    }
    dbmi_store_read_unlock(store);
    return status;
}

