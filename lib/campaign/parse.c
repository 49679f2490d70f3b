/* The campaign definition text format (docs/campaigns.md): one statement
 * per line, words and "quoted strings", # comments. Errors name the line
 * and column (1-based, columns in code points) of the offending token. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libdbm.h"
#include "definition.h"

#define MAX_TEXT_BYTES ((size_t)1 << 20)
#define MAX_TOKENS 16

typedef struct token {
    const char *start;          /* in the source (quoted: after the quote) */
    size_t len;
    int quoted;
    int32_t column;
    char *text;                 /* quoted: the unescaped copy */
} token;

typedef struct parser {
    libdbm_context *ctx;
    libdbm_campaign *campaign;
    const char *pos;
    int32_t line;
    int32_t campaign_line;      /* where the campaign line was */
    const char *line_start;
    token tokens[MAX_TOKENS];
    size_t n_tokens;
    int status;
    int32_t err_line, err_column;
    char message[256];
} parser;

static _Thread_local struct {
    const libdbm_context *ctx;
    int code;
    int32_t line, column;
} last_parse;

static int32_t column_of(const parser *p, const char *at)
{
    int32_t col = 1;
    const char *s;
    for (s = p->line_start; s < at; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            col++;
    return col;
}

static int fail_at(parser *p, int code, int32_t column, const char *fmt, ...) DBMI_PRINTF(4, 5);
static int fail_at(parser *p, int code, int32_t column, const char *fmt, ...)
{
    va_list ap;
    if (p->status != LIBDBM_OK)
        return p->status;
    p->status = code;
    p->err_line = p->line > 0 ? p->line : 1;
    p->err_column = column;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
    va_end(ap);
    return code;
}

/* "expected X, found Y" at token @p t (NULL: the end of the line). */
static int expected(parser *p, const token *t, const char *what)
{
    char found[48];
    int32_t column;
    if (t == NULL) {
        const char *end = p->pos;
        column = column_of(p, end);
        return fail_at(p, LIBDBM_ESYNTAX, column, "expected %s, found %s", what, "end of line");
    }
    snprintf(found, sizeof(found), "%s'%.*s'", t->quoted ? "string " : "",
             (int)(t->len > 32 ? 32 : t->len), t->start);
    return fail_at(p, LIBDBM_ESYNTAX, t->column, "expected %s, found %s", what, found);
}

static void free_tokens(parser *p)
{
    size_t k;
    for (k = 0; k < p->n_tokens; k++)
        dbmi_free(p->ctx, p->tokens[k].text);
    p->n_tokens = 0;
}

/* Reads a quoted string starting after its opening quote. */
static int read_quoted(parser *p, token *t)
{
    const char *s = p->pos;
    char *out;
    size_t n = 0;
    while (*s != '"') {
        if (*s == '\0' || *s == '\n')
            return fail_at(p, LIBDBM_ESYNTAX, t->column, "unterminated string");
        if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
            s++;
        s++;
        n++;
    }
    out = dbmi_malloc(p->ctx, n + 1);
    if (out == NULL)
        return p->status = dbmi_error_nomem(p->ctx, "campaign parse");
    t->start = p->pos;
    t->len = (size_t)(s - p->pos);
    for (n = 0, s = p->pos; *s != '"'; s++) {
        if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
            s++;
        out[n++] = *s;
    }
    out[n] = '\0';
    t->text = out;
    p->pos = s + 1;
    return LIBDBM_OK;
}

/* Splits the current line into tokens; leaves p->pos at its end. */
static int tokenize(parser *p)
{
    free_tokens(p);
    for (;;) {
        token *t;
        while (*p->pos == ' ' || *p->pos == '\t' || *p->pos == '\r')
            p->pos++;
        if (*p->pos == '\0' || *p->pos == '\n' || *p->pos == '#')
            break;
        if (p->n_tokens == MAX_TOKENS)
            return fail_at(p, LIBDBM_ESYNTAX, column_of(p, p->pos), "too many words on one line");
        t = &p->tokens[p->n_tokens++];
        memset(t, 0, sizeof(*t));
        t->column = column_of(p, p->pos);
        if (*p->pos == '"') {
            t->quoted = 1;
            p->pos++;
            if (read_quoted(p, t) != LIBDBM_OK)
                return p->status;
            continue;
        }
        t->start = p->pos;
        while (*p->pos != '\0' && *p->pos != '\n' && *p->pos != ' ' && *p->pos != '\t' &&
               *p->pos != '\r' && *p->pos != '"' && *p->pos != '#')
            p->pos++;
        t->len = (size_t)(p->pos - t->start);
    }
    while (*p->pos != '\0' && *p->pos != '\n')
        p->pos++;
    return LIBDBM_OK;
}

static const token *tok(const parser *p, size_t k)
{
    return k < p->n_tokens ? &p->tokens[k] : NULL;
}

static int is_word(const token *t, const char *word)
{
    return t != NULL && !t->quoted && t->len == strlen(word) && memcmp(t->start, word, t->len) == 0;
}

/* A bare word copied into @p buf (NUL-terminated), or an error. */
static int word(parser *p, size_t k, const char *what, char *buf, size_t size)
{
    const token *t = tok(p, k);
    if (t == NULL || t->quoted || t->len >= size)
        return expected(p, t, what);
    memcpy(buf, t->start, t->len);
    buf[t->len] = '\0';
    return LIBDBM_OK;
}

static const char *string_arg(parser *p, size_t k, const char *what)
{
    const token *t = tok(p, k);
    if (t == NULL || !t->quoted) {
        expected(p, t, what);
        return NULL;
    }
    return t->text;
}

/* One of @p words (NULL-terminated); its index in *choice. */
static int choose(parser *p, size_t k, const char *const *words, const char *what, int *choice)
{
    int i;
    for (i = 0; words[i] != NULL; i++)
        if (is_word(tok(p, k), words[i])) {
            *choice = i;
            return LIBDBM_OK;
        }
    return expected(p, tok(p, k), what);
}

static int no_more(parser *p, size_t k)
{
    if (k < p->n_tokens)
        return expected(p, tok(p, k), "end of line");
    return LIBDBM_OK;
}

/* "7d", "36h", "90m", "30s" -> seconds, up to 3650 days. */
static int duration(parser *p, size_t k, int64_t *seconds)
{
    const token *t = tok(p, k);
    char buf[24], *end;
    long long v;
    int64_t unit;
    if (t == NULL || t->quoted || t->len < 2 || t->len >= sizeof(buf))
        return expected(p, t, "a duration such as 7d, 12h or 30m");
    memcpy(buf, t->start, t->len);
    buf[t->len] = '\0';
    switch (buf[t->len - 1]) {
    case 'd': unit = 86400; break;
    case 'h': unit = 3600; break;
    case 'm': unit = 60; break;
    case 's': unit = 1; break;
    default: return expected(p, t, "a duration such as 7d, 12h or 30m");
    }
    buf[t->len - 1] = '\0';
    errno = 0;
    if (buf[0] < '0' || buf[0] > '9')
        return expected(p, t, "a duration such as 7d, 12h or 30m");
    v = strtoll(buf, &end, 10);
    if (*end != '\0' || errno != 0 || v > DBMI_CAMP_MAX_OFFSET / unit)
        return fail_at(p, LIBDBM_ESYNTAX, t->column, "duration out of range (at most 3650 days)");
    *seconds = (int64_t)v * unit;
    return LIBDBM_OK;
}

/* Reports a library error from a setter at token @p k (its message is
 * kept: it already says what is wrong). */
static int setter(parser *p, size_t k, int status)
{
    const token *t = tok(p, k);
    if (status == LIBDBM_OK || p->status != LIBDBM_OK)
        return p->status != LIBDBM_OK ? p->status : status;
    if (status == LIBDBM_ENOMEM)
        return p->status = status;
    if (status == LIBDBM_ESYNTAX && t != NULL && t->quoted) {
        /* A segment expression: point into the string. */
        int32_t line = 0, column = 0;
        libdbm_segment_last_error(p->ctx, &line, &column);
        return fail_at(p, LIBDBM_ESYNTAX, t->column + (line == 1 ? column : 1),
                       "in the segment expression: %s", libdbm_context_errmsg(p->ctx));
    }
    return fail_at(p, status == LIBDBM_ELIMIT ? LIBDBM_ELIMIT : LIBDBM_ESYNTAX,
                   t ? t->column : 1, "%s", libdbm_context_errmsg(p->ctx));
}

static int parse_entry(parser *p)
{
    static const char *const kinds[] = {"segment", "event", "continuous", NULL};
    static const int kind_of[] = {LIBDBM_CAMPAIGN_ENTRY_SEGMENT, LIBDBM_CAMPAIGN_ENTRY_EVENT,
                                  LIBDBM_CAMPAIGN_ENTRY_CONTINUOUS};
    int kind;
    char name[80];
    const char *arg;
    if (choose(p, 1, kinds, "segment, event or continuous", &kind) != LIBDBM_OK)
        return p->status;
    if (kind_of[kind] == LIBDBM_CAMPAIGN_ENTRY_EVENT) {
        if (word(p, 2, "an event name", name, sizeof(name)) != LIBDBM_OK)
            return p->status;
        arg = name;
    } else if ((arg = string_arg(p, 2, "a quoted segment expression")) == NULL) {
        return p->status;
    }
    if (no_more(p, 3) != LIBDBM_OK)
        return p->status;
    return setter(p, 2, libdbm_campaign_set_entry(p->campaign, kind_of[kind], arg));
}

static int parse_reentry(parser *p)
{
    static const char *const rules[] = {"never", "after", "always", NULL};
    int rule;
    int64_t seconds = 0;
    if (choose(p, 1, rules, "never, after or always", &rule) != LIBDBM_OK)
        return p->status;
    if (rule == LIBDBM_CAMPAIGN_REENTRY_AFTER) {
        if (duration(p, 2, &seconds) != LIBDBM_OK || no_more(p, 3) != LIBDBM_OK)
            return p->status;
        if (seconds % 86400 != 0)
            return expected(p, tok(p, 2), "a whole number of days");
    } else if (no_more(p, 2) != LIBDBM_OK) {
        return p->status;
    }
    return setter(p, 2, libdbm_campaign_set_reentry(p->campaign, rule, (int32_t)(seconds / 86400)));
}

static int parse_holdout(parser *p)
{
    const token *t = tok(p, 1);
    char buf[24], *end;
    double share;
    const char *salt = NULL;
    if (t == NULL || t->quoted || t->len < 2 || t->len >= sizeof(buf) || t->start[t->len - 1] != '%')
        return expected(p, t, "a percentage such as 10%");
    memcpy(buf, t->start, t->len - 1);
    buf[t->len - 1] = '\0';
    share = strtod(buf, &end);
    if (*end != '\0' || end == buf)
        return expected(p, t, "a percentage such as 10%");
    if (p->n_tokens > 2) {
        if (!is_word(tok(p, 2), "salt"))
            return expected(p, tok(p, 2), "salt or end of line");
        if ((salt = string_arg(p, 3, "a quoted salt")) == NULL || no_more(p, 4) != LIBDBM_OK)
            return p->status;
    }
    return setter(p, 1, libdbm_campaign_set_holdout(p->campaign, share / 100.0, salt));
}

static int parse_convert(parser *p)
{
    static const char *const kinds[] = {"outcome", "purchase", "event", NULL};
    int kind;
    size_t k = 3;
    char event[80] = "";
    int64_t window = (int64_t)DBMI_CAMP_DEFAULT_WINDOW_DAYS * 86400;
    if (!is_word(tok(p, 1), "on"))
        return expected(p, tok(p, 1), "on");
    if (choose(p, 2, kinds, "outcome, purchase or event", &kind) != LIBDBM_OK)
        return p->status;
    if (kind == LIBDBM_CAMPAIGN_CONVERT_EVENT &&
        word(p, k++, "an event name", event, sizeof(event)) != LIBDBM_OK)
        return p->status;
    if (k < p->n_tokens) {
        if (!is_word(tok(p, k), "within"))
            return expected(p, tok(p, k), "within or end of line");
        if (duration(p, k + 1, &window) != LIBDBM_OK || no_more(p, k + 2) != LIBDBM_OK)
            return p->status;
        if (window % 86400 != 0)
            return expected(p, tok(p, k + 1), "a whole number of days");
    }
    return setter(p, 1, libdbm_campaign_set_conversion(p->campaign, kind, event,
                                                       (int32_t)(window / 86400)));
}

static int parse_simple(parser *p, const char *keyword)
{
    char buf[300];
    int choice;
    if (strcmp(keyword, "exit") == 0) {
        const char *expr;
        if (!is_word(tok(p, 1), "when"))
            return expected(p, tok(p, 1), "when");
        if ((expr = string_arg(p, 2, "a quoted segment expression")) == NULL ||
            no_more(p, 3) != LIBDBM_OK)
            return p->status;
        return setter(p, 2, libdbm_campaign_set_exit_segment(p->campaign, expr));
    }
    if (strcmp(keyword, "deadline") == 0) {
        const token *t = tok(p, 1);
        int64_t at;
        if (t != NULL && !t->quoted && t->len < sizeof(buf) && t->start[0] >= '0' &&
            t->start[0] <= '9') {
            memcpy(buf, t->start, t->len);
            buf[t->len] = '\0';
            if (libdbm_time_parse(&at, buf) != LIBDBM_OK)
                return expected(p, t, "a time such as 2026-03-23T00:00:00Z");
            if (no_more(p, 2) != LIBDBM_OK)
                return p->status;
            return setter(p, 1, libdbm_campaign_set_deadline_time(p->campaign, at));
        }
        if (t == NULL || t->quoted || t->len <= 5 || t->len - 5 >= sizeof(buf) ||
            memcmp(t->start, "attr.", 5) != 0)
            return expected(p, t, "attr.NAME or a time");
        if (no_more(p, 2) != LIBDBM_OK)
            return p->status;
        memcpy(buf, t->start + 5, t->len - 5);
        buf[t->len - 5] = '\0';
        return setter(p, 1, libdbm_campaign_set_deadline(p->campaign, buf));
    }
    if (strcmp(keyword, "catchup") == 0) {
        static const char *const rules[] = {"skip", "latest", "all", NULL};
        if (choose(p, 1, rules, "skip, latest or all", &choice) != LIBDBM_OK ||
            no_more(p, 2) != LIBDBM_OK)
            return p->status;
        return setter(p, 1, libdbm_campaign_set_catchup(p->campaign, choice));
    }
    /* timezone */
    if (word(p, 1, "a time zone name", buf, sizeof(buf)) != LIBDBM_OK || no_more(p, 2) != LIBDBM_OK)
        return p->status;
    return setter(p, 1, libdbm_campaign_set_timezone(p->campaign, buf));
}

static int parse_stage(parser *p)
{
    char name[80], channel[40], content[80];
    int class_index = 0;
    size_t k = 7;
    static const char *const classes[] = {"marketing", "transactional", NULL};
    if (word(p, 1, "a stage name", name, sizeof(name)) != LIBDBM_OK)
        return p->status;
    if (!is_word(tok(p, 2), "channel"))
        return expected(p, tok(p, 2), "channel");
    if (word(p, 3, "a channel name", channel, sizeof(channel)) != LIBDBM_OK)
        return p->status;
    if (!is_word(tok(p, 4), "content"))
        return expected(p, tok(p, 4), "content");
    if (word(p, 5, "a content key", content, sizeof(content)) != LIBDBM_OK)
        return p->status;
    if (p->n_tokens > 6) {
        if (!is_word(tok(p, 6), "class"))
            return expected(p, tok(p, 6), "class or end of line");
        if (choose(p, 7, classes, "marketing or transactional", &class_index) != LIBDBM_OK)
            return p->status;
        k = 8;
    } else {
        k = 6;
    }
    if (no_more(p, k) != LIBDBM_OK)
        return p->status;
    return setter(p, 1, libdbm_campaign_add_stage(p->campaign, NULL, name, channel, content,
                                                  class_index == 0 ? LIBDBM_MESSAGE_MARKETING
                                                                   : LIBDBM_MESSAGE_TRANSACTIONAL));
}

static int parse_at(parser *p, int32_t stage)
{
    const token *t = tok(p, 1);
    int anchor;
    int64_t offset = 0;
    char attr[80] = "";
    int negative = 0;
    if (t != NULL && !t->quoted && t->len < sizeof(attr) && t->start[0] >= '0' &&
        t->start[0] <= '9') {
        int64_t at;
        memcpy(attr, t->start, t->len);
        attr[t->len] = '\0';
        if (libdbm_time_parse(&at, attr) != LIBDBM_OK)
            return expected(p, t, "a time such as 2026-03-23T00:00:00Z");
        anchor = LIBDBM_CAMPAIGN_AT_TIME;
        attr[0] = '\0';
        if (p->n_tokens > 2) {
            if (!is_word(tok(p, 2), "-") && !is_word(tok(p, 2), "+"))
                return expected(p, tok(p, 2), "+, - or end of line");
            if (duration(p, 3, &offset) != LIBDBM_OK || no_more(p, 4) != LIBDBM_OK)
                return p->status;
            if (is_word(tok(p, 2), "-"))
                offset = -offset;
        }
        return setter(p, 1, libdbm_campaign_stage_set_timing(p->campaign, stage, anchor,
                                                             at + offset, NULL));
    }
    if (is_word(t, "entry"))
        anchor = LIBDBM_CAMPAIGN_AT_ENTRY;
    else if (is_word(t, "previous"))
        anchor = LIBDBM_CAMPAIGN_AT_PREVIOUS;
    else if (t != NULL && !t->quoted && t->len > 5 && t->len - 5 < sizeof(attr) &&
             memcmp(t->start, "attr.", 5) == 0) {
        anchor = LIBDBM_CAMPAIGN_AT_DATE;
        memcpy(attr, t->start + 5, t->len - 5);
        attr[t->len - 5] = '\0';
    } else {
        return expected(p, t, "entry, previous, attr.NAME or a time");
    }
    if (p->n_tokens > 2) {
        if (is_word(tok(p, 2), "-"))
            negative = 1;
        else if (!is_word(tok(p, 2), "+"))
            return expected(p, tok(p, 2), "+, - or end of line");
        if (duration(p, 3, &offset) != LIBDBM_OK || no_more(p, 4) != LIBDBM_OK)
            return p->status;
        if (negative && anchor != LIBDBM_CAMPAIGN_AT_DATE)
            return expected(p, tok(p, 2), "+ (only a date may be looked back from)");
    }
    return setter(p, 1, libdbm_campaign_stage_set_timing(p->campaign, stage, anchor,
                                                         negative ? -offset : offset,
                                                         anchor == LIBDBM_CAMPAIGN_AT_DATE ? attr : NULL));
}

static int clock_minutes(const char *s, int32_t *minutes)
{
    if (s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' ||
        s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -1;
    *minutes = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
    return *minutes > 1440 ? -1 : 0;
}

static int parse_window(parser *p, int32_t stage)
{
    const token *t = tok(p, 1);
    char buf[12];
    int32_t start, end;
    if (t == NULL || t->quoted || t->len != 11 || no_more(p, 2) != LIBDBM_OK)
        return p->status != LIBDBM_OK ? p->status : expected(p, t, "a window such as 09:00-18:00");
    memcpy(buf, t->start, 11);
    buf[11] = '\0';
    if (buf[5] != '-' || clock_minutes(buf, &start) != 0 || clock_minutes(buf + 6, &end) != 0)
        return expected(p, t, "a window such as 09:00-18:00");
    return setter(p, 1, libdbm_campaign_stage_set_window(p->campaign, stage, start, end));
}

static int parse_if(parser *p, int32_t stage)
{
    const char *expr = NULL;
    int kind;
    if (is_word(tok(p, 1), "segment")) {
        kind = LIBDBM_CAMPAIGN_IF_SEGMENT;
        if ((expr = string_arg(p, 2, "a quoted segment expression")) == NULL ||
            no_more(p, 3) != LIBDBM_OK)
            return p->status;
        return setter(p, 2, libdbm_campaign_stage_add_condition(p->campaign, stage, kind, expr));
    }
    if (is_word(tok(p, 1), "no_response")) {
        if (stage == 0)
            return expected(p, tok(p, 1), "a condition other than no_response on the first stage");
        kind = LIBDBM_CAMPAIGN_IF_NO_RESPONSE;
    } else if (is_word(tok(p, 1), "not_converted")) {
        kind = LIBDBM_CAMPAIGN_IF_NOT_CONVERTED;
    } else {
        return expected(p, tok(p, 1), "segment, no_response or not_converted");
    }
    if (no_more(p, 2) != LIBDBM_OK)
        return p->status;
    return setter(p, 1, libdbm_campaign_stage_add_condition(p->campaign, stage, kind, NULL));
}

static int parse_blocked(parser *p, int32_t stage)
{
    static const char *const modes[] = {"defer", "skip", "drop", NULL};
    int mode;
    if (choose(p, 1, modes, "defer, skip or drop", &mode) != LIBDBM_OK || no_more(p, 2) != LIBDBM_OK)
        return p->status;
    return setter(p, 1, libdbm_campaign_stage_set_on_blocked(p->campaign, stage, mode));
}

static int parse_statement(parser *p)
{
    const token *t = tok(p, 0);
    int32_t stage = (int32_t)p->campaign->n_stages - 1;
    if (is_word(t, "campaign"))
        return expected(p, t, "one campaign line only, at the top");
    if (is_word(t, "entry"))
        return parse_entry(p);
    if (is_word(t, "reentry"))
        return parse_reentry(p);
    if (is_word(t, "holdout"))
        return parse_holdout(p);
    if (is_word(t, "convert"))
        return parse_convert(p);
    if (is_word(t, "exit"))
        return parse_simple(p, "exit");
    if (is_word(t, "catchup"))
        return parse_simple(p, "catchup");
    if (is_word(t, "deadline"))
        return parse_simple(p, "deadline");
    if (is_word(t, "timezone"))
        return parse_simple(p, "timezone");
    if (is_word(t, "stage"))
        return parse_stage(p);
    if (is_word(t, "at") || is_word(t, "window") || is_word(t, "if") || is_word(t, "blocked")) {
        if (stage < 0)
            return expected(p, t, "a stage line before the stage's settings");
        if (is_word(t, "at"))
            return parse_at(p, stage);
        if (is_word(t, "window"))
            return parse_window(p, stage);
        if (is_word(t, "if"))
            return parse_if(p, stage);
        return parse_blocked(p, stage);
    }
    return expected(p, t, "a statement (entry, reentry, holdout, convert, exit, deadline, "
                          "catchup, timezone, stage, at, window, if, blocked)");
}

/* Moves to the next line; 0 at the end of the text. */
static int next_line(parser *p)
{
    if (*p->pos == '\0')
        return 0;
    if (p->line > 0) {
        p->pos++;               /* the '\n' */
        if (*p->pos == '\0')
            return 0;
    }
    p->line++;
    p->line_start = p->pos;
    return 1;
}

static int parse_text(parser *p)
{
    char name[80];
    while (p->status == LIBDBM_OK && next_line(p)) {
        if (tokenize(p) != LIBDBM_OK || p->n_tokens == 0)
            continue;
        if (p->campaign == NULL) {
            int status;
            if (!is_word(tok(p, 0), "campaign"))
                return expected(p, tok(p, 0), "campaign NAME first");
            if (word(p, 1, "a campaign name", name, sizeof(name)) != LIBDBM_OK ||
                no_more(p, 2) != LIBDBM_OK)
                return p->status;
            p->campaign_line = p->line;
            status = libdbm_campaign_new(&p->campaign, p->ctx, name);
            if (status != LIBDBM_OK)
                return setter(p, 1, status);
            continue;
        }
        parse_statement(p);
    }
    if (p->status != LIBDBM_OK)
        return p->status;
    if (p->campaign == NULL)
        return fail_at(p, LIBDBM_ESYNTAX, 1, "expected campaign NAME, found end of text");
    p->line = p->campaign_line;     /* what is missing is the campaign's */
    if (p->campaign->entry_kind == 0)
        return fail_at(p, LIBDBM_ESYNTAX, 1, "the campaign has no entry line");
    if (p->campaign->n_stages == 0)
        return fail_at(p, LIBDBM_ESYNTAX, 1, "the campaign has no stage");
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_parse(libdbm_campaign **out, libdbm_context *ctx, const char *text)
{
    parser p;
    int status;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL || text == NULL)
        return LIBDBM_EINVAL;
    memset(&p, 0, sizeof(p));
    p.ctx = ctx;
    p.pos = text;
    last_parse.ctx = ctx;
    last_parse.line = last_parse.column = 0;
    if (strnlen(text, MAX_TEXT_BYTES + 1) > MAX_TEXT_BYTES)
        return last_parse.code = dbmi_error(ctx, LIBDBM_ELIMIT,
                                            "campaign definition longer than 1 MiB");
    status = parse_text(&p);
    free_tokens(&p);
    last_parse.code = status;
    if (status != LIBDBM_OK) {
        libdbm_campaign_free(p.campaign);
        if (status == LIBDBM_ENOMEM)
            return dbmi_error_nomem(ctx, "campaign parse");
        last_parse.line = p.err_line;
        last_parse.column = p.err_column;
        return dbmi_error(ctx, status, "line %d, column %d: %s", (int)p.err_line,
                          (int)p.err_column, p.message);
    }
    *out = p.campaign;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_campaign_last_error(const libdbm_context *ctx, int32_t *line,
                                          int32_t *column)
{
    int known = ctx != NULL && last_parse.ctx == ctx;
    if (line != NULL)
        *line = known ? last_parse.line : 0;
    if (column != NULL)
        *column = known ? last_parse.column : 0;
    return known ? last_parse.code : LIBDBM_OK;
}
