/* The store's in-memory data model: dense profile slots, an id index,
 * columnar purchase aggregates, interned names, the declared schema and the
 * suppression set. Every change goes through the dbmi_model_* functions
 * below, each of which is atomic: on failure (ENOMEM, ERANGE, ...) the
 * model is unchanged. The model knows nothing of files or locks (store.c
 * adds those). docs/store.md describes the model for users. */
#ifndef LIBDBM_STORE_MODEL_H
#define LIBDBM_STORE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "campaign_state.h"
#include "civil_time.h"
#include "context_private.h"
#include "purchase_day.h"
#include "strindex.h"

enum { DBMI_SLOT_LIVE = 0, DBMI_SLOT_ALIAS = 1, DBMI_SLOT_DEAD = 2 };

#define DBMI_SALT_BYTES 16
#define DBMI_SUPPRESSION_BYTES 16

typedef struct dbmi_attr {
    uint32_t name;              /* interned name id */
    uint32_t type;              /* LIBDBM_TYPE_* */
    union {
        int64_t i;              /* INT64, BOOL, TIME */
        double d;               /* DOUBLE */
        char *s;                /* STRING (owned) */
    } v;
} dbmi_attr;

typedef struct dbmi_channel_state {
    uint32_t channel;           /* interned channel name */
    int32_t invalid;            /* 0 or 1 */
    int64_t verified_at;        /* 0 = never */
    int64_t invalid_at;         /* when the flag last changed */
    char *address;              /* owned, never NULL */
} dbmi_channel_state;

typedef struct dbmi_consent {
    uint32_t channel;
    uint32_t purpose;
    int32_t state;              /* LIBDBM_CONSENT_* */
    int32_t reserved;
    int64_t at;
    char *source;               /* owned, never NULL */
    char *wording;              /* owned, never NULL */
} dbmi_consent;

typedef struct dbmi_contact {
    int64_t time;
    uint32_t channel;
    uint32_t campaign;          /* interned campaign name */
    int32_t stage;
    int32_t outcome;
} dbmi_contact;

typedef struct dbmi_event {
    int64_t time;
    double value;
    uint32_t name;
    uint32_t reserved;
} dbmi_event;

/* The rarely present parts of a profile, allocated on first use so that a
 * profile with only purchases stays small. */
typedef struct dbmi_profile_extra {
    dbmi_attr *attrs;
    size_t n_attrs, cap_attrs;
    dbmi_channel_state *channels;
    size_t n_channels, cap_channels;
    dbmi_consent *consents;     /* sorted by time, stable (order recorded) */
    size_t n_consents, cap_consents;
    dbmi_contact *contacts;
    size_t n_contacts, cap_contacts;
    /* How many contact rows are UNSUBSCRIBED ones: a policy check looks
     * for the latest of them on every request, and most profiles have
     * none, so the count spares it a walk through the whole history. */
    size_t n_unsubscribed;
    dbmi_event *events;
    size_t n_events, cap_events;
} dbmi_profile_extra;

/* A transaction id kept for de-duplication, with what a merge needs to
 * count a transaction delivered to both profiles once: the UTC day and the
 * amount of the purchase (DBMI_TXN_AMOUNT_UNKNOWN when the amount does not
 * fit 32 bits, or the entry was loaded from a version 1 snapshot). */
typedef struct dbmi_txn {
    uint64_t hash;
    int32_t day;
    int32_t amount_minor;
} dbmi_txn;

#define DBMI_TXN_AMOUNT_UNKNOWN INT32_MIN

/* One slot. Purchase days and transactions keep their first element inline
 * (most customers buy once) and move to an allocated array, sized by
 * dbmi_history_capacity(), from the second on. The number of purchase
 * days is the purchase_days column; the slot's state is the state column.
 * 48 bytes: with the columns, the per-profile cost is docs/store.md's. */
typedef struct dbmi_profile {
    union {
        dbmi_purchase_day one;      /* 1 day */
        dbmi_purchase_day *many;    /* 2 or more days */
        uint32_t alias_target;      /* ALIAS: the slot it was merged into */
    } days;
    union {
        dbmi_txn one;
        dbmi_txn *many;
    } txns;
    dbmi_profile_extra *extra;  /* NULL until needed */
    uint32_t id;                /* position / DBMI_ID_ALIGN in the id arena; 0 when DEAD */
    uint32_t n_txns;
} dbmi_profile;

/* Ids live back to back in one arena, each after its slot number (a
 * native uint32: the id index maps an id to its position, so a lookup reads
 * the index and one place in the arena), NUL-terminated and padded to
 * DBMI_ID_ALIGN bytes; a 32-bit position in those units reaches 16 GiB. */
#define DBMI_ID_ALIGN 4u
#define DBMI_ID_SLOT_BYTES 4u

typedef struct dbmi_model {
    libdbm_context *ctx;
    int64_t money_scale;
    unsigned char salt[DBMI_SALT_BYTES];
    dbmi_profile *slots;
    uint8_t *state;             /* per slot: DBMI_SLOT_* */
    size_t n_slots, cap_slots;
    /* Columns indexed by slot (zero for profiles without purchases). */
    int64_t *first_purchase, *last_purchase, *total_minor, *refund_total_minor;
    uint32_t *purchase_count, *purchase_days, *refund_count;
    char *id_bytes;             /* the id arena; position 0 is never used */
    size_t id_len, id_cap;
    dbmi_strindex ids;          /* id -> arena position, for LIVE and ALIAS slots */
    int64_t live;
    char **names;               /* interned names */
    uint8_t *declared;          /* per name: declared LIBDBM_TYPE_*, 0 = none */
    size_t n_names, cap_names;
    dbmi_strindex name_index;
    unsigned char *suppressed;  /* sorted DBMI_SUPPRESSION_BYTES digests */
    size_t n_suppressed, cap_suppressed;
    dbmi_camp_table campaigns;  /* campaign scheduler state (campaign_state.h) */
} dbmi_model;

/* The id of a LIVE or ALIAS slot; NULL for a DEAD one. */
static inline const char *dbmi_model_id(const dbmi_model *m, uint32_t slot)
{
    uint32_t pos = m->slots[slot].id;
    return pos ? m->id_bytes + (size_t)pos * DBMI_ID_ALIGN + DBMI_ID_SLOT_BYTES : NULL;
}

/* The purchase days of a slot (m->purchase_days[slot] of them). */
static inline const dbmi_purchase_day *dbmi_model_days(const dbmi_model *m, uint32_t slot)
{
    const dbmi_profile *p = &m->slots[slot];
    return m->purchase_days[slot] <= 1 ? &p->days.one : p->days.many;
}

/* The transactions of a slot, sorted by hash (n_txns of them). */
static inline const dbmi_txn *dbmi_model_txns(const dbmi_model *m, uint32_t slot)
{
    const dbmi_profile *p = &m->slots[slot];
    return p->n_txns <= 1 ? &p->txns.one : p->txns.many;
}

/* The allocated capacity of a history of @p n >= 2 elements: exact up to
 * 16, then @p n rounded up to 4 significant bits (under 1/8 slack). */
size_t dbmi_history_capacity(size_t n);

/* Reserves room for @p extra more slots in every per-slot array and the
 * id index (snapshot loading knows the count up front). */
int dbmi_model_reserve(dbmi_model *m, size_t extra);

void dbmi_model_init(dbmi_model *m, libdbm_context *ctx, int64_t money_scale);
void dbmi_model_free(dbmi_model *m);

/* 1 and the canonical (LIVE) slot when @p id names a profile or an alias
 * of one; 0 otherwise. */
int dbmi_model_find(const dbmi_model *m, const char *id, size_t len, uint32_t *slot);
/* The canonical slot of any LIVE or ALIAS slot. */
uint32_t dbmi_model_canonical(const dbmi_model *m, uint32_t slot);
/* Finds or creates; *created = 1 when created. */
int dbmi_model_ensure(dbmi_model *m, const char *id, size_t len, uint32_t *slot, int *created);
/* Undoes the creation of the last slot (after a failed operation on it). */
void dbmi_model_drop_created(dbmi_model *m, uint32_t slot);
/* Adds an ALIAS slot (snapshot loading). */
int dbmi_model_add_alias(dbmi_model *m, const char *id, size_t len, uint32_t target);

/* Interned names: find (0 when absent) or add. */
int dbmi_model_find_name(const dbmi_model *m, const char *name, size_t len, uint32_t *id);
int dbmi_model_intern(dbmi_model *m, const char *name, size_t len, uint32_t *id);

/* Operations on a canonical slot. Status codes as the public functions. */
int dbmi_model_attr_declare(dbmi_model *m, uint32_t name, int type);
int dbmi_model_attr_set(dbmi_model *m, uint32_t slot, uint32_t name, int type, int64_t i,
                        double d, const char *s, size_t s_len);
int dbmi_model_attr_delete(dbmi_model *m, uint32_t slot, uint32_t name);
const dbmi_attr *dbmi_model_attr_get(const dbmi_model *m, uint32_t slot, uint32_t name);
int dbmi_model_channel_set_address(dbmi_model *m, uint32_t slot, uint32_t channel,
                                   const char *address, size_t len, int64_t verified_at);
int dbmi_model_channel_verify(dbmi_model *m, uint32_t slot, uint32_t channel, int64_t at);
int dbmi_model_channel_set_invalid(dbmi_model *m, uint32_t slot, uint32_t channel, int invalid,
                                   int64_t at);
dbmi_channel_state *dbmi_model_channel_get(const dbmi_model *m, uint32_t slot, uint32_t channel);
int dbmi_model_consent_add(dbmi_model *m, uint32_t slot, uint32_t channel, uint32_t purpose,
                           int state, int64_t at, const char *source, const char *wording);
/* The deciding record of (channel, purpose), or NULL. */
const dbmi_consent *dbmi_model_consent_current(const dbmi_profile_extra *x, uint32_t channel,
                                               uint32_t purpose);
int dbmi_model_purchase_add(dbmi_model *m, uint32_t slot, int64_t time, int64_t amount_minor,
                            int has_txn, uint64_t txn_hash, int *added);
int dbmi_model_has_txn(const dbmi_model *m, uint32_t slot, uint64_t txn_hash);
int dbmi_model_contact_add(dbmi_model *m, uint32_t slot, int64_t time, uint32_t channel,
                           uint32_t campaign, int32_t stage, int outcome);
int dbmi_model_event_add(dbmi_model *m, uint32_t slot, uint32_t name, int64_t time,
                         double value);

/* merge.c and erase.c */
int dbmi_model_merge(dbmi_model *m, uint32_t into, uint32_t from);
int dbmi_model_erase(dbmi_model *m, uint32_t slot, int keep_suppression);
void dbmi_model_suppression_digest(const dbmi_model *m, const char *channel, const char *address,
                                   size_t len, unsigned char digest[DBMI_SUPPRESSION_BYTES]);
int dbmi_model_is_suppressed(const dbmi_model *m, const unsigned char *digest);
int dbmi_model_add_suppression(dbmi_model *m, const unsigned char *digest);

/* Frees everything a profile owns (its id excepted) and zeroes its
 * purchase columns. */
void dbmi_profile_clear(dbmi_model *m, uint32_t slot);
/* Overwrites the id of @p slot in the arena with zeros and unlinks it
 * (erasure: the bytes must not linger). */
void dbmi_model_wipe_id(dbmi_model *m, uint32_t slot);
int dbmi_model_extra(dbmi_model *m, uint32_t slot, dbmi_profile_extra **out);
/* Installs @p n purchase days (sorted, distinct) as the history of @p slot,
 * which has none: @p many is an allocation of dbmi_history_capacity(n)
 * days holding them when n >= 2, else NULL and @p days holds them. Then
 * recomputes the purchase columns from the days (refund columns and
 * first/last are kept). */
void dbmi_model_set_days(dbmi_model *m, uint32_t slot, const dbmi_purchase_day *days,
                         dbmi_purchase_day *many, uint32_t n);
/* The same for transactions. */
void dbmi_model_set_txns(dbmi_model *m, uint32_t slot, const dbmi_txn *txns, dbmi_txn *many,
                         uint32_t n);

/* The 64-bit hash of a transaction id kept for de-duplication. */
uint64_t dbmi_txn_hash(const char *txn, size_t len);
/* floor(time / 86400) when it fits int32; returns 0 on success. */
int dbmi_day_of(int64_t time, int32_t *day);
/* amount (currency units) * scale, rounded half away from zero; ERANGE
 * (no message) when not finite or beyond int64. */
int dbmi_money_to_minor(double amount, int64_t scale, int64_t *out);

#endif
