/* The allocation-failure sweep over parsing (with an override and a time
 * zone), building, printing, check, check-and-record and explain: every
 * run ends in OK or ENOMEM and leaks nothing. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "failalloc.h"

static const char *const text =
    "cap email 2 per 7d\ncap all 3 per calendar week unit sales\ngap all 12h\n"
    "fatigue email after 5 unanswered pause 30d\nquiet 21:00-08:00\nweekdays mon-fri\n"
    "timezone default \"Europe/Berlin\"\npriority \"spring\" 3\n"
    "override gold when attr.tier == \"gold\" and purchases(last 90d) >= 1 {\n"
    "  cap email 4 per 7d\n}\n";

static int scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    libdbm_policy *p = NULL, *q = NULL;
    libdbm_policy_builder *b = NULL;
    libdbm_policy_answer *a = NULL;
    libdbm_store *s = NULL;
    libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
    char *canon = NULL, *json = NULL;
    int status = libdbm_context_new(&ctx, options);
    (void)user_data;
    if (status != LIBDBM_OK)
        return status;
    r.customer_id = "c";
    r.channel = "email";
    r.campaign = "spring";
    r.business_unit = "sales";
    r.time = 1700000000;
    if ((status = libdbm_policy_parse(&p, ctx, text)) != LIBDBM_OK ||
        (status = libdbm_policy_to_string(p, &canon)) != LIBDBM_OK ||
        (status = libdbm_policy_builder_new(&b, ctx)) != LIBDBM_OK ||
        (status = libdbm_policy_builder_begin_override(b, "o", "attr.x == 1")) != LIBDBM_OK ||
        (status = libdbm_policy_builder_add_gap(b, NULL, 3600)) != LIBDBM_OK ||
        (status = libdbm_policy_builder_end_override(b)) != LIBDBM_OK ||
        (status = libdbm_policy_builder_set_campaign_priority(b, "x", 1)) != LIBDBM_OK ||
        (status = libdbm_policy_builder_build(&q, b)) != LIBDBM_OK ||
        (status = libdbm_policy_answer_new(&a, ctx)) != LIBDBM_OK ||
        (status = libdbm_store_open(&s, ctx, NULL, NULL)) != LIBDBM_OK ||
        (status = libdbm_store_channel_set_address(s, "c", "email", "c@x.org", 1)) != LIBDBM_OK ||
        (status = libdbm_store_consent_record(s, "c", "email", NULL, LIBDBM_CONSENT_GRANTED,
                                              1, "f", "v")) != LIBDBM_OK ||
        (status = libdbm_store_attr_set_string(s, "c", "timezone", "America/New_York")) !=
            LIBDBM_OK ||
        (status = libdbm_policy_check_and_record(p, a, s, &r)) != LIBDBM_OK ||
        (status = libdbm_policy_check(q, a, s, &r)) != LIBDBM_OK ||
        (status = libdbm_policy_explain(p, &json, s, &r)) != LIBDBM_OK)
        goto done;
    CHECK(strstr(canon, "override gold when") != NULL);
    CHECK(strstr(json, "\"rules\":[") != NULL);
done:
    libdbm_free_string(canon);
    libdbm_free_string(json);
    libdbm_store_close(s);
    libdbm_policy_answer_free(a);
    libdbm_policy_free(p);
    libdbm_policy_free(q);
    libdbm_policy_builder_free(b);
    libdbm_context_free(ctx);
    return status;
}

int main(void)
{
    libdbm_context *ctx;
    int32_t off;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    if (libdbm_tz_offset(ctx, &off, "Europe/Berlin", 0) != LIBDBM_OK) {
        fprintf(stderr, "no zoneinfo: skipped\n");
        return 77;
    }
    libdbm_context_free(ctx);
    failalloc_sweep_or_die("policy parse, build, check and record", scenario, NULL, 5000);
    puts("policy-failalloc: ok");
    return 0;
}
