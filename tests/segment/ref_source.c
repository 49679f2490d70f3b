#include <stdlib.h>
#include <string.h>

#include "ref_source.h"
#include "store_columns.h"

#define DAY INT64_C(86400)

static int64_t day_of(int64_t t) { return t / DAY - (t % DAY < 0); }

static void note(ref_source *r, int status)
{
    if (status != LIBDBM_OK && r->status == LIBDBM_OK)
        r->status = status;
}

/* Score fields read the attribute named as the field (docs/segments.md). */
static const char *score_name(int field)
{
    return field >= DBMI_SEG_F_RFM_R && field <= DBMI_SEG_F_EXPECTED_SPEND
               ? dbmi_seg_field_name(field) : NULL;
}

/* Whether a stored attribute type can be read by an expression type. */
static int readable(int expr_type, int type)
{
    switch (expr_type) {
    case DBMI_SEG_T_STR: return type == LIBDBM_TYPE_STRING;
    case DBMI_SEG_T_BOOL: return type == LIBDBM_TYPE_BOOL;
    case DBMI_SEG_T_TIME: return type == LIBDBM_TYPE_TIME;
    case DBMI_SEG_T_INT: case DBMI_SEG_T_DEC:
        return type == LIBDBM_TYPE_INT64 || type == LIBDBM_TYPE_DOUBLE;
    case DBMI_SEG_T_ANY: return type != LIBDBM_TYPE_NULL;
    default: return 0;
    }
}

static void attr_value(ref_source *r, const char *id, const char *name, int expr_type,
                       dbmi_seg_row_value *out)
{
    libdbm_store *s = r->rs->store;
    int type = LIBDBM_TYPE_NULL, b;
    char *text;
    note(r, libdbm_store_attr_type(s, &type, id, name));
    if (!readable(expr_type, type))
        return;
    switch (type) {
    case LIBDBM_TYPE_STRING:
        note(r, libdbm_store_attr_get_string(s, &text, id, name));
        r->strings = realloc(r->strings, (r->n_strings + 1) * sizeof(char *));
        if (r->strings == NULL)
            abort();
        r->strings[r->n_strings++] = text;
        out->kind = DBMI_SEG_COL_STR;
        out->s = text;
        out->len = strlen(text);
        break;
    case LIBDBM_TYPE_BOOL:
        note(r, libdbm_store_attr_get_bool(s, &b, id, name));
        out->kind = DBMI_SEG_COL_BOOL;
        out->i = b;
        break;
    case LIBDBM_TYPE_DOUBLE:
        note(r, libdbm_store_attr_get_double(s, &out->d, id, name));
        out->kind = DBMI_SEG_COL_F64;
        break;
    case LIBDBM_TYPE_TIME:
        note(r, libdbm_store_attr_get_time(s, &out->i, id, name));
        out->kind = DBMI_SEG_COL_I64;
        break;
    default:
        note(r, libdbm_store_attr_get_int64(s, &out->i, id, name));
        out->kind = DBMI_SEG_COL_I64;
        break;
    }
}

static void channel_value(ref_source *r, const char *id, int field, const char *channel,
                          dbmi_seg_row_value *out)
{
    libdbm_store *s = r->rs->store;
    int64_t verified_at = 0;
    int state = 0, invalid = 0, status;
    if (field == DBMI_SEG_F_CONSENT) {
        note(r, libdbm_store_channel_get_consent(s, &state, NULL, id, channel, NULL));
        if (state != LIBDBM_CONSENT_UNKNOWN) {
            out->kind = DBMI_SEG_COL_BOOL;
            out->i = state == LIBDBM_CONSENT_GRANTED;
        }
        return;
    }
    status = libdbm_store_channel_get_status(s, &verified_at, &invalid, id, channel);
    if (status == LIBDBM_ENOTFOUND)
        return; /* no address on the channel */
    note(r, status);
    if (field == DBMI_SEG_F_ADDRESS_VALID) {
        out->kind = DBMI_SEG_COL_BOOL;
        out->i = !invalid;
    } else if (verified_at != 0) {
        out->kind = DBMI_SEG_COL_I64;
        out->i = verified_at;
    }
}

/* recency_days, frequency, monetary, first_purchase, last_purchase: the
 * purchases of the UTC days up to the as-of day. */
static void aggregate_value(ref_source *r, const char *id, int field, dbmi_seg_row_value *out)
{
    const rs_profile *p = rs_find(r->rs, id);
    int64_t as_of_day = day_of(r->as_of), last_day = INT64_MIN, last_any_day = INT64_MIN;
    int64_t minor = 0, days = 0, first = 0, last = 0, scale = 0;
    size_t k, j;
    for (k = 0; p != NULL && k < p->n_purchases; k++) {
        int64_t d = day_of(p->purchases[k].time), seen = 0;
        if (d > last_any_day)
            last_any_day = d;
        if (d > as_of_day)
            continue;
        minor += p->purchases[k].minor;
        if (d > last_day)
            last_day = d;
        for (j = 0; j < k; j++)
            seen |= day_of(p->purchases[j].time) == d;
        days += !seen;
    }
    note(r, libdbm_store_money_scale(r->rs->store, &scale));
    if (field == DBMI_SEG_F_FREQUENCY || field == DBMI_SEG_F_MONETARY) {
        out->kind = field == DBMI_SEG_F_FREQUENCY ? DBMI_SEG_COL_I64 : DBMI_SEG_COL_F64;
        out->i = days;
        out->d = (double)minor / (double)scale;
        return;
    }
    if (days == 0)
        return;
    note(r, libdbm_store_aggregate(r->rs->store, &first, id, LIBDBM_AGG_FIRST_PURCHASE));
    note(r, libdbm_store_aggregate(r->rs->store, &last, id, LIBDBM_AGG_LAST_PURCHASE));
    out->kind = DBMI_SEG_COL_I64;
    if (field == DBMI_SEG_F_RECENCY_DAYS)
        out->i = as_of_day - last_day;
    else if (field == DBMI_SEG_F_FIRST_PURCHASE)
        out->i = first;
    else /* the exact time, unless later days are cut off: then that day's start */
        out->i = last_any_day <= as_of_day ? last : last_day * DAY;
}

static int row_value(void *self, const dbmi_seg_field_ref *f, size_t row, dbmi_seg_row_value *out)
{
    ref_source *r = self;
    const char *id = r->ids[row], *score = score_name(f->field);
    memset(out, 0, sizeof(*out));
    if (id == NULL)
        return LIBDBM_OK;
    if (f->field == DBMI_SEG_F_ATTR || score != NULL)
        attr_value(r, id, score ? score : f->name, f->type, out);
    else if (f->field == DBMI_SEG_F_CONSENT || f->field == DBMI_SEG_F_ADDRESS_VALID ||
             f->field == DBMI_SEG_F_VERIFIED_AGE)
        channel_value(r, id, f->field, f->name, out);
    else
        aggregate_value(r, id, f->field, out);
    return r->status;
}

static int row_count(void *self, const dbmi_seg_behaviour_ref *b, size_t row, int64_t *count,
                     double *amount)
{
    ref_source *r = self;
    const char *id = r->ids[row];
    libdbm_store *s = r->rs->store;
    *count = 0;
    *amount = 0;
    if (id == NULL)
        return LIBDBM_OK;
    switch (b->behaviour) {
    case DBMI_SEG_B_PURCHASES: case DBMI_SEG_B_SPEND: {
        /* purchases count by UTC day: the days in (day(from), day(to)] */
        const rs_profile *p = rs_find(r->rs, id);
        int64_t minor = 0, scale = 0;
        size_t k;
        for (k = 0; p != NULL && k < p->n_purchases; k++) {
            int64_t d = day_of(p->purchases[k].time);
            if (d > day_of(b->from) && d <= day_of(b->to)) {
                ++*count;
                minor += p->purchases[k].minor;
            }
        }
        note(r, libdbm_store_money_scale(s, &scale));
        *amount = (double)minor / (double)scale;
        break;
    }
    case DBMI_SEG_B_EVENT:
        note(r, libdbm_store_event_count(s, count, id, b->name, b->from + 1, b->to + 1));
        break;
    default:
        note(r, libdbm_store_contact_count(s, count, id, b->name,
                                           b->behaviour == DBMI_SEG_B_OPENED ? LIBDBM_OUTCOME_OPENED
                                                                             : LIBDBM_OUTCOME_SENT,
                                           b->from + 1, b->to + 1));
        break;
    }
    return r->status;
}

/* The row interpreter needs no columnar access. */
static int no_column(void *self, const dbmi_seg_field_ref *f, dbmi_seg_column *out)
{
    (void)self; (void)f; (void)out;
    return LIBDBM_EINVAL;
}

static int no_string_id(void *self, const char *s, size_t len, uint32_t *id, int *found)
{
    (void)self; (void)s; (void)len; (void)id; (void)found;
    return LIBDBM_EINVAL;
}

static int no_counts(void *self, const dbmi_seg_behaviour_ref *b, const uint32_t *rows, size_t n,
                     int64_t *counts, double *amounts)
{
    (void)self; (void)b; (void)rows; (void)n; (void)counts; (void)amounts;
    return LIBDBM_EINVAL;
}

void ref_source_init(ref_source *r, const rs_store *rs, int64_t as_of)
{
    size_t rows = dbmi_store_slot_count(rs->store), slot;
    memset(r, 0, sizeof(*r));
    r->rs = rs;
    r->as_of = as_of;
    r->ids = calloc(rows + 1, sizeof(char *));
    r->live = calloc(rows / 64 + 1, sizeof(uint64_t));
    if (r->ids == NULL || r->live == NULL)
        abort();
    /* live: the slot's id is its own canonical id (aliases resolve elsewhere,
     * erased slots have none) */
    for (slot = 0; slot < rows; slot++) {
        const char *id = dbmi_store_slot_id(rs->store, slot);
        char *canonical = NULL;
        if (id != NULL && libdbm_store_profile_resolve(rs->store, &canonical, id) == LIBDBM_OK &&
            strcmp(canonical, id) == 0) {
            r->ids[slot] = id;
            r->live[slot / 64] |= UINT64_C(1) << (slot % 64);
        }
        libdbm_free_string(canonical);
    }
    r->source.self = r;
    r->source.rows = rows;
    r->source.rows_mask = r->live;
    r->source.column = no_column;
    r->source.string_id = no_string_id;
    r->source.counts = no_counts;
    r->source.row_value = row_value;
    r->source.row_count = row_count;
}

void ref_source_fini(ref_source *r)
{
    size_t k;
    for (k = 0; k < r->n_strings; k++)
        libdbm_free_string(r->strings[k]);
    free(r->strings);
    free(r->ids);
    free(r->live);
}
