/* The contents of a contact policy, shared by the builder (which fills
 * them), the parser (which drives the builder), the printer and the
 * checker. docs/policy.md is the user's description of every field. */
#ifndef LIBDBM_POLICY_POLICY_IMPL_H
#define LIBDBM_POLICY_POLICY_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "context_private.h"
#include "tz.h"

#define DBMI_POL_MAX_RULES 1000u
#define DBMI_POL_MAX_TEXT (1024u * 1024u)
#define DBMI_POL_MAX_NAME 64u
#define DBMI_POL_MAX_CAMPAIGN 256u
#define DBMI_POL_MAX_DAYS 400
#define DBMI_POL_DAY 86400
/* No allowed moment at all: a rule that no later time can satisfy. */
#define DBMI_POL_NEVER INT64_MAX

typedef struct dbmi_pol_cap {
    char *channel;              /* NULL: every channel */
    char *unit;                 /* NULL: shared by every business unit */
    int32_t window;             /* LIBDBM_WINDOW_* */
    int32_t reserve_priority;
    int64_t limit;
    int64_t window_seconds;     /* ROLLING only */
    int64_t reserve;
} dbmi_pol_cap;

typedef struct dbmi_pol_gap {
    char *channel;              /* NULL: every channel */
    int64_t seconds;
} dbmi_pol_gap;

/* The caps and gaps of the base policy or of one override. */
typedef struct dbmi_pol_section {
    dbmi_pol_cap *caps;
    size_t n_caps, cap_caps;
    dbmi_pol_gap *gaps;
    size_t n_gaps, cap_gaps;
} dbmi_pol_section;

typedef struct dbmi_pol_override {
    char *name;
    char *expression;           /* canonical text of the segment */
    libdbm_segment *segment;
    dbmi_pol_section rules;
} dbmi_pol_override;

typedef struct dbmi_pol_fatigue {
    char *channel;              /* NULL: the default for every channel */
    int32_t unanswered;
    int32_t action;             /* LIBDBM_FATIGUE_* */
    int64_t pause_seconds;
} dbmi_pol_fatigue;

typedef struct dbmi_pol_priority {
    char *campaign;
    int32_t priority;
} dbmi_pol_priority;

/* Everything a policy says. */
typedef struct dbmi_pol_spec {
    dbmi_pol_section base;
    dbmi_pol_override *overrides;
    size_t n_overrides, cap_overrides;
    dbmi_pol_fatigue *fatigue;
    size_t n_fatigue, cap_fatigue;
    dbmi_pol_priority *priorities;
    size_t n_priorities, cap_priorities;
    uint32_t responses;         /* LIBDBM_OUTCOME_BIT mask */
    uint32_t weekdays;          /* LIBDBM_WEEKDAY_BIT mask */
    int32_t consent_unknown_allow;
    int32_t stale_days;         /* 0: off */
    int32_t quiet_start, quiet_end;     /* minutes; equal: off */
    int32_t horizon_days;
    char *default_tz;
    char *tz_attribute;
} dbmi_pol_spec;

struct libdbm_policy_builder {
    libdbm_context *ctx;
    dbmi_pol_spec spec;
    int open_override;          /* 1 while begin_override .. end_override */
};

struct libdbm_policy {
    libdbm_context *ctx;
    dbmi_pol_spec spec;
    const dbmi_tz *default_tz;
    int local_time;             /* a rule reads the customer's local clock */
};

/* builder.c */
void dbmi_pol_spec_init(dbmi_pol_spec *spec);
void dbmi_pol_spec_free(libdbm_context *ctx, dbmi_pol_spec *spec);
/* The number of caps, gaps, overrides, fatigue and priority entries. */
size_t dbmi_pol_spec_rule_count(const dbmi_pol_spec *spec);

/* Names: channels [a-z0-9_]{1,32} (the store's rule), business units and
 * overrides [A-Za-z0-9_.-]{1,64}. 1 when valid. */
int dbmi_pol_valid_channel(const char *name);
int dbmi_pol_valid_name(const char *name);

/* print.c: "7d", "36h", "90m" (the largest unit that divides exactly). */
void dbmi_pol_format_duration(char *buf, size_t size, int64_t seconds);
/* "email", or "all" for NULL. */
const char *dbmi_pol_scope_name(const char *channel);
/* "per 7d" or "per calendar week" (no leading space). */
void dbmi_pol_format_window(char *buf, size_t size, int32_t window, int64_t seconds);

#endif
