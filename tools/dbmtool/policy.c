/* dbmtool policy: may this customer be contacted on this channel at this
 * time? Prints `allow`, `deny RULE: REASON` or `defer TIME` (docs/policy.md);
 * --record also records an allowed marketing contact in the store,
 * --explain prints every rule's verdict as JSON instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "textfile.h"
#include "verbs.h"

#define SYNOPSIS                                                                      \
    "policy STORE POLICY_FILE --customer ID --channel NAME --at TIME [--record] "    \
    "[--class marketing|transactional] [--campaign NAME] [--unit NAME] [--priority N] " \
    "[--explain]"

/* Policy files beyond this are refused before parsing (the format's own
 * limit is 1 MiB). */
#define MAX_POLICY_FILE (1024u * 1024u)

typedef struct policy_args {
    const char *positional[2];
    const char *customer, *channel, *at, *cls, *campaign, *unit, *priority;
    int record, explain;
} policy_args;

static int read_request(const policy_args *a, libdbm_policy_request *r)
{
    int code;
    if (a->customer == NULL || a->channel == NULL || a->at == NULL)
        return dbmtool_usage_error("--customer, --channel and --at are required\nusage: dbmtool "
                                   SYNOPSIS);
    r->customer_id = a->customer;
    r->channel = a->channel;
    r->campaign = a->campaign;
    r->business_unit = a->unit;
    if ((code = dbmtool_parse_time(&r->time, a->at, "at")) != DBMTOOL_EXIT_OK)
        return code;
    if (a->cls == NULL || strcmp(a->cls, "marketing") == 0)
        r->message_class = LIBDBM_MESSAGE_MARKETING;
    else if (strcmp(a->cls, "transactional") == 0)
        r->message_class = LIBDBM_MESSAGE_TRANSACTIONAL;
    else
        return dbmtool_usage_error("--class: 'marketing' or 'transactional', not '%s'", a->cls);
    if (a->priority != NULL) {
        char *end;
        long v = strtol(a->priority, &end, 10);
        if (*a->priority == '\0' || *end != '\0' || v < -1000000000L || v > 1000000000L)
            return dbmtool_usage_error("--priority: an integer, not '%s'", a->priority);
        r->priority = (int32_t)v;
    }
    if (a->record && a->explain)
        return dbmtool_usage_error("--record and --explain do not go together");
    return DBMTOOL_EXIT_OK;
}

static int load_policy(libdbm_context *ctx, const char *path, libdbm_policy **policy)
{
    char *text = NULL, what[600];
    size_t len = 0;
    int status, code = dbmtool_read_text_file(path, MAX_POLICY_FILE, &text, &len);
    if (code != DBMTOOL_EXIT_OK)
        return code;
    if (strlen(text) != len) {
        free(text);
        return dbmtool_usage_error("%s: the policy file holds a NUL byte", path);
    }
    status = libdbm_policy_parse(policy, ctx, text);
    free(text);
    if (status == LIBDBM_OK)
        return DBMTOOL_EXIT_OK;
    snprintf(what, sizeof(what), "policy file '%s'", path);
    return dbmtool_fail(ctx, status, what);
}

static int open_store(libdbm_context *ctx, const char *path, int write, libdbm_store **store)
{
    libdbm_store_options options = LIBDBM_STORE_OPTIONS_INIT;
    char what[512];
    int status;
    if (!write)
        return dbmtool_open_store_readonly(ctx, path, store);
    options.flags = 0;      /* an existing store, for writing */
    status = libdbm_store_open(store, ctx, path, &options);
    if (status == LIBDBM_OK)
        return DBMTOOL_EXIT_OK;
    snprintf(what, sizeof(what), "opening store '%s'", path);
    return dbmtool_fail(ctx, status, what);
}

static void print_answer(const libdbm_policy_answer *answer)
{
    char when[32];
    switch (libdbm_policy_answer_verdict(answer)) {
    case LIBDBM_POLICY_ALLOW:
        puts("allow");
        break;
    case LIBDBM_POLICY_DEFER:
        libdbm_time_format(when, sizeof(when), libdbm_policy_answer_until(answer));
        printf("defer %s\n", when);
        break;
    default:
        printf("deny %s: %s\n", libdbm_policy_answer_rule(answer),
               libdbm_policy_answer_reason(answer));
        break;
    }
}

static int answer_request(libdbm_context *ctx, const policy_args *a, libdbm_policy *policy,
                          libdbm_store *store, const libdbm_policy_request *r)
{
    libdbm_policy_answer *answer = NULL;
    char *json = NULL;
    int status;
    if (a->explain) {
        if ((status = libdbm_policy_explain(policy, &json, store, r)) != LIBDBM_OK)
            return dbmtool_fail(ctx, status, "explaining the check");
        puts(json);
        libdbm_free_string(json);
        return dbmtool_flush_stdout();
    }
    if ((status = libdbm_policy_answer_new(&answer, ctx)) == LIBDBM_OK)
        status = a->record ? libdbm_policy_check_and_record(policy, answer, store, r)
                           : libdbm_policy_check(policy, answer, store, r);
    if (status != LIBDBM_OK) {
        libdbm_policy_answer_free(answer);
        return dbmtool_fail(ctx, status, a->record ? "checking and recording" : "checking");
    }
    print_answer(answer);
    libdbm_policy_answer_free(answer);
    return dbmtool_flush_stdout();
}

int dbmtool_policy(libdbm_context *ctx, int argc, char **argv)
{
    policy_args a;
    libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
    libdbm_policy *policy = NULL;
    libdbm_store *store = NULL;
    int code;
    memset(&a, 0, sizeof(a));
    {
        dbmtool_option options[] = {
            { "customer", &a.customer, NULL }, { "channel", &a.channel, NULL },
            { "at", &a.at, NULL },             { "class", &a.cls, NULL },
            { "campaign", &a.campaign, NULL }, { "unit", &a.unit, NULL },
            { "priority", &a.priority, NULL }, { "record", NULL, &a.record },
            { "explain", NULL, &a.explain },   { NULL, NULL, NULL },
        };
        if ((code = dbmtool_parse_args(argc, argv, options, a.positional, 2, 2, SYNOPSIS)) != 0)
            return code;
    }
    if ((code = read_request(&a, &r)) != DBMTOOL_EXIT_OK)
        return code;
    if ((code = load_policy(ctx, a.positional[1], &policy)) != DBMTOOL_EXIT_OK)
        return code;
    if ((code = open_store(ctx, a.positional[0], a.record, &store)) == DBMTOOL_EXIT_OK)
        code = answer_request(ctx, &a, policy, store, &r);
    if (store != NULL && libdbm_store_close(store) != LIBDBM_OK && code == DBMTOOL_EXIT_OK)
        code = dbmtool_fail(ctx, LIBDBM_EIO, "closing the store");
    libdbm_policy_free(policy);
    return code;
}
