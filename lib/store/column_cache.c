/* Cached typed columns of the profiles (store_columns.h, column_cache.h).
 *
 * Reading an attribute of ten million profiles means following ten million
 * pointers into per-profile arrays: about a second. A segment evaluation
 * must take milliseconds, so the columns it reads are built once per store
 * state and reused until the next applied write. Concurrent readers share
 * the cache: one mutex serialises building and lookups, and a column, once
 * built, never moves or changes until the writer (holding the write lock,
 * so no reader is left) empties the cache.
 *
 * String columns hold ids into one dictionary per cache whose keys point
 * into the profiles' own strings (no copy of personal data is made; the
 * write that erases a profile also empties the cache). Literal strings
 * looked up by the evaluators are copied, since they belong to segments
 * that may be freed before the cache is. */
#include <pthread.h>
#include <string.h>

#include "column_cache.h"
#include "store_columns.h"
#include "store_impl.h"
#include "strindex.h"

enum { ENTRY_ATTR, ENTRY_CHANNEL };

typedef struct cache_entry {
    int what;                   /* ENTRY_* */
    int param;                  /* attribute class or channel field */
    uint32_t name;              /* interned attribute or channel name */
    dbmi_store_column col;
    void *own[4];               /* the buffers behind col */
} cache_entry;

typedef struct dict_word {
    const char *text;           /* NUL-terminated */
    int owned;                  /* a literal's copy, freed with the dictionary */
} dict_word;

struct dbmi_column_cache {
    libdbm_context *ctx;
    pthread_mutex_t mutex;
    cache_entry *entries;
    size_t count, cap;
    uint64_t *live;             /* live-slot bitmap, NULL until asked for */
    dict_word *words;
    size_t n_words, cap_words;
    dbmi_strindex dict;
};

static size_t words_for(size_t rows) { return rows / 64 + 1; }

static void set_bit(uint64_t *bits, size_t r) { bits[r / 64] |= UINT64_C(1) << (r % 64); }
static void clear_bit(uint64_t *bits, size_t r) { bits[r / 64] &= ~(UINT64_C(1) << (r % 64)); }

static const char *word_text(const void *owner, uint32_t index)
{
    return ((const dbmi_column_cache *)owner)->words[index].text;
}

static dbmi_column_cache *cache_new(libdbm_context *ctx)
{
    dbmi_column_cache *c = dbmi_calloc(ctx, 1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->ctx = ctx;
    pthread_mutex_init(&c->mutex, NULL);
    dbmi_strindex_init(&c->dict, word_text, c);
    return c;
}

static void entry_free(libdbm_context *ctx, cache_entry *e)
{
    size_t i;
    for (i = 0; i < sizeof(e->own) / sizeof(e->own[0]); i++)
        dbmi_free(ctx, e->own[i]);
    memset(e, 0, sizeof(*e));
}

void dbmi_column_cache_clear(dbmi_column_cache *c)
{
    size_t i;
    if (c == NULL)
        return;
    for (i = 0; i < c->count; i++)
        entry_free(c->ctx, &c->entries[i]);
    c->count = 0;
    dbmi_free(c->ctx, c->live);
    c->live = NULL;
    for (i = 0; i < c->n_words; i++)
        if (c->words[i].owned)
            dbmi_free(c->ctx, (char *)c->words[i].text);
    c->n_words = 0;
    dbmi_strindex_free(&c->dict, c->ctx);
}

void dbmi_column_cache_free(dbmi_column_cache *c)
{
    if (c == NULL)
        return;
    dbmi_column_cache_clear(c);
    dbmi_free(c->ctx, c->entries);
    dbmi_free(c->ctx, c->words);
    pthread_mutex_destroy(&c->mutex);
    dbmi_free(c->ctx, c);
}

/* The store's cache, created by the first reader that needs it. Readers
 * may race here (they share the read lock): the loser of the exchange
 * frees its copy. */
static dbmi_column_cache *cache_of(libdbm_store *store)
{
    dbmi_column_cache *c = __atomic_load_n(&store->columns, __ATOMIC_ACQUIRE), *expected = NULL;
    if (c != NULL)
        return c;
    if ((c = cache_new(store->ctx)) == NULL)
        return NULL;
    if (!__atomic_compare_exchange_n(&store->columns, &expected, c, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        dbmi_column_cache_free(c);
        c = expected;
    }
    return c;
}

/* The id of @p s in the dictionary, adding it when absent (copied when
 * @p copy, else pointing at the profile's own NUL-terminated string). */
static int intern(dbmi_column_cache *c, const char *s, size_t len, int copy, uint32_t *id)
{
    const char *text = s;
    int status;
    if (dbmi_strindex_find(&c->dict, s, len, id))
        return LIBDBM_OK;
    if (c->n_words >= UINT32_MAX - 1)
        return dbmi_error(c->ctx, LIBDBM_ENOMEM, "string dictionary is full");
    if (c->n_words + 1 > c->cap_words) {
        void *a = c->words;
        if ((status = dbmi_grow_array(c->ctx, &a, &c->cap_words, c->n_words + 1,
                                      sizeof(dict_word))) != LIBDBM_OK)
            return status;
        c->words = a;
    }
    if ((status = dbmi_strindex_reserve(&c->dict, c->ctx, 1)) != LIBDBM_OK)
        return status;
    if (copy) {
        char *dup = dbmi_malloc(c->ctx, len + 1);
        if (dup == NULL)
            return dbmi_error_nomem(c->ctx, "string dictionary");
        memcpy(dup, s, len);
        dup[len] = '\0';
        text = dup;
    }
    *id = (uint32_t)c->n_words;
    c->words[c->n_words].text = text;
    c->words[c->n_words].owned = copy;
    c->n_words++;
    dbmi_strindex_insert(&c->dict, s, len, *id);
    return LIBDBM_OK;
}

static void *alloc_zero(dbmi_column_cache *c, size_t n, size_t size)
{
    return dbmi_calloc(c->ctx, n ? n : 1, size);
}

/* An all-null bitmap for @p rows rows. */
static uint64_t *all_null(dbmi_column_cache *c, size_t rows)
{
    uint64_t *bits = dbmi_malloc(c->ctx, words_for(rows) * sizeof(uint64_t));
    if (bits != NULL)
        memset(bits, 0xff, words_for(rows) * sizeof(uint64_t));
    return bits;
}

/* Fills a NUMBER column: integers in i64, decimals in f64 (allocated on the
 * first one, with the `mixed` bitmap). When every value is a decimal, the
 * column becomes a plain F64 column. */
static int put_number(dbmi_column_cache *c, cache_entry *e, size_t rows, size_t slot,
                      const dbmi_attr *a)
{
    if (a->type == LIBDBM_TYPE_INT64) {
        ((int64_t *)e->own[0])[slot] = a->v.i;
        return LIBDBM_OK;
    }
    if (e->own[1] == NULL) {
        e->own[1] = alloc_zero(c, rows, sizeof(double));
        e->own[2] = alloc_zero(c, words_for(rows), sizeof(uint64_t));
        if (e->own[1] == NULL || e->own[2] == NULL)
            return dbmi_error_nomem(c->ctx, "attribute column");
    }
    ((double *)e->own[1])[slot] = a->v.d;
    set_bit(e->own[2], slot);
    return LIBDBM_OK;
}

static int accepts(int attr_class, uint32_t type)
{
    switch (attr_class) {
    case DBMI_STORE_ATTR_STRING: return type == LIBDBM_TYPE_STRING;
    case DBMI_STORE_ATTR_BOOL: return type == LIBDBM_TYPE_BOOL;
    case DBMI_STORE_ATTR_TIME: return type == LIBDBM_TYPE_TIME;
    case DBMI_STORE_ATTR_NUMBER: return type == LIBDBM_TYPE_INT64 || type == LIBDBM_TYPE_DOUBLE;
    default: return 1;
    }
}

/* The value buffer of a class (own[0]); ANY has none. */
static size_t value_size(int attr_class)
{
    switch (attr_class) {
    case DBMI_STORE_ATTR_STRING: return sizeof(uint32_t);
    case DBMI_STORE_ATTR_BOOL: return sizeof(uint8_t);
    case DBMI_STORE_ATTR_ANY: return 0;
    default: return sizeof(int64_t);
    }
}

/* Gives the column its kind and pointers once its buffers are filled. */
static void finish_attr(cache_entry *e, size_t ints)
{
    dbmi_store_column *col = &e->col;
    col->nulls = e->own[3];
    switch (e->param) {
    case DBMI_STORE_ATTR_STRING: col->kind = DBMI_STORE_COL_STR; col->str = e->own[0]; break;
    case DBMI_STORE_ATTR_BOOL: col->kind = DBMI_STORE_COL_BOOL; col->b = e->own[0]; break;
    case DBMI_STORE_ATTR_ANY: col->kind = DBMI_STORE_COL_BOOL; break;
    case DBMI_STORE_ATTR_TIME: col->kind = DBMI_STORE_COL_I64; col->i64 = e->own[0]; break;
    default:
        if (e->own[1] != NULL && ints == 0) {
            col->kind = DBMI_STORE_COL_F64;
            col->f64 = e->own[1];
        } else {
            col->kind = DBMI_STORE_COL_I64;
            col->i64 = e->own[0];
            col->f64 = e->own[1];
            col->mixed = e->own[2];
        }
    }
}

static int build_attr(libdbm_store *store, dbmi_column_cache *c, cache_entry *e)
{
    size_t rows = dbmi_store_slot_count(store), slot, ints = 0, vsize = value_size(e->param);
    int status = LIBDBM_OK;
    if ((vsize && (e->own[0] = alloc_zero(c, rows, vsize)) == NULL) ||
        (e->own[3] = all_null(c, rows)) == NULL)
        return dbmi_error_nomem(c->ctx, "attribute column");
    for (slot = 0; slot < rows && status == LIBDBM_OK; slot++) {
        const dbmi_attr *a = dbmi_store_slot_attr(store, slot, e->name);
        if (a == NULL || !accepts(e->param, a->type))
            continue;
        clear_bit(e->own[3], slot);
        switch (e->param) {
        case DBMI_STORE_ATTR_STRING:
            status = intern(c, a->v.s, strlen(a->v.s), 0, &((uint32_t *)e->own[0])[slot]);
            break;
        case DBMI_STORE_ATTR_BOOL: ((uint8_t *)e->own[0])[slot] = a->v.i != 0; break;
        case DBMI_STORE_ATTR_TIME: ((int64_t *)e->own[0])[slot] = a->v.i; break;
        case DBMI_STORE_ATTR_NUMBER:
            ints += a->type == LIBDBM_TYPE_INT64;
            status = put_number(c, e, rows, slot, a);
            break;
        default: break;
        }
    }
    if (status == LIBDBM_OK)
        finish_attr(e, ints);
    return status;
}

static void channel_value(libdbm_store *store, cache_entry *e, uint32_t purpose, size_t slot)
{
    const dbmi_channel_state *st;
    const dbmi_consent *cr;
    if (e->param == DBMI_STORE_CHANNEL_CONSENT) {
        cr = dbmi_store_slot_consent_record(store, slot, e->name, purpose);
        if (cr == NULL || cr->state == LIBDBM_CONSENT_UNKNOWN)
            return;
        ((uint8_t *)e->own[0])[slot] = cr->state == LIBDBM_CONSENT_GRANTED;
    } else {
        st = dbmi_store_slot_channel_state(store, slot, e->name);
        if (st == NULL)
            return;
        if (e->param == DBMI_STORE_CHANNEL_VALID) {
            ((uint8_t *)e->own[0])[slot] = st->invalid == 0;
        } else {
            if (st->verified_at == 0)
                return;
            ((int64_t *)e->own[0])[slot] = st->verified_at;
        }
    }
    clear_bit(e->own[3], slot);
}

static int build_channel(libdbm_store *store, dbmi_column_cache *c, cache_entry *e)
{
    size_t rows = dbmi_store_slot_count(store), slot;
    int times = e->param == DBMI_STORE_CHANNEL_VERIFIED_AT;
    uint32_t purpose = 0;
    if (e->param == DBMI_STORE_CHANNEL_CONSENT &&
        !dbmi_store_name_id(store, "marketing", 9, &purpose))
        return LIBDBM_OK; /* no consent was ever recorded: a NONE column */
    if ((e->own[0] = alloc_zero(c, rows, times ? sizeof(int64_t) : sizeof(uint8_t))) == NULL ||
        (e->own[3] = all_null(c, rows)) == NULL)
        return dbmi_error_nomem(c->ctx, "channel column");
    for (slot = 0; slot < rows; slot++)
        channel_value(store, e, purpose, slot);
    e->col.kind = times ? DBMI_STORE_COL_I64 : DBMI_STORE_COL_BOOL;
    e->col.i64 = times ? e->own[0] : NULL;
    e->col.b = times ? NULL : e->own[0];
    e->col.nulls = e->own[3];
    return LIBDBM_OK;
}

/* Finds or builds the column (what, name, param) under the cache mutex. */
static int cached_column(libdbm_store *store, int what, const char *name, int param,
                         dbmi_store_column *out)
{
    dbmi_column_cache *c;
    cache_entry fresh;
    uint32_t id;
    size_t i;
    int status = LIBDBM_OK;
    memset(out, 0, sizeof(*out));
    if (!dbmi_store_name_id(store, name, strlen(name), &id))
        return LIBDBM_OK; /* never used in the store: every row null */
    if ((c = cache_of(store)) == NULL)
        return dbmi_error_nomem(store->ctx, "column cache");
    pthread_mutex_lock(&c->mutex);
    for (i = 0; i < c->count; i++) {
        const cache_entry *e = &c->entries[i];
        if (e->what == what && e->name == id && e->param == param) {
            *out = e->col;
            goto done;
        }
    }
    memset(&fresh, 0, sizeof(fresh));
    fresh.what = what;
    fresh.name = id;
    fresh.param = param;
    if (c->count + 1 > c->cap) {
        void *a = c->entries;
        status = dbmi_grow_array(c->ctx, &a, &c->cap, c->count + 1, sizeof(cache_entry));
        if (status != LIBDBM_OK)
            goto done;
        c->entries = a;
    }
    status = what == ENTRY_ATTR ? build_attr(store, c, &fresh) : build_channel(store, c, &fresh);
    if (status != LIBDBM_OK) {
        entry_free(c->ctx, &fresh);
        goto done;
    }
    c->entries[c->count++] = fresh;
    *out = fresh.col;
done:
    pthread_mutex_unlock(&c->mutex);
    return status;
}

int dbmi_store_attr_column(libdbm_store *store, const char *name, int attr_class,
                           dbmi_store_column *out)
{
    return cached_column(store, ENTRY_ATTR, name, attr_class, out);
}

int dbmi_store_channel_column(libdbm_store *store, const char *channel, int field,
                              dbmi_store_column *out)
{
    return cached_column(store, ENTRY_CHANNEL, channel, field, out);
}

int dbmi_store_live_bits(libdbm_store *store, const uint64_t **bits)
{
    dbmi_column_cache *c = cache_of(store);
    size_t rows = dbmi_store_slot_count(store), slot;
    int status = LIBDBM_OK;
    *bits = NULL;
    if (c == NULL)
        return dbmi_error_nomem(store->ctx, "column cache");
    pthread_mutex_lock(&c->mutex);
    if (c->live == NULL) {
        uint64_t *live = alloc_zero(c, words_for(rows), sizeof(uint64_t));
        if (live == NULL) {
            status = dbmi_error_nomem(c->ctx, "live slots");
        } else {
            for (slot = 0; slot < rows; slot++)
                if (dbmi_store_slot_live(store, slot))
                    set_bit(live, slot);
            c->live = live;
        }
    }
    *bits = c->live;
    pthread_mutex_unlock(&c->mutex);
    return status;
}

int dbmi_store_string_id(libdbm_store *store, const char *s, size_t len, uint32_t *id)
{
    dbmi_column_cache *c = cache_of(store);
    int status;
    if (c == NULL)
        return dbmi_error_nomem(store->ctx, "column cache");
    pthread_mutex_lock(&c->mutex);
    status = intern(c, s, len, 1, id);
    pthread_mutex_unlock(&c->mutex);
    return status;
}
