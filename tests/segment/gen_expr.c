#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_expr.h"

uint64_t gen_next(gen_state *g)
{
    uint64_t x = (g->rng += UINT64_C(0x9E3779B97F4A7C15));
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static unsigned pick(gen_state *g, unsigned n) { return (unsigned)(gen_next(g) % n); }

static void emit(gen_state *g, const char *fmt, ...)
{
    va_list ap;
    int n;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
        va_end(ap);
        if ((size_t)n < g->cap - g->len)
            break;
        g->cap = g->cap * 2 + (size_t)n + 64;
        g->buf = realloc(g->buf, g->cap);
        if (g->buf == NULL)
            abort();
    }
    g->len += (size_t)n;
}

#define PICK(g, arr) (arr)[pick((g), sizeof(arr) / sizeof((arr)[0]))]

static const char *const num_fields[] = {
    "recency_days", "frequency", "monetary", "rfm.r", "rfm.f", "rfm.m", "p_alive", "clv",
    "expected_purchases", "expected_spend", "attr.age", "attr.score"};
static const char *const num_lits[] = {"-1", "0", "1", "2", "3", "5", "10", "0.5", "0.8", "2.5",
                                       "1e2", "-1.5", "0.25", "100.0"};
static const char *const str_fields[] = {"rfm.segment", "attr.country"};
static const char *const str_lits[] = {
    "\"Champions\"", "\"Loyal Customers\"", "\"At Risk\"", "\"Lost\"", "\"BR\"", "\"US\"",
    "\"DE\"", "\"nope\"", "\"caf\\u00e9 \\\"q\\\"\"", "\"\""};
static const char *const bool_fields[] = {
    "consent.email", "consent.sms", "consent.fax", "address.email.valid", "address.push.valid",
    "attr.vip", "attr.missing"};
static const char *const time_fields[] = {"first_purchase", "last_purchase", "attr.signup"};
static const char *const time_lits[] = {"2024-06-01", "2024-12-15T12:00:00Z", "2024-01-01",
                                        "2024-11-30T18:30:00-03:00", "2025-01-01"};
static const char *const durations[] = {"1d", "30d", "12w", "6mo", "1y", "24h", "90d", "2y"};
static const char *const channels[] = {"email", "sms", "push", "fax"};
static const char *const events[] = {"cart_abandoned", "signup", "visit", "other"};
static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};

static void gen_behaviour(gen_state *g)
{
    switch (pick(g, 5)) {
    case 0: emit(g, "purchases(last %s)", PICK(g, durations)); break;
    case 1: emit(g, "spend(last %s)", PICK(g, durations)); break;
    case 2: emit(g, "contacted(%s, last %s)", PICK(g, channels), PICK(g, durations)); break;
    case 3: emit(g, "opened(%s, last %s)", PICK(g, channels), PICK(g, durations)); break;
    default: emit(g, "event(\"%s\", last %s)", PICK(g, events), PICK(g, durations)); break;
    }
}

static void gen_cond(gen_state *g, int depth);

static void gen_leaf(gen_state *g, int depth)
{
    switch (pick(g, 17)) {
    case 0: emit(g, "%s %s %s", PICK(g, num_fields), PICK(g, ops), PICK(g, num_lits)); break;
    case 1: emit(g, "%s %s %s", PICK(g, num_lits), PICK(g, ops), PICK(g, num_fields)); break;
    case 2: /* attr.* against attr.* has no type to infer: one side is fixed */
        emit(g, "%s %s %s", PICK(g, num_fields), PICK(g, ops),
             num_fields[pick(g, sizeof(num_fields) / sizeof(num_fields[0]) - 2)]);
        break;
    case 3: emit(g, "%s %s %s", PICK(g, str_fields), pick(g, 2) ? "==" : "!=", PICK(g, str_lits)); break;
    case 4: {
        unsigned n = 1 + pick(g, 3), i;
        emit(g, "%s %s (", PICK(g, str_fields), pick(g, 2) ? "in" : "not in");
        for (i = 0; i < n; i++)
            emit(g, "%s%s", i ? ", " : "", PICK(g, str_lits));
        emit(g, ")");
        break;
    }
    case 5: {
        unsigned n = 1 + pick(g, 3), i;
        emit(g, "%s %s (", PICK(g, num_fields), pick(g, 2) ? "in" : "not in");
        for (i = 0; i < n; i++)
            emit(g, "%s%s", i ? ", " : "", PICK(g, num_lits));
        emit(g, ")");
        break;
    }
    case 6:
        if (pick(g, 2))
            emit(g, "%s", PICK(g, bool_fields));
        else
            emit(g, "%s %s %s", PICK(g, bool_fields), pick(g, 2) ? "==" : "!=", pick(g, 2) ? "true" : "false");
        break;
    case 7: emit(g, "%s between %s and %s", PICK(g, num_fields), PICK(g, num_lits), PICK(g, num_lits)); break;
    case 8: {
        static const char *const any[] = {"p_alive", "attr.age", "attr.country", "attr.missing",
                                          "consent.email", "verified_age(sms)", "last_purchase",
                                          "rfm.segment"};
        emit(g, "%s %s", PICK(g, any), pick(g, 2) ? "is null" : "is not null");
        break;
    }
    case 9: emit(g, "%s %s %s", PICK(g, time_fields), PICK(g, ops), PICK(g, time_lits)); break;
    case 10: emit(g, "%s between %s and %s", PICK(g, time_fields), PICK(g, time_lits), PICK(g, time_lits)); break;
    case 11:
        if (pick(g, 3))
            emit(g, "verified_age(%s) %s %s", PICK(g, channels), PICK(g, ops), PICK(g, durations));
        else
            emit(g, "verified_age(%s) between %s and %s", PICK(g, channels), PICK(g, durations),
                 PICK(g, durations));
        break;
    case 12:
        gen_behaviour(g);
        break;
    case 13:
        gen_behaviour(g);
        emit(g, " %s %s", PICK(g, ops), PICK(g, num_lits));
        break;
    case 14:
        if (g->nrefs > 0)
            emit(g, "segment(\"r%u\")", pick(g, (unsigned)g->nrefs));
        else
            emit(g, "%s", pick(g, 2) ? "true" : "false");
        break;
    case 15:
        /* attributes read with another type than they hold are null */
        emit(g, "%s", pick(g, 2) ? "attr.age == \"BR\"" : "attr.country > 3");
        break;
    default:
        if (depth < g->max_depth) {
            emit(g, "(");
            gen_cond(g, depth + 1);
            emit(g, ") %s %s", pick(g, 2) ? "==" : "!=", pick(g, 2) ? "true" : "false");
        } else {
            emit(g, "%s", pick(g, 2) ? "true" : "false");
        }
        break;
    }
}

static void gen_cond(gen_state *g, int depth)
{
    unsigned r = depth >= g->max_depth ? 9 : pick(g, 10);
    if (r < 3) {
        unsigned n = 2 + pick(g, 3), i;
        const char *word = r == 0 ? " or " : " and ";
        for (i = 0; i < n; i++) {
            int paren = pick(g, 3) == 0;
            if (i)
                emit(g, "%s", word);
            emit(g, "%s", paren ? "(" : "");
            gen_cond(g, depth + 1);
            emit(g, "%s", paren ? ")" : "");
        }
    } else if (r < 5) {
        emit(g, "not ");
        if (pick(g, 2)) {
            emit(g, "(");
            gen_cond(g, depth + 1);
            emit(g, ")");
        } else {
            gen_leaf(g, depth + 1);
        }
    } else {
        gen_leaf(g, depth);
    }
}

void gen_expression(gen_state *g)
{
    g->len = 0;
    if (g->cap == 0) {
        g->cap = 256;
        g->buf = malloc(g->cap);
        if (g->buf == NULL)
            abort();
    }
    g->buf[0] = '\0';
    gen_cond(g, 0);
}
