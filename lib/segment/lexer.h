/* The tokens of the segment language (docs/segments.md, "Lexical
 * structure"). Positions are 1-based lines and columns in code points. */
#ifndef LIBDBM_SEGMENT_LEXER_H
#define LIBDBM_SEGMENT_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"

enum dbmi_seg_token {
    DBMI_TOK_EOF,
    DBMI_TOK_NAME,      /* word or dotted name: and, attr.country, rfm.segment */
    DBMI_TOK_STRING,
    DBMI_TOK_INT,
    DBMI_TOK_DEC,
    DBMI_TOK_TIME,      /* 2024-03-01, 2024-03-01T10:00:00Z */
    DBMI_TOK_DUR,       /* 90d */
    DBMI_TOK_LPAREN,
    DBMI_TOK_RPAREN,
    DBMI_TOK_COMMA,
    DBMI_TOK_CMP        /* == != < <= > >=, op in value.i */
};

typedef struct dbmi_seg_token_t {
    int kind;
    const char *text;           /* the token in the input */
    size_t len;
    int32_t line, column;
    const char *str;            /* DBMI_TOK_STRING: decoded bytes (lexer's buffer) */
    size_t str_len;
    uint8_t dur_unit;           /* DBMI_TOK_DUR: index into dbmi_seg_dur_units */
    union {
        int64_t i;
        double d;
        dbmi_seg_duration dur;
    } value;
} dbmi_seg_token_t;

typedef struct dbmi_seg_lexer {
    libdbm_context *ctx;
    const char *src, *end, *p;
    int32_t line, column;
    char *buf;                  /* decoded string of the current token */
    size_t buf_cap;
    dbmi_seg_error *err;
} dbmi_seg_lexer;

/* Duration units in the order of dur_unit: "h", "d", "w", "mo", "y". */
extern const char *const dbmi_seg_dur_units[5];

/* Checks that the text is UTF-8 and prepares to read it. */
int dbmi_seg_lexer_init(dbmi_seg_lexer *lx, libdbm_context *ctx, const char *text,
                        size_t len, dbmi_seg_error *err);
void dbmi_seg_lexer_fini(dbmi_seg_lexer *lx);
/* Reads the next token; on error fills lx->err and returns its code. */
int dbmi_seg_lexer_next(dbmi_seg_lexer *lx, dbmi_seg_token_t *tok);

/* Describes a token for "found ..." ("'foo'", "end of input", "a string"). */
void dbmi_seg_describe(const dbmi_seg_token_t *tok, char *buf, size_t size);

#endif
