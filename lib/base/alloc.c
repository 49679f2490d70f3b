/* Allocation through the context's allocator, and strings handed to hosts. */
#include <string.h>

#include "context_impl.h"

void *dbmi_malloc(libdbm_context *ctx, size_t size)
{
    /* A zero-byte request still yields a unique pointer, as malloc(0) may
     * not, so callers never mistake success for failure. */
    return ctx->malloc_fn(size ? size : 1, ctx->alloc_user_data);
}

void *dbmi_calloc(libdbm_context *ctx, size_t count, size_t size)
{
    size_t total;
    void *ptr;
    if (dbmi_size_mul(count, size, &total))
        return NULL;
    ptr = dbmi_malloc(ctx, total);
    if (ptr != NULL)
        memset(ptr, 0, total);
    return ptr;
}

void *dbmi_realloc(libdbm_context *ctx, void *ptr, size_t size)
{
    return ctx->realloc_fn(ptr, size ? size : 1, ctx->alloc_user_data);
}

void dbmi_free(libdbm_context *ctx, void *ptr)
{
    if (ptr != NULL)
        ctx->free_fn(ptr, ctx->alloc_user_data);
}

int dbmi_grow_array(libdbm_context *ctx, void **array, size_t *capacity,
                    size_t need, size_t elem_size)
{
    return dbmi_grow_array_from(ctx, array, capacity, need, elem_size, 8);
}

int dbmi_grow_array_from(libdbm_context *ctx, void **array, size_t *capacity, size_t need,
                         size_t elem_size, size_t first_capacity)
{
    size_t new_capacity = *capacity ? *capacity : first_capacity;
    size_t bytes;
    void *grown;
    if (need <= *capacity)
        return LIBDBM_OK;
    while (new_capacity < need) {
        if (dbmi_size_mul(new_capacity, 2, &new_capacity))
            return dbmi_error(ctx, LIBDBM_ENOMEM, "array of %zu elements is too large", need);
    }
    if (dbmi_size_mul(new_capacity, elem_size, &bytes))
        return dbmi_error(ctx, LIBDBM_ENOMEM, "array of %zu elements is too large", need);
    grown = dbmi_realloc(ctx, *array, bytes);
    if (grown == NULL)
        return dbmi_error_nomem(ctx, "growing an array");
    *array = grown;
    *capacity = new_capacity;
    return LIBDBM_OK;
}

char *dbmi_strdup(libdbm_context *ctx, const char *str)
{
    size_t len = strlen(str);
    char *copy = dbmi_malloc(ctx, len + 1);
    if (copy != NULL)
        memcpy(copy, str, len + 1);
    return copy;
}

/* A string handed to the host remembers which allocator made it, so the
 * host can free it with libdbm_free_string() without naming the context. */
typedef union exported_header {
    struct {
        libdbm_free_fn free_fn;
        void *user_data;
    } owner;
    max_align_t align;
} exported_header;

void *dbmi_export_bytes(libdbm_context *ctx, const void *data, size_t len)
{
    size_t total;
    exported_header *header;
    char *bytes;
    /* One spare byte keeps exported strings NUL-terminated. */
    if (dbmi_size_add(len, sizeof(*header) + 1, &total))
        return NULL;
    header = dbmi_malloc(ctx, total);
    if (header == NULL)
        return NULL;
    header->owner.free_fn = ctx->free_fn;
    header->owner.user_data = ctx->alloc_user_data;
    bytes = (char *)(header + 1);
    if (len > 0)
        memcpy(bytes, data, len);
    bytes[len] = '\0';
    return bytes;
}

char *dbmi_export_string(libdbm_context *ctx, const char *str, size_t len)
{
    return dbmi_export_bytes(ctx, str, len);
}

static void free_exported(void *data)
{
    exported_header *header;
    if (data == NULL)
        return;
    header = (exported_header *)data - 1;
    header->owner.free_fn(header, header->owner.user_data);
}

LIBDBM_API void libdbm_free_string(char *str)
{
    free_exported(str);
}

LIBDBM_API void libdbm_free_blob(void *blob)
{
    free_exported(blob);
}
