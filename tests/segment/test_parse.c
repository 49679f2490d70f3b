/* The parser's table: valid expressions (which must also print and read
 * back to the same text) and invalid ones with the status, line, column and
 * a fragment of the message each must give. */
#include <stdio.h>
#include <string.h>

#include "check.h"

typedef struct parse_case {
    const char *expr;
    int code;
    int line, column;
    const char *fragment;
} parse_case;

#define OK_(e) {e, LIBDBM_OK, 0, 0, NULL}
#define BAD(e, l, c, f) {e, LIBDBM_ESYNTAX, l, c, f}

static const parse_case cases[] = {
    OK_("rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and consent.email "
        "and attr.country == \"BR\" and purchases(last 90d) >= 2 and not contacted(email, last 7d)"),
    OK_("p_alive > 0.8"),
    OK_("attr.country == \"BR\""),
    OK_("rfm.segment not in (\"Lost\")"),
    OK_("frequency between 2 and 5"),
    OK_("attr.age is null"),
    OK_("attr.age is not null"),
    OK_("consent.email"),
    OK_("address.sms.valid and not consent.sms"),
    OK_("verified_age(email) < 180d"),
    OK_("verified_age(sms) between 30d and 6mo"),
    OK_("purchases(last 90d) >= 2"),
    OK_("spend(last 1y) > 100.5"),
    OK_("spend(last 12w) >= 10"),
    OK_("contacted(email, last 7d)"),
    OK_("opened(push, last 30d) == 0"),
    OK_("event(\"cart_abandoned\", last 2d)"),
    OK_("event(\"cart_abandoned\", last 24h) or 1 < purchases(last 1y)"),
    OK_("last_purchase >= 2024-03-01"),
    OK_("first_purchase < 2024-03-01T10:00:00Z"),
    OK_("last_purchase > 2024-03-01T10:00+02:00"),
    OK_("attr.name == \"caf\\u00e9 \\\"x\\\" \\\\ \\n\\t \\uD83D\\uDE00 \xe2\x82\xac\""),
    OK_("recency_days <= 30 or (frequency > 3 and monetary > 50)"),
    OK_("not not consent.email"),
    OK_("true"),
    OK_("clv > -5 and clv < -0.25"),
    OK_("expected_purchases >= 1e3 and expected_spend < 2.5E-2"),
    OK_("consent.email\n  and p_alive > 0.5"),
    OK_("attr.signup >= 2020-01-01 and attr.vip == true and attr.score between 0.5 and 2"),
    OK_("(purchases(last 24h))"),
    OK_("(consent.email == true) != (p_alive > 0.5)"),
    OK_("rfm.r >= 4 and rfm.f in (4, 5) and rfm.m != 1"),
    OK_("attr.plan.tier == \"gold\""),

    BAD("", 1, 1, "expected an expression, found end of input"),
    BAD("   ", 1, 4, "found end of input"),
    BAD("\"abc", 1, 5, "expected '\"' to end the string started at line 1, column 1, found end of input"),
    BAD("attr.x == \"ab\\qc\"", 1, 14, "found '\\q'"),
    BAD("attr.x == \"\\u12\"", 1, 16, "expected 4 hexadecimal digits"),
    BAD("attr.x == \"\\uD800\"", 1, 12, "expected a low surrogate"),
    BAD("attr.x == \"\\uDC00\"", 1, 12, "a lone surrogate"),
    BAD("attr.x == \"\\u0000\"", 1, 12, "NUL is not allowed"),
    BAD("attr.x == \"\xff\"", 1, 12, "expected UTF-8 text, found byte 0xFF"),
    BAD("attr.x == \"\xc3\xa9\" and \xe9", 1, 19, "found byte 0xE9"),
    BAD("attr.x == \"\xed\xa0\x80\"", 1, 12, "expected UTF-8 text"),
    BAD("attr.x == \"\xc3\xa9\xc3\xa9\xc3\xa9\" and ?", 1, 21, "found '?'"),
    BAD("attr.x == \"a\nb\"", 1, 13, "found end of line"),
    BAD("consent.email\n\tand \"x", 2, 8, "found end of input"),
    BAD("consent.email and\n  p_alive >", 2, 12, "found end of input"),
    BAD("purchases(last 90x)", 1, 16, "expected a duration (a whole number then h, d, w, mo or y"),
    BAD("purchases(last 90days)", 1, 16, "found '90days'"),
    BAD("purchases(last 90)", 1, 16, "expected a duration (as in last 90d), found '90'"),
    BAD("purchases(last -5d)", 1, 16, "found '-5d'"),
    BAD("purchases(last 1.5d)", 1, 16, "expected a duration"),
    BAD("purchases(last 99999999999999y)", 1, 16, "at most 100000 years"),
    BAD("purchases(90d)", 1, 11, "expected 'last' and a duration (as in last 90d), found '90d'"),
    BAD("purchases(\"x\")", 1, 11, "expected 'last' and a duration (as in last 90d), found a string"),
    BAD("purchases(last 90d", 1, 19, "expected ')', found end of input"),
    BAD("verified_age(email, last 2d)", 1, 19, "expected ')', found ','"),
    BAD("frequency between 1", 1, 20, "expected 'and' in 'between ... and ...', found end of input"),
    BAD("frequency between 1 or 5", 1, 21, "found 'or'"),
    BAD("frequency between 1 and \"x\"", 1, 25, "expected an integer as a 'between' bound, found a string"),
    BAD("consent.email between 1 and 2", 1, 1, "before 'between', found a boolean"),
    BAD("p_alive > 0.8 foo", 1, 15, "expected 'and', 'or' or end of input, found 'foo'"),
    BAD("p_alive > 0.8)", 1, 14, "found ')'"),
    BAD("1 == 1 == 1", 1, 8, "expected 'and', 'or' or end of input, found '=='"),
    BAD("(p_alive > 0.8", 1, 15, "expected ')', 'and' or 'or', found end of input"),
    BAD("((p_alive > 1)", 1, 15, "expected ')', 'and' or 'or'"),
    BAD("foo(1)", 1, 1, "expected a function (purchases, spend"),
    BAD("purchase(last 90d)", 1, 1, "found 'purchase'"),
    BAD("foo.bar == 1", 1, 1, "expected a field (attr.NAME"),
    BAD("bogus > 1", 1, 1, "found 'bogus'"),
    BAD("attr. == 1", 1, 1, "expected a field"),
    BAD("consent.Email", 1, 1, "expected a channel name"),
    BAD("attr.country == 1 and", 1, 22, "expected a field, function call, literal or '(', found end of input"),
    BAD("frequency == \"x\"", 1, 14, "expected an integer (the type of the left-hand side), found a string"),
    BAD("rfm.segment < \"A\"", 1, 1, "expected == or != to compare strings"),
    BAD("consent.email > false", 1, 1, "expected == or != to compare booleans"),
    BAD("frequency", 1, 1, "expected a condition (a comparison, a boolean field or a count), found an integer"),
    BAD("p_alive > 0.8 and 5", 1, 19, "found an integer"),
    BAD("\"abc\"", 1, 1, "found a string"),
    BAD("frequency in (\"a\")", 1, 15, "expected an integer in the list, found a string"),
    BAD("rfm.segment in (1)", 1, 17, "expected a string in the list, found an integer"),
    BAD("frequency in 1", 1, 14, "expected '(' to start a list"),
    BAD("frequency in ()", 1, 15, "expected a string, number or date in the list, found ')'"),
    BAD("frequency in (1,", 1, 17, "found end of input"),
    BAD("frequency in (1 2)", 1, 17, "expected ',' or ')' in the list, found '2'"),
    BAD("consent.email in (1)", 1, 1, "expected a string, number or date before 'in'"),
    BAD("attr.a == attr.b", 1, 11, "expected a literal or typed field to compare an attribute with"),
    BAD("attr.a == 5d", 1, 1, "expected an operand of known type"),
    BAD("contacted(EMAIL, last 7d)", 1, 11, "expected a channel name"),
    BAD("contacted(email last 7d)", 1, 17, "expected ',', found 'last'"),
    BAD("event(cart, last 2d)", 1, 7, "expected an event name string"),
    BAD("event(\"\", last 2d)", 1, 7, "expected an event name string"),
    BAD("last_purchase > 2024-13-01", 1, 17, "no such day"),
    BAD("last_purchase > 2024-02-30", 1, 17, "no such day"),
    BAD("last_purchase > 2023-02-29", 1, 17, "no such day"),
    BAD("last_purchase > 2024-03-01T25:00:00Z", 1, 17, "no such time of day"),
    BAD("last_purchase > 2024-03-01T10:00:00", 1, 17, "needs 'Z' or a UTC offset"),
    BAD("last_purchase > 2024-3-1", 1, 17, "malformed date"),
    BAD("frequency > 99999999999999999999", 1, 13, "expected an integer between -2^63 and 2^63-1"),
    BAD("p_alive > 1e999", 1, 11, "expected a finite decimal number"),
    BAD("frequency = 1", 1, 11, "expected an operator (== != < <= > >=), found '='"),
    BAD("not", 1, 4, "found end of input"),
    BAD("p_alive is 5", 1, 12, "expected 'null' after 'is', found '5'"),
    BAD("p_alive not 5", 1, 13, "expected 'in' after 'not'"),
    BAD("5 is null", 1, 1, "expected a field before 'is null', found a literal"),
    BAD("and", 1, 1, "found 'and'"),
    BAD("segment(vip)", 1, 9, "expected a segment name string"),
    BAD("verified_age(email) < 5", 1, 23, "expected a duration (the type of the left-hand side), found an integer"),
    BAD("recency_days < 30d", 1, 16, "found a duration"),
    BAD("p_alive >= 0.5 or", 1, 18, "found end of input"),
    BAD("@", 1, 1, "found '@'"),
    {"segment(\"vip\")", LIBDBM_ENOTFOUND, 1, 9, "expected a segment defined in the registry, found \"vip\""},
};

/* Decimals of every magnitude print and read back stably. */
static size_t decimal_round_trips(libdbm_context *ctx)
{
    uint64_t x = 0x1234567;
    size_t i, failures = 0;
    for (i = 0; i < 20000; i++) {
        char expr[96];
        char *text = NULL, *again = NULL;
        libdbm_segment *seg = NULL, *back = NULL;
        double d;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(&d, &x, sizeof(d));
        if (!(d - d == 0.0))
            continue;
        snprintf(expr, sizeof(expr), "p_alive > %.*g", (int)(i % 20) + 1, d);
        if (libdbm_segment_compile(&seg, ctx, expr) != LIBDBM_OK) {
            if (strstr(libdbm_context_errmsg(ctx), "finite decimal") == NULL &&
                strstr(libdbm_context_errmsg(ctx), "an integer between") == NULL) {
                printf("[%s]: %s\n", expr, libdbm_context_errmsg(ctx));
                failures++;
            }
            continue;
        }
        CHECK_OK(libdbm_segment_to_string(seg, &text));
        CHECK_OK(libdbm_segment_compile(&back, ctx, text));
        CHECK_OK(libdbm_segment_to_string(back, &again));
        if (strcmp(text, again) != 0) {
            printf("[%s]: printed [%s] then [%s]\n", expr, text, again);
            failures++;
        }
        libdbm_free_string(text);
        libdbm_free_string(again);
        libdbm_segment_free(seg);
        libdbm_segment_free(back);
    }
    return failures;
}

int main(void)
{
    libdbm_context *ctx;
    size_t i, failures = 0, valid = 0, invalid = 0;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const parse_case *c = &cases[i];
        libdbm_segment *seg = NULL;
        int32_t line = -1, column = -1;
        int status = libdbm_segment_compile(&seg, ctx, c->expr);
        int got = libdbm_segment_last_error(ctx, &line, &column);
        if (status != c->code || got != status) {
            printf("case %zu [%s]: status %d (last_error %d), expected %d: %s\n", i, c->expr,
                   status, got, c->code, libdbm_context_errmsg(ctx));
            failures++;
        } else if (c->code != LIBDBM_OK) {
            char prefix[64];
            const char *msg = libdbm_context_errmsg(ctx);
            invalid++;
            snprintf(prefix, sizeof(prefix), "line %d, column %d: ", c->line, c->column);
            if (line != c->line || column != c->column ||
                strncmp(msg, prefix, strlen(prefix)) != 0 || strstr(msg, c->fragment) == NULL) {
                printf("case %zu [%s]: got %d:%d \"%s\", expected %d:%d with \"%s\"\n", i, c->expr,
                       line, column, msg, c->line, c->column, c->fragment);
                failures++;
            }
            CHECK(seg == NULL);
        } else {
            char *text = NULL, *again = NULL;
            libdbm_segment *back = NULL;
            valid++;
            CHECK(line == 0 && column == 0);
            CHECK_OK(libdbm_segment_to_string(seg, &text));
            if (libdbm_segment_compile(&back, ctx, text) != LIBDBM_OK) {
                printf("case %zu: printed text [%s] does not compile: %s\n", i, text,
                       libdbm_context_errmsg(ctx));
                failures++;
            } else {
                CHECK_OK(libdbm_segment_to_string(back, &again));
                if (strcmp(text, again) != 0) {
                    printf("case %zu: print is not stable: [%s] then [%s]\n", i, text, again);
                    failures++;
                }
            }
            libdbm_free_string(text);
            libdbm_free_string(again);
            libdbm_segment_free(back);
            libdbm_segment_free(seg);
        }
    }
    failures += decimal_round_trips(ctx);
    libdbm_context_free(ctx);
    printf("segment-parse: %zu valid, %zu invalid cases, %zu failures\n", valid, invalid, failures);
    return failures == 0 ? 0 : 1;
}
