/* The public reading functions and the cursor. Readers hold the store's
 * read lock, so they run concurrently with each other and see only
 * committed state. */
#include <string.h>

#include "store_columns.h"
#include "store_impl.h"
#include "validate.h"

int dbmi_store_read_begin(libdbm_store *store, const char *id, uint32_t *slot)
{
    size_t len;
    int status;
    if (store == NULL)
        return LIBDBM_EINVAL;
    status = dbmi_check_id(store->ctx, "customer id", id, &len);
    if (status != LIBDBM_OK)
        return status;
    pthread_rwlock_rdlock(&store->rw);
    if (!dbmi_model_find(&store->model, id, len, slot)) {
        pthread_rwlock_unlock(&store->rw);
        return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "no profile '%s'", id);
    }
    return LIBDBM_OK;
}

void dbmi_store_read_end(libdbm_store *store)
{
    pthread_rwlock_unlock(&store->rw);
}

static int null_out(libdbm_store *store, const void *out)
{
    if (store == NULL)
        return LIBDBM_EINVAL;
    if (out == NULL)
        return dbmi_error(store->ctx, LIBDBM_EINVAL, "NULL output argument");
    return LIBDBM_OK;
}

int libdbm_store_profile_exists(libdbm_store *store, int *exists, const char *customer_id)
{
    uint32_t slot;
    int status = null_out(store, exists);
    if (status != LIBDBM_OK)
        return status;
    *exists = 0;
    status = dbmi_store_read_begin(store, customer_id, &slot);
    if (status == LIBDBM_ENOTFOUND)
        return LIBDBM_OK;
    if (status != LIBDBM_OK)
        return status;
    *exists = 1;
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int libdbm_store_profile_resolve(libdbm_store *store, char **canonical_id, const char *customer_id)
{
    uint32_t slot;
    const char *id;
    int status = null_out(store, canonical_id);
    if (status != LIBDBM_OK)
        return status;
    *canonical_id = NULL;
    status = dbmi_store_read_begin(store, customer_id, &slot);
    if (status != LIBDBM_OK)
        return status;
    id = dbmi_model_id(&store->model, slot);
    *canonical_id = dbmi_export_string(store->ctx, id, strlen(id));
    dbmi_store_read_end(store);
    return *canonical_id ? LIBDBM_OK : dbmi_error_nomem(store->ctx, "customer id");
}

int libdbm_store_profile_count(libdbm_store *store, int64_t *count)
{
    int status = null_out(store, count);
    if (status != LIBDBM_OK)
        return status;
    pthread_rwlock_rdlock(&store->rw);
    *count = store->model.live;
    pthread_rwlock_unlock(&store->rw);
    return LIBDBM_OK;
}

int libdbm_store_money_scale(libdbm_store *store, int64_t *scale)
{
    int status = null_out(store, scale);
    if (status != LIBDBM_OK)
        return status;
    *scale = store->model.money_scale;
    return LIBDBM_OK;
}

/* ---- attributes ---------------------------------------------------------- */

static int attr_begin(libdbm_store *store, const void *out, const char *customer_id,
                      const char *name, uint32_t *slot, const dbmi_attr **attr)
{
    uint32_t name_id;
    int status = null_out(store, out);
    if (status == LIBDBM_OK)
        status = dbmi_check_name(store->ctx, "attribute name", name, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_store_read_begin(store, customer_id, slot);
    if (status != LIBDBM_OK)
        return status;
    *attr = NULL;
    if (dbmi_model_find_name(&store->model, name, strlen(name), &name_id))
        *attr = dbmi_model_attr_get(&store->model, *slot, name_id);
    return LIBDBM_OK;
}

int libdbm_store_attr_type(libdbm_store *store, int *type, const char *customer_id, const char *name)
{
    uint32_t slot;
    const dbmi_attr *a;
    int status = attr_begin(store, type, customer_id, name, &slot, &a);
    if (status != LIBDBM_OK)
        return status;
    *type = a ? (int)a->type : LIBDBM_TYPE_NULL;
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

/* Finds the attribute and checks its type; on success the read lock is
 * held. */
static int attr_typed(libdbm_store *store, const void *out, const char *customer_id,
                      const char *name, int type, const dbmi_attr **attr)
{
    uint32_t slot;
    int status = attr_begin(store, out, customer_id, name, &slot, attr);
    if (status != LIBDBM_OK)
        return status;
    if (*attr == NULL) {
        dbmi_store_read_end(store);
        return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "profile '%s' has no attribute '%s'",
                          customer_id, name);
    }
    if ((int)(*attr)->type != type) {
        dbmi_store_read_end(store);
        return dbmi_error(store->ctx, LIBDBM_EINVAL,
                          "attribute '%s' of profile '%s' has type %d, not %d", name, customer_id,
                          (int)(*attr)->type, type);
    }
    return LIBDBM_OK;
}

int libdbm_store_attr_get_string(libdbm_store *store, char **value, const char *customer_id,
                                 const char *name)
{
    const dbmi_attr *a;
    int status;
    if (value != NULL)
        *value = NULL;
    status = attr_typed(store, value, customer_id, name, LIBDBM_TYPE_STRING, &a);
    if (status != LIBDBM_OK)
        return status;
    *value = dbmi_export_string(store->ctx, a->v.s, strlen(a->v.s));
    dbmi_store_read_end(store);
    return *value ? LIBDBM_OK : dbmi_error_nomem(store->ctx, "attribute value");
}

static int get_i64(libdbm_store *store, int64_t *value, const char *customer_id, const char *name,
                   int type)
{
    const dbmi_attr *a;
    int status = attr_typed(store, value, customer_id, name, type, &a);
    if (status != LIBDBM_OK)
        return status;
    *value = a->v.i;
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int libdbm_store_attr_get_int64(libdbm_store *store, int64_t *value, const char *customer_id,
                                const char *name)
{
    return get_i64(store, value, customer_id, name, LIBDBM_TYPE_INT64);
}

int libdbm_store_attr_get_time(libdbm_store *store, int64_t *value, const char *customer_id,
                               const char *name)
{
    return get_i64(store, value, customer_id, name, LIBDBM_TYPE_TIME);
}

int libdbm_store_attr_get_bool(libdbm_store *store, int *value, const char *customer_id,
                               const char *name)
{
    int64_t v;
    int status = null_out(store, value);
    if (status == LIBDBM_OK)
        status = get_i64(store, &v, customer_id, name, LIBDBM_TYPE_BOOL);
    if (status == LIBDBM_OK)
        *value = v != 0;
    return status;
}

int libdbm_store_attr_get_double(libdbm_store *store, double *value, const char *customer_id,
                                 const char *name)
{
    const dbmi_attr *a;
    int status = attr_typed(store, value, customer_id, name, LIBDBM_TYPE_DOUBLE, &a);
    if (status != LIBDBM_OK)
        return status;
    *value = a->v.d;
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

/* ---- channels ------------------------------------------------------------ */

/* Finds the channel state; on success the read lock is held. */
static int channel_begin(libdbm_store *store, const void *out, const char *customer_id,
                         const char *channel, uint32_t *slot, const dbmi_channel_state **state)
{
    uint32_t name;
    int status = out == NULL && store != NULL ? LIBDBM_OK : null_out(store, out);
    if (store == NULL)
        return LIBDBM_EINVAL;
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_store_read_begin(store, customer_id, slot);
    if (status != LIBDBM_OK)
        return status;
    *state = NULL;
    if (dbmi_model_find_name(&store->model, channel, strlen(channel), &name))
        *state = dbmi_model_channel_get(&store->model, *slot, name);
    if (*state == NULL) {
        dbmi_store_read_end(store);
        return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "profile '%s' has no address on channel '%s'",
                          customer_id, channel);
    }
    return LIBDBM_OK;
}

int libdbm_store_channel_get_address(libdbm_store *store, char **address, const char *customer_id,
                                     const char *channel)
{
    uint32_t slot;
    const dbmi_channel_state *c;
    int status;
    if (address != NULL)
        *address = NULL;
    status = null_out(store, address);
    if (status == LIBDBM_OK)
        status = channel_begin(store, address, customer_id, channel, &slot, &c);
    if (status != LIBDBM_OK)
        return status;
    *address = dbmi_export_string(store->ctx, c->address, strlen(c->address));
    dbmi_store_read_end(store);
    return *address ? LIBDBM_OK : dbmi_error_nomem(store->ctx, "address");
}

int libdbm_store_channel_get_status(libdbm_store *store, int64_t *verified_at, int *invalid,
                                    const char *customer_id, const char *channel)
{
    uint32_t slot;
    const dbmi_channel_state *c;
    int status = channel_begin(store, NULL, customer_id, channel, &slot, &c);
    if (status != LIBDBM_OK)
        return status;
    if (verified_at != NULL)
        *verified_at = c->verified_at;
    if (invalid != NULL)
        *invalid = c->invalid;
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int libdbm_store_channel_get_consent(libdbm_store *store, int *state, int64_t *at,
                                     const char *customer_id, const char *channel,
                                     const char *purpose)
{
    uint32_t slot, ch, pu;
    const dbmi_consent *c = NULL;
    int status = null_out(store, state);
    if (purpose == NULL)
        purpose = "marketing";
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "purpose", purpose, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_store_read_begin(store, customer_id, &slot);
    if (status != LIBDBM_OK)
        return status;
    if (dbmi_model_find_name(&store->model, channel, strlen(channel), &ch) &&
        dbmi_model_find_name(&store->model, purpose, strlen(purpose), &pu))
        c = dbmi_model_consent_current(store->model.slots[slot].extra, ch, pu);
    *state = c ? c->state : LIBDBM_CONSENT_UNKNOWN;
    if (at != NULL)
        *at = c ? c->at : 0;
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int libdbm_store_consent_history(libdbm_store *store, const char *customer_id,
                                 libdbm_consent_fn fn, void *user_data)
{
    uint32_t slot;
    const dbmi_profile_extra *x;
    size_t k;
    int status = null_out(store, (const void *)(size_t)(fn != NULL));
    if (status == LIBDBM_OK)
        status = dbmi_store_read_begin(store, customer_id, &slot);
    if (status != LIBDBM_OK)
        return status;
    x = store->model.slots[slot].extra;
    for (k = 0; x != NULL && k < x->n_consents; k++) {
        const dbmi_consent *c = &x->consents[k];
        if (fn(store->model.names[c->channel], store->model.names[c->purpose], c->state, c->at,
               c->source, c->wording, user_data) != 0)
            break;
    }
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int libdbm_store_stale_addresses(libdbm_store *store, const char *channel, int64_t as_of,
                                 int64_t max_age_seconds, libdbm_stale_fn fn, void *user_data)
{
    const dbmi_model *m;
    uint32_t only = 0;
    int filter = channel != NULL, stop = 0;
    int64_t cutoff;
    size_t i, k;
    int status = null_out(store, (const void *)(size_t)(fn != NULL));
    if (status == LIBDBM_OK && channel != NULL)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status == LIBDBM_OK && max_age_seconds < 0)
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "max_age_seconds is negative");
    if (status != LIBDBM_OK)
        return status;
    if (__builtin_sub_overflow(as_of, max_age_seconds, &cutoff))
        cutoff = INT64_MIN;
    pthread_rwlock_rdlock(&store->rw);
    m = &store->model;
    if (filter && !dbmi_model_find_name(m, channel, strlen(channel), &only)) {
        pthread_rwlock_unlock(&store->rw);
        return LIBDBM_OK;
    }
    for (i = 0; i < m->n_slots && !stop; i++) {
        const dbmi_profile_extra *x = m->slots[i].extra;
        if (m->state[i] != DBMI_SLOT_LIVE || x == NULL)
            continue;
        for (k = 0; k < x->n_channels && !stop; k++) {
            const dbmi_channel_state *c = &x->channels[k];
            if (filter && c->channel != only)
                continue;
            if (c->verified_at == 0 || c->verified_at < cutoff)
                stop = fn(dbmi_model_id(m, (uint32_t)i), m->names[c->channel], c->address, c->verified_at,
                          user_data) != 0;
        }
    }
    pthread_rwlock_unlock(&store->rw);
    return LIBDBM_OK;
}

/* ---- purchases, contacts, events ----------------------------------------- */

int libdbm_store_aggregate(libdbm_store *store, int64_t *value, const char *customer_id, int which)
{
    const dbmi_model *m;
    uint32_t slot;
    int status = null_out(store, value);
    if (status == LIBDBM_OK && (which < LIBDBM_AGG_FIRST_PURCHASE || which > LIBDBM_AGG_REFUND_TOTAL_MINOR))
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "aggregate %d is not a LIBDBM_AGG_*", which);
    if (status == LIBDBM_OK)
        status = dbmi_store_read_begin(store, customer_id, &slot);
    if (status != LIBDBM_OK)
        return status;
    m = &store->model;
    switch (which) {
    case LIBDBM_AGG_FIRST_PURCHASE:
    case LIBDBM_AGG_LAST_PURCHASE:
        if (m->purchase_count[slot] == 0) {
            dbmi_store_read_end(store);
            return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "profile '%s' has no purchases",
                              customer_id);
        }
        *value = which == LIBDBM_AGG_FIRST_PURCHASE ? m->first_purchase[slot] : m->last_purchase[slot];
        break;
    case LIBDBM_AGG_PURCHASE_COUNT: *value = m->purchase_count[slot]; break;
    case LIBDBM_AGG_PURCHASE_DAYS: *value = m->purchase_days[slot]; break;
    case LIBDBM_AGG_TOTAL_MINOR: *value = m->total_minor[slot]; break;
    case LIBDBM_AGG_REFUND_COUNT: *value = m->refund_count[slot]; break;
    default: *value = m->refund_total_minor[slot]; break;
    }
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int libdbm_store_contact_count(libdbm_store *store, int64_t *count, const char *customer_id,
                               const char *channel, int outcome, int64_t from, int64_t to)
{
    const dbmi_profile_extra *x;
    uint32_t slot, ch = 0;
    int status = null_out(store, count), known = 1;
    size_t k;
    if (status == LIBDBM_OK && channel != NULL)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status == LIBDBM_OK && (outcome < 0 || outcome > LIBDBM_OUTCOME_FAILED))
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "outcome %d is not 0 or a LIBDBM_OUTCOME_*",
                            outcome);
    if (status == LIBDBM_OK)
        status = dbmi_store_read_begin(store, customer_id, &slot);
    if (status != LIBDBM_OK)
        return status;
    *count = 0;
    if (channel != NULL)
        known = dbmi_model_find_name(&store->model, channel, strlen(channel), &ch);
    x = store->model.slots[slot].extra;
    for (k = 0; known && x != NULL && k < x->n_contacts; k++) {
        const dbmi_contact *c = &x->contacts[k];
        if (c->time >= from && c->time < to && (channel == NULL || c->channel == ch) &&
            (outcome == 0 || c->outcome == outcome))
            (*count)++;
    }
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int libdbm_store_event_count(libdbm_store *store, int64_t *count, const char *customer_id,
                             const char *name, int64_t from, int64_t to)
{
    const dbmi_profile_extra *x;
    uint32_t slot, nm = 0;
    int status = null_out(store, count), known;
    size_t k;
    if (status == LIBDBM_OK)
        status = dbmi_check_name(store->ctx, "event name", name, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_store_read_begin(store, customer_id, &slot);
    if (status != LIBDBM_OK)
        return status;
    *count = 0;
    known = dbmi_model_find_name(&store->model, name, strlen(name), &nm);
    x = store->model.slots[slot].extra;
    for (k = 0; known && x != NULL && k < x->n_events; k++)
        if (x->events[k].name == nm && x->events[k].time >= from && x->events[k].time < to)
            (*count)++;
    dbmi_store_read_end(store);
    return LIBDBM_OK;
}

int libdbm_store_is_suppressed(libdbm_store *store, int *suppressed, const char *channel,
                               const char *address)
{
    size_t len;
    int status = null_out(store, suppressed);
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_check_text(store->ctx, "address", address, 1, DBMI_MAX_TEXT_BYTES, &len);
    if (status != LIBDBM_OK)
        return status;
    pthread_rwlock_rdlock(&store->rw);
    *suppressed = dbmi_store_address_suppressed(store, channel, address);
    pthread_rwlock_unlock(&store->rw);
    return LIBDBM_OK;
}

/* ---- cursor -------------------------------------------------------------- */

struct libdbm_store_cursor {
    libdbm_store *store;
    size_t next;
    char *id;
    size_t cap;
};

int libdbm_store_cursor_new(libdbm_store_cursor **out, libdbm_store *store)
{
    libdbm_store_cursor *c;
    int status = null_out(store, out);
    if (status != LIBDBM_OK)
        return status;
    *out = NULL;
    c = dbmi_calloc(store->ctx, 1, sizeof(*c));
    if (c == NULL)
        return dbmi_error_nomem(store->ctx, "cursor");
    c->store = store;
    *out = c;
    return LIBDBM_OK;
}

int libdbm_store_cursor_next(libdbm_store_cursor *cursor, const char **customer_id)
{
    libdbm_store *store;
    const dbmi_model *m;
    int status = LIBDBM_ENOTFOUND;
    if (cursor == NULL || customer_id == NULL)
        return LIBDBM_EINVAL;
    store = cursor->store;
    *customer_id = NULL;
    pthread_rwlock_rdlock(&store->rw);
    m = &store->model;
    while (cursor->next < m->n_slots && m->state[cursor->next] != DBMI_SLOT_LIVE)
        cursor->next++;
    if (cursor->next < m->n_slots) {
        const char *id = dbmi_model_id(m, (uint32_t)cursor->next);
        size_t len = strlen(id);
        status = dbmi_grow_array(store->ctx, (void **)&cursor->id, &cursor->cap, len + 1, 1);
        if (status == LIBDBM_OK) {
            memcpy(cursor->id, id, len + 1);
            *customer_id = cursor->id;
            cursor->next++;
        }
    }
    pthread_rwlock_unlock(&store->rw);
    return status;
}

void libdbm_store_cursor_free(libdbm_store_cursor *cursor)
{
    if (cursor == NULL)
        return;
    dbmi_free(cursor->store->ctx, cursor->id);
    dbmi_free(cursor->store->ctx, cursor);
}
