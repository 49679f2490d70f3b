#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "random_store.h"

#define DAY INT64_C(86400)

uint64_t rs_next(rs_store *rs)
{
    uint64_t x = (rs->rng += UINT64_C(0x9E3779B97F4A7C15));
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static int pick(rs_store *rs, int n) { return (int)(rs_next(rs) % (uint64_t)n); }

#define PICK(rs, arr) (arr)[pick((rs), (int)(sizeof(arr) / sizeof((arr)[0])))]

/* A time from 400 days before RS_NOW to 60 days after (some evaluations are
 * as of earlier days, so some purchases lie after the as-of time). */
static int64_t random_time(rs_store *rs)
{
    return RS_NOW - 400 * DAY + (int64_t)(rs_next(rs) % (uint64_t)(460 * DAY));
}

static int resolve(const rs_store *rs, int i)
{
    while (rs->ids[i].alias >= 0)
        i = rs->ids[i].alias;
    return i;
}

const rs_profile *rs_find(const rs_store *rs, const char *id)
{
    int i;
    for (i = 0; i < rs->nids; i++)
        if (strcmp(rs->ids[i].id, id) == 0)
            return rs->ids[i].exists ? &rs->ids[resolve(rs, i)] : NULL;
    return NULL;
}

static void forget(rs_profile *p)
{
    free(p->purchases);
    free(p->txns);
    p->purchases = NULL;
    p->txns = NULL;
    p->n_purchases = p->n_txns = 0;
    p->exists = 0;
    p->alias = -1;
}

static void *grow(void *array, size_t n, size_t size)
{
    void *a = realloc(array, (n + 1) * size);
    if (a == NULL)
        abort();
    return a;
}

/* The shadow of a purchase written to id @p i. */
static void shadow_purchase(rs_store *rs, int i, int64_t time, int64_t minor, const char *txn)
{
    rs_profile *p = &rs->ids[resolve(rs, i)];
    size_t k;
    if (txn != NULL) {
        for (k = 0; k < p->n_txns; k++)
            if (strcmp(p->txns[k], txn) == 0)
                return;
        p->txns = grow(p->txns, p->n_txns, sizeof(*p->txns));
        snprintf(p->txns[p->n_txns++], sizeof(*p->txns), "%s", txn);
    }
    if (minor < 0)
        return;
    p->purchases = grow(p->purchases, p->n_purchases, sizeof(rs_purchase));
    p->purchases[p->n_purchases].time = time;
    p->purchases[p->n_purchases++].minor = minor;
}

static void shadow_merge(rs_store *rs, int into, int from)
{
    rs_profile *a = &rs->ids[into], *b = &rs->ids[from];
    size_t k;
    for (k = 0; k < b->n_purchases; k++) {
        a->purchases = grow(a->purchases, a->n_purchases, sizeof(rs_purchase));
        a->purchases[a->n_purchases++] = b->purchases[k];
    }
    for (k = 0; k < b->n_txns; k++) {
        a->txns = grow(a->txns, a->n_txns, sizeof(*a->txns));
        memcpy(a->txns[a->n_txns++], b->txns[k], sizeof(*b->txns));
    }
    forget(b);
    b->exists = 1;
    b->alias = into;
}

static void shadow_erase(rs_store *rs, int c)
{
    int gone[RS_MAX_IDS], i;
    /* find every id of the profile before forgetting breaks alias chains */
    for (i = 0; i < rs->nids; i++)
        gone[i] = rs->ids[i].exists && resolve(rs, i) == c;
    for (i = 0; i < rs->nids; i++)
        if (gone[i])
            forget(&rs->ids[i]);
}

static const char *const channels[] = {"email", "sms", "push"};

static int write_attr(rs_store *rs, const char *id)
{
    static const char *const countries[] = {"BR", "US", "DE", "", "caf\xc3\xa9 \"q\""};
    static const char *const segments[] = {"Champions", "Loyal Customers", "At Risk", "Lost",
                                           "Others"};
    static const char *const scores[] = {"p_alive", "clv", "expected_purchases",
                                         "expected_spend"};
    static const char *const rfm[] = {"rfm.r", "rfm.f", "rfm.m"};
    libdbm_store *s = rs->store;
    double half = (double)pick(rs, 9) * 0.5 - 1.0;
    switch (pick(rs, 12)) {
    case 0: return libdbm_store_attr_set_int64(s, id, "age", pick(rs, 12) - 1);
    case 1: return libdbm_store_attr_set_double(s, id, "age", half);
    case 2: return libdbm_store_attr_set_string(s, id, "age", PICK(rs, countries));
    case 3: return pick(rs, 2) ? libdbm_store_attr_set_double(s, id, "score", half)
                               : libdbm_store_attr_set_int64(s, id, "score", pick(rs, 4));
    case 4: return pick(rs, 6) ? libdbm_store_attr_set_string(s, id, "country", PICK(rs, countries))
                               : libdbm_store_attr_set_int64(s, id, "country", 3);
    case 5: return pick(rs, 5) ? libdbm_store_attr_set_bool(s, id, "vip", pick(rs, 2))
                               : libdbm_store_attr_set_string(s, id, "vip", "yes");
    case 6: return pick(rs, 5) ? libdbm_store_attr_set_time(s, id, "signup", random_time(rs))
                               : libdbm_store_attr_set_int64(s, id, "signup", random_time(rs));
    case 7: return libdbm_store_attr_set_string(s, id, "rfm.segment", PICK(rs, segments));
    case 8: return pick(rs, 6) ? libdbm_store_attr_set_int64(s, id, PICK(rs, rfm), 1 + pick(rs, 5))
                               : libdbm_store_attr_set_double(s, id, PICK(rs, rfm), 2.5);
    case 9: return libdbm_store_attr_set_double(s, id, PICK(rs, scores),
                                                (double)pick(rs, 11) * 0.1);
    case 10: return libdbm_store_attr_set_double(s, id, PICK(rs, scores), pick(rs, 300));
    default: {
        static const char *const names[] = {"age", "country", "vip", "signup", "p_alive"};
        int status = libdbm_store_attr_delete(s, id, PICK(rs, names));
        return status == LIBDBM_ENOTFOUND ? LIBDBM_OK : status;
    }
    }
}

static int write_channel(rs_store *rs, const char *id)
{
    static const char *const purposes[] = {"marketing", "marketing", "other"};
    libdbm_store *s = rs->store;
    const char *ch = PICK(rs, channels);
    int status;
    switch (pick(rs, 4)) {
    case 0: case 1:
        return libdbm_store_consent_record(s, id, ch, PICK(rs, purposes), pick(rs, 3),
                                           random_time(rs), "test", NULL);
    case 2:
        return libdbm_store_channel_set_address(s, id, ch, pick(rs, 2) ? "a@x.org" : "b@y.org",
                                                pick(rs, 3) ? random_time(rs) : 0);
    default:
        status = pick(rs, 2) ? libdbm_store_channel_set_invalid(s, id, ch, pick(rs, 2), random_time(rs))
                             : libdbm_store_channel_verify(s, id, ch, random_time(rs));
        return status == LIBDBM_ENOTFOUND ? LIBDBM_OK : status; /* no address yet */
    }
}

static int write_purchase(rs_store *rs, int i)
{
    int64_t time = random_time(rs);
    int64_t minor = pick(rs, 5) == 0 ? -(int64_t)pick(rs, 500) - 1 : (int64_t)pick(rs, 20000);
    char txn[16];
    int added = 0, status, with_txn = pick(rs, 2);
    snprintf(txn, sizeof(txn), "t%d-%d", i, pick(rs, 6));
    status = libdbm_store_purchase_add_minor(rs->store, &added, rs->ids[i].id, time, minor,
                                             with_txn ? txn : NULL);
    if (status == LIBDBM_OK)
        shadow_purchase(rs, i, time, minor, with_txn ? txn : NULL);
    return status;
}

static int write_history(rs_store *rs, const char *id)
{
    static const char *const events[] = {"cart_abandoned", "signup", "visit"};
    if (pick(rs, 3))
        return libdbm_store_contact_add(rs->store, id, random_time(rs), PICK(rs, channels), "camp",
                                        0, 1 + pick(rs, 9));
    return libdbm_store_event_add(rs->store, id, PICK(rs, events), random_time(rs), 1.0);
}

/* Merges two random ids of distinct profiles (a no-op when none). */
static int merge_some(rs_store *rs)
{
    int a = pick(rs, rs->nids), b = pick(rs, rs->nids), ra, rb, status;
    if (!rs->ids[a].exists || !rs->ids[b].exists || (ra = resolve(rs, a)) == (rb = resolve(rs, b)))
        return LIBDBM_OK;
    status = libdbm_store_merge(rs->store, rs->ids[a].id, rs->ids[b].id);
    if (status == LIBDBM_OK)
        shadow_merge(rs, ra, rb);
    return status;
}

static int erase_some(rs_store *rs)
{
    int a = pick(rs, rs->nids), status;
    if (!rs->ids[a].exists)
        return LIBDBM_OK;
    status = libdbm_store_erase(rs->store, rs->ids[a].id, pick(rs, 2));
    if (status == LIBDBM_OK)
        shadow_erase(rs, resolve(rs, a));
    return status;
}

static int write_one(rs_store *rs, int in_batch)
{
    int i = pick(rs, rs->nids), kind = pick(rs, 40), status;
    const char *id = rs->ids[i].id;
    if (kind == 0 && !in_batch)
        return merge_some(rs);
    if (kind == 1 && !in_batch)
        return erase_some(rs);
    if (kind < 16)
        status = write_attr(rs, id);
    else if (kind < 24)
        status = write_channel(rs, id);
    else if (kind < 32)
        status = write_purchase(rs, i);
    else
        status = write_history(rs, id);
    return status;
}

/* Which ids name a profile now (most writes create the profile of an
 * unknown id; deletes and address updates do not). */
static int refresh_existence(rs_store *rs)
{
    int i, status = LIBDBM_OK;
    for (i = 0; i < rs->nids && status == LIBDBM_OK; i++)
        status = libdbm_store_profile_exists(rs->store, &rs->ids[i].exists, rs->ids[i].id);
    return status;
}

int rs_write(rs_store *rs, int writes)
{
    int status = LIBDBM_OK, w = 0;
    while (w < writes && status == LIBDBM_OK) {
        if (pick(rs, 4) == 0) {
            /* a batch: its writes become visible at once */
            int n = 1 + pick(rs, 8), k;
            if ((status = libdbm_store_begin(rs->store)) != LIBDBM_OK)
                break;
            for (k = 0; k < n && status == LIBDBM_OK; k++, w++)
                status = write_one(rs, 1);
            if (status == LIBDBM_OK)
                status = libdbm_store_commit(rs->store);
            else
                libdbm_store_rollback(rs->store);
        } else {
            status = write_one(rs, 0);
            w++;
        }
        if (status == LIBDBM_OK)
            status = refresh_existence(rs);
    }
    return status;
}

int rs_open(rs_store *rs, libdbm_context *ctx, uint64_t seed, int nids, int writes)
{
    int i, status;
    memset(rs, 0, sizeof(*rs));
    rs->ctx = ctx;
    rs->rng = seed;
    rs->nids = nids < 1 ? 1 : nids > RS_MAX_IDS ? RS_MAX_IDS : nids;
    for (i = 0; i < rs->nids; i++) {
        /* some ids need quoting in CSV or are not ASCII */
        switch (pick(rs, 5)) {
        case 0: snprintf(rs->ids[i].id, sizeof(rs->ids[i].id), "c,%d", i); break;
        case 1: snprintf(rs->ids[i].id, sizeof(rs->ids[i].id), "\xc3\xbc%d \"x\"", i); break;
        default: snprintf(rs->ids[i].id, sizeof(rs->ids[i].id), "c%d", i); break;
        }
        rs->ids[i].alias = -1;
    }
    status = libdbm_store_open(&rs->store, ctx, NULL, NULL);
    if (status == LIBDBM_OK)
        status = rs_write(rs, writes);
    return status;
}

void rs_close(rs_store *rs)
{
    int i;
    libdbm_store_close(rs->store);
    for (i = 0; i < rs->nids; i++)
        forget(&rs->ids[i]);
    rs->store = NULL;
}
