/*
 * libdbm — the profile store: one profile per customer with typed
 * attributes, channels and consent evidence, purchases, contact history and
 * events; identity merges, erasure, and durable storage in a directory.
 *
 * The data model, the file formats and the durability guarantees are in
 * docs/store.md. Include <libdbm.h> rather than this file.
 */
#ifndef LIBDBM_STORE_H
#define LIBDBM_STORE_H

#include "common.h"
#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A profile store.
 *
 * Threads: a store handle may be shared by threads. Any number of reading
 * calls run concurrently with one writing call (a reader-writer lock
 * inside); writing calls from several threads are serialised. A batch
 * (libdbm_store_begin ... libdbm_store_commit) belongs to the store, not to
 * a thread: coordinate batches between your threads. Readers see only
 * committed state: the writes of an open batch become visible all at once
 * when it commits. A cursor belongs to one thread.
 *
 * Processes: one writer process per store directory (a second gets
 * LIBDBM_ELOCKED); processes that open with LIBDBM_STORE_READONLY see the
 * state as of their open.
 *
 * Identifiers: a customer id is 1 to 1024 bytes of valid UTF-8 (no NUL).
 * Attribute and event names are 1 to 64 bytes of [A-Za-z0-9_.-] starting
 * with a letter or '_'. Channel names and consent purposes are
 * [a-z0-9_]{1,32}. Other strings (addresses, sources, campaigns, string
 * values) are valid UTF-8 of at most 65535 bytes. Anything else is
 * LIBDBM_EINVAL with a message.
 *
 * Errors: every function returns LIBDBM_OK or a negative status and records
 * a detailed message on the store's context (libdbm_context_errmsg). Writing
 * functions return LIBDBM_EREADONLY on a read-only handle, including one
 * that turned read-only after a failed durable write (LIBDBM_EIO) or a
 * failed in-memory apply at commit (LIBDBM_ENOMEM): reopen the store to
 * continue. Reading an unknown customer id gives LIBDBM_ENOTFOUND; writing
 * to one creates its profile. Ids merged away (aliases) resolve to their
 * profile in every call.
 * @since 0.1
 */
typedef struct libdbm_store libdbm_store;

/** Flags of libdbm_store_options. @since 0.1 */
enum libdbm_store_flags {
    LIBDBM_STORE_CREATE = 1,    /**< create the directory and an empty store when absent */
    LIBDBM_STORE_READONLY = 2   /**< no writes; no lock taken; state as of the open */
};

/**
 * Options for libdbm_store_open(). Versioned by @c struct_size: initialise
 * with LIBDBM_STORE_OPTIONS_INIT or libdbm_store_options_init(). New fields
 * are only ever appended.
 * @since 0.1
 */
typedef struct libdbm_store_options {
    uint32_t struct_size;           /**< sizeof(libdbm_store_options) */
    uint32_t flags;                 /**< enum libdbm_store_flags; default LIBDBM_STORE_CREATE */
    int64_t money_scale;            /**< minor units per currency unit (1 to 10^9), default 100; fixed when the store is created, ignored when it exists */
    int32_t compress_snapshots;     /**< 1: zlib-compressed snapshots (LIBDBM_ENOTSUP without zlib); default 0 */
    int32_t reserved;               /**< must be 0 */
    int64_t checkpoint_log_bytes;   /**< automatic checkpoint once the log exceeds this many bytes at a commit; 0 = 64 MiB; -1 never */
} libdbm_store_options;

/** Static initialiser for libdbm_store_options. @since 0.1 */
#define LIBDBM_STORE_OPTIONS_INIT \
    { (uint32_t)sizeof(libdbm_store_options), LIBDBM_STORE_CREATE, 100, 0, 0, 0 }

/**
 * Fills @p options with the defaults (as LIBDBM_STORE_OPTIONS_INIT), for
 * hosts (FFI) that cannot use the macro.
 * @return LIBDBM_OK, or LIBDBM_EINVAL when @p options is NULL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_options_init(libdbm_store_options *options);

/**
 * Opens (or creates) a store.
 * @param out receives the handle (NULL on failure); close it with
 *        libdbm_store_close().
 * @param ctx the context whose allocator, clock and messages the store uses;
 *        it must outlive the store.
 * @param path a directory holding LOCK, snapshot.dbm and log.dbm (created
 *        with LIBDBM_STORE_CREATE), or NULL for an in-memory store without
 *        files (its writes are lost at close; checkpoint is a no-op).
 * @param options NULL for the defaults; read during the call only.
 * @return LIBDBM_OK; LIBDBM_EINVAL (bad argument or option struct);
 *         LIBDBM_ENOTFOUND (no store and no LIBDBM_STORE_CREATE);
 *         LIBDBM_ELOCKED (another process writes the store);
 *         LIBDBM_ECORRUPT / LIBDBM_EVERSION (a file failed its checks: the
 *         message says which file and where); LIBDBM_ENOTSUP (compression
 *         asked for without zlib); LIBDBM_EIO; LIBDBM_ENOMEM.
 * Thread safety: independent opens may run concurrently.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_open(libdbm_store **out, libdbm_context *ctx,
                                 const char *path,
                                 const libdbm_store_options *options);

/**
 * Closes a store: rolls back an open batch, closes its files, releases the
 * lock and frees the handle. Committed writes are already durable; close
 * does not checkpoint. NULL is accepted. No other call on the handle may
 * run concurrently or follow, and every cursor must be freed before.
 * @return LIBDBM_OK, or LIBDBM_EIO when closing a file failed (the handle is
 *         freed all the same).
 * @since 0.1
 */
LIBDBM_API int libdbm_store_close(libdbm_store *store);

/**
 * Starts a batch (group commit): the writes until libdbm_store_commit() are
 * one atomic unit, made durable with one fsync. Readers (and reads on this
 * handle) do not see them before the commit.
 * @return LIBDBM_OK; LIBDBM_EINVAL (NULL, or a batch is already open);
 *         LIBDBM_EREADONLY.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_begin(libdbm_store *store);

/**
 * Commits the open batch: appends its records to the log, fsyncs, then
 * applies them to the in-memory state. Durable when it returns LIBDBM_OK.
 * @return LIBDBM_OK; LIBDBM_EINVAL (no batch open); LIBDBM_EIO (nothing of
 *         the batch is visible; the handle is read-only from now on);
 *         LIBDBM_ENOMEM (the batch is durable but could not be applied in
 *         memory: the handle is read-only, reopen to see it).
 * @since 0.1
 */
LIBDBM_API int libdbm_store_commit(libdbm_store *store);

/**
 * Drops the open batch; nothing of it is kept.
 * @return LIBDBM_OK, or LIBDBM_EINVAL when no batch is open.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_rollback(libdbm_store *store);

/**
 * Writes a snapshot of the live data and empties the log. After it returns
 * LIBDBM_OK no byte of an erased profile remains in any file of the store.
 * A no-op for in-memory stores.
 * @return LIBDBM_OK; LIBDBM_EINVAL (a batch is open); LIBDBM_EREADONLY;
 *         LIBDBM_EIO; LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_checkpoint(libdbm_store *store);

/**
 * Creates the profile of @p customer_id when it does not exist.
 * @param created receives 1 when it was created (or will be at the commit
 *        of the open batch), 0 when it existed (or is an alias). May be NULL.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_EREADONLY, LIBDBM_EIO,
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_profile_ensure(libdbm_store *store, int *created,
                                           const char *customer_id);

/**
 * Tells whether @p customer_id has a profile (directly or as an alias).
 * @param exists receives 1 or 0.
 * @return LIBDBM_OK or LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_profile_exists(libdbm_store *store, int *exists,
                                           const char *customer_id);

/**
 * Resolves an id to the id of its profile (itself, or the profile an alias
 * was merged into).
 * @param canonical_id receives a new string; free with libdbm_free_string().
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND, LIBDBM_EINVAL, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_profile_resolve(libdbm_store *store,
                                            char **canonical_id,
                                            const char *customer_id);

/**
 * Counts the live profiles (aliases and erased profiles are not counted).
 * @return LIBDBM_OK or LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_profile_count(libdbm_store *store, int64_t *count);

/** Attribute value types. @since 0.1 */
enum libdbm_value_type {
    LIBDBM_TYPE_NULL = 0,   /**< absent */
    LIBDBM_TYPE_STRING = 1, /**< UTF-8 string */
    LIBDBM_TYPE_INT64 = 2,  /**< 64-bit signed integer */
    LIBDBM_TYPE_DOUBLE = 3, /**< finite double */
    LIBDBM_TYPE_BOOL = 4,   /**< 0 or 1 */
    LIBDBM_TYPE_TIME = 5    /**< int64 seconds since the epoch, UTC */
};

/**
 * Declares the type of attribute @p name (optional schema): later sets of
 * another type give LIBDBM_EINVAL. Undeclared attributes are schemaless:
 * each profile may hold any type under the name.
 * @param type a LIBDBM_TYPE_* other than NULL.
 * @return LIBDBM_OK (also when declared again with the same type);
 *         LIBDBM_EEXIST (declared with another type); LIBDBM_EINVAL (bad
 *         name or type, or a profile already holds another type under the
 *         name); LIBDBM_EREADONLY, LIBDBM_EIO, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_attr_declare(libdbm_store *store, const char *name, int type);

/**
 * Sets an attribute of a profile (created when absent), replacing any value.
 * Doubles must be finite (LIBDBM_ERANGE otherwise); bools are 0 or 1
 * (any non-zero is stored as 1); strings are copied.
 * @return LIBDBM_OK; LIBDBM_EINVAL (bad id, name or string, or a type
 *         that violates the declared schema); LIBDBM_ERANGE;
 *         LIBDBM_EREADONLY, LIBDBM_EIO, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_attr_set_string(libdbm_store *store, const char *customer_id,
                                            const char *name, const char *value);
/** As libdbm_store_attr_set_string(), for an int64. @since 0.1 */
LIBDBM_API int libdbm_store_attr_set_int64(libdbm_store *store, const char *customer_id,
                                           const char *name, int64_t value);
/** As libdbm_store_attr_set_string(), for a finite double. @since 0.1 */
LIBDBM_API int libdbm_store_attr_set_double(libdbm_store *store, const char *customer_id,
                                            const char *name, double value);
/** As libdbm_store_attr_set_string(), for a bool (0 or non-zero). @since 0.1 */
LIBDBM_API int libdbm_store_attr_set_bool(libdbm_store *store, const char *customer_id,
                                          const char *name, int value);
/** As libdbm_store_attr_set_string(), for a time (seconds since the epoch, UTC). @since 0.1 */
LIBDBM_API int libdbm_store_attr_set_time(libdbm_store *store, const char *customer_id,
                                          const char *name, int64_t value);

/**
 * Removes an attribute from a profile. Removing an absent attribute is not
 * an error.
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND (unknown id), LIBDBM_EINVAL,
 *         LIBDBM_EREADONLY, LIBDBM_EIO, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_attr_delete(libdbm_store *store, const char *customer_id,
                                        const char *name);

/**
 * The type of an attribute of a profile.
 * @param type receives a LIBDBM_TYPE_*, LIBDBM_TYPE_NULL when absent.
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND (unknown id), LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_attr_type(libdbm_store *store, int *type,
                                      const char *customer_id, const char *name);

/**
 * Reads an attribute.
 * @param value receives a new string (free with libdbm_free_string()).
 * @return LIBDBM_OK; LIBDBM_ENOTFOUND (unknown id or absent attribute);
 *         LIBDBM_EINVAL (bad argument, or the value has another type);
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_attr_get_string(libdbm_store *store, char **value,
                                            const char *customer_id, const char *name);
/** As libdbm_store_attr_get_string(), for an int64. @since 0.1 */
LIBDBM_API int libdbm_store_attr_get_int64(libdbm_store *store, int64_t *value,
                                           const char *customer_id, const char *name);
/** As libdbm_store_attr_get_string(), for a double. @since 0.1 */
LIBDBM_API int libdbm_store_attr_get_double(libdbm_store *store, double *value,
                                            const char *customer_id, const char *name);
/** As libdbm_store_attr_get_string(), for a bool (receives 0 or 1). @since 0.1 */
LIBDBM_API int libdbm_store_attr_get_bool(libdbm_store *store, int *value,
                                          const char *customer_id, const char *name);
/** As libdbm_store_attr_get_string(), for a time. @since 0.1 */
LIBDBM_API int libdbm_store_attr_get_time(libdbm_store *store, int64_t *value,
                                          const char *customer_id, const char *name);

/* Channels are names: "email", "sms", "phone", "direct_mail", "push",
 * "whatsapp", "social", "in_store", or any other [a-z0-9_]{1,32} name. */

/** Consent states. @since 0.1 */
enum libdbm_consent_state {
    LIBDBM_CONSENT_UNKNOWN = 0,
    LIBDBM_CONSENT_GRANTED = 1,
    LIBDBM_CONSENT_DENIED = 2
};

/**
 * Sets the address of a profile on a channel. A different address than the
 * current one replaces it and clears the invalid flag; the same address
 * again keeps the later of the two verification times.
 * @param address 1 to 65535 bytes of UTF-8.
 * @param verified_at when it was last verified; 0 = never.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_EREADONLY, LIBDBM_EIO,
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_channel_set_address(libdbm_store *store, const char *customer_id,
                                                const char *channel, const char *address,
                                                int64_t verified_at);

/**
 * Records that the channel's address was verified at @p verified_at (the
 * later of this and the previous time is kept).
 * @return LIBDBM_OK; LIBDBM_ENOTFOUND (unknown id or no address on the
 *         channel); LIBDBM_EINVAL, LIBDBM_EREADONLY, LIBDBM_EIO, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_channel_verify(libdbm_store *store, const char *customer_id,
                                           const char *channel, int64_t verified_at);

/**
 * Marks the channel's address invalid (hard bounce, disconnected number)
 * or valid again.
 * @param invalid 1 invalid, 0 valid.
 * @param at when it was observed (kept for reference).
 * @return as libdbm_store_channel_verify().
 * @since 0.1
 */
LIBDBM_API int libdbm_store_channel_set_invalid(libdbm_store *store, const char *customer_id,
                                                const char *channel, int invalid, int64_t at);

/**
 * Records consent evidence: a grant or denial (or a reset to unknown) for
 * (channel, purpose). Every record is kept; the current state of
 * (channel, purpose) is the record with the latest time (at equal times a
 * denial wins, then the record made last).
 * @param purpose [a-z0-9_]{1,32}; NULL means "marketing".
 * @param state a LIBDBM_CONSENT_*.
 * @param source where the evidence comes from (form, store, call centre);
 *        NULL is stored as "".
 * @param wording_version the version of the wording agreed to; NULL = "".
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_EREADONLY, LIBDBM_EIO,
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_consent_record(libdbm_store *store, const char *customer_id,
                                           const char *channel, const char *purpose,
                                           int state, int64_t at, const char *source,
                                           const char *wording_version);

/**
 * Reads the address of a profile on a channel.
 * @param address receives a new string (free with libdbm_free_string()).
 * @return LIBDBM_OK; LIBDBM_ENOTFOUND (unknown id or no address);
 *         LIBDBM_EINVAL, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_channel_get_address(libdbm_store *store, char **address,
                                                const char *customer_id, const char *channel);

/**
 * The current consent state of (channel, purpose).
 * @param state receives a LIBDBM_CONSENT_* (UNKNOWN when nothing was
 *        recorded).
 * @param at receives the time of the deciding record (0 when none); may be
 *        NULL.
 * @param purpose NULL means "marketing".
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND (unknown id), LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_channel_get_consent(libdbm_store *store, int *state, int64_t *at,
                                                const char *customer_id, const char *channel,
                                                const char *purpose);

/**
 * The verification time and the invalid flag of the channel's address.
 * @param verified_at receives the time, 0 when never verified; may be NULL.
 * @param invalid receives 1 or 0; may be NULL.
 * @return LIBDBM_OK; LIBDBM_ENOTFOUND (unknown id or no address);
 *         LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_channel_get_status(libdbm_store *store, int64_t *verified_at,
                                               int *invalid, const char *customer_id,
                                               const char *channel);

/**
 * Consent history callback: one call per record. The strings are valid
 * during the call only. Return non-zero to stop. @since 0.1
 */
typedef int (*libdbm_consent_fn)(const char *channel, const char *purpose, int state,
                                 int64_t at, const char *source, const char *wording_version,
                                 void *user_data);

/**
 * Calls @p fn for every consent record of a profile, oldest first (by time,
 * then in the order recorded). The store's read lock is held during the
 * calls: @p fn must not write to the store.
 * @return LIBDBM_OK (also when @p fn stopped early), LIBDBM_ENOTFOUND,
 *         LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_consent_history(libdbm_store *store, const char *customer_id,
                                            libdbm_consent_fn fn, void *user_data);

/**
 * Stale address callback. The strings are valid during the call only.
 * Return non-zero to stop. @since 0.1
 */
typedef int (*libdbm_stale_fn)(const char *customer_id, const char *channel,
                               const char *address, int64_t verified_at, void *user_data);

/**
 * Calls @p fn for every address on @p channel (NULL: on every channel) that
 * was never verified or was last verified before as_of - max_age_seconds.
 * Invalid addresses are included. Order: by profile, then by channel name.
 * The read lock is held during the calls: @p fn must not write.
 * @param max_age_seconds >= 0.
 * @return LIBDBM_OK (also when @p fn stopped early), LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_stale_addresses(libdbm_store *store, const char *channel,
                                            int64_t as_of, int64_t max_age_seconds,
                                            libdbm_stale_fn fn, void *user_data);

/**
 * Adds a purchase (or a refund, when the amount is negative) to a profile.
 * The amount in currency units is converted to exact minor units (times the
 * store's money scale, rounded half away from zero).
 * @param added receives 1 when counted, 0 when @p transaction_id was already
 *        seen for this profile (a redelivered transaction counts once); may
 *        be NULL.
 * @param time seconds since the epoch, UTC (its UTC day must fit in int32).
 * @param transaction_id NULL (no de-duplication) or 1 to 256 bytes of UTF-8.
 *        De-duplication keeps a 64-bit hash of the id (docs/store.md).
 * @return LIBDBM_OK; LIBDBM_ERANGE (amount not finite or beyond int64
 *         minor units; time out of range); LIBDBM_EINVAL; LIBDBM_EREADONLY,
 *         LIBDBM_EIO, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_purchase_add(libdbm_store *store, int *added,
                                         const char *customer_id, int64_t time,
                                         double amount, const char *transaction_id);

/** As libdbm_store_purchase_add(), with the amount already in minor units. @since 0.1 */
LIBDBM_API int libdbm_store_purchase_add_minor(libdbm_store *store, int *added,
                                               const char *customer_id, int64_t time,
                                               int64_t amount_minor,
                                               const char *transaction_id);

/** Per-profile purchase aggregates. @since 0.1 */
enum libdbm_aggregate {
    LIBDBM_AGG_FIRST_PURCHASE = 1,     /**< time of the first purchase */
    LIBDBM_AGG_LAST_PURCHASE = 2,      /**< time of the last purchase */
    LIBDBM_AGG_PURCHASE_COUNT = 3,     /**< purchases (refunds excluded) */
    LIBDBM_AGG_PURCHASE_DAYS = 4,      /**< distinct UTC days with a purchase */
    LIBDBM_AGG_TOTAL_MINOR = 5,        /**< summed purchase amounts, minor units */
    LIBDBM_AGG_REFUND_COUNT = 6,       /**< refunds */
    LIBDBM_AGG_REFUND_TOTAL_MINOR = 7  /**< summed refund amounts (negative), minor units */
};

/**
 * Reads one purchase aggregate of a profile.
 * @param which a LIBDBM_AGG_*.
 * @return LIBDBM_OK; LIBDBM_ENOTFOUND (unknown id, or first/last purchase
 *         of a profile without purchases); LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_aggregate(libdbm_store *store, int64_t *value,
                                      const char *customer_id, int which);

/**
 * The store's money scale (minor units per currency unit, fixed at
 * creation).
 * @return LIBDBM_OK or LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_money_scale(libdbm_store *store, int64_t *scale);

/** Contact outcomes. @since 0.1 */
enum libdbm_outcome {
    LIBDBM_OUTCOME_SENT = 1,
    LIBDBM_OUTCOME_DELIVERED = 2,
    LIBDBM_OUTCOME_OPENED = 3,
    LIBDBM_OUTCOME_CLICKED = 4,
    LIBDBM_OUTCOME_RESPONDED = 5,
    LIBDBM_OUTCOME_CONVERTED = 6,
    LIBDBM_OUTCOME_BOUNCED = 7,
    LIBDBM_OUTCOME_UNSUBSCRIBED = 8,
    LIBDBM_OUTCOME_FAILED = 9
};

/**
 * Adds a contact history row: one per contact (outcome SENT) and one per
 * later outcome of it.
 * @param campaign 1 to 256 bytes of UTF-8.
 * @param stage >= 0, the campaign stage.
 * @param outcome a LIBDBM_OUTCOME_*.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_EREADONLY, LIBDBM_EIO,
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_contact_add(libdbm_store *store, const char *customer_id,
                                        int64_t time, const char *channel,
                                        const char *campaign, int32_t stage, int outcome);

/**
 * Counts contact rows with time in [from, to).
 * @param channel NULL for any channel.
 * @param outcome 0 for any outcome.
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND (unknown id), LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_contact_count(libdbm_store *store, int64_t *count,
                                          const char *customer_id, const char *channel,
                                          int outcome, int64_t from, int64_t to);

/**
 * Adds a named behavioural event (e.g. "cart_abandoned") with a finite
 * value (0 when it has none).
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ERANGE (value not finite),
 *         LIBDBM_EREADONLY, LIBDBM_EIO, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_event_add(libdbm_store *store, const char *customer_id,
                                      const char *name, int64_t time, double value);

/**
 * Counts events named @p name with time in [from, to).
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND (unknown id), LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_event_count(libdbm_store *store, int64_t *count,
                                        const char *customer_id, const char *name,
                                        int64_t from, int64_t to);

/**
 * Merges the profile of @p from_id into that of @p into_id, as if they had
 * always been one profile: purchases (with their de-duplication hashes),
 * contacts, events and consent records are unioned; attributes and
 * addresses of @p into_id win over those of @p from_id; for each
 * (channel, purpose) that either profile currently denies, the merged
 * profile denies too (a denial wins: a record with source "merge" is
 * added when needed). @p from_id (and its aliases) become aliases of
 * @p into_id. Both ids are resolved first. Merges and erasures see the
 * committed state (not the open batch's earlier writes).
 * @return LIBDBM_OK; LIBDBM_ENOTFOUND (either id unknown); LIBDBM_EINVAL
 *         (the two resolve to the same profile, bad id); LIBDBM_EREADONLY,
 *         LIBDBM_EIO, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_merge(libdbm_store *store, const char *into_id, const char *from_id);

/**
 * Erases a profile (right to be forgotten): its data and every id that
 * resolves to it are removed. After the next libdbm_store_checkpoint() no
 * byte of them remains in any file of the store.
 * @param keep_suppression 1: keep a salted one-way hash of each erased
 *        address (per channel) so that libdbm_store_is_suppressed()
 *        recognises it; the salt is random per store and lives in it.
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND, LIBDBM_EINVAL, LIBDBM_EREADONLY,
 *         LIBDBM_EIO, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_erase(libdbm_store *store, const char *customer_id,
                                  int keep_suppression);

/**
 * Tells whether an address on a channel belongs to an erased person kept
 * for suppression. Addresses are compared after trimming ASCII white space
 * and folding ASCII letters to lower case.
 * @param suppressed receives 1 or 0.
 * @return LIBDBM_OK or LIBDBM_EINVAL.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_is_suppressed(libdbm_store *store, int *suppressed,
                                          const char *channel, const char *address);

/**
 * A cursor over the ids of the live profiles (aliases and erased profiles
 * are skipped), in creation order. Profiles created while iterating may or
 * may not be seen. A cursor belongs to one thread; free it before closing
 * the store. @since 0.1
 */
typedef struct libdbm_store_cursor libdbm_store_cursor;

/**
 * Creates a cursor positioned before the first profile.
 * @param out receives the cursor; free with libdbm_store_cursor_free().
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_cursor_new(libdbm_store_cursor **out, libdbm_store *store);

/**
 * Advances the cursor.
 * @param customer_id receives the next id, owned by the cursor and valid
 *        until the next call on it.
 * @return LIBDBM_OK; LIBDBM_ENOTFOUND at the end; LIBDBM_EINVAL;
 *         LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_store_cursor_next(libdbm_store_cursor *cursor, const char **customer_id);

/** Frees a cursor. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_store_cursor_free(libdbm_store_cursor *cursor);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_STORE_H */
