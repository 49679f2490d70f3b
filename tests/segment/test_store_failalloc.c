/* The allocation-failure sweep over segments on a store: building a small
 * random store, evaluating (which builds the store's column cache and the
 * as-of aggregates), counting, testing single profiles, exporting ids,
 * writing again (which empties the cache) and evaluating again. Every run
 * ends in OK or ENOMEM and leaks nothing. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "failalloc.h"
#include "random_store.h"

static const char *const expressions[] = {
    "rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and consent.email and "
    "attr.country == \"BR\" and recency_days < 90",
    "purchases(last 90d) >= 1 and not contacted(email, last 7d) or attr.age > 2 or "
    "address.sms.valid or verified_age(push) < 6mo or event(\"visit\", last 1y) or "
    "monetary > 10 or frequency >= 2 or last_purchase > 2024-06-01 or attr.signup is null or "
    "attr.vip or \"US\" == attr.country",
};

static int evaluate_all(rs_store *rs, const libdbm_segment *seg)
{
    libdbm_members *m = NULL;
    char *ids = NULL, *one = NULL;
    size_t length;
    int64_t count, slot = -1;
    int member, status;
    if ((status = libdbm_segment_evaluate(&m, seg, rs->store, RS_NOW - 30 * 86400)) != LIBDBM_OK ||
        (status = libdbm_segment_count(&count, seg, rs->store, RS_NOW)) != LIBDBM_OK ||
        (status = libdbm_members_export_ids(m, &ids, &length, NULL, rs->store)) != LIBDBM_OK)
        goto done;
    if (libdbm_members_next(m, &slot) == LIBDBM_OK &&
        (status = libdbm_members_id(m, &one, rs->store, slot)) != LIBDBM_OK)
        goto done;
    if (one != NULL) {
        status = libdbm_segment_test(&member, seg, rs->store, one, RS_NOW - 30 * 86400);
        CHECK(status != LIBDBM_OK || member == 1);
    }
done:
    libdbm_free_string(one);
    libdbm_free_string(ids);
    libdbm_members_free(m);
    return status;
}

static int scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    libdbm_segment *seg[2] = {NULL, NULL};
    rs_store rs;
    size_t i;
    int status = libdbm_context_new(&ctx, options);
    (void)user_data;
    if (status != LIBDBM_OK)
        return status;
    memset(&rs, 0, sizeof(rs));
    if ((status = rs_open(&rs, ctx, 42, 12, 120)) != LIBDBM_OK)
        goto done;
    for (i = 0; i < 2 && status == LIBDBM_OK; i++)
        if ((status = libdbm_segment_compile(&seg[i], ctx, expressions[i])) == LIBDBM_OK)
            status = evaluate_all(&rs, seg[i]);
    if (status == LIBDBM_OK && (status = rs_write(&rs, 10)) == LIBDBM_OK)
        status = evaluate_all(&rs, seg[1]);
done:
    libdbm_segment_free(seg[0]);
    libdbm_segment_free(seg[1]);
    rs_close(&rs);
    libdbm_context_free(ctx);
    return status;
}

int main(void)
{
    failalloc_sweep_or_die("segments over a store", scenario, NULL, 20000);
    puts("segment-store-failalloc: ok");
    return 0;
}
