/*
 * libdbm — contact policies: may this customer be contacted on this channel
 * now? Caps per channel and across channels over rolling or calendar
 * windows, minimum gaps, per-segment overrides, fatigue, consent,
 * suppression, invalid and stale addresses, quiet hours and weekdays in the
 * customer's own time zone, message classes and business units.
 *
 * A policy is written in a small text format (docs/policy.md) and parsed
 * with libdbm_policy_parse(), or built rule by rule with a
 * libdbm_policy_builder; both give the same immutable libdbm_policy.
 * A check answers ALLOW, DENY (the rule that refused and a reason a person
 * can read) or DEFER until the earliest moment at or after the request at
 * which every rule together would allow the same message.
 * Include <libdbm.h> rather than this file.
 *
 * Threads: a libdbm_policy is immutable and may be shared and checked by
 * any number of threads at once. A builder and an answer belong to one
 * thread at a time. libdbm_policy_check_and_record() is atomic per store:
 * concurrent calls on the same store (from any thread, through any policy
 * object, e.g. one per business unit) never both spend the last slot of a
 * cap.
 *
 * This header is part of the stable ABI: see docs/abi-stability.md.
 */
#ifndef LIBDBM_POLICY_H
#define LIBDBM_POLICY_H

#include "libdbm/common.h"
#include "libdbm/context.h"
#include "libdbm/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A contact policy (opaque, immutable, shareable across threads). @since 0.1 */
typedef struct libdbm_policy libdbm_policy;
/** Builds a libdbm_policy rule by rule (opaque, one thread at a time). @since 0.1 */
typedef struct libdbm_policy_builder libdbm_policy_builder;
/** The answer of a check (opaque, reusable, one thread at a time). @since 0.1 */
typedef struct libdbm_policy_answer libdbm_policy_answer;

/** Verdicts of a check. @since 0.1 */
enum libdbm_policy_verdict {
    LIBDBM_POLICY_ALLOW = 1,    /**< the message may go out at the requested time */
    LIBDBM_POLICY_DENY = 2,     /**< it may not (no later time within the horizon helps) */
    LIBDBM_POLICY_DEFER = 3     /**< it may go out at libdbm_policy_answer_until() */
};

/** Message classes. @since 0.1 */
enum libdbm_message_class {
    /** Counted by and subject to every rule. */
    LIBDBM_MESSAGE_MARKETING = 0,
    /** Receipts, booking details: exempt from caps, gaps, fatigue, quiet
     * hours, weekdays, stale addresses and the consent-unknown setting;
     * still refused for a denied consent (unsubscribe), a suppressed or
     * invalid address, or no address. Not counted by caps and not recorded
     * by libdbm_policy_check_and_record(). */
    LIBDBM_MESSAGE_TRANSACTIONAL = 1
};

/** How a cap's window is measured. @since 0.1 */
enum libdbm_policy_window {
    /** Every interval (u - w, u] of window_seconds w that holds the moment
     * of sending t (u in [t, t + w)) must hold fewer than the limit: with
     * only past contacts, fewer than the limit in the last w. */
    LIBDBM_WINDOW_ROLLING = 0,
    /** The customer's local calendar day containing t (DST-correct); every
     * contact of that day counts, also those recorded for later. */
    LIBDBM_WINDOW_CALENDAR_DAY = 1,
    /** The customer's local ISO week (Monday 00:00 to Monday 00:00). */
    LIBDBM_WINDOW_CALENDAR_WEEK = 2,
    /** The customer's local calendar month. */
    LIBDBM_WINDOW_CALENDAR_MONTH = 3
};

/** What fatigue does to a channel. @since 0.1 */
enum libdbm_fatigue_action {
    /** Pause the channel for pause_seconds from each Nth consecutive
     * unanswered contact (defer until the pause ends). */
    LIBDBM_FATIGUE_PAUSE = 1,
    /** Halve the channel's own caps (rounded down, at least 1) while the
     * last N or more contacts on it are unanswered. */
    LIBDBM_FATIGUE_HALVE = 2
};

/** Bit for a weekday in a weekday mask (0 = Sunday .. 6 = Saturday). @since 0.1 */
#define LIBDBM_WEEKDAY_BIT(weekday) (1u << (weekday))
/** Bit for an outcome (enum libdbm_outcome) in an outcome mask. @since 0.1 */
#define LIBDBM_OUTCOME_BIT(outcome) (1u << (outcome))

/* ---- Parsing and printing ------------------------------------------- */

/**
 * Parses a policy written in the text format of docs/policy.md
 * (NUL-terminated UTF-8, at most 1 MiB). Segment expressions of overrides
 * are compiled (docs/segments.md); the default time zone is loaded from the
 * context's zoneinfo directory now, so a missing or corrupt zone file is
 * reported here.
 *
 * @param out receives the policy, owned by the caller (libdbm_policy_free);
 *        NULL on failure.
 * @param ctx the context whose allocator, zoneinfo directory and error slot
 *        the policy uses; it must outlive the policy.
 * @return LIBDBM_OK; LIBDBM_ESYNTAX with "line L, column C: ..." in
 *         libdbm_context_errmsg(ctx) (1-based; columns count code points)
 *         and the position from libdbm_policy_last_error(); LIBDBM_ELIMIT
 *         (text over 1 MiB, more than 1000 rules); LIBDBM_ENOTFOUND /
 *         LIBDBM_ECORRUPT / LIBDBM_EIO for the default time zone;
 *         LIBDBM_EINVAL (NULL arguments, an invalid zone name);
 *         LIBDBM_ENOMEM. An override's segment expression that does not
 *         compile is LIBDBM_ESYNTAX at its position in the text.
 * Thread-safe (distinct outputs). @since 0.1
 */
LIBDBM_API int libdbm_policy_parse(libdbm_policy **out, libdbm_context *ctx,
                                   const char *text);

/**
 * The position of the calling thread's last failed libdbm_policy_parse()
 * on @p ctx: stores the 1-based line and column (0, 0 without a position)
 * and returns that parse's status (LIBDBM_OK when it succeeded or none was
 * made). @p line and @p column may be NULL. @since 0.1
 */
LIBDBM_API int libdbm_policy_last_error(const libdbm_context *ctx, int32_t *line,
                                        int32_t *column);

/**
 * The canonical text of a policy: every setting spelled out in a fixed
 * order, which libdbm_policy_parse() reads back to an equal policy. Two
 * policies with the same canonical text give the same answers.
 * @param out receives the text; free with libdbm_free_string().
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_policy_to_string(const libdbm_policy *policy, char **out);

/** Frees a policy. NULL is accepted. No check may be running on it. @since 0.1 */
LIBDBM_API void libdbm_policy_free(libdbm_policy *policy);

/* ---- Building ------------------------------------------------------- */

/**
 * Creates a builder holding the default policy: no caps, gaps, overrides,
 * fatigue, quiet hours or stale limit; every weekday allowed; consent
 * "unknown" denies marketing; time zone attribute "timezone", default
 * zone "UTC"; horizon 400 days; responses = clicked, responded, converted.
 * @param out receives the builder (libdbm_policy_builder_free).
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_new(libdbm_policy_builder **out,
                                         libdbm_context *ctx);

/** Frees a builder. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_policy_builder_free(libdbm_policy_builder *builder);

/**
 * One cap: at most @c limit marketing contacts (SENT rows of the contact
 * history) per window on one channel or across all channels. Versioned by
 * @c struct_size: initialise with LIBDBM_POLICY_CAP_INIT or
 * libdbm_policy_cap_init(). @since 0.1
 */
typedef struct libdbm_policy_cap {
    uint32_t struct_size;       /**< sizeof(libdbm_policy_cap) */
    int32_t window;             /**< enum libdbm_policy_window; default ROLLING */
    const char *channel;        /**< a channel name, or NULL for all channels together */
    const char *business_unit;  /**< NULL: shared by every unit; else counts and limits only that unit's contacts */
    int64_t limit;              /**< >= 0; 0 forbids marketing on the scope (never transactional mail) */
    int64_t window_seconds;     /**< ROLLING only: the window length, 60 s to 400 days, a whole number of minutes */
    int64_t reserve;            /**< slots only requests of priority >= reserve_priority may use (0..limit); default 0 */
    int32_t reserve_priority;   /**< see reserve */
    int32_t reserved;           /**< must be 0 */
} libdbm_policy_cap;

/** Static initialiser for libdbm_policy_cap. @since 0.1 */
#define LIBDBM_POLICY_CAP_INIT \
    { (uint32_t)sizeof(libdbm_policy_cap), LIBDBM_WINDOW_ROLLING, NULL, NULL, 0, 0, 0, 0, 0 }

/** Fills @p cap with the defaults (as LIBDBM_POLICY_CAP_INIT). @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1 */
LIBDBM_API int libdbm_policy_cap_init(libdbm_policy_cap *cap);

/**
 * Starts a per-segment override: the caps and gaps added until
 * libdbm_policy_builder_end_override() belong to it. For a customer in
 * the segment, the override's caps and gaps replace the base policy's caps
 * and gaps of the same kind and scope (channel or all channels, business
 * unit); other rules stay. Overrides are tried in the order added and the
 * first whose segment holds the customer wins.
 * @param name 1 to 64 bytes of [A-Za-z0-9_.-], unique in the policy.
 * @param segment_expression a segment expression (docs/segments.md),
 *        compiled now.
 * @return LIBDBM_OK; LIBDBM_EINVAL (bad or duplicate name, an override
 *         already open); LIBDBM_ESYNTAX and the other codes of
 *         libdbm_segment_compile(); LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_begin_override(libdbm_policy_builder *builder,
                                                    const char *name,
                                                    const char *segment_expression);

/** Ends the open override. @return LIBDBM_OK, or LIBDBM_EINVAL when none is open. @since 0.1 */
LIBDBM_API int libdbm_policy_builder_end_override(libdbm_policy_builder *builder);

/**
 * Adds a cap (to the open override, else to the base policy). The cap is
 * copied. @return LIBDBM_OK; LIBDBM_EINVAL (bad struct, channel or unit
 * name, window, limit, reserve; a duplicate of the same scope and window);
 * LIBDBM_ELIMIT (more than 1000 rules); LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_add_cap(libdbm_policy_builder *builder,
                                             const libdbm_policy_cap *cap);

/**
 * Adds a minimum gap: no marketing contact on @p channel (NULL: on any
 * channel) closer than @p gap_seconds to another, i.e. none while a SENT
 * row lies in (t - gap, t + gap).
 * @param gap_seconds 60 s to 400 days, a whole number of minutes.
 * @return LIBDBM_OK, LIBDBM_EINVAL (also a second gap on the same
 *         channel in the same section), LIBDBM_ELIMIT, LIBDBM_ENOMEM.
 * @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_add_gap(libdbm_policy_builder *builder,
                                             const char *channel, int64_t gap_seconds);

/**
 * Sets fatigue for @p channel (NULL: the default for every channel without
 * its own setting). A contact is unanswered until a response row (an
 * outcome in the response mask) on the same channel follows it; the streak
 * is the number of SENT rows on the channel after the latest response.
 * @param unanswered N >= 1; 0 removes the setting.
 * @param action enum libdbm_fatigue_action.
 * @param pause_seconds PAUSE only: 60 s to 400 days, whole minutes.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_fatigue(libdbm_policy_builder *builder,
                                                 const char *channel, int32_t unanswered,
                                                 int32_t action, int64_t pause_seconds);

/**
 * Which outcomes count as a response for fatigue: a mask of
 * LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_*), among OPENED, CLICKED, RESPONDED
 * and CONVERTED (default CLICKED | RESPONDED | CONVERTED).
 * @return LIBDBM_OK or LIBDBM_EINVAL (empty mask, other outcomes). @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_responses(libdbm_policy_builder *builder,
                                                   uint32_t outcome_mask);

/**
 * What an unknown consent means for marketing on a channel: 1 allow,
 * 0 deny (the default). A denied consent always denies; a granted one
 * allows. @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_consent_unknown(libdbm_policy_builder *builder,
                                                         int allow);

/**
 * Denies marketing to addresses not verified within the last @p days
 * (never verified counts as stale); 0 (the default) turns it off.
 * @param days 0 to 36500. @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_stale_days(libdbm_policy_builder *builder,
                                                    int32_t days);

/**
 * Quiet hours in the customer's local time: no marketing while the local
 * time of day is in [start, end) minutes after midnight; start > end spans
 * midnight (21:00-08:00 is 1260, 480); start == end turns them off.
 * @return LIBDBM_OK or LIBDBM_EINVAL (outside 0..1439). @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_quiet_hours(libdbm_policy_builder *builder,
                                                     int32_t start_minute,
                                                     int32_t end_minute);

/**
 * The local weekdays on which marketing may go out: a non-empty mask of
 * LIBDBM_WEEKDAY_BIT(0 = Sunday .. 6 = Saturday); default all seven.
 * @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_weekdays(libdbm_policy_builder *builder,
                                                  uint32_t weekday_mask);

/**
 * The IANA zone used for customers without a valid time zone attribute
 * (default "UTC"); loaded when the policy is built.
 * @return LIBDBM_OK, LIBDBM_EINVAL (bad name), LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_default_tz(libdbm_policy_builder *builder,
                                                    const char *zone);

/**
 * The string attribute of a profile that holds its IANA zone name
 * (default "timezone"). @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_tz_attribute(libdbm_policy_builder *builder,
                                                      const char *attribute);

/**
 * The priority of @p campaign (1 to 256 bytes), used by caps with reserved
 * slots; it replaces the request's own priority for that campaign.
 * @return LIBDBM_OK, LIBDBM_EINVAL (also a campaign given twice),
 *         LIBDBM_ELIMIT, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_campaign_priority(libdbm_policy_builder *builder,
                                                           const char *campaign,
                                                           int32_t priority);

/**
 * How far ahead a defer may reach: when no moment within @p days of the
 * request is allowed, the answer is DENY (rule "horizon"). 1 to 400,
 * default 400. @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_set_horizon_days(libdbm_policy_builder *builder,
                                                      int32_t days);

/**
 * Makes the policy. The builder stays usable (and unchanged).
 * @param out receives the policy (libdbm_policy_free); NULL on failure.
 * @return LIBDBM_OK; LIBDBM_EINVAL (an override still open); the time zone
 *         errors of libdbm_policy_parse(); LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_builder_build(libdbm_policy **out,
                                           const libdbm_policy_builder *builder);

/* ---- Checking ------------------------------------------------------- */

/**
 * A request: may this message go to this customer at this time?
 * Versioned by @c struct_size: initialise with LIBDBM_POLICY_REQUEST_INIT or
 * libdbm_policy_request_init(). The strings are read during the call only.
 * @since 0.1
 */
typedef struct libdbm_policy_request {
    uint32_t struct_size;       /**< sizeof(libdbm_policy_request) */
    int32_t message_class;      /**< enum libdbm_message_class; default MARKETING */
    const char *customer_id;    /**< required */
    const char *channel;        /**< required, a channel name such as "email" */
    const char *campaign;       /**< NULL: none (recorded as "-") */
    const char *business_unit;  /**< NULL: none; else [A-Za-z0-9_.-]{1,64} */
    int64_t time;               /**< the moment of sending, seconds since the epoch, UTC */
    int32_t priority;           /**< default 0; see libdbm_policy_cap.reserve */
    int32_t reserved;           /**< must be 0 */
} libdbm_policy_request;

/** Static initialiser for libdbm_policy_request. @since 0.1 */
#define LIBDBM_POLICY_REQUEST_INIT \
    { (uint32_t)sizeof(libdbm_policy_request), LIBDBM_MESSAGE_MARKETING, NULL, NULL, NULL, NULL, 0, 0, 0 }

/** Fills @p request with the defaults. @return LIBDBM_OK or LIBDBM_EINVAL. @since 0.1 */
LIBDBM_API int libdbm_policy_request_init(libdbm_policy_request *request);

/**
 * Creates an answer to pass to checks. Reuse it: a check allocates nothing.
 * @return LIBDBM_OK, LIBDBM_EINVAL, LIBDBM_ENOMEM. @since 0.1
 */
LIBDBM_API int libdbm_policy_answer_new(libdbm_policy_answer **out, libdbm_context *ctx);

/** Frees an answer. NULL is accepted. @since 0.1 */
LIBDBM_API void libdbm_policy_answer_free(libdbm_policy_answer *answer);

/** The verdict (enum libdbm_policy_verdict), 0 before any check. @since 0.1 */
LIBDBM_API int libdbm_policy_answer_verdict(const libdbm_policy_answer *answer);

/**
 * For DEFER the earliest allowed moment (> the request time); for ALLOW the
 * request time; 0 for DENY. @since 0.1
 */
LIBDBM_API int64_t libdbm_policy_answer_until(const libdbm_policy_answer *answer);

/**
 * The rule that decided: "" for ALLOW; for DENY the refusing rule, for
 * DEFER the rule that set the defer time. One of "consent", "unsubscribe",
 * "suppression", "address", "invalid", "stale", "cap", "gap", "fatigue",
 * "quiet_hours", "weekdays", "horizon". Owned by the answer, valid until
 * its next use. @since 0.1
 */
LIBDBM_API const char *libdbm_policy_answer_rule(const libdbm_policy_answer *answer);

/**
 * A sentence saying why (e.g. "the email cap of 2 per 7d is reached"),
 * "" for ALLOW. Written on the first call after a check (checks themselves
 * format no text), so the policy that answered must still exist. Owned by
 * the answer, valid until its next use. @since 0.1
 */
LIBDBM_API const char *libdbm_policy_answer_reason(const libdbm_policy_answer *answer);

/** 1 when the last call was a check-and-record that recorded the contact, else 0. @since 0.1 */
LIBDBM_API int libdbm_policy_answer_recorded(const libdbm_policy_answer *answer);

/**
 * Checks a request against the store's state (read lock held during the
 * check; the segment of each override is tested for the customer at the
 * request time, first match wins).
 * @param answer filled with the verdict; its previous content is replaced.
 * @return LIBDBM_OK (the verdict is in @p answer); LIBDBM_ENOTFOUND (no
 *         such customer); LIBDBM_EINVAL (bad request); the time zone errors
 *         (LIBDBM_ENOTFOUND, LIBDBM_ECORRUPT, LIBDBM_EIO) when the
 *         customer's zone cannot be loaded; LIBDBM_ENOMEM. Errors are
 *         reported on the policy's context.
 * Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_policy_check(const libdbm_policy *policy, libdbm_policy_answer *answer,
                                   libdbm_store *store, const libdbm_policy_request *request);

/**
 * Checks and, when the verdict is ALLOW for a marketing message, records
 * the contact (a SENT row at the request time on the channel, campaign
 * "UNIT/CAMPAIGN" when a business unit is given, else "CAMPAIGN"; "-" for
 * no campaign) durably in the store, atomically with respect to every
 * other check-and-record on the same store.
 * @return as libdbm_policy_check(), and the store's write errors
 *         (LIBDBM_EREADONLY, LIBDBM_EIO, LIBDBM_ENOMEM; then nothing was
 *         recorded and the answer's recorded flag is 0). Must not be called
 *         while a batch is open on the store. Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_policy_check_and_record(const libdbm_policy *policy,
                                              libdbm_policy_answer *answer,
                                              libdbm_store *store,
                                              const libdbm_policy_request *request);

/**
 * Explains a check: a JSON object with the combined answer ("verdict",
 * "until", "rule", "reason"), the override that matched, and "rules": one
 * entry per rule that applies to the request, each with its own "verdict"
 * at the request time ("allow", "deny" or "defer" with "until") and a
 * "reason".
 * @param json receives the text; free with libdbm_free_string().
 * @return as libdbm_policy_check(). Thread-safe. @since 0.1
 */
LIBDBM_API int libdbm_policy_explain(const libdbm_policy *policy, char **json,
                                     libdbm_store *store,
                                     const libdbm_policy_request *request);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_POLICY_H */
