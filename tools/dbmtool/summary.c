/* dbmtool summary: per-customer x, t_x, T, m_x in lifetimes' conventions. */
#include <stdio.h>

#include "cli.h"
#include "verbs.h"

#define SYNOPSIS "summary STORE --until DATE [--unit day|week] [--decimals N]"

int dbmtool_summary(libdbm_context *ctx, int argc, char **argv)
{
    const char *path = NULL, *until_text = NULL, *unit_text = "week", *decimals_text = "2";
    dbmtool_option options[] = {
        { "until", &until_text, NULL },
        { "unit", &unit_text, NULL },
        { "decimals", &decimals_text, NULL },
        { NULL, NULL, NULL },
    };
    libdbm_store *store = NULL;
    libdbm_summary *summary = NULL;
    int64_t until, count, i;
    int unit, decimals, code, status;
    char line[4096];

    code = dbmtool_parse_args(argc, argv, options, &path, 1, 1, SYNOPSIS);
    if (code != DBMTOOL_EXIT_OK)
        return code;
    if (until_text == NULL)
        return dbmtool_usage_error("--until is required\nusage: dbmtool %s", SYNOPSIS);
    if ((code = dbmtool_parse_time(&until, until_text, "until")) != DBMTOOL_EXIT_OK ||
        (code = dbmtool_parse_unit(&unit, unit_text)) != DBMTOOL_EXIT_OK)
        return code;
    if (sscanf(decimals_text, "%d", &decimals) != 1 || decimals < 0 || decimals > 9)
        return dbmtool_usage_error("--decimals: '%s' is not a number from 0 to 9", decimals_text);
    if ((code = dbmtool_open_store_readonly(ctx, path, &store)) != DBMTOOL_EXIT_OK)
        return code;
    status = libdbm_summary_new(&summary, store, until, unit);
    if (status != LIBDBM_OK) {
        code = dbmtool_fail(ctx, status, "summarising");
        goto done;
    }
    libdbm_summary_count(summary, &count);
    puts("customer_id,frequency,recency,T,monetary_value");
    for (i = 0; i < count; i++) {
        status = libdbm_summary_format_row(summary, line, sizeof(line), i, decimals);
        if (status != LIBDBM_OK) {
            code = dbmtool_fail(ctx, status, "formatting a row");
            goto done;
        }
        puts(line);
    }
    code = dbmtool_flush_stdout();
done:
    libdbm_summary_free(summary);
    libdbm_store_close(store);
    return code;
}
