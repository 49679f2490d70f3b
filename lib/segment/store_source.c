/* The store-backed row source (store_source.h). The field semantics it
 * implements are documented in docs/segments.md, "Fields over a store". */
#include <string.h>

#include "civil_time.h"
#include "context_private.h"
#include "store_source.h"

/* A profile's purchases up to the as-of day (refunds are not purchases). */
typedef struct purchases_as_of {
    int any;                /* a purchase on or before the as-of day */
    int64_t first, last;    /* instants (see last_purchase in the docs) */
    int64_t days;           /* distinct purchase days */
    int64_t amount_minor;
} purchases_as_of;

/* The score fields (rfm.r ... expected_spend) read the attributes of
 * their own names, which the scoring layer writes back
 * (libdbm_scores_write_back); NULL for other fields. */
static const char *score_attribute(int field)
{
    return field >= DBMI_SEG_F_RFM_R && field <= DBMI_SEG_F_EXPECTED_SPEND
               ? dbmi_seg_field_name(field) : NULL;
}

/* The attribute class an expression type reads; -1 for none. */
static int attr_class(int type)
{
    switch (type) {
    case DBMI_SEG_T_STR: return DBMI_STORE_ATTR_STRING;
    case DBMI_SEG_T_BOOL: return DBMI_STORE_ATTR_BOOL;
    case DBMI_SEG_T_TIME: return DBMI_STORE_ATTR_TIME;
    case DBMI_SEG_T_INT: case DBMI_SEG_T_DEC: return DBMI_STORE_ATTR_NUMBER;
    case DBMI_SEG_T_ANY: return DBMI_STORE_ATTR_ANY;
    default: return -1;
    }
}

static int channel_field(int field)
{
    return field == DBMI_SEG_F_CONSENT ? DBMI_STORE_CHANNEL_CONSENT
         : field == DBMI_SEG_F_ADDRESS_VALID ? DBMI_STORE_CHANNEL_VALID
         : DBMI_STORE_CHANNEL_VERIFIED_AT;
}

static int is_channel_field(int field)
{
    return field == DBMI_SEG_F_CONSENT || field == DBMI_SEG_F_ADDRESS_VALID ||
           field == DBMI_SEG_F_VERIFIED_AGE;
}

static int seg_kind(int store_kind)
{
    switch (store_kind) {
    case DBMI_STORE_COL_I64: return DBMI_SEG_COL_I64;
    case DBMI_STORE_COL_F64: return DBMI_SEG_COL_F64;
    case DBMI_STORE_COL_STR: return DBMI_SEG_COL_STR;
    case DBMI_STORE_COL_BOOL: return DBMI_SEG_COL_BOOL;
    default: return DBMI_SEG_COL_NONE;
    }
}

/* The first of the @p n days (sorted) that comes after @p day. */
static size_t first_day_after(const dbmi_purchase_day *days, size_t n, int64_t day)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (days[mid].day <= day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* What @p field needs of the purchases of a live @p slot. */
static void summarize(const dbmi_seg_store_source *s, size_t slot, int field, purchases_as_of *p)
{
    const dbmi_store_columns *c = &s->purchases;
    const dbmi_purchase_day *days;
    size_t n, k, i;
    memset(p, 0, sizeof(*p));
    if (c->purchase_count[slot] == 0)
        return;
    p->last = c->last_purchase[slot];
    if (dbmi_day_of_time(p->last) <= s->as_of_day) {
        /* nothing after the as-of day: the store's own aggregates, reading
         * only the column the field needs (each read is a cache miss) */
        p->any = 1;
        if (field == DBMI_SEG_F_FIRST_PURCHASE)
            p->first = c->first_purchase[slot];
        else if (field == DBMI_SEG_F_FREQUENCY)
            p->days = c->purchase_days[slot];
        else if (field == DBMI_SEG_F_MONETARY)
            p->amount_minor = c->total_minor[slot];
        return;
    }
    /* purchases after the as-of day: the store keeps the older ones per day */
    dbmi_store_slot_purchase_days(s->store, slot, &days, &n);
    k = first_day_after(days, n, s->as_of_day);
    if (k == 0)
        return;
    p->any = 1;
    p->first = c->first_purchase[slot];
    p->last = (int64_t)days[k - 1].day * DBMI_SECONDS_PER_DAY;
    p->days = (int64_t)k;
    for (i = 0; i < k; i++)
        p->amount_minor += days[i].amount_minor;
}

/* One aggregate field of a summary: 0 (null) or 1 with the value. */
static int aggregate_value(const dbmi_seg_store_source *s, int field, const purchases_as_of *p,
                           int64_t *i, double *d)
{
    switch (field) {
    case DBMI_SEG_F_RECENCY_DAYS:
        *i = s->as_of_day - dbmi_day_of_time(p->last);
        return p->any;
    case DBMI_SEG_F_FREQUENCY: *i = p->days; return 1;
    case DBMI_SEG_F_MONETARY: *d = (double)p->amount_minor / (double)s->scale; return 1;
    case DBMI_SEG_F_FIRST_PURCHASE: *i = p->first; return p->any;
    default: *i = p->last; return p->any;
    }
}

/* A purchase aggregate of one profile as a row value (null: kind NONE). */
static void aggregate_row_value(const dbmi_seg_store_source *s, int field, size_t row,
                                dbmi_seg_row_value *out)
{
    purchases_as_of p;
    memset(&p, 0, sizeof(p));
    memset(out, 0, sizeof(*out));
    if (dbmi_store_slot_live(s->store, row))
        summarize(s, row, field, &p);
    if (aggregate_value(s, field, &p, &out->i, &out->d))
        out->kind = field == DBMI_SEG_F_MONETARY ? DBMI_SEG_COL_F64 : DBMI_SEG_COL_I64;
}

static int values(void *self, const dbmi_seg_field_ref *f, const uint32_t *rows, size_t n,
                  int64_t *i64, double *f64, uint64_t *nulls)
{
    const dbmi_seg_store_source *s = self;
    const uint64_t *mask = s->source.rows_mask;
    size_t k;
    for (k = 0; k < n; k++) {
        size_t row = rows != NULL ? rows[k] : k;
        purchases_as_of p;
        int64_t i = 0;
        double d = 0;
        if (mask != NULL ? ((mask[row / 64] >> (row % 64)) & 1) == 0
                         : !dbmi_store_slot_live(s->store, row)) {
            nulls[k / 64] |= UINT64_C(1) << (k % 64);
            continue;
        }
        summarize(s, row, f->field, &p);
        if (!aggregate_value(s, f->field, &p, &i, &d))
            nulls[k / 64] |= UINT64_C(1) << (k % 64);
        else if (f->type == DBMI_SEG_T_DEC)
            f64[k] = d;
        else
            i64[k] = i;
    }
    return LIBDBM_OK;
}

static int column(void *self, const dbmi_seg_field_ref *f, dbmi_seg_column *out)
{
    dbmi_seg_store_source *s = self;
    const char *score = score_attribute(f->field);
    dbmi_store_column c;
    int status, cls = attr_class(f->type);
    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    if (f->field == DBMI_SEG_F_ATTR || score != NULL) {
        if (cls < 0)
            return LIBDBM_OK;
        status = dbmi_store_attr_column(s->store, score ? score : f->name, cls, &c);
    } else if (is_channel_field(f->field)) {
        status = dbmi_store_channel_column(s->store, f->name, channel_field(f->field), &c);
    } else {
        /* the purchase aggregates depend on the as-of day: computed for the
         * profiles the evaluator asks for (`values`) */
        out->kind = DBMI_SEG_COL_COMPUTED;
        return LIBDBM_OK;
    }
    out->kind = seg_kind(c.kind);
    out->i64 = c.i64;
    out->f64 = c.f64;
    out->str = c.str;
    out->b = c.b;
    out->nulls = c.nulls;
    out->mixed = c.mixed;
    return status;
}

static int string_id(void *self, const char *s, size_t len, uint32_t *id, int *found)
{
    dbmi_seg_store_source *src = self;
    *found = 1;
    return dbmi_store_string_id(src->store, s, len, id);
}

/* An attribute of one profile as a row value (null unless its type is of
 * the class the expression reads). */
static void attr_row_value(const dbmi_seg_store_source *s, const char *name, int cls,
                           size_t row, dbmi_seg_row_value *out)
{
    uint32_t id;
    const dbmi_attr *a;
    if (cls < 0 || !dbmi_store_name_id(s->store, name, strlen(name), &id) ||
        (a = dbmi_store_slot_attr(s->store, row, id)) == NULL)
        return;
    switch (a->type) {
    case LIBDBM_TYPE_STRING:
        if (cls != DBMI_STORE_ATTR_STRING && cls != DBMI_STORE_ATTR_ANY)
            return;
        out->kind = DBMI_SEG_COL_STR;
        out->s = a->v.s;
        out->len = strlen(a->v.s);
        return;
    case LIBDBM_TYPE_BOOL:
        if (cls != DBMI_STORE_ATTR_BOOL && cls != DBMI_STORE_ATTR_ANY)
            return;
        out->kind = DBMI_SEG_COL_BOOL;
        out->i = a->v.i != 0;
        return;
    case LIBDBM_TYPE_DOUBLE:
        if (cls != DBMI_STORE_ATTR_NUMBER && cls != DBMI_STORE_ATTR_ANY)
            return;
        out->kind = DBMI_SEG_COL_F64;
        out->d = a->v.d;
        return;
    default: /* INT64 and TIME */
        if (cls != DBMI_STORE_ATTR_ANY &&
            cls != (a->type == LIBDBM_TYPE_TIME ? DBMI_STORE_ATTR_TIME : DBMI_STORE_ATTR_NUMBER))
            return;
        out->kind = DBMI_SEG_COL_I64;
        out->i = a->v.i;
        return;
    }
}

static void channel_row_value(const dbmi_seg_store_source *s, int field, const char *channel,
                              size_t row, dbmi_seg_row_value *out)
{
    int64_t verified_at = 0;
    int invalid = 0, state;
    if (field == DBMI_SEG_F_CONSENT) {
        state = dbmi_store_slot_consent(s->store, row, channel, NULL, NULL);
        if (state != LIBDBM_CONSENT_UNKNOWN) {
            out->kind = DBMI_SEG_COL_BOOL;
            out->i = state == LIBDBM_CONSENT_GRANTED;
        }
        return;
    }
    if (!dbmi_store_slot_channel(s->store, row, channel, NULL, &verified_at, &invalid))
        return;
    if (field == DBMI_SEG_F_ADDRESS_VALID) {
        out->kind = DBMI_SEG_COL_BOOL;
        out->i = invalid == 0;
    } else if (verified_at != 0) {
        out->kind = DBMI_SEG_COL_I64;
        out->i = verified_at;
    }
}

static int row_value(void *self, const dbmi_seg_field_ref *f, size_t row, dbmi_seg_row_value *out)
{
    const dbmi_seg_store_source *s = self;
    const char *score = score_attribute(f->field);
    memset(out, 0, sizeof(*out));
    if (f->field == DBMI_SEG_F_ATTR || score != NULL) {
        attr_row_value(s, score ? score : f->name, attr_class(f->type), row, out);
    } else if (is_channel_field(f->field)) {
        channel_row_value(s, f->field, f->name, row, out);
    } else {
        aggregate_row_value(s, f->field, row, out);
    }
    return LIBDBM_OK;
}

/* What a behaviour count needs, resolved once per call. */
typedef struct behaviour {
    const dbmi_seg_store_source *s;
    int kind;
    int known;              /* the channel or event name exists in the store */
    uint32_t name;
    int outcome;            /* contact rows: the outcome counted */
    int64_t from, to;       /* from < time <= to */
    int64_t from_day, to_day;
} behaviour;

static void behaviour_init(behaviour *b, const dbmi_seg_store_source *s,
                           const dbmi_seg_behaviour_ref *ref)
{
    memset(b, 0, sizeof(*b));
    b->s = s;
    b->kind = ref->behaviour;
    b->from = ref->from;
    b->to = ref->to;
    b->from_day = dbmi_day_of_time(ref->from);
    b->to_day = dbmi_day_of_time(ref->to);
    b->outcome = ref->behaviour == DBMI_SEG_B_OPENED ? LIBDBM_OUTCOME_OPENED : LIBDBM_OUTCOME_SENT;
    b->known = ref->behaviour == DBMI_SEG_B_PURCHASES || ref->behaviour == DBMI_SEG_B_SPEND ||
               dbmi_store_name_id(s->store, ref->name, strlen(ref->name), &b->name);
}

/* The first of @p n rows (sorted by time, @p size bytes each, the time
 * first) whose time is after @p t. */
static size_t first_time_after(const void *rows, size_t n, size_t size, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t time;
        memcpy(&time, (const char *)rows + mid * size, sizeof(time));
        if (time <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void count_purchases(const behaviour *b, size_t slot, int64_t *count, double *amount)
{
    const dbmi_purchase_day *days;
    size_t n, i;
    int64_t minor = 0;
    dbmi_store_slot_purchase_days(b->s->store, slot, &days, &n);
    for (i = first_day_after(days, n, b->from_day); i < n && days[i].day <= b->to_day; i++) {
        *count += days[i].count;
        minor += days[i].amount_minor;
    }
    *amount = (double)minor / (double)b->s->scale;
}

static void count_one(const behaviour *b, size_t slot, int64_t *count, double *amount)
{
    size_t n, i;
    *count = 0;
    *amount = 0;
    if (!b->known)
        return;
    if (b->kind == DBMI_SEG_B_PURCHASES || b->kind == DBMI_SEG_B_SPEND) {
        count_purchases(b, slot, count, amount);
    } else if (b->kind == DBMI_SEG_B_EVENT) {
        const dbmi_event *ev;
        dbmi_store_slot_events(b->s->store, slot, &ev, &n);
        for (i = first_time_after(ev, n, sizeof(*ev), b->from); i < n && ev[i].time <= b->to; i++)
            *count += ev[i].name == b->name;
    } else {
        const dbmi_contact *c;
        dbmi_store_slot_contacts(b->s->store, slot, &c, &n);
        for (i = first_time_after(c, n, sizeof(*c), b->from); i < n && c[i].time <= b->to; i++)
            *count += c[i].channel == b->name && c[i].outcome == b->outcome;
    }
}

static int counts(void *self, const dbmi_seg_behaviour_ref *ref, const uint32_t *rows, size_t n,
                  int64_t *out_counts, double *amounts)
{
    behaviour b;
    size_t i;
    behaviour_init(&b, self, ref);
    for (i = 0; i < n; i++)
        count_one(&b, rows[i], &out_counts[i], &amounts[i]);
    return LIBDBM_OK;
}

static int row_count(void *self, const dbmi_seg_behaviour_ref *ref, size_t row, int64_t *count,
                     double *amount)
{
    behaviour b;
    behaviour_init(&b, self, ref);
    count_one(&b, row, count, amount);
    return LIBDBM_OK;
}

int dbmi_seg_store_source_init(dbmi_seg_store_source *src, libdbm_store *store, int64_t as_of,
                               int whole)
{
    memset(src, 0, sizeof(*src));
    src->store = store;
    src->as_of_day = dbmi_day_of_time(as_of);
    src->scale = dbmi_store_money_scale_of(store);
    dbmi_store_get_columns(store, &src->purchases);
    src->source.self = src;
    src->source.rows = dbmi_store_slot_count(store);
    src->source.column = column;
    src->source.string_id = string_id;
    src->source.counts = counts;
    src->source.row_value = row_value;
    src->source.row_count = row_count;
    src->source.values = values;
    return whole ? dbmi_store_live_bits(store, &src->source.rows_mask) : LIBDBM_OK;
}

void dbmi_seg_store_source_fini(dbmi_seg_store_source *src)
{
    memset(src, 0, sizeof(*src));
}
