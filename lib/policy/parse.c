/* The policy text parser (docs/policy.md, "Grammar"): one statement per
 * line, each turned into a builder call, so the text and the builder API
 * give the same policy. A value the builder refuses becomes a syntax error
 * at the statement's position with the builder's explanation. */
#include <stdio.h>
#include <string.h>

#include "policy_text.h"
#include "validate.h"

typedef struct parser {
    libdbm_context *ctx;
    libdbm_policy_builder *b;
    dbmi_pol_lexer lx;
    dbmi_pol_tok tok;
    int32_t override_line;      /* where the open override began */
    char scratch[DBMI_POL_MAX_CAMPAIGN + 1];
    char scratch2[DBMI_POL_MAX_NAME + 1];
} parser;

static int next(parser *p)
{
    return dbmi_pol_lexer_next(&p->lx, &p->tok);
}

static int expected(parser *p, const char *what)
{
    char found[64];
    dbmi_pol_describe(&p->tok, found, sizeof(found));
    return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, p->tok.line, p->tok.column,
                         "expected %s, found %s", what, found);
}

static int is_word(const parser *p, const char *word)
{
    return p->tok.kind == DBMI_PTOK_WORD && p->tok.len == strlen(word) &&
           memcmp(p->tok.text, word, p->tok.len) == 0;
}

static int expect_word(parser *p, const char *word)
{
    char what[48];
    if (!is_word(p, word)) {
        snprintf(what, sizeof(what), "'%s'", word);
        return expected(p, what);
    }
    return next(p);
}

/* Copies the current word or string into @p buf (NUL-terminated). */
static int take_text(parser *p, int kind, const char *what, char *buf, size_t size)
{
    if (p->tok.kind != kind || p->tok.len >= size)
        return expected(p, what);
    if (!dbmi_utf8_valid(p->tok.text, p->tok.len))
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, p->tok.line, p->tok.column,
                             "expected valid UTF-8 in %s", what);
    memcpy(buf, p->tok.text, p->tok.len);
    buf[p->tok.len] = '\0';
    return next(p);
}

static int take_int(parser *p, const char *what, int64_t *out)
{
    int negative = 0;
    if (p->tok.kind == DBMI_PTOK_DASH) {
        negative = 1;
        if (next(p) != LIBDBM_OK)
            return p->lx.err.code;
    }
    if (p->tok.kind != DBMI_PTOK_INT)
        return expected(p, what);
    *out = negative ? -p->tok.value : p->tok.value;
    return next(p);
}

static int take_duration(parser *p, int64_t *out)
{
    if (p->tok.kind != DBMI_PTOK_DURATION)
        return expected(p, "a duration such as 7d, 12h, 30m or 2w");
    *out = p->tok.value;
    return next(p);
}

/* NULL for "all", else the channel name in p->scratch2. */
static int take_scope(parser *p, const char **channel)
{
    int status = take_text(p, DBMI_PTOK_WORD, "a channel name or 'all'", p->scratch2,
                           sizeof(p->scratch2));
    *channel = strcmp(p->scratch2, "all") == 0 ? NULL : p->scratch2;
    return status;
}

/* Applies a builder call's status: its refusals become syntax errors at
 * the statement's position. */
static int builder_status(parser *p, int status, int32_t line, int32_t column)
{
    if (status == LIBDBM_EINVAL)
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column, "%s",
                             libdbm_context_errmsg(p->ctx));
    if (status != LIBDBM_OK && p->lx.err.code == LIBDBM_OK)
        p->lx.err.code = status;
    return status;
}

static int parse_window(parser *p, libdbm_policy_cap *cap)
{
    static const char *const calendar[] = { "day", "week", "month" };
    int status = expect_word(p, "per");
    if (status != LIBDBM_OK)
        return status;
    if (is_word(p, "rolling") && (status = next(p)) != LIBDBM_OK)
        return status;
    if (p->tok.kind == DBMI_PTOK_DURATION) {
        cap->window = LIBDBM_WINDOW_ROLLING;
        return take_duration(p, &cap->window_seconds);
    }
    if (!is_word(p, "calendar"))
        return expected(p, "a duration or 'calendar'");
    if ((status = next(p)) != LIBDBM_OK)
        return status;
    for (int i = 0; i < 3; i++)
        if (is_word(p, calendar[i])) {
            cap->window = LIBDBM_WINDOW_CALENDAR_DAY + i;
            return next(p);
        }
    return expected(p, "'day', 'week' or 'month'");
}

static int parse_cap_options(parser *p, libdbm_policy_cap *cap, char *unit)
{
    int status = LIBDBM_OK;
    while (status == LIBDBM_OK && p->tok.kind == DBMI_PTOK_WORD) {
        if (is_word(p, "unit") && cap->business_unit == NULL) {
            status = next(p);
            if (status == LIBDBM_OK)
                status = take_text(p, DBMI_PTOK_WORD, "a business unit name", unit,
                                   DBMI_POL_MAX_NAME + 1);
            cap->business_unit = unit;
        } else if (is_word(p, "reserve") && cap->reserve == 0) {
            int64_t priority = 0;
            status = next(p);
            if (status == LIBDBM_OK)
                status = take_int(p, "the number of reserved slots", &cap->reserve);
            if (status == LIBDBM_OK)
                status = expect_word(p, "for");
            if (status == LIBDBM_OK)
                status = expect_word(p, "priority");
            if (status == LIBDBM_OK)
                status = take_int(p, "a priority", &priority);
            if (status == LIBDBM_OK && (priority < INT32_MIN || priority > INT32_MAX))
                status = expected(p, "a priority within 32 bits");
            cap->reserve_priority = (int32_t)priority;
        } else {
            return expected(p, "'unit', 'reserve' or end of line");
        }
    }
    return status;
}

static int parse_cap(parser *p, int32_t line, int32_t column)
{
    libdbm_policy_cap cap = LIBDBM_POLICY_CAP_INIT;
    char unit[DBMI_POL_MAX_NAME + 1];
    int status = take_scope(p, &cap.channel);
    if (status == LIBDBM_OK)
        status = take_int(p, "the cap's limit (a number)", &cap.limit);
    if (status == LIBDBM_OK)
        status = parse_window(p, &cap);
    if (status == LIBDBM_OK)
        status = parse_cap_options(p, &cap, unit);
    if (status != LIBDBM_OK)
        return status;
    return builder_status(p, libdbm_policy_builder_add_cap(p->b, &cap), line, column);
}

static int parse_gap(parser *p, int32_t line, int32_t column)
{
    const char *channel;
    int64_t seconds = 0;
    int status = take_scope(p, &channel);
    if (status == LIBDBM_OK)
        status = take_duration(p, &seconds);
    if (status != LIBDBM_OK)
        return status;
    return builder_status(p, libdbm_policy_builder_add_gap(p->b, channel, seconds), line,
                          column);
}

static int parse_fatigue(parser *p, int32_t line, int32_t column)
{
    const char *channel;
    int64_t n = 0, pause = 0;
    int32_t action = LIBDBM_FATIGUE_HALVE;
    int status = take_scope(p, &channel);
    if (status == LIBDBM_OK)
        status = expect_word(p, "after");
    if (status == LIBDBM_OK)
        status = take_int(p, "a number of unanswered contacts", &n);
    if (status == LIBDBM_OK)
        status = expect_word(p, "unanswered");
    if (status == LIBDBM_OK) {
        if (is_word(p, "pause")) {
            action = LIBDBM_FATIGUE_PAUSE;
            status = next(p);
            if (status == LIBDBM_OK)
                status = take_duration(p, &pause);
        } else if (is_word(p, "halve")) {
            status = next(p);
        } else {
            status = expected(p, "'pause' or 'halve'");
        }
    }
    if (status == LIBDBM_OK && (n < 1 || n > 1000))
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column,
                             "fatigue: unanswered is 1 to 1000");
    if (status != LIBDBM_OK)
        return status;
    return builder_status(p, libdbm_policy_builder_set_fatigue(p->b, channel, (int32_t)n,
                                                               action, pause),
                          line, column);
}

static int parse_responses(parser *p, int32_t line, int32_t column)
{
    uint32_t mask = 0;
    while (p->tok.kind == DBMI_PTOK_WORD) {
        int found = 0;
        for (int o = LIBDBM_OUTCOME_OPENED; o <= LIBDBM_OUTCOME_CONVERTED; o++)
            if (is_word(p, dbmi_pol_outcome_names[o])) {
                mask |= LIBDBM_OUTCOME_BIT(o);
                found = 1;
            }
        if (!found)
            break;
        if (next(p) != LIBDBM_OK)
            return p->lx.err.code;
    }
    if (p->tok.kind != DBMI_PTOK_NEWLINE && p->tok.kind != DBMI_PTOK_EOF)
        return expected(p, "'opened', 'clicked', 'responded', 'converted' or end of line");
    return builder_status(p, libdbm_policy_builder_set_responses(p->b, mask), line, column);
}

static int parse_consent(parser *p, int32_t line, int32_t column)
{
    int allow;
    int status = expect_word(p, "unknown");
    if (status != LIBDBM_OK)
        return status;
    if (!is_word(p, "allow") && !is_word(p, "deny"))
        return expected(p, "'allow' or 'deny'");
    allow = is_word(p, "allow");
    if ((status = next(p)) != LIBDBM_OK)
        return status;
    return builder_status(p, libdbm_policy_builder_set_consent_unknown(p->b, allow), line,
                          column);
}

static int parse_stale(parser *p, int32_t line, int32_t column)
{
    int64_t seconds = 0;
    int status;
    if (is_word(p, "off")) {
        status = next(p);
    } else {
        status = expect_word(p, "after");
        if (status == LIBDBM_OK)
            status = take_duration(p, &seconds);
        if (status == LIBDBM_OK && (seconds % DBMI_POL_DAY != 0 || seconds == 0 ||
                                    seconds > 36500LL * DBMI_POL_DAY))
            return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column,
                                 "stale: a whole number of days, 1d to 36500d");
    }
    if (status != LIBDBM_OK)
        return status;
    return builder_status(p, libdbm_policy_builder_set_stale_days(
                                 p->b, (int32_t)(seconds / DBMI_POL_DAY)),
                          line, column);
}

static int parse_quiet(parser *p, int32_t line, int32_t column)
{
    int64_t start = 0, end = 0;
    int status;
    if (is_word(p, "off")) {
        status = next(p);
    } else {
        if (p->tok.kind != DBMI_PTOK_CLOCK)
            return expected(p, "'off' or HH:MM-HH:MM");
        start = p->tok.value;
        status = next(p);
        if (status == LIBDBM_OK && p->tok.kind != DBMI_PTOK_DASH)
            return expected(p, "'-'");
        if (status == LIBDBM_OK)
            status = next(p);
        if (status == LIBDBM_OK && p->tok.kind != DBMI_PTOK_CLOCK)
            return expected(p, "HH:MM");
        end = p->tok.value;
        if (status == LIBDBM_OK)
            status = next(p);
    }
    if (status != LIBDBM_OK)
        return status;
    return builder_status(p, libdbm_policy_builder_set_quiet_hours(p->b, (int32_t)start,
                                                                   (int32_t)end),
                          line, column);
}

static int weekday_of(const char *s, size_t len)
{
    for (int d = 0; d < 7; d++)
        if (len == 3 && memcmp(s, dbmi_pol_weekday_names[d], 3) == 0)
            return d;
    return -1;
}

/* "mon", or a range "mon-fri" (which the lexer reads as one word; ranges
 * wrap: "sat-mon" is sat, sun, mon). */
static int weekday_spec(const dbmi_pol_tok *tok, uint32_t *mask)
{
    int from = weekday_of(tok->text, tok->len > 3 ? 3 : tok->len), to = from;
    if (tok->len == 7 && tok->text[3] == '-')
        to = weekday_of(tok->text + 4, 3);
    else if (tok->len != 3)
        return 0;
    if (from < 0 || to < 0)
        return 0;
    for (int d = from;; d = (d + 1) % 7) {
        *mask |= LIBDBM_WEEKDAY_BIT(d);
        if (d == to)
            break;
    }
    return 1;
}

static int parse_weekdays(parser *p, int32_t line, int32_t column)
{
    uint32_t mask = 0;
    if (is_word(p, "all")) {
        mask = 0x7Fu;
        if (next(p) != LIBDBM_OK)
            return p->lx.err.code;
    } else {
        while (p->tok.kind == DBMI_PTOK_WORD && weekday_spec(&p->tok, &mask))
            if (next(p) != LIBDBM_OK)
                return p->lx.err.code;
    }
    if (p->tok.kind != DBMI_PTOK_NEWLINE && p->tok.kind != DBMI_PTOK_EOF)
        return expected(p, "a weekday (mon, tue, ..., sun), a range such as mon-fri, "
                           "or end of line");
    return builder_status(p, libdbm_policy_builder_set_weekdays(p->b, mask), line, column);
}

static int parse_timezone(parser *p, int32_t line, int32_t column)
{
    int seen = 0, status = LIBDBM_OK;
    while (status == LIBDBM_OK && p->tok.kind == DBMI_PTOK_WORD) {
        if (is_word(p, "attribute")) {
            status = next(p);
            if (status == LIBDBM_OK)
                status = take_text(p, DBMI_PTOK_WORD, "an attribute name", p->scratch2,
                                   sizeof(p->scratch2));
            if (status == LIBDBM_OK)
                status = builder_status(
                    p, libdbm_policy_builder_set_tz_attribute(p->b, p->scratch2), line, column);
        } else if (is_word(p, "default")) {
            status = next(p);
            if (status == LIBDBM_OK)
                status = take_text(p, DBMI_PTOK_STRING, "a zone name in quotes", p->scratch,
                                   sizeof(p->scratch));
            if (status == LIBDBM_OK)
                status = builder_status(
                    p, libdbm_policy_builder_set_default_tz(p->b, p->scratch), line, column);
        } else {
            break;
        }
        seen = 1;
    }
    if (status == LIBDBM_OK && !seen)
        return expected(p, "'attribute' or 'default'");
    return status;
}

static int parse_priority(parser *p, int32_t line, int32_t column)
{
    int64_t priority = 0;
    int status = take_text(p, DBMI_PTOK_STRING, "a campaign name in quotes", p->scratch,
                           sizeof(p->scratch));
    if (status == LIBDBM_OK)
        status = take_int(p, "a priority", &priority);
    if (status == LIBDBM_OK && (priority < INT32_MIN || priority > INT32_MAX))
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column,
                             "priority: a 32-bit integer");
    if (status != LIBDBM_OK)
        return status;
    return builder_status(p, libdbm_policy_builder_set_campaign_priority(p->b, p->scratch,
                                                                         (int32_t)priority),
                          line, column);
}

static int parse_horizon(parser *p, int32_t line, int32_t column)
{
    int64_t seconds = 0;
    int status = take_duration(p, &seconds);
    if (status != LIBDBM_OK)
        return status;
    if (seconds % DBMI_POL_DAY != 0)
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column,
                             "horizon: a whole number of days, 1d to 400d");
    return builder_status(p, libdbm_policy_builder_set_horizon_days(
                                 p->b, (int32_t)(seconds / DBMI_POL_DAY > 1000
                                                     ? 1000 : seconds / DBMI_POL_DAY)),
                          line, column);
}

/* The expression of "override NAME when EXPR {": the rest of the line up
 * to a '{' that ends it (comments after it allowed; '#' and '{' inside the
 * expression's strings are not special). */
static int split_expression(parser *p, const char *text, size_t len, size_t *expr_len)
{
    int in_string = 0;
    size_t end = len;
    for (size_t i = 0; i < len; i++) {
        if (in_string && text[i] == '\\' && i + 1 < len) {
            i++;
        } else if (text[i] == '"') {
            in_string = !in_string;
        } else if (!in_string && text[i] == '#') {
            end = i;
            break;
        }
    }
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r'))
        end--;
    if (end == 0 || text[end - 1] != '{')
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, p->lx.line, p->lx.column,
                             "expected '{' at the end of the override line");
    end--;
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        end--;
    if (end == 0)
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, p->lx.line, p->lx.column,
                             "expected a segment expression after 'when'");
    *expr_len = end;
    return LIBDBM_OK;
}

/* A segment compile error, moved to its place in the policy text. */
static int segment_error(parser *p, int status, const char *name, int32_t line,
                         int32_t column)
{
    int32_t seg_line = 0, seg_column = 0;
    const char *msg = libdbm_context_errmsg(p->ctx);
    const char *detail = strstr(msg, ": ");
    libdbm_segment_last_error(p->ctx, &seg_line, &seg_column);
    if (status != LIBDBM_ESYNTAX && status != LIBDBM_ELIMIT && status != LIBDBM_ENOTFOUND)
        return builder_status(p, status, line, column);
    if (seg_line > 0 && detail != NULL && strncmp(msg, "line ", 5) == 0)
        msg = detail + 2;
    if (seg_line > 0)
        column += seg_column - 1;
    return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column,
                         "in the segment of override '%s': %s", name, msg);
}

static int parse_override(parser *p, int32_t line, int32_t column)
{
    char name[DBMI_POL_MAX_NAME + 1];
    const char *text;
    char *expression;
    size_t len, expr_len = 0;
    int32_t expr_column;
    int status;
    if (p->override_line != 0)
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column,
                             "expected '}' closing the override of line %d before another",
                             (int)p->override_line);
    status = take_text(p, DBMI_PTOK_WORD, "an override name", name, sizeof(name));
    if (status == LIBDBM_OK && !is_word(p, "when"))
        return expected(p, "'when'");
    if (status != LIBDBM_OK)
        return status;
    /* Read the raw expression instead of tokens. */
    dbmi_pol_lexer_rest_of_line(&p->lx, &text, &len, &expr_column);
    status = split_expression(p, text, len, &expr_len);
    if (status != LIBDBM_OK)
        return status;
    expression = dbmi_malloc(p->ctx, expr_len + 1);
    if (expression == NULL)
        return builder_status(p, dbmi_error_nomem(p->ctx, "policy override"), line, column);
    memcpy(expression, text, expr_len);
    expression[expr_len] = '\0';
    status = libdbm_policy_builder_begin_override(p->b, name, expression);
    dbmi_free(p->ctx, expression);
    if (status == LIBDBM_ESYNTAX || status == LIBDBM_ELIMIT || status == LIBDBM_ENOTFOUND)
        return segment_error(p, status, name, line, expr_column);
    if (status != LIBDBM_OK)
        return builder_status(p, status, line, column);
    p->override_line = line;
    return next(p);
}

static int parse_close(parser *p, int32_t line, int32_t column)
{
    if (p->override_line == 0)
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column,
                             "expected a statement, found '}' without an open override");
    p->override_line = 0;
    return builder_status(p, libdbm_policy_builder_end_override(p->b), line, column);
}

typedef int (*statement_fn)(parser *p, int32_t line, int32_t column);

static const struct {
    const char *word;
    statement_fn parse;
    int in_override;            /* allowed inside an override block */
} statements[] = {
    { "cap", parse_cap, 1 },           { "gap", parse_gap, 1 },
    { "fatigue", parse_fatigue, 0 },   { "responses", parse_responses, 0 },
    { "consent", parse_consent, 0 },   { "stale", parse_stale, 0 },
    { "quiet", parse_quiet, 0 },       { "weekdays", parse_weekdays, 0 },
    { "timezone", parse_timezone, 0 }, { "priority", parse_priority, 0 },
    { "horizon", parse_horizon, 0 },   { "override", parse_override, 0 },
};

static int parse_statement(parser *p)
{
    int32_t line = p->tok.line, column = p->tok.column;
    int status;
    if (p->tok.kind == DBMI_PTOK_RBRACE) {
        status = parse_close(p, line, column);
        if (status == LIBDBM_OK)
            status = next(p);
        return status;
    }
    for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
        if (!is_word(p, statements[i].word))
            continue;
        if (p->override_line != 0 && !statements[i].in_override)
            return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, line, column,
                                 "expected 'cap', 'gap' or '}' inside an override, found '%s'",
                                 statements[i].word);
        status = next(p);
        return status == LIBDBM_OK ? statements[i].parse(p, line, column) : status;
    }
    return expected(p, "a statement (cap, gap, fatigue, responses, consent, stale, quiet, "
                       "weekdays, timezone, priority, horizon, override)");
}

static int parse_lines(parser *p)
{
    int status = next(p);
    while (status == LIBDBM_OK && p->tok.kind != DBMI_PTOK_EOF) {
        if (p->tok.kind != DBMI_PTOK_NEWLINE) {
            status = parse_statement(p);
            if (status != LIBDBM_OK)
                break;
            if (p->tok.kind != DBMI_PTOK_NEWLINE && p->tok.kind != DBMI_PTOK_EOF)
                return expected(p, "end of line");
        }
        if (p->tok.kind == DBMI_PTOK_NEWLINE)
            status = next(p);
    }
    if (status == LIBDBM_OK && p->override_line != 0)
        return dbmi_seg_fail(&p->lx.err, LIBDBM_ESYNTAX, p->tok.line, p->tok.column,
                             "expected '}' closing the override of line %d, found end of input",
                             (int)p->override_line);
    return status;
}

/* The calling thread's last parse, for libdbm_policy_last_error(). */
static _Thread_local struct {
    const libdbm_context *ctx;
    int code;
    int32_t line, column;
} last_parse;

static int finish(libdbm_context *ctx, int code, int32_t line, int32_t column,
                  const char *message)
{
    last_parse.ctx = ctx;
    last_parse.code = code;
    last_parse.line = line;
    last_parse.column = column;
    if (code == LIBDBM_OK || message == NULL)
        return code;
    if (line > 0)
        return dbmi_error(ctx, code, "line %d, column %d: %s", (int)line, (int)column, message);
    return dbmi_error(ctx, code, "%s", message);
}

LIBDBM_API int libdbm_policy_parse(libdbm_policy **out, libdbm_context *ctx, const char *text)
{
    parser p;
    size_t len;
    int status;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL || text == NULL)
        return finish(ctx, LIBDBM_EINVAL, 0, 0, "libdbm_policy_parse: NULL argument");
    len = strnlen(text, (size_t)DBMI_POL_MAX_TEXT + 1);
    if (len > DBMI_POL_MAX_TEXT)
        return finish(ctx, LIBDBM_ELIMIT, 0, 0, "a policy text is at most 1 MiB");
    memset(&p, 0, sizeof(p));
    p.ctx = ctx;
    status = libdbm_policy_builder_new(&p.b, ctx);
    if (status != LIBDBM_OK)
        return finish(ctx, status, 0, 0, NULL);
    dbmi_pol_lexer_init(&p.lx, text, len);
    status = parse_lines(&p);
    if (status == LIBDBM_OK)
        status = libdbm_policy_builder_build(out, p.b);
    libdbm_policy_builder_free(p.b);
    if (status != LIBDBM_OK && p.lx.err.code == LIBDBM_ESYNTAX)
        return finish(ctx, status, p.lx.err.line, p.lx.err.column, p.lx.err.message);
    /* Other failures (ENOMEM, ELIMIT, time zone errors) keep the message
     * the failing call recorded. */
    return finish(ctx, status, 0, 0, NULL);
}

LIBDBM_API int libdbm_policy_last_error(const libdbm_context *ctx, int32_t *line,
                                        int32_t *column)
{
    int known = ctx != NULL && last_parse.ctx == ctx;
    if (line != NULL)
        *line = known ? last_parse.line : 0;
    if (column != NULL)
        *column = known ? last_parse.column : 0;
    return known ? last_parse.code : LIBDBM_OK;
}
