/* Serialisation of the model into the snapshot payload (store_snapshot.h). */
#include <math.h>
#include <string.h>

#include "libdbm/store.h"
#include "store_snapshot.h"
#include "validate.h"

#define FLUSH_BYTES ((size_t)1 << 20)

static void put_cstr(dbmi_buf *buf, const char *s)
{
    dbmi_buf_put_bytes(buf, s, strlen(s) + 1);
}

static void put_zigzag(dbmi_buf *buf, int64_t v)
{
    dbmi_buf_put_varint(buf, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static int flush(dbmi_buf *buf, dbmi_payload_sink sink, void *user_data, int force)
{
    int status = dbmi_buf_status(buf);
    if (status != LIBDBM_OK)
        return status;
    if (buf->len == 0 || (!force && buf->len < FLUSH_BYTES))
        return LIBDBM_OK;
    status = sink(user_data, buf->data, buf->len);
    dbmi_buf_clear(buf);
    return status;
}

static void put_profile(const dbmi_model *m, dbmi_buf *b, uint32_t slot)
{
    const dbmi_profile *p = &m->slots[slot];
    const dbmi_profile_extra *x = p->extra;
    const dbmi_purchase_day *days = dbmi_model_days(m, slot);
    const dbmi_txn *txns = dbmi_model_txns(m, slot);
    size_t k;
    put_cstr(b, dbmi_model_id(m, slot));
    dbmi_buf_put_varint(b, m->purchase_days[slot]);
    for (k = 0; k < m->purchase_days[slot]; k++) {
        put_zigzag(b, days[k].day);
        dbmi_buf_put_varint(b, days[k].count);
        put_zigzag(b, days[k].amount_minor);
    }
    put_zigzag(b, m->first_purchase[slot]);
    put_zigzag(b, m->last_purchase[slot]);
    dbmi_buf_put_varint(b, m->refund_count[slot]);
    put_zigzag(b, m->refund_total_minor[slot]);
    dbmi_buf_put_varint(b, p->n_txns);
    for (k = 0; k < p->n_txns; k++) {
        dbmi_buf_put_u64(b, txns[k].hash);
        put_zigzag(b, txns[k].day);
        put_zigzag(b, txns[k].amount_minor);
    }
    dbmi_buf_put_varint(b, x ? x->n_attrs : 0);
    for (k = 0; x && k < x->n_attrs; k++) {
        const dbmi_attr *a = &x->attrs[k];
        dbmi_buf_put_varint(b, a->name);
        dbmi_buf_put_u8(b, (uint8_t)a->type);
        if (a->type == LIBDBM_TYPE_STRING)
            put_cstr(b, a->v.s);
        else if (a->type == LIBDBM_TYPE_DOUBLE)
            dbmi_buf_put_f64(b, a->v.d);
        else
            put_zigzag(b, a->v.i);
    }
    dbmi_buf_put_varint(b, x ? x->n_channels : 0);
    for (k = 0; x && k < x->n_channels; k++) {
        const dbmi_channel_state *c = &x->channels[k];
        dbmi_buf_put_varint(b, c->channel);
        put_cstr(b, c->address);
        put_zigzag(b, c->verified_at);
        dbmi_buf_put_u8(b, (uint8_t)c->invalid);
        put_zigzag(b, c->invalid_at);
    }
    dbmi_buf_put_varint(b, x ? x->n_consents : 0);
    for (k = 0; x && k < x->n_consents; k++) {
        const dbmi_consent *c = &x->consents[k];
        dbmi_buf_put_varint(b, c->channel);
        dbmi_buf_put_varint(b, c->purpose);
        dbmi_buf_put_u8(b, (uint8_t)c->state);
        put_zigzag(b, c->at);
        put_cstr(b, c->source);
        put_cstr(b, c->wording);
    }
    dbmi_buf_put_varint(b, x ? x->n_contacts : 0);
    for (k = 0; x && k < x->n_contacts; k++) {
        const dbmi_contact *c = &x->contacts[k];
        put_zigzag(b, c->time);
        dbmi_buf_put_varint(b, c->channel);
        dbmi_buf_put_varint(b, c->campaign);
        put_zigzag(b, c->stage);
        dbmi_buf_put_u8(b, (uint8_t)c->outcome);
    }
    dbmi_buf_put_varint(b, x ? x->n_events : 0);
    for (k = 0; x && k < x->n_events; k++) {
        const dbmi_event *e = &x->events[k];
        put_zigzag(b, e->time);
        dbmi_buf_put_varint(b, e->name);
        dbmi_buf_put_f64(b, e->value);
    }
}

int dbmi_store_serialize(const dbmi_model *m, dbmi_buf *b, dbmi_payload_sink sink,
                         void *user_data)
{
    size_t i, n_declared = 0, n_aliases = 0;
    uint32_t *ordinal = NULL;
    uint32_t next = 0;
    int status;
    dbmi_buf_clear(b);
    /* Profiles are written densely; aliases refer to them by ordinal. */
    ordinal = dbmi_calloc(m->ctx, m->n_slots ? m->n_slots : 1, sizeof(uint32_t));
    if (ordinal == NULL)
        return dbmi_error_nomem(m->ctx, "snapshot");
    for (i = 0; i < m->n_slots; i++) {
        if (m->state[i] == DBMI_SLOT_LIVE)
            ordinal[i] = next++;
        else if (m->state[i] == DBMI_SLOT_ALIAS)
            n_aliases++;
    }
    dbmi_buf_put_u32(b, DBMI_STORE_PAYLOAD_VERSION);
    dbmi_buf_put_i64(b, m->money_scale);
    dbmi_buf_put(b, m->salt, sizeof(m->salt));
    dbmi_buf_put_varint(b, m->n_names);
    for (i = 0; i < m->n_names; i++)
        put_cstr(b, m->names[i]);
    for (i = 0; i < m->n_names; i++)
        n_declared += m->declared[i] != 0;
    dbmi_buf_put_varint(b, n_declared);
    for (i = 0; i < m->n_names; i++)
        if (m->declared[i] != 0) {
            dbmi_buf_put_varint(b, i);
            dbmi_buf_put_u8(b, m->declared[i]);
        }
    dbmi_buf_put_varint(b, m->n_suppressed);
    dbmi_buf_put(b, m->suppressed, m->n_suppressed * DBMI_SUPPRESSION_BYTES);
    dbmi_buf_put_varint(b, next);
    status = LIBDBM_OK;
    for (i = 0; i < m->n_slots && status == LIBDBM_OK; i++) {
        if (m->state[i] != DBMI_SLOT_LIVE)
            continue;
        put_profile(m, b, (uint32_t)i);
        status = flush(b, sink, user_data, 0);
    }
    if (status == LIBDBM_OK) {
        dbmi_buf_put_varint(b, n_aliases);
        for (i = 0; i < m->n_slots && status == LIBDBM_OK; i++) {
            if (m->state[i] != DBMI_SLOT_ALIAS)
                continue;
            put_cstr(b, dbmi_model_id(m, (uint32_t)i));
            dbmi_buf_put_varint(b, ordinal[dbmi_model_canonical(m, (uint32_t)i)]);
            status = flush(b, sink, user_data, 0);
        }
    }
    if (status == LIBDBM_OK)
        dbmi_camp_serialize(m, b, ordinal);
    if (status == LIBDBM_OK)
        status = flush(b, sink, user_data, 1);
    dbmi_free(m->ctx, ordinal);
    return status;
}

/* ---- loading ------------------------------------------------------------- */

typedef struct loader {
    dbmi_model *m;
    dbmi_reader r;
    uint32_t version;           /* of the payload */
    dbmi_profile_extra *spare;  /* an empty extra kept for the next profile */
    int status;
} loader;

static int bad(loader *l, const char *what)
{
    if (l->status == LIBDBM_OK)
        l->status = dbmi_error(l->m->ctx, LIBDBM_ECORRUPT,
                               "store snapshot: bad %s at payload offset %zu of %zu", what,
                               l->r.pos, l->r.len);
    return l->status;
}

static int ok(loader *l)
{
    if (l->status == LIBDBM_OK && l->r.failed)
        bad(l, "field (payload too short)");
    return l->status == LIBDBM_OK;
}

static const char *get_cstr(loader *l, const char *what, size_t min_len, size_t max_len,
                            size_t *out_len)
{
    size_t len;
    const char *s = dbmi_get_bytes(&l->r, &len);
    if (s == NULL || len == 0 || s[len - 1] != '\0' || len - 1 < min_len || len - 1 > max_len ||
        !dbmi_utf8_valid(s, len - 1)) {
        bad(l, what);
        return NULL;
    }
    if (out_len != NULL)
        *out_len = len - 1;
    return s;
}

static int64_t get_zigzag(loader *l)
{
    uint64_t v = dbmi_get_varint(&l->r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* A count of elements of at least @p min_bytes each, checked against the
 * bytes left so that no allocation trusts the file. */
static size_t get_count(loader *l, const char *what, size_t min_bytes)
{
    uint64_t n = dbmi_get_varint(&l->r);
    if (!ok(l) || n > dbmi_reader_remaining(&l->r) / min_bytes) {
        bad(l, what);
        return 0;
    }
    return (size_t)n;
}

static uint32_t get_name(loader *l, const char *what)
{
    uint64_t v = dbmi_get_varint(&l->r);
    if (!ok(l) || v >= l->m->n_names) {
        bad(l, what);
        return 0;
    }
    return (uint32_t)v;
}

static void *alloc_n(loader *l, size_t n, size_t elem)
{
    void *p = dbmi_calloc(l->m->ctx, n ? n : 1, elem);
    if (p == NULL && l->status == LIBDBM_OK)
        l->status = dbmi_error_nomem(l->m->ctx, "snapshot");
    return p;
}

static char *dup_str(loader *l, const char *s)
{
    char *c = dbmi_strdup(l->m->ctx, s);
    if (c == NULL && l->status == LIBDBM_OK)
        l->status = dbmi_error_nomem(l->m->ctx, "snapshot");
    return c;
}

/* Reads @p n elements of @p elem bytes through @p read_one into a history
 * array of dbmi_history_capacity(n), or into @p one when n < 2. Returns
 * where they are, or NULL (the array freed) on failure. */
typedef int (*read_elem_fn)(loader *l, void *elem, const void *previous);

static void *load_history(loader *l, size_t n, size_t elem, void *one, read_elem_fn read_one)
{
    unsigned char *a = one;
    size_t k;
    if (n >= 2) {
        size_t bytes;
        if (dbmi_size_mul(dbmi_history_capacity(n), elem, &bytes)) {
            bad(l, "history length");
            return NULL;
        }
        a = dbmi_malloc(l->m->ctx, bytes);
        if (a == NULL) {
            l->status = dbmi_error_nomem(l->m->ctx, "snapshot");
            return NULL;
        }
    }
    for (k = 0; k < n; k++)
        if (read_one(l, a + k * elem, k > 0 ? a + (k - 1) * elem : NULL) != LIBDBM_OK) {
            if (a != one)
                dbmi_free(l->m->ctx, a);
            return NULL;
        }
    return a;
}

static int read_day(loader *l, void *elem, const void *previous)
{
    dbmi_purchase_day *d = elem;
    const dbmi_purchase_day *prev = previous;
    int64_t day = get_zigzag(l);
    uint64_t c = dbmi_get_varint(&l->r);
    int64_t amount = get_zigzag(l);
    if (!ok(l))
        return l->status;
    if (day < INT32_MIN || day > INT32_MAX || (prev != NULL && day <= prev->day))
        return bad(l, "purchase day (not increasing)");
    if (c == 0 || c > UINT32_MAX || amount < 0)
        return bad(l, "purchase day bucket");
    d->day = (int32_t)day;
    d->count = (uint32_t)c;
    d->amount_minor = amount;
    return LIBDBM_OK;
}

/* Before version 3 only the hash was kept: day and amount are unknown. */
static int read_txn(loader *l, void *elem, const void *previous)
{
    dbmi_txn *t = elem;
    const dbmi_txn *prev = previous;
    int64_t day = 0, amount = DBMI_TXN_AMOUNT_UNKNOWN;
    t->hash = dbmi_get_u64(&l->r);
    if (l->version >= 3) {
        day = get_zigzag(l);
        amount = get_zigzag(l);
    }
    if (!ok(l))
        return l->status;
    if (prev != NULL && t->hash <= prev->hash)
        return bad(l, "transaction hash (not increasing)");
    if (day < INT32_MIN || day > INT32_MAX || amount < INT32_MIN || amount > INT32_MAX)
        return bad(l, "transaction day or amount");
    t->day = (int32_t)day;
    t->amount_minor = (int32_t)amount;
    return LIBDBM_OK;
}

static void load_purchases(loader *l, uint32_t slot)
{
    dbmi_model *m = l->m;
    dbmi_purchase_day one_day;
    dbmi_txn one_txn;
    dbmi_purchase_day *days;
    dbmi_txn *txns;
    size_t n, k;
    uint64_t count = 0;
    int64_t total = 0;
    n = get_count(l, "purchase day count", 3);
    if (!ok(l))
        return;
    if (n > UINT32_MAX - 1u)
        return (void)bad(l, "purchase day count");
    days = load_history(l, n, sizeof(dbmi_purchase_day), &one_day, read_day);
    if (days == NULL)
        return;
    for (k = 0; k < n; k++) {
        count += days[k].count;
        if (count > UINT32_MAX || __builtin_add_overflow(total, days[k].amount_minor, &total)) {
            if (days != &one_day)
                dbmi_free(m->ctx, days);
            return (void)bad(l, "purchase totals (overflow)");
        }
    }
    dbmi_model_set_days(m, slot, days, n >= 2 ? days : NULL, (uint32_t)n);
    m->first_purchase[slot] = get_zigzag(l);
    m->last_purchase[slot] = get_zigzag(l);
    {
        uint64_t rc = dbmi_get_varint(&l->r);
        int64_t rt = get_zigzag(l);
        if (!ok(l))
            return;
        if (rc > UINT32_MAX || rt > 0 || (rc == 0 && rt != 0))
            return (void)bad(l, "refund aggregates");
        m->refund_count[slot] = (uint32_t)rc;
        m->refund_total_minor[slot] = rt;
    }
    if (n > 0 && m->first_purchase[slot] > m->last_purchase[slot])
        return (void)bad(l, "first/last purchase");
    n = get_count(l, "transaction count", 8);
    if (!ok(l))
        return;
    if (n > UINT32_MAX - 1u)
        return (void)bad(l, "transaction count");
    txns = load_history(l, n, sizeof(dbmi_txn), &one_txn, read_txn);
    if (txns != NULL)
        dbmi_model_set_txns(m, slot, txns, n >= 2 ? txns : NULL, (uint32_t)n);
}

static void load_extra(loader *l, uint32_t slot)
{
    dbmi_model *m = l->m;
    dbmi_profile_extra *x;
    size_t n_attrs, n_channels, n_consents, n_contacts, n_events, k;
    n_attrs = get_count(l, "attribute count", 3);
    if (!ok(l))
        return;
    /* Most profiles have only purchases: their extra stays empty and is
     * reused for the next one instead of being allocated and freed. */
    x = m->slots[slot].extra = l->spare ? l->spare : alloc_n(l, 1, sizeof(dbmi_profile_extra));
    l->spare = NULL;
    if (x == NULL)
        return;
    x->attrs = n_attrs ? alloc_n(l, n_attrs, sizeof(dbmi_attr)) : NULL;
    if (n_attrs > 0 && x->attrs == NULL)
        return;
    x->cap_attrs = n_attrs;
    for (k = 0; k < n_attrs; k++) {
        dbmi_attr *a = &x->attrs[k];
        size_t j;
        a->name = get_name(l, "attribute name");
        a->type = dbmi_get_u8(&l->r);
        if (!ok(l))
            return;
        if (a->type < LIBDBM_TYPE_STRING || a->type > LIBDBM_TYPE_TIME)
            return (void)bad(l, "attribute type");
        for (j = 0; j < k; j++)
            if (x->attrs[j].name == a->name)
                return (void)bad(l, "attribute (duplicate name)");
        if (a->type == LIBDBM_TYPE_STRING) {
            const char *s = get_cstr(l, "attribute value", 0, DBMI_MAX_TEXT_BYTES, NULL);
            if (s == NULL)
                return;
            a->v.s = dup_str(l, s);
            if (a->v.s == NULL)
                return;
        } else if (a->type == LIBDBM_TYPE_DOUBLE) {
            a->v.d = dbmi_get_f64(&l->r);
            if (!isfinite(a->v.d))
                return (void)bad(l, "attribute value");
        } else {
            a->v.i = get_zigzag(l);
        }
        x->n_attrs = k + 1;
    }
    n_channels = get_count(l, "channel count", 6);
    if (!ok(l))
        return;
    x->channels = n_channels ? alloc_n(l, n_channels, sizeof(dbmi_channel_state)) : NULL;
    if (n_channels > 0 && x->channels == NULL)
        return;
    x->cap_channels = n_channels;
    for (k = 0; k < n_channels; k++) {
        dbmi_channel_state *c = &x->channels[k];
        const char *s;
        c->channel = get_name(l, "channel");
        s = get_cstr(l, "address", 1, DBMI_MAX_TEXT_BYTES, NULL);
        if (s == NULL)
            return;
        c->verified_at = get_zigzag(l);
        c->invalid = dbmi_get_u8(&l->r);
        c->invalid_at = get_zigzag(l);
        if (!ok(l))
            return;
        if (c->invalid > 1)
            return (void)bad(l, "invalid flag");
        c->address = dup_str(l, s);
        if (c->address == NULL)
            return;
        x->n_channels = k + 1;
    }
    n_consents = get_count(l, "consent count", 6);
    if (!ok(l))
        return;
    x->consents = n_consents ? alloc_n(l, n_consents, sizeof(dbmi_consent)) : NULL;
    if (n_consents > 0 && x->consents == NULL)
        return;
    x->cap_consents = n_consents;
    for (k = 0; k < n_consents; k++) {
        dbmi_consent *c = &x->consents[k];
        const char *src, *wrd;
        c->channel = get_name(l, "consent channel");
        c->purpose = get_name(l, "consent purpose");
        c->state = dbmi_get_u8(&l->r);
        c->at = get_zigzag(l);
        src = get_cstr(l, "consent source", 0, DBMI_MAX_TEXT_BYTES, NULL);
        wrd = src ? get_cstr(l, "consent wording", 0, DBMI_MAX_TEXT_BYTES, NULL) : NULL;
        if (!ok(l) || wrd == NULL)
            return;
        if (c->state < LIBDBM_CONSENT_UNKNOWN || c->state > LIBDBM_CONSENT_DENIED ||
            (k > 0 && c->at < x->consents[k - 1].at))
            return (void)bad(l, "consent record");
        c->source = dup_str(l, src);
        c->wording = c->source ? dup_str(l, wrd) : NULL;
        if (c->wording == NULL) {
            dbmi_free(m->ctx, c->source);
            return;
        }
        x->n_consents = k + 1;
    }
    n_contacts = get_count(l, "contact count", 5);
    if (!ok(l))
        return;
    x->contacts = n_contacts ? alloc_n(l, n_contacts, sizeof(dbmi_contact)) : NULL;
    if (n_contacts > 0 && x->contacts == NULL)
        return;
    x->cap_contacts = n_contacts;
    for (k = 0; k < n_contacts; k++) {
        dbmi_contact *c = &x->contacts[k];
        int64_t stage;
        c->time = get_zigzag(l);
        c->channel = get_name(l, "contact channel");
        c->campaign = get_name(l, "contact campaign");
        stage = get_zigzag(l);
        c->outcome = dbmi_get_u8(&l->r);
        if (!ok(l))
            return;
        if (stage < 0 || stage > INT32_MAX || c->outcome < LIBDBM_OUTCOME_SENT ||
            c->outcome > LIBDBM_OUTCOME_FAILED || (k > 0 && c->time < x->contacts[k - 1].time))
            return (void)bad(l, "contact row");
        c->stage = (int32_t)stage;
        x->n_unsubscribed += c->outcome == LIBDBM_OUTCOME_UNSUBSCRIBED;
        x->n_contacts = k + 1;
    }
    n_events = get_count(l, "event count", 10);
    if (!ok(l))
        return;
    x->events = n_events ? alloc_n(l, n_events, sizeof(dbmi_event)) : NULL;
    if (n_events > 0 && x->events == NULL)
        return;
    x->cap_events = n_events;
    for (k = 0; k < n_events; k++) {
        dbmi_event *e = &x->events[k];
        e->time = get_zigzag(l);
        e->name = get_name(l, "event name");
        e->value = dbmi_get_f64(&l->r);
        if (!ok(l))
            return;
        if (!isfinite(e->value) || (k > 0 && e->time < x->events[k - 1].time))
            return (void)bad(l, "event row");
        x->n_events = k + 1;
    }
    if (x->n_attrs + x->n_channels + x->n_consents + x->n_contacts + x->n_events == 0) {
        m->slots[slot].extra = NULL;    /* all fields still zero */
        l->spare = x;
    }
}

int dbmi_store_deserialize(dbmi_model *m, const void *payload, size_t len)
{
    loader l;
    size_t n, k;
    uint32_t version;
    const void *salt;
    uint32_t *slot_of = NULL;
    l.m = m;
    l.spare = NULL;
    l.status = LIBDBM_OK;
    dbmi_reader_init(&l.r, payload, len);
    version = dbmi_get_u32(&l.r);
    if (!ok(&l))
        return l.status;
    if (version < 1 || version > DBMI_STORE_PAYLOAD_VERSION)
        return dbmi_error(m->ctx, LIBDBM_EVERSION,
                          "store snapshot: payload version %u is not supported (this build "
                          "reads versions 1 to %u)", version, DBMI_STORE_PAYLOAD_VERSION);
    l.version = version;
    m->money_scale = dbmi_get_i64(&l.r);
    salt = dbmi_get(&l.r, DBMI_SALT_BYTES);
    if (!ok(&l))
        return l.status;
    if (m->money_scale < 1 || m->money_scale > 1000000000)
        return bad(&l, "money scale");
    memcpy(m->salt, salt, DBMI_SALT_BYTES);
    n = get_count(&l, "name count", 2);
    for (k = 0; k < n && ok(&l); k++) {
        size_t slen;
        uint32_t id;
        const char *s = get_cstr(&l, "name", 1, DBMI_MAX_TEXT_BYTES, &slen);
        if (s == NULL)
            break;
        if (dbmi_model_find_name(m, s, slen, &id))
            return bad(&l, "name (duplicate)");
        l.status = dbmi_model_intern(m, s, slen, &id);
    }
    n = get_count(&l, "declared attribute count", 2);
    for (k = 0; k < n && ok(&l); k++) {
        uint32_t name = get_name(&l, "declared attribute");
        uint8_t type = dbmi_get_u8(&l.r);
        if (!ok(&l))
            break;
        if (type < LIBDBM_TYPE_STRING || type > LIBDBM_TYPE_TIME)
            return bad(&l, "declared attribute type");
        m->declared[name] = type;
    }
    n = get_count(&l, "suppression count", DBMI_SUPPRESSION_BYTES);
    if (ok(&l) && n > 0) {
        const unsigned char *digests = dbmi_get(&l.r, n * DBMI_SUPPRESSION_BYTES);
        if (!ok(&l))
            return l.status;
        for (k = 1; k < n; k++)
            if (memcmp(digests + (k - 1) * DBMI_SUPPRESSION_BYTES,
                       digests + k * DBMI_SUPPRESSION_BYTES, DBMI_SUPPRESSION_BYTES) >= 0)
                return bad(&l, "suppression set (not sorted)");
        m->suppressed = alloc_n(&l, n, DBMI_SUPPRESSION_BYTES);
        if (m->suppressed == NULL)
            return l.status;
        memcpy(m->suppressed, digests, n * DBMI_SUPPRESSION_BYTES);
        m->n_suppressed = m->cap_suppressed = n;
    }
    n = get_count(&l, "profile count", 8);
    if (!ok(&l))
        return l.status;
    slot_of = alloc_n(&l, n, sizeof(uint32_t));
    if (slot_of != NULL)
        l.status = dbmi_model_reserve(m, n);
    for (k = 0; k < n && ok(&l); k++) {
        size_t id_len;
        uint32_t slot;
        int created;
        const char *id = get_cstr(&l, "customer id", 1, DBMI_MAX_ID_BYTES, &id_len);
        if (id == NULL)
            break;
        l.status = dbmi_model_ensure(m, id, id_len, &slot, &created);
        if (l.status != LIBDBM_OK)
            break;
        if (!created) {
            bad(&l, "customer id (duplicate)");
            break;
        }
        slot_of[k] = slot;
        load_purchases(&l, slot);
        if (ok(&l))
            load_extra(&l, slot);
    }
    if (ok(&l)) {
        size_t n_aliases = get_count(&l, "alias count", 3);
        for (k = 0; k < n_aliases && ok(&l); k++) {
            size_t id_len;
            uint32_t existing;
            uint64_t target;
            const char *id = get_cstr(&l, "alias id", 1, DBMI_MAX_ID_BYTES, &id_len);
            if (id == NULL)
                break;
            target = dbmi_get_varint(&l.r);
            if (!ok(&l))
                break;
            if (target >= n || dbmi_strindex_find(&m->ids, id, id_len, &existing)) {
                bad(&l, "alias");
                break;
            }
            l.status = dbmi_model_add_alias(m, id, id_len, slot_of[target]);
        }
    }
    /* Version 2 added the campaign scheduler state. */
    if (ok(&l) && version >= 2)
        l.status = dbmi_camp_deserialize(m, &l.r, slot_of, n);
    if (ok(&l) && dbmi_reader_remaining(&l.r) != 0)
        bad(&l, "length (trailing bytes)");
    dbmi_free(m->ctx, slot_of);
    dbmi_free(m->ctx, l.spare);
    return l.status;
}
