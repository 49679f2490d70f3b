/* The immutable policy object: made from a builder by replaying its
 * settings into a fresh one (so a policy owns copies validated by the same
 * code), with the default time zone loaded up front. */
#include <string.h>

#include "policy_impl.h"

static void cap_to_public(const dbmi_pol_cap *c, libdbm_policy_cap *out)
{
    libdbm_policy_cap_init(out);
    out->window = c->window;
    out->channel = c->channel;
    out->business_unit = c->unit;
    out->limit = c->limit;
    out->window_seconds = c->window_seconds;
    out->reserve = c->reserve;
    out->reserve_priority = c->reserve_priority;
}

static int replay_section(libdbm_policy_builder *to, const dbmi_pol_section *s)
{
    int status = LIBDBM_OK;
    for (size_t i = 0; i < s->n_caps && status == LIBDBM_OK; i++) {
        libdbm_policy_cap cap;
        cap_to_public(&s->caps[i], &cap);
        status = libdbm_policy_builder_add_cap(to, &cap);
    }
    for (size_t i = 0; i < s->n_gaps && status == LIBDBM_OK; i++)
        status = libdbm_policy_builder_add_gap(to, s->gaps[i].channel, s->gaps[i].seconds);
    return status;
}

static int replay_settings(libdbm_policy_builder *to, const dbmi_pol_spec *from)
{
    int status = libdbm_policy_builder_set_responses(to, from->responses);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_consent_unknown(to, from->consent_unknown_allow);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_stale_days(to, from->stale_days);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_quiet_hours(to, from->quiet_start, from->quiet_end);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_weekdays(to, from->weekdays);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_set_horizon_days(to, from->horizon_days);
    if (status == LIBDBM_OK && from->default_tz != NULL)
        status = libdbm_policy_builder_set_default_tz(to, from->default_tz);
    if (status == LIBDBM_OK && from->tz_attribute != NULL)
        status = libdbm_policy_builder_set_tz_attribute(to, from->tz_attribute);
    for (size_t i = 0; i < from->n_fatigue && status == LIBDBM_OK; i++) {
        const dbmi_pol_fatigue *f = &from->fatigue[i];
        status = libdbm_policy_builder_set_fatigue(to, f->channel, f->unanswered, f->action,
                                                   f->pause_seconds);
    }
    for (size_t i = 0; i < from->n_priorities && status == LIBDBM_OK; i++)
        status = libdbm_policy_builder_set_campaign_priority(to, from->priorities[i].campaign,
                                                             from->priorities[i].priority);
    return status;
}

/* Copies every setting of @p from into the empty builder @p to. */
static int replay(libdbm_policy_builder *to, const dbmi_pol_spec *from)
{
    int status = replay_section(to, &from->base);
    for (size_t i = 0; i < from->n_overrides && status == LIBDBM_OK; i++) {
        const dbmi_pol_override *o = &from->overrides[i];
        status = libdbm_policy_builder_begin_override(to, o->name, o->expression);
        if (status == LIBDBM_OK)
            status = replay_section(to, &o->rules);
        if (status == LIBDBM_OK)
            status = libdbm_policy_builder_end_override(to);
    }
    if (status == LIBDBM_OK)
        status = replay_settings(to, from);
    return status;
}

static int has_calendar_cap(const dbmi_pol_section *s)
{
    for (size_t i = 0; i < s->n_caps; i++)
        if (s->caps[i].window != LIBDBM_WINDOW_ROLLING)
            return 1;
    return 0;
}

/* Whether a check needs the customer's time zone (quiet hours, weekdays,
 * calendar windows); without, it skips looking the zone up. */
static int uses_local_time(const dbmi_pol_spec *sp)
{
    int found = sp->quiet_start != sp->quiet_end || sp->weekdays != 0x7Fu ||
                has_calendar_cap(&sp->base);
    for (size_t i = 0; i < sp->n_overrides && !found; i++)
        found = has_calendar_cap(&sp->overrides[i].rules);
    return found;
}

LIBDBM_API int libdbm_policy_builder_build(libdbm_policy **out,
                                           const libdbm_policy_builder *builder)
{
    libdbm_policy_builder *copy = NULL;
    libdbm_policy *policy;
    int status;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || builder == NULL)
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "libdbm_policy_builder_build: NULL argument");
    if (builder->open_override)
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "override '%s' is still open",
                          builder->spec.overrides[builder->spec.n_overrides - 1].name);
    status = libdbm_policy_builder_new(&copy, builder->ctx);
    if (status == LIBDBM_OK)
        status = replay(copy, &builder->spec);
    if (status != LIBDBM_OK) {
        libdbm_policy_builder_free(copy);
        return status;
    }
    policy = dbmi_calloc(builder->ctx, 1, sizeof(*policy));
    if (policy == NULL) {
        libdbm_policy_builder_free(copy);
        return dbmi_error_nomem(builder->ctx, "policy");
    }
    policy->ctx = builder->ctx;
    policy->spec = copy->spec;
    policy->local_time = uses_local_time(&policy->spec);
    dbmi_pol_spec_init(&copy->spec);
    libdbm_policy_builder_free(copy);
    status = dbmi_tz_get(policy->ctx, policy->spec.default_tz ? policy->spec.default_tz : "UTC",
                         &policy->default_tz);
    if (status != LIBDBM_OK) {
        libdbm_policy_free(policy);
        return status;
    }
    *out = policy;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_policy_free(libdbm_policy *policy)
{
    if (policy == NULL)
        return;
    dbmi_pol_spec_free(policy->ctx, &policy->spec);
    dbmi_free(policy->ctx, policy);
}
