/* The context's fields, shared by the files of lib/base only. Other layers
 * see the context through context_private.h. */
#ifndef LIBDBM_BASE_CONTEXT_IMPL_H
#define LIBDBM_BASE_CONTEXT_IMPL_H

#include "context_private.h"
#include "io.h"
#include "tz.h"

struct libdbm_context {
    libdbm_malloc_fn malloc_fn;
    libdbm_realloc_fn realloc_fn;
    libdbm_free_fn free_fn;
    void *alloc_user_data;
    libdbm_log_fn log_fn;
    void *log_user_data;
    int log_level;
    libdbm_clock_fn clock_fn;
    void *clock_user_data;
    uint64_t serial;
    dbmi_io_hooks io_hooks;     /* file I/O replacements (tests); zero = POSIX */
    dbmi_tz_cache tz_cache;     /* loaded time zones (tz.c); zero = empty */
};

/* Drops the calling thread's error message for a context being freed. */
void dbmi_forget_errors(const libdbm_context *ctx);

#endif /* LIBDBM_BASE_CONTEXT_IMPL_H */
