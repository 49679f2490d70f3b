/* Encoding, decoding and application of mutation records (record.h). */
#include <math.h>
#include <string.h>

#include "libdbm/store.h"
#include "record.h"
#include "validate.h"

/* Strings travel with their NUL so the decoder can hand out pointers into
 * the payload. */
static void put_cstr(dbmi_buf *buf, const char *s)
{
    dbmi_buf_put_bytes(buf, s, strlen(s) + 1);
}

static void put_zigzag(dbmi_buf *buf, int64_t v)
{
    dbmi_buf_put_varint(buf, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* DBMI_OP_CAMPAIGN after the id: sub-kind, campaign, entry number, then
 * the sub-kind's fields (campaign_state.h). */
static void encode_campaign(dbmi_buf *buf, const dbmi_record *r)
{
    dbmi_buf_put_u8(buf, (uint8_t)r->code);
    dbmi_buf_put_varint(buf, r->slot_hint == UINT32_MAX ? 0u : (uint64_t)r->slot_hint + 1u);
    put_cstr(buf, r->text);
    dbmi_buf_put_varint(buf, (uint64_t)r->i);
    if (r->code != DBMI_CAMP_REC_ENTER && r->code != DBMI_CAMP_REC_END)
        dbmi_buf_put_varint(buf, (uint64_t)r->stage);
    dbmi_buf_put_u8(buf, (uint8_t)r->type);
    put_zigzag(buf, r->t);
    if (r->code == DBMI_CAMP_REC_STAGE || r->code == DBMI_CAMP_REC_ISSUE)
        put_cstr(buf, r->name ? r->name : "");
}

void dbmi_record_encode(dbmi_buf *buf, const dbmi_record *r)
{
    dbmi_buf_put_u8(buf, (uint8_t)r->op);
    switch (r->op) {
    case DBMI_OP_ENSURE:
        put_cstr(buf, r->id);
        break;
    case DBMI_OP_ATTR_DECLARE:
        put_cstr(buf, r->name);
        dbmi_buf_put_u8(buf, (uint8_t)r->type);
        break;
    case DBMI_OP_ATTR_SET:
        put_cstr(buf, r->id);
        put_cstr(buf, r->name);
        dbmi_buf_put_u8(buf, (uint8_t)r->type);
        if (r->type == LIBDBM_TYPE_STRING)
            put_cstr(buf, r->text);
        else if (r->type == LIBDBM_TYPE_DOUBLE)
            dbmi_buf_put_f64(buf, r->d);
        else
            put_zigzag(buf, r->i);
        break;
    case DBMI_OP_ATTR_DELETE:
        put_cstr(buf, r->id);
        put_cstr(buf, r->name);
        break;
    case DBMI_OP_CHANNEL_ADDRESS:
        put_cstr(buf, r->id);
        put_cstr(buf, r->name);
        put_cstr(buf, r->text);
        put_zigzag(buf, r->t);
        break;
    case DBMI_OP_CHANNEL_VERIFY:
        put_cstr(buf, r->id);
        put_cstr(buf, r->name);
        put_zigzag(buf, r->t);
        break;
    case DBMI_OP_CHANNEL_INVALID:
        put_cstr(buf, r->id);
        put_cstr(buf, r->name);
        dbmi_buf_put_u8(buf, (uint8_t)(r->type != 0));
        put_zigzag(buf, r->t);
        break;
    case DBMI_OP_CONSENT:
        put_cstr(buf, r->id);
        put_cstr(buf, r->name);
        put_cstr(buf, r->purpose);
        dbmi_buf_put_u8(buf, (uint8_t)r->type);
        put_zigzag(buf, r->t);
        put_cstr(buf, r->text);
        put_cstr(buf, r->text2);
        break;
    case DBMI_OP_PURCHASE:
        put_cstr(buf, r->id);
        put_zigzag(buf, r->t);
        put_zigzag(buf, r->i);
        dbmi_buf_put_u8(buf, (uint8_t)(r->has_txn != 0));
        if (r->has_txn)
            dbmi_buf_put_u64(buf, r->txn_hash);
        break;
    case DBMI_OP_CONTACT:
        put_cstr(buf, r->id);
        put_zigzag(buf, r->t);
        put_cstr(buf, r->name);
        put_cstr(buf, r->text);
        put_zigzag(buf, r->stage);
        dbmi_buf_put_u8(buf, (uint8_t)r->type);
        break;
    case DBMI_OP_EVENT:
        put_cstr(buf, r->id);
        put_cstr(buf, r->name);
        put_zigzag(buf, r->t);
        dbmi_buf_put_f64(buf, r->d);
        break;
    case DBMI_OP_MERGE:
        put_cstr(buf, r->id);
        put_cstr(buf, r->id2);
        break;
    case DBMI_OP_ERASE:
        put_cstr(buf, r->id);
        dbmi_buf_put_u8(buf, (uint8_t)(r->type != 0));
        break;
    case DBMI_OP_CAMPAIGN:
        put_cstr(buf, r->id);
        encode_campaign(buf, r);
        break;
    default:
        buf->failed = 1;
        break;
    }
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct decoder {
    const libdbm_context *ctx;
    dbmi_reader r;
    int status;
} decoder;

static int corrupt(decoder *d, const char *what)
{
    if (d->status == LIBDBM_OK)
        d->status = dbmi_error(d->ctx, LIBDBM_ECORRUPT,
                               "store record: bad %s at payload offset %zu of %zu", what,
                               d->r.pos, d->r.len);
    return d->status;
}

enum { KIND_ID, KIND_NAME, KIND_CHANNEL, KIND_TEXT, KIND_TEXT_EMPTY };

static const char *get_cstr(decoder *d, const char *what, int kind)
{
    size_t len;
    const char *s;
    int ok;
    if (d->status != LIBDBM_OK)
        return NULL;
    s = dbmi_get_bytes(&d->r, &len);
    if (s == NULL || len == 0 || s[len - 1] != '\0' || memchr(s, '\0', len - 1) != NULL) {
        corrupt(d, what);
        return NULL;
    }
    switch (kind) {
    case KIND_ID:
        ok = len - 1 >= 1 && len - 1 <= DBMI_MAX_ID_BYTES && dbmi_utf8_valid(s, len - 1);
        break;
    case KIND_NAME:
        ok = dbmi_check_name(NULL, what, s, NULL) == LIBDBM_OK;
        break;
    case KIND_CHANNEL:
        ok = dbmi_check_channel(NULL, what, s, NULL) == LIBDBM_OK;
        break;
    case KIND_TEXT:
        ok = len - 1 >= 1 && len - 1 <= DBMI_MAX_TEXT_BYTES && dbmi_utf8_valid(s, len - 1);
        break;
    default:
        ok = len - 1 <= DBMI_MAX_TEXT_BYTES && dbmi_utf8_valid(s, len - 1);
        break;
    }
    if (!ok) {
        corrupt(d, what);
        return NULL;
    }
    return s;
}

static int64_t get_zigzag(decoder *d)
{
    uint64_t v = dbmi_get_varint(&d->r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int get_small(decoder *d, const char *what, int lo, int hi)
{
    int v = dbmi_get_u8(&d->r);
    if (d->r.failed || v < lo || v > hi) {
        corrupt(d, what);
        return lo;
    }
    return v;
}

static void decode_campaign(decoder *d, dbmi_record *rec)
{
    static const int type_max[] = {0, 1, DBMI_CAMP_SKIPPED, LIBDBM_OUTCOME_FAILED,
                                   DBMI_CAMP_END_MERGED, DBMI_CAMP_ISSUED};
    static const int type_min[] = {0, 0, DBMI_CAMP_PENDING, LIBDBM_OUTCOME_SENT,
                                   DBMI_CAMP_END_COMPLETED, DBMI_CAMP_ISSUED};
    uint64_t number, stage = 0, hint;
    rec->code = get_small(d, "campaign record kind", DBMI_CAMP_REC_ENTER, DBMI_CAMP_REC_ISSUE);
    hint = dbmi_get_varint(&d->r);
    if (hint > UINT32_MAX)
        corrupt(d, "campaign slot hint");
    rec->slot_hint = hint == 0 ? UINT32_MAX : (uint32_t)(hint - 1);
    rec->text = get_cstr(d, "campaign", KIND_NAME);
    number = dbmi_get_varint(&d->r);
    if (number > UINT32_MAX)
        corrupt(d, "campaign entry number");
    rec->i = (int64_t)number;
    if (rec->code != DBMI_CAMP_REC_ENTER && rec->code != DBMI_CAMP_REC_END)
        stage = dbmi_get_varint(&d->r);
    if (stage >= DBMI_CAMP_MAX_STAGES)
        corrupt(d, "campaign stage");
    rec->stage = (int32_t)stage;
    if (d->status != LIBDBM_OK)
        return;
    rec->type = get_small(d, "campaign state", type_min[rec->code], type_max[rec->code]);
    rec->t = get_zigzag(d);
    if (rec->code == DBMI_CAMP_REC_STAGE)
        rec->name = get_cstr(d, "campaign reason", KIND_TEXT_EMPTY);
    else if (rec->code == DBMI_CAMP_REC_ISSUE)
        rec->name = get_cstr(d, "channel", KIND_CHANNEL);
}

int dbmi_record_decode(const libdbm_context *ctx, const void *payload, size_t len,
                       dbmi_record *rec)
{
    decoder d;
    memset(rec, 0, sizeof(*rec));
    d.ctx = ctx;
    d.status = LIBDBM_OK;
    dbmi_reader_init(&d.r, payload, len);
    rec->op = get_small(&d, "operation code", DBMI_OP_ENSURE, DBMI_OP_CAMPAIGN);
    if (d.status == LIBDBM_OK && rec->op == DBMI_OP_BATCH)
        corrupt(&d, "operation code (nested batch)");
    if (d.status != LIBDBM_OK)
        return d.status;
    if (rec->op != DBMI_OP_ATTR_DECLARE)
        rec->id = get_cstr(&d, "customer id", KIND_ID);
    switch (rec->op) {
    case DBMI_OP_ATTR_DECLARE:
        rec->name = get_cstr(&d, "attribute name", KIND_NAME);
        rec->type = get_small(&d, "attribute type", LIBDBM_TYPE_STRING, LIBDBM_TYPE_TIME);
        break;
    case DBMI_OP_ATTR_SET:
        rec->name = get_cstr(&d, "attribute name", KIND_NAME);
        rec->type = get_small(&d, "attribute type", LIBDBM_TYPE_STRING, LIBDBM_TYPE_TIME);
        if (d.status != LIBDBM_OK)
            break;
        if (rec->type == LIBDBM_TYPE_STRING)
            rec->text = get_cstr(&d, "string value", KIND_TEXT_EMPTY);
        else if (rec->type == LIBDBM_TYPE_DOUBLE) {
            rec->d = dbmi_get_f64(&d.r);
            if (!isfinite(rec->d))
                corrupt(&d, "double value");
        } else {
            rec->i = get_zigzag(&d);
            if (rec->type == LIBDBM_TYPE_BOOL && rec->i != 0 && rec->i != 1)
                corrupt(&d, "bool value");
        }
        break;
    case DBMI_OP_ATTR_DELETE:
        rec->name = get_cstr(&d, "attribute name", KIND_NAME);
        break;
    case DBMI_OP_CHANNEL_ADDRESS:
        rec->name = get_cstr(&d, "channel", KIND_CHANNEL);
        rec->text = get_cstr(&d, "address", KIND_TEXT);
        rec->t = get_zigzag(&d);
        break;
    case DBMI_OP_CHANNEL_VERIFY:
        rec->name = get_cstr(&d, "channel", KIND_CHANNEL);
        rec->t = get_zigzag(&d);
        break;
    case DBMI_OP_CHANNEL_INVALID:
        rec->name = get_cstr(&d, "channel", KIND_CHANNEL);
        rec->type = get_small(&d, "invalid flag", 0, 1);
        rec->t = get_zigzag(&d);
        break;
    case DBMI_OP_CONSENT:
        rec->name = get_cstr(&d, "channel", KIND_CHANNEL);
        rec->purpose = get_cstr(&d, "purpose", KIND_CHANNEL);
        rec->type = get_small(&d, "consent state", LIBDBM_CONSENT_UNKNOWN, LIBDBM_CONSENT_DENIED);
        rec->t = get_zigzag(&d);
        rec->text = get_cstr(&d, "consent source", KIND_TEXT_EMPTY);
        rec->text2 = get_cstr(&d, "wording version", KIND_TEXT_EMPTY);
        break;
    case DBMI_OP_PURCHASE:
        rec->t = get_zigzag(&d);
        rec->i = get_zigzag(&d);
        rec->has_txn = get_small(&d, "transaction flag", 0, 1);
        if (rec->has_txn)
            rec->txn_hash = dbmi_get_u64(&d.r);
        break;
    case DBMI_OP_CONTACT: {
        int64_t stage;
        rec->t = get_zigzag(&d);
        rec->name = get_cstr(&d, "channel", KIND_CHANNEL);
        rec->text = get_cstr(&d, "campaign", KIND_TEXT);
        stage = get_zigzag(&d);
        if (stage < 0 || stage > INT32_MAX)
            corrupt(&d, "stage");
        rec->stage = (int32_t)stage;
        rec->type = get_small(&d, "outcome", LIBDBM_OUTCOME_SENT, LIBDBM_OUTCOME_FAILED);
        break;
    }
    case DBMI_OP_EVENT:
        rec->name = get_cstr(&d, "event name", KIND_NAME);
        rec->t = get_zigzag(&d);
        rec->d = dbmi_get_f64(&d.r);
        if (!isfinite(rec->d))
            corrupt(&d, "event value");
        break;
    case DBMI_OP_MERGE:
        rec->id2 = get_cstr(&d, "merged customer id", KIND_ID);
        break;
    case DBMI_OP_ERASE:
        rec->type = get_small(&d, "suppression flag", 0, 1);
        break;
    case DBMI_OP_CAMPAIGN:
        decode_campaign(&d, rec);
        break;
    default:
        break;
    }
    if (d.status == LIBDBM_OK && d.r.failed)
        corrupt(&d, "field (record too short)");
    if (d.status == LIBDBM_OK && dbmi_reader_remaining(&d.r) != 0)
        corrupt(&d, "length (trailing bytes)");
    return d.status;
}

/* ---- application --------------------------------------------------------- */

static int find_existing(dbmi_model *m, const char *id, uint32_t *slot)
{
    if (!dbmi_model_find(m, id, strlen(id), slot))
        return dbmi_error(m->ctx, LIBDBM_ENOTFOUND, "no profile '%s'", id);
    return LIBDBM_OK;
}

static int apply_to_existing(dbmi_model *m, const dbmi_record *r)
{
    uint32_t slot, slot2, name;
    int status = find_existing(m, r->id, &slot);
    if (status != LIBDBM_OK)
        return status;
    switch (r->op) {
    case DBMI_OP_ATTR_DELETE:
        if (!dbmi_model_find_name(m, r->name, strlen(r->name), &name))
            return LIBDBM_OK;
        return dbmi_model_attr_delete(m, slot, name);
    case DBMI_OP_CHANNEL_VERIFY:
    case DBMI_OP_CHANNEL_INVALID:
        if (!dbmi_model_find_name(m, r->name, strlen(r->name), &name))
            return dbmi_error(m->ctx, LIBDBM_ENOTFOUND, "profile '%s' has no address on channel '%s'",
                              r->id, r->name);
        if (r->op == DBMI_OP_CHANNEL_VERIFY)
            return dbmi_model_channel_verify(m, slot, name, r->t);
        return dbmi_model_channel_set_invalid(m, slot, name, r->type, r->t);
    case DBMI_OP_MERGE:
        status = find_existing(m, r->id2, &slot2);
        if (status != LIBDBM_OK)
            return status;
        return dbmi_model_merge(m, slot, slot2);
    case DBMI_OP_ERASE:
        return dbmi_model_erase(m, slot, r->type);
    default:
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "unknown record operation %d", r->op);
    }
}

static int apply_to_slot(dbmi_model *m, const dbmi_record *r, uint32_t slot, int *result)
{
    uint32_t name, purpose;
    int status;
    switch (r->op) {
    case DBMI_OP_ENSURE:
        return LIBDBM_OK;
    case DBMI_OP_ATTR_SET:
        status = dbmi_model_intern(m, r->name, strlen(r->name), &name);
        if (status != LIBDBM_OK)
            return status;
        return dbmi_model_attr_set(m, slot, name, r->type, r->i, r->d, r->text,
                                   r->text ? strlen(r->text) : 0);
    case DBMI_OP_CHANNEL_ADDRESS:
        status = dbmi_model_intern(m, r->name, strlen(r->name), &name);
        if (status != LIBDBM_OK)
            return status;
        return dbmi_model_channel_set_address(m, slot, name, r->text, strlen(r->text), r->t);
    case DBMI_OP_CONSENT:
        status = dbmi_model_intern(m, r->name, strlen(r->name), &name);
        if (status == LIBDBM_OK)
            status = dbmi_model_intern(m, r->purpose, strlen(r->purpose), &purpose);
        if (status != LIBDBM_OK)
            return status;
        return dbmi_model_consent_add(m, slot, name, purpose, r->type, r->t, r->text, r->text2);
    case DBMI_OP_PURCHASE:
        return dbmi_model_purchase_add(m, slot, r->t, r->i, r->has_txn, r->txn_hash, result);
    case DBMI_OP_CONTACT:
        status = dbmi_model_intern(m, r->name, strlen(r->name), &name);
        if (status == LIBDBM_OK)
            status = dbmi_model_intern(m, r->text, strlen(r->text), &purpose);
        if (status != LIBDBM_OK)
            return status;
        return dbmi_model_contact_add(m, slot, r->t, name, purpose, r->stage, r->type);
    case DBMI_OP_EVENT:
        status = dbmi_model_intern(m, r->name, strlen(r->name), &name);
        if (status != LIBDBM_OK)
            return status;
        return dbmi_model_event_add(m, slot, name, r->t, r->d);
    default:
        return dbmi_error(m->ctx, LIBDBM_EINVAL, "unknown record operation %d", r->op);
    }
}

int dbmi_record_apply(dbmi_model *m, const dbmi_record *r, int *result)
{
    uint32_t slot, name;
    int created = 0, status, ignored;
    if (result == NULL)
        result = &ignored;
    *result = 0;
    switch (r->op) {
    case DBMI_OP_ATTR_DECLARE:
        status = dbmi_model_intern(m, r->name, strlen(r->name), &name);
        if (status != LIBDBM_OK)
            return status;
        return dbmi_model_attr_declare(m, name, r->type);
    case DBMI_OP_ATTR_DELETE:
    case DBMI_OP_CHANNEL_VERIFY:
    case DBMI_OP_CHANNEL_INVALID:
    case DBMI_OP_MERGE:
    case DBMI_OP_ERASE:
        return apply_to_existing(m, r);
    case DBMI_OP_CAMPAIGN:
        return dbmi_camp_apply(m, r);
    default:
        break;
    }
    status = dbmi_model_ensure(m, r->id, strlen(r->id), &slot, &created);
    if (status != LIBDBM_OK)
        return status;
    status = apply_to_slot(m, r, slot, result);
    if (status != LIBDBM_OK) {
        if (created)
            dbmi_model_drop_created(m, slot);
        return status;
    }
    if (r->op == DBMI_OP_ENSURE)
        *result = created;
    return LIBDBM_OK;
}
