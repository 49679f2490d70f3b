/* Random policies, histories and requests: libdbm_policy_check must give
 * the brute-force reference's verdict and defer time in every case, for
 * the policy made by builder calls and the one parsed from text, and both
 * must print the same canonical text. Usage: test [cases] [seed]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ref_policy.h"

/* At most this many contact rows per random customer. */
#define ROWS 48

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic for a seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static int pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

static const char *const zones[] = { "UTC", "America/New_York", "Europe/Berlin",
                                     "America/Sao_Paulo", "Australia/Lord_Howe",
                                     "Asia/Kathmandu" };
static const char *const channels[] = { "email", "sms", "push" };
static const char *const campaigns[] = { "unitA/spring", "unitB/news", "plain", "unitA/x" };
static const char *const units[] = { "unitA", "unitB" };

static const char *maybe_channel(void)
{
    return pick(3) == 0 ? NULL : channels[pick(2)];
}

static void random_cap(ref_cap *c)
{
    static const int64_t spans[] = { 3600, 6 * 3600, 86400, 2 * 86400, 7 * 86400, 90 * 60 };
    memset(c, 0, sizeof(*c));
    c->channel = maybe_channel();
    c->unit = pick(5) == 0 ? units[pick(2)] : NULL;
    c->window = pick(3) == 0 ? 1 + pick(3) : LIBDBM_WINDOW_ROLLING;
    c->seconds = c->window == LIBDBM_WINDOW_ROLLING ? spans[pick(6)] : 0;
    c->limit = pick(12) == 0 ? 0 : 1 + pick(3);
    if (pick(5) == 0 && c->limit > 0) {
        c->reserve = 1 + pick((int)c->limit);
        c->reserve_priority = pick(4);
    }
}

/* A scope (channel, unit, window) appears at most once per section. */
static int duplicate_cap(const ref_section *s, const ref_cap *c)
{
    for (int i = 0; i < s->n_caps; i++) {
        const ref_cap *o = &s->caps[i];
        if (o->channel == c->channel && o->unit == c->unit && o->window == c->window &&
            o->seconds == c->seconds)
            return 1;
    }
    return 0;
}

static void random_section(ref_section *s, int max_caps)
{
    int n = pick(max_caps + 1);
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < n; i++) {
        ref_cap c;
        random_cap(&c);
        if (!duplicate_cap(s, &c))
            s->caps[s->n_caps++] = c;
    }
    n = pick(3);
    for (int i = 0; i < n; i++) {
        const char *ch = maybe_channel();
        int dup = 0;
        for (int j = 0; j < s->n_gaps; j++)
            dup |= s->gaps[j].channel == ch;
        if (!dup) {
            s->gaps[s->n_gaps].channel = ch;
            s->gaps[s->n_gaps++].seconds = (int64_t)(1 + pick(36)) * 1800;
        }
    }
}

static void random_policy(ref_policy *p)
{
    memset(p, 0, sizeof(*p));
    random_section(&p->base, 4);
    p->has_override = pick(3) == 0;
    if (p->has_override)
        random_section(&p->over, 2);
    if (pick(2) == 0) {
        p->fatigue_channel = maybe_channel();
        p->fatigue_n = 1 + pick(4);
        p->fatigue_action = pick(2) ? LIBDBM_FATIGUE_PAUSE : LIBDBM_FATIGUE_HALVE;
        p->fatigue_pause = p->fatigue_action == LIBDBM_FATIGUE_PAUSE
                               ? (int64_t)(1 + pick(96)) * 3600 : 0;
    }
    p->responses = pick(3) == 0 ? (1u << LIBDBM_OUTCOME_OPENED) | (1u << LIBDBM_OUTCOME_CLICKED)
                                : (1u << LIBDBM_OUTCOME_CLICKED) |
                                  (1u << LIBDBM_OUTCOME_RESPONDED) |
                                  (1u << LIBDBM_OUTCOME_CONVERTED);
    p->consent_unknown_allow = pick(4) != 0;
    p->stale_days = pick(10) == 0 ? 30 + pick(60) : 0;
    if (pick(2) == 0) {
        p->quiet_start = pick(96) * 15;
        p->quiet_end = pick(96) * 15;
    }
    p->weekdays = pick(3) == 0 ? (uint32_t)(1 + pick(127)) : 0x7Fu;
    p->zone = zones[pick(6)];
    p->horizon_days = 2 + pick(12);
    if (pick(3) == 0) {
        p->priority_campaign = "unitA/spring";
        p->campaign_priority = pick(5);
    }
}

static int64_t random_base_time(void)
{
    /* 2012-01-01 .. about 2024, minute-aligned */
    return 1325376000LL + (int64_t)pick(12 * 365) * 86400 + (int64_t)pick(1440) * 60;
}

static void random_customer(ref_customer *c, int64_t now, const char *channel)
{
    static const int outcomes[] = { LIBDBM_OUTCOME_SENT, LIBDBM_OUTCOME_SENT,
                                    LIBDBM_OUTCOME_SENT, LIBDBM_OUTCOME_SENT,
                                    LIBDBM_OUTCOME_OPENED, LIBDBM_OUTCOME_CLICKED,
                                    LIBDBM_OUTCOME_RESPONDED, LIBDBM_OUTCOME_DELIVERED,
                                    LIBDBM_OUTCOME_CONVERTED };
    int n = pick(ROWS / 2) + (pick(4) == 0 ? ROWS / 2 : 0);
    memset(c, 0, sizeof(*c));
    c->zone = pick(3) == 0 ? zones[pick(6)] : NULL;
    c->gold = pick(2);
    c->has_address = pick(40) != 0;
    c->invalid = pick(50) == 0;
    c->suppressed = pick(50) == 0;
    c->verified_at = pick(5) == 0 ? 0 : now - (int64_t)pick(120) * 86400;
    c->consent = pick(8) == 0 ? LIBDBM_CONSENT_UNKNOWN
                 : pick(30) == 0 ? LIBDBM_CONSENT_DENIED : LIBDBM_CONSENT_GRANTED;
    c->consent_at = now - (int64_t)pick(60) * 86400;
    /* Rows over the last 40 days and a few after the request (a check
     * at a past moment, or contacts already scheduled). */
    for (int i = 0; i < n; i++) {
        ref_row *row = &c->rows[i];
        row->time = now - (int64_t)pick(40 * 1440) * 60 + (pick(8) == 0 ? pick(6 * 1440) * 60 : 0);
        row->channel = pick(3) ? channel : channels[pick(3)];
        row->campaign = campaigns[pick(4)];
        row->outcome = pick(300) == 0 ? LIBDBM_OUTCOME_UNSUBSCRIBED : outcomes[pick(9)];
    }
    /* insertion sort by time (stable) */
    for (int i = 1; i < n; i++) {
        ref_row r = c->rows[i];
        int j = i;
        for (; j > 0 && c->rows[j - 1].time > r.time; j--)
            c->rows[j] = c->rows[j - 1];
        c->rows[j] = r;
    }
    c->n_rows = n;
}

static void load_store(libdbm_store *store, const ref_customer *c, const char *channel)
{
    CHECK_OK(libdbm_store_profile_ensure(store, NULL, "c"));
    CHECK_OK(libdbm_store_attr_set_string(store, "c", "tier", c->gold ? "gold" : "silver"));
    if (c->zone != NULL)
        CHECK_OK(libdbm_store_attr_set_string(store, "c", "timezone", c->zone));
    if (c->has_address) {
        CHECK_OK(libdbm_store_channel_set_address(store, "c", channel, "addr@example.com",
                                                  c->verified_at));
        if (c->invalid)
            CHECK_OK(libdbm_store_channel_set_invalid(store, "c", channel, 1, 1));
        if (c->suppressed) {
            CHECK_OK(libdbm_store_channel_set_address(store, "ghost", channel,
                                                      "addr@example.com", 0));
            CHECK_OK(libdbm_store_erase(store, "ghost", 1));
        }
    }
    if (c->consent != LIBDBM_CONSENT_UNKNOWN)
        CHECK_OK(libdbm_store_consent_record(store, "c", channel, NULL, c->consent,
                                             c->consent_at, "test", "v1"));
    for (int i = 0; i < c->n_rows; i++)
        CHECK_OK(libdbm_store_contact_add(store, "c", c->rows[i].time, c->rows[i].channel,
                                          c->rows[i].campaign, 0, c->rows[i].outcome));
}

static void print_case(const ref_policy *p, const ref_customer *c, const ref_request *r)
{
    char text[8192];
    ref_text(p, text, sizeof(text));
    fprintf(stderr, "policy:\n%s\nrequest: %s unit=%s campaign=%s class=%s priority=%d t=%lld\n",
            text, r->channel, r->unit ? r->unit : "-", r->campaign ? r->campaign : "-",
            r->transactional ? "transactional" : "marketing", (int)r->priority,
            (long long)r->time);
    fprintf(stderr, "customer: zone=%s gold=%d address=%d invalid=%d suppressed=%d "
            "verified=%lld consent=%d@%lld\n", c->zone ? c->zone : "-", c->gold,
            c->has_address, c->invalid, c->suppressed, (long long)c->verified_at, c->consent,
            (long long)c->consent_at);
    for (int i = 0; i < c->n_rows; i++)
        fprintf(stderr, "  row %lld %s %s %d\n", (long long)c->rows[i].time, c->rows[i].channel,
                c->rows[i].campaign, c->rows[i].outcome);
}

static int compare(libdbm_policy_answer *a, const ref_answer *want)
{
    if (libdbm_policy_answer_verdict(a) != want->verdict)
        return 0;
    if (want->verdict != LIBDBM_POLICY_DENY)
        return libdbm_policy_answer_until(a) == want->until;
    return want->static_rule == NULL || strcmp(libdbm_policy_answer_rule(a), want->static_rule) == 0;
}

static int run_case(libdbm_context *ctx, libdbm_policy_answer *answer, int index, int *counts)
{
    ref_policy p;
    ref_customer c;
    ref_request r;
    ref_answer want;
    libdbm_policy *built = NULL, *parsed = NULL;
    libdbm_store *store = NULL;
    libdbm_policy_request req = LIBDBM_POLICY_REQUEST_INIT;
    char text[8192], *canon_built = NULL, *canon_parsed = NULL;
    int ok;

    random_policy(&p);
    memset(&r, 0, sizeof(r));
    r.channel = channels[pick(2)];
    r.unit = pick(2) ? units[pick(2)] : NULL;
    r.campaign = pick(2) ? "unitA/spring" : NULL;
    r.transactional = pick(10) == 0;
    r.priority = pick(4);
    r.time = random_base_time();
    random_customer(&c, r.time, r.channel);

    CHECK_OK(ref_build(&built, ctx, &p));
    ref_text(&p, text, sizeof(text));
    if (libdbm_policy_parse(&parsed, ctx, text) != LIBDBM_OK) {
        fprintf(stderr, "case %d: parse failed: %s\n%s\n", index, libdbm_context_errmsg(ctx),
                text);
        return 0;
    }
    CHECK_OK(libdbm_policy_to_string(built, &canon_built));
    CHECK_OK(libdbm_policy_to_string(parsed, &canon_parsed));
    if (strcmp(canon_built, canon_parsed) != 0) {
        fprintf(stderr, "case %d: canonical texts differ:\n%s\n---\n%s\n", index, canon_built,
                canon_parsed);
        return 0;
    }

    CHECK_OK(libdbm_store_open(&store, ctx, NULL, NULL));
    load_store(store, &c, r.channel);
    ref_check(ctx, &p, &c, &r, &want);

    req.customer_id = "c";
    req.channel = r.channel;
    req.business_unit = r.unit;
    req.campaign = r.campaign;
    req.message_class = r.transactional ? LIBDBM_MESSAGE_TRANSACTIONAL : LIBDBM_MESSAGE_MARKETING;
    req.priority = r.priority;
    req.time = r.time;
    CHECK_OK(libdbm_policy_check(index % 2 ? built : parsed, answer, store, &req));
    ok = compare(answer, &want);
    if (!ok) {
        print_case(&p, &c, &r);
        fprintf(stderr, "case %d: library %d until %lld rule %s (%s); reference %d until %lld "
                "rule %s\n", index, libdbm_policy_answer_verdict(answer),
                (long long)libdbm_policy_answer_until(answer), libdbm_policy_answer_rule(answer),
                libdbm_policy_answer_reason(answer), want.verdict, (long long)want.until,
                want.static_rule ? want.static_rule : "-");
    }
    counts[want.verdict]++;
    counts[0] += want.static_rule != NULL;
    libdbm_store_close(store);
    libdbm_free_string(canon_built);
    libdbm_free_string(canon_parsed);
    libdbm_policy_free(built);
    libdbm_policy_free(parsed);
    return ok;
}

int main(int argc, char **argv)
{
    int cases = argc > 1 ? atoi(argv[1]) : 5000;
    int failures = 0, counts[4] = { 0, 0, 0, 0 };
    libdbm_context *ctx;
    libdbm_policy_answer *answer;
    int32_t off;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261123ULL;
    if (rng_state == 0)
        rng_state = 1;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    if (libdbm_tz_offset(ctx, &off, "Australia/Lord_Howe", 0) != LIBDBM_OK) {
        fprintf(stderr, "no zoneinfo: skipped\n");
        return 77;
    }
    CHECK_OK(libdbm_policy_answer_new(&answer, ctx));
    for (int i = 0; i < cases && failures < 5; i++)
        failures += !run_case(ctx, answer, i, counts);
    printf("%d cases: %d allow, %d deny (%d by a static rule), %d defer; %d mismatches\n",
           cases, counts[LIBDBM_POLICY_ALLOW], counts[LIBDBM_POLICY_DENY], counts[0],
           counts[LIBDBM_POLICY_DEFER], failures);
    libdbm_policy_answer_free(answer);
    libdbm_context_free(ctx);
    return failures == 0 ? 0 : 1;
}
