/* Named RFM segments: an ordered rule table over (R, F, M) scores, first
 * match wins, with the default table of the product brief and a small text
 * form (docs/rfm.md). */
#include <string.h>

#include "context_private.h"
#include "libdbm/rfm.h"

typedef struct segment_rule {
    char *name;
    int32_t range[6];   /* r_min, r_max, f_min, f_max, m_min, m_max */
} segment_rule;

struct libdbm_rfm_segments {
    libdbm_context *ctx;
    segment_rule *rules;
    size_t count, capacity;
    char *fallback;
};

typedef struct default_rule {
    const char *name;
    int32_t range[6];
} default_rule;

/* The usual published table (R package `rfm` and common RFM guides), in its
 * published order: Potential Loyalist precedes New Customers and
 * Hibernating precedes Lost, so the later rules only catch what is left. */
static const default_rule default_rules[] = {
    {"Champions", {4, 5, 4, 5, 4, 5}},
    {"Loyal Customers", {2, 5, 3, 5, 3, 5}},
    {"Potential Loyalist", {3, 5, 1, 3, 1, 3}},
    {"New Customers", {4, 5, 1, 1, 1, 1}},
    {"Promising", {3, 4, 1, 1, 1, 1}},
    {"Need Attention", {2, 3, 2, 3, 2, 3}},
    {"About To Sleep", {2, 3, 1, 2, 1, 2}},
    {"At Risk", {1, 2, 2, 5, 2, 5}},
    {"Can't Lose Them", {1, 1, 4, 5, 4, 5}},
    {"Hibernating", {1, 2, 1, 2, 1, 2}},
    {"Lost", {1, 2, 1, 2, 1, 2}},
};

LIBDBM_API void libdbm_rfm_segments_free(libdbm_rfm_segments *segs)
{
    size_t i;
    if (segs == NULL)
        return;
    for (i = 0; i < segs->count; i++)
        dbmi_free(segs->ctx, segs->rules[i].name);
    dbmi_free(segs->ctx, segs->rules);
    dbmi_free(segs->ctx, segs->fallback);
    dbmi_free(segs->ctx, segs);
}

LIBDBM_API int libdbm_rfm_segments_clear(libdbm_rfm_segments *segs)
{
    size_t i;
    if (segs == NULL)
        return LIBDBM_EINVAL;
    for (i = 0; i < segs->count; i++)
        dbmi_free(segs->ctx, segs->rules[i].name);
    segs->count = 0;
    return LIBDBM_OK;
}

static int check_ranges(const libdbm_rfm_segments *segs, const char *name,
                        const int32_t range[6])
{
    int i;
    if (name == NULL || name[0] == '\0')
        return dbmi_error(segs->ctx, LIBDBM_EINVAL, "rfm segment: empty rule name");
    for (i = 0; i < 6; i += 2)
        if (range[i] > range[i + 1])
            return dbmi_error(segs->ctx, LIBDBM_EINVAL,
                              "rfm segment '%s': %c range %d-%d is empty", name, "rfm"[i / 2],
                              range[i], range[i + 1]);
    return LIBDBM_OK;
}

/* Appends a rule whose name is already an allocated copy (taken over). */
static int append_rule(libdbm_rfm_segments *segs, char *name, const int32_t range[6])
{
    int status = dbmi_grow_array(segs->ctx, (void **)&segs->rules, &segs->capacity,
                                 segs->count + 1, sizeof(segment_rule));
    if (status != LIBDBM_OK)
        return status;
    segs->rules[segs->count].name = name;
    memcpy(segs->rules[segs->count].range, range, sizeof(segs->rules[0].range));
    segs->count++;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_rfm_segments_add_rule(libdbm_rfm_segments *segs, const char *name,
                                            int32_t r_min, int32_t r_max,
                                            int32_t f_min, int32_t f_max,
                                            int32_t m_min, int32_t m_max)
{
    int32_t range[6];
    char *copy;
    int status;
    if (segs == NULL)
        return LIBDBM_EINVAL;
    range[0] = r_min;
    range[1] = r_max;
    range[2] = f_min;
    range[3] = f_max;
    range[4] = m_min;
    range[5] = m_max;
    status = check_ranges(segs, name, range);
    if (status != LIBDBM_OK)
        return status;
    copy = dbmi_strdup(segs->ctx, name);
    if (copy == NULL)
        return dbmi_error_nomem(segs->ctx, "rfm segment name");
    status = append_rule(segs, copy, range);
    if (status != LIBDBM_OK)
        dbmi_free(segs->ctx, copy);
    return status;
}

LIBDBM_API int libdbm_rfm_segments_set_fallback(libdbm_rfm_segments *segs, const char *name)
{
    char *copy;
    if (segs == NULL)
        return LIBDBM_EINVAL;
    if (name == NULL)
        return dbmi_error(segs->ctx, LIBDBM_EINVAL, "rfm segment: NULL fallback name");
    copy = dbmi_strdup(segs->ctx, name);
    if (copy == NULL)
        return dbmi_error_nomem(segs->ctx, "rfm segment fallback name");
    dbmi_free(segs->ctx, segs->fallback);
    segs->fallback = copy;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_rfm_segments_new_default(libdbm_rfm_segments **out, libdbm_context *ctx)
{
    libdbm_rfm_segments *segs;
    size_t i;
    int status;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL)
        return LIBDBM_EINVAL;
    segs = dbmi_calloc(ctx, 1, sizeof(*segs));
    if (segs == NULL)
        return dbmi_error_nomem(ctx, "rfm segments");
    segs->ctx = ctx;
    status = libdbm_rfm_segments_set_fallback(segs, "Others");
    for (i = 0; i < sizeof(default_rules) / sizeof(default_rules[0]) && status == LIBDBM_OK; i++) {
        const int32_t *g = default_rules[i].range;
        status = libdbm_rfm_segments_add_rule(segs, default_rules[i].name, g[0], g[1], g[2],
                                              g[3], g[4], g[5]);
    }
    if (status != LIBDBM_OK) {
        libdbm_rfm_segments_free(segs);
        return status;
    }
    *out = segs;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_rfm_segments_count(const libdbm_rfm_segments *segs, int32_t *count)
{
    if (segs == NULL || count == NULL)
        return LIBDBM_EINVAL;
    *count = (int32_t)segs->count;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_rfm_segments_classify(const libdbm_rfm_segments *segs,
                                            const char **name_out, int32_t *rule_out,
                                            int32_t r, int32_t f, int32_t m)
{
    size_t i;
    if (segs == NULL || name_out == NULL)
        return LIBDBM_EINVAL;
    for (i = 0; i < segs->count; i++) {
        const int32_t *g = segs->rules[i].range;
        if (r >= g[0] && r <= g[1] && f >= g[2] && f <= g[3] && m >= g[4] && m <= g[5]) {
            *name_out = segs->rules[i].name;
            if (rule_out != NULL)
                *rule_out = (int32_t)i;
            return LIBDBM_OK;
        }
    }
    *name_out = segs->fallback;
    if (rule_out != NULL)
        *rule_out = -1;
    return LIBDBM_OK;
}

/* ---- text form ---------------------------------------------------------
 * Name: r=4-5 f=4-5 m=4-5   (a range is A-B or A; omitted letters match any) */

typedef struct parsed_rule {
    const char *name;
    size_t name_len;
    int32_t range[6];
} parsed_rule;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int parse_int(const char **p, int32_t *out)
{
    const char *s = *p;
    int64_t v = 0;
    int negative = 0;
    if (*s == '-') {
        negative = 1;
        s++;
    }
    if (*s < '0' || *s > '9')
        return 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s - '0');
        if (v > INT32_MAX)
            return 0;
        s++;
    }
    *out = (int32_t)(negative ? -v : v);
    *p = s;
    return 1;
}

static int syntax_error(const libdbm_rfm_segments *segs, int line, const char *line_start,
                        const char *at, const char *what)
{
    return dbmi_error(segs->ctx, LIBDBM_ESYNTAX, "rfm segments: line %d, column %d: %s", line,
                      (int)(at - line_start) + 1, what);
}

/* Parses one non-blank, non-comment line into @p rule. */
static int parse_line(const libdbm_rfm_segments *segs, int line_no, const char *start,
                      const char *end, parsed_rule *rule)
{
    const char *colon = start, *p, *name_end;
    int seen[3] = {0, 0, 0}, i;
    while (colon < end && *colon != ':')
        colon++;
    if (colon == end)
        return syntax_error(segs, line_no, start, end, "expected 'Name:' before the ranges");
    p = start;
    while (p < colon && is_space(*p))
        p++;
    name_end = colon;
    while (name_end > p && is_space(name_end[-1]))
        name_end--;
    if (name_end == p)
        return syntax_error(segs, line_no, start, colon, "empty segment name");
    rule->name = p;
    rule->name_len = (size_t)(name_end - p);
    for (i = 0; i < 3; i++) {
        rule->range[2 * i] = INT32_MIN;
        rule->range[2 * i + 1] = INT32_MAX;
    }
    p = colon + 1;
    for (;;) {
        int which;
        while (p < end && is_space(*p))
            p++;
        if (p == end)
            break;
        switch (*p) {
        case 'r': case 'R': which = 0; break;
        case 'f': case 'F': which = 1; break;
        case 'm': case 'M': which = 2; break;
        default:
            return syntax_error(segs, line_no, start, p, "expected r=, f= or m=");
        }
        if (seen[which])
            return syntax_error(segs, line_no, start, p, "score given twice");
        seen[which] = 1;
        p++;
        if (p == end || *p != '=')
            return syntax_error(segs, line_no, start, p, "expected '='");
        p++;
        if (!parse_int(&p, &rule->range[2 * which]))
            return syntax_error(segs, line_no, start, p, "expected a score");
        rule->range[2 * which + 1] = rule->range[2 * which];
        if (p < end && *p == '-') {
            p++;
            if (!parse_int(&p, &rule->range[2 * which + 1]))
                return syntax_error(segs, line_no, start, p, "expected a score after '-'");
        }
        if (rule->range[2 * which] > rule->range[2 * which + 1])
            return syntax_error(segs, line_no, start, p, "empty range (min > max)");
        if (p < end && !is_space(*p))
            return syntax_error(segs, line_no, start, p, "expected a space between ranges");
    }
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_rfm_segments_parse(libdbm_rfm_segments *segs, const char *text)
{
    parsed_rule *parsed = NULL;
    size_t nparsed = 0, cap = 0, i, done;
    const char *line = text;
    int line_no = 1, status = LIBDBM_OK;
    if (segs == NULL)
        return LIBDBM_EINVAL;
    if (text == NULL)
        return dbmi_error(segs->ctx, LIBDBM_EINVAL, "rfm segments: NULL text");
    while (*line != '\0') {
        const char *end = line, *p = line;
        while (*end != '\0' && *end != '\n')
            end++;
        while (p < end && is_space(*p))
            p++;
        if (p < end && *p != '#') {
            status = dbmi_grow_array(segs->ctx, (void **)&parsed, &cap, nparsed + 1,
                                     sizeof(*parsed));
            if (status == LIBDBM_OK)
                status = parse_line(segs, line_no, line, end, &parsed[nparsed]);
            if (status != LIBDBM_OK)
                break;
            nparsed++;
        }
        line = *end == '\n' ? end + 1 : end;
        line_no++;
    }
    /* All or nothing: reserve room, copy names, then append. */
    if (status == LIBDBM_OK)
        status = dbmi_grow_array(segs->ctx, (void **)&segs->rules, &segs->capacity,
                                 segs->count + nparsed, sizeof(segment_rule));
    done = segs->count;
    for (i = 0; i < nparsed && status == LIBDBM_OK; i++) {
        char *name = dbmi_malloc(segs->ctx, parsed[i].name_len + 1);
        if (name == NULL) {
            status = dbmi_error_nomem(segs->ctx, "rfm segment name");
            break;
        }
        memcpy(name, parsed[i].name, parsed[i].name_len);
        name[parsed[i].name_len] = '\0';
        segs->rules[segs->count].name = name;
        memcpy(segs->rules[segs->count].range, parsed[i].range, sizeof(parsed[i].range));
        segs->count++;
    }
    if (status != LIBDBM_OK) {
        while (segs->count > done) {
            segs->count--;
            dbmi_free(segs->ctx, segs->rules[segs->count].name);
        }
    }
    dbmi_free(segs->ctx, parsed);
    return status;
}
