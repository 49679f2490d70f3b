/* Building campaign definitions (libdbm_campaign_new and the setters). The
 * parser (parse.c) builds through the same functions, so a text and a
 * program that say the same thing make the same definition. */
#include <math.h>
#include <string.h>

#include "libdbm.h"
#include "definition.h"
#include "validate.h"

int dbmi_camp_set_text(libdbm_context *ctx, char **slot, const char *text)
{
    char *copy = NULL;
    if (text != NULL && (copy = dbmi_strdup(ctx, text)) == NULL)
        return dbmi_error_nomem(ctx, "campaign definition");
    dbmi_free(ctx, *slot);
    *slot = copy;
    return LIBDBM_OK;
}

int dbmi_camp_compile(libdbm_context *ctx, const char *text, libdbm_segment **segment,
                      char **canonical)
{
    libdbm_segment *seg = NULL;
    char *exported = NULL;
    int status = libdbm_segment_compile(&seg, ctx, text);
    if (status == LIBDBM_OK)
        status = libdbm_segment_to_string(seg, &exported);
    if (status == LIBDBM_OK)
        status = dbmi_camp_set_text(ctx, canonical, exported);
    libdbm_free_string(exported);
    if (status != LIBDBM_OK) {
        libdbm_segment_free(seg);
        return status;
    }
    libdbm_segment_free(*segment);
    *segment = seg;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_new(libdbm_campaign **out, libdbm_context *ctx, const char *name)
{
    libdbm_campaign *c;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL)
        return LIBDBM_EINVAL;
    if (dbmi_check_name(ctx, "campaign name", name, NULL) != LIBDBM_OK)
        return LIBDBM_EINVAL;
    c = dbmi_calloc(ctx, 1, sizeof(*c));
    if (c == NULL)
        return dbmi_error_nomem(ctx, "campaign");
    c->ctx = ctx;
    c->window_days = DBMI_CAMP_DEFAULT_WINDOW_DAYS;
    if (dbmi_camp_set_text(ctx, &c->name, name) != LIBDBM_OK) {
        dbmi_free(ctx, c);
        return LIBDBM_ENOMEM;
    }
    *out = c;
    return LIBDBM_OK;
}

static void free_stage(libdbm_context *ctx, dbmi_camp_stage_def *s)
{
    size_t k;
    dbmi_free(ctx, s->name);
    dbmi_free(ctx, s->channel);
    dbmi_free(ctx, s->content);
    dbmi_free(ctx, s->date_attribute);
    for (k = 0; k < s->n_conditions; k++) {
        dbmi_free(ctx, s->conditions[k].text);
        libdbm_segment_free(s->conditions[k].segment);
    }
}

LIBDBM_API void libdbm_campaign_free(libdbm_campaign *c)
{
    size_t k;
    if (c == NULL)
        return;
    for (k = 0; k < c->n_stages; k++)
        free_stage(c->ctx, &c->stages[k]);
    dbmi_free(c->ctx, c->name);
    dbmi_free(c->ctx, c->entry_text);
    libdbm_segment_free(c->entry_segment);
    dbmi_free(c->ctx, c->salt);
    dbmi_free(c->ctx, c->conversion_event);
    dbmi_free(c->ctx, c->exit_text);
    libdbm_segment_free(c->exit_segment);
    dbmi_free(c->ctx, c->deadline_attribute);
    dbmi_free(c->ctx, c->zone);
    dbmi_free(c->ctx, c);
}

LIBDBM_API int libdbm_campaign_set_entry(libdbm_campaign *c, int kind, const char *text)
{
    int status;
    if (c == NULL || text == NULL)
        return LIBDBM_EINVAL;
    switch (kind) {
    case LIBDBM_CAMPAIGN_ENTRY_SEGMENT:
    case LIBDBM_CAMPAIGN_ENTRY_CONTINUOUS:
        status = dbmi_camp_compile(c->ctx, text, &c->entry_segment, &c->entry_text);
        break;
    case LIBDBM_CAMPAIGN_ENTRY_EVENT:
        status = dbmi_check_name(c->ctx, "entry event", text, NULL);
        if (status == LIBDBM_OK)
            status = dbmi_camp_set_text(c->ctx, &c->entry_text, text);
        if (status == LIBDBM_OK) {
            libdbm_segment_free(c->entry_segment);
            c->entry_segment = NULL;
        }
        break;
    default:
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "entry kind %d is not a LIBDBM_CAMPAIGN_ENTRY_*",
                          kind);
    }
    if (status == LIBDBM_OK)
        c->entry_kind = kind;
    return status;
}

LIBDBM_API int libdbm_campaign_set_reentry(libdbm_campaign *c, int rule, int32_t days)
{
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (rule < LIBDBM_CAMPAIGN_REENTRY_NEVER || rule > LIBDBM_CAMPAIGN_REENTRY_ALWAYS)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "re-entry rule %d is not a LIBDBM_CAMPAIGN_REENTRY_*",
                          rule);
    if (rule == LIBDBM_CAMPAIGN_REENTRY_AFTER && (days < 1 || days > 3650))
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "re-entry after %d days: must be 1..3650",
                          (int)days);
    c->reentry = rule;
    c->reentry_days = rule == LIBDBM_CAMPAIGN_REENTRY_AFTER ? days : 0;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_set_holdout(libdbm_campaign *c, double share, const char *salt)
{
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (!(share >= 0.0 && share <= 0.9))
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "holdout share %g is outside [0, 0.9]", share);
    if (salt != NULL && dbmi_check_text(c->ctx, "holdout salt", salt, 0, 256, NULL) != LIBDBM_OK)
        return LIBDBM_EINVAL;
    if (dbmi_camp_set_text(c->ctx, &c->salt, salt) != LIBDBM_OK)
        return LIBDBM_ENOMEM;
    c->holdout = share;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_set_conversion(libdbm_campaign *c, int kind, const char *event,
                                              int32_t window_days)
{
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (kind < LIBDBM_CAMPAIGN_CONVERT_OUTCOME || kind > LIBDBM_CAMPAIGN_CONVERT_EVENT)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "conversion kind %d is not a LIBDBM_CAMPAIGN_CONVERT_*",
                          kind);
    if (window_days < 1 || window_days > 3650)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "conversion window of %d days: must be 1..3650",
                          (int)window_days);
    if (kind == LIBDBM_CAMPAIGN_CONVERT_EVENT &&
        dbmi_check_name(c->ctx, "conversion event", event, NULL) != LIBDBM_OK)
        return LIBDBM_EINVAL;
    if (dbmi_camp_set_text(c->ctx, &c->conversion_event,
                           kind == LIBDBM_CAMPAIGN_CONVERT_EVENT ? event : NULL) != LIBDBM_OK)
        return LIBDBM_ENOMEM;
    c->conversion = kind;
    c->window_days = window_days;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_set_exit_segment(libdbm_campaign *c, const char *expression)
{
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (expression == NULL) {
        libdbm_segment_free(c->exit_segment);
        c->exit_segment = NULL;
        return dbmi_camp_set_text(c->ctx, &c->exit_text, NULL);
    }
    return dbmi_camp_compile(c->ctx, expression, &c->exit_segment, &c->exit_text);
}

LIBDBM_API int libdbm_campaign_set_deadline(libdbm_campaign *c, const char *attribute)
{
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (attribute != NULL && dbmi_check_name(c->ctx, "deadline attribute", attribute, NULL) != LIBDBM_OK)
        return LIBDBM_EINVAL;
    c->has_deadline_time = 0;
    return dbmi_camp_set_text(c->ctx, &c->deadline_attribute, attribute);
}

/* Times the canonical text can print (libdbm_time_format's range). */
static int printable_time(int64_t t)
{
    char buf[LIBDBM_TIME_FORMAT_SIZE];
    return libdbm_time_format(buf, sizeof(buf), t) == LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_set_deadline_time(libdbm_campaign *c, int64_t time)
{
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (!printable_time(time))
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "deadline %lld is outside years 1 to 9999",
                          (long long)time);
    dbmi_free(c->ctx, c->deadline_attribute);
    c->deadline_attribute = NULL;
    c->has_deadline_time = 1;
    c->deadline_time = time;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_set_catchup(libdbm_campaign *c, int rule)
{
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (rule < LIBDBM_CAMPAIGN_CATCHUP_SKIP || rule > LIBDBM_CAMPAIGN_CATCHUP_ALL)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "catch-up rule %d is not a LIBDBM_CAMPAIGN_CATCHUP_*",
                          rule);
    c->catchup = rule;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_set_timezone(libdbm_campaign *c, const char *zone)
{
    const dbmi_tz *tz;
    int status;
    if (c == NULL || zone == NULL)
        return LIBDBM_EINVAL;
    status = dbmi_tz_get(c->ctx, zone, &tz);
    if (status == LIBDBM_OK)
        status = dbmi_camp_set_text(c->ctx, &c->zone, zone);
    if (status == LIBDBM_OK)
        c->tz = tz;
    return status;
}

static int stage_at(libdbm_campaign *c, int32_t stage, dbmi_camp_stage_def **out)
{
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (stage < 0 || (size_t)stage >= c->n_stages)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "campaign '%s' has no stage %d", c->name,
                          (int)stage);
    *out = &c->stages[stage];
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_add_stage(libdbm_campaign *c, int32_t *index, const char *name,
                                         const char *channel, const char *content,
                                         int message_class)
{
    dbmi_camp_stage_def s;
    size_t k;
    if (c == NULL)
        return LIBDBM_EINVAL;
    if (c->n_stages >= DBMI_CAMP_MAX_STAGES)
        return dbmi_error(c->ctx, LIBDBM_ELIMIT, "campaign '%s': more than %u stages", c->name,
                          DBMI_CAMP_MAX_STAGES);
    if (dbmi_check_name(c->ctx, "stage name", name, NULL) != LIBDBM_OK ||
        dbmi_check_channel(c->ctx, "stage channel", channel, NULL) != LIBDBM_OK ||
        dbmi_check_name(c->ctx, "stage content", content, NULL) != LIBDBM_OK)
        return LIBDBM_EINVAL;
    /* 'all' names every channel in a contact policy's caps; a message goes
     * out on one channel, and the policy check of a stage would refuse it. */
    if (strcmp(channel, "all") == 0)
        return dbmi_error(c->ctx, LIBDBM_EINVAL,
                          "stage channel 'all': a stage sends on one channel ('all' means "
                          "every channel in a contact policy)");
    if (message_class != LIBDBM_MESSAGE_MARKETING && message_class != LIBDBM_MESSAGE_TRANSACTIONAL)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "message class %d is not a LIBDBM_MESSAGE_*",
                          message_class);
    for (k = 0; k < c->n_stages; k++)
        if (strcmp(c->stages[k].name, name) == 0)
            return dbmi_error(c->ctx, LIBDBM_EINVAL, "campaign '%s': two stages named '%s'",
                              c->name, name);
    memset(&s, 0, sizeof(s));
    s.message_class = message_class;
    s.anchor = c->n_stages == 0 ? LIBDBM_CAMPAIGN_AT_ENTRY : LIBDBM_CAMPAIGN_AT_PREVIOUS;
    s.window_start = s.window_end = -1;
    if (dbmi_camp_set_text(c->ctx, &s.name, name) != LIBDBM_OK ||
        dbmi_camp_set_text(c->ctx, &s.channel, channel) != LIBDBM_OK ||
        dbmi_camp_set_text(c->ctx, &s.content, content) != LIBDBM_OK) {
        free_stage(c->ctx, &s);
        return LIBDBM_ENOMEM;
    }
    c->stages[c->n_stages] = s;
    if (index != NULL)
        *index = (int32_t)c->n_stages;
    c->n_stages++;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_stage_set_timing(libdbm_campaign *c, int32_t stage, int anchor,
                                                int64_t offset_seconds, const char *date_attribute)
{
    dbmi_camp_stage_def *s = NULL;
    int status = stage_at(c, stage, &s);
    if (status != LIBDBM_OK)
        return status;
    if (anchor < LIBDBM_CAMPAIGN_AT_ENTRY || anchor > LIBDBM_CAMPAIGN_AT_TIME)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "anchor %d is not a LIBDBM_CAMPAIGN_AT_*", anchor);
    if (anchor == LIBDBM_CAMPAIGN_AT_TIME && !printable_time(offset_seconds))
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "stage time %lld is outside years 1 to 9999",
                          (long long)offset_seconds);
    if (anchor != LIBDBM_CAMPAIGN_AT_TIME &&
        (offset_seconds < -DBMI_CAMP_MAX_OFFSET || offset_seconds > DBMI_CAMP_MAX_OFFSET ||
         (anchor != LIBDBM_CAMPAIGN_AT_DATE && offset_seconds < 0)))
        return dbmi_error(c->ctx, LIBDBM_EINVAL,
                          "stage offset %lld s: must be 0..3650 days (negative only before a date)",
                          (long long)offset_seconds);
    if (anchor == LIBDBM_CAMPAIGN_AT_DATE &&
        dbmi_check_name(c->ctx, "date attribute", date_attribute, NULL) != LIBDBM_OK)
        return LIBDBM_EINVAL;
    status = dbmi_camp_set_text(c->ctx, &s->date_attribute,
                                anchor == LIBDBM_CAMPAIGN_AT_DATE ? date_attribute : NULL);
    if (status != LIBDBM_OK)
        return status;
    s->anchor = anchor;
    s->offset = offset_seconds;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_stage_set_window(libdbm_campaign *c, int32_t stage,
                                                int32_t start_minute, int32_t end_minute)
{
    dbmi_camp_stage_def *s = NULL;
    int status = stage_at(c, stage, &s);
    if (status != LIBDBM_OK)
        return status;
    if (!(start_minute == -1 && end_minute == -1) &&
        (start_minute < 0 || start_minute >= 1440 || end_minute < 0 || end_minute > 1440 ||
         start_minute == end_minute))
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "send window %d-%d: minutes must be 0..1440 and differ",
                          (int)start_minute, (int)end_minute);
    s->window_start = start_minute;
    s->window_end = end_minute;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_stage_add_condition(libdbm_campaign *c, int32_t stage, int kind,
                                                   const char *expression)
{
    dbmi_camp_stage_def *s = NULL;
    dbmi_camp_condition cond;
    int status = stage_at(c, stage, &s);
    if (status != LIBDBM_OK)
        return status;
    if (s->n_conditions >= DBMI_CAMP_MAX_CONDITIONS)
        return dbmi_error(c->ctx, LIBDBM_ELIMIT, "stage '%s': more than %u conditions", s->name,
                          DBMI_CAMP_MAX_CONDITIONS);
    memset(&cond, 0, sizeof(cond));
    cond.kind = kind;
    switch (kind) {
    case LIBDBM_CAMPAIGN_IF_SEGMENT:
        if (expression == NULL)
            return LIBDBM_EINVAL;
        status = dbmi_camp_compile(c->ctx, expression, &cond.segment, &cond.text);
        if (status != LIBDBM_OK)
            return status;
        break;
    case LIBDBM_CAMPAIGN_IF_NO_RESPONSE:
    case LIBDBM_CAMPAIGN_IF_NOT_CONVERTED:
        break;
    default:
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "condition %d is not a LIBDBM_CAMPAIGN_IF_*", kind);
    }
    s->conditions[s->n_conditions++] = cond;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_stage_set_on_blocked(libdbm_campaign *c, int32_t stage, int mode)
{
    dbmi_camp_stage_def *s = NULL;
    int status = stage_at(c, stage, &s);
    if (status != LIBDBM_OK)
        return status;
    if (mode < LIBDBM_CAMPAIGN_BLOCKED_DEFER || mode > LIBDBM_CAMPAIGN_BLOCKED_DROP)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "blocked mode %d is not a LIBDBM_CAMPAIGN_BLOCKED_*",
                          mode);
    s->on_blocked = mode;
    return LIBDBM_OK;
}
