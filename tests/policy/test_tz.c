/* Quiet hours, weekdays and calendar windows in the recipient's own zone
 * across DST transitions (America/New_York, Europe/Berlin, historic
 * America/Sao_Paulo whose clocks jumped at midnight, Australia/Lord_Howe's
 * 30-minute DST, Asia/Kathmandu at +05:45), quiet hours spanning
 * midnight, and missing or corrupt zone files (a clear error, no crash).
 * Expected moments were worked out by hand from the zones' rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static libdbm_context *ctx;
static libdbm_policy_answer *answer;

static int64_t at(const char *iso)
{
    int64_t t = 0;
    CHECK_OK(libdbm_time_parse(&t, iso));
    return t;
}

static libdbm_policy *policy(const char *text)
{
    libdbm_policy *p = NULL;
    if (libdbm_policy_parse(&p, ctx, text) != LIBDBM_OK)
        fprintf(stderr, "%s\n", libdbm_context_errmsg(ctx));
    CHECK(p != NULL);
    return p;
}

/* A store whose customer "c" lives in @p zone (NULL: no attribute). */
static libdbm_store *store_in(const char *zone)
{
    libdbm_store *s = NULL;
    CHECK_OK(libdbm_store_open(&s, ctx, NULL, NULL));
    CHECK_OK(libdbm_store_channel_set_address(s, "c", "email", "c@example.com", 0));
    CHECK_OK(libdbm_store_consent_record(s, "c", "email", NULL, LIBDBM_CONSENT_GRANTED, 0, "f",
                                         "v"));
    if (zone != NULL)
        CHECK_OK(libdbm_store_attr_set_string(s, "c", "timezone", zone));
    return s;
}

/* Checks a request at @p when: want ALLOW when @p until is NULL. */
static void expect(const char *policy_text, const char *zone, const char *sent_at,
                   const char *when, const char *until)
{
    libdbm_policy *p = policy(policy_text);
    libdbm_store *s = store_in(zone);
    libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
    int want = until ? LIBDBM_POLICY_DEFER : LIBDBM_POLICY_ALLOW;
    int64_t want_t = until ? at(until) : at(when);
    if (sent_at != NULL)
        CHECK_OK(libdbm_store_contact_add(s, "c", at(sent_at), "email", "x", 0,
                                          LIBDBM_OUTCOME_SENT));
    r.customer_id = "c";
    r.channel = "email";
    r.time = at(when);
    CHECK_OK(libdbm_policy_check(p, answer, s, &r));
    if (libdbm_policy_answer_verdict(answer) != want || libdbm_policy_answer_until(answer) != want_t) {
        char got[32] = "";
        libdbm_time_format(got, sizeof(got), libdbm_policy_answer_until(answer));
        fprintf(stderr, "%s in %s at %s: got %d %s (%s), want %s\n", policy_text,
                zone ? zone : "default", when, libdbm_policy_answer_verdict(answer), got,
                libdbm_policy_answer_reason(answer), until ? until : "allow");
    }
    CHECK(libdbm_policy_answer_verdict(answer) == want);
    CHECK(libdbm_policy_answer_until(answer) == want_t);
    libdbm_store_close(s);
    libdbm_policy_free(p);
}

static void new_york(void)
{
    /* 2024-03-10 02:00 EST -> 03:00 EDT (07:00Z): quiet hours ending at
     * 02:30, a time that does not exist that night, end at 03:00 EDT */
    expect("quiet 00:00-02:30", "America/New_York", NULL, "2024-03-10T05:00:00Z",
           "2024-03-10T07:00:00Z");
    /* 2024-11-03 02:00 EDT -> 01:00 EST (06:00Z): 01:00-01:30 happens twice */
    expect("quiet 01:00-01:30", "America/New_York", NULL, "2024-11-03T05:10:00Z",
           "2024-11-03T05:30:00Z");
    expect("quiet 01:00-01:30", "America/New_York", NULL, "2024-11-03T05:45:00Z", NULL);
    expect("quiet 01:00-01:30", "America/New_York", NULL, "2024-11-03T06:10:00Z",
           "2024-11-03T06:30:00Z");
    /* a calendar week across spring-forward: Monday 00:00 EDT */
    expect("cap all 1 per calendar week", "America/New_York", "2024-03-06T15:00:00Z",
           "2024-03-09T15:00:00Z", "2024-03-11T04:00:00Z");
    /* a calendar day: local midnight, not UTC midnight */
    expect("cap all 1 per calendar day", "America/New_York", "2024-06-01T14:00:00Z",
           "2024-06-01T23:30:00Z", "2024-06-02T04:00:00Z");
    /* two messages an hour apart across local midnight are fine for a
     * calendar day and not for a rolling 24h window */
    expect("cap all 1 per calendar day", "America/New_York", "2024-06-02T03:30:00Z",
           "2024-06-02T04:30:00Z", NULL);
    expect("cap all 1 per 24h", "America/New_York", "2024-06-02T03:30:00Z",
           "2024-06-02T04:30:00Z", "2024-06-03T03:30:00Z");
}

static void berlin(void)
{
    /* 2024-03-31 02:00 CET -> 03:00 CEST (01:00Z): quiet 21:00-08:00 from
     * Saturday 23:00 CET ends at 08:00 CEST = 06:00Z, not 07:00Z */
    expect("quiet 21:00-08:00", "Europe/Berlin", NULL, "2024-03-30T22:00:00Z",
           "2024-03-31T06:00:00Z");
    /* 2024-10-27 03:00 CEST -> 02:00 CET (01:00Z) */
    expect("quiet 21:00-08:00", "Europe/Berlin", NULL, "2024-10-26T20:00:00Z",
           "2024-10-27T07:00:00Z");
    /* weekdays: Saturday 10:00 CEST -> Monday 00:00 CET after fall-back */
    expect("weekdays mon-fri", "Europe/Berlin", NULL, "2024-10-26T08:00:00Z",
           "2024-10-27T23:00:00Z");
}

static void sao_paulo(void)
{
    /* DST began 2018-11-04 00:00 -03 -> 01:00 -02 (03:00Z): Nov 4 starts
     * at 01:00 local */
    expect("cap all 1 per calendar day", "America/Sao_Paulo", "2018-11-03T15:00:00Z",
           "2018-11-03T23:00:00Z", "2018-11-04T03:00:00Z");
    /* DST ended 2019-02-17 00:00 -02 -> 2019-02-16 23:00 -03 (02:00Z): the
     * hour 23:00-24:00 of Feb 16 happens twice and Feb 17 starts at 03:00Z */
    expect("cap all 1 per calendar day", "America/Sao_Paulo", "2019-02-16T12:00:00Z",
           "2019-02-17T01:30:00Z", "2019-02-17T03:00:00Z");
    /* quiet hours from midnight that never came on 2018-11-04 */
    expect("quiet 00:00-00:30", "America/Sao_Paulo", NULL, "2018-11-04T03:00:00Z", NULL);
}

static void lord_howe(void)
{
    /* 2024-04-07 02:00 +11 -> 01:30 +10:30 (2024-04-06T15:00Z) */
    expect("quiet 01:00-01:45", "Australia/Lord_Howe", NULL, "2024-04-06T14:20:00Z",
           "2024-04-06T14:45:00Z");
    expect("quiet 01:00-01:45", "Australia/Lord_Howe", NULL, "2024-04-06T14:50:00Z", NULL);
    expect("quiet 01:00-01:45", "Australia/Lord_Howe", NULL, "2024-04-06T15:05:00Z",
           "2024-04-06T15:15:00Z");
    /* 2024-10-06 02:00 +10:30 -> 02:30 +11 (2024-10-05T15:30Z) */
    expect("quiet 00:00-02:15", "Australia/Lord_Howe", NULL, "2024-10-05T14:00:00Z",
           "2024-10-05T15:30:00Z");
}

static void kathmandu_and_defaults(void)
{
    /* +05:45: 21:45 local -> 08:00 local = 02:15Z */
    expect("quiet 21:00-08:00", "Asia/Kathmandu", NULL, "2024-06-01T16:00:00Z",
           "2024-06-02T02:15:00Z");
    /* the recipient's zone, not the policy's (sender's) default */
    expect("quiet 21:00-08:00\ntimezone default \"Asia/Kathmandu\"", "America/New_York", NULL,
           "2024-06-01T16:00:00Z", NULL);
    /* without an attribute, the policy's default zone */
    expect("quiet 21:00-08:00\ntimezone default \"Asia/Kathmandu\"", NULL, NULL,
           "2024-06-01T16:00:00Z", "2024-06-02T02:15:00Z");
    /* an attribute of another name */
    expect("quiet 21:00-08:00\ntimezone attribute timezone", "Asia/Kathmandu", NULL,
           "2024-06-01T16:00:00Z", "2024-06-02T02:15:00Z");
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = malloc(1 << 20);
    CHECK(f != NULL && data != NULL);
    *len = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(data, 1, len, f) == len);
    fclose(f);
}

static void broken_zone_files(void)
{
    char dir[] = "/tmp/libdbm-policy-tz-XXXXXX";
    char path[512];
    size_t len;
    char *utc = read_file("/usr/share/zoneinfo/UTC", &len);
    libdbm_policy *p = NULL, *quiet;
    libdbm_store *s;
    libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
    CHECK(mkdtemp(dir) != NULL);
    write_file(dir, "UTC", utc, len);
    write_file(dir, "Corrupt", "TZif2\0\0\0garbage", 16);
    utc[len / 2] ^= 0x55;
    write_file(dir, "Truncated", utc, len / 3);
    CHECK_OK(libdbm_context_set_zoneinfo_dir(ctx, dir));

    /* a policy's default zone: reported when the policy is made */
    CHECK_STATUS(libdbm_policy_parse(&p, ctx, "timezone default \"Corrupt\""), LIBDBM_ECORRUPT);
    CHECK(p == NULL && strstr(libdbm_context_errmsg(ctx), "Corrupt") != NULL);
    CHECK_STATUS(libdbm_policy_parse(&p, ctx, "timezone default \"Truncated\""), LIBDBM_ECORRUPT);
    CHECK_STATUS(libdbm_policy_parse(&p, ctx, "timezone default \"Nowhere/Zone\""),
                 LIBDBM_ENOTFOUND);
    CHECK(strstr(libdbm_context_errmsg(ctx), "Nowhere/Zone") != NULL);

    /* a customer's zone: reported by the check, naming the customer */
    quiet = policy("quiet 21:00-08:00");
    s = store_in("Corrupt");
    r.customer_id = "c";
    r.channel = "email";
    r.time = at("2024-06-01T12:00:00Z");
    CHECK_STATUS(libdbm_policy_check(quiet, answer, s, &r), LIBDBM_ECORRUPT);
    CHECK(strstr(libdbm_context_errmsg(ctx), "customer 'c'") != NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), "Corrupt") != NULL);
    CHECK_OK(libdbm_store_attr_set_string(s, "c", "timezone", "Atlantis/Capital"));
    CHECK_STATUS(libdbm_policy_check(quiet, answer, s, &r), LIBDBM_ENOTFOUND);
    CHECK(strstr(libdbm_context_errmsg(ctx), "Atlantis/Capital") != NULL);
    CHECK_OK(libdbm_store_attr_set_string(s, "c", "timezone", "../../etc/passwd"));
    CHECK_STATUS(libdbm_policy_check(quiet, answer, s, &r), LIBDBM_EINVAL);
    /* transactional mail needs no zone */
    r.message_class = LIBDBM_MESSAGE_TRANSACTIONAL;
    CHECK_OK(libdbm_policy_check(quiet, answer, s, &r));
    CHECK(libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_ALLOW);
    libdbm_store_close(s);
    libdbm_policy_free(quiet);

    CHECK_OK(libdbm_context_set_zoneinfo_dir(ctx, NULL));
    snprintf(path, sizeof(path), "%s/UTC", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/Corrupt", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/Truncated", dir);
    unlink(path);
    rmdir(dir);
    free(utc);
}

int main(void)
{
    int32_t off;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    if (libdbm_tz_offset(ctx, &off, "America/Sao_Paulo", 0) != LIBDBM_OK ||
        access("/usr/share/zoneinfo/UTC", R_OK) != 0) {
        fprintf(stderr, "no zoneinfo: skipped\n");
        return 77;
    }
    CHECK_OK(libdbm_policy_answer_new(&answer, ctx));
    new_york();
    berlin();
    sao_paulo();
    lord_howe();
    kathmandu_and_defaults();
    broken_zone_files();
    libdbm_policy_answer_free(answer);
    libdbm_context_free(ctx);
    printf("policy time zones: ok\n");
    return 0;
}
