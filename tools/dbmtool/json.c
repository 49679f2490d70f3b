#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"

typedef struct json_parser {
    const char *start, *p, *end;
    int depth;
    char *error;
    size_t error_size;
} json_parser;

/* Records the first error with the line and column of the current position
 * (columns count bytes, from 1); returns NULL for `return fail(...)`. */
static dbmtool_json *fail(json_parser *ps, const char *fmt, ...)
{
    const char *q;
    long line = 1, column = 1;
    size_t used;
    va_list ap;
    for (q = ps->start; q < ps->p; q++) {
        if (*q == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    snprintf(ps->error, ps->error_size, "line %ld, column %ld: ", line, column);
    used = strlen(ps->error);
    va_start(ap, fmt);
    vsnprintf(ps->error + used, ps->error_size - used, fmt, ap);
    va_end(ap);
    return NULL;
}

static void skip_space(json_parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static dbmtool_json *new_value(json_parser *ps, int type)
{
    dbmtool_json *v = calloc(1, sizeof(*v));
    if (v == NULL)
        return fail(ps, "out of memory");
    v->type = type;
    return v;
}

static int literal(json_parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return 0;
        v = v * 16 + d;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads the \uXXXX escape at ps->p (after the backslash and 'u'), joining
 * a surrogate pair; returns the code point, or 0 on error (NUL is refused)
 * with the error pointing at the backslash. */
static unsigned unicode_escape(json_parser *ps)
{
    unsigned hi, lo;
    const char *problem = NULL, *backslash = ps->p - 2;
    if (ps->end - ps->p < 4 || !hex4(ps->p, &hi)) {
        ps->p = backslash;
        fail(ps, "\\u needs four hex digits");
        return 0;
    }
    ps->p += 4;
    if (hi == 0)
        problem = "\\u0000 is not allowed in a string";
    else if (hi >= 0xDC00 && hi <= 0xDFFF)
        problem = "lone low surrogate";
    else if (hi < 0xD800 || hi > 0xDBFF)
        return hi;
    else if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
             !hex4(ps->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
        problem = "high surrogate without its low half";
    if (problem != NULL) {
        ps->p = backslash;
        fail(ps, "%s", problem);
        return 0;
    }
    ps->p += 6;
    return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

/* Parses the string at ps->p (the opening quote) into a new buffer; the
 * decoded text is never longer than the source. */
static char *parse_string(json_parser *ps)
{
    const char *begin = ++ps->p;
    char *out, *w;
    while (ps->p < ps->end && *ps->p != '"')
        ps->p += (*ps->p == '\\' && ps->p + 1 < ps->end) ? 2 : 1;
    if (ps->p >= ps->end)
        return (char *)fail(ps, "unterminated string");
    out = malloc((size_t)(ps->p - begin) + 1);
    if (out == NULL)
        return (char *)fail(ps, "out of memory");
    ps->p = begin;
    for (w = out; *ps->p != '"';) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) {
            ps->p--;
            free(out);
            return (char *)fail(ps, "control character in a string");
        }
        if (c != '\\') {
            *w++ = (char)c;
            continue;
        }
        c = (unsigned char)*ps->p++;
        switch (c) {
        case '"': case '\\': case '/': *w++ = (char)c; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            unsigned cp = unicode_escape(ps);
            if (cp == 0) {
                free(out);
                return NULL;
            }
            w += put_utf8(w, cp);
            break;
        }
        default:
            ps->p -= 2;
            free(out);
            return (char *)fail(ps, "bad escape '\\%c'", c);
        }
    }
    ps->p++;
    *w = '\0';
    if (!dbmtool_utf8_valid(out, (size_t)(w - out))) {
        free(out);
        return (char *)fail(ps, "string is not valid UTF-8");
    }
    return out;
}

static size_t span(const char *p, const char *end, const char *set)
{
    size_t n = 0;
    while (p + n < end && strchr(set, p[n]) != NULL && p[n] != '\0')
        n++;
    return n;
}

/* RFC 8259's number grammar, checked before strtod sees the text. */
static dbmtool_json *parse_number(json_parser *ps)
{
    const char *begin = ps->p, *q = ps->p;
    char buf[64];
    size_t digits;
    dbmtool_json *v;
    if (q < ps->end && *q == '-')
        q++;
    digits = span(q, ps->end, "0123456789");
    if (digits == 0 || (digits > 1 && *q == '0'))
        return fail(ps, "bad number");
    q += digits;
    if (q < ps->end && *q == '.') {
        if ((digits = span(++q, ps->end, "0123456789")) == 0)
            return fail(ps, "bad number: no digits after '.'");
        q += digits;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        q += span(q, ps->end, "+-") == 0 ? 0 : 1;
        if ((digits = span(q, ps->end, "0123456789")) == 0)
            return fail(ps, "bad number: no digits in the exponent");
        q += digits;
    }
    if ((size_t)(q - begin) >= sizeof(buf))
        return fail(ps, "number too long");
    memcpy(buf, begin, (size_t)(q - begin));
    buf[q - begin] = '\0';
    if ((v = new_value(ps, DBMTOOL_JSON_NUMBER)) == NULL)
        return NULL;
    errno = 0;
    v->number = strtod(buf, NULL);
    if (errno == ERANGE && isinf(v->number)) {
        free(v);
        return fail(ps, "number out of range");
    }
    ps->p = q;
    return v;
}

static dbmtool_json *parse_value(json_parser *ps);

/* Parses the elements (or members, when @p object) of a container whose
 * opening bracket is at ps->p, appending them to @p parent. */
static dbmtool_json *parse_container(json_parser *ps, int object)
{
    const char close = object ? '}' : ']';
    dbmtool_json *parent, **tail;
    if (++ps->depth > DBMTOOL_JSON_MAX_DEPTH)
        return fail(ps, "nested deeper than %d levels", DBMTOOL_JSON_MAX_DEPTH);
    if ((parent = new_value(ps, object ? DBMTOOL_JSON_OBJECT : DBMTOOL_JSON_ARRAY)) == NULL)
        return NULL;
    tail = &parent->child;
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return parent;
    }
    for (;;) {
        char *key = NULL;
        dbmtool_json *item;
        skip_space(ps);
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"')
                goto bad_member;
            if ((key = parse_string(ps)) == NULL)
                goto failed;
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                fail(ps, "expected ':' after a member name");
                goto failed;
            }
            ps->p++;
        }
        if ((item = parse_value(ps)) == NULL) {
            free(key);
            goto failed;
        }
        item->key = key;
        *tail = item;
        tail = &item->next;
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            ps->depth--;
            return parent;
        }
        fail(ps, "expected ',' or '%c'", close);
        goto failed;
    }
bad_member:
    fail(ps, "expected a member name in double quotes");
failed:
    dbmtool_json_free(parent);
    return NULL;
}

static dbmtool_json *parse_value(json_parser *ps)
{
    dbmtool_json *v;
    skip_space(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of input");
    switch (*ps->p) {
    case '{':
        return parse_container(ps, 1);
    case '[':
        return parse_container(ps, 0);
    case '"': {
        char *s = parse_string(ps);
        if (s == NULL || (v = new_value(ps, DBMTOOL_JSON_STRING)) == NULL) {
            free(s);
            return NULL;
        }
        v->string = s;
        return v;
    }
    default:
        break;
    }
    if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
        return parse_number(ps);
    if (literal(ps, "true"))
        return new_value(ps, DBMTOOL_JSON_TRUE);
    if (literal(ps, "false"))
        return new_value(ps, DBMTOOL_JSON_FALSE);
    if (literal(ps, "null"))
        return new_value(ps, DBMTOOL_JSON_NULL);
    return fail(ps, "expected a value");
}

/* Parses one value, or with @p many a sequence of values separated by
 * white space, gathered into an array. */
static int parse_document(dbmtool_json **out, const char *text, size_t len, char *error,
                          size_t error_size, int many)
{
    json_parser ps = { text, text, text + len, 0, error, error_size };
    dbmtool_json *root = NULL, **tail = NULL;
    *out = NULL;
    if (error_size > 0)
        error[0] = '\0';
    if (memchr(text, '\0', len) != NULL) {
        ps.p = memchr(text, '\0', len);
        fail(&ps, "NUL byte in the input");
        return -1;
    }
    if (many) {
        if ((root = new_value(&ps, DBMTOOL_JSON_ARRAY)) == NULL)
            return -1;
        tail = &root->child;
    }
    do {
        dbmtool_json *value = parse_value(&ps);
        if (value == NULL) {
            dbmtool_json_free(root);
            return -1;
        }
        if (many) {
            *tail = value;
            tail = &value->next;
        } else {
            root = value;
        }
        skip_space(&ps);
    } while (many && ps.p != ps.end);
    if (ps.p != ps.end) {
        fail(&ps, "unexpected text after the value");
        dbmtool_json_free(root);
        return -1;
    }
    *out = root;
    return 0;
}

int dbmtool_json_parse(dbmtool_json **out, const char *text, size_t len, char *error,
                       size_t error_size)
{
    return parse_document(out, text, len, error, error_size, 0);
}

int dbmtool_json_parse_many(dbmtool_json **out, const char *text, size_t len, char *error,
                            size_t error_size)
{
    return parse_document(out, text, len, error, error_size, 1);
}

void dbmtool_json_free(dbmtool_json *value)
{
    while (value != NULL) {
        dbmtool_json *next = value->next;
        dbmtool_json_free(value->child); /* depth is bounded by the parser */
        free(value->string);
        free(value->key);
        free(value);
        value = next;
    }
}

const dbmtool_json *dbmtool_json_member(const dbmtool_json *object, const char *key)
{
    const dbmtool_json *m;
    if (object == NULL || object->type != DBMTOOL_JSON_OBJECT)
        return NULL;
    for (m = object->child; m != NULL; m = m->next)
        if (strcmp(m->key, key) == 0)
            return m;
    return NULL;
}
