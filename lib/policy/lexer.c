/* Tokens of the policy text format (docs/policy.md, "Lexical rules").
 * Lines matter (one rule per line); '#' starts a comment. Positions are
 * 1-based lines and columns counted in code points. */
#include <stdio.h>
#include <string.h>

#include "policy_text.h"

const char *const dbmi_pol_outcome_names[10] = {
    "", "sent", "delivered", "opened", "clicked", "responded",
    "converted", "bounced", "unsubscribed", "failed"
};

const char *const dbmi_pol_weekday_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

void dbmi_pol_lexer_init(dbmi_pol_lexer *lx, const char *text, size_t len)
{
    memset(lx, 0, sizeof(*lx));
    lx->p = text;
    lx->end = text + len;
    lx->line = 1;
    lx->column = 1;
}

/* Moves one byte forward; continuation bytes of UTF-8 take no column. */
static void advance(dbmi_pol_lexer *lx)
{
    unsigned char c = (unsigned char)*lx->p++;
    if (c == '\n') {
        lx->line++;
        lx->column = 1;
    } else if ((c & 0xC0) != 0x80) {
        lx->column++;
    }
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_word_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_word_char(char c)
{
    return is_word_start(c) || is_digit(c) || c == '.' || c == '-';
}

static void skip_blanks_and_comments(dbmi_pol_lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == ' ' || c == '\t' || c == '\r') {
            advance(lx);
        } else if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                advance(lx);
        } else {
            break;
        }
    }
}

/* Digits, then an optional unit (duration) or ":MM" (clock). */
static int lex_number(dbmi_pol_lexer *lx, dbmi_pol_tok *tok)
{
    int64_t v = 0;
    while (lx->p < lx->end && is_digit(*lx->p)) {
        if (v > 100000000)
            return dbmi_seg_fail(&lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                                 "expected a number of at most 9 digits, found a longer one");
        v = v * 10 + (*lx->p - '0');
        advance(lx);
    }
    tok->kind = DBMI_PTOK_INT;
    if (lx->p < lx->end && *lx->p == ':') {
        int64_t minutes = 0;
        int digits = 0;
        advance(lx);
        for (; lx->p < lx->end && is_digit(*lx->p) && digits < 3; digits++) {
            minutes = minutes * 10 + (*lx->p - '0');
            advance(lx);
        }
        if (digits != 2 || v > 23 || minutes > 59 || (tok->len = (size_t)(lx->p - tok->text)) != 5)
            return dbmi_seg_fail(&lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                                 "expected a time of day HH:MM (00:00 to 23:59)");
        tok->kind = DBMI_PTOK_CLOCK;
        v = v * 60 + minutes;
    } else if (lx->p < lx->end && *lx->p != '\0' && strchr("mhdw", *lx->p) != NULL) {
        static const int64_t unit[] = { 60, 3600, 86400, 604800 };
        v *= unit[strchr("mhdw", *lx->p) - "mhdw"];
        advance(lx);
        tok->kind = DBMI_PTOK_DURATION;
    }
    if (lx->p < lx->end && (is_word_start(*lx->p) || is_digit(*lx->p) || *lx->p == '.'))
        return dbmi_seg_fail(&lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                             "expected a number, a duration (7d, 12h, 30m, 2w) or HH:MM");
    tok->value = v;
    return LIBDBM_OK;
}

static int lex_string(dbmi_pol_lexer *lx, dbmi_pol_tok *tok)
{
    advance(lx);
    tok->text = lx->p;
    while (lx->p < lx->end && *lx->p != '"') {
        if (*lx->p == '\n' || *lx->p == '\\')
            return dbmi_seg_fail(&lx->err, LIBDBM_ESYNTAX, lx->line, lx->column,
                                 "expected '\"' closing the string (strings hold no escapes "
                                 "or line breaks)");
        advance(lx);
    }
    if (lx->p >= lx->end)
        return dbmi_seg_fail(&lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                             "expected '\"' closing the string, found end of input");
    tok->len = (size_t)(lx->p - tok->text);
    advance(lx);
    tok->kind = DBMI_PTOK_STRING;
    return LIBDBM_OK;
}

int dbmi_pol_lexer_next(dbmi_pol_lexer *lx, dbmi_pol_tok *tok)
{
    char c;
    skip_blanks_and_comments(lx);
    memset(tok, 0, sizeof(*tok));
    tok->text = lx->p;
    tok->line = lx->line;
    tok->column = lx->column;
    if (lx->p >= lx->end) {
        tok->kind = DBMI_PTOK_EOF;
        return LIBDBM_OK;
    }
    c = *lx->p;
    if (is_digit(c)) {
        int status = lex_number(lx, tok);
        tok->len = (size_t)(lx->p - tok->text);
        return status;
    }
    if (c == '"')
        return lex_string(lx, tok);
    if (is_word_start(c)) {
        while (lx->p < lx->end && is_word_char(*lx->p))
            advance(lx);
        tok->kind = DBMI_PTOK_WORD;
        tok->len = (size_t)(lx->p - tok->text);
        return LIBDBM_OK;
    }
    advance(lx);
    tok->len = 1;
    switch (c) {
    case '\n': tok->kind = DBMI_PTOK_NEWLINE; return LIBDBM_OK;
    case '{': tok->kind = DBMI_PTOK_LBRACE; return LIBDBM_OK;
    case '}': tok->kind = DBMI_PTOK_RBRACE; return LIBDBM_OK;
    case '-': tok->kind = DBMI_PTOK_DASH; return LIBDBM_OK;
    default:
        return dbmi_seg_fail(&lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                             "expected a word, a number or a string, found '%c'",
                             (unsigned char)c >= 0x20 && (unsigned char)c < 0x7F ? c : '?');
    }
}

void dbmi_pol_lexer_rest_of_line(dbmi_pol_lexer *lx, const char **text, size_t *len,
                                 int32_t *column)
{
    while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
        advance(lx);
    *text = lx->p;
    *column = lx->column;
    while (lx->p < lx->end && *lx->p != '\n')
        advance(lx);
    *len = (size_t)(lx->p - *text);
}

void dbmi_pol_describe(const dbmi_pol_tok *tok, char *buf, size_t size)
{
    switch (tok->kind) {
    case DBMI_PTOK_EOF: snprintf(buf, size, "end of input"); break;
    case DBMI_PTOK_NEWLINE: snprintf(buf, size, "end of line"); break;
    case DBMI_PTOK_STRING: snprintf(buf, size, "a string"); break;
    default:
        snprintf(buf, size, "'%.*s'", (int)(tok->len > 40 ? 40 : tok->len), tok->text);
        break;
    }
}
