/* Action lists handed to the host, and action ids:
 * "CAMPAIGN/ENTRY/STAGE/CUSTOMER_ID" where CUSTOMER_ID is the id the entry
 * started under (it may contain '/': it comes last). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libdbm.h"
#include "scheduler.h"

int dbmi_camp_actions_new(libdbm_campaign_scheduler *s, libdbm_campaign_actions **out)
{
    libdbm_campaign_actions *a = dbmi_calloc(s->ctx, 1, sizeof(*a));
    *out = NULL;
    if (a == NULL)
        return dbmi_error_nomem(s->ctx, "campaign actions");
    a->ctx = s->ctx;
    a->campaign = s->campaign;
    dbmi_buf_init(&a->arena, s->ctx);
    *out = a;
    return LIBDBM_OK;
}

/* Writes @p v in decimal followed by '/' at @p out; returns the length. */
static size_t put_decimal(char *out, uint32_t v)
{
    char digits[10];
    size_t n = 0, k;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (k = 0; k < n; k++)
        out[k] = digits[n - 1 - k];
    out[n] = '/';
    return n + 1;
}

int dbmi_camp_actions_add(libdbm_campaign_actions *a, const char *campaign, uint32_t number,
                          int32_t stage, const char *origin, const char *customer,
                          int redelivery)
{
    char head[96];      /* a campaign name is at most 64 bytes */
    dbmi_camp_action *item;
    size_t n = strlen(campaign);
    memcpy(head, campaign, n);
    head[n++] = '/';
    n += put_decimal(head + n, number);
    n += put_decimal(head + n, (uint32_t)stage);
    if (dbmi_grow_array(a->ctx, (void **)&a->items, &a->capacity, a->count + 1,
                        sizeof(*a->items)) != LIBDBM_OK)
        return LIBDBM_ENOMEM;
    item = &a->items[a->count];
    item->id = a->arena.len;
    dbmi_buf_put(&a->arena, head, n);
    dbmi_buf_put(&a->arena, origin, strlen(origin) + 1);
    item->customer = a->arena.len;
    dbmi_buf_put(&a->arena, customer, strlen(customer) + 1);
    item->stage = stage;
    item->redelivery = redelivery;
    if (dbmi_buf_status(&a->arena) != LIBDBM_OK)
        return LIBDBM_ENOMEM;
    a->count++;
    return LIBDBM_OK;
}

/* A decimal field ended by '/'; advances *p past the '/'. */
static int decimal_field(const char **p, uint64_t max, uint64_t *value)
{
    const char *s = *p;
    char *end;
    unsigned long long v;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '/' || v > max)
        return -1;
    *value = v;
    *p = end + 1;
    return 0;
}

int dbmi_camp_parse_action_id(libdbm_context *ctx, const char *id, const char *campaign,
                              uint32_t *number, int32_t *stage, const char **origin)
{
    size_t len = strlen(campaign);
    const char *p = id;
    uint64_t n, k;
    if (strncmp(p, campaign, len) != 0 || p[len] != '/')
        return dbmi_error(ctx, LIBDBM_EINVAL, "action id '%.80s' is not of campaign '%s'", id,
                          campaign);
    p += len + 1;
    if (decimal_field(&p, UINT32_MAX, &n) != 0 || n == 0 ||
        decimal_field(&p, DBMI_CAMP_MAX_STAGES - 1, &k) != 0 || *p == '\0')
        return dbmi_error(ctx, LIBDBM_EINVAL,
                          "action id '%.80s' is not CAMPAIGN/ENTRY/STAGE/CUSTOMER_ID", id);
    *number = (uint32_t)n;
    *stage = (int32_t)k;
    *origin = p;
    return LIBDBM_OK;
}

LIBDBM_API int64_t libdbm_campaign_actions_count(const libdbm_campaign_actions *a)
{
    return a ? (int64_t)a->count : 0;
}

LIBDBM_API int libdbm_campaign_action_get(const libdbm_campaign_actions *a, int64_t index,
                                          const char **action_id, const char **customer_id,
                                          int32_t *stage, const char **channel,
                                          const char **content, int *redelivery)
{
    const dbmi_camp_action *item;
    const dbmi_camp_stage_def *def;
    if (a == NULL || index < 0 || (uint64_t)index >= a->count)
        return a ? dbmi_error(a->ctx, LIBDBM_EINVAL, "no action %lld", (long long)index)
                 : LIBDBM_EINVAL;
    item = &a->items[index];
    def = &a->campaign->stages[item->stage];
    if (action_id != NULL)
        *action_id = (const char *)a->arena.data + item->id;
    if (customer_id != NULL)
        *customer_id = (const char *)a->arena.data + item->customer;
    if (stage != NULL)
        *stage = item->stage;
    if (channel != NULL)
        *channel = def->channel;
    if (content != NULL)
        *content = def->content;
    if (redelivery != NULL)
        *redelivery = item->redelivery;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_campaign_actions_free(libdbm_campaign_actions *a)
{
    if (a == NULL)
        return;
    dbmi_buf_free(&a->arena);
    dbmi_free(a->ctx, a->items);
    dbmi_free(a->ctx, a);
}
