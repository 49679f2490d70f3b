/* An open-addressing (linear probing, load <= 0.8) hash index from
 * strings to dense uint32 indices, used for customer ids (index = profile
 * slot) and for the interned names of attributes, channels, events and
 * campaigns.
 *
 * The index does not own the strings: it asks its owner for the key of an
 * index through @c key_of. Each entry is 8 bytes: the 32-bit hash (to skip
 * most string compares) and index + 1 (0 marks an empty entry); the home
 * bucket is the hash scaled to the capacity, so the capacity is any size
 * and grows by half. Removal shifts later entries back, so there are no
 * tombstones. */
#ifndef LIBDBM_STORE_STRINDEX_H
#define LIBDBM_STORE_STRINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "context_private.h"

typedef const char *(*dbmi_strindex_key_fn)(const void *owner, uint32_t index);

typedef struct dbmi_strindex {
    uint64_t *entries;
    size_t capacity;        /* entries, or 0 */
    size_t count;
    dbmi_strindex_key_fn key_of;
    const void *owner;
} dbmi_strindex;

void dbmi_strindex_init(dbmi_strindex *ix, dbmi_strindex_key_fn key_of, const void *owner);
void dbmi_strindex_free(dbmi_strindex *ix, libdbm_context *ctx);
uint32_t dbmi_strindex_hash(const char *key, size_t len);
/* Finds @p key (of @p len bytes); returns 1 and stores its index, or 0. */
int dbmi_strindex_find(const dbmi_strindex *ix, const char *key, size_t len, uint32_t *index);
/* Makes room for one more entry (may grow: ENOMEM with a message). */
int dbmi_strindex_reserve(dbmi_strindex *ix, libdbm_context *ctx, size_t extra);
/* Inserts a key known to be absent; room must have been reserved. */
void dbmi_strindex_insert(dbmi_strindex *ix, const char *key, size_t len, uint32_t index);
/* Removes the entry of @p key pointing at @p index, if present. */
void dbmi_strindex_remove(dbmi_strindex *ix, const char *key, size_t len, uint32_t index);

#endif
