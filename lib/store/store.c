/* The store handle: open/close, batches, the write pipeline (validate,
 * log, fsync, then apply) and checkpoints. docs/store.md describes the
 * guarantees. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "io.h"
#include "snapshot.h"
#include "store_impl.h"
#include "store_snapshot.h"
#include "validate.h"

#define DEFAULT_CHECKPOINT_BYTES ((int64_t)64 << 20)

int libdbm_store_options_init(libdbm_store_options *options)
{
    static const libdbm_store_options defaults = LIBDBM_STORE_OPTIONS_INIT;
    if (options == NULL)
        return LIBDBM_EINVAL;
    *options = defaults;
    return LIBDBM_OK;
}

/* ---- the pending-batch key set ------------------------------------------ */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h ? h : 1;
}

static int keyset_has(const dbmi_keyset *s, uint64_t key)
{
    size_t pos;
    if (s->capacity == 0)
        return 0;
    for (pos = key & (s->capacity - 1); s->keys[pos] != 0; pos = (pos + 1) & (s->capacity - 1))
        if (s->keys[pos] == key)
            return 1;
    return 0;
}

static int keyset_add(libdbm_context *ctx, dbmi_keyset *s, uint64_t key)
{
    size_t pos;
    if (keyset_has(s, key))
        return LIBDBM_OK;
    if ((s->count + 1) * 2 > s->capacity) {
        size_t cap = s->capacity ? s->capacity * 2 : 64, i;
        uint64_t *keys = dbmi_calloc(ctx, cap, sizeof(uint64_t));
        if (keys == NULL)
            return dbmi_error_nomem(ctx, "batch");
        for (i = 0; i < s->capacity; i++) {
            uint64_t k = s->keys[i];
            if (k == 0)
                continue;
            for (pos = k & (cap - 1); keys[pos] != 0; pos = (pos + 1) & (cap - 1))
                ;
            keys[pos] = k;
        }
        dbmi_free(ctx, s->keys);
        s->keys = keys;
        s->capacity = cap;
    }
    for (pos = key & (s->capacity - 1); s->keys[pos] != 0; pos = (pos + 1) & (s->capacity - 1))
        ;
    s->keys[pos] = key;
    s->count++;
    return LIBDBM_OK;
}

static void keyset_clear(dbmi_keyset *s)
{
    if (s->keys != NULL)
        memset(s->keys, 0, s->capacity * sizeof(uint64_t));
    s->count = 0;
}

static uint64_t profile_key(const char *canonical)
{
    return mix64(dbmi_txn_hash(canonical, strlen(canonical)) ^ 0x70726f66696c65u);
}

static uint64_t purchase_key(const char *canonical, uint64_t txn_hash)
{
    return mix64(dbmi_txn_hash(canonical, strlen(canonical)) + txn_hash * 0x9e3779b97f4a7c15u);
}

/* ---- the write pipeline -------------------------------------------------- */

static int writable(const libdbm_store *store)
{
    if (store->read_only)
        return dbmi_error(store->ctx, LIBDBM_EREADONLY, "the store was opened read-only");
    if (store->failed)
        return dbmi_error(store->ctx, LIBDBM_EREADONLY,
                          "the store turned read-only after a failed write; reopen it");
    return LIBDBM_OK;
}

/* The committed profile of @p id, or 0. */
static int committed_slot(const libdbm_store *store, const char *id, uint32_t *slot)
{
    return dbmi_model_find(&store->model, id, strlen(id), slot);
}

static int exists_for_write(const libdbm_store *store, const char *id, uint32_t *slot)
{
    if (committed_slot(store, id, slot))
        return 1;
    return store->in_batch && keyset_has(&store->pending_keys, profile_key(id));
}

/* Checks what the model would refuse, before anything is logged: the
 * caller learns the error and the log holds only records that apply. */
static int precheck(libdbm_store *store, const dbmi_record *r, int *result, int *skip)
{
    dbmi_model *m = &store->model;
    uint32_t slot = 0, slot2, name;
    int known;
    *skip = 0;
    switch (r->op) {
    case DBMI_OP_ENSURE:
        *result = !exists_for_write(store, r->id, &slot);
        *skip = !*result;
        return LIBDBM_OK;
    case DBMI_OP_ATTR_DECLARE:
        if (dbmi_model_find_name(m, r->name, strlen(r->name), &name)) {
            size_t i, k;
            if (m->declared[name] == r->type)
                return LIBDBM_OK;
            if (m->declared[name] != 0)
                return dbmi_error(store->ctx, LIBDBM_EEXIST,
                                  "attribute '%s' is already declared with another type", r->name);
            for (i = 0; i < m->n_slots; i++) {
                const dbmi_profile_extra *x = m->slots[i].extra;
                if (m->state[i] != DBMI_SLOT_LIVE || x == NULL)
                    continue;
                for (k = 0; k < x->n_attrs; k++)
                    if (x->attrs[k].name == name && (int)x->attrs[k].type != r->type)
                        return dbmi_error(store->ctx, LIBDBM_EINVAL,
                                          "profile '%s' holds attribute '%s' with another type",
                                          dbmi_model_id(m, (uint32_t)i), r->name);
            }
        }
        return LIBDBM_OK;
    case DBMI_OP_ATTR_SET:
        if (dbmi_model_find_name(m, r->name, strlen(r->name), &name) && m->declared[name] != 0 &&
            m->declared[name] != r->type)
            return dbmi_error(store->ctx, LIBDBM_EINVAL,
                              "attribute '%s' is declared with another type", r->name);
        return LIBDBM_OK;
    case DBMI_OP_ATTR_DELETE:
    case DBMI_OP_CHANNEL_VERIFY:
    case DBMI_OP_CHANNEL_INVALID:
        known = exists_for_write(store, r->id, &slot);
        if (!known)
            return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "no profile '%s'", r->id);
        if (r->op != DBMI_OP_ATTR_DELETE && !store->in_batch &&
            (!dbmi_model_find_name(m, r->name, strlen(r->name), &name) ||
             dbmi_model_channel_get(m, slot, name) == NULL))
            return dbmi_error(store->ctx, LIBDBM_ENOTFOUND,
                              "profile '%s' has no address on channel '%s'", r->id, r->name);
        return LIBDBM_OK;
    case DBMI_OP_MERGE:
        if (!committed_slot(store, r->id, &slot))
            return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "no profile '%s' to merge into", r->id);
        if (!committed_slot(store, r->id2, &slot2))
            return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "no profile '%s' to merge", r->id2);
        if (slot == slot2)
            return dbmi_error(store->ctx, LIBDBM_EINVAL,
                              "'%s' and '%s' are already the same profile", r->id, r->id2);
        return LIBDBM_OK;
    case DBMI_OP_ERASE:
        if (!committed_slot(store, r->id, &slot))
            return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "no profile '%s' to erase", r->id);
        return LIBDBM_OK;
    case DBMI_OP_PURCHASE: {
        const char *canonical = r->id;
        int32_t day;
        if (dbmi_day_of(r->t, &day))
            return dbmi_error(store->ctx, LIBDBM_ERANGE, "purchase time %lld is out of range",
                              (long long)r->t);
        known = committed_slot(store, r->id, &slot);
        if (known)
            canonical = dbmi_model_id(m, slot);
        if (r->has_txn && ((known && dbmi_model_has_txn(m, slot, r->txn_hash)) ||
                           (store->in_batch &&
                            keyset_has(&store->pending_keys, purchase_key(canonical, r->txn_hash))))) {
            *result = 0;
            *skip = 1;      /* a redelivery: nothing to log */
            return LIBDBM_OK;
        }
        if (known) {
            int64_t sum;
            if (r->i < 0 ? __builtin_add_overflow(m->refund_total_minor[slot], r->i, &sum)
                         : __builtin_add_overflow(m->total_minor[slot], r->i, &sum))
                return dbmi_error(store->ctx, LIBDBM_ERANGE, "purchase totals of '%s' overflow",
                                  r->id);
        }
        *result = 1;
        return LIBDBM_OK;
    }
    default:
        return LIBDBM_OK;
    }
}

/* Remembers what the batch will create or count. */
static int predict(libdbm_store *store, const dbmi_record *r)
{
    uint32_t slot;
    const char *canonical = r->id;
    int status = LIBDBM_OK;
    if (r->op == DBMI_OP_ATTR_DECLARE || r->op == DBMI_OP_MERGE || r->op == DBMI_OP_ERASE ||
        r->op == DBMI_OP_CAMPAIGN)
        return LIBDBM_OK;
    if (committed_slot(store, r->id, &slot))
        canonical = dbmi_model_id(&store->model, slot);
    else
        status = keyset_add(store->ctx, &store->pending_keys, profile_key(r->id));
    if (status == LIBDBM_OK && r->op == DBMI_OP_PURCHASE && r->has_txn)
        status = keyset_add(store->ctx, &store->pending_keys, purchase_key(canonical, r->txn_hash));
    return status;
}

/* Applies one record under the write lock. */
static int apply_locked(libdbm_store *store, const dbmi_record *r, int *result)
{
    int status;
    pthread_rwlock_wrlock(&store->rw);
    status = dbmi_record_apply(&store->model, r, result);
    dbmi_column_cache_clear(store->columns);
    pthread_rwlock_unlock(&store->rw);
    return status;
}

static int maybe_checkpoint(libdbm_store *store);
static int checkpoint_locked(libdbm_store *store);

int dbmi_store_write(libdbm_store *store, const dbmi_record *rec, int *result)
{
    int status, skip = 0, ignored;
    size_t before;
    if (result == NULL)
        result = &ignored;
    pthread_mutex_lock(&store->writer);
    status = writable(store);
    if (status == LIBDBM_OK)
        status = precheck(store, rec, result, &skip);
    if (status != LIBDBM_OK || skip)
        goto out;
    dbmi_buf_clear(&store->record);
    dbmi_record_encode(&store->record, rec);
    status = dbmi_buf_status(&store->record);
    if (status != LIBDBM_OK)
        goto out;
    if (store->in_batch) {
        before = store->pending.len;
        dbmi_buf_put_bytes(&store->pending, store->record.data, store->record.len);
        status = dbmi_buf_status(&store->pending);
        if (status == LIBDBM_OK)
            status = predict(store, rec);
        if (status != LIBDBM_OK) {
            /* The record is not part of the batch. */
            store->pending.len = before;
            store->pending.failed = 0;
        }
        goto out;
    }
    if (store->log != NULL) {
        status = dbmi_log_append(store->log, store->record.data, store->record.len);
        if (status == LIBDBM_OK)
            status = dbmi_log_commit(store->log);
        if (status != LIBDBM_OK) {
            if (dbmi_log_poisoned(store->log))
                store->failed = 1;
            dbmi_log_discard(store->log);
            goto out;
        }
    }
    status = apply_locked(store, rec, result);
    if (status == LIBDBM_ENOMEM && store->log != NULL) {
        /* Durable but not in memory: the handle would lie from now on. */
        store->failed = 1;
        goto out;
    }
    if (status == LIBDBM_OK && store->log != NULL)
        (void)maybe_checkpoint(store);
out:
    pthread_mutex_unlock(&store->writer);
    return status;
}

/* ---- batches ------------------------------------------------------------- */

int libdbm_store_begin(libdbm_store *store)
{
    int status;
    if (store == NULL)
        return LIBDBM_EINVAL;
    pthread_mutex_lock(&store->writer);
    status = writable(store);
    if (status == LIBDBM_OK && store->in_batch)
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "a batch is already open");
    if (status == LIBDBM_OK) {
        store->in_batch = 1;
        dbmi_buf_clear(&store->pending);
        keyset_clear(&store->pending_keys);
    }
    pthread_mutex_unlock(&store->writer);
    return status;
}

static void end_batch(libdbm_store *store)
{
    store->in_batch = 0;
    dbmi_buf_clear(&store->pending);
    keyset_clear(&store->pending_keys);
    if (store->log != NULL)
        dbmi_log_discard(store->log);
}

/* Applies a sequence of length-prefixed records in order: a committed
 * batch, at commit and again at replay. */
static int apply_sequence(libdbm_store *store, const void *data, size_t size)
{
    dbmi_reader r;
    int status = LIBDBM_OK;
    dbmi_reader_init(&r, data, size);
    while (dbmi_reader_remaining(&r) > 0 && status == LIBDBM_OK) {
        size_t len;
        const void *payload = dbmi_get_bytes(&r, &len);
        dbmi_record rec;
        if (payload == NULL) {
            status = dbmi_error(store->ctx, LIBDBM_ECORRUPT, "batch buffer damaged");
            break;
        }
        status = dbmi_record_decode(store->ctx, payload, len, &rec);
        if (status == LIBDBM_OK)
            status = dbmi_record_apply(&store->model, &rec, NULL);
        if (status != LIBDBM_OK && status != LIBDBM_ENOMEM && status != LIBDBM_ECORRUPT &&
            status != LIBDBM_ELIMIT)
            status = LIBDBM_OK; /* refused by the model: replay refuses it too */
    }
    return status;
}

/* Applies the batch under one write lock, so readers see all of it or none. */
static int apply_pending(libdbm_store *store)
{
    int status;
    pthread_rwlock_wrlock(&store->rw);
    status = apply_sequence(store, store->pending.data, store->pending.len);
    dbmi_column_cache_clear(store->columns);
    pthread_rwlock_unlock(&store->rw);
    return status;
}

/* Logs the whole batch as one record and makes it durable. */
static int log_batch(libdbm_store *store)
{
    int status;
    if (store->pending.len == 0)
        return LIBDBM_OK;
    dbmi_buf_clear(&store->record);
    dbmi_buf_put_u8(&store->record, DBMI_OP_BATCH);
    dbmi_buf_put(&store->record, store->pending.data, store->pending.len);
    status = dbmi_buf_status(&store->record);
    if (status == LIBDBM_OK)
        status = dbmi_log_append(store->log, store->record.data, store->record.len);
    if (status == LIBDBM_OK)
        status = dbmi_log_commit(store->log);
    return status;
}

int libdbm_store_commit(libdbm_store *store)
{
    int status = LIBDBM_OK;
    if (store == NULL)
        return LIBDBM_EINVAL;
    pthread_mutex_lock(&store->writer);
    if (!store->in_batch) {
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "no batch is open");
        goto out;
    }
    if (store->log != NULL) {
        status = log_batch(store);
        if (status != LIBDBM_OK) {
            if (dbmi_log_poisoned(store->log))
                store->failed = 1;
            end_batch(store);
            goto out;
        }
    }
    status = apply_pending(store);
    if (status != LIBDBM_OK)
        store->failed = 1; /* the batch is durable (or half applied): reopen */
    end_batch(store);
    if (status == LIBDBM_OK && store->log != NULL)
        (void)maybe_checkpoint(store);
out:
    pthread_mutex_unlock(&store->writer);
    return status;
}

int libdbm_store_rollback(libdbm_store *store)
{
    int status = LIBDBM_OK;
    if (store == NULL)
        return LIBDBM_EINVAL;
    pthread_mutex_lock(&store->writer);
    if (!store->in_batch)
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "no batch is open");
    else
        end_batch(store);
    pthread_mutex_unlock(&store->writer);
    return status;
}

/* ---- checkpoints --------------------------------------------------------- */

static int snapshot_sink(void *user_data, const void *data, size_t len)
{
    return dbmi_snapshot_write(user_data, data, len);
}

/* Writes the model as snapshot @p epoch. The caller excludes writers. */
static int write_snapshot(libdbm_store *store, uint64_t epoch)
{
    dbmi_snapshot_writer *w;
    int status = dbmi_snapshot_begin(&w, store->ctx, store->snapshot_path, epoch, store->compress);
    if (status != LIBDBM_OK)
        return status;
    pthread_rwlock_rdlock(&store->rw);
    status = dbmi_store_serialize(&store->model, &store->snapshot_buf, snapshot_sink, w);
    pthread_rwlock_unlock(&store->rw);
    dbmi_buf_free(&store->snapshot_buf);
    dbmi_buf_init(&store->snapshot_buf, store->ctx);
    if (status != LIBDBM_OK) {
        dbmi_snapshot_abort(w);
        return status;
    }
    return dbmi_snapshot_commit(w);
}

static int checkpoint_locked(libdbm_store *store)
{
    int status;
    if (store->log == NULL)
        return LIBDBM_OK;
    status = write_snapshot(store, store->epoch + 1);
    if (status != LIBDBM_OK) {
        /* A failure after the rename would leave a newer snapshot than the
         * log: appending more would be skipped at the next open. Stop. */
        if (status == LIBDBM_EIO)
            store->failed = 1;
        return status;
    }
    store->epoch++;
    status = dbmi_log_reset(store->log, store->epoch);
    if (status != LIBDBM_OK)
        store->failed = 1;
    return status;
}

static int maybe_checkpoint(libdbm_store *store)
{
    if (store->checkpoint_bytes < 0 || dbmi_log_size(store->log) <= (uint64_t)store->checkpoint_bytes)
        return LIBDBM_OK;
    {
        int status = checkpoint_locked(store);
        if (status != LIBDBM_OK)
            dbmi_log(store->ctx, LIBDBM_LOG_WARNING, "automatic checkpoint failed: %s",
                     libdbm_context_errmsg(store->ctx));
        return status;
    }
}

int libdbm_store_checkpoint(libdbm_store *store)
{
    int status;
    if (store == NULL)
        return LIBDBM_EINVAL;
    pthread_mutex_lock(&store->writer);
    status = writable(store);
    if (status == LIBDBM_OK && store->in_batch)
        status = dbmi_error(store->ctx, LIBDBM_EINVAL, "cannot checkpoint inside a batch");
    if (status == LIBDBM_OK)
        status = checkpoint_locked(store);
    pthread_mutex_unlock(&store->writer);
    return status;
}

/* ---- open and close ------------------------------------------------------ */

static int read_options(libdbm_context *ctx, const libdbm_store_options *in, libdbm_store_options *out)
{
    libdbm_store_options_init(out);
    if (in == NULL)
        return LIBDBM_OK;
    if (in->struct_size < sizeof(uint32_t) * 2 || in->struct_size > sizeof(*out))
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_store_options: bad struct_size %u",
                          in->struct_size);
    memcpy(out, in, in->struct_size);
    out->struct_size = (uint32_t)sizeof(*out);
    if (out->flags & ~(uint32_t)(LIBDBM_STORE_CREATE | LIBDBM_STORE_READONLY))
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_store_options: unknown flags 0x%x", out->flags);
    if (out->money_scale < 1 || out->money_scale > 1000000000)
        return dbmi_error(ctx, LIBDBM_EINVAL,
                          "libdbm_store_options: money_scale %lld is outside 1..10^9",
                          (long long)out->money_scale);
    if (out->compress_snapshots != 0 && out->compress_snapshots != 1)
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_store_options: compress_snapshots must be 0 or 1");
    if (out->compress_snapshots && !libdbm_has_feature(LIBDBM_FEATURE_ZLIB))
        return dbmi_error(ctx, LIBDBM_ENOTSUP, "compressed snapshots need a build with zlib");
    if (out->reserved != 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_store_options: reserved must be 0");
    if (out->checkpoint_log_bytes < -1)
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_store_options: checkpoint_log_bytes < -1");
    return LIBDBM_OK;
}

static int random_salt(libdbm_context *ctx, unsigned char *salt, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(salt + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return dbmi_error(ctx, LIBDBM_EIO, "cannot read random bytes for the store's salt: %s",
                              strerror(errno));
        got += (size_t)n;
    }
    return LIBDBM_OK;
}

static int replay_record(const void *payload, size_t len, void *user_data)
{
    libdbm_store *store = user_data;
    dbmi_record rec;
    int status;
    if (len > 0 && *(const unsigned char *)payload == DBMI_OP_BATCH)
        return apply_sequence(store, (const unsigned char *)payload + 1, len - 1);
    status = dbmi_record_decode(store->ctx, payload, len, &rec);
    if (status != LIBDBM_OK)
        return status;
    status = dbmi_record_apply(&store->model, &rec, NULL);
    if (status == LIBDBM_ENOMEM || status == LIBDBM_ELIMIT)
        return status;
    return LIBDBM_OK; /* refused by the model when written too */
}

static int make_directory(libdbm_context *ctx, const char *path, int create)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return dbmi_error(ctx, LIBDBM_EINVAL, "store path '%s' is not a directory", path);
        return LIBDBM_OK;
    }
    if (!create)
        return dbmi_error(ctx, LIBDBM_ENOTFOUND, "no store at '%s'", path);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return dbmi_error(ctx, LIBDBM_EIO, "cannot create store directory '%s': %s", path,
                          strerror(errno));
    return LIBDBM_OK;
}

/* Loads snapshot + log into the model (fresh on entry). */
static int load_files(libdbm_store *store, const libdbm_store_options *opt, int *retry)
{
    void *payload = NULL;
    size_t len = 0;
    uint64_t epoch = 0, again;
    int status;
    *retry = 0;
    status = dbmi_snapshot_load(store->ctx, store->snapshot_path, &epoch, &payload, &len);
    if (status == LIBDBM_ENOTFOUND) {
        if (store->read_only || !(opt->flags & LIBDBM_STORE_CREATE))
            return dbmi_error(store->ctx, LIBDBM_ENOTFOUND, "no store snapshot at '%s'",
                              store->snapshot_path);
        /* A new store: its scale and salt are durable before any record. */
        status = random_salt(store->ctx, store->model.salt, sizeof(store->model.salt));
        if (status == LIBDBM_OK)
            status = write_snapshot(store, 1);
        if (status != LIBDBM_OK)
            return status;
        epoch = 1;
    } else if (status != LIBDBM_OK) {
        return status;
    } else {
        status = dbmi_store_deserialize(&store->model, payload, len);
        dbmi_free(store->ctx, payload);
        if (status != LIBDBM_OK)
            return status;
    }
    store->epoch = epoch;
    status = dbmi_log_open(&store->log, store->ctx, store->log_path, epoch, store->read_only,
                           replay_record, store);
    if (status == LIBDBM_ECORRUPT && store->read_only) {
        /* The writer may have checkpointed between our two reads. */
        if (dbmi_snapshot_load(store->ctx, store->snapshot_path, &again, &payload, &len) ==
            LIBDBM_OK) {
            dbmi_free(store->ctx, payload);
            *retry = again != epoch;
        }
    }
    return status;
}

static void free_store(libdbm_store *store)
{
    libdbm_context *ctx = store->ctx;
    dbmi_log_close(store->log);
    dbmi_lock_release(store->lock);
    dbmi_model_free(&store->model);
    dbmi_column_cache_free(store->columns);
    dbmi_buf_free(&store->record);
    dbmi_buf_free(&store->pending);
    dbmi_buf_free(&store->snapshot_buf);
    dbmi_free(ctx, store->pending_keys.keys);
    dbmi_free(ctx, store->snapshot_path);
    dbmi_free(ctx, store->log_path);
    pthread_rwlock_destroy(&store->rw);
    pthread_mutex_destroy(&store->writer);
    pthread_mutex_destroy(&store->gate);
    dbmi_free(ctx, store);
}

int libdbm_store_open(libdbm_store **out, libdbm_context *ctx, const char *path,
                      const libdbm_store_options *options)
{
    libdbm_store_options opt;
    libdbm_store *store;
    int status, attempt, retry = 0;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_store_open: NULL argument");
    status = read_options(ctx, options, &opt);
    if (status != LIBDBM_OK)
        return status;
    if (path == NULL && (opt.flags & LIBDBM_STORE_READONLY))
        return dbmi_error(ctx, LIBDBM_EINVAL, "an in-memory store cannot be read-only");
    store = dbmi_calloc(ctx, 1, sizeof(*store));
    if (store == NULL)
        return dbmi_error_nomem(ctx, "store");
    store->ctx = ctx;
    pthread_rwlock_init(&store->rw, NULL);
    pthread_mutex_init(&store->writer, NULL);
    pthread_mutex_init(&store->gate, NULL);
    dbmi_model_init(&store->model, ctx, opt.money_scale);
    dbmi_buf_init(&store->record, ctx);
    dbmi_buf_init(&store->pending, ctx);
    dbmi_buf_init(&store->snapshot_buf, ctx);
    store->read_only = (opt.flags & LIBDBM_STORE_READONLY) != 0;
    store->compress = opt.compress_snapshots;
    store->checkpoint_bytes = opt.checkpoint_log_bytes == 0 ? DEFAULT_CHECKPOINT_BYTES
                                                            : opt.checkpoint_log_bytes;
    if (path == NULL) {
        status = random_salt(ctx, store->model.salt, sizeof(store->model.salt));
        if (status != LIBDBM_OK)
            goto fail;
        *out = store;
        return LIBDBM_OK;
    }
    status = make_directory(ctx, path, !store->read_only && (opt.flags & LIBDBM_STORE_CREATE));
    if (status != LIBDBM_OK)
        goto fail;
    store->snapshot_path = dbmi_io_concat(ctx, path, "/snapshot.dbm");
    store->log_path = dbmi_io_concat(ctx, path, "/log.dbm");
    if (store->snapshot_path == NULL || store->log_path == NULL) {
        status = LIBDBM_ENOMEM;
        goto fail;
    }
    if (!store->read_only) {
        status = dbmi_lock_acquire(&store->lock, ctx, path, 1);
        if (status != LIBDBM_OK)
            goto fail;
    }
    for (attempt = 0; attempt < 5; attempt++) {
        status = load_files(store, &opt, &retry);
        if (status == LIBDBM_OK || !retry)
            break;
        dbmi_model_free(&store->model);
        dbmi_model_init(&store->model, ctx, opt.money_scale);
    }
    if (status != LIBDBM_OK)
        goto fail;
    *out = store;
    return LIBDBM_OK;
fail:
    free_store(store);
    return status;
}

int libdbm_store_close(libdbm_store *store)
{
    if (store == NULL)
        return LIBDBM_OK;
    if (store->in_batch)
        end_batch(store);
    free_store(store);
    return LIBDBM_OK;
}
