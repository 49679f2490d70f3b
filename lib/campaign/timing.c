/* When things happen: send windows in the campaign's zone, and whether an
 * entry has converted by a given time. */
#include <string.h>

#include "libdbm.h"
#include "scheduler.h"
#include "store_columns.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t dbmi_camp_time_add(int64_t t, int64_t d)
{
    int64_t sum;
    if (__builtin_add_overflow(t, d, &sum))
        return d > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

/* Beyond year 9999 (and before year 1) windows are not applied: such
 * times are never reached and local times would overflow. */
#define WINDOW_TIME_MIN (-62135596800LL)
#define WINDOW_TIME_MAX 253402300799LL

static int in_window(int32_t minute, int32_t start, int32_t end)
{
    if (start < end)
        return minute >= start && minute < end;
    return minute >= start || minute < end;    /* wraps midnight */
}

int64_t dbmi_camp_window_open(const libdbm_campaign *c, const dbmi_camp_stage_def *s, int64_t t)
{
    int32_t offset, minute;
    int64_t local, midnight, open;
    if (s->window_start < 0 || t < WINDOW_TIME_MIN || t > WINDOW_TIME_MAX)
        return t;
    offset = c->tz ? dbmi_tz_offset_at(c->tz, t) : 0;
    local = t + offset;
    midnight = floor_div(local, 86400) * 86400;
    minute = (int32_t)((local - midnight) / 60);
    if (in_window(minute, s->window_start, s->window_end))
        return t;
    open = midnight + (int64_t)s->window_start * 60;
    if (open <= local)
        open += 86400;
    if (c->tz != NULL) {
        /* Back to UTC with the offset in effect at the opening (a DST change
         * in between moves it); a gap at the opening uses the earlier offset. */
        int64_t earliest, latest;
        if (dbmi_tz_local_to_utc(c->tz, open, &earliest, &latest) > 0)
            return earliest;
    }
    return open - offset;
}

/* A purchase after the entry and by @p until: a purchase day after the
 * entry's UTC day, or the latest purchase when it is after the entry. */
static int purchased(const libdbm_store *store, size_t slot, int64_t entered_at, int64_t until)
{
    const dbmi_purchase_day *days;
    dbmi_store_columns cols;
    size_t n, k;
    int64_t entry_day = floor_div(entered_at, 86400);
    dbmi_store_get_columns(store, &cols);
    if (slot < cols.count && cols.purchase_count[slot] > 0 && cols.last_purchase[slot] > entered_at &&
        cols.last_purchase[slot] <= until)
        return 1;
    dbmi_store_slot_purchase_days(store, slot, &days, &n);
    for (k = n; k-- > 0;) {
        if (days[k].day <= entry_day)
            break;
        if ((int64_t)days[k].day * 86400 <= until)
            return 1;
    }
    return 0;
}

static int event_between(const libdbm_store *store, size_t slot, uint32_t name, int64_t after,
                         int64_t until)
{
    const dbmi_event *rows;
    size_t n, k;
    dbmi_store_slot_events(store, slot, &rows, &n);
    for (k = n; k-- > 0 && rows[k].time > after;)
        if (rows[k].name == name && rows[k].time <= until)
            return 1;
    return 0;
}

int dbmi_camp_converted(const libdbm_store *store, const libdbm_campaign *c, uint32_t event_name,
                        int have_event, size_t slot, const dbmi_camp_entry *e, int64_t now)
{
    int64_t until = dbmi_camp_time_add(e->entered_at, (int64_t)c->window_days * 86400);
    size_t k;
    if (until > now)
        until = now;
    for (k = 0; k < e->n_stages; k++)
        if (e->stages[k].outcomes & (1u << LIBDBM_OUTCOME_CONVERTED))
            return 1;
    switch (c->conversion) {
    case LIBDBM_CAMPAIGN_CONVERT_PURCHASE:
        return purchased(store, slot, e->entered_at, until);
    case LIBDBM_CAMPAIGN_CONVERT_EVENT:
        return have_event && event_between(store, slot, event_name, e->entered_at, until);
    default:
        return 0;
    }
}
