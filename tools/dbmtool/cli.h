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

/* One `--name VALUE` (or `--name` flag) option of a verb. */
typedef struct dbmtool_option {
    const char *name;       /* without the dashes: "until" */
    const char **value;     /* receives VALUE; NULL for a flag */
    int *flag;              /* set to 1 when a flag is given; NULL for a value */
} dbmtool_option;

/* Parses a verb's arguments (argv[0] is the verb): options from @p options
 * (ended by a NULL name) in any order, and between @p min_positional and
 * @p max_positional positional arguments stored in @p positional. Returns
 * DBMTOOL_EXIT_OK, or DBMTOOL_EXIT_USAGE after printing what is wrong and
 * the verb's synopsis. */
int dbmtool_parse_args(int argc, char **argv, const dbmtool_option *options,
                       const char **positional, int min_positional,
                       int max_positional, const char *synopsis);

/* Parses a time argument (libdbm_time_parse syntax) for option @p name;
 * prints a usage error and returns DBMTOOL_EXIT_USAGE when it is bad. */
int dbmtool_parse_time(int64_t *out, const char *text, const char *name);

/* Parses "day" or "week" into LIBDBM_UNIT_DAY or LIBDBM_UNIT_WEEK. */
int dbmtool_parse_unit(int *out, const char *text);

/* Writes @p s to stdout as one CSV field (RFC 4180: quoted when it holds
 * a comma, a quote or a line break, quotes doubled), then @p end. */
void dbmtool_put_csv_field(const char *s, char end);

/* Flushes stdout; a failed write of the results (disk full, closed pipe)
 * is an I/O error, not a success. */
int dbmtool_flush_stdout(void);

/* Opens an existing store for reading (dbmtool's read-only verbs). */
int dbmtool_open_store_readonly(libdbm_context *ctx, const char *path,
                                libdbm_store **store);

#endif
