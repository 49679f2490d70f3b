#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int dbmtool_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("dbmtool: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return DBMTOOL_EXIT_USAGE;
}

int dbmtool_exit_code(int status)
{
    switch (status) {
    case LIBDBM_OK:
        return DBMTOOL_EXIT_OK;
    case LIBDBM_EINVAL:
    case LIBDBM_ESYNTAX:
    case LIBDBM_ERANGE:
    case LIBDBM_ENOTFOUND:
    case LIBDBM_ELIMIT:
        return DBMTOOL_EXIT_USAGE;
    default:
        return DBMTOOL_EXIT_IO;
    }
}

int dbmtool_fail(libdbm_context *ctx, int status, const char *what)
{
    const char *detail = ctx ? libdbm_context_errmsg(ctx) : "";
    fprintf(stderr, "dbmtool: %s: %s%s%s\n", what, libdbm_strerror(status),
            *detail ? ": " : "", detail);
    return dbmtool_exit_code(status);
}
