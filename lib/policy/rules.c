/* The rules of a policy as they apply to one request: which apply, the
 * verdict of each static rule, and each time rule's earliest allowed
 * moment. A time rule's verdict at a moment depends only on the contact
 * rows at or before it, so it can change only when a row enters or leaves
 * its window, or when the local clock crosses a boundary; each function
 * jumps from one such event to the next until the rule allows. */
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "store_columns.h"

const char *const dbmi_pol_rule_names[DBMI_POL_R_COUNT] = {
    "", "suppression", "address", "invalid", "unsubscribe", "consent", "stale",
    "cap", "gap", "fatigue", "quiet_hours", "weekdays", "horizon"
};

static int same_name(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* ---- Which rules apply ------------------------------------------------ */

static int cap_applies(const dbmi_pol_facts *f, const dbmi_pol_cap *c)
{
    return (c->channel == NULL || strcmp(c->channel, f->channel_name) == 0) &&
           (c->unit == NULL || (f->unit != NULL && strcmp(c->unit, f->unit) == 0));
}

static int gap_applies(const dbmi_pol_facts *f, const dbmi_pol_gap *g)
{
    return g->channel == NULL || strcmp(g->channel, f->channel_name) == 0;
}

/* An override replaces the base caps (gaps) of each scope it names. */
static int cap_replaced(const dbmi_pol_section *over, const dbmi_pol_cap *c)
{
    for (size_t i = 0; over != NULL && i < over->n_caps; i++)
        if (same_name(over->caps[i].channel, c->channel) && same_name(over->caps[i].unit, c->unit))
            return 1;
    return 0;
}

static int gap_replaced(const dbmi_pol_section *over, const dbmi_pol_gap *g)
{
    for (size_t i = 0; over != NULL && i < over->n_gaps; i++)
        if (same_name(over->gaps[i].channel, g->channel))
            return 1;
    return 0;
}

int dbmi_pol_next_rule(const dbmi_pol_facts *f, size_t *cursor, dbmi_pol_rule *rule)
{
    const dbmi_pol_spec *sp = &f->policy->spec;
    const dbmi_pol_section *over = f->override ? &f->override->rules : NULL;
    const dbmi_pol_section *base = &sp->base;
    size_t n_over_caps = over ? over->n_caps : 0, n_over_gaps = over ? over->n_gaps : 0;
    if (f->transactional)
        return 0;
    for (;;) {
        size_t i = (*cursor)++;
        memset(rule, 0, sizeof(*rule));
        if (i < n_over_caps) {
            rule->kind = DBMI_POL_R_CAP;
            rule->cap = &over->caps[i];
            if (cap_applies(f, rule->cap))
                return 1;
            continue;
        }
        i -= n_over_caps;
        if (i < base->n_caps) {
            rule->kind = DBMI_POL_R_CAP;
            rule->cap = &base->caps[i];
            if (cap_applies(f, rule->cap) && !cap_replaced(over, rule->cap))
                return 1;
            continue;
        }
        i -= base->n_caps;
        if (i < n_over_gaps) {
            rule->kind = DBMI_POL_R_GAP;
            rule->gap = &over->gaps[i];
            if (gap_applies(f, rule->gap))
                return 1;
            continue;
        }
        i -= n_over_gaps;
        if (i < base->n_gaps) {
            rule->kind = DBMI_POL_R_GAP;
            rule->gap = &base->gaps[i];
            if (gap_applies(f, rule->gap) && !gap_replaced(over, rule->gap))
                return 1;
            continue;
        }
        i -= base->n_gaps;
        if (i == 0 && f->fatigue != NULL && f->fatigue->action == LIBDBM_FATIGUE_PAUSE) {
            rule->kind = DBMI_POL_R_FATIGUE;
            return 1;
        }
        if (i == 1 && sp->quiet_start != sp->quiet_end) {
            rule->kind = DBMI_POL_R_QUIET;
            return 1;
        }
        if (i == 2 && sp->weekdays != 0x7Fu) {
            rule->kind = DBMI_POL_R_WEEKDAYS;
            return 1;
        }
        if (i > 2)
            return 0;
    }
}

/* ---- Static rules ----------------------------------------------------- */

int dbmi_pol_static_allows(const dbmi_pol_facts *f, int kind)
{
    const dbmi_pol_spec *sp = &f->policy->spec;
    switch (kind) {
    case DBMI_POL_R_SUPPRESSION:
        return !f->suppressed;
    case DBMI_POL_R_ADDRESS:
        return f->state != NULL;
    case DBMI_POL_R_INVALID:
        return f->state == NULL || !f->state->invalid;
    case DBMI_POL_R_UNSUBSCRIBE:
        return f->unsubscribed_at == 0;
    case DBMI_POL_R_CONSENT:
        if (f->consent != NULL && f->consent->state == LIBDBM_CONSENT_DENIED)
            return 0;
        if (f->consent != NULL && f->consent->state == LIBDBM_CONSENT_GRANTED)
            return 1;
        return f->transactional || sp->consent_unknown_allow;
    case DBMI_POL_R_STALE:
        return f->transactional || sp->stale_days == 0 || f->state == NULL ||
               (f->state->verified_at != 0 &&
                f->time - f->state->verified_at <= (int64_t)sp->stale_days * DBMI_POL_DAY);
    default:
        return 1;
    }
}

/* ---- Contact rows ----------------------------------------------------- */

size_t dbmi_pol_first_after(const dbmi_pol_facts *f, int64_t t)
{
    size_t lo = 0, hi = f->n_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->rows[mid].time <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int on_channel(const dbmi_pol_facts *f, const dbmi_contact *r)
{
    return f->has_channel && r->channel == f->channel;
}

/* The business unit of a row is its campaign's prefix before '/'. */
static int in_unit(const dbmi_pol_facts *f, const dbmi_contact *r, const char *unit)
{
    const char *campaign = dbmi_store_name_text(f->store, r->campaign);
    size_t n = strlen(unit);
    return campaign != NULL && strncmp(campaign, unit, n) == 0 && campaign[n] == '/';
}

static int counts_for_cap(const dbmi_pol_facts *f, const dbmi_pol_cap *c, const dbmi_contact *r)
{
    return r->outcome == LIBDBM_OUTCOME_SENT && (c->channel == NULL || on_channel(f, r)) &&
           (c->unit == NULL || in_unit(f, r, c->unit));
}

static int is_response(const dbmi_pol_facts *f, const dbmi_contact *r)
{
    return r->outcome > 0 && r->outcome < 32 &&
           (f->policy->spec.responses & LIBDBM_OUTCOME_BIT(r->outcome)) != 0;
}

/* The unanswered streak at @p s: the SENT rows on the channel later than
 * its latest response, both at or before s. Returns the length and the
 * index from which the streak's rows follow. */
static size_t streak(const dbmi_pol_facts *f, int64_t s, size_t *from)
{
    size_t end = dbmi_pol_first_after(f, s), begin = 0, k = 0;
    for (size_t i = end; i > 0; i--)
        if (on_channel(f, &f->rows[i - 1]) && is_response(f, &f->rows[i - 1])) {
            begin = dbmi_pol_first_after(f, f->rows[i - 1].time);
            break;
        }
    for (size_t i = begin; i < end; i++)
        k += on_channel(f, &f->rows[i]) && f->rows[i].outcome == LIBDBM_OUTCOME_SENT;
    *from = begin;
    return k;
}

/* The time of the @p m-th (1-based) SENT row on the channel from @p from. */
static int64_t streak_row_time(const dbmi_pol_facts *f, size_t from, size_t m)
{
    for (size_t i = from; i < f->n_rows; i++)
        if (on_channel(f, &f->rows[i]) && f->rows[i].outcome == LIBDBM_OUTCOME_SENT && --m == 0)
            return f->rows[i].time;
    return DBMI_POL_NEVER;      /* unreachable for m <= the streak */
}

/* Whether the cap's limit can change over time: only fatigue's halving
 * does, and between two responses only downwards (the streak grows). */
static int limit_may_change(const dbmi_pol_facts *f, const dbmi_pol_cap *c)
{
    return c->channel != NULL && f->fatigue != NULL &&
           f->fatigue->action == LIBDBM_FATIGUE_HALVE;
}

/* The first response on the channel after @p s: the next moment a streak
 * resets (a pause ends early, a halved cap is whole again). */
static int64_t next_response_time(const dbmi_pol_facts *f, int64_t s)
{
    for (size_t i = dbmi_pol_first_after(f, s); i < f->n_rows; i++)
        if (on_channel(f, &f->rows[i]) && is_response(f, &f->rows[i]))
            return f->rows[i].time;
    return DBMI_POL_NEVER;
}

static int halved(const dbmi_pol_facts *f, const dbmi_pol_cap *c, int64_t s)
{
    size_t from;
    return limit_may_change(f, c) && streak(f, s, &from) >= (size_t)f->fatigue->unanswered;
}

/* The cap's limit for this request at @p s: halved under fatigue (at
 * least 1 of a non-zero limit), less the reserve a low priority may not
 * use. */
static int64_t cap_limit(const dbmi_pol_facts *f, const dbmi_pol_cap *c, int64_t s)
{
    int64_t limit = c->limit;
    if (limit > 0 && halved(f, c, s))
        limit = limit / 2 > 0 ? limit / 2 : 1;
    if (c->reserve > 0 && f->priority < c->reserve_priority)
        limit = limit > c->reserve ? limit - c->reserve : 0;
    return limit;
}

/* A rule that has jumped from event to event DBMI_POL_MAX_STEPS times
 * without finding its moment (only a history with a great many contacts
 * recorded for later moments can do that) gives up: the answer is then
 * "nothing within the horizon", instead of an unbounded search. */
static int64_t beyond_budget(const dbmi_pol_facts *f)
{
    return f->horizon_end + 1;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* ---- Time rules ------------------------------------------------------- */

/* The index of the first row at or after @p i that counts for the cap. */
static size_t next_scoped(const dbmi_pol_facts *f, const dbmi_pol_cap *c, size_t i)
{
    while (i < f->n_rows && !counts_for_cap(f, c, &f->rows[i]))
        i++;
    return i;
}

/* The earliest t >= s at which a rolling cap with a fixed limit L >= 1
 * allows a message. With the scope's rows r_1 <= r_2 <= ..., a window
 * (u - w, u] holds L of them exactly for u in [r_j, r_(j-L+1) + w) for
 * some j (empty when r_j >= r_(j-L+1) + w); a message at t lies in the
 * windows ending in [t, t + w), so it is refused exactly for t in
 * (r_j - w, r_(j-L+1) + w) for the j whose u-interval is not empty. Those
 * intervals come in order of their starts: one sweep finds the first free
 * t. */
static int64_t rolling_sweep(const dbmi_pol_facts *f, const dbmi_pol_cap *c, int64_t s,
                             int64_t limit)
{
    int64_t w = c->window_seconds, t = s;
    /* k runs over r_(j-L+1), i over r_j; intervals ending by s are skipped. */
    size_t k = next_scoped(f, c, dbmi_pol_first_after(f, s - w)), i = k;
    for (int64_t n = 1; n < limit && i < f->n_rows; n++)
        i = next_scoped(f, c, i + 1);
    while (i < f->n_rows) {
        int64_t last = f->rows[i].time, first = f->rows[k].time;
        if (last - w >= t)
            return t;
        /* L rows more than w apart fill no window together. */
        if (last < first + w && t < first + w)
            t = first + w;
        i = next_scoped(f, c, i + 1);
        k = next_scoped(f, c, k + 1);
    }
    return t;
}

static int64_t rolling_cap(const dbmi_pol_facts *f, const dbmi_pol_cap *c, int64_t s)
{
    for (int steps = 0; s <= f->horizon_end; steps++) {
        int64_t limit = cap_limit(f, c, s), t, reset;
        if (steps == DBMI_POL_MAX_STEPS)
            return beyond_budget(f);
        if (!limit_may_change(f, c))
            return limit == 0 ? DBMI_POL_NEVER : rolling_sweep(f, c, s, limit);
        /* Until the next response the limit can only drop, so the sweep
         * with today's limit gives no moment too late: take its answer if
         * the limit still holds there, else look again from there. */
        reset = next_response_time(f, s);
        t = limit == 0 ? DBMI_POL_NEVER : rolling_sweep(f, c, s, limit);
        if (t < reset && cap_limit(f, c, t) == limit)
            return t;
        if (t < reset)
            s = t;
        else if (reset == DBMI_POL_NEVER)
            return DBMI_POL_NEVER;
        else
            s = reset;
    }
    return s;
}

/* Local seconds of a row's time. */
static int64_t local_of(const dbmi_pol_facts *f, int64_t t)
{
    return t + dbmi_tz_offset_at(f->tz, t);
}

/* Rows of the cap's scope whose local time is in [start, end). */
static int64_t count_in_period(const dbmi_pol_facts *f, const dbmi_pol_cap *c, int64_t start,
                               int64_t end)
{
    int64_t count = 0;
    /* Such rows lie within the extreme UTC offsets of the period. */
    for (size_t i = dbmi_pol_first_after(f, start - DBMI_TZ_MAX_OFFSET - 1);
         i < f->n_rows && f->rows[i].time < end - DBMI_TZ_MIN_OFFSET; i++) {
        int64_t local;
        if (!counts_for_cap(f, c, &f->rows[i]))
            continue;
        local = local_of(f, f->rows[i].time);
        count += local >= start && local < end;
    }
    return count;
}

static int64_t calendar_cap(const dbmi_pol_facts *f, const dbmi_pol_cap *c, int64_t s)
{
    for (int steps = 0; s <= f->horizon_end; steps++) {
        if (steps == DBMI_POL_MAX_STEPS)
            return beyond_budget(f);
        int64_t limit = cap_limit(f, c, s), start, end, reset;
        dbmi_pol_period(c->window, local_of(f, s), &start, &end);
        if (count_in_period(f, c, start, end) < limit)
            return s;
        /* The count is fixed within the period and the limit can only
         * drop until a response: the next chance is the next period or
         * the next response. */
        reset = limit_may_change(f, c) ? next_response_time(f, s) : DBMI_POL_NEVER;
        if (limit == 0 && reset == DBMI_POL_NEVER)
            return DBMI_POL_NEVER;
        s = min64(dbmi_pol_period_exit(f->tz, s, f->horizon_end, start, end), reset);
    }
    return s;
}

/* A gap keeps contacts apart both ways: none may lie within gap of the
 * message, before or after it. */
static int64_t gap_rule(const dbmi_pol_facts *f, const dbmi_pol_gap *g, int64_t s)
{
    for (int steps = 0; s <= f->horizon_end; steps++) {
        if (steps == DBMI_POL_MAX_STEPS)
            return beyond_budget(f);
        int64_t last = INT64_MIN;
        for (size_t i = dbmi_pol_first_after(f, s - g->seconds);
             i < f->n_rows && f->rows[i].time < s + g->seconds; i++) {
            const dbmi_contact *r = &f->rows[i];
            if (r->outcome == LIBDBM_OUTCOME_SENT && (g->channel == NULL || on_channel(f, r)))
                last = r->time;
        }
        if (last == INT64_MIN)
            return s;
        s = last + g->seconds;
    }
    return s;
}

static int64_t fatigue_pause(const dbmi_pol_facts *f, int64_t s)
{
    const dbmi_pol_fatigue *fat = f->fatigue;
    size_t n = (size_t)fat->unanswered;
    for (int steps = 0; s <= f->horizon_end; steps++) {
        size_t from, k = streak(f, s, &from);
        int64_t pause_end;
        if (steps == DBMI_POL_MAX_STEPS)
            return beyond_budget(f);
        if (k < n)
            return s;
        pause_end = streak_row_time(f, from, k / n * n) + fat->pause_seconds;
        if (s >= pause_end)
            return s;
        /* Later unanswered contacts only lengthen the pause (looked at
         * again when it ends); a response ends it at once. */
        s = min64(pause_end, next_response_time(f, s));
    }
    return s;
}

int64_t dbmi_pol_earliest(const dbmi_pol_facts *f, const dbmi_pol_rule *rule, int64_t s)
{
    const dbmi_pol_spec *sp = &f->policy->spec;
    switch (rule->kind) {
    case DBMI_POL_R_CAP:
        return rule->cap->window == LIBDBM_WINDOW_ROLLING ? rolling_cap(f, rule->cap, s)
                                                          : calendar_cap(f, rule->cap, s);
    case DBMI_POL_R_GAP:
        return gap_rule(f, rule->gap, s);
    case DBMI_POL_R_FATIGUE:
        return fatigue_pause(f, s);
    case DBMI_POL_R_QUIET:
        return dbmi_pol_after_quiet(f->tz, s, f->horizon_end, sp->quiet_start, sp->quiet_end);
    case DBMI_POL_R_WEEKDAYS:
        return dbmi_pol_allowed_weekday(f->tz, s, f->horizon_end, sp->weekdays);
    default:
        return s;
    }
}
