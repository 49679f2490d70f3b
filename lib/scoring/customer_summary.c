/* libdbm_summary: the store's purchase days turned into one BTYD summary
 * row per customer (lib/scoring/summary.c does the arithmetic). */
#include <string.h>

#include "libdbm/summary.h"
#include "civil_time.h"
#include "context_private.h"
#include "customer_summary.h"
#include "store_columns.h"
#include "summary.h"

struct libdbm_summary {
    libdbm_context *ctx;
    size_t count;
    int64_t scale;              /* the store's minor units per currency unit */
    int32_t end_day;            /* the as-of day, inclusive */
    dbmi_summary *rows;         /* exact values, for printing */
    double *x, *t_x, *T, *m_x;  /* the same as columns of doubles */
    char *ids;                  /* the customer ids, NUL-separated */
    size_t *id_offsets;         /* where row i's id starts in ids */
};

LIBDBM_API void libdbm_summary_free(libdbm_summary *summary)
{
    libdbm_context *ctx;
    if (summary == NULL)
        return;
    ctx = summary->ctx;
    dbmi_free(ctx, summary->rows);
    dbmi_free(ctx, summary->x);
    dbmi_free(ctx, summary->t_x);
    dbmi_free(ctx, summary->T);
    dbmi_free(ctx, summary->m_x);
    dbmi_free(ctx, summary->ids);
    dbmi_free(ctx, summary->id_offsets);
    dbmi_free(ctx, summary);
}

/* Counts the summarisable customers and the bytes of their ids, so every
 * array is allocated once, at its final size. */
static void measure(libdbm_store *store, int32_t end_day, int32_t unit_days,
                    size_t *count, size_t *id_bytes)
{
    size_t slot, slots = dbmi_store_slot_count(store);
    *count = 0;
    *id_bytes = 0;
    for (slot = 0; slot < slots; slot++) {
        const dbmi_purchase_day *days;
        size_t n;
        dbmi_summary row;
        if (!dbmi_store_slot_live(store, slot))
            continue;
        dbmi_store_slot_purchase_days(store, slot, &days, &n);
        if (dbmi_summarize(&row, days, n, end_day, unit_days)) {
            (*count)++;
            *id_bytes += strlen(dbmi_store_slot_id(store, slot)) + 1;
        }
    }
}

static int allocate(libdbm_summary *s, size_t id_bytes)
{
    size_t n = s->count;
    s->rows = dbmi_calloc(s->ctx, n, sizeof(*s->rows));
    s->x = dbmi_calloc(s->ctx, n, sizeof(double));
    s->t_x = dbmi_calloc(s->ctx, n, sizeof(double));
    s->T = dbmi_calloc(s->ctx, n, sizeof(double));
    s->m_x = dbmi_calloc(s->ctx, n, sizeof(double));
    s->ids = dbmi_malloc(s->ctx, id_bytes);
    s->id_offsets = dbmi_calloc(s->ctx, n, sizeof(size_t));
    if (!s->rows || !s->x || !s->t_x || !s->T || !s->m_x || !s->ids || !s->id_offsets)
        return dbmi_error_nomem(s->ctx, "allocating a summary");
    return LIBDBM_OK;
}

static void fill(libdbm_summary *s, libdbm_store *store, int32_t end_day,
                 int32_t unit_days, dbmi_summary_row_fn on_row, void *user_data)
{
    size_t slot, slots = dbmi_store_slot_count(store), row = 0, offset = 0;
    for (slot = 0; slot < slots && row < s->count; slot++) {
        const dbmi_purchase_day *days;
        size_t n, len;
        const char *id;
        if (!dbmi_store_slot_live(store, slot))
            continue;
        dbmi_store_slot_purchase_days(store, slot, &days, &n);
        if (!dbmi_summarize(&s->rows[row], days, n, end_day, unit_days))
            continue;
        id = dbmi_store_slot_id(store, slot);
        len = strlen(id) + 1;
        memcpy(s->ids + offset, id, len);
        s->id_offsets[row] = offset;
        offset += len;
        s->x[row] = (double)s->rows[row].x;
        s->t_x[row] = s->rows[row].t_x;
        s->T[row] = s->rows[row].T;
        s->m_x[row] = dbmi_summary_monetary(&s->rows[row], s->scale);
        if (on_row != NULL)
            on_row(user_data, row, days, n);
        row++;
    }
}

int dbmi_summary_build(libdbm_summary **out, libdbm_store *store, int64_t until,
                       int unit, int (*before_rows)(void *user_data, size_t rows),
                       dbmi_summary_row_fn on_row, void *user_data)
{
    libdbm_context *ctx;
    libdbm_summary *s;
    int64_t end_day = dbmi_day_of_time(until);
    size_t id_bytes;
    int status;

    if (out == NULL || store == NULL)
        return LIBDBM_EINVAL;
    *out = NULL;
    ctx = dbmi_store_context(store);
    if (unit != LIBDBM_UNIT_DAY && unit != LIBDBM_UNIT_WEEK)
        return dbmi_error(ctx, LIBDBM_EINVAL, "unknown period unit %d (1 = day, 7 = week)", unit);
    if (end_day < INT32_MIN || end_day > INT32_MAX)
        return dbmi_error(ctx, LIBDBM_EINVAL, "as-of time %lld is out of range", (long long)until);
    s = dbmi_calloc(ctx, 1, sizeof(*s));
    if (s == NULL)
        return dbmi_error_nomem(ctx, "allocating a summary");
    s->ctx = ctx;
    s->end_day = (int32_t)end_day;
    dbmi_store_read_lock(store);
    s->scale = dbmi_store_money_scale_of(store);
    measure(store, (int32_t)end_day, unit, &s->count, &id_bytes);
    status = allocate(s, id_bytes);
    if (status == LIBDBM_OK && before_rows != NULL)
        status = before_rows(user_data, s->count);
    if (status == LIBDBM_OK)
        fill(s, store, (int32_t)end_day, unit, on_row, user_data);
    dbmi_store_read_unlock(store);
    if (status != LIBDBM_OK) {
        libdbm_summary_free(s);
        return status;
    }
    *out = s;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_summary_new(libdbm_summary **out, libdbm_store *store,
                                  int64_t until, int unit)
{
    return dbmi_summary_build(out, store, until, unit, NULL, NULL, NULL);
}

int32_t dbmi_summary_end_day(const libdbm_summary *summary)
{
    return summary->end_day;
}

int64_t dbmi_summary_scale(const libdbm_summary *summary)
{
    return summary->scale;
}

LIBDBM_API int libdbm_summary_count(const libdbm_summary *summary, int64_t *count)
{
    if (summary == NULL || count == NULL)
        return LIBDBM_EINVAL;
    *count = (int64_t)summary->count;
    return LIBDBM_OK;
}

static int check_index(const libdbm_summary *summary, int64_t index)
{
    if (index < 0 || (uint64_t)index >= summary->count)
        return dbmi_error(summary->ctx, LIBDBM_ERANGE,
                          "row %lld is outside the summary's %zu rows", (long long)index,
                          summary->count);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_summary_get(const libdbm_summary *summary,
                                  const char **customer_id, double *x,
                                  double *t_x, double *T, double *m_x,
                                  int64_t index)
{
    size_t i;
    if (summary == NULL)
        return LIBDBM_EINVAL;
    if (check_index(summary, index) != LIBDBM_OK)
        return LIBDBM_ERANGE;
    i = (size_t)index;
    if (customer_id)
        *customer_id = summary->ids + summary->id_offsets[i];
    if (x)
        *x = summary->x[i];
    if (t_x)
        *t_x = summary->t_x[i];
    if (T)
        *T = summary->T[i];
    if (m_x)
        *m_x = summary->m_x[i];
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_summary_columns(const libdbm_summary *summary,
                                      const double **x, const double **t_x,
                                      const double **T, const double **m_x)
{
    if (summary == NULL)
        return LIBDBM_EINVAL;
    if (x)
        *x = summary->x;
    if (t_x)
        *t_x = summary->t_x;
    if (T)
        *T = summary->T;
    if (m_x)
        *m_x = summary->m_x;
    return LIBDBM_OK;
}

long dbmi_csv_field(char *buf, size_t cap, const char *text)
{
    size_t len = 0;
    int quote = strpbrk(text, ",\"\r\n") != NULL;
    const char *p;
    if (quote) {
        if (cap < 1)
            return -1;
        buf[len++] = '"';
    }
    for (p = text; *p; p++) {
        if (len + 2 >= cap)
            return -1;
        if (*p == '"')
            buf[len++] = '"';
        buf[len++] = *p;
    }
    if (quote) {
        if (len + 1 >= cap)
            return -1;
        buf[len++] = '"';
    }
    if (len >= cap)
        return -1;
    buf[len] = '\0';
    return (long)len;
}

LIBDBM_API int libdbm_summary_format_row(const libdbm_summary *summary,
                                         char *buffer, size_t capacity,
                                         int64_t index, int32_t decimals)
{
    char id[3 * 1024 + 3];
    size_t i;
    if (summary == NULL || buffer == NULL)
        return LIBDBM_EINVAL;
    if (decimals < 0 || decimals > 9)
        return dbmi_error(summary->ctx, LIBDBM_EINVAL, "decimals must be 0..9, not %d",
                          (int)decimals);
    if (check_index(summary, index) != LIBDBM_OK)
        return LIBDBM_ERANGE;
    i = (size_t)index;
    if (dbmi_csv_field(id, sizeof(id), summary->ids + summary->id_offsets[i]) < 0 ||
        dbmi_summary_format_row(buffer, capacity, id, &summary->rows[i], summary->scale,
                                decimals) < 0)
        return dbmi_error(summary->ctx, LIBDBM_ERANGE,
                          "row %zu does not fit in a buffer of %zu bytes", i, capacity);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_summary_add_to_stats(const libdbm_summary *summary,
                                           libdbm_stats *stats)
{
    if (summary == NULL || stats == NULL)
        return LIBDBM_EINVAL;
    return libdbm_stats_add_array(stats, summary->x, summary->t_x, summary->T, summary->m_x, NULL,
                                  (int64_t)summary->count);
}
