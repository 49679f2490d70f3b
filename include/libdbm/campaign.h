/*
 * libdbm — multi-stage, multichannel, event-triggered campaigns.
 *
 * A campaign definition (libdbm_campaign: parsed from the text format of
 * docs/campaigns.md or built with the functions below) says who enters,
 * which stages follow on which channels and when, what ends an entry and
 * how the result is measured. A scheduler binds a definition to a store
 * and (optionally) a contact policy: it enters customers, hands the host
 * the actions due now, each with a stable id, and takes the outcomes back.
 * Its state lives in the store's log, so it survives crashes without
 * losing or repeating actions. Include <libdbm.h> rather than this file.
 *
 * Threads: a definition is immutable once a scheduler uses it and may be
 * shared. A scheduler belongs to one thread at a time; several schedulers
 * (and policy checks) may work on one store at once.
 *
 * This header is part of the stable ABI: see docs/abi-stability.md.
 */
#ifndef LIBDBM_CAMPAIGN_H
#define LIBDBM_CAMPAIGN_H

#include "libdbm/common.h"
#include "libdbm/context.h"
#include "libdbm/policy.h"
#include "libdbm/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A campaign definition (opaque). @since 0.1 */
typedef struct libdbm_campaign libdbm_campaign;
/** A definition bound to a store and a policy (opaque). @since 0.1 */
typedef struct libdbm_campaign_scheduler libdbm_campaign_scheduler;
/** The actions a due() call hands out (opaque, immutable). @since 0.1 */
typedef struct libdbm_campaign_actions libdbm_campaign_actions;

/** How customers enter a campaign. @since 0.1 */
enum libdbm_campaign_entry_kind {
    /** Everyone matching a segment expression, when the host calls
     * libdbm_campaign_enter_segment() (a batch). */
    LIBDBM_CAMPAIGN_ENTRY_SEGMENT = 1,
    /** Whoever records the named event (libdbm_campaign_trigger(), or the
     * store's events swept by every libdbm_campaign_due()). */
    LIBDBM_CAMPAIGN_ENTRY_EVENT = 2,
    /** Everyone matching a segment expression, re-evaluated at every
     * libdbm_campaign_due(). */
    LIBDBM_CAMPAIGN_ENTRY_CONTINUOUS = 3
};

/** May a customer enter again after an entry ended? @since 0.1 */
enum libdbm_campaign_reentry {
    LIBDBM_CAMPAIGN_REENTRY_NEVER = 0,   /**< one entry per customer, ever */
    LIBDBM_CAMPAIGN_REENTRY_AFTER = 1,   /**< when the last entry started at least N days earlier and ended */
    LIBDBM_CAMPAIGN_REENTRY_ALWAYS = 2   /**< whenever the previous entry has ended */
};

/** What counts as a conversion (besides a CONVERTED outcome fed back). @since 0.1 */
enum libdbm_campaign_conversion {
    LIBDBM_CAMPAIGN_CONVERT_OUTCOME = 0, /**< only a CONVERTED outcome */
    LIBDBM_CAMPAIGN_CONVERT_PURCHASE = 1,/**< a purchase after the entry */
    LIBDBM_CAMPAIGN_CONVERT_EVENT = 2    /**< the named event after the entry */
};

/** What a stage's time is relative to. @since 0.1 */
enum libdbm_campaign_anchor {
    LIBDBM_CAMPAIGN_AT_ENTRY = 1,        /**< the entry time + offset */
    LIBDBM_CAMPAIGN_AT_PREVIOUS = 2,     /**< the previous stage's send (or skip) + offset */
    LIBDBM_CAMPAIGN_AT_DATE = 3,         /**< a time attribute of the profile + offset (may be negative) */
    LIBDBM_CAMPAIGN_AT_TIME = 4          /**< a fixed time, the campaign's own date: the offset is that time (seconds since the epoch) */
};

/** Late entry into date-relative stages (docs/campaigns.md). @since 0.1 */
enum libdbm_campaign_catchup {
    LIBDBM_CAMPAIGN_CATCHUP_SKIP = 0,    /**< stages already past when reached are skipped */
    LIBDBM_CAMPAIGN_CATCHUP_LATEST = 1,  /**< of the stages past, only the latest fires */
    LIBDBM_CAMPAIGN_CATCHUP_ALL = 2      /**< every stage past fires, in order */
};

/** A condition checked when a stage falls due. @since 0.1 */
enum libdbm_campaign_condition {
    LIBDBM_CAMPAIGN_IF_SEGMENT = 1,      /**< the customer matches a segment expression */
    LIBDBM_CAMPAIGN_IF_NO_RESPONSE = 2,  /**< no response (clicked, responded, converted) to the previous stage */
    LIBDBM_CAMPAIGN_IF_NOT_CONVERTED = 3 /**< no conversion since the entry */
};

/** What a stage does when the contact policy blocks it. @since 0.1 */
enum libdbm_campaign_blocked {
    LIBDBM_CAMPAIGN_BLOCKED_DEFER = 0,   /**< wait until the policy's defer time (a denial skips) */
    LIBDBM_CAMPAIGN_BLOCKED_SKIP = 1,    /**< skip this stage, go on with the next */
    LIBDBM_CAMPAIGN_BLOCKED_DROP = 2     /**< end the customer's entry */
};

/** Report formats. @since 0.1 */
enum libdbm_campaign_report_format {
    LIBDBM_CAMPAIGN_REPORT_CSV = 0,
    LIBDBM_CAMPAIGN_REPORT_JSON = 1
};

/* ---- Definitions ---------------------------------------------------- */

/**
 * Parses a campaign definition (docs/campaigns.md).
 * @param out receives the definition (libdbm_campaign_free); NULL on failure.
 * @param ctx must outlive the definition.
 * @return LIBDBM_OK; LIBDBM_ESYNTAX with "line L, column C: ..." in the
 *         context's message and the position in libdbm_campaign_last_error()
 *         (also for a bad segment expression inside the text);
 *         LIBDBM_ELIMIT (text over 1 MiB, too many stages or conditions);
 *         LIBDBM_EINVAL; LIBDBM_ENOMEM. Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_campaign_parse(libdbm_campaign **out, libdbm_context *ctx,
                                     const char *text);

/**
 * The 1-based line and column of the calling thread's last failed
 * libdbm_campaign_parse() on @p ctx (0, 0 when none or without a position)
 * and its status. Thread-safe (per thread). @since 0.1
 */
LIBDBM_API int libdbm_campaign_last_error(const libdbm_context *ctx, int32_t *line,
                                          int32_t *column);

/**
 * Creates an empty definition named @p name ([A-Za-z_][A-Za-z0-9_.-]{0,63})
 * to fill with the functions below. Until it has a stage and an entry rule
 * a scheduler refuses it.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_campaign_new(libdbm_campaign **out, libdbm_context *ctx, const char *name);

/** Frees a definition (after every scheduler using it). NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_campaign_free(libdbm_campaign *campaign);

/**
 * The canonical text of a definition, which libdbm_campaign_parse() reads
 * back to the same definition. @p out is freed with libdbm_free_string().
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_campaign_to_string(const libdbm_campaign *campaign, char **out);

/**
 * Sets the entry rule: a segment expression (SEGMENT, CONTINUOUS) or an
 * event name (EVENT).
 * @return LIBDBM_OK; LIBDBM_ESYNTAX (bad expression); LIBDBM_EINVAL;
 *         LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_campaign_set_entry(libdbm_campaign *campaign, int kind, const char *text);

/** Sets the re-entry rule; @p days is used by REENTRY_AFTER (>= 1). @since 0.1 */
LIBDBM_API int libdbm_campaign_set_reentry(libdbm_campaign *campaign, int rule, int32_t days);

/**
 * Sets the holdout: a share in [0, 0.9] of the entries, chosen by a hash
 * of (customer id, campaign name, @p salt), that enter but are never
 * contacted. @p salt may be NULL (""). @since 0.1
 */
LIBDBM_API int libdbm_campaign_set_holdout(libdbm_campaign *campaign, double share,
                                           const char *salt);

/**
 * Sets what counts as a conversion (a LIBDBM_CAMPAIGN_CONVERT_*, with the
 * event name for CONVERT_EVENT) and the measurement window: conversions
 * within @p window_days (1..3650) of the entry count; an entry ends when
 * its stages are done and the window is over. @since 0.1
 */
LIBDBM_API int libdbm_campaign_set_conversion(libdbm_campaign *campaign, int kind,
                                              const char *event, int32_t window_days);

/** Ends an entry as soon as the customer matches @p expression (NULL: none). @since 0.1 */
LIBDBM_API int libdbm_campaign_set_exit_segment(libdbm_campaign *campaign,
                                                const char *expression);

/**
 * Sets the offer's deadline, a time attribute of the profile (NULL: none):
 * a stage that would fall due after it, and every stage once it has
 * passed, is skipped (reason "deadline"). @since 0.1
 */
LIBDBM_API int libdbm_campaign_set_deadline(libdbm_campaign *campaign, const char *attribute);

/**
 * As libdbm_campaign_set_deadline(), with one fixed time for everyone (a
 * date of the campaign rather than of the profile); replaces a deadline
 * attribute. @return LIBDBM_OK, LIBDBM_EINVAL (NULL, or a time outside
 * libdbm_time_format()'s range). @since 0.1
 */
LIBDBM_API int libdbm_campaign_set_deadline_time(libdbm_campaign *campaign, int64_t time);

/** Sets the catch-up rule (LIBDBM_CAMPAIGN_CATCHUP_*). @since 0.1 */
LIBDBM_API int libdbm_campaign_set_catchup(libdbm_campaign *campaign, int rule);

/**
 * Sets the IANA zone in which stage send windows are read (default "UTC").
 * @return LIBDBM_OK, LIBDBM_EINVAL (bad name), LIBDBM_ENOTFOUND (unknown
 *         zone), LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_campaign_set_timezone(libdbm_campaign *campaign, const char *zone);

/**
 * Appends a stage (at most 32). Its timing defaults to the entry (stage 0)
 * or the previous stage, offset 0.
 * @param index receives the stage number, 0-based.
 * @param name, content [A-Za-z_][A-Za-z0-9_.-]{0,63}; @p channel a store
 *        channel name other than "all" (a contact policy's word for every
 *        channel); @p message_class a LIBDBM_MESSAGE_*.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ELIMIT, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_campaign_add_stage(libdbm_campaign *campaign, int32_t *index,
                                         const char *name, const char *channel,
                                         const char *content, int message_class);

/**
 * Sets when stage @p stage falls due: @p anchor (LIBDBM_CAMPAIGN_AT_*) +
 * @p offset_seconds (for AT_TIME: the time itself); @p date_attribute
 * names the profile's time attribute for AT_DATE (else NULL). @since 0.1
 */
LIBDBM_API int libdbm_campaign_stage_set_timing(libdbm_campaign *campaign, int32_t stage,
                                                int anchor, int64_t offset_seconds,
                                                const char *date_attribute);

/**
 * Restricts stage @p stage to a daily send window [start, end) in minutes
 * after midnight in the campaign's zone (end < start wraps midnight); a due
 * time outside moves to the next opening. -1, -1 removes it. @since 0.1
 */
LIBDBM_API int libdbm_campaign_stage_set_window(libdbm_campaign *campaign, int32_t stage,
                                                int32_t start_minute, int32_t end_minute);

/**
 * Adds a condition (LIBDBM_CAMPAIGN_IF_*; a segment expression for
 * IF_SEGMENT, else NULL) checked when the stage falls due; a stage whose
 * conditions fail is skipped. At most 8 per stage. @since 0.1
 */
LIBDBM_API int libdbm_campaign_stage_add_condition(libdbm_campaign *campaign, int32_t stage,
                                                   int kind, const char *expression);

/** Sets what stage @p stage does when the policy blocks it (LIBDBM_CAMPAIGN_BLOCKED_*). @since 0.1 */
LIBDBM_API int libdbm_campaign_stage_set_on_blocked(libdbm_campaign *campaign, int32_t stage,
                                                    int mode);

/* ---- Scheduling ----------------------------------------------------- */

/**
 * Binds @p campaign to @p store and @p policy (NULL: every contact is
 * allowed). The campaign, store and policy must outlive the scheduler.
 * The first libdbm_campaign_due() of a new scheduler also hands out again,
 * flagged as re-deliveries with their original ids, the actions issued
 * before (by an earlier process) that got no outcome.
 * @return LIBDBM_OK; LIBDBM_EINVAL (NULL, or a definition without stages or
 *         entry rule); LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_campaign_scheduler_new(libdbm_campaign_scheduler **out,
                                             const libdbm_campaign *campaign,
                                             libdbm_store *store,
                                             const libdbm_policy *policy);

/** Frees a scheduler. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_campaign_scheduler_free(libdbm_campaign_scheduler *scheduler);

/**
 * Enters every customer who matches the entry segment at @p now and may
 * (re-)enter, in one durable batch.
 * @param entered receives how many entered (may be NULL).
 * @return LIBDBM_OK; LIBDBM_EINVAL (the entry rule is not a segment, or a
 *         batch is open); the store's write errors. @since 0.1
 */
LIBDBM_API int libdbm_campaign_enter_segment(libdbm_campaign_scheduler *scheduler,
                                             int64_t *entered, int64_t now);

/**
 * Enters one customer at @p now whatever the entry rule says (the re-entry
 * rule still applies).
 * @param entered receives 1 when the customer entered, 0 when the re-entry
 *        rule kept them out (may be NULL).
 * @return LIBDBM_OK, LIBDBM_ENOTFOUND, LIBDBM_EINVAL, the store's write
 *         errors. @since 0.1
 */
LIBDBM_API int libdbm_campaign_enter(libdbm_campaign_scheduler *scheduler, int *entered,
                                     const char *customer_id, int64_t now);

/**
 * Tells the scheduler that @p event happened to a customer at @p time:
 * enters them when it is the campaign's entry event (real-time entry;
 * record the event in the store too, for the segment language).
 * @param entered receives 1 or 0 (may be NULL).
 * @return as libdbm_campaign_enter(). @since 0.1
 */
LIBDBM_API int libdbm_campaign_trigger(libdbm_campaign_scheduler *scheduler, int *entered,
                                       const char *customer_id, const char *event, int64_t time);

/**
 * The actions due at @p now over every entry: conversions and exits are
 * applied first, then each entry's next stages are checked (timing,
 * catch-up rule, conditions, policy). Every action handed out was first
 * recorded durably as issued (with a SENT contact row for marketing
 * messages); its id is "CAMPAIGN/ENTRY/STAGE/CUSTOMER_ID". A clock that
 * went backwards issues nothing new before it catches up; nothing is ever
 * un-issued.
 * @param actions receives the list (libdbm_campaign_actions_free).
 * @return LIBDBM_OK; LIBDBM_EINVAL (a batch is open); the policy's and the
 *         store's errors. @since 0.1
 */
LIBDBM_API int libdbm_campaign_due(libdbm_campaign_scheduler *scheduler,
                                   libdbm_campaign_actions **actions, int64_t now);

/**
 * As libdbm_campaign_due() for one customer (the real-time path: after a
 * trigger, at a checkout).
 * @return as libdbm_campaign_due(), and LIBDBM_ENOTFOUND. @since 0.1
 */
LIBDBM_API int libdbm_campaign_due_for(libdbm_campaign_scheduler *scheduler,
                                       libdbm_campaign_actions **actions,
                                       const char *customer_id, int64_t now);

/** The number of actions in a list. @since 0.1 */
LIBDBM_API int64_t libdbm_campaign_actions_count(const libdbm_campaign_actions *actions);

/**
 * Action @p index of a list. Strings are owned by the list. Any out
 * pointer may be NULL.
 * @param stage receives the 0-based stage number.
 * @param redelivery receives 1 when the action was issued before (by an
 *        earlier scheduler) and is handed out again with the same id.
 * @return LIBDBM_OK or LIBDBM_EINVAL (bad index). @since 0.1
 */
LIBDBM_API int libdbm_campaign_action_get(const libdbm_campaign_actions *actions, int64_t index,
                                          const char **action_id, const char **customer_id,
                                          int32_t *stage, const char **channel,
                                          const char **content, int *redelivery);

/** Frees a list. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_campaign_actions_free(libdbm_campaign_actions *actions);

/**
 * Feeds back what happened to an action: SENT acknowledges it (the contact
 * row was written when it was issued), FAILED, DELIVERED, OPENED, CLICKED,
 * RESPONDED, BOUNCED, UNSUBSCRIBED add a contact row; CONVERTED adds one
 * and ends the entry at once (its pending stages are cancelled). An
 * outcome for an erased customer is refused with LIBDBM_ENOTFOUND.
 * @return LIBDBM_OK; LIBDBM_EINVAL (malformed id, another campaign's id,
 *         bad outcome); LIBDBM_ENOTFOUND (no such customer or entry);
 *         the store's write errors. @since 0.1
 */
LIBDBM_API int libdbm_campaign_record_outcome(libdbm_campaign_scheduler *scheduler,
                                              const char *action_id, int outcome, int64_t at);

/**
 * The campaign's measurement: per stage the counts (due, allowed, deferred,
 * denied by rule, skipped, sent, responded, converted), the entered and
 * converted counts of treated and holdout, and the conversion uplift of
 * treated over holdout with its 95% confidence interval, as CSV or JSON
 * (docs/campaigns.md). @p out is freed with libdbm_free_string().
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_campaign_report(libdbm_campaign_scheduler *scheduler, char **out,
                                      int format);

/**
 * The conversion rates of treated and holdout entries, their difference
 * and its 95% confidence interval (normal approximation; NaN when either
 * group is empty). Any out pointer may be NULL.
 * @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_campaign_uplift(libdbm_campaign_scheduler *scheduler, double *treated_rate,
                                      double *holdout_rate, double *uplift, double *ci_low,
                                      double *ci_high);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_CAMPAIGN_H */
