/* The campaign definition behind libdbm_campaign: what the parser and the
 * builder fill and the scheduler reads. Immutable once a scheduler uses
 * it. */
#ifndef LIBDBM_CAMPAIGN_DEFINITION_H
#define LIBDBM_CAMPAIGN_DEFINITION_H

#include <stddef.h>
#include <stdint.h>

#include "campaign_state.h"
#include "context_private.h"
#include "tz.h"

#define DBMI_CAMP_MAX_CONDITIONS 8u
#define DBMI_CAMP_DEFAULT_WINDOW_DAYS 30
#define DBMI_CAMP_MAX_OFFSET ((int64_t)3650 * 86400)

typedef struct dbmi_camp_condition {
    int kind;                   /* LIBDBM_CAMPAIGN_IF_* */
    char *text;                 /* IF_SEGMENT: canonical expression */
    libdbm_segment *segment;
} dbmi_camp_condition;

typedef struct dbmi_camp_stage_def {
    char *name, *channel, *content;
    int message_class;
    int anchor;                 /* LIBDBM_CAMPAIGN_AT_* */
    int64_t offset;             /* seconds */
    char *date_attribute;       /* AT_DATE */
    int32_t window_start, window_end;   /* minutes; -1 = no window */
    int on_blocked;             /* LIBDBM_CAMPAIGN_BLOCKED_* */
    dbmi_camp_condition conditions[DBMI_CAMP_MAX_CONDITIONS];
    size_t n_conditions;
} dbmi_camp_stage_def;

struct libdbm_campaign {
    libdbm_context *ctx;
    char *name;
    int entry_kind;             /* 0 until set */
    char *entry_text;           /* canonical expression or event name */
    libdbm_segment *entry_segment;
    int reentry;
    int32_t reentry_days;
    double holdout;
    char *salt;
    int conversion;
    char *conversion_event;
    int32_t window_days;
    char *exit_text;
    libdbm_segment *exit_segment;
    int catchup;
    char *deadline_attribute;   /* NULL: none, or the fixed time below */
    int has_deadline_time;
    int64_t deadline_time;
    char *zone;                 /* NULL = UTC */
    const dbmi_tz *tz;          /* owned by the context; NULL = UTC */
    dbmi_camp_stage_def stages[DBMI_CAMP_MAX_STAGES];
    size_t n_stages;
};

/* Compiles @p text into a segment and its canonical text. */
int dbmi_camp_compile(libdbm_context *ctx, const char *text, libdbm_segment **segment,
                      char **canonical);
/* Replaces *slot with a copy of @p text (NULL clears it). */
int dbmi_camp_set_text(libdbm_context *ctx, char **slot, const char *text);

#endif
