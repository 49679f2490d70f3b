/* The store's internal columnar interface for the scoring, segment and
 * policy layers: they scan profiles through these functions, never through
 * the store's rows or files. Hold the read lock (dbmi_store_read_lock)
 * for the whole scan; every pointer returned stays valid until it is
 * released. Slots are dense indices 0..n-1 for the life of the handle
 * (they are renumbered when the store is reopened). */
#ifndef LIBDBM_STORE_STORE_COLUMNS_H
#define LIBDBM_STORE_STORE_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "libdbm.h"
#include "model.h"
#include "purchase_day.h"

void dbmi_store_read_lock(libdbm_store *store);
void dbmi_store_read_unlock(libdbm_store *store);
size_t dbmi_store_slot_count(const libdbm_store *store);
/* 0 for erased and merged-away (alias) slots. */
int dbmi_store_slot_live(const libdbm_store *store, size_t slot);
/* NULL for erased slots; an alias slot gives the alias id. */
const char *dbmi_store_slot_id(const libdbm_store *store, size_t slot);
/* One entry per distinct UTC purchase day, sorted, refunds excluded. */
void dbmi_store_slot_purchase_days(const libdbm_store *store, size_t slot,
                                   const dbmi_purchase_day **days, size_t *n);
int64_t dbmi_store_money_scale_of(const libdbm_store *store);

typedef struct dbmi_store_columns {
    size_t count;
    const int64_t *first_purchase;      /* time; 0 without purchases */
    const int64_t *last_purchase;
    const uint32_t *purchase_count;
    const uint32_t *purchase_days;
    const int64_t *total_minor;
    const uint32_t *refund_count;
    const int64_t *refund_total_minor;
} dbmi_store_columns;

void dbmi_store_get_columns(const libdbm_store *store, dbmi_store_columns *out);
/* The canonical slot of @p customer_id (aliases resolved): LIBDBM_OK,
 * LIBDBM_ENOTFOUND, LIBDBM_EINVAL. Takes the read lock itself: do not call
 * it while holding the lock (use the _locked variant then). */
int dbmi_store_slot_of(libdbm_store *store, const char *customer_id, size_t *slot);
int dbmi_store_slot_of_locked(const libdbm_store *store, const char *customer_id, size_t *slot);

/* Channel state of a slot, for the policy layer: 1 and the fields when the
 * profile has an address on @p channel, else 0. */
int dbmi_store_slot_channel(const libdbm_store *store, size_t slot, const char *channel,
                            const char **address, int64_t *verified_at, int *invalid);
/* Current consent of (channel, purpose NULL = "marketing") of a slot. */
int dbmi_store_slot_consent(const libdbm_store *store, size_t slot, const char *channel,
                            const char *purpose, int64_t *at);

/* Interned names (attribute names, channels, campaigns, event names):
 * 1 and the id when @p name has ever been used in the store, else 0 (then
 * no profile has anything under that name). */
int dbmi_store_name_id(const libdbm_store *store, const char *name, size_t len, uint32_t *id);
/* The text of an interned name id. */
const char *dbmi_store_name_text(const libdbm_store *store, uint32_t id);
/* An attribute of a live slot, or NULL. */
const dbmi_attr *dbmi_store_slot_attr(const libdbm_store *store, size_t slot, uint32_t name);
/* The contact history and the events of a live slot, each sorted by time
 * (stable: rows of equal time in the order recorded); empty for other
 * slots. */
void dbmi_store_slot_contacts(const libdbm_store *store, size_t slot,
                              const dbmi_contact **rows, size_t *n);
void dbmi_store_slot_events(const libdbm_store *store, size_t slot,
                            const dbmi_event **rows, size_t *n);
/* Nonzero when the live slot's contact history holds an UNSUBSCRIBED row
 * (on any channel, at any time). */
int dbmi_store_slot_has_unsubscribed(const libdbm_store *store, size_t slot);
/* The channel state and current consent by interned ids (NULL / UNKNOWN
 * when absent): the policy's per-check path, without name lookups. */
const dbmi_channel_state *dbmi_store_slot_channel_state(const libdbm_store *store, size_t slot,
                                                        uint32_t channel);
const dbmi_consent *dbmi_store_slot_consent_record(const libdbm_store *store, size_t slot,
                                                   uint32_t channel, uint32_t purpose);
/* Whether (channel, address) is on the suppression list. */
int dbmi_store_address_suppressed(const libdbm_store *store, const char *channel,
                                  const char *address);

/* A store-wide gate that higher layers hold across read-decide-write
 * sequences (the policy's check-and-record) so that they are atomic
 * against each other. Take it before the read lock, never while holding
 * it; the store's own writing functions may be called while holding it. */
void dbmi_store_gate_lock(libdbm_store *store);
void dbmi_store_gate_unlock(libdbm_store *store);

/* The context the store was opened with: higher layers allocate and
 * report errors through it. */
libdbm_context *dbmi_store_context(const libdbm_store *store);

/* Cached typed columns (column_cache.c): dense vectors over all slots,
 * derived from the profiles on first use and kept until the next applied
 * write, which empties the cache under the write lock. Call with the read
 * lock held; what they return stays valid until it is released. They hold
 * no copy of any profile's data (strings point into the profiles). Rows of
 * slots that are not live are null. Status: LIBDBM_OK or LIBDBM_ENOMEM. */
enum dbmi_store_col_kind {
    DBMI_STORE_COL_NONE = 0,    /* nothing under that name: every row null */
    DBMI_STORE_COL_I64,         /* i64 (integers, times) */
    DBMI_STORE_COL_F64,         /* f64 */
    DBMI_STORE_COL_STR,         /* str: ids into the cache's string dictionary */
    DBMI_STORE_COL_BOOL         /* b: 0 or 1 (NULL for DBMI_STORE_ATTR_ANY) */
};

typedef struct dbmi_store_column {
    int kind;
    const int64_t *i64;
    const double *f64;          /* F64 columns, and the decimal rows of mixed ones */
    const uint32_t *str;
    const uint8_t *b;
    const uint64_t *nulls;      /* bit r set: row r is null (NULL for NONE) */
    const uint64_t *mixed;      /* I64 number columns: bit r set = row r is f64[r]; else NULL */
} dbmi_store_column;

/* Which values of an attribute a column holds; other types read as null. */
enum dbmi_store_attr_class {
    DBMI_STORE_ATTR_STRING,     /* STRING -> STR */
    DBMI_STORE_ATTR_BOOL,       /* BOOL -> BOOL */
    DBMI_STORE_ATTR_TIME,       /* TIME -> I64 */
    DBMI_STORE_ATTR_NUMBER,     /* INT64 -> I64, DOUBLE -> F64; both: I64 with `mixed` */
    DBMI_STORE_ATTR_ANY         /* every type: only `nulls` (kind BOOL, b NULL) */
};

/* Per-channel fields. */
enum dbmi_store_channel_field {
    DBMI_STORE_CHANNEL_CONSENT,     /* BOOL: "marketing" consent granted 1, denied 0; unknown null */
    DBMI_STORE_CHANNEL_VALID,       /* BOOL: address valid 1, invalid 0; no address null */
    DBMI_STORE_CHANNEL_VERIFIED_AT  /* I64: verification time; no address or never verified null */
};

int dbmi_store_attr_column(libdbm_store *store, const char *name, int attr_class,
                           dbmi_store_column *out);
int dbmi_store_channel_column(libdbm_store *store, const char *channel, int field,
                              dbmi_store_column *out);
/* The live slots: bit s set when slot s is live. */
int dbmi_store_live_bits(libdbm_store *store, const uint64_t **bits);
/* The dictionary id of the string @p s (@p len bytes, no NUL), added (as
 * a copy) when absent, so that literals and the STR columns built before or
 * after agree on ids. */
int dbmi_store_string_id(libdbm_store *store, const char *s, size_t len, uint32_t *id);

#endif
