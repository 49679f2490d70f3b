/* The reference row source for store-backed segments: it reads every
 * profile through the public store API (attributes, consent, channel
 * status, contact and event counts, purchase aggregates) and the random
 * store's purchase shadow, and implements docs/segments.md "Fields over a
 * store" in the plainest way, one row at a time. Run through the reference
 * interpreter (dbmi_seg_eval_rows) it gives the members the store-backed
 * columnar evaluation must equal. */
#ifndef LIBDBM_TEST_REF_SOURCE_H
#define LIBDBM_TEST_REF_SOURCE_H

#include "random_store.h"
#include "source.h"

typedef struct ref_source {
    dbmi_seg_source source;
    const rs_store *rs;
    int64_t as_of;
    const char **ids;           /* per slot: the id of a live profile, else NULL */
    uint64_t *live;
    char **strings;             /* strings read for this evaluation */
    size_t n_strings;
    int status;                 /* the first unexpected status of a public call */
} ref_source;

void ref_source_init(ref_source *r, const rs_store *rs, int64_t as_of);
void ref_source_fini(ref_source *r);

#endif
