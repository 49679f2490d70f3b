/* The internal columnar interface (store_columns.h). */
#include <string.h>

#include "store_columns.h"
#include "store_impl.h"
#include "validate.h"

void dbmi_store_read_lock(libdbm_store *store)
{
    pthread_rwlock_rdlock(&store->rw);
}

void dbmi_store_read_unlock(libdbm_store *store)
{
    pthread_rwlock_unlock(&store->rw);
}

size_t dbmi_store_slot_count(const libdbm_store *store)
{
    return store->model.n_slots;
}

int dbmi_store_slot_live(const libdbm_store *store, size_t slot)
{
    return slot < store->model.n_slots && store->model.state[slot] == DBMI_SLOT_LIVE;
}

const char *dbmi_store_slot_id(const libdbm_store *store, size_t slot)
{
    return slot < store->model.n_slots ? dbmi_model_id(&store->model, (uint32_t)slot) : NULL;
}

void dbmi_store_slot_purchase_days(const libdbm_store *store, size_t slot,
                                   const dbmi_purchase_day **days, size_t *n)
{
    if (!dbmi_store_slot_live(store, slot)) {
        *days = NULL;
        *n = 0;
        return;
    }
    *days = dbmi_model_days(&store->model, (uint32_t)slot);
    *n = store->model.purchase_days[slot];
}

int64_t dbmi_store_money_scale_of(const libdbm_store *store)
{
    return store->model.money_scale;
}

void dbmi_store_get_columns(const libdbm_store *store, dbmi_store_columns *out)
{
    const dbmi_model *m = &store->model;
    out->count = m->n_slots;
    out->first_purchase = m->first_purchase;
    out->last_purchase = m->last_purchase;
    out->purchase_count = m->purchase_count;
    out->purchase_days = m->purchase_days;
    out->total_minor = m->total_minor;
    out->refund_count = m->refund_count;
    out->refund_total_minor = m->refund_total_minor;
}

int dbmi_store_slot_of(libdbm_store *store, const char *customer_id, size_t *slot)
{
    uint32_t s;
    int status = dbmi_store_read_begin(store, customer_id, &s);
    if (status != LIBDBM_OK)
        return status;
    *slot = s;
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int dbmi_store_slot_of_locked(const libdbm_store *store, const char *customer_id, size_t *slot)
{
    uint32_t s;
    size_t len;
    int status = dbmi_check_id(store->ctx, "customer id", customer_id, &len);
    if (status != LIBDBM_OK)
        return status;
    if (!dbmi_model_find(&store->model, customer_id, len, &s))
        return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "no profile '%s'", customer_id);
    *slot = s;
    return LIBDBM_OK;
}

int dbmi_store_slot_channel(const libdbm_store *store, size_t slot, const char *channel,
                            const char **address, int64_t *verified_at, int *invalid)
{
    uint32_t name;
    const dbmi_channel_state *c;
    if (!dbmi_store_slot_live(store, slot) ||
        !dbmi_model_find_name(&store->model, channel, strlen(channel), &name))
        return 0;
    c = dbmi_model_channel_get(&store->model, (uint32_t)slot, name);
    if (c == NULL)
        return 0;
    if (address != NULL)
        *address = c->address;
    if (verified_at != NULL)
        *verified_at = c->verified_at;
    if (invalid != NULL)
        *invalid = c->invalid;
    return 1;
}

int dbmi_store_slot_consent(const libdbm_store *store, size_t slot, const char *channel,
                            const char *purpose, int64_t *at)
{
    uint32_t ch, pu;
    const dbmi_consent *c = NULL;
    if (purpose == NULL)
        purpose = "marketing";
    if (dbmi_store_slot_live(store, slot) &&
        dbmi_model_find_name(&store->model, channel, strlen(channel), &ch) &&
        dbmi_model_find_name(&store->model, purpose, strlen(purpose), &pu))
        c = dbmi_model_consent_current(store->model.slots[slot].extra, ch, pu);
    if (at != NULL)
        *at = c ? c->at : 0;
    return c ? c->state : LIBDBM_CONSENT_UNKNOWN;
}

libdbm_context *dbmi_store_context(const libdbm_store *store)
{
    return store->ctx;
}

int dbmi_store_name_id(const libdbm_store *store, const char *name, size_t len, uint32_t *id)
{
    return dbmi_model_find_name(&store->model, name, len, id);
}

const char *dbmi_store_name_text(const libdbm_store *store, uint32_t id)
{
    return id < store->model.n_names ? store->model.names[id] : NULL;
}

const dbmi_attr *dbmi_store_slot_attr(const libdbm_store *store, size_t slot, uint32_t name)
{
    if (!dbmi_store_slot_live(store, slot))
        return NULL;
    return dbmi_model_attr_get(&store->model, (uint32_t)slot, name);
}

static const dbmi_profile_extra *live_extra(const libdbm_store *store, size_t slot)
{
    return dbmi_store_slot_live(store, slot) ? store->model.slots[slot].extra : NULL;
}

void dbmi_store_slot_contacts(const libdbm_store *store, size_t slot,
                              const dbmi_contact **rows, size_t *n)
{
    const dbmi_profile_extra *x = live_extra(store, slot);
    *rows = x ? x->contacts : NULL;
    *n = x ? x->n_contacts : 0;
}

int dbmi_store_slot_has_unsubscribed(const libdbm_store *store, size_t slot)
{
    const dbmi_profile_extra *x = live_extra(store, slot);
    return x != NULL && x->n_unsubscribed > 0;
}

void dbmi_store_slot_events(const libdbm_store *store, size_t slot,
                            const dbmi_event **rows, size_t *n)
{
    const dbmi_profile_extra *x = live_extra(store, slot);
    *rows = x ? x->events : NULL;
    *n = x ? x->n_events : 0;
}

const dbmi_channel_state *dbmi_store_slot_channel_state(const libdbm_store *store, size_t slot,
                                                        uint32_t channel)
{
    if (!dbmi_store_slot_live(store, slot))
        return NULL;
    return dbmi_model_channel_get(&store->model, (uint32_t)slot, channel);
}

const dbmi_consent *dbmi_store_slot_consent_record(const libdbm_store *store, size_t slot,
                                                   uint32_t channel, uint32_t purpose)
{
    const dbmi_profile_extra *x = live_extra(store, slot);
    return x ? dbmi_model_consent_current(x, channel, purpose) : NULL;
}

int dbmi_store_address_suppressed(const libdbm_store *store, const char *channel,
                                  const char *address)
{
    unsigned char digest[DBMI_SUPPRESSION_BYTES];
    /* The policy asks on every check: skip the hash while the list is empty. */
    if (store->model.n_suppressed == 0)
        return 0;
    dbmi_model_suppression_digest(&store->model, channel, address, strlen(address), digest);
    return dbmi_model_is_suppressed(&store->model, digest);
}

void dbmi_store_gate_lock(libdbm_store *store)
{
    pthread_mutex_lock(&store->gate);
}

void dbmi_store_gate_unlock(libdbm_store *store)
{
    pthread_mutex_unlock(&store->gate);
}
