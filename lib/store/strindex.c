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

/* The home bucket of a hash: the hash scaled to the capacity (Lemire's
 * multiply-shift range reduction), so the capacity need not be a power of
 * two and can grow by less than doubling. */
static size_t home_of(uint32_t hash, size_t capacity)
{
    return (size_t)(((uint64_t)hash * capacity) >> 32);
}

static size_t next_of(size_t pos, size_t capacity)
{
    return pos + 1 == capacity ? 0 : pos + 1;
}

int dbmi_strindex_find(const dbmi_strindex *ix, const char *key, size_t len, uint32_t *index)
{
    uint32_t hash;
    size_t pos;
    if (ix->capacity == 0)
        return 0;
    hash = dbmi_strindex_hash(key, len);
    for (pos = home_of(hash, ix->capacity);; pos = next_of(pos, ix->capacity)) {
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

static void place(uint64_t *entries, size_t capacity, uint64_t e)
{
    size_t pos = home_of((uint32_t)(e >> 32), capacity);
    while (entries[pos] != 0)
        pos = next_of(pos, capacity);
    entries[pos] = e;
}

int dbmi_strindex_reserve(dbmi_strindex *ix, libdbm_context *ctx, size_t extra)
{
    size_t need, capacity, i;
    uint64_t *entries;
    if (dbmi_size_add(ix->count, extra, &need) || need > ((size_t)1 << 31))
        return dbmi_error(ctx, LIBDBM_ENOMEM, "index of %zu entries is too large", ix->count);
    /* Keep the load at or below 0.8 (8-byte entries, so a probe run of a
     * few entries stays in one cache line); grow to a load of 2/3. */
    if (ix->capacity != 0 && need <= ix->capacity / 5 * 4)
        return LIBDBM_OK;
    capacity = need + need / 2;
    if (capacity < 16)
        capacity = 16;
    entries = dbmi_calloc(ctx, capacity, sizeof(uint64_t));
    if (entries == NULL)
        return dbmi_error_nomem(ctx, "id index");
    for (i = 0; i < ix->capacity; i++)
        if (ix->entries[i] != 0)
            place(entries, capacity, ix->entries[i]);
    dbmi_free(ctx, ix->entries);
    ix->entries = entries;
    ix->capacity = capacity;
    return LIBDBM_OK;
}

void dbmi_strindex_insert(dbmi_strindex *ix, const char *key, size_t len, uint32_t index)
{
    uint64_t e = ((uint64_t)dbmi_strindex_hash(key, len) << 32) | ((uint64_t)index + 1u);
    place(ix->entries, ix->capacity, e);
    ix->count++;
}

void dbmi_strindex_remove(dbmi_strindex *ix, const char *key, size_t len, uint32_t index)
{
    size_t pos, next;
    if (ix->capacity == 0)
        return;
    for (pos = home_of(dbmi_strindex_hash(key, len), ix->capacity);;
         pos = next_of(pos, ix->capacity)) {
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
        next = next_of(next, ix->capacity);
        if (ix->entries[next] == 0)
            break;
        home = home_of((uint32_t)(ix->entries[next] >> 32), ix->capacity);
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
