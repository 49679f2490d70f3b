/* The canonical text of a campaign definition (libdbm_campaign_to_string),
 * in the format parse.c reads. */
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "definition.h"
#include "libdbm.h"

static void put_quoted(dbmi_buf *b, const char *s)
{
    dbmi_buf_put(b, "\"", 1);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            dbmi_buf_put(b, "\\", 1);
        dbmi_buf_put(b, s, 1);
    }
    dbmi_buf_put(b, "\"", 1);
}

static void put_text(dbmi_buf *b, const char *s)
{
    dbmi_buf_put(b, s, strlen(s));
}

/* The largest exact unit: 7d, 36h, 90m, 45s. */
static void put_duration(dbmi_buf *b, int64_t seconds)
{
    char tmp[32];
    if (seconds % 86400 == 0)
        snprintf(tmp, sizeof(tmp), "%lldd", (long long)(seconds / 86400));
    else if (seconds % 3600 == 0)
        snprintf(tmp, sizeof(tmp), "%lldh", (long long)(seconds / 3600));
    else if (seconds % 60 == 0)
        snprintf(tmp, sizeof(tmp), "%lldm", (long long)(seconds / 60));
    else
        snprintf(tmp, sizeof(tmp), "%llds", (long long)seconds);
    put_text(b, tmp);
}

static void put_time(dbmi_buf *b, int64_t t)
{
    char tmp[LIBDBM_TIME_FORMAT_SIZE];
    libdbm_time_format(tmp, sizeof(tmp), t);    /* checked when it was set */
    put_text(b, tmp);
}

static void put_header(dbmi_buf *b, const libdbm_campaign *c)
{
    static const char *const entry[] = {"", "segment", "event", "continuous"};
    static const char *const reentry[] = {"never", "after", "always"};
    static const char *const convert[] = {"outcome", "purchase", "event"};
    static const char *const catchup[] = {"skip", "latest", "all"};
    char tmp[64];
    put_text(b, "campaign ");
    put_text(b, c->name);
    put_text(b, "\nentry ");
    put_text(b, entry[c->entry_kind]);
    put_text(b, " ");
    if (c->entry_kind == LIBDBM_CAMPAIGN_ENTRY_EVENT)
        put_text(b, c->entry_text);
    else
        put_quoted(b, c->entry_text);
    put_text(b, "\nreentry ");
    put_text(b, reentry[c->reentry]);
    if (c->reentry == LIBDBM_CAMPAIGN_REENTRY_AFTER) {
        put_text(b, " ");
        put_duration(b, (int64_t)c->reentry_days * 86400);
    }
    snprintf(tmp, sizeof(tmp), "\nholdout %.17g%% salt ", c->holdout * 100.0);
    put_text(b, tmp);
    put_quoted(b, c->salt ? c->salt : "");
    put_text(b, "\nconvert on ");
    put_text(b, convert[c->conversion]);
    if (c->conversion == LIBDBM_CAMPAIGN_CONVERT_EVENT) {
        put_text(b, " ");
        put_text(b, c->conversion_event);
    }
    put_text(b, " within ");
    put_duration(b, (int64_t)c->window_days * 86400);
    if (c->exit_text != NULL) {
        put_text(b, "\nexit when ");
        put_quoted(b, c->exit_text);
    }
    if (c->deadline_attribute != NULL) {
        put_text(b, "\ndeadline attr.");
        put_text(b, c->deadline_attribute);
    } else if (c->has_deadline_time) {
        put_text(b, "\ndeadline ");
        put_time(b, c->deadline_time);
    }
    put_text(b, "\ncatchup ");
    put_text(b, catchup[c->catchup]);
    if (c->zone != NULL) {
        put_text(b, "\ntimezone ");
        put_text(b, c->zone);
    }
    put_text(b, "\n");
}

static void put_stage(dbmi_buf *b, const dbmi_camp_stage_def *s)
{
    static const char *const blocked[] = {"defer", "skip", "drop"};
    char tmp[64];
    size_t k;
    put_text(b, "\nstage ");
    put_text(b, s->name);
    put_text(b, " channel ");
    put_text(b, s->channel);
    put_text(b, " content ");
    put_text(b, s->content);
    put_text(b, s->message_class == LIBDBM_MESSAGE_TRANSACTIONAL ? " class transactional\n"
                                                                  : " class marketing\n");
    put_text(b, "  at ");
    if (s->anchor == LIBDBM_CAMPAIGN_AT_TIME) {
        put_time(b, s->offset);
    } else {
        if (s->anchor == LIBDBM_CAMPAIGN_AT_DATE) {
            put_text(b, "attr.");
            put_text(b, s->date_attribute);
        } else {
            put_text(b, s->anchor == LIBDBM_CAMPAIGN_AT_ENTRY ? "entry" : "previous");
        }
        put_text(b, s->offset < 0 ? " - " : " + ");
        put_duration(b, s->offset < 0 ? -s->offset : s->offset);
    }
    put_text(b, "\n");
    if (s->window_start >= 0) {
        snprintf(tmp, sizeof(tmp), "  window %02d:%02d-%02d:%02d\n", (int)(s->window_start / 60),
                 (int)(s->window_start % 60), (int)(s->window_end / 60), (int)(s->window_end % 60));
        put_text(b, tmp);
    }
    for (k = 0; k < s->n_conditions; k++) {
        const dbmi_camp_condition *cond = &s->conditions[k];
        if (cond->kind == LIBDBM_CAMPAIGN_IF_SEGMENT) {
            put_text(b, "  if segment ");
            put_quoted(b, cond->text);
            put_text(b, "\n");
        } else {
            put_text(b, cond->kind == LIBDBM_CAMPAIGN_IF_NO_RESPONSE ? "  if no_response\n"
                                                                     : "  if not_converted\n");
        }
    }
    put_text(b, "  blocked ");
    put_text(b, blocked[s->on_blocked]);
    put_text(b, "\n");
}

LIBDBM_API int libdbm_campaign_to_string(const libdbm_campaign *c, char **out)
{
    dbmi_buf b;
    size_t k;
    int status;
    if (out != NULL)
        *out = NULL;
    if (c == NULL || out == NULL)
        return LIBDBM_EINVAL;
    if (c->entry_kind == 0)
        return dbmi_error(c->ctx, LIBDBM_EINVAL, "campaign '%s' has no entry rule", c->name);
    dbmi_buf_init(&b, c->ctx);
    put_header(&b, c);
    for (k = 0; k < c->n_stages; k++)
        put_stage(&b, &c->stages[k]);
    status = dbmi_buf_status(&b);
    if (status == LIBDBM_OK) {
        *out = dbmi_export_string(c->ctx, (const char *)b.data, b.len);
        if (*out == NULL)
            status = dbmi_error_nomem(c->ctx, "campaign text");
    }
    dbmi_buf_free(&b);
    return status;
}
