/* The policy text format (docs/policy.md): its lexer, the words it shares
 * between the parser and the printer, and the printing helpers used by
 * the canonical text and by explain. */
#ifndef LIBDBM_POLICY_POLICY_TEXT_H
#define LIBDBM_POLICY_POLICY_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "bytes.h"
#include "policy_impl.h"

/* Indexed by LIBDBM_OUTCOME_* (index 0 unused). */
extern const char *const dbmi_pol_outcome_names[10];
/* Indexed by weekday, 0 = Sunday: "sun" .. "sat". */
extern const char *const dbmi_pol_weekday_names[7];

/* Appends formatted text of at most 639 bytes. */
void dbmi_pol_printf(dbmi_buf *buf, const char *fmt, ...) DBMI_PRINTF(2, 3);
void dbmi_pol_puts(dbmi_buf *buf, const char *text);
/* One rule in the text syntax, without a newline. */
void dbmi_pol_print_cap(dbmi_buf *buf, const dbmi_pol_cap *c);
void dbmi_pol_print_gap(dbmi_buf *buf, const dbmi_pol_gap *g);
void dbmi_pol_print_fatigue(dbmi_buf *buf, const dbmi_pol_fatigue *f);

/* ---- Lexer (lexer.c) ------------------------------------------------ */

enum dbmi_pol_token {
    DBMI_PTOK_EOF,
    DBMI_PTOK_NEWLINE,
    DBMI_PTOK_WORD,         /* [A-Za-z_][A-Za-z0-9_.-]* */
    DBMI_PTOK_INT,          /* digits */
    DBMI_PTOK_DURATION,     /* digits followed by m, h, d or w */
    DBMI_PTOK_CLOCK,        /* HH:MM */
    DBMI_PTOK_STRING,       /* "..." without escapes */
    DBMI_PTOK_LBRACE,
    DBMI_PTOK_RBRACE,
    DBMI_PTOK_DASH
};

typedef struct dbmi_pol_tok {
    int kind;
    const char *text;       /* the token in the input (STRING: without quotes) */
    size_t len;
    int64_t value;          /* INT; DURATION in seconds; CLOCK in minutes */
    int32_t line, column;
} dbmi_pol_tok;

typedef struct dbmi_pol_lexer {
    const char *p, *end;
    int32_t line, column;
    dbmi_seg_error err;         /* the first error (dbmi_seg_fail records it) */
} dbmi_pol_lexer;

void dbmi_pol_lexer_init(dbmi_pol_lexer *lx, const char *text, size_t len);
/* Reads the next token; LIBDBM_ESYNTAX (in lx->err) on a bad one. */
int dbmi_pol_lexer_next(dbmi_pol_lexer *lx, dbmi_pol_tok *tok);
/* The raw rest of the current line after blanks (comments included: the
 * caller splits them off), leaving the newline unread. */
void dbmi_pol_lexer_rest_of_line(dbmi_pol_lexer *lx, const char **text, size_t *len,
                                 int32_t *column);
/* "'word'", "a number", "end of line", ... for "found ..." messages. */
void dbmi_pol_describe(const dbmi_pol_tok *tok, char *buf, size_t size);

#endif
