/* Schedulers and entry into a campaign: one customer (enter, trigger), a
 * segment in one batch (enter_segment), the re-entry rule and the
 * deterministic holdout. */
#include <math.h>
#include <string.h>

#include "libdbm.h"
#include "scheduler.h"
#include "store_columns.h"

LIBDBM_API int libdbm_campaign_scheduler_new(libdbm_campaign_scheduler **out,
                                             const libdbm_campaign *campaign,
                                             libdbm_store *store, const libdbm_policy *policy)
{
    libdbm_campaign_scheduler *s;
    libdbm_context *ctx;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || campaign == NULL || store == NULL)
        return LIBDBM_EINVAL;
    ctx = campaign->ctx;
    if (campaign->entry_kind == 0 || campaign->n_stages == 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "campaign '%s' needs an entry rule and a stage",
                          campaign->name);
    s = dbmi_calloc(ctx, 1, sizeof(*s));
    if (s == NULL)
        return dbmi_error_nomem(ctx, "campaign scheduler");
    s->ctx = ctx;
    s->campaign = campaign;
    s->store = store;
    s->policy = policy;
    if (policy != NULL && libdbm_policy_answer_new(&s->answer, ctx) != LIBDBM_OK) {
        dbmi_free(ctx, s);
        return LIBDBM_ENOMEM;
    }
    *out = s;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_campaign_scheduler_free(libdbm_campaign_scheduler *s)
{
    if (s == NULL)
        return;
    libdbm_policy_answer_free(s->answer);
    dbmi_free(s->ctx, s);
}

/* FNV-1a over the fields (each followed by a NUL), then the splitmix64
 * finaliser so that nearby ids spread over the whole range. */
int dbmi_camp_in_holdout(const libdbm_campaign *c, const char *customer_id)
{
    const char *parts[3];
    uint64_t h = 0xcbf29ce484222325u;
    size_t k;
    if (c->holdout <= 0.0)
        return 0;
    parts[0] = customer_id;
    parts[1] = c->name;
    parts[2] = c->salt ? c->salt : "";
    for (k = 0; k < 3; k++) {
        const unsigned char *p = (const unsigned char *)parts[k];
        do {
            h ^= *p;
            h *= 0x100000001b3u;
        } while (*p++ != '\0');
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebu;
    h ^= h >> 31;
    return (double)(h >> 11) * 0x1.0p-53 < c->holdout;
}

int dbmi_camp_may_enter(const libdbm_store *store, const libdbm_campaign *c, uint32_t campaign_name,
                        int have_name, uint32_t slot, int64_t now, uint32_t *number)
{
    const dbmi_model *m = dbmi_store_model(store);
    uint32_t i, highest = 0;
    int64_t last_entered = INT64_MIN;
    int any = 0;
    *number = 1;
    if (!have_name)
        return 1;       /* nobody ever entered */
    for (i = dbmi_camp_first(m, slot); i != DBMI_CAMP_NONE; i = dbmi_camp_entry_at(m, i)->next) {
        const dbmi_camp_entry *e = dbmi_camp_entry_at(m, i);
        if (e->campaign != campaign_name)
            continue;
        if (e->end == DBMI_CAMP_ACTIVE)
            return 0;
        any = 1;
        if (e->origin == NULL && e->number > highest)
            highest = e->number;
        if (e->entered_at > last_entered)
            last_entered = e->entered_at;
    }
    if (highest == UINT32_MAX)
        return 0;
    *number = highest + 1;
    if (!any)
        return 1;
    switch (c->reentry) {
    case LIBDBM_CAMPAIGN_REENTRY_NEVER:
        return 0;
    case LIBDBM_CAMPAIGN_REENTRY_AFTER:
        return dbmi_camp_time_add(last_entered, (int64_t)c->reentry_days * 86400) <= now;
    default:
        return 1;
    }
}

int dbmi_camp_write_enter(libdbm_campaign_scheduler *s, const char *customer_id, size_t slot,
                          uint32_t number, int64_t at)
{
    dbmi_camp_write w;
    memset(&w, 0, sizeof(w));
    w.code = DBMI_CAMP_REC_ENTER;
    w.id = customer_id;
    w.campaign = s->campaign->name;
    w.number = number;
    w.type = dbmi_camp_in_holdout(s->campaign, customer_id);
    w.time = at;
    w.slot_hint = (uint32_t)slot;
    return dbmi_store_campaign_write(s->store, &w);
}

int dbmi_camp_in_batch(libdbm_campaign_scheduler *s, int (*fn)(void *arg), void *arg)
{
    int status = libdbm_store_begin(s->store);
    if (status != LIBDBM_OK)
        return status;
    status = fn(arg);
    if (status != LIBDBM_OK) {
        (void)libdbm_store_rollback(s->store);
        return status;
    }
    return libdbm_store_commit(s->store);
}

/* Enters one customer: re-entry check under the read lock, then the write.
 * The store's gate keeps two schedulers from entering one customer twice. */
static int enter_one(libdbm_campaign_scheduler *s, int *entered, const char *customer_id,
                     int64_t at)
{
    uint32_t name, number;
    size_t slot;
    char *id;
    int have_name, may, status;
    *entered = 0;
    dbmi_store_gate_lock(s->store);
    dbmi_store_read_lock(s->store);
    status = dbmi_store_slot_of_locked(s->store, customer_id, &slot);
    if (status == LIBDBM_OK) {
        have_name = dbmi_store_name_id(s->store, s->campaign->name, strlen(s->campaign->name), &name);
        may = dbmi_camp_may_enter(s->store, s->campaign, name, have_name, (uint32_t)slot, at,
                                  &number);
        id = may ? dbmi_strdup(s->ctx, dbmi_store_slot_id(s->store, slot)) : NULL;
        if (may && id == NULL)
            status = dbmi_error_nomem(s->ctx, "campaign entry");
    } else {
        status = dbmi_error(s->ctx, LIBDBM_ENOTFOUND, "no profile '%s'", customer_id);
        may = 0;
        id = NULL;
    }
    dbmi_store_read_unlock(s->store);
    if (status == LIBDBM_OK && may) {
        status = dbmi_camp_write_enter(s, id, slot, number, at);
        *entered = status == LIBDBM_OK;
    }
    dbmi_store_gate_unlock(s->store);
    dbmi_free(s->ctx, id);
    return status;
}

LIBDBM_API int libdbm_campaign_enter(libdbm_campaign_scheduler *s, int *entered,
                                     const char *customer_id, int64_t now)
{
    int ignored;
    if (entered == NULL)
        entered = &ignored;
    *entered = 0;
    if (s == NULL || customer_id == NULL)
        return LIBDBM_EINVAL;
    return enter_one(s, entered, customer_id, now);
}

LIBDBM_API int libdbm_campaign_trigger(libdbm_campaign_scheduler *s, int *entered,
                                       const char *customer_id, const char *event, int64_t time)
{
    int ignored;
    if (entered == NULL)
        entered = &ignored;
    *entered = 0;
    if (s == NULL || customer_id == NULL || event == NULL)
        return LIBDBM_EINVAL;
    if (s->campaign->entry_kind != LIBDBM_CAMPAIGN_ENTRY_EVENT ||
        strcmp(event, s->campaign->entry_text) != 0)
        return LIBDBM_OK;
    return enter_one(s, entered, customer_id, time);
}

/* ---- batch entry: a segment, or the event sweep -------------------------- */

/* Entries to write, collected under the read lock and written after it
 * is released (a writer must never wait for the lock a reader holds). */
typedef struct batch_entry {
    libdbm_campaign_scheduler *s;
    const libdbm_members *members;  /* NULL: sweep the entry event */
    int64_t now;
    dbmi_buf ids;                   /* NUL-terminated customer ids */
    struct pending_entry {
        int64_t at;
        size_t slot;
        uint32_t number;
    } *items;
    size_t count, capacity;
} batch_entry;

/* The latest entry event of @p slot at or before @p now and after every
 * earlier entry; 0 when there is none. */
static int event_to_enter(const libdbm_store *store, uint32_t event, size_t slot, int64_t now,
                          int64_t after, int64_t *at)
{
    const dbmi_event *rows;
    size_t n, k;
    dbmi_store_slot_events(store, slot, &rows, &n);
    for (k = n; k-- > 0;) {
        if (rows[k].time > now || rows[k].name != event)
            continue;
        if (rows[k].time <= after)
            return 0;
        *at = rows[k].time;
        return 1;
    }
    return 0;
}

/* The latest time any entry of @p slot into the campaign started. */
static int64_t last_entry_time(const libdbm_store *store, uint32_t name, int have_name,
                               uint32_t slot)
{
    const dbmi_model *m = dbmi_store_model(store);
    int64_t last = INT64_MIN;
    uint32_t i;
    if (!have_name)
        return last;
    for (i = dbmi_camp_first(m, slot); i != DBMI_CAMP_NONE; i = dbmi_camp_entry_at(m, i)->next) {
        const dbmi_camp_entry *e = dbmi_camp_entry_at(m, i);
        if (e->campaign == name && e->entered_at > last)
            last = e->entered_at;
    }
    return last;
}

static int collect_one(batch_entry *b, size_t slot, int64_t at, uint32_t number)
{
    const char *id = dbmi_store_slot_id(b->s->store, slot);
    if (dbmi_grow_array(b->s->ctx, (void **)&b->items, &b->capacity, b->count + 1,
                        sizeof(*b->items)) != LIBDBM_OK)
        return LIBDBM_ENOMEM;
    dbmi_buf_put(&b->ids, id, strlen(id) + 1);
    b->items[b->count].at = at;
    b->items[b->count].slot = slot;
    b->items[b->count].number = number;
    b->count++;
    return dbmi_buf_status(&b->ids);
}

/* Who enters, under the read lock. */
static int collect_entries(batch_entry *b)
{
    libdbm_campaign_scheduler *s = b->s;
    const libdbm_campaign *c = s->campaign;
    uint32_t name, number, event = 0;
    int have_name, have_event = 0, status = LIBDBM_OK;
    int64_t slot = -1;
    size_t i, n;
    dbmi_store_read_lock(s->store);
    have_name = dbmi_store_name_id(s->store, c->name, strlen(c->name), &name);
    if (b->members == NULL)
        have_event = dbmi_store_name_id(s->store, c->entry_text, strlen(c->entry_text), &event);
    n = dbmi_store_slot_count(s->store);
    for (i = 0; status == LIBDBM_OK; i++) {
        int64_t at = b->now;
        if (b->members != NULL) {
            if (libdbm_members_next(b->members, &slot) != LIBDBM_OK)
                break;
        } else if (i >= n || !have_event) {
            break;
        } else {
            slot = (int64_t)i;
        }
        if (slot < 0 || (size_t)slot >= n || !dbmi_store_slot_live(s->store, (size_t)slot))
            continue;
        if (b->members == NULL &&
            !event_to_enter(s->store, event, (size_t)slot, b->now,
                            last_entry_time(s->store, name, have_name, (uint32_t)slot), &at))
            continue;
        if (dbmi_camp_may_enter(s->store, c, name, have_name, (uint32_t)slot, at, &number))
            status = collect_one(b, (size_t)slot, at, number);
    }
    dbmi_store_read_unlock(s->store);
    return status;
}

static int write_entries(void *arg)
{
    batch_entry *b = arg;
    const char *id = (const char *)b->ids.data;
    size_t k;
    int status = LIBDBM_OK;
    for (k = 0; k < b->count && status == LIBDBM_OK; k++) {
        status = dbmi_camp_write_enter(b->s, id, b->items[k].slot, b->items[k].number,
                                       b->items[k].at);
        id += strlen(id) + 1;
    }
    return status;
}

int dbmi_camp_enter_batch(libdbm_campaign_scheduler *s, const libdbm_members *members,
                          int64_t now, int64_t *entered)
{
    batch_entry b;
    int status;
    memset(&b, 0, sizeof(b));
    b.s = s;
    b.members = members;
    b.now = now;
    dbmi_buf_init(&b.ids, s->ctx);
    dbmi_store_gate_lock(s->store);
    status = collect_entries(&b);
    if (status == LIBDBM_OK && b.count > 0)
        status = dbmi_camp_in_batch(s, write_entries, &b);
    dbmi_store_gate_unlock(s->store);
    if (entered != NULL)
        *entered = status == LIBDBM_OK ? (int64_t)b.count : 0;
    dbmi_buf_free(&b.ids);
    dbmi_free(s->ctx, b.items);
    return status;
}

LIBDBM_API int libdbm_campaign_enter_segment(libdbm_campaign_scheduler *s, int64_t *entered,
                                             int64_t now)
{
    libdbm_members *members = NULL;
    int status;
    if (entered != NULL)
        *entered = 0;
    if (s == NULL)
        return LIBDBM_EINVAL;
    if (s->campaign->entry_segment == NULL)
        return dbmi_error(s->ctx, LIBDBM_EINVAL, "campaign '%s' does not enter by segment",
                          s->campaign->name);
    status = libdbm_segment_evaluate(&members, s->campaign->entry_segment, s->store, now);
    if (status == LIBDBM_OK)
        status = dbmi_camp_enter_batch(s, members, now, entered);
    libdbm_members_free(members);
    return status;
}
