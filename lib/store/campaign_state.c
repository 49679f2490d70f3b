/* The campaign scheduler's durable state in the model (campaign_state.h). */
#include <string.h>

#include "campaign_state.h"
#include "model.h"
#include "record.h"

static dbmi_camp_table *table(dbmi_model *m)
{
    return &m->campaigns;
}

uint32_t dbmi_camp_first(const dbmi_model *m, uint32_t slot)
{
    const dbmi_camp_table *t = &m->campaigns;
    return slot < t->n_first ? t->first[slot] : DBMI_CAMP_NONE;
}

const dbmi_camp_entry *dbmi_camp_entry_at(const dbmi_model *m, uint32_t index)
{
    return &m->campaigns.entries[index];
}

static void clear_entry(libdbm_context *ctx, dbmi_camp_entry *e)
{
    dbmi_free(ctx, e->origin);
    dbmi_free(ctx, e->stages);
    memset(e, 0, sizeof(*e));
    e->slot = DBMI_CAMP_NONE;
}

void dbmi_camp_table_free(dbmi_model *m)
{
    dbmi_camp_table *t = table(m);
    size_t i;
    for (i = 0; i < t->n_entries; i++)
        if (t->entries[i].slot != DBMI_CAMP_NONE)
            clear_entry(m->ctx, &t->entries[i]);
    dbmi_free(m->ctx, t->entries);
    dbmi_free(m->ctx, t->first);
    memset(t, 0, sizeof(*t));
}

/* Makes first[] cover @p slot. */
static int cover_slot(dbmi_model *m, uint32_t slot)
{
    dbmi_camp_table *t = table(m);
    size_t need = (size_t)slot + 1, n = t->n_first, cap = t->n_first;
    if (need <= t->n_first)
        return LIBDBM_OK;
    if (dbmi_grow_array(m->ctx, (void **)&t->first, &cap, m->n_slots > need ? m->n_slots : need,
                        sizeof(uint32_t)) != LIBDBM_OK)
        return LIBDBM_ENOMEM;
    for (; n < cap; n++)
        t->first[n] = DBMI_CAMP_NONE;
    t->n_first = cap;
    return LIBDBM_OK;
}

/* A free entry (reused or appended); its index in *index. Entries may move. */
static int take_entry(dbmi_model *m, uint32_t *index)
{
    dbmi_camp_table *t = table(m);
    if (t->free_list != 0) {
        *index = t->free_list - 1;
        t->free_list = t->entries[*index].next;
    } else {
        if (t->n_entries >= DBMI_CAMP_NONE - 1)
            return dbmi_error(m->ctx, LIBDBM_ELIMIT, "too many campaign entries");
        if (dbmi_grow_array(m->ctx, (void **)&t->entries, &t->cap_entries, t->n_entries + 1,
                            sizeof(dbmi_camp_entry)) != LIBDBM_OK)
            return LIBDBM_ENOMEM;
        *index = (uint32_t)t->n_entries++;
    }
    memset(&t->entries[*index], 0, sizeof(dbmi_camp_entry));
    t->entries[*index].next = DBMI_CAMP_NONE;
    t->live++;
    return LIBDBM_OK;
}

static void give_back(dbmi_model *m, uint32_t index)
{
    dbmi_camp_table *t = table(m);
    clear_entry(m->ctx, &t->entries[index]);
    t->entries[index].next = t->free_list;
    t->free_list = index + 1;
    t->live--;
}

/* Appends entry @p index at the end of @p slot's list. */
static void link_last(dbmi_model *m, uint32_t slot, uint32_t index)
{
    dbmi_camp_table *t = table(m);
    uint32_t *at = &t->first[slot];
    while (*at != DBMI_CAMP_NONE)
        at = &t->entries[*at].next;
    *at = index;
    t->entries[index].next = DBMI_CAMP_NONE;
    t->entries[index].slot = slot;
}

static int same_origin(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static dbmi_camp_entry *find_entry(dbmi_model *m, uint32_t slot, uint32_t campaign,
                                   uint32_t number, const char *origin)
{
    dbmi_camp_table *t = table(m);
    uint32_t i;
    for (i = dbmi_camp_first(m, slot); i != DBMI_CAMP_NONE; i = t->entries[i].next) {
        dbmi_camp_entry *e = &t->entries[i];
        if (e->campaign == campaign && e->number == number && same_origin(e->origin, origin))
            return e;
    }
    return NULL;
}

/* Interns @p name, looking at the recently used names first. */
static int intern_recent(dbmi_model *m, const char *name, uint32_t *id)
{
    dbmi_camp_table *t = table(m);
    int k, status;
    for (k = 0; k < 2; k++)
        if (t->recent_names[k] != 0 && strcmp(m->names[t->recent_names[k] - 1], name) == 0) {
            *id = t->recent_names[k] - 1;
            return LIBDBM_OK;
        }
    status = dbmi_model_intern(m, name, strlen(name), id);
    if (status == LIBDBM_OK) {
        t->recent_names[1] = t->recent_names[0];
        t->recent_names[0] = *id + 1;
    }
    return status;
}

static int apply_enter(dbmi_model *m, const dbmi_record *r, uint32_t slot, uint32_t campaign,
                       const char *origin)
{
    uint32_t index;
    char *copy = NULL;
    int status;
    if (find_entry(m, slot, campaign, (uint32_t)r->i, origin) != NULL)
        return dbmi_error(m->ctx, LIBDBM_EEXIST, "campaign '%s': entry %lld of '%s' exists",
                          r->text, (long long)r->i, r->id);
    if (origin != NULL && (copy = dbmi_strdup(m->ctx, origin)) == NULL)
        return dbmi_error_nomem(m->ctx, "campaign entry");
    status = cover_slot(m, slot);
    if (status == LIBDBM_OK)
        status = take_entry(m, &index);
    if (status != LIBDBM_OK) {
        dbmi_free(m->ctx, copy);
        return status == LIBDBM_ENOMEM ? dbmi_error_nomem(m->ctx, "campaign entry") : status;
    }
    link_last(m, slot, index);
    {
        dbmi_camp_entry *e = &table(m)->entries[index];
        e->origin = copy;
        e->campaign = campaign;
        e->number = (uint32_t)r->i;
        e->entered_at = r->t;
        e->holdout = (uint8_t)(r->type != 0);
    }
    return LIBDBM_OK;
}

/* Makes @p e hold stages 0..stage. */
static int reach_stage(dbmi_model *m, dbmi_camp_entry *e, uint32_t stage)
{
    dbmi_camp_stage *grown;
    if (stage < e->n_stages)
        return LIBDBM_OK;
    grown = dbmi_realloc(m->ctx, e->stages, (stage + 1) * sizeof(dbmi_camp_stage));
    if (grown == NULL)
        return dbmi_error_nomem(m->ctx, "campaign stage state");
    memset(grown + e->n_stages, 0, (stage + 1 - e->n_stages) * sizeof(dbmi_camp_stage));
    e->stages = grown;
    e->n_stages = (uint8_t)(stage + 1);
    return LIBDBM_OK;
}

static int apply_to_entry(dbmi_model *m, const dbmi_record *r, dbmi_camp_entry *e)
{
    uint32_t reason = 0;
    int status;
    dbmi_camp_stage *s;
    if (r->code == DBMI_CAMP_REC_END) {
        e->end = (uint8_t)r->type;
        e->ended_at = r->t;
        return LIBDBM_OK;
    }
    if (r->name != NULL && r->name[0] != '\0') {
        status = intern_recent(m, r->name, &reason);
        if (status != LIBDBM_OK)
            return status;
        reason++;
    }
    status = reach_stage(m, e, (uint32_t)r->stage);
    if (status == LIBDBM_OK && r->code == DBMI_CAMP_REC_ISSUE) {
        /* `name` is the channel: the contact row, then the stage. */
        status = dbmi_model_contact_add(m, e->slot, r->t, reason - 1, e->campaign, r->stage,
                                        LIBDBM_OUTCOME_SENT);
        reason = 0;
    }
    if (status != LIBDBM_OK)
        return status;
    s = &e->stages[r->stage];
    if (r->code == DBMI_CAMP_REC_OUTCOME) {
        s->outcomes = (uint16_t)(s->outcomes | (1u << r->type));
        return LIBDBM_OK;
    }
    s->state = (uint8_t)r->type;
    s->at = r->t;
    s->reason = reason;
    if (r->type == DBMI_CAMP_DEFERRED && s->defers < UINT8_MAX)
        s->defers++;
    return LIBDBM_OK;
}

/* The profile of record @p r: its slot hint when that is the live profile
 * of that id (the writer's own process: no hash lookup), else a lookup. */
static int slot_of(const dbmi_model *m, const dbmi_record *r, uint32_t *slot)
{
    uint32_t hint = r->slot_hint;
    if (hint < m->n_slots && m->state[hint] == DBMI_SLOT_LIVE &&
        strcmp(dbmi_model_id(m, hint), r->id) == 0) {
        *slot = hint;
        return 1;
    }
    return dbmi_model_find(m, r->id, strlen(r->id), slot);
}

int dbmi_camp_apply(dbmi_model *m, const dbmi_record *r)
{
    uint32_t slot, campaign;
    const char *origin;
    dbmi_camp_entry *e;
    int status;
    if (!slot_of(m, r, &slot))
        return dbmi_error(m->ctx, LIBDBM_ENOTFOUND, "no profile '%s'", r->id);
    origin = strcmp(dbmi_model_id(m, slot), r->id) == 0 ? NULL : r->id;
    if (r->code == DBMI_CAMP_REC_ENTER) {
        status = intern_recent(m, r->text, &campaign);
        if (status != LIBDBM_OK)
            return status;
        return apply_enter(m, r, slot, campaign, origin);
    }
    if (intern_recent(m, r->text, &campaign) != LIBDBM_OK ||
        (e = find_entry(m, slot, campaign, (uint32_t)r->i, origin)) == NULL)
        return dbmi_error(m->ctx, LIBDBM_ENOTFOUND, "campaign '%s': no entry %lld of '%s'",
                          r->text, (long long)r->i, r->id);
    return apply_to_entry(m, r, e);
}

/* ---- erase and merge ----------------------------------------------------- */

void dbmi_camp_erase_slot(dbmi_model *m, uint32_t slot)
{
    dbmi_camp_table *t = table(m);
    uint32_t i = dbmi_camp_first(m, slot);
    while (i != DBMI_CAMP_NONE) {
        uint32_t next = t->entries[i].next;
        give_back(m, i);
        i = next;
    }
    if (slot < t->n_first)
        t->first[slot] = DBMI_CAMP_NONE;
}

/* The latest time an entry shows: when a merge ends it. */
static int64_t last_seen(const dbmi_camp_entry *e)
{
    int64_t at = e->entered_at;
    size_t k;
    for (k = 0; k < e->n_stages; k++)
        if (e->stages[k].at > at)
            at = e->stages[k].at;
    return at;
}

/* Of two active entries of one campaign, the one that started first stays
 * (on a tie the surviving profile's own); the other ends. */
static void end_duplicates(dbmi_model *m, uint32_t slot)
{
    dbmi_camp_table *t = table(m);
    uint32_t i, j;
    for (i = dbmi_camp_first(m, slot); i != DBMI_CAMP_NONE; i = t->entries[i].next) {
        dbmi_camp_entry *a = &t->entries[i];
        for (j = a->next; j != DBMI_CAMP_NONE && a->end == DBMI_CAMP_ACTIVE; j = t->entries[j].next) {
            dbmi_camp_entry *b = &t->entries[j], *loser;
            if (b->end != DBMI_CAMP_ACTIVE || b->campaign != a->campaign)
                continue;
            loser = b->entered_at < a->entered_at ? a : b;
            loser->end = DBMI_CAMP_END_MERGED;
            loser->ended_at = last_seen(loser);
        }
    }
}

int dbmi_camp_merge_slots(dbmi_model *m, uint32_t into, uint32_t from)
{
    dbmi_camp_table *t = table(m);
    uint32_t i, head = dbmi_camp_first(m, from);
    size_t n = 0, k;
    char **origins;
    if (head == DBMI_CAMP_NONE)
        return LIBDBM_OK;
    for (i = head; i != DBMI_CAMP_NONE; i = t->entries[i].next)
        n += t->entries[i].origin == NULL;
    /* Allocate everything first, so the merge cannot fail half way. */
    origins = dbmi_calloc(m->ctx, n ? n : 1, sizeof(char *));
    if (origins == NULL || cover_slot(m, into) != LIBDBM_OK)
        goto nomem;
    for (k = 0; k < n; k++)
        if ((origins[k] = dbmi_strdup(m->ctx, dbmi_model_id(m, from))) == NULL)
            goto nomem;
    for (k = 0, i = head; i != DBMI_CAMP_NONE;) {
        uint32_t next = t->entries[i].next;
        if (t->entries[i].origin == NULL)
            t->entries[i].origin = origins[k++];
        link_last(m, into, i);
        i = next;
    }
    t->first[from] = DBMI_CAMP_NONE;
    dbmi_free(m->ctx, origins);
    end_duplicates(m, into);
    return LIBDBM_OK;
nomem:
    for (k = 0; origins != NULL && k < n; k++)
        dbmi_free(m->ctx, origins[k]);
    dbmi_free(m->ctx, origins);
    return dbmi_error_nomem(m->ctx, "campaign entries of a merge");
}

/* ---- snapshot section ---------------------------------------------------- */

static void put_zigzag(dbmi_buf *buf, int64_t v)
{
    dbmi_buf_put_varint(buf, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static int64_t get_zigzag(dbmi_reader *r)
{
    uint64_t v = dbmi_get_varint(r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

void dbmi_camp_serialize(const dbmi_model *m, dbmi_buf *b, const uint32_t *ordinal)
{
    const dbmi_camp_table *t = &m->campaigns;
    uint32_t slot, i;
    size_t k;
    dbmi_buf_put_varint(b, t->live);
    for (slot = 0; slot < t->n_first; slot++) {
        for (i = t->first[slot]; i != DBMI_CAMP_NONE; i = t->entries[i].next) {
            const dbmi_camp_entry *e = &t->entries[i];
            dbmi_buf_put_varint(b, ordinal[slot]);
            dbmi_buf_put_varint(b, e->campaign);
            dbmi_buf_put_varint(b, e->number);
            put_zigzag(b, e->entered_at);
            put_zigzag(b, e->ended_at);
            dbmi_buf_put_u8(b, e->holdout);
            dbmi_buf_put_u8(b, e->end);
            dbmi_buf_put_bytes(b, e->origin ? e->origin : "", e->origin ? strlen(e->origin) : 0);
            dbmi_buf_put_u8(b, e->n_stages);
            for (k = 0; k < e->n_stages; k++) {
                const dbmi_camp_stage *s = &e->stages[k];
                dbmi_buf_put_u8(b, s->state);
                dbmi_buf_put_u8(b, s->defers);
                put_zigzag(b, s->at);
                dbmi_buf_put_varint(b, s->reason);
                dbmi_buf_put_varint(b, s->outcomes);
            }
        }
    }
}

static int bad(dbmi_model *m, const dbmi_reader *r, const char *what)
{
    return dbmi_error(m->ctx, LIBDBM_ECORRUPT,
                      "store snapshot: bad campaign %s at payload offset %zu", what, r->pos);
}

static int load_stages(dbmi_model *m, dbmi_reader *r, dbmi_camp_entry *e)
{
    size_t k, n = dbmi_get_u8(r);
    if (r->failed || n > DBMI_CAMP_MAX_STAGES)
        return bad(m, r, "stage count");
    if (n > 0 && reach_stage(m, e, (uint32_t)(n - 1)) != LIBDBM_OK)
        return LIBDBM_ENOMEM;
    for (k = 0; k < n; k++) {
        dbmi_camp_stage *s = &e->stages[k];
        uint64_t reason, outcomes;
        s->state = dbmi_get_u8(r);
        s->defers = dbmi_get_u8(r);
        s->at = get_zigzag(r);
        reason = dbmi_get_varint(r);
        outcomes = dbmi_get_varint(r);
        if (r->failed || s->state > DBMI_CAMP_SKIPPED || reason > m->n_names ||
            outcomes > UINT16_MAX)
            return bad(m, r, "stage");
        s->reason = (uint32_t)reason;
        s->outcomes = (uint16_t)outcomes;
    }
    return LIBDBM_OK;
}

static int load_entry(dbmi_model *m, dbmi_reader *r, const uint32_t *slot_of, size_t n_profiles)
{
    uint64_t ordinal = dbmi_get_varint(r), campaign = dbmi_get_varint(r);
    uint64_t number = dbmi_get_varint(r);
    int64_t entered_at = get_zigzag(r), ended_at = get_zigzag(r);
    int holdout = dbmi_get_u8(r), end = dbmi_get_u8(r);
    size_t origin_len;
    const char *origin = dbmi_get_bytes(r, &origin_len);
    uint32_t index;
    dbmi_camp_entry *e;
    int status;
    if (r->failed || ordinal >= n_profiles || campaign >= m->n_names || number > UINT32_MAX ||
        holdout > 1 || end > DBMI_CAMP_END_MERGED || origin_len > 1024 ||
        (origin != NULL && memchr(origin, '\0', origin_len) != NULL))
        return bad(m, r, "entry");
    status = cover_slot(m, slot_of[ordinal]);
    if (status == LIBDBM_OK)
        status = take_entry(m, &index);
    if (status != LIBDBM_OK)
        return status == LIBDBM_ENOMEM ? dbmi_error_nomem(m->ctx, "campaign entry") : status;
    link_last(m, slot_of[ordinal], index);
    e = &table(m)->entries[index];
    e->campaign = (uint32_t)campaign;
    e->number = (uint32_t)number;
    e->entered_at = entered_at;
    e->ended_at = ended_at;
    e->holdout = (uint8_t)holdout;
    e->end = (uint8_t)end;
    if (origin_len > 0) {
        e->origin = dbmi_malloc(m->ctx, origin_len + 1);
        if (e->origin == NULL)
            return dbmi_error_nomem(m->ctx, "campaign entry");
        memcpy(e->origin, origin, origin_len);
        e->origin[origin_len] = '\0';
    }
    return load_stages(m, r, e);
}

int dbmi_camp_deserialize(dbmi_model *m, dbmi_reader *r, const uint32_t *slot_of,
                          size_t n_profiles)
{
    uint64_t n = dbmi_get_varint(r), k;
    int status = LIBDBM_OK;
    if (r->failed || n > dbmi_reader_remaining(r))
        return bad(m, r, "entry count");
    for (k = 0; k < n && status == LIBDBM_OK; k++)
        status = load_entry(m, r, slot_of, n_profiles);
    return status;
}
