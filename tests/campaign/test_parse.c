/* The campaign text format: every example parses, prints to a canonical
 * text that parses back to the same text; the builder makes the same
 * definition as the text; bad definitions fail with the line and column
 * of the offending word.
 *
 * Usage: test-campaign-parse EXAMPLES_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_test_util.h"
#include "check.h"

static void round_trip(libdbm_context *ctx, const char *dir, const char *name)
{
    libdbm_campaign *c = ctu_load(ctx, dir, name), *again = NULL;
    char *text = NULL, *text2 = NULL;
    CHECK_OK(libdbm_campaign_to_string(c, &text));
    CHECK_OK(libdbm_campaign_parse(&again, ctx, text));
    CHECK_OK(libdbm_campaign_to_string(again, &text2));
    if (strcmp(text, text2) != 0)
        fprintf(stderr, "%s\n---\n%s\n", text, text2);
    CHECK(strcmp(text, text2) == 0);
    libdbm_free_string(text);
    libdbm_free_string(text2);
    libdbm_campaign_free(c);
    libdbm_campaign_free(again);
}

/* @p text must fail with @p status at (line, column) and a message
 * containing @p words. */
static void bad(libdbm_context *ctx, const char *text, int status, int32_t line, int32_t column,
                const char *words)
{
    libdbm_campaign *c = (libdbm_campaign *)1;
    int32_t l = -1, col = -1;
    int got = libdbm_campaign_parse(&c, ctx, text);
    if (got != status || libdbm_campaign_last_error(ctx, &l, &col) != status || l != line ||
        col != column || strstr(libdbm_context_errmsg(ctx), words) == NULL)
        fprintf(stderr, "text:\n%s\ngot %d at %d:%d: %s\n", text, got, (int)l, (int)col,
                libdbm_context_errmsg(ctx));
    CHECK(got == status);
    CHECK(c == NULL);
    CHECK(l == line && col == column);
    CHECK(strstr(libdbm_context_errmsg(ctx), words) != NULL);
}

static void builder_matches_text(libdbm_context *ctx)
{
    const char *text =
        "campaign built\n"
        "entry segment \"frequency >= 2\"\n"
        "reentry after 90d\n"
        "holdout 5% salt \"x\"\n"
        "convert on event bought within 14d\n"
        "deadline attr.ends\n"
        "catchup all\n"
        "stage one channel email content c1 class marketing\n"
        "  at entry + 1h\n"
        "  window 22:00-06:00\n"
        "  if segment \"consent.email\"\n"
        "  blocked drop\n"
        "stage two channel sms content c2 class transactional\n"
        "  at attr.ends - 2d\n"
        "  if no_response\n"
        "  if not_converted\n";
    libdbm_campaign *c, *parsed;
    char *a, *b;
    int32_t k;
    CHECK_OK(libdbm_campaign_new(&c, ctx, "built"));
    CHECK_OK(libdbm_campaign_set_entry(c, LIBDBM_CAMPAIGN_ENTRY_SEGMENT, "frequency >= 2"));
    CHECK_OK(libdbm_campaign_set_reentry(c, LIBDBM_CAMPAIGN_REENTRY_AFTER, 90));
    CHECK_OK(libdbm_campaign_set_holdout(c, 0.05, "x"));
    CHECK_OK(libdbm_campaign_set_conversion(c, LIBDBM_CAMPAIGN_CONVERT_EVENT, "bought", 14));
    CHECK_OK(libdbm_campaign_set_deadline(c, "ends"));
    CHECK_OK(libdbm_campaign_set_catchup(c, LIBDBM_CAMPAIGN_CATCHUP_ALL));
    CHECK_OK(libdbm_campaign_add_stage(c, &k, "one", "email", "c1", LIBDBM_MESSAGE_MARKETING));
    CHECK(k == 0);
    CHECK_OK(libdbm_campaign_stage_set_timing(c, 0, LIBDBM_CAMPAIGN_AT_ENTRY, 3600, NULL));
    CHECK_OK(libdbm_campaign_stage_set_window(c, 0, 22 * 60, 6 * 60));
    CHECK_OK(libdbm_campaign_stage_add_condition(c, 0, LIBDBM_CAMPAIGN_IF_SEGMENT, "consent.email"));
    CHECK_OK(libdbm_campaign_stage_set_on_blocked(c, 0, LIBDBM_CAMPAIGN_BLOCKED_DROP));
    CHECK_OK(libdbm_campaign_add_stage(c, &k, "two", "sms", "c2", LIBDBM_MESSAGE_TRANSACTIONAL));
    CHECK(k == 1);
    CHECK_OK(libdbm_campaign_stage_set_timing(c, 1, LIBDBM_CAMPAIGN_AT_DATE, -2 * 86400, "ends"));
    CHECK_OK(libdbm_campaign_stage_add_condition(c, 1, LIBDBM_CAMPAIGN_IF_NO_RESPONSE, NULL));
    CHECK_OK(libdbm_campaign_stage_add_condition(c, 1, LIBDBM_CAMPAIGN_IF_NOT_CONVERTED, NULL));
    CHECK_OK(libdbm_campaign_parse(&parsed, ctx, text));
    CHECK_OK(libdbm_campaign_to_string(c, &a));
    CHECK_OK(libdbm_campaign_to_string(parsed, &b));
    CHECK(strcmp(a, b) == 0);
    CHECK(strstr(a, "window 22:00-06:00") != NULL && strstr(a, "at attr.ends - 2d") != NULL);
    /* Builder arguments are checked. */
    CHECK_STATUS(libdbm_campaign_stage_set_timing(c, 0, LIBDBM_CAMPAIGN_AT_ENTRY, -1, NULL),
                 LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_stage_set_timing(c, 5, LIBDBM_CAMPAIGN_AT_ENTRY, 0, NULL),
                 LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_set_holdout(c, 0.95, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_add_stage(c, NULL, "one", "email", "c", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_add_stage(c, NULL, "bad name", "email", "c", 0), LIBDBM_EINVAL);
    /* 'all' is the policy's word for every channel, not one to send on (a
     * marketing stage on it failed every due(); found by libFuzzer) */
    CHECK_STATUS(libdbm_campaign_add_stage(c, NULL, "everywhere", "all", "c", 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_campaign_set_entry(c, LIBDBM_CAMPAIGN_ENTRY_SEGMENT, "frequency >="),
                 LIBDBM_ESYNTAX);
    {
        libdbm_campaign *none = NULL;
        CHECK_STATUS(libdbm_campaign_new(&none, ctx, "no spaces"), LIBDBM_EINVAL);
        CHECK(none == NULL);
    }
    libdbm_free_string(a);
    libdbm_free_string(b);
    libdbm_campaign_free(c);
    libdbm_campaign_free(parsed);
}

/* Hostile input: random byte edits of the examples never crash the parser
 * and end in OK, ESYNTAX or ELIMIT; what parses prints and reparses to the
 * same text. */
static void mutations(libdbm_context *ctx, const char *dir)
{
    static const char *const files[] = {"spring_offer.campaign", "cruise_series.campaign",
                                        "lease_end.campaign"};
    static const char alphabet[] = "\"\\#\n \t-+:%.0123456789adhmsx_\xc3\xa9\xff";
    uint64_t rng = 0x9e3779b97f4a7c15u;
    int f, round, parsed = 0;
    for (f = 0; f < 3; f++) {
        char path[1024], *orig;
        size_t len;
        snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
        orig = ctu_read(path);
        len = strlen(orig);
        for (round = 0; round < 3000; round++) {
            char *text = malloc(len + 8);
            libdbm_campaign *c = NULL;
            int edits = 1 + (int)((rng >> 60) & 3), k, status;
            memcpy(text, orig, len + 1);
            for (k = 0; k < edits; k++) {
                size_t at;
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                at = (size_t)(rng % len);
                text[at] = alphabet[(rng >> 32) % (sizeof(alphabet) - 1)];
            }
            status = libdbm_campaign_parse(&c, ctx, text);
            CHECK(status == LIBDBM_OK || status == LIBDBM_ESYNTAX || status == LIBDBM_ELIMIT);
            if (status == LIBDBM_OK) {
                char *a = NULL, *b = NULL;
                libdbm_campaign *again = NULL;
                CHECK_OK(libdbm_campaign_to_string(c, &a));
                CHECK_OK(libdbm_campaign_parse(&again, ctx, a));
                CHECK_OK(libdbm_campaign_to_string(again, &b));
                CHECK(strcmp(a, b) == 0);
                libdbm_free_string(a);
                libdbm_free_string(b);
                libdbm_campaign_free(again);
                parsed++;
            } else {
                int32_t line = 0, column = 0;
                libdbm_campaign_last_error(ctx, &line, &column);
                CHECK(line >= 1 && column >= 1);
            }
            libdbm_campaign_free(c);
            free(text);
        }
        free(orig);
    }
    CHECK(parsed > 0);
}

static void too_many_stages(libdbm_context *ctx)
{
    char *text = malloc(64 * 1024);
    int i;
    CHECK(text != NULL);
    strcpy(text, "campaign big\nentry event go\n");
    for (i = 0; i < 33; i++)
        sprintf(text + strlen(text), "stage s%d channel email content c\n", i);
    bad(ctx, text, LIBDBM_ELIMIT, 35, 7, "more than 32 stages");
    free(text);
}

int main(int argc, char **argv)
{
    libdbm_context *ctx;
    libdbm_campaign *c;
    CHECK(argc == 2);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    round_trip(ctx, argv[1], "spring_offer.campaign");
    round_trip(ctx, argv[1], "cruise_series.campaign");
    round_trip(ctx, argv[1], "lease_end.campaign");
    round_trip(ctx, argv[1], "fraud_alert.campaign");
    round_trip(ctx, argv[1], "new_baby.campaign");
    builder_matches_text(ctx);
    too_many_stages(ctx);
    mutations(ctx, argv[1]);

    bad(ctx, "", LIBDBM_ESYNTAX, 1, 1, "expected campaign NAME");
    bad(ctx, "# only a comment\n\nentry event x\n", LIBDBM_ESYNTAX, 3, 1, "campaign NAME first");
    bad(ctx, "campaign a b\n", LIBDBM_ESYNTAX, 1, 12, "expected end of line, found 'b'");
    bad(ctx, "campaign x\nentry event go\n", LIBDBM_ESYNTAX, 1, 1, "no stage");
    bad(ctx, "campaign x\nstage s channel email content c\n", LIBDBM_ESYNTAX, 1, 1, "no entry");
    bad(ctx, "campaign x\nentry sometimes\n", LIBDBM_ESYNTAX, 2, 7,
        "expected segment, event or continuous, found 'sometimes'");
    bad(ctx, "campaign x\nentry segment \"frequency >= \"\n", LIBDBM_ESYNTAX, 2, 29,
        "in the segment expression");
    bad(ctx, "campaign x\nentry segment \"unterminated\n", LIBDBM_ESYNTAX, 2, 15,
        "unterminated string");
    bad(ctx, "campaign x\nentry event go\nat entry + 1d\n", LIBDBM_ESYNTAX, 3, 1,
        "a stage line before");
    bad(ctx, "campaign x\nentry event go\nstage s channel email content c\n  at entry + 7x\n",
        LIBDBM_ESYNTAX, 4, 14, "a duration");
    bad(ctx, "campaign x\nentry event go\nstage s channel email content c\n  at entry - 7d\n",
        LIBDBM_ESYNTAX, 4, 12, "only a date");
    bad(ctx, "campaign x\nentry event go\nstage s channel email content c\n  at entry + 99999d\n",
        LIBDBM_ESYNTAX, 4, 14, "out of range");
    bad(ctx, "campaign x\nentry event go\nstage s channel Email content c\n", LIBDBM_ESYNTAX, 3,
        7, "channel");
    bad(ctx, "campaign x\nentry event go\nstage s channel all content c\n", LIBDBM_ESYNTAX, 3,
        7, "stage channel 'all'");
    bad(ctx, "campaign x\nentry event go\nstage s channel email content c\n  window 9-17\n",
        LIBDBM_ESYNTAX, 4, 10, "a window such as 09:00-18:00");
    bad(ctx, "campaign x\nentry event go\nstage s channel email content c\n  if no_response\n",
        LIBDBM_ESYNTAX, 4, 6, "no_response on the first stage");
    bad(ctx, "campaign x\nentry event go\nholdout 95%\nstage s channel email content c\n",
        LIBDBM_ESYNTAX, 3, 9, "outside [0, 0.9]");
    bad(ctx, "campaign x\nentry event go\nstage s channel email content c\nstage s channel sms content d\n",
        LIBDBM_ESYNTAX, 4, 7, "two stages named 's'");
    bad(ctx, "campaign x\nentry event go\nfrobnicate\n", LIBDBM_ESYNTAX, 3, 1, "a statement");
    bad(ctx, "campaign x\nentry event go\ntimezone Mars/Olympus\n", LIBDBM_ESYNTAX, 3, 10, "Mars");
    bad(ctx, "campaign \xc3\xa9t\xc3\xa9\n", LIBDBM_ESYNTAX, 1, 10, "campaign name");
    bad(ctx, "campaign x\nentry event go\nstage s channel email content c\n  at 2026-02-30\n",
        LIBDBM_ESYNTAX, 4, 6, "a time such as");
    bad(ctx, "campaign x\nentry event go\ndeadline 9999-12-31T23:00:00Z\nstage s channel email content c\n  at 9999-12-31T12:00:00Z + 2d\n",
        LIBDBM_ESYNTAX, 5, 6, "outside years 1 to 9999");
    /* A good definition leaves no error position behind. */
    CHECK_OK(libdbm_campaign_parse(&c, ctx, "campaign ok\nentry event go\nstage s channel email content c\n"));
    CHECK(libdbm_campaign_last_error(ctx, NULL, NULL) == LIBDBM_OK);
    libdbm_campaign_free(c);
    libdbm_context_free(ctx);
    return 0;
}
