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
    dbmi_txn *txns;
    uint32_t n_txns;
    /* Refunds of copies in `from` of transactions also in `into`: taken
     * out so that each transaction counts once (purchases are taken out of
     * the merged days, from which the totals are recomputed). */
    uint32_t dup_refund_count;
    int64_t dup_refund_total;
    dbmi_profile_extra *extra;      /* NULL when neither profile has one */
    size_t n_synthetic;             /* synthetic denials at the end of consents */
} merge_plan;

/* An array for a merged history of up to @p n elements, allocated as the
 * model's histories are (dbmi_history_capacity). */
static void *alloc_history(dbmi_model *m, size_t n, size_t elem)
{
    size_t bytes;
    if (dbmi_size_mul(n < 2 ? 2 : dbmi_history_capacity(n), elem, &bytes))
        return NULL;
    return dbmi_malloc(m->ctx, bytes);
}

static int merge_days(dbmi_model *m, uint32_t into, uint32_t from, merge_plan *plan)
{
    const dbmi_purchase_day *a = dbmi_model_days(m, into), *b = dbmi_model_days(m, from);
    uint32_t na = m->purchase_days[into], nb = m->purchase_days[from];
    uint32_t i = 0, j = 0, n = 0;
    plan->days = alloc_history(m, (size_t)na + nb, sizeof(dbmi_purchase_day));
    if (plan->days == NULL)
        return dbmi_error_nomem(m->ctx, "merged purchase history");
    while (i < na || j < nb) {
        dbmi_purchase_day d;
        if (j >= nb || (i < na && a[i].day < b[j].day)) {
            d = a[i++];
        } else if (i >= na || b[j].day < a[i].day) {
            d = b[j++];
        } else {
            d = a[i];
            if (__builtin_add_overflow(d.amount_minor, b[j].amount_minor, &d.amount_minor) ||
                __builtin_add_overflow(d.count, b[j].count, &d.count))
                return dbmi_error(m->ctx, LIBDBM_ERANGE, "merged purchase amounts overflow");
            i++;
            j++;
        }
        plan->days[n++] = d;
    }
    plan->n_days = n;
    return LIBDBM_OK;
}

/* Takes the purchase of @p dup (a copy in `from` of a transaction `into`
 * also has) out of the merged days and totals. A copy whose amount is not
 * known (DBMI_TXN_AMOUNT_UNKNOWN) stays counted (docs/store.md). */
static void drop_duplicate(merge_plan *plan, const dbmi_txn *dup)
{
    uint32_t k;
    if (dup->amount_minor == DBMI_TXN_AMOUNT_UNKNOWN)
        return;
    if (dup->amount_minor < 0) {
        plan->dup_refund_count++;
        plan->dup_refund_total += dup->amount_minor;
        return;
    }
    for (k = 0; k < plan->n_days && plan->days[k].day != dup->day; k++)
        ;
    if (k == plan->n_days || plan->days[k].count == 0)
        return;     /* not where the copy was counted: leave the totals alone */
    plan->days[k].count--;
    plan->days[k].amount_minor -= dup->amount_minor;
    if (plan->days[k].count == 0) {
        memmove(&plan->days[k], &plan->days[k + 1],
                (plan->n_days - k - 1) * sizeof(dbmi_purchase_day));
        plan->n_days--;
    }
}

/* The union of the two sorted transaction sets. A transaction both
 * profiles recorded counts once, as it would have had it always been one
 * profile: the copy of `into` stays, the copy of `from` is taken out. */
static int merge_txns(dbmi_model *m, uint32_t into, uint32_t from, merge_plan *plan)
{
    const dbmi_txn *a = dbmi_model_txns(m, into), *b = dbmi_model_txns(m, from);
    uint32_t na = m->slots[into].n_txns, nb = m->slots[from].n_txns;
    uint32_t i = 0, j = 0, n = 0;
    plan->txns = alloc_history(m, (size_t)na + nb, sizeof(dbmi_txn));
    if (plan->txns == NULL)
        return dbmi_error_nomem(m->ctx, "merged transaction ids");
    while (i < na || j < nb) {
        if (j >= nb || (i < na && a[i].hash < b[j].hash)) {
            plan->txns[n++] = a[i++];
        } else if (i >= na || b[j].hash < a[i].hash) {
            plan->txns[n++] = b[j++];
        } else {
            drop_duplicate(plan, &b[j]);
            plan->txns[n++] = a[i++];
            j++;
        }
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
    x->n_unsubscribed = a->n_unsubscribed + b->n_unsubscribed;     /* every row is kept */
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

/* Installs a merged history: into the profile's own storage when it holds
 * at most one element, else the plan's array. */
static void install_histories(dbmi_model *m, uint32_t into, merge_plan *plan)
{
    dbmi_model_set_days(m, into, plan->days, plan->n_days >= 2 ? plan->days : NULL, plan->n_days);
    if (plan->n_days < 2)
        dbmi_free(m->ctx, plan->days);
    dbmi_model_set_txns(m, into, plan->txns, plan->n_txns >= 2 ? plan->txns : NULL, plan->n_txns);
    if (plan->n_txns < 2)
        dbmi_free(m->ctx, plan->txns);
    plan->days = NULL;
    plan->txns = NULL;
}

int dbmi_model_merge(dbmi_model *m, uint32_t into, uint32_t from)
{
    dbmi_profile *a = &m->slots[into], *b = &m->slots[from];
    dbmi_profile_extra *xa = a->extra, *xb = b->extra;
    merge_plan plan;
    int64_t total, refunds, first, last;
    uint32_t refund_count;
    int status;
    memset(&plan, 0, sizeof(plan));
    if (into == from)
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "cannot merge profile '%s' into itself",
                          dbmi_model_id(m, into));
    if (__builtin_add_overflow(m->total_minor[into], m->total_minor[from], &total) ||
        __builtin_add_overflow(m->refund_total_minor[into], m->refund_total_minor[from], &refunds) ||
        (uint64_t)m->purchase_count[into] + m->purchase_count[from] > UINT32_MAX ||
        (uint64_t)m->refund_count[into] + m->refund_count[from] > UINT32_MAX)
        return dbmi_error(m->ctx, LIBDBM_ERANGE, "merged purchase totals overflow");
    status = merge_days(m, into, from, &plan);
    if (status == LIBDBM_OK)
        status = merge_txns(m, into, from, &plan);
    if (status == LIBDBM_OK)
        status = build_extra(m, xa, xb, &plan);
    /* Last of the steps that may fail: it changes the campaign state. */
    if (status == LIBDBM_OK)
        status = dbmi_camp_merge_slots(m, into, from);
    if (status != LIBDBM_OK) {
        free_plan(m, &plan);
        return status;
    }
    /* Install. The first and last purchase times are the earliest and
     * latest of both profiles (a duplicate's copies share their time). */
    first = m->first_purchase[into];
    last = m->last_purchase[into];
    if (m->purchase_count[from] > 0) {
        if (m->purchase_count[into] == 0 || m->first_purchase[from] < first)
            first = m->first_purchase[from];
        if (m->purchase_count[into] == 0 || m->last_purchase[from] > last)
            last = m->last_purchase[from];
    }
    refund_count = m->refund_count[into] + m->refund_count[from] - plan.dup_refund_count;
    refunds -= plan.dup_refund_total;
    release_old(m, xa, xb);
    a->extra = b->extra = NULL;
    dbmi_profile_clear(m, into);
    dbmi_profile_clear(m, from);
    a->extra = plan.extra;
    install_histories(m, into, &plan);
    m->first_purchase[into] = plan.n_days > 0 ? first : 0;
    m->last_purchase[into] = plan.n_days > 0 ? last : 0;
    m->refund_count[into] = refund_count;
    m->refund_total_minor[into] = refunds;
    m->state[from] = DBMI_SLOT_ALIAS;
    b->days.alias_target = into;
    m->live--;
    return LIBDBM_OK;
}
