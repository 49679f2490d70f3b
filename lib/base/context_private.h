/*
 * Internal interface of the context: every layer allocates, logs, reads the
 * clock and reports errors through these functions, never through libc
 * directly, so hosts' allocators and fake clocks see everything and tests can
 * inject failures.
 */
#ifndef LIBDBM_BASE_CONTEXT_PRIVATE_H
#define LIBDBM_BASE_CONTEXT_PRIVATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "libdbm.h"

#if defined(__GNUC__)
#  define DBMI_PRINTF(fmt_index, first_arg) \
      __attribute__((format(printf, fmt_index, first_arg)))
#else
#  define DBMI_PRINTF(fmt_index, first_arg)
#endif

/* Allocation through the context's allocator. All return NULL on failure
 * without reporting; callers turn that into dbmi_error(ctx, LIBDBM_ENOMEM,..). */
void *dbmi_malloc(libdbm_context *ctx, size_t size);
void *dbmi_calloc(libdbm_context *ctx, size_t count, size_t size);
void *dbmi_realloc(libdbm_context *ctx, void *ptr, size_t size);
/* Grows an array to hold at least @p need elements of @p elem_size bytes,
 * doubling its capacity; checked arithmetic. Returns LIBDBM_OK or ENOMEM
 * (with a message) and leaves *array untouched on failure. */
int dbmi_grow_array(libdbm_context *ctx, void **array, size_t *capacity,
                    size_t need, size_t elem_size);
/* The same with the capacity an empty array starts at (dbmi_grow_array
 * starts at 8): small per-profile histories start at 2, since most
 * profiles hold one or two elements of each kind and millions of them
 * would otherwise carry six unused slots each. */
int dbmi_grow_array_from(libdbm_context *ctx, void **array, size_t *capacity, size_t need,
                         size_t elem_size, size_t first_capacity);
void dbmi_free(libdbm_context *ctx, void *ptr);
char *dbmi_strdup(libdbm_context *ctx, const char *str);

/* Copies @p len bytes of @p str into a string the host frees with
 * libdbm_free_string(); NULL on allocation failure. */
char *dbmi_export_string(libdbm_context *ctx, const char *str, size_t len);
/* Copies @p len bytes into a blob the host frees with libdbm_free_blob(). */
void *dbmi_export_bytes(libdbm_context *ctx, const void *data, size_t len);

/* Records @p code and a formatted message as the calling thread's last
 * failure on @p ctx, passes the message to the log at DEBUG level (a failed
 * call is the host's to report, not ours), and returns @p code so callers
 * can write `return dbmi_error(ctx, LIBDBM_EINVAL, "...")`. */
int dbmi_error(const libdbm_context *ctx, int code, const char *fmt, ...)
    DBMI_PRINTF(3, 4);
int dbmi_verror(const libdbm_context *ctx, int code, const char *fmt,
                va_list ap);
/* The message for an allocation failure of @p what. */
int dbmi_error_nomem(const libdbm_context *ctx, const char *what);

void dbmi_log(const libdbm_context *ctx, int level, const char *fmt, ...)
    DBMI_PRINTF(3, 4);

/* The context's clock. */
int64_t dbmi_now(const libdbm_context *ctx);

/* Checked size arithmetic: return 0 and store the result, or 1 on overflow. */
static inline int dbmi_size_mul(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}
static inline int dbmi_size_add(size_t a, size_t b, size_t *out)
{
    return __builtin_add_overflow(a, b, out);
}

#endif /* LIBDBM_BASE_CONTEXT_PRIVATE_H */
