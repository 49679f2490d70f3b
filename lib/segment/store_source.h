/* The row source of a profile store (source.h over store_columns.h): rows
 * are the store's slots, only live slots may be members, and every field
 * reads the store as docs/segments.md ("Fields over a store") defines.
 *
 * Columns come from the store's column cache (attributes, channels,
 * consent: built once per store state); the purchase aggregates, which
 * depend on the as-of day, are computed for the profiles the evaluator
 * asks for (DBMI_SEG_COL_COMPUTED). Row
 * values and counts read the profile itself, so the row-at-a-time
 * interpreter over this source needs no column at all (one profile is
 * cheap to test). */
#ifndef LIBDBM_SEGMENT_STORE_SOURCE_H
#define LIBDBM_SEGMENT_STORE_SOURCE_H

#include "source.h"
#include "store_columns.h"

typedef struct dbmi_seg_store_source {
    dbmi_seg_source source;
    libdbm_store *store;
    int64_t as_of_day;          /* the UTC day of the as-of time */
    int64_t scale;              /* minor units per currency unit */
    dbmi_store_columns purchases;
} dbmi_seg_store_source;

/* Binds @p src to @p store as of @p as_of. The caller holds the store's
 * read lock from here until dbmi_seg_store_source_fini(). @p whole: 1 for
 * an evaluation over every slot (the live slots become the rows mask), 0
 * for single rows. LIBDBM_OK or LIBDBM_ENOMEM. */
int dbmi_seg_store_source_init(dbmi_seg_store_source *src, libdbm_store *store, int64_t as_of,
                               int whole);
void dbmi_seg_store_source_fini(dbmi_seg_store_source *src);

#endif
