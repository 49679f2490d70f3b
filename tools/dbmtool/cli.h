/* Shared plumbing of dbmtool's verbs: exit codes, error reporting, option
 * parsing helpers. Every verb reports through these so that the exit-code
 * contract of the brief holds everywhere. */
#ifndef DBMTOOL_CLI_H
#define DBMTOOL_CLI_H

#include <libdbm.h>

/* Exit codes: a public interface, stable once released. */
enum {
    DBMTOOL_EXIT_OK = 0,     /* success */
    DBMTOOL_EXIT_USAGE = 1,  /* bad usage or bad input data */
    DBMTOOL_EXIT_IO = 2      /* I/O or store error */
};

/* One verb: `dbmtool NAME ...`. run() receives argv with argv[0] = NAME. */
typedef struct dbmtool_verb {
    const char *name;
    const char *synopsis;   /* the usage line after "dbmtool " */
    const char *summary;    /* one line for --help */
    int (*run)(libdbm_context *ctx, int argc, char **argv);
} dbmtool_verb;

/* The verbs, ended by an entry whose name is NULL. */
extern const dbmtool_verb dbmtool_verbs[];

/* Prints "dbmtool: " and the formatted message on stderr; returns
 * DBMTOOL_EXIT_USAGE so a verb can `return dbmtool_usage_error(...)`. */
int dbmtool_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Reports a failed libdbm call (what failed, the status text and the
 * context's detailed message) and returns the exit code for it: 1 for
 * input errors (syntax, invalid value, not found), 2 for I/O and store
 * errors. */
int dbmtool_fail(libdbm_context *ctx, int status, const char *what);

/* Maps a libdbm status to dbmtool's exit code. */
int dbmtool_exit_code(int status);

#endif
