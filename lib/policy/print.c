/* The canonical text of a policy (libdbm_policy_to_string): every setting
 * spelled out in a fixed order, in the syntax the parser reads. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "policy_impl.h"
#include "policy_text.h"

void dbmi_pol_printf(dbmi_buf *buf, const char *fmt, ...)
{
    /* Callers print bounded pieces (names of at most 256 bytes, numbers);
     * long text goes through dbmi_pol_puts. */
    char tmp[640];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        dbmi_buf_put(buf, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void dbmi_pol_puts(dbmi_buf *buf, const char *text)
{
    dbmi_buf_put(buf, text, strlen(text));
}

void dbmi_pol_format_duration(char *buf, size_t size, int64_t seconds)
{
    if (seconds % DBMI_POL_DAY == 0)
        snprintf(buf, size, "%lldd", (long long)(seconds / DBMI_POL_DAY));
    else if (seconds % 3600 == 0)
        snprintf(buf, size, "%lldh", (long long)(seconds / 3600));
    else
        snprintf(buf, size, "%lldm", (long long)(seconds / 60));
}

const char *dbmi_pol_scope_name(const char *channel)
{
    return channel != NULL ? channel : "all";
}

void dbmi_pol_format_window(char *buf, size_t size, int32_t window, int64_t seconds)
{
    static const char *const calendar[] = { "", "day", "week", "month" };
    char dur[32];
    if (window == LIBDBM_WINDOW_ROLLING) {
        dbmi_pol_format_duration(dur, sizeof(dur), seconds);
        snprintf(buf, size, "per %s", dur);
    } else {
        snprintf(buf, size, "per calendar %s", calendar[window]);
    }
}

void dbmi_pol_print_cap(dbmi_buf *buf, const dbmi_pol_cap *c)
{
    char window[48];
    dbmi_pol_format_window(window, sizeof(window), c->window, c->window_seconds);
    dbmi_pol_printf(buf, "cap %s %lld %s", dbmi_pol_scope_name(c->channel),
                    (long long)c->limit, window);
    if (c->unit != NULL)
        dbmi_pol_printf(buf, " unit %s", c->unit);
    if (c->reserve > 0)
        dbmi_pol_printf(buf, " reserve %lld for priority %d", (long long)c->reserve,
                        (int)c->reserve_priority);
}

void dbmi_pol_print_gap(dbmi_buf *buf, const dbmi_pol_gap *g)
{
    char dur[32];
    dbmi_pol_format_duration(dur, sizeof(dur), g->seconds);
    dbmi_pol_printf(buf, "gap %s %s", dbmi_pol_scope_name(g->channel), dur);
}

void dbmi_pol_print_fatigue(dbmi_buf *buf, const dbmi_pol_fatigue *f)
{
    char dur[32];
    dbmi_pol_printf(buf, "fatigue %s after %d unanswered ", dbmi_pol_scope_name(f->channel),
                    (int)f->unanswered);
    if (f->action == LIBDBM_FATIGUE_PAUSE) {
        dbmi_pol_format_duration(dur, sizeof(dur), f->pause_seconds);
        dbmi_pol_printf(buf, "pause %s", dur);
    } else {
        dbmi_pol_printf(buf, "halve");
    }
}

static void print_section(dbmi_buf *buf, const dbmi_pol_section *s, const char *indent)
{
    for (size_t i = 0; i < s->n_caps; i++) {
        dbmi_pol_printf(buf, "%s", indent);
        dbmi_pol_print_cap(buf, &s->caps[i]);
        dbmi_pol_printf(buf, "\n");
    }
    for (size_t i = 0; i < s->n_gaps; i++) {
        dbmi_pol_printf(buf, "%s", indent);
        dbmi_pol_print_gap(buf, &s->gaps[i]);
        dbmi_pol_printf(buf, "\n");
    }
}

static void print_settings(dbmi_buf *buf, const dbmi_pol_spec *sp)
{
    char dur[32];
    dbmi_pol_printf(buf, "timezone attribute %s default \"%s\"\n",
                    sp->tz_attribute ? sp->tz_attribute : "timezone",
                    sp->default_tz ? sp->default_tz : "UTC");
    dbmi_pol_printf(buf, "consent unknown %s\n", sp->consent_unknown_allow ? "allow" : "deny");
    dbmi_pol_printf(buf, "responses");
    for (int o = LIBDBM_OUTCOME_OPENED; o <= LIBDBM_OUTCOME_CONVERTED; o++)
        if (sp->responses & LIBDBM_OUTCOME_BIT(o))
            dbmi_pol_printf(buf, " %s", dbmi_pol_outcome_names[o]);
    if (sp->stale_days > 0)
        dbmi_pol_printf(buf, "\nstale after %dd\n", (int)sp->stale_days);
    else
        dbmi_pol_printf(buf, "\nstale off\n");
    if (sp->quiet_start != sp->quiet_end)
        dbmi_pol_printf(buf, "quiet %02d:%02d-%02d:%02d\n", (int)(sp->quiet_start / 60),
                        (int)(sp->quiet_start % 60), (int)(sp->quiet_end / 60),
                        (int)(sp->quiet_end % 60));
    else
        dbmi_pol_printf(buf, "quiet off\n");
    dbmi_pol_printf(buf, "weekdays");
    for (int d = 1; d <= 7; d++)
        if (sp->weekdays & LIBDBM_WEEKDAY_BIT(d % 7))
            dbmi_pol_printf(buf, " %s", dbmi_pol_weekday_names[d % 7]);
    dbmi_pol_format_duration(dur, sizeof(dur), (int64_t)sp->horizon_days * DBMI_POL_DAY);
    dbmi_pol_printf(buf, "\nhorizon %s\n", dur);
}

LIBDBM_API int libdbm_policy_to_string(const libdbm_policy *policy, char **out)
{
    const dbmi_pol_spec *sp;
    dbmi_buf buf;
    int status;
    if (out != NULL)
        *out = NULL;
    if (policy == NULL || out == NULL)
        return LIBDBM_EINVAL;
    sp = &policy->spec;
    dbmi_buf_init(&buf, policy->ctx);
    print_settings(&buf, sp);
    print_section(&buf, &sp->base, "");
    for (size_t i = 0; i < sp->n_fatigue; i++) {
        dbmi_pol_print_fatigue(&buf, &sp->fatigue[i]);
        dbmi_pol_printf(&buf, "\n");
    }
    for (size_t i = 0; i < sp->n_priorities; i++)
        dbmi_pol_printf(&buf, "priority \"%s\" %d\n", sp->priorities[i].campaign,
                        (int)sp->priorities[i].priority);
    for (size_t i = 0; i < sp->n_overrides; i++) {
        const dbmi_pol_override *o = &sp->overrides[i];
        dbmi_pol_printf(&buf, "override %s when ", o->name);
        dbmi_pol_puts(&buf, o->expression);
        dbmi_pol_puts(&buf, " {\n");
        print_section(&buf, &o->rules, "  ");
        dbmi_pol_printf(&buf, "}\n");
    }
    status = dbmi_buf_status(&buf);
    if (status == LIBDBM_OK) {
        *out = dbmi_export_string(policy->ctx, (const char *)buf.data, buf.len);
        if (*out == NULL)
            status = dbmi_error_nomem(policy->ctx, "policy text");
    }
    dbmi_buf_free(&buf);
    return status;
}
