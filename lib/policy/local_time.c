/* Moments in the customer's own zone, DST-correct. Between two offset
 * transitions local time runs linearly (local = utc + offset), so each
 * question "when does the local clock first satisfy P?" is answered in
 * closed form piece by piece: in the piece holding s, the first local
 * moment at or after local(s) where P holds, converted back with that
 * piece's offset; if that lands past the piece's end, the clock jumped
 * (spring forward, fall back) and the search continues at the transition
 * itself. */
#include "civil_time.h"
#include "evaluate.h"

typedef struct local_rule {
    int (*holds)(const struct local_rule *r, int64_t local);
    /* The first local moment >= @p local at which the rule holds if the
     * clock ran on without a jump (called only where it does not hold). */
    int64_t (*next)(const struct local_rule *r, int64_t local);
    int32_t quiet_start, quiet_end;     /* seconds of the day */
    uint32_t weekdays;
    int64_t start, end;                 /* a period, local seconds */
} local_rule;

static int64_t local_search(const dbmi_tz *tz, int64_t s, int64_t limit, const local_rule *r)
{
    for (;;) {
        int32_t offset = dbmi_tz_offset_at(tz, s);
        int64_t transition, u;
        if (r->holds(r, s + offset))
            return s;
        u = r->next(r, s + offset) - offset;
        transition = dbmi_tz_next_transition(tz, s);
        if (u < transition || transition > limit)
            return u;
        s = transition;
    }
}

/* ---- Quiet hours ------------------------------------------------------ */

static int in_quiet(const local_rule *r, int64_t second_of_day)
{
    if (r->quiet_start < r->quiet_end)
        return second_of_day >= r->quiet_start && second_of_day < r->quiet_end;
    return second_of_day >= r->quiet_start || second_of_day < r->quiet_end;
}

static int outside_quiet(const local_rule *r, int64_t local)
{
    return !in_quiet(r, dbmi_floor_mod(local, DBMI_POL_DAY));
}

static int64_t quiet_end(const local_rule *r, int64_t local)
{
    int64_t midnight = local - dbmi_floor_mod(local, DBMI_POL_DAY);
    /* In quiet hours that span midnight, the evening part ends tomorrow. */
    if (r->quiet_start > r->quiet_end && dbmi_floor_mod(local, DBMI_POL_DAY) >= r->quiet_start)
        midnight += DBMI_POL_DAY;
    return midnight + r->quiet_end;
}

int64_t dbmi_pol_after_quiet(const dbmi_tz *tz, int64_t s, int64_t limit, int32_t quiet_start,
                             int32_t quiet_end_minute)
{
    local_rule r = { outside_quiet, quiet_end, quiet_start * 60, quiet_end_minute * 60, 0, 0,
                     0 };
    return local_search(tz, s, limit, &r);
}

/* ---- Weekdays --------------------------------------------------------- */

static int allowed_day(const local_rule *r, int64_t local)
{
    int weekday = dbmi_weekday_from_days(dbmi_floor_div(local, DBMI_POL_DAY));
    return (r->weekdays & LIBDBM_WEEKDAY_BIT(weekday)) != 0;
}

static int64_t next_allowed_day(const local_rule *r, int64_t local)
{
    int64_t day = dbmi_floor_div(local, DBMI_POL_DAY);
    for (int i = 1; i <= 7; i++)
        if (r->weekdays & LIBDBM_WEEKDAY_BIT(dbmi_weekday_from_days(day + i)))
            return (day + i) * DBMI_POL_DAY;
    return DBMI_POL_NEVER;      /* unreachable: the mask is never empty */
}

int64_t dbmi_pol_allowed_weekday(const dbmi_tz *tz, int64_t s, int64_t limit,
                                 uint32_t weekdays)
{
    local_rule r = { allowed_day, next_allowed_day, 0, 0, weekdays, 0, 0 };
    return local_search(tz, s, limit, &r);
}

/* ---- Calendar periods ------------------------------------------------- */

void dbmi_pol_period(int32_t window, int64_t local, int64_t *start, int64_t *end)
{
    int64_t day = dbmi_floor_div(local, DBMI_POL_DAY), year;
    int month, mday;
    switch (window) {
    case LIBDBM_WINDOW_CALENDAR_WEEK:
        /* ISO weeks start on Monday (weekday 1). */
        day -= (dbmi_weekday_from_days(day) + 6) % 7;
        *start = day * DBMI_POL_DAY;
        *end = (day + 7) * DBMI_POL_DAY;
        return;
    case LIBDBM_WINDOW_CALENDAR_MONTH:
        dbmi_civil_from_days(day, &year, &month, &mday);
        *start = dbmi_days_from_civil(year, month, 1) * DBMI_POL_DAY;
        *end = (month == 12 ? dbmi_days_from_civil(year + 1, 1, 1)
                            : dbmi_days_from_civil(year, month + 1, 1)) * DBMI_POL_DAY;
        return;
    default:
        *start = day * DBMI_POL_DAY;
        *end = (day + 1) * DBMI_POL_DAY;
        return;
    }
}

static int outside_period(const local_rule *r, int64_t local)
{
    return local < r->start || local >= r->end;
}

static int64_t period_end(const local_rule *r, int64_t local)
{
    (void)local;
    return r->end;
}

int64_t dbmi_pol_period_exit(const dbmi_tz *tz, int64_t s, int64_t limit, int64_t start,
                             int64_t end)
{
    local_rule r = { outside_period, period_end, 0, 0, 0, start, end };
    return local_search(tz, s, limit, &r);
}
