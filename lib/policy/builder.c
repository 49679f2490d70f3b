/* The policy builder: every setting is validated here, once, whether it
 * comes from a host's calls or from the text parser (which drives this
 * builder), so both ways give the same policy. */
#include <string.h>

#include "policy_impl.h"

void dbmi_pol_spec_init(dbmi_pol_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    spec->responses = LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_CLICKED) |
                      LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_RESPONDED) |
                      LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_CONVERTED);
    spec->weekdays = 0x7Fu;
    spec->horizon_days = DBMI_POL_MAX_DAYS;
}

static void section_free(libdbm_context *ctx, dbmi_pol_section *s)
{
    for (size_t i = 0; i < s->n_caps; i++) {
        dbmi_free(ctx, s->caps[i].channel);
        dbmi_free(ctx, s->caps[i].unit);
    }
    for (size_t i = 0; i < s->n_gaps; i++)
        dbmi_free(ctx, s->gaps[i].channel);
    dbmi_free(ctx, s->caps);
    dbmi_free(ctx, s->gaps);
    memset(s, 0, sizeof(*s));
}

void dbmi_pol_spec_free(libdbm_context *ctx, dbmi_pol_spec *spec)
{
    section_free(ctx, &spec->base);
    for (size_t i = 0; i < spec->n_overrides; i++) {
        dbmi_free(ctx, spec->overrides[i].name);
        dbmi_free(ctx, spec->overrides[i].expression);
        libdbm_segment_free(spec->overrides[i].segment);
        section_free(ctx, &spec->overrides[i].rules);
    }
    for (size_t i = 0; i < spec->n_fatigue; i++)
        dbmi_free(ctx, spec->fatigue[i].channel);
    for (size_t i = 0; i < spec->n_priorities; i++)
        dbmi_free(ctx, spec->priorities[i].campaign);
    dbmi_free(ctx, spec->overrides);
    dbmi_free(ctx, spec->fatigue);
    dbmi_free(ctx, spec->priorities);
    dbmi_free(ctx, spec->default_tz);
    dbmi_free(ctx, spec->tz_attribute);
    dbmi_pol_spec_init(spec);
}

size_t dbmi_pol_spec_rule_count(const dbmi_pol_spec *spec)
{
    size_t n = spec->base.n_caps + spec->base.n_gaps + spec->n_overrides +
               spec->n_fatigue + spec->n_priorities;
    for (size_t i = 0; i < spec->n_overrides; i++)
        n += spec->overrides[i].rules.n_caps + spec->overrides[i].rules.n_gaps;
    return n;
}

int dbmi_pol_valid_channel(const char *name)
{
    size_t n = 0;
    if (name == NULL)
        return 0;
    for (; name[n] != '\0'; n++) {
        char c = name[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') || n >= 32)
            return 0;
    }
    return n > 0 && strcmp(name, "all") != 0;
}

int dbmi_pol_valid_name(const char *name)
{
    size_t n = 0;
    if (name == NULL)
        return 0;
    for (; name[n] != '\0'; n++) {
        char c = name[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-') ||
            n >= DBMI_POL_MAX_NAME)
            return 0;
    }
    return n > 0;
}

static int same_name(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Copies an optional name (NULL stays NULL). */
static int copy_name(libdbm_context *ctx, const char *name, char **out)
{
    *out = NULL;
    if (name == NULL)
        return LIBDBM_OK;
    *out = dbmi_strdup(ctx, name);
    return *out != NULL ? LIBDBM_OK : dbmi_error_nomem(ctx, "policy rule");
}

LIBDBM_API int libdbm_policy_builder_new(libdbm_policy_builder **out, libdbm_context *ctx)
{
    libdbm_policy_builder *b;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL)
        return dbmi_error(ctx, LIBDBM_EINVAL, "libdbm_policy_builder_new: NULL argument");
    b = dbmi_calloc(ctx, 1, sizeof(*b));
    if (b == NULL)
        return dbmi_error_nomem(ctx, "policy builder");
    b->ctx = ctx;
    dbmi_pol_spec_init(&b->spec);
    *out = b;
    return LIBDBM_OK;
}

LIBDBM_API void libdbm_policy_builder_free(libdbm_policy_builder *builder)
{
    if (builder == NULL)
        return;
    dbmi_pol_spec_free(builder->ctx, &builder->spec);
    dbmi_free(builder->ctx, builder);
}

static int room_for_rule(const libdbm_policy_builder *b)
{
    if (dbmi_pol_spec_rule_count(&b->spec) >= DBMI_POL_MAX_RULES)
        return dbmi_error(b->ctx, LIBDBM_ELIMIT, "a policy holds at most %u rules",
                          DBMI_POL_MAX_RULES);
    return LIBDBM_OK;
}

/* The section that caps and gaps go to now. */
static dbmi_pol_section *current_section(libdbm_policy_builder *b)
{
    if (b->open_override)
        return &b->spec.overrides[b->spec.n_overrides - 1].rules;
    return &b->spec.base;
}

/* A duration of whole minutes between 1 minute and 400 days. */
static int valid_span(int64_t seconds)
{
    return seconds >= 60 && seconds <= (int64_t)DBMI_POL_MAX_DAYS * DBMI_POL_DAY &&
           seconds % 60 == 0;
}

LIBDBM_API int libdbm_policy_cap_init(libdbm_policy_cap *cap)
{
    static const libdbm_policy_cap defaults = LIBDBM_POLICY_CAP_INIT;
    if (cap == NULL)
        return LIBDBM_EINVAL;
    *cap = defaults;
    return LIBDBM_OK;
}

/* Takes the host's struct, of its own (possibly older, smaller) size. */
static int read_cap(libdbm_context *ctx, const libdbm_policy_cap *in, libdbm_policy_cap *cap)
{
    libdbm_policy_cap_init(cap);
    if (in == NULL || in->struct_size < offsetof(libdbm_policy_cap, reserve) ||
        in->struct_size > sizeof(*cap))
        return dbmi_error(ctx, LIBDBM_EINVAL, "cap: bad or NULL libdbm_policy_cap");
    memcpy(cap, in, in->struct_size);
    cap->struct_size = (uint32_t)sizeof(*cap);
    return LIBDBM_OK;
}

static int check_cap(libdbm_context *ctx, const libdbm_policy_cap *cap)
{
    if (cap->channel != NULL && !dbmi_pol_valid_channel(cap->channel))
        return dbmi_error(ctx, LIBDBM_EINVAL,
                          "cap: a channel is [a-z0-9_]{1,32} other than 'all'");
    if (cap->business_unit != NULL && !dbmi_pol_valid_name(cap->business_unit))
        return dbmi_error(ctx, LIBDBM_EINVAL, "cap: a business unit is [A-Za-z0-9_.-]{1,64}");
    if (cap->window < LIBDBM_WINDOW_ROLLING || cap->window > LIBDBM_WINDOW_CALENDAR_MONTH)
        return dbmi_error(ctx, LIBDBM_EINVAL, "cap: unknown window %d", (int)cap->window);
    if (cap->window == LIBDBM_WINDOW_ROLLING && !valid_span(cap->window_seconds))
        return dbmi_error(ctx, LIBDBM_EINVAL,
                          "cap: a rolling window is whole minutes from 1m to 400d");
    if (cap->limit < 0 || cap->limit > 1000000)
        return dbmi_error(ctx, LIBDBM_EINVAL, "cap: the limit is 0 to 1000000");
    if (cap->reserve < 0 || cap->reserve > cap->limit)
        return dbmi_error(ctx, LIBDBM_EINVAL, "cap: the reserve is 0 to the limit");
    if (cap->reserved != 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "cap: the reserved field must be 0");
    return LIBDBM_OK;
}

static int same_cap_scope(const dbmi_pol_cap *a, const libdbm_policy_cap *b)
{
    int same_window = a->window == b->window && (a->window != LIBDBM_WINDOW_ROLLING ||
                                                 a->window_seconds == b->window_seconds);
    return same_window && same_name(a->channel, b->channel) && same_name(a->unit, b->business_unit);
}

LIBDBM_API int libdbm_policy_builder_add_cap(libdbm_policy_builder *builder,
                                             const libdbm_policy_cap *in)
{
    libdbm_policy_cap cap;
    dbmi_pol_section *s;
    dbmi_pol_cap *c;
    int status;
    if (builder == NULL)
        return LIBDBM_EINVAL;
    status = read_cap(builder->ctx, in, &cap);
    if (status == LIBDBM_OK)
        status = check_cap(builder->ctx, &cap);
    if (status == LIBDBM_OK)
        status = room_for_rule(builder);
    if (status != LIBDBM_OK)
        return status;
    s = current_section(builder);
    for (size_t i = 0; i < s->n_caps; i++)
        if (same_cap_scope(&s->caps[i], &cap))
            return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                              "cap: a cap with the same channel, unit and window exists");
    status = dbmi_grow_array(builder->ctx, (void **)&s->caps, &s->cap_caps, s->n_caps + 1,
                             sizeof(*s->caps));
    if (status != LIBDBM_OK)
        return status;
    c = &s->caps[s->n_caps];
    memset(c, 0, sizeof(*c));
    status = copy_name(builder->ctx, cap.channel, &c->channel);
    if (status == LIBDBM_OK)
        status = copy_name(builder->ctx, cap.business_unit, &c->unit);
    if (status != LIBDBM_OK) {
        dbmi_free(builder->ctx, c->channel);
        return status;
    }
    c->window = cap.window;
    c->limit = cap.limit;
    c->window_seconds = cap.window == LIBDBM_WINDOW_ROLLING ? cap.window_seconds : 0;
    c->reserve = cap.reserve;
    c->reserve_priority = cap.reserve > 0 ? cap.reserve_priority : 0;
    s->n_caps++;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_add_gap(libdbm_policy_builder *builder,
                                             const char *channel, int64_t gap_seconds)
{
    dbmi_pol_section *s;
    char *copy;
    int status;
    if (builder == NULL)
        return LIBDBM_EINVAL;
    if (channel != NULL && !dbmi_pol_valid_channel(channel))
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "gap: a channel is [a-z0-9_]{1,32} other than 'all'");
    if (!valid_span(gap_seconds))
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "gap: a gap is whole minutes from 1m to 400d");
    status = room_for_rule(builder);
    if (status != LIBDBM_OK)
        return status;
    s = current_section(builder);
    for (size_t i = 0; i < s->n_gaps; i++)
        if (same_name(s->gaps[i].channel, channel))
            return dbmi_error(builder->ctx, LIBDBM_EINVAL, "gap: a gap on %s exists",
                              dbmi_pol_scope_name(channel));
    status = dbmi_grow_array(builder->ctx, (void **)&s->gaps, &s->cap_gaps, s->n_gaps + 1,
                             sizeof(*s->gaps));
    if (status == LIBDBM_OK)
        status = copy_name(builder->ctx, channel, &copy);
    if (status != LIBDBM_OK)
        return status;
    s->gaps[s->n_gaps].channel = copy;
    s->gaps[s->n_gaps].seconds = gap_seconds;
    s->n_gaps++;
    return LIBDBM_OK;
}

/* Compiles @p expression and keeps its canonical text. */
static int compile_segment(libdbm_context *ctx, const char *expression, libdbm_segment **seg,
                           char **canonical)
{
    char *text = NULL;
    int status = libdbm_segment_compile(seg, ctx, expression);
    if (status == LIBDBM_OK)
        status = libdbm_segment_to_string(*seg, &text);
    if (status == LIBDBM_OK) {
        *canonical = dbmi_strdup(ctx, text);
        if (*canonical == NULL)
            status = dbmi_error_nomem(ctx, "policy override");
    }
    libdbm_free_string(text);
    if (status != LIBDBM_OK) {
        libdbm_segment_free(*seg);
        *seg = NULL;
    }
    return status;
}

LIBDBM_API int libdbm_policy_builder_begin_override(libdbm_policy_builder *builder,
                                                    const char *name,
                                                    const char *segment_expression)
{
    dbmi_pol_spec *sp;
    dbmi_pol_override o;
    int status;
    if (builder == NULL || segment_expression == NULL)
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "override: NULL argument");
    sp = &builder->spec;
    if (builder->open_override)
        return dbmi_error(builder->ctx, LIBDBM_EINVAL, "override: another override is open");
    if (!dbmi_pol_valid_name(name))
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "override: a name is [A-Za-z0-9_.-]{1,64}");
    for (size_t i = 0; i < sp->n_overrides; i++)
        if (strcmp(sp->overrides[i].name, name) == 0)
            return dbmi_error(builder->ctx, LIBDBM_EINVAL, "override: '%s' exists", name);
    status = room_for_rule(builder);
    if (status == LIBDBM_OK)
        status = dbmi_grow_array(builder->ctx, (void **)&sp->overrides, &sp->cap_overrides,
                                 sp->n_overrides + 1, sizeof(*sp->overrides));
    if (status != LIBDBM_OK)
        return status;
    memset(&o, 0, sizeof(o));
    status = compile_segment(builder->ctx, segment_expression, &o.segment, &o.expression);
    if (status == LIBDBM_OK)
        status = copy_name(builder->ctx, name, &o.name);
    if (status != LIBDBM_OK) {
        libdbm_segment_free(o.segment);
        dbmi_free(builder->ctx, o.expression);
        return status;
    }
    sp->overrides[sp->n_overrides++] = o;
    builder->open_override = 1;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_end_override(libdbm_policy_builder *builder)
{
    if (builder == NULL)
        return LIBDBM_EINVAL;
    if (!builder->open_override)
        return dbmi_error(builder->ctx, LIBDBM_EINVAL, "override: none is open");
    builder->open_override = 0;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_set_fatigue(libdbm_policy_builder *builder,
                                                 const char *channel, int32_t unanswered,
                                                 int32_t action, int64_t pause_seconds)
{
    dbmi_pol_spec *sp;
    size_t i;
    int status;
    if (builder == NULL)
        return LIBDBM_EINVAL;
    sp = &builder->spec;
    if (channel != NULL && !dbmi_pol_valid_channel(channel))
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "fatigue: a channel is [a-z0-9_]{1,32} other than 'all'");
    if (unanswered < 0 || unanswered > 1000)
        return dbmi_error(builder->ctx, LIBDBM_EINVAL, "fatigue: unanswered is 0 to 1000");
    if (unanswered > 0 && action != LIBDBM_FATIGUE_PAUSE && action != LIBDBM_FATIGUE_HALVE)
        return dbmi_error(builder->ctx, LIBDBM_EINVAL, "fatigue: unknown action %d",
                          (int)action);
    if (unanswered > 0 && action == LIBDBM_FATIGUE_PAUSE && !valid_span(pause_seconds))
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "fatigue: a pause is whole minutes from 1m to 400d");
    for (i = 0; i < sp->n_fatigue && !same_name(sp->fatigue[i].channel, channel); i++)
        ;
    if (unanswered == 0) {
        if (i < sp->n_fatigue) {
            dbmi_free(builder->ctx, sp->fatigue[i].channel);
            memmove(&sp->fatigue[i], &sp->fatigue[i + 1],
                    (sp->n_fatigue - i - 1) * sizeof(*sp->fatigue));
            sp->n_fatigue--;
        }
        return LIBDBM_OK;
    }
    if (i == sp->n_fatigue) {
        status = room_for_rule(builder);
        if (status == LIBDBM_OK)
            status = dbmi_grow_array(builder->ctx, (void **)&sp->fatigue, &sp->cap_fatigue,
                                     sp->n_fatigue + 1, sizeof(*sp->fatigue));
        if (status == LIBDBM_OK)
            status = copy_name(builder->ctx, channel, &sp->fatigue[i].channel);
        if (status != LIBDBM_OK)
            return status;
        sp->n_fatigue++;
    }
    sp->fatigue[i].unanswered = unanswered;
    sp->fatigue[i].action = action;
    sp->fatigue[i].pause_seconds = action == LIBDBM_FATIGUE_PAUSE ? pause_seconds : 0;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_set_responses(libdbm_policy_builder *builder,
                                                   uint32_t outcome_mask)
{
    const uint32_t allowed = LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_OPENED) |
                             LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_CLICKED) |
                             LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_RESPONDED) |
                             LIBDBM_OUTCOME_BIT(LIBDBM_OUTCOME_CONVERTED);
    if (builder == NULL)
        return LIBDBM_EINVAL;
    if (outcome_mask == 0 || (outcome_mask & ~allowed) != 0)
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "responses: a non-empty set of opened, clicked, responded, converted");
    builder->spec.responses = outcome_mask;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_set_consent_unknown(libdbm_policy_builder *builder,
                                                         int allow)
{
    if (builder == NULL || (allow != 0 && allow != 1))
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "consent unknown: 1 (allow) or 0 (deny)");
    builder->spec.consent_unknown_allow = allow;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_set_stale_days(libdbm_policy_builder *builder,
                                                    int32_t days)
{
    if (builder == NULL || days < 0 || days > 36500)
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "stale: 0 (off) to 36500 days");
    builder->spec.stale_days = days;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_set_quiet_hours(libdbm_policy_builder *builder,
                                                     int32_t start_minute,
                                                     int32_t end_minute)
{
    if (builder == NULL || start_minute < 0 || start_minute >= 1440 || end_minute < 0 ||
        end_minute >= 1440)
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "quiet hours: minutes of the day 0 to 1439 (00:00 to 23:59)");
    builder->spec.quiet_start = start_minute == end_minute ? 0 : start_minute;
    builder->spec.quiet_end = start_minute == end_minute ? 0 : end_minute;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_set_weekdays(libdbm_policy_builder *builder,
                                                  uint32_t weekday_mask)
{
    if (builder == NULL || weekday_mask == 0 || (weekday_mask & ~0x7Fu) != 0)
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "weekdays: a non-empty set of the seven days");
    builder->spec.weekdays = weekday_mask;
    return LIBDBM_OK;
}

/* Replaces an owned string setting. */
static int replace_string(libdbm_context *ctx, char **slot, const char *value)
{
    char *copy = dbmi_strdup(ctx, value);
    if (copy == NULL)
        return dbmi_error_nomem(ctx, "policy setting");
    dbmi_free(ctx, *slot);
    *slot = copy;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_set_default_tz(libdbm_policy_builder *builder,
                                                    const char *zone)
{
    size_t n;
    if (builder == NULL || zone == NULL)
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "timezone: NULL argument");
    n = strnlen(zone, DBMI_TZ_MAX_NAME + 1);
    if (n == 0 || n > DBMI_TZ_MAX_NAME || strchr(zone, '"') != NULL || strchr(zone, '\\'))
        return dbmi_error(builder->ctx, LIBDBM_EINVAL, "timezone: bad zone name");
    return replace_string(builder->ctx, &builder->spec.default_tz, zone);
}

LIBDBM_API int libdbm_policy_builder_set_tz_attribute(libdbm_policy_builder *builder,
                                                      const char *attribute)
{
    if (builder == NULL)
        return LIBDBM_EINVAL;
    if (!dbmi_pol_valid_name(attribute) || attribute[0] == '-' || attribute[0] == '.' ||
        (attribute[0] >= '0' && attribute[0] <= '9'))
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "timezone attribute: an attribute name is [A-Za-z_][A-Za-z0-9_.-]{0,63}");
    return replace_string(builder->ctx, &builder->spec.tz_attribute, attribute);
}

LIBDBM_API int libdbm_policy_builder_set_campaign_priority(libdbm_policy_builder *builder,
                                                           const char *campaign,
                                                           int32_t priority)
{
    dbmi_pol_spec *sp;
    size_t n;
    int status;
    if (builder == NULL || campaign == NULL)
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "priority: NULL argument");
    sp = &builder->spec;
    n = strnlen(campaign, DBMI_POL_MAX_CAMPAIGN + 1);
    if (n == 0 || n > DBMI_POL_MAX_CAMPAIGN || strchr(campaign, '"') != NULL ||
        strchr(campaign, '\\') != NULL)
        return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                          "priority: a campaign is 1 to 256 bytes without '\"' or '\\'");
    for (size_t i = 0; i < sp->n_priorities; i++)
        if (strcmp(sp->priorities[i].campaign, campaign) == 0)
            return dbmi_error(builder->ctx, LIBDBM_EINVAL,
                              "priority: campaign \"%s\" already has one", campaign);
    status = room_for_rule(builder);
    if (status == LIBDBM_OK)
        status = dbmi_grow_array(builder->ctx, (void **)&sp->priorities, &sp->cap_priorities,
                                 sp->n_priorities + 1, sizeof(*sp->priorities));
    if (status == LIBDBM_OK)
        status = copy_name(builder->ctx, campaign, &sp->priorities[sp->n_priorities].campaign);
    if (status != LIBDBM_OK)
        return status;
    sp->priorities[sp->n_priorities++].priority = priority;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_policy_builder_set_horizon_days(libdbm_policy_builder *builder,
                                                      int32_t days)
{
    if (builder == NULL || days < 1 || days > DBMI_POL_MAX_DAYS)
        return dbmi_error(builder ? builder->ctx : NULL, LIBDBM_EINVAL,
                          "horizon: 1 to 400 days");
    builder->spec.horizon_days = days;
    return LIBDBM_OK;
}
