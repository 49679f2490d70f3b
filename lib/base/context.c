/* The context object: options, allocator, log and clock. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context_impl.h"

static void *libc_malloc(size_t size, void *user_data)
{
    (void)user_data;
    return malloc(size);
}

static void *libc_realloc(void *ptr, size_t size, void *user_data)
{
    (void)user_data;
    return realloc(ptr, size);
}

static void libc_free(void *ptr, void *user_data)
{
    (void)user_data;
    free(ptr);
}

static int64_t system_clock(void *user_data)
{
    struct timespec now;
    (void)user_data;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0)
        return 0;
    return (int64_t)now.tv_sec;
}

/* Serial numbers tell a freed context from a new one at the same address,
 * so a thread's stale error message is never shown for the wrong context. */
static atomic_uint_fast64_t next_serial = 1;

LIBDBM_API int libdbm_context_options_init(libdbm_context_options *options)
{
    static const libdbm_context_options defaults = LIBDBM_CONTEXT_OPTIONS_INIT;
    if (options == NULL)
        return LIBDBM_EINVAL;
    *options = defaults;
    return LIBDBM_OK;
}

static int valid_log_level(int level)
{
    return level >= LIBDBM_LOG_NONE && level <= LIBDBM_LOG_DEBUG;
}

/* Copies the caller's options, whatever their version, over the defaults.
 * Older (smaller) structs are accepted; newer ones are refused because we
 * could not honour fields we do not know. */
static int read_options(const libdbm_context_options *given,
                        libdbm_context_options *out)
{
    size_t size;
    libdbm_context_options_init(out);
    if (given == NULL)
        return LIBDBM_OK;
    size = given->struct_size;
    if (size < sizeof(uint32_t) + sizeof(int32_t) ||
        size > sizeof(libdbm_context_options))
        return LIBDBM_EINVAL;
    memcpy(out, given, size);
    out->struct_size = (uint32_t)sizeof(libdbm_context_options);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_context_new(libdbm_context **out,
                                  const libdbm_context_options *options)
{
    libdbm_context_options opts;
    libdbm_context *ctx;
    int have_alloc;

    if (out == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    if (read_options(options, &opts) != LIBDBM_OK)
        return LIBDBM_EINVAL;
    have_alloc = (opts.malloc_fn != NULL) + (opts.realloc_fn != NULL) +
                 (opts.free_fn != NULL);
    if ((have_alloc != 0 && have_alloc != 3) || !valid_log_level(opts.log_level))
        return LIBDBM_EINVAL;
    if (have_alloc == 0) {
        opts.malloc_fn = libc_malloc;
        opts.realloc_fn = libc_realloc;
        opts.free_fn = libc_free;
        opts.alloc_user_data = NULL;
    }
    ctx = opts.malloc_fn(sizeof(*ctx), opts.alloc_user_data);
    if (ctx == NULL)
        return LIBDBM_ENOMEM;
    memset(ctx, 0, sizeof(*ctx));
    ctx->malloc_fn = opts.malloc_fn;
    ctx->realloc_fn = opts.realloc_fn;
    ctx->free_fn = opts.free_fn;
    ctx->alloc_user_data = opts.alloc_user_data;
    ctx->log_fn = opts.log_fn;
    ctx->log_user_data = opts.log_user_data;
    ctx->log_level = opts.log_fn ? opts.log_level : LIBDBM_LOG_NONE;
    ctx->clock_fn = opts.clock_fn ? opts.clock_fn : system_clock;
    ctx->clock_user_data = opts.clock_fn ? opts.clock_user_data : NULL;
    ctx->serial = atomic_fetch_add(&next_serial, 1);
    *out = ctx;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_context_free(libdbm_context *ctx)
{
    if (ctx == NULL)
        return;
    dbmi_forget_errors(ctx);
    dbmi_tz_cache_free(ctx);
    ctx->free_fn(ctx, ctx->alloc_user_data);
}

LIBDBM_API int libdbm_context_set_log(libdbm_context *ctx, libdbm_log_fn fn,
                                      int level, void *user_data)
{
    if (ctx == NULL || !valid_log_level(level))
        return LIBDBM_EINVAL;
    ctx->log_fn = fn;
    ctx->log_user_data = user_data;
    ctx->log_level = fn ? level : LIBDBM_LOG_NONE;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_context_set_clock(libdbm_context *ctx, libdbm_clock_fn fn,
                                        void *user_data)
{
    if (ctx == NULL)
        return LIBDBM_EINVAL;
    ctx->clock_fn = fn ? fn : system_clock;
    ctx->clock_user_data = fn ? user_data : NULL;
    return LIBDBM_OK;
}

LIBDBM_API int64_t libdbm_context_now(const libdbm_context *ctx)
{
    return ctx ? dbmi_now(ctx) : 0;
}

int64_t dbmi_now(const libdbm_context *ctx)
{
    return ctx->clock_fn(ctx->clock_user_data);
}

void dbmi_log(const libdbm_context *ctx, int level, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    if (ctx == NULL || ctx->log_fn == NULL || level > ctx->log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    ctx->log_fn(level, message, ctx->log_user_data);
}
