/* Test helper for dbmtool's import tests: reads a store through the public
 * API only.
 *   store-check totals STORE
 *       one line: profiles, purchases, purchase days, total and refunds
 *       (minor units), contacts, summed over every profile;
 *   store-check dump STORE [--attr NAME]... [--channel NAME]... [--event NAME]...
 *       a canonical text dump, profiles sorted by id: aggregates, the named
 *       attributes, channels (address, verification, invalid flag, current
 *       marketing consent), the consent history, contact counts per outcome
 *       and the named events; two dumps are equal iff the store is
 *       unchanged as far as these reads can tell;
 *   store-check hold STORE
 *       opens STORE for writing, prints "locked" and keeps it open until
 *       stdin reaches end of file (to test a second writer).
 * Exit 0 on success, 2 when a call fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdbm.h>

#define MAX_NAMES 32

static libdbm_context *ctx;

static void die(int status, const char *what)
{
    fprintf(stderr, "store-check: %s: %s: %s\n", what, libdbm_strerror(status),
            libdbm_context_errmsg(ctx));
    exit(2);
}

static int compare_ids(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids of every profile, sorted. */
static char **sorted_ids(libdbm_store *store, size_t *count)
{
    libdbm_store_cursor *cursor;
    const char *id;
    char **ids = NULL;
    size_t n = 0, cap = 0;
    int status = libdbm_store_cursor_new(&cursor, store);
    if (status != LIBDBM_OK)
        die(status, "cursor");
    while ((status = libdbm_store_cursor_next(cursor, &id)) == LIBDBM_OK) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            ids = realloc(ids, cap * sizeof(*ids));
            if (ids == NULL)
                die(LIBDBM_ENOMEM, "ids");
        }
        ids[n++] = strdup(id);
    }
    if (status != LIBDBM_ENOTFOUND)
        die(status, "cursor_next");
    libdbm_store_cursor_free(cursor);
    if (n > 0)
        qsort(ids, n, sizeof(*ids), compare_ids);
    *count = n;
    return ids;
}

static int64_t aggregate(libdbm_store *store, const char *id, int which)
{
    int64_t value = 0;
    int status = libdbm_store_aggregate(store, &value, id, which);
    if (status == LIBDBM_ENOTFOUND)
        return -1;  /* first/last of a profile without purchases */
    if (status != LIBDBM_OK)
        die(status, "aggregate");
    return value;
}

static int64_t contacts_of(libdbm_store *store, const char *id, int outcome)
{
    int64_t count = 0;
    int status = libdbm_store_contact_count(store, &count, id, NULL, outcome, INT64_MIN,
                                            INT64_MAX);
    if (status != LIBDBM_OK)
        die(status, "contact_count");
    return count;
}

static void totals(libdbm_store *store)
{
    size_t n, i;
    char **ids = sorted_ids(store, &n);
    int64_t profiles = 0, sums[8] = { 0 }, contacts = 0;
    int which;
    if (libdbm_store_profile_count(store, &profiles) != LIBDBM_OK)
        die(LIBDBM_EINVAL, "profile_count");
    for (i = 0; i < n; i++) {
        for (which = LIBDBM_AGG_PURCHASE_COUNT; which <= LIBDBM_AGG_REFUND_TOTAL_MINOR; which++)
            sums[which] += aggregate(store, ids[i], which);
        contacts += contacts_of(store, ids[i], 0);
        free(ids[i]);
    }
    free(ids);
    printf("profiles=%lld listed=%zu purchases=%lld purchase_days=%lld total_minor=%lld "
           "refunds=%lld refund_total_minor=%lld contacts=%lld\n",
           (long long)profiles, n, (long long)sums[LIBDBM_AGG_PURCHASE_COUNT],
           (long long)sums[LIBDBM_AGG_PURCHASE_DAYS], (long long)sums[LIBDBM_AGG_TOTAL_MINOR],
           (long long)sums[LIBDBM_AGG_REFUND_COUNT],
           (long long)sums[LIBDBM_AGG_REFUND_TOTAL_MINOR], (long long)contacts);
}

static int print_consent(const char *channel, const char *purpose, int state, int64_t at,
                         const char *source, const char *wording_version, void *user_data)
{
    (void)user_data;
    /* NULL and "" both mean "none" ("-"). */
    printf("  consent %s %s %d %lld %s %s\n", channel, purpose && *purpose ? purpose : "-",
           state, (long long)at, source && *source ? source : "-",
           wording_version && *wording_version ? wording_version : "-");
    return 0;
}

static void print_attribute(libdbm_store *store, const char *id, const char *name)
{
    int type = 0, status = libdbm_store_attr_type(store, &type, id, name);
    if (status != LIBDBM_OK)
        die(status, "attr_type");
    switch (type) {
    case LIBDBM_TYPE_NULL:
        return;
    case LIBDBM_TYPE_STRING: {
        char *value;
        if ((status = libdbm_store_attr_get_string(store, &value, id, name)) != LIBDBM_OK)
            die(status, "attr_get_string");
        printf("  attr %s string %s\n", name, value);
        libdbm_free_string(value);
        return;
    }
    case LIBDBM_TYPE_INT64:
    case LIBDBM_TYPE_TIME: {
        int64_t value;
        status = type == LIBDBM_TYPE_INT64 ? libdbm_store_attr_get_int64(store, &value, id, name)
                                           : libdbm_store_attr_get_time(store, &value, id, name);
        if (status != LIBDBM_OK)
            die(status, "attr_get_int64/time");
        printf("  attr %s %s %lld\n", name, type == LIBDBM_TYPE_INT64 ? "int" : "time",
               (long long)value);
        return;
    }
    case LIBDBM_TYPE_DOUBLE: {
        double value;
        if ((status = libdbm_store_attr_get_double(store, &value, id, name)) != LIBDBM_OK)
            die(status, "attr_get_double");
        printf("  attr %s double %.17g\n", name, value);
        return;
    }
    case LIBDBM_TYPE_BOOL: {
        int value;
        if ((status = libdbm_store_attr_get_bool(store, &value, id, name)) != LIBDBM_OK)
            die(status, "attr_get_bool");
        printf("  attr %s bool %d\n", name, value);
        return;
    }
    default:
        printf("  attr %s unknown-type %d\n", name, type);
    }
}

static void print_channel(libdbm_store *store, const char *id, const char *channel)
{
    char *address = NULL;
    int64_t verified_at = 0, consent_at = 0;
    int invalid = 0, state = 0;
    int status = libdbm_store_channel_get_address(store, &address, id, channel);
    if (status == LIBDBM_OK) {
        if ((status = libdbm_store_channel_get_status(store, &verified_at, &invalid, id,
                                                      channel)) != LIBDBM_OK)
            die(status, "channel_get_status");
        printf("  channel %s address %s verified %lld invalid %d\n", channel, address,
               (long long)verified_at, invalid);
        libdbm_free_string(address);
    } else if (status != LIBDBM_ENOTFOUND) {
        die(status, "channel_get_address");
    }
    status = libdbm_store_channel_get_consent(store, &state, &consent_at, id, channel, NULL);
    if (status == LIBDBM_OK)
        printf("  channel %s marketing-consent %d at %lld\n", channel, state,
               (long long)consent_at);
    else if (status != LIBDBM_ENOTFOUND)
        die(status, "channel_get_consent");
}

static void dump(libdbm_store *store, char **attrs, int nattrs, char **channels, int nchannels,
                 char **events, int nevents)
{
    size_t n, i;
    char **ids = sorted_ids(store, &n);
    int64_t profiles = 0;
    int k;
    if (libdbm_store_profile_count(store, &profiles) != LIBDBM_OK)
        die(LIBDBM_EINVAL, "profile_count");
    printf("profiles %lld\n", (long long)profiles);
    for (i = 0; i < n; i++) {
        const char *id = ids[i];
        int status;
        printf("customer %s\n", id);
        printf("  purchases %lld days %lld total %lld refunds %lld refund_total %lld "
               "first %lld last %lld\n",
               (long long)aggregate(store, id, LIBDBM_AGG_PURCHASE_COUNT),
               (long long)aggregate(store, id, LIBDBM_AGG_PURCHASE_DAYS),
               (long long)aggregate(store, id, LIBDBM_AGG_TOTAL_MINOR),
               (long long)aggregate(store, id, LIBDBM_AGG_REFUND_COUNT),
               (long long)aggregate(store, id, LIBDBM_AGG_REFUND_TOTAL_MINOR),
               (long long)aggregate(store, id, LIBDBM_AGG_FIRST_PURCHASE),
               (long long)aggregate(store, id, LIBDBM_AGG_LAST_PURCHASE));
        for (k = 0; k < nattrs; k++)
            print_attribute(store, id, attrs[k]);
        for (k = 0; k < nchannels; k++)
            print_channel(store, id, channels[k]);
        status = libdbm_store_consent_history(store, id, print_consent, NULL);
        if (status != LIBDBM_OK)
            die(status, "consent_history");
        printf("  contacts %lld", (long long)contacts_of(store, id, 0));
        for (k = LIBDBM_OUTCOME_SENT; k <= LIBDBM_OUTCOME_FAILED; k++)
            printf(" %lld", (long long)contacts_of(store, id, k));
        printf("\n");
        for (k = 0; k < nevents; k++) {
            int64_t count = 0;
            status = libdbm_store_event_count(store, &count, id, events[k], INT64_MIN, INT64_MAX);
            if (status != LIBDBM_OK)
                die(status, "event_count");
            printf("  event %s %lld\n", events[k], (long long)count);
        }
        free(ids[i]);
    }
    free(ids);
}

int main(int argc, char **argv)
{
    libdbm_store_options options = LIBDBM_STORE_OPTIONS_INIT;
    libdbm_store *store;
    char *attrs[MAX_NAMES], *channels[MAX_NAMES], *events[MAX_NAMES];
    int nattrs = 0, nchannels = 0, nevents = 0, i, status;
    if (argc < 3) {
        fprintf(stderr, "usage: store-check totals|dump|hold STORE [options]\n");
        return 2;
    }
    for (i = 3; i + 1 < argc && nattrs < MAX_NAMES && nchannels < MAX_NAMES &&
                nevents < MAX_NAMES; i += 2) {
        if (strcmp(argv[i], "--attr") == 0)
            attrs[nattrs++] = argv[i + 1];
        else if (strcmp(argv[i], "--channel") == 0)
            channels[nchannels++] = argv[i + 1];
        else if (strcmp(argv[i], "--event") == 0)
            events[nevents++] = argv[i + 1];
    }
    if ((status = libdbm_context_new(&ctx, NULL)) != LIBDBM_OK)
        die(status, "context");
    options.flags = strcmp(argv[1], "hold") == 0 ? LIBDBM_STORE_CREATE : LIBDBM_STORE_READONLY;
    if ((status = libdbm_store_open(&store, ctx, argv[2], &options)) != LIBDBM_OK)
        die(status, "open");
    if (strcmp(argv[1], "totals") == 0) {
        totals(store);
    } else if (strcmp(argv[1], "dump") == 0) {
        dump(store, attrs, nattrs, channels, nchannels, events, nevents);
    } else if (strcmp(argv[1], "hold") == 0) {
        char buf[64];
        printf("locked\n");
        fflush(stdout);
        while (fread(buf, 1, sizeof(buf), stdin) > 0)
            ;
    } else {
        fprintf(stderr, "store-check: unknown command %s\n", argv[1]);
        return 2;
    }
    if ((status = libdbm_store_close(store)) != LIBDBM_OK)
        die(status, "close");
    libdbm_context_free(ctx);
    return 0;
}
