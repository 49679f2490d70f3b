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

#endif
