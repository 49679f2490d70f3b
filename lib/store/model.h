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
    dbmi_event *events;
    size_t n_events, cap_events;
} dbmi_profile_extra;

typedef struct dbmi_profile {
    char *id;                   /* owned; NULL when DEAD */
    dbmi_purchase_day *days;    /* sorted by day, one entry per distinct day */
    uint64_t *txns;             /* sorted, distinct transaction-id hashes */
    dbmi_profile_extra *extra;  /* NULL until needed */
    uint32_t n_days, cap_days;
    uint32_t n_txns, cap_txns;
    uint32_t state;             /* DBMI_SLOT_* */
    uint32_t target;            /* ALIAS: the slot it was merged into */
} dbmi_profile;

typedef struct dbmi_model {
    libdbm_context *ctx;
    int64_t money_scale;
    unsigned char salt[DBMI_SALT_BYTES];
    dbmi_profile *slots;
    size_t n_slots, cap_slots;
    /* Columns indexed by slot (zero for profiles without purchases). */
    int64_t *first_purchase, *last_purchase, *total_minor, *refund_total_minor;
    uint32_t *purchase_count, *purchase_days, *refund_count;
    dbmi_strindex ids;          /* id -> slot, for LIVE and ALIAS slots */
    int64_t live;
    char **names;               /* interned names */
    uint8_t *declared;          /* per name: declared LIBDBM_TYPE_*, 0 = none */
    size_t n_names, cap_names;
    dbmi_strindex name_index;
    unsigned char *suppressed;  /* sorted DBMI_SUPPRESSION_BYTES digests */
    size_t n_suppressed, cap_suppressed;
} dbmi_model;

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

/* Frees everything a profile owns (its id excepted). */
void dbmi_profile_clear(dbmi_model *m, dbmi_profile *p);
int dbmi_model_extra(dbmi_model *m, uint32_t slot, dbmi_profile_extra **out);
/* Recomputes the purchase columns of @p slot from its days (refund columns
 * and first/last are kept). */
void dbmi_model_sum_days(dbmi_model *m, uint32_t slot);

/* The 64-bit hash of a transaction id kept for de-duplication. */
uint64_t dbmi_txn_hash(const char *txn, size_t len);
/* floor(time / 86400) when it fits int32; returns 0 on success. */
int dbmi_day_of(int64_t time, int32_t *day);
/* amount (currency units) * scale, rounded half away from zero; ERANGE
 * (no message) when not finite or beyond int64. */
int dbmi_money_to_minor(double amount, int64_t scale, int64_t *out);

#endif
