/* Lexer of the segment language: UTF-8 check, positions in code points,
 * strings with escapes, numbers, ISO-8601 dates and times, durations. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "civil_time.h"
#include "context_private.h"
#include "lexer.h"

const char *const dbmi_seg_dur_units[5] = {"h", "d", "w", "mo", "y"};

int dbmi_seg_fail(dbmi_seg_error *err, int code, int32_t line, int32_t column,
                  const char *fmt, ...)
{
    va_list ap;
    if (err->code != LIBDBM_OK)
        return err->code;
    err->code = code;
    err->line = line;
    err->column = column;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

/* Length of the UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_length(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n, i;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1Fu; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0Fu; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07u; }
    else return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

int dbmi_seg_lexer_init(dbmi_seg_lexer *lx, libdbm_context *ctx, const char *text,
                        size_t len, dbmi_seg_error *err)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    int32_t line = 1, column = 1;
    memset(lx, 0, sizeof(*lx));
    lx->ctx = ctx;
    lx->err = err;
    while (p < end) {
        size_t n = utf8_length(p, end);
        if (n == 0 || *p == 0)
            return dbmi_seg_fail(err, LIBDBM_ESYNTAX, line, column,
                                 "expected UTF-8 text, found byte 0x%02X", *p);
        if (*p == '\n') { line++; column = 1; } else column++;
        p += n;
    }
    lx->src = lx->p = text;
    lx->end = text + len;
    lx->line = 1;
    lx->column = 1;
    return LIBDBM_OK;
}

void dbmi_seg_lexer_fini(dbmi_seg_lexer *lx)
{
    dbmi_free(lx->ctx, lx->buf);
    lx->buf = NULL;
}

/* Advances one byte, keeping the position (the text is valid UTF-8). */
static void advance(dbmi_seg_lexer *lx)
{
    unsigned char c = (unsigned char)*lx->p++;
    if (c == '\n') {
        lx->line++;
        lx->column = 1;
    } else if ((c & 0xC0) != 0x80) {
        lx->column++;
    }
}

static int peek(const dbmi_seg_lexer *lx, size_t ahead)
{
    return (size_t)(lx->end - lx->p) > ahead ? (unsigned char)lx->p[ahead] : -1;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_name_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_name_char(int c) { return is_name_start(c) || is_digit(c); }

static int put_byte(dbmi_seg_lexer *lx, size_t *len, char c)
{
    if (*len + 1 >= lx->buf_cap) {
        void *buf = lx->buf;
        int status = dbmi_grow_array(lx->ctx, &buf, &lx->buf_cap, *len + 2, 1);
        if (status != LIBDBM_OK)
            return dbmi_seg_fail(lx->err, status, 0, 0, "out of memory");
        lx->buf = buf;
    }
    lx->buf[(*len)++] = c;
    lx->buf[*len] = '\0';
    return LIBDBM_OK;
}

static int put_code_point(dbmi_seg_lexer *lx, size_t *len, uint32_t cp)
{
    char b[4];
    size_t n, i;
    if (cp < 0x80) { b[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    for (i = 0; i < n; i++) {
        int status = put_byte(lx, len, b[i]);
        if (status != LIBDBM_OK)
            return status;
    }
    return LIBDBM_OK;
}

/* Reads the XXXX of \uXXXX at lx->p. */
static int read_hex4(dbmi_seg_lexer *lx, uint32_t *out)
{
    uint32_t v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        int c = peek(lx, 0);
        uint32_t d;
        if (c >= '0' && c <= '9') d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (uint32_t)(c - 'A' + 10);
        else
            return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, lx->line, lx->column,
                                 "expected 4 hexadecimal digits after \\u, found %s",
                                 c < 0 ? "end of input" : "another character");
        v = v * 16 + d;
        advance(lx);
    }
    *out = v;
    return LIBDBM_OK;
}

static int lex_string(dbmi_seg_lexer *lx, dbmi_seg_token_t *tok)
{
    size_t len = 0;
    int status = put_byte(lx, &len, 0);
    if (status != LIBDBM_OK)
        return status;
    len = 0;
    advance(lx); /* the opening quote */
    for (;;) {
        int c = peek(lx, 0);
        if (c < 0 || c == '\n' || c == '\r')
            return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, lx->line, lx->column,
                                 "expected '\"' to end the string started at line %d, "
                                 "column %d, found %s", (int)tok->line, (int)tok->column,
                                 c < 0 ? "end of input" : "end of line");
        if (c == '"') {
            advance(lx);
            break;
        }
        if (c < 0x20)
            return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, lx->line, lx->column,
                                 "expected a printable character in a string, found "
                                 "control character 0x%02X (write it as \\u00%02X)", c, c);
        if (c == '\\') {
            int32_t eline = lx->line, ecol = lx->column;
            int e = peek(lx, 1);
            uint32_t cp;
            advance(lx);
            if (e == '"' || e == '\\') { advance(lx); status = put_byte(lx, &len, (char)e); }
            else if (e == 'n') { advance(lx); status = put_byte(lx, &len, '\n'); }
            else if (e == 't') { advance(lx); status = put_byte(lx, &len, '\t'); }
            else if (e == 'u') {
                advance(lx);
                status = read_hex4(lx, &cp);
                if (status != LIBDBM_OK)
                    return status;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (peek(lx, 0) != '\\' || peek(lx, 1) != 'u')
                        return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, eline, ecol,
                                             "expected a low surrogate \\uDC00-\\uDFFF "
                                             "after \\u%04X, found none", (unsigned)cp);
                    advance(lx);
                    advance(lx);
                    status = read_hex4(lx, &lo);
                    if (status != LIBDBM_OK)
                        return status;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, eline, ecol,
                                             "expected a low surrogate \\uDC00-\\uDFFF "
                                             "after \\u%04X, found \\u%04X",
                                             (unsigned)cp, (unsigned)lo);
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
                    return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, eline, ecol,
                                         "expected a character escape, found \\u%04X "
                                         "(%s)", (unsigned)cp,
                                         cp == 0 ? "NUL is not allowed" : "a lone surrogate");
                }
                status = put_code_point(lx, &len, cp);
            } else {
                if (e < 0)
                    return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, eline, ecol,
                                         "expected an escape (\\\" \\\\ \\n \\t \\uXXXX), "
                                         "found end of input");
                return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, eline, ecol,
                                     "expected an escape (\\\" \\\\ \\n \\t \\uXXXX), found "
                                     "'\\%c'", e < 0x20 || e > 0x7E ? '?' : e);
            }
        } else {
            advance(lx);
            status = put_byte(lx, &len, (char)c);
        }
        if (status != LIBDBM_OK)
            return status;
    }
    tok->kind = DBMI_TOK_STRING;
    tok->str = lx->buf;
    tok->str_len = len;
    return LIBDBM_OK;
}

/* Reads exactly n digits into *out; -1 when they are not there. */
static int fixed_digits(const char *p, const char *end, int n, int *out)
{
    int v = 0, i;
    if (end - p < n)
        return -1;
    for (i = 0; i < n; i++) {
        if (!is_digit((unsigned char)p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

static int lex_time(dbmi_seg_lexer *lx, dbmi_seg_token_t *tok)
{
    const char *p = lx->p, *end = lx->end;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, off = 0;
    size_t n = 10, i;
    int64_t t;
#define TIME_FAIL(what) \
    dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, tok->line, tok->column, \
                  "expected an ISO-8601 date or time (2024-03-01, " \
                  "2024-03-01T10:00:00Z), found '%.*s' (%s)", (int)n, p, what)
    fixed_digits(p, end, 4, &year);
    if (end - p < 10)
        n = (size_t)(end - p);
    if (end - p < 10 || fixed_digits(p + 5, end, 2, &month) || p[7] != '-' ||
        fixed_digits(p + 8, end, 2, &day))
        return TIME_FAIL("malformed date");
    if (month < 1 || month > 12 || day < 1 || day > dbmi_days_in_month(year, month))
        return TIME_FAIL("no such day");
    if (end - p > 10 && p[10] == 'T') {
        n = 16;
        if (fixed_digits(p + 11, end, 2, &hour) || end - p < 16 || p[13] != ':' ||
            fixed_digits(p + 14, end, 2, &minute))
            return TIME_FAIL("malformed time of day");
        if (end - p > 16 && p[16] == ':') {
            n = 19;
            if (fixed_digits(p + 17, end, 2, &second))
                return TIME_FAIL("malformed seconds");
        }
        if (hour > 23 || minute > 59 || second > 59)
            return TIME_FAIL("no such time of day");
        if (n < (size_t)(end - p) && p[n] == 'Z') {
            n++;
        } else if (n < (size_t)(end - p) && (p[n] == '+' || p[n] == '-')) {
            int oh, om, sign = p[n] == '-' ? -1 : 1;
            if (fixed_digits(p + n + 1, end, 2, &oh) || end - p < (ptrdiff_t)n + 6 ||
                p[n + 3] != ':' || fixed_digits(p + n + 4, end, 2, &om) || oh > 23 || om > 59) {
                n += 1;
                return TIME_FAIL("malformed UTC offset");
            }
            off = sign * (oh * 3600 + om * 60);
            n += 6;
        } else {
            return TIME_FAIL("a time needs 'Z' or a UTC offset such as +02:00");
        }
    }
    if (n < (size_t)(end - p) && is_name_char((unsigned char)p[n])) {
        n++;
        return TIME_FAIL("unexpected character after it");
    }
    t = dbmi_days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - off;
    for (i = 0; i < n; i++)
        advance(lx);
    tok->kind = DBMI_TOK_TIME;
    tok->value.i = t;
    return LIBDBM_OK;
#undef TIME_FAIL
}

int dbmi_seg_parse_decimal(const char *s, size_t len, double *out)
{
    /* Up to 19 significant digits in an integer, then one scaling by a
     * power of ten: exact (correctly rounded) when the digits fit in 53
     * bits and the power is at most 10^22, within an ulp otherwise. The
     * lexer then settles on a value that prints and reads back to itself
     * (see dbmi_seg_canonical_decimal), so printing is stable. */
    uint64_t m = 0;
    size_t i = 0;
    int neg = 0, exp = 0, exp_sign = 1, any = 0, digits = 0, scale10 = 0;
    long double v;
    if (i < len && s[i] == '-') { neg = 1; i++; }
    for (; i < len && is_digit((unsigned char)s[i]); i++, any = 1) {
        if (m == 0 && s[i] == '0')
            continue;
        if (digits < 19) { m = m * 10 + (uint64_t)(s[i] - '0'); digits++; }
        else scale10++;
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && is_digit((unsigned char)s[i]); i++, any = 1) {
            if (m == 0 && s[i] == '0') { scale10--; continue; }
            if (digits < 19) { m = m * 10 + (uint64_t)(s[i] - '0'); digits++; scale10--; }
        }
    }
    if (!any)
        return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) { exp_sign = s[i] == '-' ? -1 : 1; i++; }
        if (i >= len || !is_digit((unsigned char)s[i]))
            return -1;
        for (; i < len && is_digit((unsigned char)s[i]); i++)
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
    }
    if (i != len)
        return -1;
    exp = exp_sign * exp + scale10;
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    if (exp < -400 || exp > 400) {
        if (exp > 0)
            return -1;
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    if (m <= (UINT64_C(1) << 53) && exp >= -22 && exp <= 22) {
        static const double p10[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                       1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
                                       1e20, 1e21, 1e22};
        double d = exp < 0 ? (double)m / p10[-exp] : (double)m * p10[exp];
        *out = neg ? -d : d;
        return 0;
    }
    {
        long double p = 1.0L, base = 10.0L;
        int e = exp < 0 ? -exp : exp;
        while (e > 0) {
            if (e & 1)
                p *= base;
            base *= base;
            e >>= 1;
        }
        v = exp < 0 ? (long double)m / p : (long double)m * p;
    }
    {
        double d = (double)v;
        if (!(d - d == 0.0))
            return -1; /* overflow to infinity */
        *out = neg ? -d : d;
    }
    return 0;
}

double dbmi_seg_canonical_decimal(double d)
{
    int k;
    for (k = 0; k < 8; k++) {
        char text[48];
        double back;
        dbmi_seg_format_decimal(d, text, sizeof(text));
        if (dbmi_seg_parse_decimal(text, strlen(text), &back) != 0 || back == d)
            break;
        d = back;
    }
    return d;
}

static int lex_number(dbmi_seg_lexer *lx, dbmi_seg_token_t *tok)
{
    const char *p = lx->p, *end = lx->end, *q = p;
    int neg = 0, is_dec = 0;
    size_t n, i;
    if (*q == '-') { neg = 1; q++; }
    while (q < end && is_digit((unsigned char)*q))
        q++;
    if (!neg && q - p == 4 && q < end && *q == '-')
        return lex_time(lx, tok);
    if (q < end && *q == '.' && q + 1 < end && is_digit((unsigned char)q[1])) {
        is_dec = 1;
        for (q++; q < end && is_digit((unsigned char)*q); q++) {}
    }
    if (q < end && (*q == 'e' || *q == 'E') && q + 1 < end &&
        (is_digit((unsigned char)q[1]) ||
         ((q[1] == '+' || q[1] == '-') && q + 2 < end && is_digit((unsigned char)q[2])))) {
        is_dec = 1;
        q += 2;
        while (q < end && is_digit((unsigned char)*q))
            q++;
    }
    n = (size_t)(q - p);
    if (q < end && is_name_start((unsigned char)*q)) {
        /* a duration: integer then unit */
        const char *u = q;
        size_t ulen, k;
        while (q < end && is_name_char((unsigned char)*q))
            q++;
        ulen = (size_t)(q - u);
        for (k = 0; k < 5; k++)
            if (strlen(dbmi_seg_dur_units[k]) == ulen && memcmp(u, dbmi_seg_dur_units[k], ulen) == 0)
                break;
        if (k == 5 || is_dec || neg) {
            return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                                 "expected a duration (a whole number then h, d, w, mo or y, "
                                 "as in 90d), found '%.*s'", (int)(q - p > 40 ? 40 : q - p), p);
        }
        {
            int64_t count = 0;
            static const int64_t unit_seconds[5] = {3600, 86400, 7 * 86400, 0, 0};
            for (i = 0; i < n; i++) {
                if (count > (INT64_C(1) << 40) / 10)
                    return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                                         "expected a duration of at most 100000 years, "
                                         "found '%.*s'", (int)(q - p > 40 ? 40 : q - p), p);
                count = count * 10 + (p[i] - '0');
            }
            tok->value.dur.months = 0;
            tok->value.dur.seconds = 0;
            if (k < 3) {
                if (count > INT64_C(3155760000000) / unit_seconds[k])
                    count = -1;
                else
                    tok->value.dur.seconds = count * unit_seconds[k];
            } else {
                int64_t months = k == 3 ? count : count * 12;
                if (months > 1200000)
                    count = -1;
                else
                    tok->value.dur.months = (int32_t)months;
            }
            if (count < 0)
                return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                                     "expected a duration of at most 100000 years, found '%.*s'",
                                     (int)(q - p > 40 ? 40 : q - p), p);
            tok->dur_unit = (uint8_t)k;
            tok->kind = DBMI_TOK_DUR;
            n = (size_t)(q - p);
        }
    } else if (is_dec) {
        if (dbmi_seg_parse_decimal(p, n, &tok->value.d) != 0)
            return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                                 "expected a finite decimal number, found '%.*s'",
                                 (int)(n > 40 ? 40 : n), p);
        tok->value.d = dbmi_seg_canonical_decimal(tok->value.d);
        tok->kind = DBMI_TOK_DEC;
    } else {
        uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (i = (size_t)neg; i < n; i++) {
            unsigned d = (unsigned)(p[i] - '0');
            if (v > (limit - d) / 10)
                return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, tok->line, tok->column,
                                     "expected an integer between -2^63 and 2^63-1, found '%.*s'",
                                     (int)(n > 40 ? 40 : n), p);
            v = v * 10 + d;
        }
        tok->kind = DBMI_TOK_INT;
        tok->value.i = neg ? (int64_t)(0 - v) : (int64_t)v;
    }
    for (i = 0; i < n; i++)
        advance(lx);
    return LIBDBM_OK;
}

int dbmi_seg_lexer_next(dbmi_seg_lexer *lx, dbmi_seg_token_t *tok)
{
    int c;
    for (;;) {
        c = peek(lx, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            advance(lx);
        else
            break;
    }
    memset(tok, 0, sizeof(*tok));
    tok->text = lx->p;
    tok->line = lx->line;
    tok->column = lx->column;
    if (c < 0) {
        tok->kind = DBMI_TOK_EOF;
        return LIBDBM_OK;
    }
    if (c == '"') {
        int status = lex_string(lx, tok);
        tok->len = (size_t)(lx->p - tok->text);
        return status;
    }
    if (is_digit(c) || (c == '-' && is_digit(peek(lx, 1)))) {
        int status = lex_number(lx, tok);
        tok->len = (size_t)(lx->p - tok->text);
        return status;
    }
    if (is_name_start(c)) {
        for (;;) {
            while (is_name_char(peek(lx, 0)))
                advance(lx);
            if (peek(lx, 0) == '.' && is_name_start(peek(lx, 1)))
                advance(lx);
            else
                break;
        }
        tok->kind = DBMI_TOK_NAME;
        tok->len = (size_t)(lx->p - tok->text);
        return LIBDBM_OK;
    }
    tok->len = 1;
    switch (c) {
    case '(': tok->kind = DBMI_TOK_LPAREN; break;
    case ')': tok->kind = DBMI_TOK_RPAREN; break;
    case ',': tok->kind = DBMI_TOK_COMMA; break;
    case '=': case '!': case '<': case '>': {
        int c2 = peek(lx, 1);
        tok->kind = DBMI_TOK_CMP;
        if (c2 == '=') {
            tok->len = 2;
            tok->value.i = c == '=' ? DBMI_SEG_EQ : c == '!' ? DBMI_SEG_NE
                         : c == '<' ? DBMI_SEG_LE : DBMI_SEG_GE;
        } else if (c == '<' || c == '>') {
            tok->value.i = c == '<' ? DBMI_SEG_LT : DBMI_SEG_GT;
        } else {
            return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, lx->line, lx->column,
                                 "expected an operator (== != < <= > >=), found '%c'", c);
        }
        break;
    }
    default: {
        size_t n = 1;
        while (lx->p + n < lx->end && ((unsigned char)lx->p[n] & 0xC0) == 0x80)
            n++;
        return dbmi_seg_fail(lx->err, LIBDBM_ESYNTAX, lx->line, lx->column,
                             "expected a name, literal, operator or parenthesis, found '%.*s'",
                             (int)n, lx->p);
    }
    }
    advance(lx);
    if (tok->len == 2)
        advance(lx);
    return LIBDBM_OK;
}

void dbmi_seg_describe(const dbmi_seg_token_t *tok, char *buf, size_t size)
{
    switch (tok->kind) {
    case DBMI_TOK_EOF: snprintf(buf, size, "end of input"); break;
    case DBMI_TOK_STRING: snprintf(buf, size, "a string"); break;
    default: {
        int n = tok->len > 40 ? 40 : (int)tok->len;
        snprintf(buf, size, "'%.*s%s'", n, tok->text, tok->len > 40 ? "..." : "");
    }
    }
}
