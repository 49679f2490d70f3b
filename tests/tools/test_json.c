/* dbmtool's JSON reader (tools/dbmtool/json.c), which reads campaign
 * measurement exports for `dbmtool report`: every value type, escapes and
 * surrogate pairs, the number grammar of RFC 8259, and hostile input
 * (deep nesting, NUL bytes, bad UTF-8, trailing text) refused with the
 * line and column. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"

static dbmtool_json *parse_ok(const char *text)
{
    dbmtool_json *v = NULL;
    char error[200];
    if (dbmtool_json_parse(&v, text, strlen(text), error, sizeof(error)) != 0) {
        printf("'%s': %s\n", text, error);
        CHECK(0);
    }
    return v;
}

/* Expects @p len bytes of @p text to be refused with @p message at the
 * start of the error. */
static void expect_error(const char *text, size_t len, const char *message)
{
    dbmtool_json *v = (dbmtool_json *)&v;
    char error[200];
    CHECK(dbmtool_json_parse(&v, text, len, error, sizeof(error)) == -1);
    CHECK(v == NULL);
    if (strncmp(error, message, strlen(message)) != 0) {
        printf("'%.40s': got '%s', expected '%s'\n", text, error, message);
        CHECK(0);
    }
}

static void test_values(void)
{
    dbmtool_json *v = parse_ok(" {\"a\": [1, -2.5e2, 0.125, true, false, null, \"s\"],"
                               " \"b\": {}, \"a\": 3, \"c\": []}\n");
    const dbmtool_json *a = dbmtool_json_member(v, "a"), *e;
    CHECK(v->type == DBMTOOL_JSON_OBJECT);
    CHECK(a != NULL && a->type == DBMTOOL_JSON_ARRAY);
    e = a->child;
    CHECK(e->type == DBMTOOL_JSON_NUMBER && e->number == 1.0 && e->key == NULL);
    e = e->next;
    CHECK(e->type == DBMTOOL_JSON_NUMBER && e->number == -250.0);
    e = e->next;
    CHECK(e->number == 0.125);
    CHECK(e->next->type == DBMTOOL_JSON_TRUE);
    CHECK(e->next->next->type == DBMTOOL_JSON_FALSE);
    CHECK(e->next->next->next->type == DBMTOOL_JSON_NULL);
    e = e->next->next->next->next;
    CHECK(e->type == DBMTOOL_JSON_STRING && strcmp(e->string, "s") == 0 && e->next == NULL);
    CHECK(dbmtool_json_member(v, "b")->type == DBMTOOL_JSON_OBJECT);
    CHECK(dbmtool_json_member(v, "b")->child == NULL);
    CHECK(dbmtool_json_member(v, "c")->child == NULL);
    CHECK(dbmtool_json_member(v, "missing") == NULL);
    CHECK(dbmtool_json_member(a, "a") == NULL); /* not an object */
    dbmtool_json_free(v);
}

static void test_strings(void)
{
    /* escapes, a BMP character, a surrogate pair, raw UTF-8 */
    dbmtool_json *v = parse_ok("\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t \\u00e9\\u20AC \\ud83d\\ude00 "
                               "\xc3\xbc\"");
    CHECK(strcmp(v->string, "q\"b\\s/\b\f\n\r\t \xc3\xa9\xe2\x82\xac \xf0\x9f\x98\x80 "
                            "\xc3\xbc") == 0);
    dbmtool_json_free(v);
    v = parse_ok("{\"<k>\": \"\"}");
    CHECK(strcmp(v->child->key, "<k>") == 0 && v->child->string[0] == '\0');
    dbmtool_json_free(v);
}

static void test_numbers(void)
{
    dbmtool_json *v = parse_ok("[0, -0, 1e3, 1E-2, 2.5e+1, 123456789012]");
    const dbmtool_json *e = v->child;
    CHECK(e->number == 0.0);
    CHECK(e->next->number == 0.0 && signbit(e->next->number));
    CHECK(e->next->next->number == 1000.0);
    CHECK(fabs(e->next->next->next->number - 0.01) < 1e-15);
    CHECK(e->next->next->next->next->number == 25.0);
    CHECK(e->next->next->next->next->next->number == 123456789012.0);
    dbmtool_json_free(v);
    expect_error("01", 2, "line 1, column 1: bad number");
    expect_error("1.", 2, "line 1, column 1: bad number");
    expect_error("-", 1, "line 1, column 1: bad number");
    expect_error("1e", 2, "line 1, column 1: bad number");
    expect_error(".5", 2, "line 1, column 1: expected a value");
    expect_error("+1", 2, "line 1, column 1: expected a value");
    expect_error("1e999", 5, "line 1, column 1: number out of range");
}

static void test_errors(void)
{
    static const char nul[] = "[\"a\0b\"]";
    expect_error("", 0, "line 1, column 1: unexpected end of input");
    expect_error("{\"a\" 1}", 7, "line 1, column 6: expected ':'");
    expect_error("{\"a\": 1,}", 9, "line 1, column 9: expected a member name");
    expect_error("[1,\n 2\n x]", 10, "line 3, column 2: expected ',' or ']'");
    expect_error("[1] 2", 5, "line 1, column 5: unexpected text after the value");
    expect_error("\"abc", 4, "line 1, column 5: unterminated string");
    expect_error("\"a\\", 3, "line 1, column 4: unterminated string");
    expect_error("\"a\\x\"", 5, "line 1, column 3: bad escape");
    expect_error("\"a\tb\"", 5, "line 1, column 3: control character");
    expect_error("\"\\u12\"", 6, "line 1, column 2: \\u needs four hex digits");
    expect_error("\"\\u0000\"", 8, "line 1, column 2: \\u0000 is not allowed");
    expect_error("\"\\udc00\"", 8, "line 1, column 2: lone low surrogate");
    expect_error("\"\\ud800x\"", 9, "line 1, column 2: high surrogate without");
    expect_error("\"\\ud800\\u0041\"", 14, "line 1, column 2: high surrogate without");
    expect_error("\"\xc3(\"", 4, "line 1, column 5: string is not valid UTF-8");
    expect_error("\"\xed\xa0\x80\"", 5, "line 1, column 6: string is not valid UTF-8");
    expect_error(nul, sizeof(nul) - 1, "line 1, column 4: NUL byte");
    expect_error("tru", 3, "line 1, column 1: expected a value");
}

static void test_depth(void)
{
    char deep[2 * DBMTOOL_JSON_MAX_DEPTH + 3];
    size_t i, n = DBMTOOL_JSON_MAX_DEPTH;
    dbmtool_json *v;
    for (i = 0; i < n; i++) {
        deep[i] = '[';
        deep[2 * n - 1 - i] = ']';
    }
    deep[2 * n] = '\0';
    v = parse_ok(deep); /* exactly the limit */
    dbmtool_json_free(v);
    memmove(deep + 1, deep, 2 * n + 1);
    deep[0] = '[';
    deep[2 * n + 1] = ']';
    deep[2 * n + 2] = '\0';
    expect_error(deep, 2 * n + 2, "line 1, column 65: nested deeper than 64 levels");
}

/* A long flat array: siblings are freed in a loop, not by recursion. */
static void test_long_array(void)
{
    size_t n = 200000, i;
    char *text = malloc(2 * n + 2);
    dbmtool_json *v;
    CHECK(text != NULL);
    text[0] = '[';
    for (i = 0; i < n; i++) {
        text[1 + 2 * i] = '7';
        text[2 + 2 * i] = i + 1 < n ? ',' : ']';
    }
    text[2 * n + 1] = '\0';
    v = parse_ok(text);
    CHECK(v->child != NULL && v->child->number == 7.0);
    dbmtool_json_free(v);
    free(text);
}

int main(void)
{
    test_values();
    test_strings();
    test_numbers();
    test_errors();
    test_depth();
    test_long_array();
    puts("ok: json reader");
    return 0;
}
