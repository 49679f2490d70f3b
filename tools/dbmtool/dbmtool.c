/* dbmtool: the command-line face of libdbm (see `dbmtool --help`). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_help(FILE *out)
{
    const dbmtool_verb *verb;
    fputs("usage: dbmtool [--help | --version]\n"
          "       dbmtool VERB [ARGS...]\n\n", out);
    fputs("libdbm's command-line tool: customer stores, scores, segments, contact\n"
          "policies and campaigns. Results go to stdout (CSV with a header row, or\n"
          "JSON), messages to stderr.\n\n", out);
    if (dbmtool_verbs[0].name != NULL) {
        fputs("verbs:\n", out);
        for (verb = dbmtool_verbs; verb->name != NULL; verb++)
            fprintf(out, "  %-10s %s\n             dbmtool %s\n", verb->name,
                    verb->summary, verb->synopsis);
        fputc('\n', out);
    }
    fputs("exit status: 0 success, 1 usage or input error, 2 I/O or store error\n", out);
}

static void print_version(void)
{
    printf("dbmtool %s (libdbm %s, zlib %s)\n", libdbm_version(), libdbm_version(),
           libdbm_has_feature(LIBDBM_FEATURE_ZLIB) ? "yes" : "no");
}

static const dbmtool_verb *find_verb(const char *name)
{
    const dbmtool_verb *verb;
    for (verb = dbmtool_verbs; verb->name != NULL; verb++)
        if (strcmp(verb->name, name) == 0)
            return verb;
    return NULL;
}

static int run_verb(const dbmtool_verb *verb, int argc, char **argv)
{
    libdbm_context *ctx = NULL;
    int status = libdbm_context_new(&ctx, NULL);
    int code;
    if (status != LIBDBM_OK)
        return dbmtool_fail(NULL, status, "creating a context");
    code = verb->run(ctx, argc, argv);
    libdbm_context_free(ctx);
    return code;
}

int main(int argc, char **argv)
{
    const dbmtool_verb *verb;
    if (argc < 2) {
        print_help(stderr);
        return DBMTOOL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return DBMTOOL_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        print_version();
        return DBMTOOL_EXIT_OK;
    }
    verb = find_verb(argv[1]);
    if (verb == NULL)
        return dbmtool_usage_error("unknown verb '%s' (see dbmtool --help)", argv[1]);
    return run_verb(verb, argc - 1, argv + 1);
}
