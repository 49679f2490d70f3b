/* Evaluating a policy for one request: the facts read from the store, the
 * rules that apply, each rule's earliest allowed moment, and the search
 * that combines them (docs/policy.md, "Answers"). Nothing here allocates. */
#ifndef LIBDBM_POLICY_EVALUATE_H
#define LIBDBM_POLICY_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "policy_impl.h"

enum dbmi_pol_rule_kind {
    DBMI_POL_R_NONE = 0,
    /* Static rules: they allow or deny, whatever the time. */
    DBMI_POL_R_SUPPRESSION,
    DBMI_POL_R_ADDRESS,
    DBMI_POL_R_INVALID,
    DBMI_POL_R_UNSUBSCRIBE,
    DBMI_POL_R_CONSENT,
    DBMI_POL_R_STALE,
    /* Time rules: each gives the earliest moment it allows. */
    DBMI_POL_R_CAP,
    DBMI_POL_R_GAP,
    DBMI_POL_R_FATIGUE,
    DBMI_POL_R_QUIET,
    DBMI_POL_R_WEEKDAYS,
    DBMI_POL_R_HORIZON,
    DBMI_POL_R_COUNT
};

#define DBMI_POL_FIRST_TIME_RULE DBMI_POL_R_CAP

/* How many events one time rule may step through in one evaluation. */
#define DBMI_POL_MAX_STEPS 100000

/* Indexed by enum dbmi_pol_rule_kind: "suppression", "cap", ... */
extern const char *const dbmi_pol_rule_names[DBMI_POL_R_COUNT];

/* One rule that applies to a request. */
typedef struct dbmi_pol_rule {
    int kind;
    const dbmi_pol_cap *cap;    /* CAP */
    const dbmi_pol_gap *gap;    /* GAP */
} dbmi_pol_rule;

/* What a check knows about the request and the customer. */
typedef struct dbmi_pol_facts {
    const libdbm_policy *policy;
    const libdbm_store *store;
    const char *channel_name;
    const char *unit;               /* NULL: none */
    size_t unit_len;
    int transactional;
    int32_t priority;               /* effective: the campaign's, else the request's */
    int64_t time;                   /* the request */
    int64_t horizon_end;            /* the last moment a defer may name */
    /* From the store. */
    size_t slot;
    const dbmi_contact *rows;       /* the customer's contact history, by time */
    size_t n_rows;
    int has_channel;                /* the channel name is interned */
    uint32_t channel;
    const dbmi_channel_state *state; /* NULL: no address on the channel */
    const dbmi_consent *consent;    /* current "marketing" consent, NULL: unknown */
    int64_t unsubscribed_at;        /* latest UNSUBSCRIBED row after the consent, 0: none */
    int suppressed;
    const dbmi_tz *tz;              /* NULL when no rule reads local time */
    /* From the policy. */
    const dbmi_pol_override *override;  /* the matching override, NULL: none */
    const dbmi_pol_fatigue *fatigue;    /* for the channel, NULL: none */
} dbmi_pol_facts;

/* facts.c. Matches overrides (takes and releases the read lock itself),
 * so call it before dbmi_pol_facts_read. */
int dbmi_pol_facts_begin(dbmi_pol_facts *f, const libdbm_policy *policy, libdbm_store *store,
                         const libdbm_policy_request *request);
/* Reads the customer's state; call with the store's read lock held. */
int dbmi_pol_facts_read(dbmi_pol_facts *f, const char *customer_id);

/* rules.c. The index of the first contact row with time > @p t (binary
 * search: rows are sorted by time). */
size_t dbmi_pol_first_after(const dbmi_pol_facts *f, int64_t t);
/* Iterates the rules that apply: start with *cursor = 0; returns
 * 0 after the last. */
int dbmi_pol_next_rule(const dbmi_pol_facts *f, size_t *cursor, dbmi_pol_rule *rule);
/* A static rule's verdict: 1 allows, 0 denies. */
int dbmi_pol_static_allows(const dbmi_pol_facts *f, int kind);
/* A time rule's earliest allowed moment >= @p s, DBMI_POL_NEVER when no
 * moment will ever be; a value > f->horizon_end may be inexact (it only
 * says "beyond the horizon"). */
int64_t dbmi_pol_earliest(const dbmi_pol_facts *f, const dbmi_pol_rule *rule, int64_t s);
/* reason.c: what a sentence about a refusal needs, copied out of the
 * facts so that it can be written after the store's lock is released
 * (lazily, when the host asks for the reason). */
typedef struct dbmi_pol_why {
    const libdbm_policy *policy;
    dbmi_pol_rule rule;
    int64_t until;                  /* the rule's own earliest moment, or NEVER */
    int horizon;                    /* 1: refused because nothing fits the horizon */
    const dbmi_tz *tz;
    const dbmi_pol_fatigue *fatigue;
    int32_t priority;
    int32_t consent_state;          /* LIBDBM_CONSENT_* */
    int64_t consent_at, verified_at, unsubscribed_at;
    char channel[33];
} dbmi_pol_why;

void dbmi_pol_why_init(dbmi_pol_why *w, const dbmi_pol_facts *f, const dbmi_pol_rule *rule,
                       int64_t until);
void dbmi_pol_why_text(const dbmi_pol_why *w, char *buf, size_t size);

/* local_time.c: moments in the customer's zone. */
/* The earliest u >= s at which the local time of day is outside the quiet
 * hours, and at which the local weekday is allowed. */
int64_t dbmi_pol_after_quiet(const dbmi_tz *tz, int64_t s, int64_t limit, int32_t quiet_start,
                             int32_t quiet_end);
int64_t dbmi_pol_allowed_weekday(const dbmi_tz *tz, int64_t s, int64_t limit,
                                 uint32_t weekdays);
/* The local period (LIBDBM_WINDOW_CALENDAR_*) holding local seconds
 * @p local, as local seconds [*start, *end). */
void dbmi_pol_period(int32_t window, int64_t local, int64_t *start, int64_t *end);
/* The earliest u > s whose local time is outside [start, end). */
int64_t dbmi_pol_period_exit(const dbmi_tz *tz, int64_t s, int64_t limit, int64_t start,
                             int64_t end);

/* search.c: the combined answer of every rule. */
typedef struct dbmi_pol_outcome {
    int verdict;                /* LIBDBM_POLICY_* */
    int64_t until;
    dbmi_pol_rule rule;         /* the deciding rule (kind NONE for ALLOW) */
    int64_t rule_until;         /* that rule's own earliest moment */
} dbmi_pol_outcome;

void dbmi_pol_search(const dbmi_pol_facts *f, dbmi_pol_outcome *out);

/* answer.c: fills the answer from an outcome. */
void dbmi_pol_answer_set(libdbm_policy_answer *answer, const dbmi_pol_facts *f,
                         const dbmi_pol_outcome *o);
void dbmi_pol_answer_recorded(libdbm_policy_answer *answer);

#endif
