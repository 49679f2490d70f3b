/* The brute-force reference: a moment is allowed when every rule, read
 * literally from docs/policy.md, allows it; the answer is the first allowed
 * minute from the request on. No search, no jumps, no binary search:
 * counting rows at each minute. Local times come from the public
 * libdbm_tz_offset and the C library's gmtime_r. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ref_policy.h"

typedef struct ref_ctx {
    libdbm_context *ctx;
    const ref_policy *p;
    const ref_customer *c;
    const ref_request *r;
    const char *zone;
    int64_t row_local[REF_MAX_ROWS];
} ref_ctx;

static int64_t local_of(const ref_ctx *x, int64_t t)
{
    int32_t offset = 0;
    if (libdbm_tz_offset(x->ctx, &offset, x->zone, t) != LIBDBM_OK) {
        fprintf(stderr, "reference: zone %s failed\n", x->zone);
        return t;
    }
    return t + offset;
}

static struct tm fields_of_local(int64_t local)
{
    time_t tt = (time_t)local;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return tm;
}

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int is_response(const ref_policy *p, int outcome)
{
    return (p->responses >> outcome) & 1u;
}

/* The literal streak: SENT rows on the channel later than the latest
 * response, at or before t. Fills the streak rows' times in order. */
static int streak_at(const ref_ctx *x, int64_t t, int64_t *times)
{
    int64_t since = INT64_MIN;
    int k = 0;
    for (int i = 0; i < x->c->n_rows; i++) {
        const ref_row *row = &x->c->rows[i];
        if (row->time <= t && strcmp(row->channel, x->r->channel) == 0 &&
            is_response(x->p, row->outcome) && row->time > since)
            since = row->time;
    }
    for (int i = 0; i < x->c->n_rows; i++) {
        const ref_row *row = &x->c->rows[i];
        if (row->time <= t && row->time > since && strcmp(row->channel, x->r->channel) == 0 &&
            row->outcome == LIBDBM_OUTCOME_SENT)
            times[k++] = row->time;
    }
    return k;
}

static int fatigue_applies(const ref_policy *p, const char *channel)
{
    return p->fatigue_n > 0 && (p->fatigue_channel == NULL ||
                                strcmp(p->fatigue_channel, channel) == 0);
}

/* A priority the policy gives the campaign replaces the request's. */
static int32_t effective_priority(const ref_ctx *x)
{
    if (x->p->priority_campaign != NULL && x->r->campaign != NULL &&
        strcmp(x->p->priority_campaign, x->r->campaign) == 0)
        return x->p->campaign_priority;
    return x->r->priority;
}

static int64_t cap_limit(const ref_ctx *x, const ref_cap *cap, int64_t t)
{
    int64_t limit = cap->limit, times[REF_MAX_ROWS];
    if (cap->channel != NULL && fatigue_applies(x->p, x->r->channel) &&
        x->p->fatigue_action == LIBDBM_FATIGUE_HALVE &&
        streak_at(x, t, times) >= x->p->fatigue_n && limit > 0)
        limit = limit / 2 > 0 ? limit / 2 : 1;
    if (cap->reserve > 0 && effective_priority(x) < cap->reserve_priority) {
        limit -= cap->reserve;
        if (limit < 0)
            limit = 0;
    }
    return limit;
}

static int row_counts(const ref_cap *cap, const ref_row *row)
{
    size_t n;
    if (row->outcome != LIBDBM_OUTCOME_SENT)
        return 0;
    if (cap->channel != NULL && strcmp(cap->channel, row->channel) != 0)
        return 0;
    if (cap->unit == NULL)
        return 1;
    n = strlen(cap->unit);
    return strncmp(row->campaign, cap->unit, n) == 0 && row->campaign[n] == '/';
}

/* The calendar period of a local moment, as one comparable number. */
static int64_t period_of(int window, int64_t local)
{
    struct tm tm = fields_of_local(local);
    int64_t days = (local - (int64_t)(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec)) / 86400;
    switch (window) {
    case LIBDBM_WINDOW_CALENDAR_DAY:
        return days;
    case LIBDBM_WINDOW_CALENDAR_WEEK: {
        /* days from the Monday 1969-12-29 */
        int64_t from_monday = days + 3;
        return from_monday >= 0 ? from_monday / 7 : -((-from_monday + 6) / 7);
    }
    default:
        return (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
    }
}

/* Rows of the cap's scope in the rolling window (u - w, u]. */
static int64_t window_count(const ref_ctx *x, const ref_cap *cap, int64_t u)
{
    int64_t count = 0;
    for (int i = 0; i < x->c->n_rows; i++) {
        const ref_row *row = &x->c->rows[i];
        count += row_counts(cap, row) && row->time > u - cap->seconds && row->time <= u;
    }
    return count;
}

/* A rolling cap allows a message at t when every window (u - w, u] that
 * would hold it (u in [t, t + w)) holds fewer than the limit. Counts only
 * rise at row times, so the windows ending at t and at the rows within
 * (t, t + w) are the ones to look at. */
static int rolling_allows(const ref_ctx *x, const ref_cap *cap, int64_t t)
{
    int64_t limit = cap_limit(x, cap, t);
    if (window_count(x, cap, t) >= limit)
        return 0;
    for (int i = 0; i < x->c->n_rows; i++) {
        const ref_row *row = &x->c->rows[i];
        if (row_counts(cap, row) && row->time > t && row->time < t + cap->seconds &&
            window_count(x, cap, row->time) >= limit)
            return 0;
    }
    return 1;
}

/* A calendar cap counts every row of the period, before or after t. */
static int calendar_allows(const ref_ctx *x, const ref_cap *cap, int64_t t)
{
    int64_t count = 0, period = period_of(cap->window, local_of(x, t));
    for (int i = 0; i < x->c->n_rows; i++)
        count += row_counts(cap, &x->c->rows[i]) &&
                 period_of(cap->window, x->row_local[i]) == period;
    return count < cap_limit(x, cap, t);
}

static int cap_allows(const ref_ctx *x, const ref_cap *cap, int64_t t)
{
    return cap->window == LIBDBM_WINDOW_ROLLING ? rolling_allows(x, cap, t)
                                                : calendar_allows(x, cap, t);
}

/* No contact within the gap before or after t. */
static int gap_allows(const ref_ctx *x, const ref_gap *gap, int64_t t)
{
    for (int i = 0; i < x->c->n_rows; i++) {
        const ref_row *row = &x->c->rows[i];
        if (row->outcome == LIBDBM_OUTCOME_SENT && row->time < t + gap->seconds &&
            row->time > t - gap->seconds &&
            (gap->channel == NULL || strcmp(gap->channel, row->channel) == 0))
            return 0;
    }
    return 1;
}

static int cap_applies(const ref_request *r, const ref_cap *cap)
{
    return (cap->channel == NULL || strcmp(cap->channel, r->channel) == 0) &&
           (cap->unit == NULL || (r->unit != NULL && strcmp(cap->unit, r->unit) == 0));
}

static int overridden_cap(const ref_ctx *x, const ref_cap *cap)
{
    if (!x->p->has_override || !x->c->gold)
        return 0;
    for (int i = 0; i < x->p->over.n_caps; i++)
        if (same_str(x->p->over.caps[i].channel, cap->channel) &&
            same_str(x->p->over.caps[i].unit, cap->unit))
            return 1;
    return 0;
}

static int overridden_gap(const ref_ctx *x, const ref_gap *gap)
{
    if (!x->p->has_override || !x->c->gold)
        return 0;
    for (int i = 0; i < x->p->over.n_gaps; i++)
        if (same_str(x->p->over.gaps[i].channel, gap->channel))
            return 1;
    return 0;
}

static int section_allows(const ref_ctx *x, const ref_section *s, int is_override, int64_t t)
{
    for (int i = 0; i < s->n_caps; i++)
        if (cap_applies(x->r, &s->caps[i]) && (is_override || !overridden_cap(x, &s->caps[i])) &&
            !cap_allows(x, &s->caps[i], t))
            return 0;
    for (int i = 0; i < s->n_gaps; i++) {
        const ref_gap *g = &s->gaps[i];
        if ((g->channel == NULL || strcmp(g->channel, x->r->channel) == 0) &&
            (is_override || !overridden_gap(x, g)) && !gap_allows(x, g, t))
            return 0;
    }
    return 1;
}

static int fatigue_allows(const ref_ctx *x, int64_t t)
{
    int64_t times[REF_MAX_ROWS];
    int k, n = x->p->fatigue_n;
    if (!fatigue_applies(x->p, x->r->channel) || x->p->fatigue_action != LIBDBM_FATIGUE_PAUSE)
        return 1;
    k = streak_at(x, t, times);
    if (k < n)
        return 1;
    return t >= times[(k / n) * n - 1] + x->p->fatigue_pause;
}

static int local_clock_allows(const ref_ctx *x, int64_t t)
{
    struct tm tm = fields_of_local(local_of(x, t));
    int minute = tm.tm_hour * 60 + tm.tm_min;
    int qs = x->p->quiet_start, qe = x->p->quiet_end;
    if (qs != qe) {
        int quiet = qs < qe ? (minute >= qs && minute < qe) : (minute >= qs || minute < qe);
        if (quiet)
            return 0;
    }
    return (x->p->weekdays >> tm.tm_wday) & 1u;
}

static int allowed_at(const ref_ctx *x, int64_t t)
{
    if (!section_allows(x, &x->p->base, 0, t))
        return 0;
    if (x->p->has_override && x->c->gold && !section_allows(x, &x->p->over, 1, t))
        return 0;
    return fatigue_allows(x, t) && local_clock_allows(x, t);
}

static int64_t unsubscribed(const ref_ctx *x)
{
    int64_t at = 0;
    for (int i = 0; i < x->c->n_rows; i++) {
        const ref_row *row = &x->c->rows[i];
        if (row->outcome == LIBDBM_OUTCOME_UNSUBSCRIBED && row->time <= x->r->time &&
            strcmp(row->channel, x->r->channel) == 0 &&
            (x->c->consent == LIBDBM_CONSENT_UNKNOWN || row->time > x->c->consent_at))
            at = row->time;
    }
    return at;
}

static const char *static_refusal(const ref_ctx *x)
{
    const ref_customer *c = x->c;
    if (c->has_address && c->suppressed)
        return "suppression";
    if (!c->has_address)
        return "address";
    if (c->invalid)
        return "invalid";
    if (unsubscribed(x) != 0)
        return "unsubscribe";
    if (c->consent == LIBDBM_CONSENT_DENIED)
        return "consent";
    if (c->consent == LIBDBM_CONSENT_UNKNOWN && !x->r->transactional &&
        !x->p->consent_unknown_allow)
        return "consent";
    if (!x->r->transactional && x->p->stale_days > 0 &&
        (c->verified_at == 0 || x->r->time - c->verified_at > (int64_t)x->p->stale_days * 86400))
        return "stale";
    return NULL;
}

void ref_check(libdbm_context *ctx, const ref_policy *p, const ref_customer *c,
               const ref_request *r, ref_answer *out)
{
    ref_ctx x;
    int64_t end = r->time + (int64_t)p->horizon_days * 86400;
    memset(&x, 0, sizeof(x));
    x.ctx = ctx;
    x.p = p;
    x.c = c;
    x.r = r;
    x.zone = c->zone ? c->zone : p->zone;
    for (int i = 0; i < c->n_rows; i++)
        x.row_local[i] = local_of(&x, c->rows[i].time);
    memset(out, 0, sizeof(*out));
    out->static_rule = static_refusal(&x);
    if (out->static_rule != NULL) {
        out->verdict = LIBDBM_POLICY_DENY;
        return;
    }
    if (r->transactional) {
        out->verdict = LIBDBM_POLICY_ALLOW;
        out->until = r->time;
        return;
    }
    for (int64_t t = r->time; t <= end; t += 60)
        if (allowed_at(&x, t)) {
            out->verdict = t == r->time ? LIBDBM_POLICY_ALLOW : LIBDBM_POLICY_DEFER;
            out->until = t;
            return;
        }
    out->verdict = LIBDBM_POLICY_DENY;
}

/* ---- Turning the model into a libdbm_policy ---------------------------- */

static int build_section(libdbm_policy_builder *b, const ref_section *s)
{
    int status = LIBDBM_OK;
    for (int i = 0; i < s->n_caps && status == LIBDBM_OK; i++) {
        libdbm_policy_cap cap = LIBDBM_POLICY_CAP_INIT;
        cap.channel = s->caps[i].channel;
        cap.business_unit = s->caps[i].unit;
        cap.window = s->caps[i].window;
        cap.window_seconds = s->caps[i].seconds;
        cap.limit = s->caps[i].limit;
        cap.reserve = s->caps[i].reserve;
        cap.reserve_priority = s->caps[i].reserve_priority;
        status = libdbm_policy_builder_add_cap(b, &cap);
    }
    for (int i = 0; i < s->n_gaps && status == LIBDBM_OK; i++)
        status = libdbm_policy_builder_add_gap(b, s->gaps[i].channel, s->gaps[i].seconds);
    return status;
}

int ref_build(libdbm_policy **out, libdbm_context *ctx, const ref_policy *p)
{
    libdbm_policy_builder *b = NULL;
    int status = libdbm_policy_builder_new(&b, ctx);
    if (status == LIBDBM_OK)
        status = build_section(b, &p->base);
    if (status == LIBDBM_OK && p->has_override) {
        status = libdbm_policy_builder_begin_override(b, "gold", "attr.tier == \"gold\"");
        if (status == LIBDBM_OK)
            status = build_section(b, &p->over);
        if (status == LIBDBM_OK)
            status = libdbm_policy_builder_end_override(b);
    }
    if (status == LIBDBM_OK && p->fatigue_n > 0)
        status = libdbm_policy_builder_set_fatigue(b, p->fatigue_channel, p->fatigue_n,
                                                   p->fatigue_action, p->fatigue_pause);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_responses(b, p->responses);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_consent_unknown(b, p->consent_unknown_allow);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_stale_days(b, p->stale_days);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_quiet_hours(b, p->quiet_start, p->quiet_end);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_weekdays(b, p->weekdays);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_default_tz(b, p->zone);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_horizon_days(b, p->horizon_days);
    if (status == LIBDBM_OK && p->priority_campaign != NULL)
        status = libdbm_policy_builder_set_campaign_priority(b, p->priority_campaign,
                                                             p->campaign_priority);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_build(out, b);
    libdbm_policy_builder_free(b);
    return status;
}

typedef struct text_out {
    char *buf;
    size_t size, at;
} text_out;

static void put(text_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text_out *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (o->at >= o->size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->at, o->size - o->at, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->at += (size_t)n;
}

/* Durations in weeks, hours or minutes, picked differently from the
 * canonical printer so the parser sees several units. */
static void put_duration(text_out *o, int64_t seconds)
{
    if (seconds % 604800 == 0)
        put(o, "%lldw", (long long)(seconds / 604800));
    else if (seconds % 3600 == 0)
        put(o, "%lldh", (long long)(seconds / 3600));
    else
        put(o, "%lldm", (long long)(seconds / 60));
}

static void text_section(text_out *o, const ref_section *s)
{
    static const char *const calendar[] = { "", "day", "week", "month" };
    for (int i = 0; i < s->n_caps; i++) {
        const ref_cap *c = &s->caps[i];
        put(o, "  cap %s %lld per ", c->channel ? c->channel : "all", (long long)c->limit);
        if (c->window == LIBDBM_WINDOW_ROLLING)
            put_duration(o, c->seconds);
        else
            put(o, "calendar %s", calendar[c->window]);
        if (c->reserve > 0)
            put(o, " reserve %lld for priority %d", (long long)c->reserve,
                (int)c->reserve_priority);
        if (c->unit != NULL)
            put(o, " unit %s", c->unit);
        put(o, "   # a cap\n");
    }
    for (int i = 0; i < s->n_gaps; i++) {
        put(o, "gap %s ", s->gaps[i].channel ? s->gaps[i].channel : "all");
        put_duration(o, s->gaps[i].seconds);
        put(o, "\n");
    }
}

void ref_text(const ref_policy *p, char *buf, size_t size)
{
    static const char *const outcomes[] = { "", "", "", "opened", "clicked", "responded",
                                            "converted" };
    static const char *const days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
    text_out o = { buf, size, 0 };
    buf[0] = '\0';
    put(&o, "# generated policy\ntimezone default \"%s\"\n", p->zone);
    text_section(&o, &p->base);
    if (p->has_override) {
        put(&o, "\noverride gold when attr.tier == \"gold\" {  # VIPs\n");
        text_section(&o, &p->over);
        put(&o, "}\n");
    }
    if (p->fatigue_n > 0) {
        put(&o, "fatigue %s after %d unanswered ",
            p->fatigue_channel ? p->fatigue_channel : "all", p->fatigue_n);
        if (p->fatigue_action == LIBDBM_FATIGUE_PAUSE) {
            put(&o, "pause ");
            put_duration(&o, p->fatigue_pause);
        } else {
            put(&o, "halve");
        }
        put(&o, "\n");
    }
    put(&o, "responses");
    for (int k = 3; k <= 6; k++)
        if ((p->responses >> k) & 1u)
            put(&o, " %s", outcomes[k]);
    put(&o, "\nconsent unknown %s\n", p->consent_unknown_allow ? "allow" : "deny");
    if (p->stale_days > 0)
        put(&o, "stale after %dd\n", p->stale_days);
    if (p->quiet_start != p->quiet_end)
        put(&o, "quiet %02d:%02d-%02d:%02d\n", p->quiet_start / 60, p->quiet_start % 60,
            p->quiet_end / 60, p->quiet_end % 60);
    put(&o, "weekdays");
    for (int d = 0; d < 7; d++)
        if ((p->weekdays >> d) & 1u)
            put(&o, " %s", days[d]);
    put(&o, "\nhorizon %dd\n", p->horizon_days);
    if (p->priority_campaign != NULL)
        put(&o, "priority \"%s\" %d\n", p->priority_campaign, (int)p->campaign_priority);
}
