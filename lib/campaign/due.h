/* The internals of libdbm_campaign_due (due.c): one run's state, shared
 * by its two steps, the scan (scan.c) and the decisions (decide.c). */
#ifndef LIBDBM_CAMPAIGN_DUE_H
#define LIBDBM_CAMPAIGN_DUE_H

#include <stddef.h>
#include <stdint.h>

#include "scheduler.h"

/* The outcomes that count as a response (the no_response condition). */
#define DBMI_CAMP_RESPONSE_BITS ((1u << LIBDBM_OUTCOME_CLICKED) | \
                                 (1u << LIBDBM_OUTCOME_RESPONDED) | \
                                 (1u << LIBDBM_OUTCOME_CONVERTED))
/* "No time": a missing date, no deadline, no deferral. */
#define DBMI_CAMP_NO_TIME INT64_MIN

enum { DBMI_CAMP_WORK_STAGES = 0, DBMI_CAMP_WORK_END = 1 };

/* One entry something may happen to now, copied out of the store. */
typedef struct work_item {
    size_t slot;
    size_t origin, customer;    /* offsets into the run's id arena */
    size_t dates;               /* offset into the run's date pool (one per stage) */
    int64_t entered_at;
    int64_t reached_at;         /* when the entry reached stage `next` */
    int64_t deferred_until;     /* DBMI_CAMP_NO_TIME unless stage `next` is deferred */
    int64_t deadline;           /* DBMI_CAMP_NO_TIME: none */
    uint32_t number;
    int kind;                   /* DBMI_CAMP_WORK_STAGES or DBMI_CAMP_WORK_END */
    int end;                    /* DBMI_CAMP_WORK_END: DBMI_CAMP_END_* */
    int prev_responded;         /* the stage before `next` got a response */
    int has_dates;              /* `dates` holds the stages' dates */
    uint8_t next;
} work_item;

typedef struct due_run {
    libdbm_campaign_scheduler *s;
    const libdbm_campaign *c;
    int64_t now;
    const char *only;           /* due_for: the customer; NULL: everyone */
    libdbm_members *exit_members;
    libdbm_members *cond_members[DBMI_CAMP_MAX_STAGES][DBMI_CAMP_MAX_CONDITIONS];
    work_item *items;
    size_t n_items, cap_items;
    dbmi_buf ids;
    int64_t *dates;
    size_t n_dates, cap_dates;
    int exit_matches;           /* due_for: the customer matches the exit segment */
    /* Re-deliveries, then the actions issued in the batch: returned only
     * once the batch is committed. */
    libdbm_campaign_actions *actions;
} due_run;

/* The strings of the run's arena. */
const char *dbmi_camp_arena_str(const due_run *r, size_t offset);
/* The raw due time of stage @p k, before deferral and window; DBMI_CAMP_NO_TIME
 * when its date is missing. */
int64_t dbmi_camp_raw_due(const libdbm_campaign *c, size_t k, int64_t entered_at,
                          int64_t reached_at, int64_t date);
/* Whether stage timing @p due (DBMI_CAMP_NO_TIME: unknown) is cut by the deadline. */
int dbmi_camp_past_deadline(int64_t deadline, int64_t due, int64_t now);
/* Step 1, under the store's read lock: the work items and re-deliveries. */
int dbmi_camp_scan(due_run *r);
/* Step 2, inside the batch: every item's decisions (a dbmi_camp_in_batch
 * callback, @p arg is the run). */
int dbmi_camp_decide_all(void *arg);

#endif
