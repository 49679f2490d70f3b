/* Random in-memory profile stores for the segment tests: profiles with
 * attributes of every type (the same name holding different types on
 * different profiles), consents, addresses, purchases with refunds and
 * re-delivered transactions, contacts and events in random order, merges
 * and erasures, all written through the public API.
 *
 * Beside the store it keeps a shadow of each id's purchases (the public API
 * has aggregates but no per-day history), maintained with the store's
 * documented rules: a transaction id counts once per profile, refunds are
 * not purchases, a merge unions the histories, an erasure removes them. */
#ifndef LIBDBM_TEST_RANDOM_STORE_H
#define LIBDBM_TEST_RANDOM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <libdbm.h>

#define RS_MAX_IDS 256
#define RS_NOW INT64_C(1735689600) /* 2025-01-01T00:00:00Z, as the fake source */

typedef struct rs_purchase {
    int64_t time;
    int64_t minor;              /* >= 0: a purchase; < 0: a refund (not kept) */
} rs_purchase;

typedef struct rs_profile {
    char id[32];
    int exists;                 /* the id names a profile (its own or as an alias) */
    int alias;                  /* index of the id it was merged into, or -1 */
    rs_purchase *purchases;     /* purchases only, de-duplicated */
    size_t n_purchases;
    char (*txns)[16];           /* transaction ids seen */
    size_t n_txns;
} rs_profile;

typedef struct rs_store {
    libdbm_context *ctx;
    libdbm_store *store;
    uint64_t rng;
    int nids;
    rs_profile ids[RS_MAX_IDS];
} rs_store;

/* Opens an in-memory store on @p ctx and makes @p writes random writes over
 * @p nids ids (at most RS_MAX_IDS). Returns the first failing status. */
int rs_open(rs_store *rs, libdbm_context *ctx, uint64_t seed, int nids, int writes);
/* More random writes (some in batches). */
int rs_write(rs_store *rs, int writes);
void rs_close(rs_store *rs);
uint64_t rs_next(rs_store *rs);

/* The shadow profile of a canonical id, or NULL. */
const rs_profile *rs_find(const rs_store *rs, const char *id);

#endif
