/* Open-addressing string index (see strindex.h). */
#include <string.h>

#include "strindex.h"

void dbmi_strindex_init(dbmi_strindex *ix, dbmi_strindex_key_fn key_of, const void *owner)
{
    memset(ix, 0, sizeof(*ix));
    ix->key_of = key_of;
    ix->owner = owner;
}

void dbmi_strindex_free(dbmi_strindex *ix, libdbm_context *ctx)
{
    dbmi_free(ctx, ix->entries);
    ix->entries = NULL;
    ix->capacity = 0;
    ix->count = 0;
}

/* FNV-1a over the bytes, then a 64-bit finaliser (murmur3's fmix64) so the
 * low bits used for the bucket are well mixed. */
uint32_t dbmi_strindex_hash(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 0x100000001b3u;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return (uint32_t)h;
}

static int key_equals(const dbmi_strindex *ix, uint32_t index, const char *key, size_t len)
{
    const char *stored = ix->key_of(ix->owner, index);
    return strncmp(stored, key, len) == 0 && stored[len] == '\0';
}

int dbmi_strindex_find(const dbmi_strindex *ix, const char *key, size_t len, uint32_t *index)
{
    uint32_t hash;
    size_t mask, pos;
    if (ix->capacity == 0)
        return 0;
    hash = dbmi_strindex_hash(key, len);
    mask = ix->capacity - 1;
    for (pos = hash & mask;; pos = (pos + 1) & mask) {
        uint64_t e = ix->entries[pos];
        uint32_t idx;
        if (e == 0)
            return 0;
        idx = (uint32_t)(e & 0xffffffffu) - 1u;
        if ((uint32_t)(e >> 32) == hash && key_equals(ix, idx, key, len)) {
            *index = idx;
            return 1;
        }
    }
}

static void place(uint64_t *entries, size_t mask, uint64_t e)
{
    size_t pos = (size_t)(e >> 32) & mask;
    while (entries[pos] != 0)
        pos = (pos + 1) & mask;
    entries[pos] = e;
}

int dbmi_strindex_reserve(dbmi_strindex *ix, libdbm_context *ctx, size_t extra)
{
    size_t need, capacity, i, bytes;
    uint64_t *entries;
    if (dbmi_size_add(ix->count, extra, &need))
        return dbmi_error(ctx, LIBDBM_ENOMEM, "index of %zu entries is too large", ix->count);
    /* Keep the load at or below 0.7 so probes stay short. */
    if (ix->capacity != 0 && need <= ix->capacity / 10 * 7)
        return LIBDBM_OK;
    capacity = ix->capacity ? ix->capacity : 16;
    while (need > capacity / 10 * 7) {
        if (capacity > SIZE_MAX / 4 || capacity >= ((size_t)1 << 33))
            return dbmi_error(ctx, LIBDBM_ENOMEM, "index of %zu entries is too large", need);
        capacity *= 2;
    }
    if (capacity == ix->capacity)
        return LIBDBM_OK;
    if (dbmi_size_mul(capacity, sizeof(uint64_t), &bytes))
        return dbmi_error(ctx, LIBDBM_ENOMEM, "index of %zu entries is too large", need);
    entries = dbmi_calloc(ctx, capacity, sizeof(uint64_t));
    if (entries == NULL)
        return dbmi_error_nomem(ctx, "id index");
    for (i = 0; i < ix->capacity; i++)
        if (ix->entries[i] != 0)
            place(entries, capacity - 1, ix->entries[i]);
    dbmi_free(ctx, ix->entries);
    ix->entries = entries;
    ix->capacity = capacity;
    return LIBDBM_OK;
}

void dbmi_strindex_insert(dbmi_strindex *ix, const char *key, size_t len, uint32_t index)
{
    uint64_t e = ((uint64_t)dbmi_strindex_hash(key, len) << 32) | ((uint64_t)index + 1u);
    place(ix->entries, ix->capacity - 1, e);
    ix->count++;
}

void dbmi_strindex_remove(dbmi_strindex *ix, const char *key, size_t len, uint32_t index)
{
    uint32_t hash;
    size_t mask, pos, next;
    if (ix->capacity == 0)
        return;
    hash = dbmi_strindex_hash(key, len);
    mask = ix->capacity - 1;
    for (pos = hash & mask;; pos = (pos + 1) & mask) {
        uint64_t e = ix->entries[pos];
        if (e == 0)
            return;
        if ((uint32_t)(e & 0xffffffffu) == index + 1u)
            break;
    }
    /* Backward-shift deletion: move later members of the probe run into
     * the hole when their home bucket allows it. */
    next = pos;
    for (;;) {
        size_t home;
        next = (next + 1) & mask;
        if (ix->entries[next] == 0)
            break;
        home = (size_t)(ix->entries[next] >> 32) & mask;
        /* Entry at next may fill the hole at pos unless its home lies
         * cyclically in (pos, next]. */
        if ((pos <= next) ? (home <= pos || home > next) : (home <= pos && home > next)) {
            ix->entries[pos] = ix->entries[next];
            pos = next;
        }
    }
    ix->entries[pos] = 0;
    ix->count--;
}
