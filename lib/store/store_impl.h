/* The store handle's fields, shared by the store's own files (store.c,
 * store_write.c, store_read.c, store_columns.c). */
#ifndef LIBDBM_STORE_STORE_IMPL_H
#define LIBDBM_STORE_STORE_IMPL_H

#include <pthread.h>

#include "bytes.h"
#include "column_cache.h"
#include "lock.h"
#include "log.h"
#include "model.h"
#include "record.h"

/* A small set of 64-bit keys: what the open batch will create or count,
 * so that `created` and `added` can be answered before the commit. */
typedef struct dbmi_keyset {
    uint64_t *keys;         /* 0 = empty slot (keys are never 0) */
    size_t capacity, count;
} dbmi_keyset;

struct libdbm_store {
    libdbm_context *ctx;
    pthread_rwlock_t rw;        /* readers vs the applying writer */
    pthread_mutex_t writer;     /* one writing call at a time */
    pthread_mutex_t gate;       /* dbmi_store_gate_lock: higher layers' atomic sequences */
    dbmi_model model;
    char *snapshot_path, *log_path;   /* NULL for in-memory stores */
    struct dbmi_log *log;
    dbmi_lock *lock;
    uint64_t epoch;
    int read_only;              /* opened LIBDBM_STORE_READONLY */
    int failed;                 /* a durable write or apply failed: read-only */
    int in_batch;
    int compress;
    int64_t checkpoint_bytes;   /* -1 never */
    dbmi_buf record;            /* scratch: one encoded record */
    dbmi_buf pending;           /* the open batch: varint length + payload each */
    dbmi_keyset pending_keys;
    dbmi_buf snapshot_buf;
    dbmi_column_cache *columns; /* column_cache.c: emptied by every applied write */
};

/* Validates @p rec against the committed state (and the open batch's
 * predictions), appends it to the log / batch and, outside a batch,
 * applies it. @p result as dbmi_record_apply(). */
int dbmi_store_write(libdbm_store *store, const dbmi_record *rec, int *result);

/* Read helpers: validate @p id, take the read lock and find the canonical
 * slot; on success the caller holds the read lock and must release it. */
int dbmi_store_read_begin(libdbm_store *store, const char *id, uint32_t *slot);
void dbmi_store_read_end(libdbm_store *store);

#endif
