/* The campaign scheduler behind libdbm_campaign_scheduler: entry
 * (enter.c), due actions (due.c), outcomes (outcome.c), measurement
 * (report.c), action lists and ids (actions.c). docs/campaigns.md states
 * the rules these files implement. */
#ifndef LIBDBM_CAMPAIGN_SCHEDULER_H
#define LIBDBM_CAMPAIGN_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "definition.h"
#include "store_campaign.h"

/* Skip reasons that are not policy rules (policy rules are recorded under
 * their own names). */
#define DBMI_CAMP_REASON_LATE "late"
#define DBMI_CAMP_REASON_CONDITION "condition"
#define DBMI_CAMP_REASON_NO_DATE "no_date"
#define DBMI_CAMP_REASON_DEADLINE "deadline"

struct libdbm_campaign_scheduler {
    libdbm_context *ctx;
    const libdbm_campaign *campaign;
    libdbm_store *store;
    const libdbm_policy *policy;
    libdbm_policy_answer *answer;
    int recovered;      /* the first due() handed out earlier unacknowledged actions */
};

/* One action handed to the host. Strings point into the list's arena. */
typedef struct dbmi_camp_action {
    size_t id, customer;        /* offsets into the arena */
    int32_t stage;
    int redelivery;
} dbmi_camp_action;

struct libdbm_campaign_actions {
    libdbm_context *ctx;
    const libdbm_campaign *campaign;
    dbmi_camp_action *items;
    size_t count, capacity;
    dbmi_buf arena;             /* NUL-terminated strings */
};

int dbmi_camp_actions_new(libdbm_campaign_scheduler *s, libdbm_campaign_actions **out);
/* Appends an action with id "CAMPAIGN/NUMBER/STAGE/ORIGIN". */
int dbmi_camp_actions_add(libdbm_campaign_actions *a, const char *campaign, uint32_t number,
                          int32_t stage, const char *origin, const char *customer,
                          int redelivery);

/* Splits an action id; the origin points into @p id. */
int dbmi_camp_parse_action_id(libdbm_context *ctx, const char *id, const char *campaign,
                              uint32_t *number, int32_t *stage, const char **origin);

/* 1 when the entry of @p customer_id into @p c falls in the holdout. */
int dbmi_camp_in_holdout(const libdbm_campaign *c, const char *customer_id);

/* Whether @p slot may enter now (re-entry rule; hold the read lock), and
 * the entry number it would get. */
int dbmi_camp_may_enter(const libdbm_store *store, const libdbm_campaign *c, uint32_t campaign_name,
                        int have_name, uint32_t slot, int64_t now, uint32_t *number);
/* Writes the ENTER record for a slot checked by dbmi_camp_may_enter. */
int dbmi_camp_write_enter(libdbm_campaign_scheduler *s, const char *customer_id, size_t slot,
                          uint32_t number, int64_t at);

/* Enters the members of @p members (or, when NULL, whoever recorded the
 * entry event since their last entry) in one durable batch. */
int dbmi_camp_enter_batch(libdbm_campaign_scheduler *s, const libdbm_members *members,
                          int64_t now, int64_t *entered);
/* Runs a group of writes as one durable batch: begin, @p fn, commit (or
 * rollback when @p fn fails). */
int dbmi_camp_in_batch(libdbm_campaign_scheduler *s, int (*fn)(void *arg), void *arg);

/* Whether the entry converted by @p now (kind PURCHASE or EVENT; hold the
 * read lock). */
int dbmi_camp_converted(const libdbm_store *store, const libdbm_campaign *c, uint32_t event_name,
                        int have_event, size_t slot, const dbmi_camp_entry *e, int64_t now);

/* @p t + @p d, saturating at the ends of int64 (times come from hosts and
 * files: any value). */
int64_t dbmi_camp_time_add(int64_t t, int64_t d);

/* The next opening of a stage's send window at or after @p t. */
int64_t dbmi_camp_window_open(const libdbm_campaign *c, const dbmi_camp_stage_def *s, int64_t t);

#endif
