/* Identity merge (model.h): the profile of `from` joins `into` exactly as if
 * they had always been one profile. Everything new is built first and
 * installed only when every allocation succeeded, so a failure leaves both
 * profiles untouched. */
#include <string.h>

#include "libdbm/store.h"
#include "model.h"

typedef struct merge_plan {
    dbmi_purchase_day *days;
    uint32_t n_days;
    uint64_t *txns;
    uint32_t n_txns;
    dbmi_profile_extra *extra;      /* NULL when neither profile has one */
    size_t n_synthetic;             /* synthetic denials at the end of consents */
} merge_plan;

static int merge_days(dbmi_model *m, const dbmi_profile *a, const dbmi_profile *b, merge_plan *plan)
{
    uint32_t i = 0, j = 0, n = 0;
    size_t cap = (size_t)a->n_days + b->n_days;
    plan->days = dbmi_malloc(m->ctx, (cap ? cap : 1) * sizeof(dbmi_purchase_day));
    if (plan->days == NULL)
        return dbmi_error_nomem(m->ctx, "merged purchase history");
    while (i < a->n_days || j < b->n_days) {
        dbmi_purchase_day d;
        if (j >= b->n_days || (i < a->n_days && a->days[i].day < b->days[j].day)) {
            d = a->days[i++];
        } else if (i >= a->n_days || b->days[j].day < a->days[i].day) {
            d = b->days[j++];
        } else {
            d = a->days[i];
            if (__builtin_add_overflow(d.amount_minor, b->days[j].amount_minor, &d.amount_minor) ||
                __builtin_add_overflow(d.count, b->days[j].count, &d.count))
                return dbmi_error(m->ctx, LIBDBM_ERANGE, "merged purchase amounts overflow");
            i++;
            j++;
        }
        plan->days[n++] = d;
    }
    plan->n_days = n;
    return LIBDBM_OK;
}

/* The union of the two sorted hash sets. A transaction id seen by both
 * profiles was counted by both before the merge; the store keeps only its
 * hash, not its amount, so it stays counted twice (docs/store.md). */
static int merge_txns(dbmi_model *m, const dbmi_profile *a, const dbmi_profile *b, merge_plan *plan)
{
    uint32_t i = 0, j = 0, n = 0;
    size_t cap = (size_t)a->n_txns + b->n_txns;
    plan->txns = dbmi_malloc(m->ctx, (cap ? cap : 1) * sizeof(uint64_t));
    if (plan->txns == NULL)
        return dbmi_error_nomem(m->ctx, "merged transaction ids");
    while (i < a->n_txns || j < b->n_txns) {
        uint64_t h;
        if (j >= b->n_txns || (i < a->n_txns && a->txns[i] < b->txns[j]))
            h = a->txns[i++];
        else if (i >= a->n_txns || b->txns[j] < a->txns[i])
            h = b->txns[j++];
        else {
            h = a->txns[i++];
            j++;
        }
        plan->txns[n++] = h;
    }
    plan->n_txns = n;
    return LIBDBM_OK;
}

static int has_attr(const dbmi_profile_extra *x, uint32_t name)
{
    size_t k;
    for (k = 0; x != NULL && k < x->n_attrs; k++)
        if (x->attrs[k].name == name)
            return 1;
    return 0;
}

static int has_channel(const dbmi_profile_extra *x, uint32_t channel)
{
    size_t k;
    for (k = 0; x != NULL && k < x->n_channels; k++)
        if (x->channels[k].channel == channel)
            return 1;
    return 0;
}

static void *alloc_array(dbmi_model *m, size_t n, size_t elem, int *failed)
{
    void *p = dbmi_malloc(m->ctx, (n ? n : 1) * elem);
    if (p == NULL)
        *failed = 1;
    return p;
}

static void free_plan(dbmi_model *m, merge_plan *plan)
{
    dbmi_free(m->ctx, plan->days);
    dbmi_free(m->ctx, plan->txns);
    if (plan->extra != NULL) {
        size_t k;
        /* Only the synthetic consent strings belong to the plan. */
        for (k = plan->extra->n_consents - plan->n_synthetic; k < plan->extra->n_consents; k++) {
            dbmi_free(m->ctx, plan->extra->consents[k].source);
            dbmi_free(m->ctx, plan->extra->consents[k].wording);
        }
        dbmi_free(m->ctx, plan->extra->attrs);
        dbmi_free(m->ctx, plan->extra->channels);
        dbmi_free(m->ctx, plan->extra->consents);
        dbmi_free(m->ctx, plan->extra->contacts);
        dbmi_free(m->ctx, plan->extra->events);
        dbmi_free(m->ctx, plan->extra);
    }
    memset(plan, 0, sizeof(*plan));
}

/* Adds a denial for every (channel, purpose) that one of the profiles
 * currently denies but the unioned history would not. */
static int add_conservative_denials(dbmi_model *m, const dbmi_profile_extra *a,
                                    const dbmi_profile_extra *b, merge_plan *plan)
{
    dbmi_profile_extra *x = plan->extra;
    size_t k, base = x->n_consents;
    for (k = 0; k < base; k++) {
        const dbmi_consent *c = &x->consents[k];
        const dbmi_consent *ca, *cb, *cu, *denial;
        size_t j;
        int seen = 0;
        for (j = 0; j < k && !seen; j++)
            seen = x->consents[j].channel == c->channel && x->consents[j].purpose == c->purpose;
        if (seen)
            continue;
        ca = dbmi_model_consent_current(a, c->channel, c->purpose);
        cb = dbmi_model_consent_current(b, c->channel, c->purpose);
        denial = (ca != NULL && ca->state == LIBDBM_CONSENT_DENIED) ? ca
               : (cb != NULL && cb->state == LIBDBM_CONSENT_DENIED) ? cb : NULL;
        cu = dbmi_model_consent_current(x, c->channel, c->purpose);
        if (denial == NULL || cu == NULL || cu->state == LIBDBM_CONSENT_DENIED)
            continue;
        /* At the time of the current grant, so the denial decides (a
         * denial wins a tie) and a later genuine grant still can override. */
        {
            dbmi_consent d;
            d.channel = c->channel;
            d.purpose = c->purpose;
            d.state = LIBDBM_CONSENT_DENIED;
            d.reserved = 0;
            d.at = cu->at;
            d.source = dbmi_strdup(m->ctx, "merge");
            d.wording = dbmi_strdup(m->ctx, denial->wording);
            if (d.source == NULL || d.wording == NULL) {
                dbmi_free(m->ctx, d.source);
                dbmi_free(m->ctx, d.wording);
                return dbmi_error_nomem(m->ctx, "merged consent");
            }
            if (x->n_consents == x->cap_consents)
                return dbmi_error(m->ctx, LIBDBM_ENOMEM, "merged consent overflow");
            x->consents[x->n_consents++] = d;
            plan->n_synthetic++;
        }
    }
    return LIBDBM_OK;
}

/* Synthetic denials were appended at the end; move each to its place in
 * time order (after the records of the same time). */
static void sort_synthetic(merge_plan *plan)
{
    dbmi_profile_extra *x = plan->extra;
    size_t k;
    for (k = x->n_consents - plan->n_synthetic; k < x->n_consents; k++) {
        dbmi_consent d = x->consents[k];
        size_t pos = k;
        while (pos > 0 && x->consents[pos - 1].at > d.at) {
            x->consents[pos] = x->consents[pos - 1];
            pos--;
        }
        x->consents[pos] = d;
    }
}

static int build_extra(dbmi_model *m, const dbmi_profile_extra *a, const dbmi_profile_extra *b,
                       merge_plan *plan)
{
    static const dbmi_profile_extra empty;
    dbmi_profile_extra *x;
    size_t k, i, j;
    int failed = 0;
    if (a == NULL && b == NULL)
        return LIBDBM_OK;
    if (a == NULL)
        a = &empty;
    if (b == NULL)
        b = &empty;
    x = plan->extra = dbmi_calloc(m->ctx, 1, sizeof(*x));
    if (x == NULL)
        return dbmi_error_nomem(m->ctx, "merged profile");
    x->cap_attrs = a->n_attrs + b->n_attrs;
    x->cap_channels = a->n_channels + b->n_channels;
    /* Room for one synthetic denial per record, the worst case. */
    x->cap_consents = 2 * (a->n_consents + b->n_consents);
    x->cap_contacts = a->n_contacts + b->n_contacts;
    x->cap_events = a->n_events + b->n_events;
    x->attrs = alloc_array(m, x->cap_attrs, sizeof(dbmi_attr), &failed);
    x->channels = alloc_array(m, x->cap_channels, sizeof(dbmi_channel_state), &failed);
    x->consents = alloc_array(m, x->cap_consents, sizeof(dbmi_consent), &failed);
    x->contacts = alloc_array(m, x->cap_contacts, sizeof(dbmi_contact), &failed);
    x->events = alloc_array(m, x->cap_events, sizeof(dbmi_event), &failed);
    if (failed)
        return dbmi_error_nomem(m->ctx, "merged profile");
    /* Attributes and addresses of `into` win. Strings are shared with the
     * old profiles until the plan is installed. */
    for (k = 0; k < a->n_attrs; k++)
        x->attrs[x->n_attrs++] = a->attrs[k];
    for (k = 0; k < b->n_attrs; k++)
        if (!has_attr(a, b->attrs[k].name))
            x->attrs[x->n_attrs++] = b->attrs[k];
    for (k = 0; k < a->n_channels; k++)
        x->channels[x->n_channels++] = a->channels[k];
    for (k = 0; k < b->n_channels; k++)
        if (!has_channel(a, b->channels[k].channel))
            x->channels[x->n_channels++] = b->channels[k];
    for (i = 0, j = 0; i < a->n_consents || j < b->n_consents;) {
        if (j >= b->n_consents || (i < a->n_consents && a->consents[i].at <= b->consents[j].at))
            x->consents[x->n_consents++] = a->consents[i++];
        else
            x->consents[x->n_consents++] = b->consents[j++];
    }
    /* Histories stay sorted by time; on equal times `into` comes first. */
    for (i = 0, j = 0; i < a->n_contacts || j < b->n_contacts;) {
        if (j >= b->n_contacts || (i < a->n_contacts && a->contacts[i].time <= b->contacts[j].time))
            x->contacts[x->n_contacts++] = a->contacts[i++];
        else
            x->contacts[x->n_contacts++] = b->contacts[j++];
    }
    for (i = 0, j = 0; i < a->n_events || j < b->n_events;) {
        if (j >= b->n_events || (i < a->n_events && a->events[i].time <= b->events[j].time))
            x->events[x->n_events++] = a->events[i++];
        else
            x->events[x->n_events++] = b->events[j++];
    }
    {
        int status = add_conservative_denials(m, a, b, plan);
        if (status != LIBDBM_OK)
            return status;
    }
    sort_synthetic(plan);
    return LIBDBM_OK;
}

/* Frees the old containers of both profiles and the strings of `from`
 * that the merged profile did not take. */
static void release_old(dbmi_model *m, dbmi_profile_extra *a, dbmi_profile_extra *b)
{
    size_t k;
    if (b != NULL) {
        for (k = 0; k < b->n_attrs; k++)
            if (has_attr(a, b->attrs[k].name) && b->attrs[k].type == LIBDBM_TYPE_STRING)
                dbmi_free(m->ctx, b->attrs[k].v.s);
        for (k = 0; k < b->n_channels; k++)
            if (has_channel(a, b->channels[k].channel))
                dbmi_free(m->ctx, b->channels[k].address);
    }
    if (a != NULL) {
        dbmi_free(m->ctx, a->attrs);
        dbmi_free(m->ctx, a->channels);
        dbmi_free(m->ctx, a->consents);
        dbmi_free(m->ctx, a->contacts);
        dbmi_free(m->ctx, a->events);
        dbmi_free(m->ctx, a);
    }
    if (b != NULL) {
        dbmi_free(m->ctx, b->attrs);
        dbmi_free(m->ctx, b->channels);
        dbmi_free(m->ctx, b->consents);
        dbmi_free(m->ctx, b->contacts);
        dbmi_free(m->ctx, b->events);
        dbmi_free(m->ctx, b);
    }
}

int dbmi_model_merge(dbmi_model *m, uint32_t into, uint32_t from)
{
    dbmi_profile *a = &m->slots[into], *b = &m->slots[from];
    merge_plan plan;
    int64_t total, refunds;
    int status;
    memset(&plan, 0, sizeof(plan));
    if (into == from)
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "cannot merge profile '%s' into itself", a->id);
    if (__builtin_add_overflow(m->total_minor[into], m->total_minor[from], &total) ||
        __builtin_add_overflow(m->refund_total_minor[into], m->refund_total_minor[from], &refunds) ||
        (uint64_t)m->purchase_count[into] + m->purchase_count[from] > UINT32_MAX ||
        (uint64_t)m->refund_count[into] + m->refund_count[from] > UINT32_MAX)
        return dbmi_error(m->ctx, LIBDBM_ERANGE, "merged purchase totals overflow");
    status = merge_days(m, a, b, &plan);
    if (status == LIBDBM_OK)
        status = merge_txns(m, a, b, &plan);
    if (status == LIBDBM_OK)
        status = build_extra(m, a->extra, b->extra, &plan);
    if (status != LIBDBM_OK) {
        free_plan(m, &plan);
        return status;
    }
    /* Install. */
    release_old(m, a->extra, b->extra);
    a->extra = plan.extra;
    b->extra = NULL;
    dbmi_free(m->ctx, a->days);
    dbmi_free(m->ctx, b->days);
    dbmi_free(m->ctx, a->txns);
    dbmi_free(m->ctx, b->txns);
    a->days = plan.days;
    a->n_days = a->cap_days = plan.n_days;
    a->txns = plan.txns;
    a->n_txns = a->cap_txns = plan.n_txns;
    b->days = NULL;
    b->txns = NULL;
    b->n_days = b->cap_days = b->n_txns = b->cap_txns = 0;
    if (m->purchase_count[from] > 0) {
        if (m->purchase_count[into] == 0 || m->first_purchase[from] < m->first_purchase[into])
            m->first_purchase[into] = m->first_purchase[from];
        if (m->purchase_count[into] == 0 || m->last_purchase[from] > m->last_purchase[into])
            m->last_purchase[into] = m->last_purchase[from];
    }
    m->purchase_count[into] += m->purchase_count[from];
    m->purchase_days[into] = a->n_days;
    m->total_minor[into] = total;
    m->refund_count[into] += m->refund_count[from];
    m->refund_total_minor[into] = refunds;
    m->first_purchase[from] = m->last_purchase[from] = 0;
    m->total_minor[from] = m->refund_total_minor[from] = 0;
    m->purchase_count[from] = m->purchase_days[from] = m->refund_count[from] = 0;
    b->state = DBMI_SLOT_ALIAS;
    b->target = into;
    m->live--;
    return LIBDBM_OK;
}
