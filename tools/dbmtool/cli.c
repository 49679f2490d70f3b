#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

static const dbmtool_option *find_option(const dbmtool_option *options, const char *name)
{
    for (; options->name != NULL; options++)
        if (strcmp(options->name, name) == 0)
            return options;
    return NULL;
}

int dbmtool_parse_args(int argc, char **argv, const dbmtool_option *options,
                       const char **positional, int min_positional,
                       int max_positional, const char *synopsis)
{
    int i, count = 0;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
            const dbmtool_option *opt = find_option(options, arg + 2);
            if (opt == NULL)
                goto usage_unknown;
            if (opt->flag != NULL) {
                *opt->flag = 1;
            } else {
                if (i + 1 >= argc)
                    return dbmtool_usage_error("%s needs a value\nusage: dbmtool %s", arg,
                                               synopsis);
                *opt->value = argv[++i];
            }
            continue;
        }
        if (count == max_positional)
            return dbmtool_usage_error("unexpected argument '%s'\nusage: dbmtool %s", arg,
                                       synopsis);
        positional[count++] = arg;
    }
    if (count < min_positional)
        return dbmtool_usage_error("missing arguments\nusage: dbmtool %s", synopsis);
    return DBMTOOL_EXIT_OK;
usage_unknown:
    return dbmtool_usage_error("unknown option '%s'\nusage: dbmtool %s", argv[i], synopsis);
}

int dbmtool_parse_time(int64_t *out, const char *text, const char *name)
{
    if (libdbm_time_parse(out, text) != LIBDBM_OK)
        return dbmtool_usage_error("--%s: '%s' is not a date, date-time or epoch seconds",
                                   name, text);
    return DBMTOOL_EXIT_OK;
}

int dbmtool_parse_unit(int *out, const char *text)
{
    if (strcmp(text, "day") == 0)
        *out = LIBDBM_UNIT_DAY;
    else if (strcmp(text, "week") == 0)
        *out = LIBDBM_UNIT_WEEK;
    else
        return dbmtool_usage_error("--unit: '%s' is not day or week", text);
    return DBMTOOL_EXIT_OK;
}

int dbmtool_open_store_readonly(libdbm_context *ctx, const char *path,
                                libdbm_store **store)
{
    libdbm_store_options options = LIBDBM_STORE_OPTIONS_INIT;
    int status;
    options.flags = LIBDBM_STORE_READONLY;
    status = libdbm_store_open(store, ctx, path, &options);
    if (status != LIBDBM_OK) {
        char what[512];
        snprintf(what, sizeof(what), "opening store '%s'", path);
        return dbmtool_fail(ctx, status, what);
    }
    return DBMTOOL_EXIT_OK;
}

void dbmtool_put_csv_field(const char *s, char end)
{
    const char *p;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
    } else {
        putchar('"');
        for (p = s; *p; p++) {
            if (*p == '"')
                putchar('"');
            putchar(*p);
        }
        putchar('"');
    }
    putchar(end);
}

int dbmtool_flush_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "dbmtool: writing the results failed\n");
        return DBMTOOL_EXIT_IO;
    }
    return DBMTOOL_EXIT_OK;
}
