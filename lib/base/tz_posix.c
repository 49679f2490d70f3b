/*
 * The POSIX TZ rule that ends a TZif file (RFC 8536 section 3.3, with the
 * version 3 extensions: transition times from -167 to 167 hours), such as
 * "EST5EDT,M3.2.0,M11.1.0" or "<+0545>-5:45". It gives the offset for every
 * instant after the file's last transition, whatever the year.
 *
 * A rule's transitions are evaluated as a time-ordered list of events
 * (DST starts / DST ends) of the years around an instant: the offset at t is
 * the one set by the latest event at or before t. Working on events rather
 * than "is t between start and end of its year" keeps the southern
 * hemisphere (end before start), transition times beyond 24 hours or
 * negative (which move an event into the neighbouring year) and permanent
 * DST ("J365/25") correct without special cases.
 */
#include <string.h>

#include "civil_time.h"
#include "tz.h"

/* Instants beyond +-2^55 s (about 1.1 billion years) are evaluated as at the
 * bound, so that no date arithmetic can overflow. */
#define RULE_TIME_BOUND (INT64_C(1) << 55)

typedef struct rule_parser {
    const char *text;
    size_t len;
    size_t pos;
    const char *problem;
} rule_parser;

static int peek(const rule_parser *p)
{
    return p->pos < p->len ? (unsigned char)p->text[p->pos] : -1;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int fail(rule_parser *p, const char *problem)
{
    if (p->problem == NULL)
        p->problem = problem;
    return -1;
}

/* A zone abbreviation: three or more letters, or <...> holding three or more
 * letters, digits, '+' or '-'. */
static int parse_name(rule_parser *p)
{
    size_t start;
    if (peek(p) == '<') {
        p->pos++;
        start = p->pos;
        while (is_alpha(peek(p)) || is_digit(peek(p)) || peek(p) == '+' ||
               peek(p) == '-')
            p->pos++;
        if (peek(p) != '>')
            return fail(p, "unterminated or invalid <quoted> zone abbreviation");
        if (p->pos - start < 3)
            return fail(p, "zone abbreviation shorter than 3 characters");
        p->pos++;
        return 0;
    }
    start = p->pos;
    while (is_alpha(peek(p)))
        p->pos++;
    if (p->pos - start < 3)
        return fail(p, "missing or too short zone abbreviation");
    return 0;
}

/* An unsigned decimal number in [min, max]. */
static int parse_number(rule_parser *p, int min, int max, int *out)
{
    int value = 0;
    if (!is_digit(peek(p)))
        return fail(p, "digit expected");
    while (is_digit(peek(p))) {
        value = value * 10 + (peek(p) - '0');
        if (value > max)
            return fail(p, "number out of range");
        p->pos++;
    }
    if (value < min)
        return fail(p, "number out of range");
    *out = value;
    return 0;
}

/* [+|-]hh[:mm[:ss]] with hh <= max_hours; seconds, sign applied. */
static int parse_hms(rule_parser *p, int max_hours, int32_t *out)
{
    int sign = 1, hours, minutes = 0, seconds = 0;
    if (peek(p) == '+' || peek(p) == '-') {
        sign = peek(p) == '-' ? -1 : 1;
        p->pos++;
    }
    if (parse_number(p, 0, max_hours, &hours) != 0)
        return -1;
    if (peek(p) == ':') {
        p->pos++;
        if (parse_number(p, 0, 59, &minutes) != 0)
            return -1;
        if (peek(p) == ':') {
            p->pos++;
            if (parse_number(p, 0, 59, &seconds) != 0)
                return -1;
        }
    }
    *out = (int32_t)(sign * (hours * 3600 + minutes * 60 + seconds));
    return 0;
}

static int parse_date(rule_parser *p, dbmi_tz_rule_date *date)
{
    memset(date, 0, sizeof(*date));
    if (peek(p) == 'J') {
        p->pos++;
        date->kind = DBMI_TZ_RULE_JULIAN1;
        if (parse_number(p, 1, 365, &date->day) != 0)
            return -1;
    } else if (peek(p) == 'M') {
        p->pos++;
        date->kind = DBMI_TZ_RULE_MONTH;
        if (parse_number(p, 1, 12, &date->month) != 0)
            return -1;
        if (peek(p) != '.')
            return fail(p, "'.' expected in Mm.w.d");
        p->pos++;
        if (parse_number(p, 1, 5, &date->week) != 0)
            return -1;
        if (peek(p) != '.')
            return fail(p, "'.' expected in Mm.w.d");
        p->pos++;
        if (parse_number(p, 0, 6, &date->wday) != 0)
            return -1;
    } else {
        date->kind = DBMI_TZ_RULE_JULIAN0;
        if (parse_number(p, 0, 365, &date->day) != 0)
            return -1;
    }
    date->time = 2 * 3600;
    if (peek(p) == '/') {
        p->pos++;
        if (parse_hms(p, 167, &date->time) != 0)
            return -1;
    }
    return 0;
}

int dbmi_tz_posix_parse(const char *text, size_t len, dbmi_tz_posix *out,
                        const char **problem, size_t *where)
{
    rule_parser p = { text, len, 0, NULL };
    dbmi_tz_posix rule;
    int32_t posix_offset;

    memset(&rule, 0, sizeof(rule));
    if (parse_name(&p) != 0 || parse_hms(&p, 24, &posix_offset) != 0)
        goto bad;
    rule.std_offset = -posix_offset;
    if (p.pos < p.len) {
        rule.has_dst = 1;
        if (parse_name(&p) != 0)
            goto bad;
        rule.dst_offset = rule.std_offset + 3600;
        if (peek(&p) != ',' && peek(&p) != -1) {
            if (parse_hms(&p, 24, &posix_offset) != 0)
                goto bad;
            rule.dst_offset = -posix_offset;
        }
        if (peek(&p) != ',') {
            fail(&p, "daylight saving time without a ',start,end' rule");
            goto bad;
        }
        p.pos++;
        if (parse_date(&p, &rule.start) != 0)
            goto bad;
        if (peek(&p) != ',') {
            fail(&p, "',' expected before the end of daylight saving time");
            goto bad;
        }
        p.pos++;
        if (parse_date(&p, &rule.end) != 0)
            goto bad;
        if (p.pos != p.len) {
            fail(&p, "unexpected characters after the rule");
            goto bad;
        }
    }
    *out = rule;
    return 0;
bad:
    *problem = p.problem ? p.problem : "invalid TZ string";
    *where = p.pos;
    return -1;
}

/* ---- Evaluation ----------------------------------------------------- */

/* Days since the epoch of a rule date in @p year. */
static int64_t rule_day(const dbmi_tz_rule_date *date, int64_t year)
{
    int64_t jan1 = dbmi_days_from_civil(year, 1, 1);
    int64_t first;
    int day;
    switch (date->kind) {
    case DBMI_TZ_RULE_JULIAN1:
        return jan1 + date->day - 1 +
               (dbmi_is_leap_year(year) && date->day >= 60 ? 1 : 0);
    case DBMI_TZ_RULE_JULIAN0:
        return jan1 + date->day;
    default:
        first = dbmi_days_from_civil(year, date->month, 1);
        day = 1 + (date->wday - dbmi_weekday_from_days(first) + 7) % 7 +
              7 * (date->week - 1);
        while (day > dbmi_days_in_month(year, date->month))
            day -= 7;
        return first + day - 1;
    }
}

typedef struct rule_event {
    int64_t at;         /* UTC */
    int32_t offset;     /* the offset from then on */
} rule_event;

#define EVENT_YEARS_BEFORE 2
/* How far an event can fall before January 1 of its year: a transition
 * time of -167 h and an offset of up to 25 h, rounded up to 8 days. */
#define EVENT_REACH (8 * DBMI_SECONDS_PER_DAY)
#define MAX_EVENTS 32

/* The events of years [first, first + years), ordered by time; events at
 * the same instant keep their year-and-rule order (stable insertion). The
 * start time is wall time of standard time, the end time wall time of DST. */
static size_t rule_events(const dbmi_tz_posix *rule, int64_t first, int years,
                          rule_event *events)
{
    size_t n = 0, i, j;
    int y;
    for (y = 0; y < years; y++) {
        int64_t year = first + y;
        events[n].at = rule_day(&rule->start, year) * DBMI_SECONDS_PER_DAY +
                       rule->start.time - rule->std_offset;
        events[n++].offset = rule->dst_offset;
        events[n].at = rule_day(&rule->end, year) * DBMI_SECONDS_PER_DAY +
                       rule->end.time - rule->dst_offset;
        events[n++].offset = rule->std_offset;
    }
    for (i = 1; i < n; i++) {
        rule_event e = events[i];
        for (j = i; j > 0 && events[j - 1].at > e.at; j--)
            events[j] = events[j - 1];
        events[j] = e;
    }
    return n;
}

static int64_t clamp_time(int64_t t)
{
    if (t > RULE_TIME_BOUND)
        return RULE_TIME_BOUND;
    if (t < -RULE_TIME_BOUND)
        return -RULE_TIME_BOUND;
    return t;
}

static int64_t year_of(int64_t t)
{
    int64_t year;
    int month, day;
    dbmi_civil_from_days(dbmi_day_of_time(t), &year, &month, &day);
    return year;
}

int32_t dbmi_tz_posix_offset_at(const dbmi_tz_posix *rule, int64_t t)
{
    rule_event events[MAX_EVENTS];
    int32_t offset;
    size_t n, i;
    if (!rule->has_dst)
        return rule->std_offset;
    t = clamp_time(t);
    /* Events move at most 167 h + 26 h away from their year, so every event
     * of year-2 precedes t and none of year+2 does. */
    n = rule_events(rule, year_of(t) - EVENT_YEARS_BEFORE,
                    EVENT_YEARS_BEFORE + 2, events);
    offset = events[0].offset;
    for (i = 0; i < n && events[i].at <= t; i++)
        offset = events[i].offset;
    return offset;
}

int64_t dbmi_tz_posix_next_change(const dbmi_tz_posix *rule, int64_t t)
{
    rule_event events[MAX_EVENTS];
    int64_t first, trusted;
    int32_t offset;
    size_t n, i;
    if (!rule->has_dst || rule->std_offset == rule->dst_offset ||
        t >= RULE_TIME_BOUND)
        return INT64_MAX;
    t = clamp_time(t);
    /* Twelve years: a rule whose offset changes at all does so every year.
     * Only changes before the earliest possible event of the last year
     * generated are trusted: later ones might be undone by an event of the
     * year after (as DST "all year" written J365/25 is). */
    first = year_of(t) - EVENT_YEARS_BEFORE;
    n = rule_events(rule, first, EVENT_YEARS_BEFORE + 13, events);
    trusted = dbmi_days_from_civil(first + EVENT_YEARS_BEFORE + 12, 1, 1) *
              DBMI_SECONDS_PER_DAY - EVENT_REACH;
    offset = events[0].offset;
    for (i = 0; i < n && events[i].at <= t; i++)
        offset = events[i].offset;
    while (i < n) {
        /* The net offset after every event at this same instant. */
        int64_t at = events[i].at;
        int32_t after = events[i].offset;
        while (i + 1 < n && events[i + 1].at == at)
            after = events[++i].offset;
        i++;
        if (at >= trusted)
            break;
        if (after != offset)
            return at;
    }
    return INT64_MAX;
}
