/* The in-memory data model of the store (model.h). */
#include <math.h>
#include <string.h>

#include "libdbm/store.h"
#include "model.h"

/* The capacity a profile's attribute, channel, consent, contact and event
 * arrays start at: most profiles hold one or two of each. */
#define DBMI_HISTORY_FIRST 2

/* The id index maps an id to its position in the arena (so that a lookup
 * reads the index entry and then one place in the arena), and the slot is
 * stored just before the id. */
static const char *arena_key(const void *owner, uint32_t pos)
{
    const dbmi_model *m = owner;
    return m->id_bytes + (size_t)pos * DBMI_ID_ALIGN + DBMI_ID_SLOT_BYTES;
}

static uint32_t slot_at(const dbmi_model *m, uint32_t pos)
{
    uint32_t slot;
    memcpy(&slot, m->id_bytes + (size_t)pos * DBMI_ID_ALIGN, sizeof(slot));
    return slot;
}

static const char *name_key(const void *owner, uint32_t index)
{
    const dbmi_model *m = owner;
    return m->names[index];
}

void dbmi_model_init(dbmi_model *m, libdbm_context *ctx, int64_t money_scale)
{
    memset(m, 0, sizeof(*m));
    m->ctx = ctx;
    m->money_scale = money_scale;
    dbmi_strindex_init(&m->ids, arena_key, m);
    dbmi_strindex_init(&m->name_index, name_key, m);
}

static void free_extra(libdbm_context *ctx, dbmi_profile_extra *x)
{
    size_t i;
    if (x == NULL)
        return;
    for (i = 0; i < x->n_attrs; i++)
        if (x->attrs[i].type == LIBDBM_TYPE_STRING)
            dbmi_free(ctx, x->attrs[i].v.s);
    for (i = 0; i < x->n_channels; i++)
        dbmi_free(ctx, x->channels[i].address);
    for (i = 0; i < x->n_consents; i++) {
        dbmi_free(ctx, x->consents[i].source);
        dbmi_free(ctx, x->consents[i].wording);
    }
    dbmi_free(ctx, x->attrs);
    dbmi_free(ctx, x->channels);
    dbmi_free(ctx, x->consents);
    dbmi_free(ctx, x->contacts);
    dbmi_free(ctx, x->events);
    dbmi_free(ctx, x);
}

/* Frees the purchase-day and transaction arrays of a slot. */
static void free_histories(dbmi_model *m, uint32_t slot)
{
    dbmi_profile *p = &m->slots[slot];
    if (m->state[slot] != DBMI_SLOT_ALIAS && m->purchase_days[slot] >= 2)
        dbmi_free(m->ctx, p->days.many);
    if (p->n_txns >= 2)
        dbmi_free(m->ctx, p->txns.many);
    memset(&p->days, 0, sizeof(p->days));
    memset(&p->txns, 0, sizeof(p->txns));
    p->n_txns = 0;
}

void dbmi_profile_clear(dbmi_model *m, uint32_t slot)
{
    dbmi_profile *p = &m->slots[slot];
    free_extra(m->ctx, p->extra);
    p->extra = NULL;
    free_histories(m, slot);
    m->first_purchase[slot] = m->last_purchase[slot] = 0;
    m->total_minor[slot] = m->refund_total_minor[slot] = 0;
    m->purchase_count[slot] = m->purchase_days[slot] = m->refund_count[slot] = 0;
}

void dbmi_model_free(dbmi_model *m)
{
    size_t i;
    for (i = 0; i < m->n_slots; i++)
        dbmi_profile_clear(m, (uint32_t)i);
    for (i = 0; i < m->n_names; i++)
        dbmi_free(m->ctx, m->names[i]);
    dbmi_free(m->ctx, m->slots);
    dbmi_free(m->ctx, m->state);
    dbmi_free(m->ctx, m->first_purchase);
    dbmi_free(m->ctx, m->last_purchase);
    dbmi_free(m->ctx, m->total_minor);
    dbmi_free(m->ctx, m->refund_total_minor);
    dbmi_free(m->ctx, m->purchase_count);
    dbmi_free(m->ctx, m->purchase_days);
    dbmi_free(m->ctx, m->refund_count);
    dbmi_free(m->ctx, m->id_bytes);
    dbmi_free(m->ctx, m->names);
    dbmi_free(m->ctx, m->declared);
    dbmi_free(m->ctx, m->suppressed);
    dbmi_camp_table_free(m);
    dbmi_strindex_free(&m->ids, m->ctx);
    dbmi_strindex_free(&m->name_index, m->ctx);
    memset(m, 0, sizeof(*m));
}

uint32_t dbmi_model_canonical(const dbmi_model *m, uint32_t slot)
{
    size_t hops = 0;
    while (m->state[slot] == DBMI_SLOT_ALIAS && hops++ < m->n_slots)
        slot = m->slots[slot].days.alias_target;
    return slot;
}

int dbmi_model_find(const dbmi_model *m, const char *id, size_t len, uint32_t *slot)
{
    uint32_t pos, s;
    if (!dbmi_strindex_find(&m->ids, id, len, &pos))
        return 0;
    s = dbmi_model_canonical(m, slot_at(m, pos));
    if (m->state[s] != DBMI_SLOT_LIVE)
        return 0;
    *slot = s;
    return 1;
}

/* Grows every per-slot array to hold @p need slots. Arrays already grown
 * stay grown when a later one fails: harmless, the capacity is only
 * recorded once all succeeded. */
static int reserve_slots(dbmi_model *m, size_t need)
{
    size_t cap;
    void *p;
    if (need <= m->cap_slots)
        return LIBDBM_OK;
    if (need > UINT32_MAX - 1u)
        return dbmi_error(m->ctx, LIBDBM_ELIMIT, "the store holds the maximum number of profiles");
    /* Grow by an eighth: the slack costs memory for every profile, while
     * the copies are cheap (large blocks are moved by remapping pages). */
    cap = m->cap_slots + m->cap_slots / 8;
    if (cap < m->cap_slots + 64)
        cap = m->cap_slots + 64;
    if (cap < need)
        cap = need;
    if (cap > UINT32_MAX - 1u)
        cap = UINT32_MAX - 1u;
#define GROW(field)                                                          \
    do {                                                                     \
        size_t bytes_;                                                       \
        if (dbmi_size_mul(cap, sizeof(*m->field), &bytes_))                  \
            return dbmi_error_nomem(m->ctx, "profile slots");                \
        p = dbmi_realloc(m->ctx, m->field, bytes_);                          \
        if (p == NULL)                                                       \
            return dbmi_error_nomem(m->ctx, "profile slots");                \
        m->field = p;                                                        \
    } while (0)
    GROW(slots);
    GROW(state);
    GROW(first_purchase);
    GROW(last_purchase);
    GROW(total_minor);
    GROW(refund_total_minor);
    GROW(purchase_count);
    GROW(purchase_days);
    GROW(refund_count);
#undef GROW
    m->cap_slots = cap;
    return LIBDBM_OK;
}

int dbmi_model_reserve(dbmi_model *m, size_t extra)
{
    size_t need;
    int status;
    if (dbmi_size_add(m->n_slots, extra, &need))
        return dbmi_error(m->ctx, LIBDBM_ELIMIT, "the store holds the maximum number of profiles");
    status = reserve_slots(m, need);
    if (status == LIBDBM_OK)
        status = dbmi_strindex_reserve(&m->ids, m->ctx, extra);
    return status;
}

/* Copies the slot number and the id into the arena; *pos is its position
 * in DBMI_ID_ALIGN units. */
static int store_id(dbmi_model *m, uint32_t slot, const char *id, size_t len, uint32_t *pos)
{
    size_t padded = (DBMI_ID_SLOT_BYTES + len + DBMI_ID_ALIGN) / DBMI_ID_ALIGN * DBMI_ID_ALIGN;
    size_t start = m->id_len;
    if (start == 0)
        start = DBMI_ID_ALIGN;  /* position 0 means "no id" */
    if (start / DBMI_ID_ALIGN > UINT32_MAX || padded > (size_t)UINT32_MAX * DBMI_ID_ALIGN - start)
        return dbmi_error(m->ctx, LIBDBM_ELIMIT, "the store's customer ids exceed 16 GiB");
    if (start + padded > m->id_cap) {
        size_t cap = m->id_cap + m->id_cap / 8;
        char *bytes;
        if (cap < start + padded + 4096)
            cap = start + padded + 4096;
        bytes = dbmi_realloc(m->ctx, m->id_bytes, cap);
        if (bytes == NULL)
            return dbmi_error_nomem(m->ctx, "customer ids");
        m->id_bytes = bytes;
        m->id_cap = cap;
    }
    memcpy(m->id_bytes + start, &slot, sizeof(slot));
    memcpy(m->id_bytes + start + DBMI_ID_SLOT_BYTES, id, len);
    memset(m->id_bytes + start + DBMI_ID_SLOT_BYTES + len, 0, padded - DBMI_ID_SLOT_BYTES - len);
    m->id_len = start + padded;
    *pos = (uint32_t)(start / DBMI_ID_ALIGN);
    return LIBDBM_OK;
}

void dbmi_model_wipe_id(dbmi_model *m, uint32_t slot)
{
    dbmi_profile *p = &m->slots[slot];
    const char *id = dbmi_model_id(m, slot);
    size_t len;
    volatile char *v;
    if (id == NULL)
        return;
    len = strlen(id);
    dbmi_strindex_remove(&m->ids, id, len, p->id);
    v = m->id_bytes + (size_t)p->id * DBMI_ID_ALIGN + DBMI_ID_SLOT_BYTES;
    while (len-- > 0)
        *v++ = 0;
    p->id = 0;
}

static int new_slot(dbmi_model *m, const char *id, size_t len, uint32_t state, uint32_t target,
                    uint32_t *slot)
{
    dbmi_profile *p;
    uint32_t pos = 0;
    size_t i;
    int status = dbmi_model_reserve(m, 1);
    if (status == LIBDBM_OK)
        status = store_id(m, (uint32_t)m->n_slots, id, len, &pos);
    if (status != LIBDBM_OK)
        return status;
    i = m->n_slots++;
    p = &m->slots[i];
    memset(p, 0, sizeof(*p));
    p->id = pos;
    m->state[i] = (uint8_t)state;
    if (state == DBMI_SLOT_ALIAS)
        p->days.alias_target = target;
    m->first_purchase[i] = m->last_purchase[i] = 0;
    m->total_minor[i] = m->refund_total_minor[i] = 0;
    m->purchase_count[i] = m->purchase_days[i] = m->refund_count[i] = 0;
    dbmi_strindex_insert(&m->ids, id, len, pos);
    if (state == DBMI_SLOT_LIVE)
        m->live++;
    *slot = (uint32_t)i;
    return LIBDBM_OK;
}

int dbmi_model_ensure(dbmi_model *m, const char *id, size_t len, uint32_t *slot, int *created)
{
    uint32_t pos;
    int status;
    if (dbmi_strindex_find(&m->ids, id, len, &pos)) {
        *slot = dbmi_model_canonical(m, slot_at(m, pos));
        *created = 0;
        return LIBDBM_OK;
    }
    status = new_slot(m, id, len, DBMI_SLOT_LIVE, 0, slot);
    *created = status == LIBDBM_OK;
    return status;
}

void dbmi_model_drop_created(dbmi_model *m, uint32_t slot)
{
    const char *id = dbmi_model_id(m, slot);
    size_t len;
    if (slot + 1u != m->n_slots || id == NULL)
        return;
    len = strlen(id);
    dbmi_strindex_remove(&m->ids, id, len, m->slots[slot].id);
    dbmi_profile_clear(m, slot);
    /* It was the last id stored: give its room back. */
    m->id_len = (size_t)m->slots[slot].id * DBMI_ID_ALIGN;
    m->slots[slot].id = 0;
    m->n_slots--;
    m->live--;
}

int dbmi_model_add_alias(dbmi_model *m, const char *id, size_t len, uint32_t target)
{
    uint32_t slot;
    return new_slot(m, id, len, DBMI_SLOT_ALIAS, target, &slot);
}

int dbmi_model_find_name(const dbmi_model *m, const char *name, size_t len, uint32_t *id)
{
    return dbmi_strindex_find(&m->name_index, name, len, id);
}

int dbmi_model_intern(dbmi_model *m, const char *name, size_t len, uint32_t *id)
{
    char *copy;
    int status;
    if (dbmi_strindex_find(&m->name_index, name, len, id))
        return LIBDBM_OK;
    if (m->n_names >= UINT32_MAX - 1u)
        return dbmi_error(m->ctx, LIBDBM_ELIMIT, "too many distinct names");
    if (m->n_names == m->cap_names) {
        size_t cap = m->cap_names;
        uint8_t *declared;
        status = dbmi_grow_array(m->ctx, (void **)&m->names, &cap, m->n_names + 1, sizeof(char *));
        if (status != LIBDBM_OK)
            return status;
        declared = dbmi_realloc(m->ctx, m->declared, cap);
        if (declared == NULL)
            return dbmi_error_nomem(m->ctx, "schema");
        m->declared = declared;
        m->cap_names = cap;
    }
    status = dbmi_strindex_reserve(&m->name_index, m->ctx, 1);
    if (status != LIBDBM_OK)
        return status;
    copy = dbmi_malloc(m->ctx, len + 1);
    if (copy == NULL)
        return dbmi_error_nomem(m->ctx, "name");
    memcpy(copy, name, len);
    copy[len] = '\0';
    m->names[m->n_names] = copy;
    m->declared[m->n_names] = 0;
    dbmi_strindex_insert(&m->name_index, copy, len, (uint32_t)m->n_names);
    *id = (uint32_t)m->n_names++;
    return LIBDBM_OK;
}

int dbmi_model_extra(dbmi_model *m, uint32_t slot, dbmi_profile_extra **out)
{
    dbmi_profile *p = &m->slots[slot];
    if (p->extra == NULL) {
        p->extra = dbmi_calloc(m->ctx, 1, sizeof(dbmi_profile_extra));
        if (p->extra == NULL)
            return dbmi_error_nomem(m->ctx, "profile");
    }
    *out = p->extra;
    return LIBDBM_OK;
}

/* ---- attributes ---------------------------------------------------------- */

static const char *type_name(int type)
{
    switch (type) {
    case LIBDBM_TYPE_STRING: return "string";
    case LIBDBM_TYPE_INT64: return "int64";
    case LIBDBM_TYPE_DOUBLE: return "double";
    case LIBDBM_TYPE_BOOL: return "bool";
    case LIBDBM_TYPE_TIME: return "time";
    default: return "null";
    }
}

int dbmi_model_attr_declare(dbmi_model *m, uint32_t name, int type)
{
    size_t i, k;
    if (m->declared[name] != 0 && m->declared[name] != type)
        return dbmi_error(m->ctx, LIBDBM_EEXIST, "attribute '%s' is declared as %s",
                          m->names[name], type_name(m->declared[name]));
    for (i = 0; i < m->n_slots; i++) {
        const dbmi_profile_extra *x = m->slots[i].extra;
        if (m->state[i] != DBMI_SLOT_LIVE || x == NULL)
            continue;
        for (k = 0; k < x->n_attrs; k++)
            if (x->attrs[k].name == name && (int)x->attrs[k].type != type)
                return dbmi_error(m->ctx, LIBDBM_EINVAL,
                                  "attribute '%s' of profile '%s' is a %s, not a %s",
                                  m->names[name], dbmi_model_id(m, (uint32_t)i),
                                  type_name((int)x->attrs[k].type), type_name(type));
    }
    m->declared[name] = (uint8_t)type;
    return LIBDBM_OK;
}

const dbmi_attr *dbmi_model_attr_get(const dbmi_model *m, uint32_t slot, uint32_t name)
{
    const dbmi_profile_extra *x = m->slots[slot].extra;
    size_t k;
    if (x == NULL)
        return NULL;
    for (k = 0; k < x->n_attrs; k++)
        if (x->attrs[k].name == name)
            return &x->attrs[k];
    return NULL;
}

int dbmi_model_attr_set(dbmi_model *m, uint32_t slot, uint32_t name, int type, int64_t i,
                        double d, const char *s, size_t s_len)
{
    dbmi_profile_extra *x;
    dbmi_attr *a;
    char *copy = NULL;
    int status;
    if (m->declared[name] != 0 && m->declared[name] != type)
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "attribute '%s' is declared as %s, not %s",
                          m->names[name], type_name(m->declared[name]), type_name(type));
    status = dbmi_model_extra(m, slot, &x);
    if (status != LIBDBM_OK)
        return status;
    if (type == LIBDBM_TYPE_STRING) {
        copy = dbmi_malloc(m->ctx, s_len + 1);
        if (copy == NULL)
            return dbmi_error_nomem(m->ctx, "attribute value");
        memcpy(copy, s, s_len);
        copy[s_len] = '\0';
    }
    a = (dbmi_attr *)dbmi_model_attr_get(m, slot, name);
    if (a == NULL) {
        status = dbmi_grow_array_from(m->ctx, (void **)&x->attrs, &x->cap_attrs,
                                      x->n_attrs + 1, sizeof(dbmi_attr), DBMI_HISTORY_FIRST);
        if (status != LIBDBM_OK) {
            dbmi_free(m->ctx, copy);
            return status;
        }
        a = &x->attrs[x->n_attrs++];
        a->name = name;
    } else if (a->type == LIBDBM_TYPE_STRING) {
        dbmi_free(m->ctx, a->v.s);
    }
    a->type = (uint32_t)type;
    if (type == LIBDBM_TYPE_STRING)
        a->v.s = copy;
    else if (type == LIBDBM_TYPE_DOUBLE)
        a->v.d = d;
    else
        a->v.i = type == LIBDBM_TYPE_BOOL ? (i != 0) : i;
    return LIBDBM_OK;
}

int dbmi_model_attr_delete(dbmi_model *m, uint32_t slot, uint32_t name)
{
    dbmi_profile_extra *x = m->slots[slot].extra;
    size_t k;
    if (x == NULL)
        return LIBDBM_OK;
    for (k = 0; k < x->n_attrs; k++) {
        if (x->attrs[k].name != name)
            continue;
        if (x->attrs[k].type == LIBDBM_TYPE_STRING)
            dbmi_free(m->ctx, x->attrs[k].v.s);
        x->attrs[k] = x->attrs[--x->n_attrs];
        return LIBDBM_OK;
    }
    return LIBDBM_OK;
}

/* ---- channels and consent ------------------------------------------------ */

dbmi_channel_state *dbmi_model_channel_get(const dbmi_model *m, uint32_t slot, uint32_t channel)
{
    dbmi_profile_extra *x = m->slots[slot].extra;
    size_t k;
    if (x == NULL)
        return NULL;
    for (k = 0; k < x->n_channels; k++)
        if (x->channels[k].channel == channel)
            return &x->channels[k];
    return NULL;
}

int dbmi_model_channel_set_address(dbmi_model *m, uint32_t slot, uint32_t channel,
                                   const char *address, size_t len, int64_t verified_at)
{
    dbmi_profile_extra *x;
    dbmi_channel_state *c;
    char *copy;
    int status = dbmi_model_extra(m, slot, &x);
    if (status != LIBDBM_OK)
        return status;
    c = dbmi_model_channel_get(m, slot, channel);
    if (c != NULL && strlen(c->address) == len && memcmp(c->address, address, len) == 0) {
        if (verified_at > c->verified_at)
            c->verified_at = verified_at;
        return LIBDBM_OK;
    }
    copy = dbmi_malloc(m->ctx, len + 1);
    if (copy == NULL)
        return dbmi_error_nomem(m->ctx, "address");
    memcpy(copy, address, len);
    copy[len] = '\0';
    if (c == NULL) {
        status = dbmi_grow_array_from(m->ctx, (void **)&x->channels, &x->cap_channels,
                                      x->n_channels + 1, sizeof(dbmi_channel_state),
                                      DBMI_HISTORY_FIRST);
        if (status != LIBDBM_OK) {
            dbmi_free(m->ctx, copy);
            return status;
        }
        c = &x->channels[x->n_channels++];
        c->channel = channel;
    } else {
        dbmi_free(m->ctx, c->address);
    }
    c->address = copy;
    c->verified_at = verified_at;
    c->invalid = 0;
    c->invalid_at = 0;
    return LIBDBM_OK;
}

static int no_address(const dbmi_model *m, uint32_t slot, uint32_t channel)
{
    return dbmi_error(m->ctx, LIBDBM_ENOTFOUND, "profile '%s' has no address on channel '%s'",
                      dbmi_model_id(m, slot), m->names[channel]);
}

int dbmi_model_channel_verify(dbmi_model *m, uint32_t slot, uint32_t channel, int64_t at)
{
    dbmi_channel_state *c = dbmi_model_channel_get(m, slot, channel);
    if (c == NULL)
        return no_address(m, slot, channel);
    if (at > c->verified_at)
        c->verified_at = at;
    return LIBDBM_OK;
}

int dbmi_model_channel_set_invalid(dbmi_model *m, uint32_t slot, uint32_t channel, int invalid,
                                   int64_t at)
{
    dbmi_channel_state *c = dbmi_model_channel_get(m, slot, channel);
    if (c == NULL)
        return no_address(m, slot, channel);
    c->invalid = invalid != 0;
    c->invalid_at = at;
    return LIBDBM_OK;
}

int dbmi_model_consent_add(dbmi_model *m, uint32_t slot, uint32_t channel, uint32_t purpose,
                           int state, int64_t at, const char *source, const char *wording)
{
    dbmi_profile_extra *x;
    char *src, *wrd;
    size_t pos;
    int status = dbmi_model_extra(m, slot, &x);
    if (status != LIBDBM_OK)
        return status;
    status = dbmi_grow_array_from(m->ctx, (void **)&x->consents, &x->cap_consents,
                                  x->n_consents + 1, sizeof(dbmi_consent), DBMI_HISTORY_FIRST);
    if (status != LIBDBM_OK)
        return status;
    src = dbmi_strdup(m->ctx, source);
    wrd = dbmi_strdup(m->ctx, wording);
    if (src == NULL || wrd == NULL) {
        dbmi_free(m->ctx, src);
        dbmi_free(m->ctx, wrd);
        return dbmi_error_nomem(m->ctx, "consent record");
    }
    /* Keep the history sorted by time; equal times stay in recorded order. */
    pos = x->n_consents;
    while (pos > 0 && x->consents[pos - 1].at > at)
        pos--;
    memmove(&x->consents[pos + 1], &x->consents[pos],
            (x->n_consents - pos) * sizeof(dbmi_consent));
    x->consents[pos].channel = channel;
    x->consents[pos].purpose = purpose;
    x->consents[pos].state = state;
    x->consents[pos].reserved = 0;
    x->consents[pos].at = at;
    x->consents[pos].source = src;
    x->consents[pos].wording = wrd;
    x->n_consents++;
    return LIBDBM_OK;
}

const dbmi_consent *dbmi_model_consent_current(const dbmi_profile_extra *x, uint32_t channel,
                                               uint32_t purpose)
{
    const dbmi_consent *best = NULL;
    size_t k;
    if (x == NULL)
        return NULL;
    for (k = 0; k < x->n_consents; k++) {
        const dbmi_consent *c = &x->consents[k];
        if (c->channel != channel || c->purpose != purpose)
            continue;
        /* Sorted by time: a later record wins, except that at an equal
         * time a denial is never overridden by a grant. */
        if (best == NULL || c->at > best->at || c->state == LIBDBM_CONSENT_DENIED ||
            best->state != LIBDBM_CONSENT_DENIED)
            best = c;
    }
    return best;
}

/* ---- purchases ----------------------------------------------------------- */

uint64_t dbmi_txn_hash(const char *txn, size_t len)
{
    /* Two independent 32-bit string hashes would do; one 64-bit FNV-1a
     * with a strong finaliser is simpler and as good for honest input. */
    uint64_t h = 0xcbf29ce484222325u;
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)txn[i];
        h *= 0x100000001b3u;
    }
    h ^= (uint64_t)len;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}

int dbmi_day_of(int64_t time, int32_t *day)
{
    int64_t d = time / DBMI_SECONDS_PER_DAY;
    if (time % DBMI_SECONDS_PER_DAY < 0)
        d--;
    if (d < INT32_MIN || d > INT32_MAX)
        return 1;
    *day = (int32_t)d;
    return 0;
}

int dbmi_money_to_minor(double amount, int64_t scale, int64_t *out)
{
    double scaled, rounded;
    if (!isfinite(amount))
        return LIBDBM_ERANGE;
    scaled = amount * (double)scale;
    rounded = scaled < 0 ? -floor(-scaled + 0.5) : floor(scaled + 0.5);
    /* 2^63 is exactly representable; anything at or beyond it overflows. */
    if (!(rounded < 9223372036854775808.0) || !(rounded >= -9223372036854775808.0))
        return LIBDBM_ERANGE;
    *out = (int64_t)rounded;
    return LIBDBM_OK;
}

static size_t txn_position(const dbmi_txn *txns, uint32_t n, uint64_t h, int *found)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (txns[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < n && txns[lo].hash == h;
    return lo;
}

static size_t day_position(const dbmi_purchase_day *days, uint32_t n, int32_t day, int *found)
{
    size_t lo = 0, hi = n;
    if (hi > 0 && days[hi - 1].day < day) {
        *found = 0;
        return hi;      /* the common case: an in-order feed */
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < n && days[lo].day == day;
    return lo;
}

int dbmi_model_has_txn(const dbmi_model *m, uint32_t slot, uint64_t txn_hash)
{
    int found;
    txn_position(dbmi_model_txns(m, slot), m->slots[slot].n_txns, txn_hash, &found);
    return found;
}

size_t dbmi_history_capacity(size_t n)
{
    unsigned shift = 0;
    if (n <= 16)
        return n;
    while ((n >> shift) >= 16)
        shift++;
    return ((n + ((size_t)1 << shift) - 1) >> shift) << shift;
}

/* Room for element @p count + 1 of a history (inline first element, then
 * an array of dbmi_history_capacity elements). Leaving the inline element
 * needs a new block, returned in *fresh and installed by history_insert;
 * a grown array is installed at once (harmless: the capacity is derived
 * from the count). On failure nothing observable changed. */
static int history_reserve(libdbm_context *ctx, void **many, uint32_t count, size_t elem,
                           void **fresh)
{
    size_t cap;     /* in bytes */
    void *p;
    *fresh = NULL;
    if (count == 0 || (count >= 2 && count < dbmi_history_capacity(count)))
        return LIBDBM_OK;
    if (count >= UINT32_MAX - 1u)
        return dbmi_error(ctx, LIBDBM_ELIMIT, "too many purchases for one profile");
    if (dbmi_size_mul(dbmi_history_capacity((size_t)count + 1), elem, &cap))
        return dbmi_error_nomem(ctx, "purchase history");
    if (count == 1) {
        p = dbmi_malloc(ctx, cap);
        *fresh = p;
    } else {
        p = dbmi_realloc(ctx, *many, cap);
        if (p != NULL)
            *many = p;
    }
    return p ? LIBDBM_OK : dbmi_error_nomem(ctx, "purchase history");
}

/* Inserts @p value at @p pos of a history of @p count elements whose room
 * history_reserve made. @p one and @p many are the two members of the
 * history's union. */
static void history_insert(void *one, void **many, uint32_t count, size_t elem, void *fresh,
                           size_t pos, const void *value)
{
    unsigned char *a;
    if (fresh != NULL) {
        memcpy(fresh, one, elem);   /* before *many overwrites it */
        *many = fresh;
    }
    a = count == 0 ? one : *many;
    memmove(a + (pos + 1) * elem, a + pos * elem, (count - pos) * elem);
    memcpy(a + pos * elem, value, elem);
}

int dbmi_model_purchase_add(dbmi_model *m, uint32_t slot, int64_t time, int64_t amount_minor,
                            int has_txn, uint64_t txn_hash, int *added)
{
    dbmi_profile *p = &m->slots[slot];
    uint32_t n_days = m->purchase_days[slot];
    dbmi_purchase_day *days = (dbmi_purchase_day *)dbmi_model_days(m, slot);
    void *day_room = NULL, *txn_room = NULL;
    size_t tpos = 0, dpos = 0;
    int tfound = 0, dfound = 0, status;
    int32_t day;
    int64_t total, bucket = 0;
    *added = 0;
    if (dbmi_day_of(time, &day))
        return dbmi_error(m->ctx, LIBDBM_ERANGE, "purchase time %lld is out of range",
                          (long long)time);
    if (has_txn) {
        tpos = txn_position(dbmi_model_txns(m, slot), p->n_txns, txn_hash, &tfound);
        if (tfound)
            return LIBDBM_OK;
    }
    /* Everything that can fail first; then the change, which cannot. */
    if (amount_minor < 0) {
        if (__builtin_add_overflow(m->refund_total_minor[slot], amount_minor, &total) ||
            m->refund_count[slot] == UINT32_MAX)
            return dbmi_error(m->ctx, LIBDBM_ERANGE, "refund total of '%s' overflows",
                              dbmi_model_id(m, slot));
    } else {
        dpos = day_position(days, n_days, day, &dfound);
        if (__builtin_add_overflow(m->total_minor[slot], amount_minor, &total) ||
            (dfound && __builtin_add_overflow(days[dpos].amount_minor, amount_minor, &bucket)) ||
            m->purchase_count[slot] == UINT32_MAX)
            return dbmi_error(m->ctx, LIBDBM_ERANGE, "purchase total of '%s' overflows",
                              dbmi_model_id(m, slot));
        if (!dfound) {
            status = history_reserve(m->ctx, (void **)&p->days.many, n_days,
                                     sizeof(dbmi_purchase_day), &day_room);
            if (status != LIBDBM_OK)
                return status;
        }
    }
    if (has_txn) {
        status = history_reserve(m->ctx, (void **)&p->txns.many, p->n_txns, sizeof(dbmi_txn),
                                 &txn_room);
        if (status != LIBDBM_OK) {
            dbmi_free(m->ctx, day_room);
            return status;
        }
    }
    if (amount_minor < 0) {
        m->refund_total_minor[slot] = total;
        m->refund_count[slot]++;
    } else {
        if (!dfound) {
            dbmi_purchase_day d;
            d.day = day;
            d.count = 1;
            d.amount_minor = amount_minor;
            history_insert(&p->days.one, (void **)&p->days.many, n_days, sizeof(d), day_room,
                           dpos, &d);
            n_days++;
        } else {
            days[dpos].count++;
            days[dpos].amount_minor = bucket;
        }
        if (m->purchase_count[slot] == 0 || time < m->first_purchase[slot])
            m->first_purchase[slot] = time;
        if (m->purchase_count[slot] == 0 || time > m->last_purchase[slot])
            m->last_purchase[slot] = time;
        m->purchase_count[slot]++;
        m->purchase_days[slot] = n_days;
        m->total_minor[slot] = total;
    }
    if (has_txn) {
        dbmi_txn t;
        t.hash = txn_hash;
        t.day = day;
        t.amount_minor = amount_minor > INT32_MIN && amount_minor <= INT32_MAX
                             ? (int32_t)amount_minor : DBMI_TXN_AMOUNT_UNKNOWN;
        history_insert(&p->txns.one, (void **)&p->txns.many, p->n_txns, sizeof(t), txn_room,
                       tpos, &t);
        p->n_txns++;
    }
    *added = 1;
    return LIBDBM_OK;
}

void dbmi_model_set_days(dbmi_model *m, uint32_t slot, const dbmi_purchase_day *days,
                         dbmi_purchase_day *many, uint32_t n)
{
    dbmi_profile *p = &m->slots[slot];
    uint32_t count = 0, k;
    int64_t total = 0;
    if (n >= 2)
        p->days.many = many;
    else if (n == 1)
        p->days.one = days[0];
    for (k = 0; k < n; k++) {
        count += days[k].count;
        total += days[k].amount_minor;
    }
    m->purchase_count[slot] = count;
    m->purchase_days[slot] = n;
    m->total_minor[slot] = total;
}

void dbmi_model_set_txns(dbmi_model *m, uint32_t slot, const dbmi_txn *txns, dbmi_txn *many,
                         uint32_t n)
{
    dbmi_profile *p = &m->slots[slot];
    if (n >= 2)
        p->txns.many = many;
    else if (n == 1)
        p->txns.one = txns[0];
    p->n_txns = n;
}

/* ---- contacts and events ------------------------------------------------- */

int dbmi_model_contact_add(dbmi_model *m, uint32_t slot, int64_t time, uint32_t channel,
                           uint32_t campaign, int32_t stage, int outcome)
{
    dbmi_profile_extra *x = NULL;
    dbmi_contact *c;
    size_t k;
    int status = dbmi_model_extra(m, slot, &x);
    if (status == LIBDBM_OK)
        status = dbmi_grow_array_from(m->ctx, (void **)&x->contacts, &x->cap_contacts,
                                      x->n_contacts + 1, sizeof(dbmi_contact), DBMI_HISTORY_FIRST);
    if (status != LIBDBM_OK)
        return status;
    /* Kept sorted by time (stable) so windows are found by binary search;
     * feeds arrive nearly in order, so the shift is short. */
    k = x->n_contacts;
    while (k > 0 && x->contacts[k - 1].time > time)
        k--;
    memmove(&x->contacts[k + 1], &x->contacts[k], (x->n_contacts - k) * sizeof(dbmi_contact));
    x->n_contacts++;
    c = &x->contacts[k];
    c->time = time;
    c->channel = channel;
    c->campaign = campaign;
    c->stage = stage;
    c->outcome = outcome;
    x->n_unsubscribed += outcome == LIBDBM_OUTCOME_UNSUBSCRIBED;
    return LIBDBM_OK;
}

int dbmi_model_event_add(dbmi_model *m, uint32_t slot, uint32_t name, int64_t time, double value)
{
    dbmi_profile_extra *x = NULL;
    dbmi_event *e;
    size_t k;
    int status = dbmi_model_extra(m, slot, &x);
    if (status == LIBDBM_OK)
        status = dbmi_grow_array_from(m->ctx, (void **)&x->events, &x->cap_events,
                                      x->n_events + 1, sizeof(dbmi_event), DBMI_HISTORY_FIRST);
    if (status != LIBDBM_OK)
        return status;
    k = x->n_events;    /* sorted by time, as contacts */
    while (k > 0 && x->events[k - 1].time > time)
        k--;
    memmove(&x->events[k + 1], &x->events[k], (x->n_events - k) * sizeof(dbmi_event));
    x->n_events++;
    e = &x->events[k];
    e->time = time;
    e->value = value;
    e->name = name;
    e->reserved = 0;
    return LIBDBM_OK;
}
