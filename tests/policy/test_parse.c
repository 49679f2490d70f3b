/* The policy text format: a table of valid texts with their canonical
 * form, a table of invalid ones with the status, line, column and message
 * expected, the canonical text reading back to itself, and a builder
 * making the same policy as a text. */
#include <stdio.h>
#include <string.h>

#include "check.h"

static const char *const defaults =
    "timezone attribute timezone default \"UTC\"\n"
    "consent unknown deny\n"
    "responses clicked responded converted\n"
    "stale off\n"
    "quiet off\n"
    "weekdays mon tue wed thu fri sat sun\n"
    "horizon 400d\n";

static const struct {
    const char *text;
    const char *canonical_tail;     /* what follows the settings block */
} valid[] = {
    { "", "" },
    { "# only a comment\n\n   \n", "" },
    { "cap email 2 per 7d", "cap email 2 per 7d\n" },
    { "cap all 3 per rolling 168h\ncap direct_mail 1 per 30d\n",
      "cap all 3 per 7d\ncap direct_mail 1 per 30d\n" },
    { "cap email 1 per calendar day\ncap sms 4 per calendar month unit sales\n",
      "cap email 1 per calendar day\ncap sms 4 per calendar month unit sales\n" },
    { "cap all 3 per 2w reserve 1 for priority 5 unit crm",
      "cap all 3 per 14d unit crm reserve 1 for priority 5\n" },
    { "cap all 3 per 90m reserve 3 for priority -2", "cap all 3 per 90m reserve 3 for priority -2\n" },
    { "gap email 36h\ngap all 1440m", "gap email 36h\ngap all 1d\n" },
    { "fatigue email after 5 unanswered pause 30d\nfatigue all after 8 unanswered halve",
      "fatigue email after 5 unanswered pause 30d\nfatigue all after 8 unanswered halve\n" },
    { "priority \"black friday\" 10", "priority \"black friday\" 10\n" },
    { "override champions when rfm.segment == \"Champions\" {\n  cap email 4 per 7d\n}\n",
      "override champions when rfm.segment == \"Champions\" {\n  cap email 4 per 7d\n}\n" },
    { "override x when attr.note == \"a { # b\" and attr.n > 1 {   # trailing comment\n}",
      "override x when attr.note == \"a { # b\" and attr.n > 1 {\n}\n" },
};

static const struct {
    const char *text;
    const char *settings;           /* the expected settings block */
} settings[] = {
    { "quiet 21:00-08:00\nweekdays mon-fri\nconsent unknown allow\nstale after 365d\n"
      "timezone default \"Europe/Berlin\" attribute tz\nresponses opened\nhorizon 30d\n",
      "timezone attribute tz default \"Europe/Berlin\"\n"
      "consent unknown allow\n"
      "responses opened\n"
      "stale after 365d\n"
      "quiet 21:00-08:00\n"
      "weekdays mon tue wed thu fri\n"
      "horizon 30d\n" },
    { "weekdays sat-mon wed\nquiet 10:00-10:00\n",
      "timezone attribute timezone default \"UTC\"\n"
      "consent unknown deny\n"
      "responses clicked responded converted\n"
      "stale off\n"
      "quiet off\n"
      "weekdays mon wed sat sun\n"
      "horizon 400d\n" },
};

static const struct {
    const char *text;
    int status;
    int32_t line, column;
    const char *message;            /* a part of the message */
} invalid[] = {
    { "cap", LIBDBM_ESYNTAX, 1, 4, "expected a channel name or 'all', found end of input" },
    { "cap email", LIBDBM_ESYNTAX, 1, 10, "expected the cap's limit" },
    { "cap email 2 per", LIBDBM_ESYNTAX, 1, 16, "expected a duration or 'calendar'" },
    { "cap email 2 per 7x", LIBDBM_ESYNTAX, 1, 17, "expected a number, a duration" },
    { "\n\ncap email 2 per 7d extra", LIBDBM_ESYNTAX, 3, 20, "expected 'unit', 'reserve'" },
    { "cap Email 2 per 7d", LIBDBM_ESYNTAX, 1, 1, "a channel is [a-z0-9_]" },
    { "cap email 2 per 30s", LIBDBM_ESYNTAX, 1, 17, "expected a number, a duration" },
    { "cap email 2 per 500d", LIBDBM_ESYNTAX, 1, 1, "rolling window is whole minutes from 1m to 400d" },
    { "cap email 2 per 7d\ncap email 3 per 7d", LIBDBM_ESYNTAX, 2, 1, "same channel, unit and window" },
    { "cap email 2 per calendar year", LIBDBM_ESYNTAX, 1, 26, "expected 'day', 'week' or 'month'" },
    { "cap email 2 per 7d reserve 3 for priority 1", LIBDBM_ESYNTAX, 1, 1, "reserve is 0 to the limit" },
    { "gap email", LIBDBM_ESYNTAX, 1, 10, "expected a duration" },
    { "gap email 1d\ngap email 2d", LIBDBM_ESYNTAX, 2, 1, "a gap on email exists" },
    { "fatigue email after 0 unanswered halve", LIBDBM_ESYNTAX, 1, 1, "unanswered is 1 to 1000" },
    { "fatigue email after 3 unanswered sleep", LIBDBM_ESYNTAX, 1, 34, "expected 'pause' or 'halve'" },
    { "quiet 25:00-08:00", LIBDBM_ESYNTAX, 1, 7, "expected a time of day HH:MM" },
    { "quiet 21:00 08:00", LIBDBM_ESYNTAX, 1, 13, "expected '-'" },
    { "weekdays funday", LIBDBM_ESYNTAX, 1, 10, "expected a weekday" },
    { "weekdays", LIBDBM_ESYNTAX, 1, 1, "weekdays: a non-empty set" },
    { "consent unknown maybe", LIBDBM_ESYNTAX, 1, 17, "expected 'allow' or 'deny'" },
    { "stale after 12h", LIBDBM_ESYNTAX, 1, 1, "a whole number of days" },
    { "horizon 401d", LIBDBM_ESYNTAX, 1, 1, "horizon: 1 to 400 days" },
    { "priority spring 3", LIBDBM_ESYNTAX, 1, 10, "expected a campaign name in quotes" },
    { "priority \"a\" 1\npriority \"a\" 2", LIBDBM_ESYNTAX, 2, 1, "already has one" },
    { "timezone", LIBDBM_ESYNTAX, 1, 9, "expected 'attribute' or 'default'" },
    { "timezone default \"unterminated\n", LIBDBM_ESYNTAX, 1, 31, "closing the string" },
    { "responses bounced", LIBDBM_ESYNTAX, 1, 11, "expected 'opened', 'clicked'" },
    { "frobnicate", LIBDBM_ESYNTAX, 1, 1, "expected a statement" },
    { "cap email 2 per 7d @", LIBDBM_ESYNTAX, 1, 20, "found '@'" },
    { "override o when attr.x == 1\n", LIBDBM_ESYNTAX, 1, 28, "expected '{' at the end" },
    { "override o when {\n}", LIBDBM_ESYNTAX, 1, 18, "expected a segment expression" },
    { "override o when attr.x == {\n}", LIBDBM_ESYNTAX, 1, 26, "in the segment of override 'o'" },
    { "override o when attr.x == 1 {\ncap email 1 per 1d\n", LIBDBM_ESYNTAX, 3, 1,
      "expected '}' closing the override of line 1" },
    { "override o when attr.x == 1 {\nquiet 21:00-08:00\n}", LIBDBM_ESYNTAX, 2, 1,
      "inside an override" },
    { "override o when attr.x == 1 {\noverride p when attr.y == 1 {\n}\n}", LIBDBM_ESYNTAX, 2,
      1, "expected 'cap', 'gap' or '}'" },
    { "override o when attr.x == 1 {\n}\noverride o when attr.y == 1 {\n}", LIBDBM_ESYNTAX, 3,
      1, "'o' exists" },
    { "}", LIBDBM_ESYNTAX, 1, 1, "without an open override" },
    { "cap email 99999999999 per 1d", LIBDBM_ESYNTAX, 1, 11, "at most 9 digits" },
    { "timezone default \"Mars/Olympus\"", LIBDBM_ENOTFOUND, 0, 0, "Mars/Olympus" },
    { "timezone default \"../etc/passwd\"", LIBDBM_EINVAL, 0, 0, "" },
};

static libdbm_policy *parse_ok(libdbm_context *ctx, const char *text)
{
    libdbm_policy *p = NULL;
    int status = libdbm_policy_parse(&p, ctx, text);
    if (status != LIBDBM_OK)
        fprintf(stderr, "parse failed for:\n%s\n-> %s\n", text, libdbm_context_errmsg(ctx));
    CHECK_OK(status);
    return p;
}

static char *canonical(libdbm_context *ctx, const char *text)
{
    libdbm_policy *p = parse_ok(ctx, text), *again;
    char *out = NULL, *out2 = NULL;
    CHECK_OK(libdbm_policy_to_string(p, &out));
    /* the canonical text reads back to itself */
    again = parse_ok(ctx, out);
    CHECK_OK(libdbm_policy_to_string(again, &out2));
    CHECK(strcmp(out, out2) == 0);
    libdbm_free_string(out2);
    libdbm_policy_free(again);
    libdbm_policy_free(p);
    return out;
}

static void check_valid(libdbm_context *ctx)
{
    char want[2048];
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        char *got = canonical(ctx, valid[i].text);
        snprintf(want, sizeof(want), "%s%s", defaults, valid[i].canonical_tail);
        if (strcmp(got, want) != 0)
            fprintf(stderr, "valid[%zu]: got\n%s\nwant\n%s\n", i, got ? got : "(null)", want);
        CHECK(strcmp(got, want) == 0);
        libdbm_free_string(got);
    }
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        char *got = canonical(ctx, settings[i].text);
        if (strcmp(got, settings[i].settings) != 0)
            fprintf(stderr, "settings[%zu]: got\n%s\nwant\n%s\n", i, got ? got : "(null)",
                    settings[i].settings);
        CHECK(strcmp(got, settings[i].settings) == 0);
        libdbm_free_string(got);
    }
}

static void check_invalid(libdbm_context *ctx)
{
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        libdbm_policy *p = (libdbm_policy *)&p;
        int32_t line = -1, column = -1;
        int status = libdbm_policy_parse(&p, ctx, invalid[i].text);
        const char *msg = libdbm_context_errmsg(ctx);
        int ok = status == invalid[i].status && p == NULL &&
                 libdbm_policy_last_error(ctx, &line, &column) == status &&
                 line == invalid[i].line && column == invalid[i].column &&
                 strstr(msg, invalid[i].message) != NULL;
        if (!ok)
            fprintf(stderr, "invalid[%zu] \"%s\": status %d line %d column %d: %s\n", i,
                    invalid[i].text, status, (int)line, (int)column, msg);
        CHECK(ok);
        if (invalid[i].line > 0) {
            char prefix[64];
            snprintf(prefix, sizeof(prefix), "line %d, column %d: ", (int)invalid[i].line,
                     (int)invalid[i].column);
            CHECK(strncmp(msg, prefix, strlen(prefix)) == 0);
        }
    }
}

/* The builder and the text give one policy. */
static void check_builder_matches_text(libdbm_context *ctx)
{
    static const char *const text =
        "cap email 2 per 7d\n"
        "cap all 3 per 7d reserve 1 for priority 5\n"
        "cap direct_mail 1 per calendar month unit mail_dept\n"
        "gap all 12h\n"
        "fatigue email after 5 unanswered pause 30d\n"
        "quiet 21:00-08:00\n"
        "weekdays mon-sat\n"
        "stale after 365d\n"
        "timezone default \"America/New_York\"\n"
        "priority \"cruise_offer\" 9\n"
        "override champions when rfm.segment == \"Champions\" {\n"
        "  cap email 4 per 7d\n"
        "}\n";
    libdbm_policy_builder *b;
    libdbm_policy_cap cap;
    libdbm_policy *from_text = parse_ok(ctx, text), *built = NULL;
    char *a = NULL, *c = NULL;
    CHECK_OK(libdbm_policy_builder_new(&b, ctx));
    CHECK_OK(libdbm_policy_cap_init(&cap));
    cap.channel = "email";
    cap.limit = 2;
    cap.window_seconds = 7 * 86400;
    CHECK_OK(libdbm_policy_builder_add_cap(b, &cap));
    cap.channel = NULL;
    cap.limit = 3;
    cap.reserve = 1;
    cap.reserve_priority = 5;
    CHECK_OK(libdbm_policy_builder_add_cap(b, &cap));
    CHECK_OK(libdbm_policy_cap_init(&cap));
    cap.channel = "direct_mail";
    cap.limit = 1;
    cap.window = LIBDBM_WINDOW_CALENDAR_MONTH;
    cap.business_unit = "mail_dept";
    CHECK_OK(libdbm_policy_builder_add_cap(b, &cap));
    CHECK_OK(libdbm_policy_builder_add_gap(b, NULL, 12 * 3600));
    CHECK_OK(libdbm_policy_builder_set_fatigue(b, "email", 5, LIBDBM_FATIGUE_PAUSE, 30 * 86400));
    CHECK_OK(libdbm_policy_builder_set_quiet_hours(b, 21 * 60, 8 * 60));
    CHECK_OK(libdbm_policy_builder_set_weekdays(b, 0x7Eu));
    CHECK_OK(libdbm_policy_builder_set_stale_days(b, 365));
    CHECK_OK(libdbm_policy_builder_set_default_tz(b, "America/New_York"));
    CHECK_OK(libdbm_policy_builder_set_campaign_priority(b, "cruise_offer", 9));
    CHECK_OK(libdbm_policy_builder_begin_override(b, "champions",
                                                  "rfm.segment == \"Champions\""));
    CHECK_OK(libdbm_policy_cap_init(&cap));
    cap.channel = "email";
    cap.limit = 4;
    cap.window_seconds = 7 * 86400;
    /* an open override cannot be built */
    CHECK_STATUS(libdbm_policy_builder_build(&built, b), LIBDBM_EINVAL);
    CHECK(built == NULL);
    CHECK_OK(libdbm_policy_builder_add_cap(b, &cap));
    CHECK_STATUS(libdbm_policy_builder_begin_override(b, "again", "attr.x == 1"), LIBDBM_EINVAL);
    CHECK_OK(libdbm_policy_builder_end_override(b));
    CHECK_STATUS(libdbm_policy_builder_end_override(b), LIBDBM_EINVAL);
    CHECK_OK(libdbm_policy_builder_build(&built, b));
    CHECK_OK(libdbm_policy_to_string(from_text, &a));
    CHECK_OK(libdbm_policy_to_string(built, &c));
    if (strcmp(a, c) != 0)
        fprintf(stderr, "text:\n%s\nbuilder:\n%s\n", a, c);
    CHECK(strcmp(a, c) == 0);
    /* bad values are refused with EINVAL and change nothing */
    CHECK_STATUS(libdbm_policy_builder_set_quiet_hours(b, 1440, 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_builder_set_weekdays(b, 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_builder_set_weekdays(b, 0x80u), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_builder_set_responses(b, LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_SENT)),
                 LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_builder_add_gap(b, "email", 90), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_builder_add_gap(b, "all", 3600), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_builder_set_fatigue(b, "email", 3, 7, 3600), LIBDBM_EINVAL);
    cap.struct_size = (uint32_t)sizeof(cap) + 8;
    CHECK_STATUS(libdbm_policy_builder_add_cap(b, &cap), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_builder_add_cap(b, NULL), LIBDBM_EINVAL);
    libdbm_free_string(c);
    libdbm_policy_free(built);
    built = NULL;
    CHECK_OK(libdbm_policy_builder_build(&built, b));
    CHECK_OK(libdbm_policy_to_string(built, &c));
    CHECK(strcmp(a, c) == 0);
    libdbm_free_string(a);
    libdbm_free_string(c);
    libdbm_policy_free(built);
    libdbm_policy_free(from_text);
    libdbm_policy_builder_free(b);
}

static void check_limits(libdbm_context *ctx)
{
    static char big[1100 * 1024];
    libdbm_policy *p = NULL;
    size_t at = 0;
    /* 1001 distinct caps */
    for (int i = 0; i < 1001; i++)
        at += (size_t)snprintf(big + at, sizeof(big) - at, "cap email 1 per %dm\n", i + 1);
    CHECK_STATUS(libdbm_policy_parse(&p, ctx, big), LIBDBM_ELIMIT);
    CHECK(p == NULL);
    memset(big, '#', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_STATUS(libdbm_policy_parse(&p, ctx, big), LIBDBM_ELIMIT);
    CHECK_STATUS(libdbm_policy_parse(NULL, ctx, ""), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_policy_parse(&p, ctx, NULL), LIBDBM_EINVAL);
    /* invalid UTF-8 inside a string */
    CHECK_STATUS(libdbm_policy_parse(&p, ctx, "priority \"\xff\" 1"), LIBDBM_ESYNTAX);
}

int main(void)
{
    libdbm_context *ctx;
    int32_t off;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    if (libdbm_tz_offset(ctx, &off, "America/New_York", 0) != LIBDBM_OK) {
        fprintf(stderr, "no zoneinfo: skipped\n");
        return 77;
    }
    check_valid(ctx);
    check_invalid(ctx);
    check_builder_matches_text(ctx);
    check_limits(ctx);
    libdbm_context_free(ctx);
    printf("policy parse: ok\n");
    return 0;
}
