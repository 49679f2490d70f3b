/* Status texts and the per-thread "last failure" of each context. */
#include <stdio.h>
#include <string.h>

#include "context_impl.h"

LIBDBM_API const char *libdbm_strerror(int status)
{
    switch (status) {
    case LIBDBM_OK: return "success";
    case LIBDBM_EINVAL: return "invalid argument";
    case LIBDBM_ENOMEM: return "out of memory";
    case LIBDBM_EIO: return "input/output error";
    case LIBDBM_ECORRUPT: return "corrupt data";
    case LIBDBM_ELOCKED: return "locked by another writer";
    case LIBDBM_ENOTFOUND: return "not found";
    case LIBDBM_ESYNTAX: return "syntax error";
    case LIBDBM_EEXIST: return "already exists";
    case LIBDBM_ERANGE: return "value out of range";
    case LIBDBM_EREADONLY: return "read-only handle";
    case LIBDBM_EVERSION: return "unsupported format version";
    case LIBDBM_ENOTSUP: return "not supported by this build";
    case LIBDBM_ENOCONVERGE: return "did not converge";
    case LIBDBM_ELIMIT: return "size or nesting limit exceeded";
    default: return "unknown error";
    }
}

/* Like errno, the last failure is kept per thread, so threads sharing a
 * context never see each other's messages and no lock is needed. The
 * context's serial number guards against a new context reusing the address
 * of a freed one. */
typedef struct last_failure {
    const libdbm_context *ctx;
    uint64_t serial;
    int code;
    char message[1024];
} last_failure;

static _Thread_local last_failure this_thread_failure;

static int is_current(const libdbm_context *ctx)
{
    return ctx != NULL && this_thread_failure.ctx == ctx &&
           this_thread_failure.serial == ctx->serial;
}

int dbmi_verror(const libdbm_context *ctx, int code, const char *fmt, va_list ap)
{
    last_failure *slot = &this_thread_failure;
    if (ctx == NULL)
        return code;
    slot->ctx = ctx;
    slot->serial = ctx->serial;
    slot->code = code;
    vsnprintf(slot->message, sizeof(slot->message), fmt, ap);
    dbmi_log(ctx, LIBDBM_LOG_DEBUG, "%s: %s", libdbm_strerror(code), slot->message);
    return code;
}

int dbmi_error(const libdbm_context *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    code = dbmi_verror(ctx, code, fmt, ap);
    va_end(ap);
    return code;
}

int dbmi_error_nomem(const libdbm_context *ctx, const char *what)
{
    return dbmi_error(ctx, LIBDBM_ENOMEM, "out of memory while %s", what);
}

void dbmi_forget_errors(const libdbm_context *ctx)
{
    if (is_current(ctx))
        memset(&this_thread_failure, 0, sizeof(this_thread_failure));
}

LIBDBM_API const char *libdbm_context_errmsg(const libdbm_context *ctx)
{
    return is_current(ctx) ? this_thread_failure.message : "";
}

LIBDBM_API int libdbm_context_errcode(const libdbm_context *ctx)
{
    return is_current(ctx) ? this_thread_failure.code : LIBDBM_OK;
}
