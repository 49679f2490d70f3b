/* The sentences that explain a refusal ("the email cap of 2 per 7d is
 * reached"), written from a dbmi_pol_why snapshot: the answer formats them
 * only when the host asks, so checking stays free of string formatting. */
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "policy_text.h"

void dbmi_pol_why_init(dbmi_pol_why *w, const dbmi_pol_facts *f, const dbmi_pol_rule *rule,
                       int64_t until)
{
    size_t n = strlen(f->channel_name);
    w->policy = f->policy;
    w->rule = *rule;
    w->until = until;
    w->horizon = 0;
    w->tz = f->tz;
    w->fatigue = f->fatigue;
    w->priority = f->priority;
    w->consent_state = f->consent ? f->consent->state : LIBDBM_CONSENT_UNKNOWN;
    w->consent_at = f->consent ? f->consent->at : 0;
    w->verified_at = f->state ? f->state->verified_at : 0;
    w->unsubscribed_at = f->unsubscribed_at;
    n = n < sizeof(w->channel) - 1 ? n : sizeof(w->channel) - 1;
    memcpy(w->channel, f->channel_name, n);
    w->channel[n] = '\0';
}

static void format_time(char *buf, size_t size, int64_t t)
{
    if (libdbm_time_format(buf, size, t) != LIBDBM_OK)
        snprintf(buf, size, "%lld", (long long)t);
}

static void cap_text(const dbmi_pol_why *w, char *buf, size_t size)
{
    const dbmi_pol_cap *c = w->rule.cap;
    char window[48], unit[96] = "", reserve[96] = "";
    dbmi_pol_format_window(window, sizeof(window), c->window, c->window_seconds);
    if (c->unit != NULL)
        snprintf(unit, sizeof(unit), " for unit %s", c->unit);
    if (c->reserve > 0 && w->priority < c->reserve_priority)
        snprintf(reserve, sizeof(reserve), " (%lld kept for priority %d and above)",
                 (long long)c->reserve, (int)c->reserve_priority);
    snprintf(buf, size, "the %s cap of %lld %s%s%s %s", dbmi_pol_scope_name(c->channel),
             (long long)c->limit, window, unit, reserve,
             w->until == DBMI_POL_NEVER ? "leaves no slot for this message" : "is reached");
}

static void time_rule_text(const dbmi_pol_why *w, char *buf, size_t size)
{
    const dbmi_pol_spec *sp = &w->policy->spec;
    char dur[32];
    switch (w->rule.kind) {
    case DBMI_POL_R_CAP:
        cap_text(w, buf, size);
        return;
    case DBMI_POL_R_GAP:
        dbmi_pol_format_duration(dur, sizeof(dur), w->rule.gap->seconds);
        snprintf(buf, size, "the minimum gap of %s between %s contacts is not kept", dur,
                 w->rule.gap->channel ? w->rule.gap->channel : "any two");
        return;
    case DBMI_POL_R_FATIGUE:
        dbmi_pol_format_duration(dur, sizeof(dur), w->fatigue->pause_seconds);
        snprintf(buf, size, "%d unanswered %s contacts pause %s for %s",
                 (int)w->fatigue->unanswered, w->channel, w->channel, dur);
        return;
    case DBMI_POL_R_QUIET:
        snprintf(buf, size, "quiet hours %02d:%02d-%02d:%02d in %s", (int)(sp->quiet_start / 60),
                 (int)(sp->quiet_start % 60), (int)(sp->quiet_end / 60),
                 (int)(sp->quiet_end % 60), dbmi_tz_name(w->tz));
        return;
    default:
        snprintf(buf, size, "no marketing on this weekday in %s", dbmi_tz_name(w->tz));
        return;
    }
}

static void static_rule_text(const dbmi_pol_why *w, char *buf, size_t size)
{
    const char *ch = w->channel;
    char when[40];
    switch (w->rule.kind) {
    case DBMI_POL_R_SUPPRESSION:
        snprintf(buf, size, "the %s address is on the suppression list", ch);
        return;
    case DBMI_POL_R_ADDRESS:
        snprintf(buf, size, "the profile has no %s address", ch);
        return;
    case DBMI_POL_R_INVALID:
        snprintf(buf, size, "the %s address is marked invalid", ch);
        return;
    case DBMI_POL_R_UNSUBSCRIBE:
        format_time(when, sizeof(when), w->unsubscribed_at);
        snprintf(buf, size, "unsubscribed from %s at %s", ch, when);
        return;
    case DBMI_POL_R_CONSENT:
        format_time(when, sizeof(when), w->consent_at);
        if (w->consent_state == LIBDBM_CONSENT_DENIED)
            snprintf(buf, size, "%s marketing consent denied at %s", ch, when);
        else
            snprintf(buf, size, "no %s marketing consent on record (unknown consent denies)",
                     ch);
        return;
    default:
        format_time(when, sizeof(when), w->verified_at);
        if (w->verified_at == 0)
            snprintf(buf, size, "the %s address was never verified", ch);
        else
            snprintf(buf, size, "the %s address was last verified at %s, over %d days ago", ch,
                     when, (int)w->policy->spec.stale_days);
        return;
    }
}

void dbmi_pol_why_text(const dbmi_pol_why *w, char *buf, size_t size)
{
    char detail[400];
    if (w->rule.kind >= DBMI_POL_FIRST_TIME_RULE)
        time_rule_text(w, detail, sizeof(detail));
    else
        static_rule_text(w, detail, sizeof(detail));
    if (w->horizon)
        snprintf(buf, size, "no moment within the %d-day horizon is allowed: %s",
                 (int)w->policy->spec.horizon_days, detail);
    else
        snprintf(buf, size, "%s", detail);
}
