/* The public writing functions: validate the arguments, build a record,
 * hand it to the write pipeline (store.c). */
#include <math.h>
#include <string.h>

#include "store_impl.h"
#include "validate.h"

#define DEFAULT_PURPOSE "marketing"

static int check_store(libdbm_store *store)
{
    return store == NULL ? LIBDBM_EINVAL : LIBDBM_OK;
}

static int start(libdbm_store *store, dbmi_record *rec, int op, const char *id)
{
    memset(rec, 0, sizeof(*rec));
    rec->op = op;
    rec->id = id;
    if (store == NULL)
        return LIBDBM_EINVAL;
    return dbmi_check_id(store->ctx, "customer id", id, NULL);
}

int libdbm_store_profile_ensure(libdbm_store *store, int *created, const char *customer_id)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_ENSURE, customer_id);
    if (created != NULL)
        *created = 0;
    if (status != LIBDBM_OK)
        return status;
    return dbmi_store_write(store, &rec, created);
}

int libdbm_store_attr_declare(libdbm_store *store, const char *name, int type)
{
    dbmi_record rec;
    int status = check_store(store);
    if (status != LIBDBM_OK)
        return status;
    memset(&rec, 0, sizeof(rec));
    rec.op = DBMI_OP_ATTR_DECLARE;
    rec.name = name;
    rec.type = type;
    status = dbmi_check_name(store->ctx, "attribute name", name, NULL);
    if (status != LIBDBM_OK)
        return status;
    if (type < LIBDBM_TYPE_STRING || type > LIBDBM_TYPE_TIME)
        return dbmi_error(store->ctx, LIBDBM_EINVAL, "attribute type %d is not a LIBDBM_TYPE_*", type);
    return dbmi_store_write(store, &rec, NULL);
}

static int attr_set(libdbm_store *store, const char *customer_id, const char *name, int type,
                    int64_t i, double d, const char *s)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_ATTR_SET, customer_id);
    if (status == LIBDBM_OK)
        status = dbmi_check_name(store->ctx, "attribute name", name, NULL);
    if (status == LIBDBM_OK && type == LIBDBM_TYPE_STRING)
        status = dbmi_check_text(store->ctx, "attribute value", s, 0, DBMI_MAX_TEXT_BYTES, NULL);
    if (status == LIBDBM_OK && type == LIBDBM_TYPE_DOUBLE && !isfinite(d))
        status = dbmi_error(store->ctx, LIBDBM_ERANGE, "attribute '%s': the value is not finite", name);
    if (status != LIBDBM_OK)
        return status;
    rec.name = name;
    rec.type = type;
    rec.i = type == LIBDBM_TYPE_BOOL ? (i != 0) : i;
    rec.d = d;
    rec.text = s;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_attr_set_string(libdbm_store *store, const char *customer_id, const char *name,
                                 const char *value)
{
    return attr_set(store, customer_id, name, LIBDBM_TYPE_STRING, 0, 0, value);
}

int libdbm_store_attr_set_int64(libdbm_store *store, const char *customer_id, const char *name,
                                int64_t value)
{
    return attr_set(store, customer_id, name, LIBDBM_TYPE_INT64, value, 0, NULL);
}

int libdbm_store_attr_set_double(libdbm_store *store, const char *customer_id, const char *name,
                                 double value)
{
    return attr_set(store, customer_id, name, LIBDBM_TYPE_DOUBLE, 0, value, NULL);
}

int libdbm_store_attr_set_bool(libdbm_store *store, const char *customer_id, const char *name,
                               int value)
{
    return attr_set(store, customer_id, name, LIBDBM_TYPE_BOOL, value != 0, 0, NULL);
}

int libdbm_store_attr_set_time(libdbm_store *store, const char *customer_id, const char *name,
                               int64_t value)
{
    return attr_set(store, customer_id, name, LIBDBM_TYPE_TIME, value, 0, NULL);
}

int libdbm_store_attr_delete(libdbm_store *store, const char *customer_id, const char *name)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_ATTR_DELETE, customer_id);
    if (status == LIBDBM_OK)
        status = dbmi_check_name(store->ctx, "attribute name", name, NULL);
    if (status != LIBDBM_OK)
        return status;
    rec.name = name;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_channel_set_address(libdbm_store *store, const char *customer_id,
                                     const char *channel, const char *address, int64_t verified_at)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_CHANNEL_ADDRESS, customer_id);
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_check_text(store->ctx, "address", address, 1, DBMI_MAX_TEXT_BYTES, NULL);
    if (status != LIBDBM_OK)
        return status;
    rec.name = channel;
    rec.text = address;
    rec.t = verified_at;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_channel_verify(libdbm_store *store, const char *customer_id, const char *channel,
                                int64_t verified_at)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_CHANNEL_VERIFY, customer_id);
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status != LIBDBM_OK)
        return status;
    rec.name = channel;
    rec.t = verified_at;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_channel_set_invalid(libdbm_store *store, const char *customer_id,
                                     const char *channel, int invalid, int64_t at)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_CHANNEL_INVALID, customer_id);
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status != LIBDBM_OK)
        return status;
    rec.name = channel;
    rec.type = invalid != 0;
    rec.t = at;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_consent_record(libdbm_store *store, const char *customer_id, const char *channel,
                                const char *purpose, int state, int64_t at, const char *source,
                                const char *wording_version)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_CONSENT, customer_id);
    if (purpose == NULL)
        purpose = DEFAULT_PURPOSE;
    if (source == NULL)
        source = "";
    if (wording_version == NULL)
        wording_version = "";
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "purpose", purpose, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_check_text(store->ctx, "consent source", source, 0, DBMI_MAX_TEXT_BYTES, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_check_text(store->ctx, "wording version", wording_version, 0,
                                 DBMI_MAX_TEXT_BYTES, NULL);
    if (status == LIBDBM_OK && (state < LIBDBM_CONSENT_UNKNOWN || state > LIBDBM_CONSENT_DENIED))
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "consent state %d is not a LIBDBM_CONSENT_*",
                            state);
    if (status != LIBDBM_OK)
        return status;
    rec.name = channel;
    rec.purpose = purpose;
    rec.type = state;
    rec.t = at;
    rec.text = source;
    rec.text2 = wording_version;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_purchase_add_minor(libdbm_store *store, int *added, const char *customer_id,
                                    int64_t time, int64_t amount_minor, const char *transaction_id)
{
    dbmi_record rec;
    size_t txn_len = 0;
    int32_t day;
    int status = start(store, &rec, DBMI_OP_PURCHASE, customer_id);
    if (added != NULL)
        *added = 0;
    if (status == LIBDBM_OK && transaction_id != NULL)
        status = dbmi_check_text(store->ctx, "transaction id", transaction_id, 1,
                                 DBMI_MAX_TXN_BYTES, &txn_len);
    if (status == LIBDBM_OK && dbmi_day_of(time, &day))
        status = dbmi_error(store->ctx, LIBDBM_ERANGE, "purchase time %lld is out of range",
                            (long long)time);
    if (status != LIBDBM_OK)
        return status;
    rec.t = time;
    rec.i = amount_minor;
    rec.has_txn = transaction_id != NULL;
    if (rec.has_txn)
        rec.txn_hash = dbmi_txn_hash(transaction_id, txn_len);
    return dbmi_store_write(store, &rec, added);
}

int libdbm_store_purchase_add(libdbm_store *store, int *added, const char *customer_id,
                              int64_t time, double amount, const char *transaction_id)
{
    int64_t minor;
    if (added != NULL)
        *added = 0;
    if (store == NULL)
        return LIBDBM_EINVAL;
    if (dbmi_money_to_minor(amount, store->model.money_scale, &minor) != LIBDBM_OK)
        return dbmi_error(store->ctx, LIBDBM_ERANGE,
                          "purchase amount %g is not finite or too large for int64 minor units",
                          amount);
    return libdbm_store_purchase_add_minor(store, added, customer_id, time, minor, transaction_id);
}

int libdbm_store_contact_add(libdbm_store *store, const char *customer_id, int64_t time,
                             const char *channel, const char *campaign, int32_t stage, int outcome)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_CONTACT, customer_id);
    if (status == LIBDBM_OK)
        status = dbmi_check_channel(store->ctx, "channel", channel, NULL);
    if (status == LIBDBM_OK)
        status = dbmi_check_text(store->ctx, "campaign", campaign, 1, 256, NULL);
    if (status == LIBDBM_OK && stage < 0)
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "stage %d is negative", (int)stage);
    if (status == LIBDBM_OK && (outcome < LIBDBM_OUTCOME_SENT || outcome > LIBDBM_OUTCOME_FAILED))
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "outcome %d is not a LIBDBM_OUTCOME_*", outcome);
    if (status != LIBDBM_OK)
        return status;
    rec.t = time;
    rec.name = channel;
    rec.text = campaign;
    rec.stage = stage;
    rec.type = outcome;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_event_add(libdbm_store *store, const char *customer_id, const char *name,
                           int64_t time, double value)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_EVENT, customer_id);
    if (status == LIBDBM_OK)
        status = dbmi_check_name(store->ctx, "event name", name, NULL);
    if (status == LIBDBM_OK && !isfinite(value))
        status = dbmi_error(store->ctx, LIBDBM_ERANGE, "event '%s': the value is not finite", name);
    if (status != LIBDBM_OK)
        return status;
    rec.name = name;
    rec.t = time;
    rec.d = value;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_merge(libdbm_store *store, const char *into_id, const char *from_id)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_MERGE, into_id);
    if (status == LIBDBM_OK)
        status = dbmi_check_id(store->ctx, "customer id to merge", from_id, NULL);
    if (status != LIBDBM_OK)
        return status;
    rec.id2 = from_id;
    return dbmi_store_write(store, &rec, NULL);
}

int libdbm_store_erase(libdbm_store *store, const char *customer_id, int keep_suppression)
{
    dbmi_record rec;
    int status = start(store, &rec, DBMI_OP_ERASE, customer_id);
    if (status != LIBDBM_OK)
        return status;
    rec.type = keep_suppression != 0;
    return dbmi_store_write(store, &rec, NULL);
}
