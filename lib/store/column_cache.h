/* The store's cache of typed columns (store_columns.h: dbmi_store_attr_column
 * and friends): dense per-slot vectors derived from the profiles, built on
 * first use and kept until the store changes. The store owns one cache per
 * handle and empties it under the write lock whenever it applies a write,
 * so a reader holding the read lock never sees a column go stale or away. */
#ifndef LIBDBM_STORE_COLUMN_CACHE_H
#define LIBDBM_STORE_COLUMN_CACHE_H

typedef struct dbmi_column_cache dbmi_column_cache;

/* Drops every cached column and the string dictionary (the write lock is
 * held: no reader uses them). NULL is accepted. */
void dbmi_column_cache_clear(dbmi_column_cache *cache);
/* Frees the cache (at store close). NULL is accepted. */
void dbmi_column_cache_free(dbmi_column_cache *cache);

#endif
