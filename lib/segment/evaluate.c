/* Segments over a profile store: whole-store evaluation (the columnar
 * evaluator over the store source), one profile's membership (the
 * row-at-a-time interpreter on its slot), and the customer ids of members.
 * Everything runs under the store's read lock, so a concurrent writer's
 * changes are seen entirely or not at all. */
#include <string.h>

#include "context_private.h"
#include "store_source.h"

static int null_argument(libdbm_context *ctx, const char *function)
{
    return ctx ? dbmi_error(ctx, LIBDBM_EINVAL, "%s: NULL argument", function) : LIBDBM_EINVAL;
}

LIBDBM_API int libdbm_segment_evaluate(libdbm_members **out, const libdbm_segment *seg,
                                       libdbm_store *store, int64_t as_of)
{
    dbmi_seg_store_source src;
    int status;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || seg == NULL || store == NULL)
        return null_argument(seg ? seg->ctx : NULL, "libdbm_segment_evaluate");
    dbmi_store_read_lock(store);
    status = dbmi_seg_store_source_init(&src, store, as_of, 1);
    if (status == LIBDBM_OK)
        status = dbmi_seg_eval_columnar(out, seg, &src.source, as_of);
    dbmi_seg_store_source_fini(&src);
    dbmi_store_read_unlock(store);
    return status;
}

LIBDBM_API int libdbm_segment_count(int64_t *count, const libdbm_segment *seg,
                                    libdbm_store *store, int64_t as_of)
{
    libdbm_members *members;
    int status;
    if (count != NULL)
        *count = 0;
    if (count == NULL)
        return null_argument(seg ? seg->ctx : NULL, "libdbm_segment_count");
    status = libdbm_segment_evaluate(&members, seg, store, as_of);
    if (status == LIBDBM_OK)
        *count = libdbm_members_count(members);
    libdbm_members_free(members);
    return status;
}

LIBDBM_API int libdbm_segment_test(int *member, const libdbm_segment *seg, libdbm_store *store,
                                   const char *customer_id, int64_t as_of)
{
    dbmi_seg_store_source src;
    size_t slot;
    int status;
    if (member != NULL)
        *member = 0;
    if (member == NULL || seg == NULL || store == NULL || customer_id == NULL)
        return null_argument(seg ? seg->ctx : NULL, "libdbm_segment_test");
    dbmi_store_read_lock(store);
    status = dbmi_store_slot_of_locked(store, customer_id, &slot);
    if (status == LIBDBM_OK)
        status = dbmi_seg_store_source_init(&src, store, as_of, 0);
    if (status == LIBDBM_OK) {
        status = dbmi_seg_eval_row(member, seg, &src.source, as_of, slot);
        dbmi_seg_store_source_fini(&src);
    }
    dbmi_store_read_unlock(store);
    return status;
}

/* The id of a member slot whose profile is still live, or NULL. */
static const char *live_id(const libdbm_store *store, int64_t slot)
{
    if (slot < 0 || !dbmi_store_slot_live(store, (size_t)slot))
        return NULL;
    return dbmi_store_slot_id(store, (size_t)slot);
}

LIBDBM_API int libdbm_members_id(const libdbm_members *members, char **customer_id,
                                 libdbm_store *store, int64_t slot)
{
    libdbm_context *ctx;
    const char *id;
    int status = LIBDBM_OK;
    if (customer_id != NULL)
        *customer_id = NULL;
    if (members == NULL || customer_id == NULL || store == NULL)
        return store ? null_argument(dbmi_store_context(store), "libdbm_members_id")
                     : LIBDBM_EINVAL;
    ctx = dbmi_store_context(store);
    dbmi_store_read_lock(store);
    id = libdbm_members_contains(members, slot) ? live_id(store, slot) : NULL;
    if (id == NULL)
        status = dbmi_error(ctx, LIBDBM_ENOTFOUND,
                            "slot %lld is not a member, or its profile was erased or merged "
                            "since the evaluation", (long long)slot);
    else if ((*customer_id = dbmi_export_string(ctx, id, strlen(id))) == NULL)
        status = dbmi_error_nomem(ctx, "customer id");
    dbmi_store_read_unlock(store);
    return status;
}

/* Walks the live members in slot order: sums the sizes of their ids (NUL
 * included) into *len, and copies them into @p buf unless it is NULL.
 * Returns 1 when the total overflows size_t. */
static int walk_ids(const libdbm_members *members, const libdbm_store *store, char *buf,
                    size_t *len, int64_t *count)
{
    int64_t slot = -1;
    *len = 0;
    *count = 0;
    while (libdbm_members_next(members, &slot) == LIBDBM_OK) {
        const char *id = live_id(store, slot);
        size_t n;
        if (id == NULL)
            continue;
        n = strlen(id) + 1;
        if (buf != NULL)
            memcpy(buf + *len, id, n);
        if (dbmi_size_add(*len, n, len))
            return 1;
        ++*count;
    }
    return 0;
}

LIBDBM_API int libdbm_members_export_ids(const libdbm_members *members, char **ids,
                                         size_t *length, int64_t *count, libdbm_store *store)
{
    libdbm_context *ctx;
    char *buf = NULL;
    size_t len;
    int64_t n;
    int status = LIBDBM_OK;
    if (ids != NULL)
        *ids = NULL;
    if (length != NULL)
        *length = 0;
    if (count != NULL)
        *count = 0;
    if (members == NULL || ids == NULL || length == NULL || store == NULL)
        return store ? null_argument(dbmi_store_context(store), "libdbm_members_export_ids")
                     : LIBDBM_EINVAL;
    ctx = dbmi_store_context(store);
    dbmi_store_read_lock(store);
    /* sizes first, then the copy, both under one read lock */
    if (walk_ids(members, store, NULL, &len, &n) || (buf = dbmi_malloc(ctx, len + 1)) == NULL)
        status = dbmi_error_nomem(ctx, "member ids");
    else
        walk_ids(members, store, buf, &len, &n);
    dbmi_store_read_unlock(store);
    if (status == LIBDBM_OK && (*ids = dbmi_export_bytes(ctx, buf, len)) == NULL)
        status = dbmi_error_nomem(ctx, "member ids");
    dbmi_free(ctx, buf);
    if (status != LIBDBM_OK)
        return status;
    *length = len;
    if (count != NULL)
        *count = n;
    return LIBDBM_OK;
}
