/*
 * libdbm — the context: allocator, log, clock and error messages.
 *
 * Every other libdbm object is created from a context and uses its
 * allocator, log callback and clock. Include <libdbm.h> rather than this file.
 */
#ifndef LIBDBM_CONTEXT_H
#define LIBDBM_CONTEXT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A context owns the allocator, the log callback and level, and the clock.
 * Threads: a context may be shared by any number of threads once created;
 * libdbm_context_set_log() and libdbm_context_set_clock() must not race with
 * other calls on objects of the same context.
 * @since 0.1
 */
typedef struct libdbm_context libdbm_context;

/** Allocator callbacks: same contracts as malloc/realloc/free. @since 0.1 */
typedef void *(*libdbm_malloc_fn)(size_t size, void *user_data);
typedef void *(*libdbm_realloc_fn)(void *ptr, size_t size, void *user_data);
typedef void (*libdbm_free_fn)(void *ptr, void *user_data);

/** Log levels: a message is passed on when its level <= the context's level. */
enum libdbm_log_level {
    LIBDBM_LOG_NONE = 0,
    LIBDBM_LOG_ERROR = 1,
    LIBDBM_LOG_WARNING = 2,
    LIBDBM_LOG_INFO = 3,
    LIBDBM_LOG_DEBUG = 4
};

/**
 * Log callback. @p message is NUL-terminated UTF-8, valid only during the
 * call. May be called from any thread that uses an object of the context.
 * @since 0.1
 */
typedef void (*libdbm_log_fn)(int level, const char *message, void *user_data);

/**
 * Clock callback: returns "now" as seconds since the Unix epoch, UTC.
 * Injected by tests and by hosts that replay time. @since 0.1
 */
typedef int64_t (*libdbm_clock_fn)(void *user_data);

/**
 * Options for libdbm_context_new(). Versioned by @c struct_size: initialise
 * with LIBDBM_CONTEXT_OPTIONS_INIT or libdbm_context_options_init(), then set
 * the fields you need. New fields are only ever appended.
 *
 * The three allocator callbacks are given together or not at all (all NULL
 * means the C library's malloc/realloc/free).
 * @since 0.1
 */
typedef struct libdbm_context_options {
    uint32_t struct_size;            /**< sizeof(libdbm_context_options) */
    int32_t log_level;               /**< enum libdbm_log_level; default NONE */
    libdbm_malloc_fn malloc_fn;      /**< NULL: malloc */
    libdbm_realloc_fn realloc_fn;    /**< NULL: realloc */
    libdbm_free_fn free_fn;          /**< NULL: free */
    void *alloc_user_data;           /**< passed to the allocator callbacks */
    libdbm_log_fn log_fn;            /**< NULL: messages are dropped */
    void *log_user_data;             /**< passed to log_fn */
    libdbm_clock_fn clock_fn;        /**< NULL: the system clock (CLOCK_REALTIME) */
    void *clock_user_data;           /**< passed to clock_fn */
} libdbm_context_options;

/** Static initialiser for libdbm_context_options. @since 0.1 */
#define LIBDBM_CONTEXT_OPTIONS_INIT \
    { (uint32_t)sizeof(libdbm_context_options), LIBDBM_LOG_NONE, \
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * Fills @p options with the defaults (as LIBDBM_CONTEXT_OPTIONS_INIT), for
 * hosts (FFI) that cannot use the macro.
 * @return LIBDBM_OK, or LIBDBM_EINVAL when @p options is NULL.
 * @since 0.1
 */
LIBDBM_API int libdbm_context_options_init(libdbm_context_options *options);

/**
 * Creates a context.
 * @param out receives the new context; set to NULL on failure. Free it with
 *        libdbm_context_free().
 * @param options NULL for all defaults. The struct is read during the call
 *        only. An older, smaller struct_size is accepted (the missing fields
 *        take their defaults); a struct_size larger than this library knows,
 *        or one that does not cover the first field, gives LIBDBM_EINVAL, as
 *        does an incomplete allocator triple.
 * @return LIBDBM_OK, LIBDBM_EINVAL or LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_context_new(libdbm_context **out,
                                  const libdbm_context_options *options);

/**
 * Frees a context. All objects created from it must have been freed or
 * closed before. NULL is accepted. @since 0.1
 */
LIBDBM_API void libdbm_context_free(libdbm_context *ctx);

/**
 * Replaces the log callback and level. @p fn NULL drops all messages.
 * @return LIBDBM_OK, or LIBDBM_EINVAL for a NULL context or unknown level.
 * @since 0.1
 */
LIBDBM_API int libdbm_context_set_log(libdbm_context *ctx, libdbm_log_fn fn,
                                      int level, void *user_data);

/**
 * Replaces the clock. @p fn NULL restores the system clock.
 * @return LIBDBM_OK, or LIBDBM_EINVAL for a NULL context.
 * @since 0.1
 */
LIBDBM_API int libdbm_context_set_clock(libdbm_context *ctx, libdbm_clock_fn fn,
                                        void *user_data);

/**
 * Sets the directory of TZif zone files that time zone names are looked up
 * in (hosts that ship their own zoneinfo). Zones are cached per context;
 * the cache is dropped, so later lookups read the new directory. Zones
 * loaded before stay valid (and in memory) until the context is freed.
 * @param path NUL-terminated, copied; NULL restores the default,
 *        /usr/share/zoneinfo. The directory is not checked here: a missing
 *        one makes every lookup fail with LIBDBM_ENOTFOUND.
 * @return LIBDBM_OK; LIBDBM_EINVAL for a NULL context or an empty @p path;
 *         LIBDBM_ENOMEM (the previous directory stays in effect).
 * Thread-safe with respect to time zone lookups on the same context.
 * @since 0.1
 */
LIBDBM_API int libdbm_context_set_zoneinfo_dir(libdbm_context *ctx, const char *path);

/**
 * Returns the context's notion of now (its clock), in seconds since the
 * Unix epoch, UTC. Returns 0 for a NULL context. @since 0.1
 */
LIBDBM_API int64_t libdbm_context_now(const libdbm_context *ctx);

/**
 * Returns the detailed message of the last failure that the calling thread
 * met on any object of @p ctx (file and position of a syntax error, which
 * record was corrupt, ...). Like errno, it is per thread: it is never
 * changed by another thread and stays until this thread's next failure on
 * the same context. Returns "" when there is none. The string belongs to
 * libdbm and stays valid until the calling thread's next libdbm call.
 * @since 0.1
 */
LIBDBM_API const char *libdbm_context_errmsg(const libdbm_context *ctx);

/**
 * Returns the status code of that same last failure, or LIBDBM_OK.
 * @since 0.1
 */
LIBDBM_API int libdbm_context_errcode(const libdbm_context *ctx);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_CONTEXT_H */
