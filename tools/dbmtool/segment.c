/* dbmtool segment: the customer ids (or the count) of a segment's members. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "verbs.h"

#define SYNOPSIS "segment STORE EXPR [--count] [--as-of TIME]"

static int print_members(libdbm_context *ctx, const libdbm_members *members,
                         libdbm_store *store)
{
    char *ids = NULL;
    size_t length, at;
    int status = libdbm_members_export_ids(members, &ids, &length, NULL, store);
    if (status != LIBDBM_OK)
        return dbmtool_fail(ctx, status, "listing the members");
    puts("customer_id");
    for (at = 0; at < length; at += strlen(ids + at) + 1)
        dbmtool_put_csv_field(ids + at, '\n');
    libdbm_free_string(ids);
    return dbmtool_flush_stdout();
}

int dbmtool_segment(libdbm_context *ctx, int argc, char **argv)
{
    const char *positional[2] = { NULL, NULL }, *as_of_text = NULL;
    int count_only = 0, code, status;
    dbmtool_option options[] = {
        { "count", NULL, &count_only },
        { "as-of", &as_of_text, NULL },
        { NULL, NULL, NULL },
    };
    libdbm_segment *seg = NULL;
    libdbm_store *store = NULL;
    libdbm_members *members = NULL;
    int64_t as_of;

    if ((code = dbmtool_parse_args(argc, argv, options, positional, 2, 2, SYNOPSIS)) != 0)
        return code;
    if (as_of_text == NULL)
        as_of = libdbm_context_now(ctx);
    else if ((code = dbmtool_parse_time(&as_of, as_of_text, "as-of")) != DBMTOOL_EXIT_OK)
        return code;
    if ((status = libdbm_segment_compile(&seg, ctx, positional[1])) != LIBDBM_OK)
        return dbmtool_fail(ctx, status, "segment expression");
    if ((code = dbmtool_open_store_readonly(ctx, positional[0], &store)) != DBMTOOL_EXIT_OK)
        goto done;
    if ((status = libdbm_segment_evaluate(&members, seg, store, as_of)) != LIBDBM_OK) {
        code = dbmtool_fail(ctx, status, "evaluating the segment");
        goto done;
    }
    if (count_only) {
        printf("%lld\n", (long long)libdbm_members_count(members));
        code = dbmtool_flush_stdout();
    } else {
        code = print_members(ctx, members, store);
    }
done:
    libdbm_members_free(members);
    libdbm_store_close(store);
    libdbm_segment_free(seg);
    return code;
}
