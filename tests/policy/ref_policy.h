/* A test-side model of a contact policy, a customer and a request, with a
 * brute-force reference that applies every rule literally minute by minute
 * (docs/policy.md is the specification it follows), and the two ways of
 * turning the model into a libdbm_policy: builder calls and policy text. */
#ifndef LIBDBM_TEST_REF_POLICY_H
#define LIBDBM_TEST_REF_POLICY_H

#include <stdint.h>

#include <libdbm.h>

#define REF_MAX_CAPS 6
#define REF_MAX_GAPS 3
#define REF_MAX_ROWS 256

typedef struct ref_cap {
    const char *channel;        /* NULL: all */
    const char *unit;           /* NULL: shared */
    int window;                 /* LIBDBM_WINDOW_* */
    int64_t seconds;            /* rolling */
    int64_t limit, reserve;
    int32_t reserve_priority;
} ref_cap;

typedef struct ref_gap {
    const char *channel;
    int64_t seconds;
} ref_gap;

typedef struct ref_section {
    ref_cap caps[REF_MAX_CAPS];
    int n_caps;
    ref_gap gaps[REF_MAX_GAPS];
    int n_gaps;
} ref_section;

typedef struct ref_policy {
    ref_section base;
    int has_override;           /* one override: attr.tier == "gold" */
    ref_section over;
    const char *fatigue_channel;    /* used when fatigue_n > 0; NULL: every channel */
    int fatigue_n, fatigue_action;
    int64_t fatigue_pause;
    uint32_t responses;
    int consent_unknown_allow;
    int stale_days;
    int quiet_start, quiet_end;     /* minutes */
    uint32_t weekdays;
    const char *zone;               /* default zone */
    int horizon_days;
    const char *priority_campaign;  /* NULL: none */
    int32_t campaign_priority;
} ref_policy;

typedef struct ref_row {
    int64_t time;
    const char *channel;
    const char *campaign;
    int outcome;
} ref_row;

typedef struct ref_customer {
    ref_row rows[REF_MAX_ROWS];     /* sorted by time */
    int n_rows;
    const char *zone;               /* NULL: the policy's default */
    int gold;                       /* attr.tier == "gold" */
    int has_address, invalid, suppressed;
    int64_t verified_at;
    int consent;                    /* LIBDBM_CONSENT_* of the request's channel */
    int64_t consent_at;
} ref_customer;

typedef struct ref_request {
    const char *channel;
    const char *unit;
    const char *campaign;
    int transactional;
    int32_t priority;
    int64_t time;
} ref_request;

typedef struct ref_answer {
    int verdict;
    int64_t until;
    const char *static_rule;        /* the refusing static rule, else NULL */
} ref_answer;

/* The reference. @p ctx is used for time zone offsets only. */
void ref_check(libdbm_context *ctx, const ref_policy *p, const ref_customer *c,
               const ref_request *r, ref_answer *out);

int ref_build(libdbm_policy **out, libdbm_context *ctx, const ref_policy *p);
/* The policy as text in the documented format (not the canonical form). */
void ref_text(const ref_policy *p, char *buf, size_t size);

#endif
