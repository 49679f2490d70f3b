/* Recursive-descent parser of the segment language (docs/segments.md has
 * the grammar). Recursion happens only through parentheses and `not`, each
 * counted against DBMI_SEG_MAX_DEPTH; `and`/`or` chains are n-ary nodes
 * built iteratively. */
#include <string.h>

#include "context_private.h"
#include "lexer.h"
#include "limits.h"
#include "registry.h"

typedef struct parser {
    libdbm_context *ctx;
    dbmi_seg_lexer lx;
    dbmi_seg_token_t tok;       /* current token */
    dbmi_seg_error *err;
    libdbm_segment *seg;
    size_t nodes_cap, kids_cap, strings_cap, refs_cap;
    uint32_t *stack;            /* children being collected */
    size_t stack_len, stack_cap;
    const libdbm_segment_registry *registry;
    uint32_t depth;
} parser;

static int nomem(parser *p)
{
    return dbmi_seg_fail(p->err, LIBDBM_ENOMEM, 0, 0, "out of memory");
}

static int next(parser *p)
{
    return dbmi_seg_lexer_next(&p->lx, &p->tok);
}

static int is_word(const dbmi_seg_token_t *t, const char *w)
{
    return t->kind == DBMI_TOK_NAME && t->len == strlen(w) && memcmp(t->text, w, t->len) == 0;
}

static int expected(parser *p, const char *what)
{
    char found[64];
    dbmi_seg_describe(&p->tok, found, sizeof(found));
    return dbmi_seg_fail(p->err, LIBDBM_ESYNTAX, p->tok.line, p->tok.column,
                         "expected %s, found %s", what, found);
}

static int new_node(parser *p, int kind, const dbmi_seg_token_t *at, uint32_t *out)
{
    libdbm_segment *seg = p->seg;
    dbmi_seg_node *n;
    if (seg->nnodes >= DBMI_SEG_MAX_NODES)
        return dbmi_seg_fail(p->err, LIBDBM_ELIMIT, at->line, at->column,
                             "expected at most %u nodes in an expression, found more",
                             DBMI_SEG_MAX_NODES);
    if (seg->nnodes + 1 > p->nodes_cap) {
        void *a = seg->nodes;
        if (dbmi_grow_array(p->ctx, &a, &p->nodes_cap, seg->nnodes + 1, sizeof(*n)) != LIBDBM_OK)
            return nomem(p);
        seg->nodes = a;
    }
    n = &seg->nodes[seg->nnodes];
    memset(n, 0, sizeof(*n));
    n->kind = (uint8_t)kind;
    n->line = at->line;
    n->column = at->column;
    *out = seg->nnodes++;
    return LIBDBM_OK;
}

static int push(parser *p, uint32_t idx)
{
    if (p->stack_len + 1 > p->stack_cap) {
        void *a = p->stack;
        if (dbmi_grow_array(p->ctx, &a, &p->stack_cap, p->stack_len + 1, sizeof(uint32_t)) != LIBDBM_OK)
            return nomem(p);
        p->stack = a;
    }
    p->stack[p->stack_len++] = idx;
    return LIBDBM_OK;
}

/* Moves the top @p count stacked children to node @p idx. */
static int adopt(parser *p, uint32_t idx, size_t count)
{
    libdbm_segment *seg = p->seg;
    size_t i;
    if (seg->nkids + count > p->kids_cap) {
        void *a = seg->kids;
        if (dbmi_grow_array(p->ctx, &a, &p->kids_cap, seg->nkids + count, sizeof(uint32_t)) != LIBDBM_OK)
            return nomem(p);
        seg->kids = a;
    }
    seg->nodes[idx].first_child = seg->nkids;
    seg->nodes[idx].nchildren = (uint32_t)count;
    for (i = 0; i < count; i++)
        seg->kids[seg->nkids++] = p->stack[p->stack_len - count + i];
    p->stack_len -= count;
    return LIBDBM_OK;
}

static int add_string(parser *p, uint32_t idx, const char *s, size_t len)
{
    libdbm_segment *seg = p->seg;
    size_t need;
    if (dbmi_size_add(seg->strings_len, len + 1, &need))
        return nomem(p);
    if (need > p->strings_cap) {
        void *a = seg->strings;
        if (dbmi_grow_array(p->ctx, &a, &p->strings_cap, need, 1) != LIBDBM_OK)
            return nomem(p);
        seg->strings = a;
    }
    memcpy(seg->strings + seg->strings_len, s, len);
    seg->strings[seg->strings_len + len] = '\0';
    seg->nodes[idx].str_off = (uint32_t)seg->strings_len;
    seg->nodes[idx].str_len = (uint32_t)len;
    seg->strings_len = need;
    return LIBDBM_OK;
}

static int enter(parser *p)
{
    if (++p->depth > DBMI_SEG_MAX_DEPTH)
        return dbmi_seg_fail(p->err, LIBDBM_ELIMIT, p->tok.line, p->tok.column,
                             "expected at most %u levels of nesting, found more",
                             DBMI_SEG_MAX_DEPTH);
    if (p->depth > p->seg->depth)
        p->seg->depth = p->depth;
    return LIBDBM_OK;
}

static int parse_or(parser *p, uint32_t *out);

static int is_channel(const char *s, size_t len)
{
    size_t i;
    if (len < 1 || len > 32)
        return 0;
    for (i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int is_event_name(const char *s, size_t len)
{
    size_t i;
    if (len < 1 || len > 64)
        return 0;
    for (i = 0; i < len; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
        if (!ok)
            return 0;
    }
    return 1;
}

static int expect_kind(parser *p, int kind, const char *what)
{
    if (p->tok.kind != kind)
        return expected(p, what);
    return next(p);
}

/* `last DURATION` */
static int parse_window(parser *p, uint32_t idx)
{
    int status;
    if (!is_word(&p->tok, "last"))
        return expected(p, "'last' and a duration (as in last 90d)");
    if ((status = next(p)) != LIBDBM_OK)
        return status;
    if (p->tok.kind != DBMI_TOK_DUR)
        return expected(p, "a duration (as in last 90d)");
    p->seg->nodes[idx].v.dur = p->tok.value.dur;
    p->seg->nodes[idx].dur_unit = p->tok.dur_unit;
    return next(p);
}

static int parse_channel(parser *p, uint32_t idx)
{
    int status;
    if (p->tok.kind != DBMI_TOK_NAME || !is_channel(p->tok.text, p->tok.len))
        return expected(p, "a channel name ([a-z0-9_]{1,32}, as in email)");
    if ((status = add_string(p, idx, p->tok.text, p->tok.len)) != LIBDBM_OK)
        return status;
    return next(p);
}

static int add_ref(parser *p, uint32_t idx, const dbmi_seg_token_t *at)
{
    libdbm_segment *seg = p->seg;
    const char *name = dbmi_seg_str(seg, &seg->nodes[idx]);
    libdbm_segment *target = p->registry ? dbmi_seg_registry_lookup(p->registry, name) : NULL;
    uint32_t i;
    if (target == NULL)
        return dbmi_seg_fail(p->err, LIBDBM_ENOTFOUND, at->line, at->column,
                             "expected a segment defined in the registry, found \"%.64s\"%s",
                             name, p->registry ? "" : " (compiled without a registry)");
    if (p->depth + target->depth > DBMI_SEG_MAX_DEPTH)
        return dbmi_seg_fail(p->err, LIBDBM_ELIMIT, at->line, at->column,
                             "expected at most %u levels of nesting including referenced "
                             "segments, found more", DBMI_SEG_MAX_DEPTH);
    if (p->depth + target->depth > seg->depth)
        seg->depth = p->depth + target->depth;
    for (i = 0; i < seg->nrefs; i++)
        if (seg->refs[i] == target && strcmp(seg->ref_names[i], name) == 0)
            break;
    if (i == seg->nrefs) {
        char *copy;
        if (seg->nrefs + 1 > p->refs_cap) {
            void *a = seg->refs, *b = seg->ref_names;
            size_t cap = p->refs_cap;
            if (dbmi_grow_array(p->ctx, &a, &cap, seg->nrefs + 1, sizeof(*seg->refs)) != LIBDBM_OK)
                return nomem(p);
            seg->refs = a;
            cap = p->refs_cap;
            if (dbmi_grow_array(p->ctx, &b, &cap, seg->nrefs + 1, sizeof(*seg->ref_names)) != LIBDBM_OK)
                return nomem(p);
            seg->ref_names = b;
            p->refs_cap = cap;
        }
        copy = dbmi_strdup(p->ctx, name);
        if (copy == NULL)
            return nomem(p);
        dbmi_seg_retain(target);
        seg->refs[seg->nrefs] = target;
        seg->ref_names[seg->nrefs] = copy;
        seg->nrefs++;
    }
    seg->nodes[idx].v.i = i;
    return LIBDBM_OK;
}

static const struct { const char *name; int kind; int op; } calls[] = {
    {"purchases", DBMI_SEG_N_BEHAV, DBMI_SEG_B_PURCHASES},
    {"spend", DBMI_SEG_N_BEHAV, DBMI_SEG_B_SPEND},
    {"contacted", DBMI_SEG_N_BEHAV, DBMI_SEG_B_CONTACTED},
    {"opened", DBMI_SEG_N_BEHAV, DBMI_SEG_B_OPENED},
    {"event", DBMI_SEG_N_BEHAV, DBMI_SEG_B_EVENT},
    {"verified_age", DBMI_SEG_N_FIELD, DBMI_SEG_F_VERIFIED_AGE},
    {"segment", DBMI_SEG_N_REF, 0},
};

static int parse_call(parser *p, uint32_t *out)
{
    dbmi_seg_token_t name = p->tok;
    size_t k;
    uint32_t idx;
    int status;
    dbmi_seg_node *n;
    for (k = 0; k < sizeof(calls) / sizeof(calls[0]); k++)
        if (is_word(&name, calls[k].name))
            break;
    if (k == sizeof(calls) / sizeof(calls[0]))
        return expected(p, "a function (purchases, spend, contacted, opened, event, "
                           "verified_age, segment)");
    if ((status = new_node(p, calls[k].kind, &name, &idx)) != LIBDBM_OK)
        return status;
    n = &p->seg->nodes[idx];
    n->op = (uint8_t)calls[k].op;
    if ((status = next(p)) != LIBDBM_OK || (status = next(p)) != LIBDBM_OK) /* name, '(' */
        return status;
    switch (calls[k].kind) {
    case DBMI_SEG_N_BEHAV:
        n->type = calls[k].op == DBMI_SEG_B_SPEND ? DBMI_SEG_T_DEC : DBMI_SEG_T_INT;
        if (calls[k].op == DBMI_SEG_B_CONTACTED || calls[k].op == DBMI_SEG_B_OPENED) {
            if ((status = parse_channel(p, idx)) != LIBDBM_OK ||
                (status = expect_kind(p, DBMI_TOK_COMMA, "','")) != LIBDBM_OK)
                return status;
        } else if (calls[k].op == DBMI_SEG_B_EVENT) {
            if (p->tok.kind != DBMI_TOK_STRING || !is_event_name(p->tok.str, p->tok.str_len))
                return expected(p, "an event name string (as in \"cart_abandoned\")");
            if ((status = add_string(p, idx, p->tok.str, p->tok.str_len)) != LIBDBM_OK ||
                (status = next(p)) != LIBDBM_OK ||
                (status = expect_kind(p, DBMI_TOK_COMMA, "','")) != LIBDBM_OK)
                return status;
        }
        if ((status = parse_window(p, idx)) != LIBDBM_OK)
            return status;
        break;
    case DBMI_SEG_N_FIELD:
        n->type = DBMI_SEG_T_DUR;
        if ((status = parse_channel(p, idx)) != LIBDBM_OK)
            return status;
        break;
    default: /* segment("name") */
        n->type = DBMI_SEG_T_BOOL;
        if (p->tok.kind != DBMI_TOK_STRING || !is_event_name(p->tok.str, p->tok.str_len))
            return expected(p, "a segment name string (as in \"vip\")");
        if ((status = add_string(p, idx, p->tok.str, p->tok.str_len)) != LIBDBM_OK ||
            (status = add_ref(p, idx, &p->tok)) != LIBDBM_OK ||
            (status = next(p)) != LIBDBM_OK)
            return status;
        break;
    }
    if ((status = expect_kind(p, DBMI_TOK_RPAREN, "')'")) != LIBDBM_OK)
        return status;
    *out = idx;
    return LIBDBM_OK;
}

static int parse_field(parser *p, uint32_t *out)
{
    int field, status;
    size_t off, len;
    uint32_t idx;
    if (dbmi_seg_resolve_name(p->tok.text, p->tok.len, &field, &off, &len) != 0)
        return expected(p, "a field (attr.NAME, consent.CHANNEL, address.CHANNEL.valid, "
                           "recency_days, frequency, monetary, first_purchase, last_purchase, "
                           "rfm.r, rfm.f, rfm.m, rfm.segment, p_alive, clv, expected_purchases, "
                           "expected_spend) or a literal");
    if (field != DBMI_SEG_F_ATTR && len > 0 && !is_channel(p->tok.text + off, len))
        return expected(p, "a channel name ([a-z0-9_]{1,32}) in the field");
    if ((status = new_node(p, DBMI_SEG_N_FIELD, &p->tok, &idx)) != LIBDBM_OK)
        return status;
    p->seg->nodes[idx].op = (uint8_t)field;
    p->seg->nodes[idx].type = (uint8_t)dbmi_seg_field_type(field);
    if (len > 0 && (status = add_string(p, idx, p->tok.text + off, len)) != LIBDBM_OK)
        return status;
    *out = idx;
    return next(p);
}

static int is_keyword(const dbmi_seg_token_t *t)
{
    static const char *const words[] = {"and", "or", "not", "in", "between", "is", "null", "last"};
    size_t i;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (is_word(t, words[i]))
            return 1;
    return 0;
}

static int parse_literal(parser *p, uint32_t *out)
{
    int status;
    uint32_t idx;
    dbmi_seg_node *n;
    if ((status = new_node(p, DBMI_SEG_N_LIT, &p->tok, &idx)) != LIBDBM_OK)
        return status;
    n = &p->seg->nodes[idx];
    switch (p->tok.kind) {
    case DBMI_TOK_STRING:
        n->type = DBMI_SEG_T_STR;
        if ((status = add_string(p, idx, p->tok.str, p->tok.str_len)) != LIBDBM_OK)
            return status;
        break;
    case DBMI_TOK_INT: n->type = DBMI_SEG_T_INT; n->v.i = p->tok.value.i; break;
    case DBMI_TOK_DEC: n->type = DBMI_SEG_T_DEC; n->v.d = p->tok.value.d; break;
    case DBMI_TOK_TIME: n->type = DBMI_SEG_T_TIME; n->v.i = p->tok.value.i; break;
    case DBMI_TOK_DUR:
        n->type = DBMI_SEG_T_DUR;
        n->v.dur = p->tok.value.dur;
        n->dur_unit = p->tok.dur_unit;
        break;
    default: /* true / false */
        n->type = DBMI_SEG_T_BOOL;
        n->v.i = is_word(&p->tok, "true");
        break;
    }
    *out = idx;
    return next(p);
}

static int parse_operand(parser *p, uint32_t *out)
{
    int status;
    switch (p->tok.kind) {
    case DBMI_TOK_LPAREN: {
        uint32_t idx, inner;
        dbmi_seg_token_t at = p->tok;
        if ((status = enter(p)) != LIBDBM_OK || (status = next(p)) != LIBDBM_OK ||
            (status = parse_or(p, &inner)) != LIBDBM_OK)
            return status;
        if (p->tok.kind != DBMI_TOK_RPAREN)
            return expected(p, "')', 'and' or 'or'");
        if ((status = new_node(p, DBMI_SEG_N_PAREN, &at, &idx)) != LIBDBM_OK ||
            (status = push(p, inner)) != LIBDBM_OK || (status = adopt(p, idx, 1)) != LIBDBM_OK)
            return status;
        p->seg->nodes[idx].type = p->seg->nodes[inner].type;
        p->depth--;
        *out = idx;
        return next(p);
    }
    case DBMI_TOK_STRING: case DBMI_TOK_INT: case DBMI_TOK_DEC:
    case DBMI_TOK_TIME: case DBMI_TOK_DUR:
        return parse_literal(p, out);
    case DBMI_TOK_NAME: {
        const char *q = p->lx.p;
        if (is_word(&p->tok, "true") || is_word(&p->tok, "false"))
            return parse_literal(p, out);
        if (is_keyword(&p->tok))
            return expected(p, "a field, function call, literal or '('");
        /* NAME '(' is a call */
        while (q < p->lx.end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
            q++;
        if (q < p->lx.end && *q == '(')
            return parse_call(p, out);
        return parse_field(p, out);
    }
    default:
        return expected(p, "a field, function call, literal or '('");
    }
}

static int parse_list(parser *p, uint32_t idx)
{
    int status;
    size_t count = 1; /* the left-hand side is already stacked */
    if (p->tok.kind != DBMI_TOK_LPAREN)
        return expected(p, "'(' to start a list (as in (\"a\", \"b\"))");
    if ((status = next(p)) != LIBDBM_OK)
        return status;
    for (;;) {
        uint32_t item;
        switch (p->tok.kind) {
        case DBMI_TOK_STRING: case DBMI_TOK_INT: case DBMI_TOK_DEC: case DBMI_TOK_TIME:
            break;
        default:
            return expected(p, "a string, number or date in the list");
        }
        if ((status = parse_literal(p, &item)) != LIBDBM_OK || (status = push(p, item)) != LIBDBM_OK)
            return status;
        count++;
        if (p->tok.kind == DBMI_TOK_RPAREN)
            break;
        if ((status = expect_kind(p, DBMI_TOK_COMMA, "',' or ')' in the list")) != LIBDBM_OK)
            return status;
    }
    if ((status = adopt(p, idx, count)) != LIBDBM_OK)
        return status;
    return next(p);
}

static int parse_predicate(parser *p, uint32_t *out)
{
    dbmi_seg_token_t at = p->tok;
    uint32_t lhs, idx, other;
    int status;
    if ((status = parse_operand(p, &lhs)) != LIBDBM_OK)
        return status;
    if (p->tok.kind == DBMI_TOK_CMP) {
        int op = (int)p->tok.value.i;
        if ((status = new_node(p, DBMI_SEG_N_CMP, &at, &idx)) != LIBDBM_OK ||
            (status = next(p)) != LIBDBM_OK || (status = push(p, lhs)) != LIBDBM_OK ||
            (status = parse_operand(p, &other)) != LIBDBM_OK ||
            (status = push(p, other)) != LIBDBM_OK || (status = adopt(p, idx, 2)) != LIBDBM_OK)
            return status;
        p->seg->nodes[idx].op = (uint8_t)op;
    } else if (is_word(&p->tok, "in") || is_word(&p->tok, "not")) {
        int negate = is_word(&p->tok, "not");
        if ((status = new_node(p, DBMI_SEG_N_IN, &at, &idx)) != LIBDBM_OK ||
            (status = next(p)) != LIBDBM_OK)
            return status;
        if (negate) {
            if (!is_word(&p->tok, "in"))
                return expected(p, "'in' after 'not'");
            if ((status = next(p)) != LIBDBM_OK)
                return status;
        }
        p->seg->nodes[idx].negate = (uint8_t)negate;
        if ((status = push(p, lhs)) != LIBDBM_OK || (status = parse_list(p, idx)) != LIBDBM_OK)
            return status;
    } else if (is_word(&p->tok, "between")) {
        if ((status = new_node(p, DBMI_SEG_N_BETWEEN, &at, &idx)) != LIBDBM_OK ||
            (status = next(p)) != LIBDBM_OK || (status = push(p, lhs)) != LIBDBM_OK ||
            (status = parse_operand(p, &other)) != LIBDBM_OK || (status = push(p, other)) != LIBDBM_OK)
            return status;
        if (!is_word(&p->tok, "and"))
            return expected(p, "'and' in 'between ... and ...'");
        if ((status = next(p)) != LIBDBM_OK || (status = parse_operand(p, &other)) != LIBDBM_OK ||
            (status = push(p, other)) != LIBDBM_OK || (status = adopt(p, idx, 3)) != LIBDBM_OK)
            return status;
    } else if (is_word(&p->tok, "is")) {
        if ((status = new_node(p, DBMI_SEG_N_ISNULL, &at, &idx)) != LIBDBM_OK ||
            (status = next(p)) != LIBDBM_OK)
            return status;
        if (is_word(&p->tok, "not")) {
            p->seg->nodes[idx].negate = 1;
            if ((status = next(p)) != LIBDBM_OK)
                return status;
        }
        if (!is_word(&p->tok, "null"))
            return expected(p, "'null' after 'is'");
        if ((status = push(p, lhs)) != LIBDBM_OK || (status = adopt(p, idx, 1)) != LIBDBM_OK ||
            (status = next(p)) != LIBDBM_OK)
            return status;
    } else if (p->seg->nodes[lhs].kind == DBMI_SEG_N_BEHAV) {
        /* a bare count is a condition: count > 0 */
        if ((status = new_node(p, DBMI_SEG_N_TRUTHY, &at, &idx)) != LIBDBM_OK ||
            (status = push(p, lhs)) != LIBDBM_OK || (status = adopt(p, idx, 1)) != LIBDBM_OK)
            return status;
    } else {
        idx = lhs;
    }
    if (idx != lhs)
        p->seg->nodes[idx].type = DBMI_SEG_T_BOOL;
    *out = idx;
    return LIBDBM_OK;
}

static int parse_not(parser *p, uint32_t *out)
{
    int status;
    uint32_t idx, child;
    dbmi_seg_token_t at = p->tok;
    if (!is_word(&p->tok, "not"))
        return parse_predicate(p, out);
    if ((status = enter(p)) != LIBDBM_OK || (status = next(p)) != LIBDBM_OK ||
        (status = parse_not(p, &child)) != LIBDBM_OK)
        return status;
    p->depth--;
    if ((status = new_node(p, DBMI_SEG_N_NOT, &at, &idx)) != LIBDBM_OK ||
        (status = push(p, child)) != LIBDBM_OK || (status = adopt(p, idx, 1)) != LIBDBM_OK)
        return status;
    p->seg->nodes[idx].type = DBMI_SEG_T_BOOL;
    *out = idx;
    return LIBDBM_OK;
}

/* parse_and and parse_or: operand { word operand } as one n-ary node. */
static int parse_chain(parser *p, uint32_t *out, const char *word, int kind)
{
    dbmi_seg_token_t at = p->tok;
    uint32_t first, idx;
    size_t count = 1;
    int status = kind == DBMI_SEG_N_OR ? parse_chain(p, &first, "and", DBMI_SEG_N_AND)
                                       : parse_not(p, &first);
    if (status != LIBDBM_OK)
        return status;
    if (!is_word(&p->tok, word)) {
        *out = first;
        return LIBDBM_OK;
    }
    if ((status = push(p, first)) != LIBDBM_OK)
        return status;
    while (is_word(&p->tok, word)) {
        uint32_t child;
        if ((status = next(p)) != LIBDBM_OK)
            return status;
        status = kind == DBMI_SEG_N_OR ? parse_chain(p, &child, "and", DBMI_SEG_N_AND)
                                       : parse_not(p, &child);
        if (status != LIBDBM_OK || (status = push(p, child)) != LIBDBM_OK)
            return status;
        count++;
    }
    if ((status = new_node(p, kind, &at, &idx)) != LIBDBM_OK || (status = adopt(p, idx, count)) != LIBDBM_OK)
        return status;
    p->seg->nodes[idx].type = DBMI_SEG_T_BOOL;
    *out = idx;
    return LIBDBM_OK;
}

static int parse_or(parser *p, uint32_t *out)
{
    return parse_chain(p, out, "or", DBMI_SEG_N_OR);
}

/* The calling thread's last compile, for libdbm_segment_last_error(). */
static _Thread_local struct {
    const libdbm_context *ctx;
    int code;
    int32_t line, column;
} last_compile;

static int finish(libdbm_context *ctx, const dbmi_seg_error *err)
{
    last_compile.ctx = ctx;
    last_compile.code = err->code;
    last_compile.line = err->line;
    last_compile.column = err->column;
    if (err->code == LIBDBM_OK)
        return LIBDBM_OK;
    if (err->code == LIBDBM_ENOMEM)
        return dbmi_error_nomem(ctx, "segment compile");
    if (err->line > 0)
        return dbmi_error(ctx, err->code, "line %d, column %d: %s", (int)err->line,
                          (int)err->column, err->message);
    return dbmi_error(ctx, err->code, "%s", err->message);
}

LIBDBM_API int libdbm_segment_compile_with(libdbm_segment **out, libdbm_context *ctx,
                                           const char *expression,
                                           const libdbm_segment_registry *registry)
{
    dbmi_seg_error err;
    parser p;
    size_t len;
    int status;
    memset(&err, 0, sizeof(err));
    if (out != NULL)
        *out = NULL;
    if (out == NULL || ctx == NULL || expression == NULL) {
        dbmi_seg_fail(&err, LIBDBM_EINVAL, 0, 0, "libdbm_segment_compile: NULL argument");
        return finish(ctx, &err);
    }
    len = strnlen(expression, (size_t)DBMI_SEG_MAX_TEXT + 1);
    if (len > DBMI_SEG_MAX_TEXT) {
        dbmi_seg_fail(&err, LIBDBM_ELIMIT, 0, 0,
                      "expected an expression of at most %u bytes, found a longer one",
                      DBMI_SEG_MAX_TEXT);
        return finish(ctx, &err);
    }
    memset(&p, 0, sizeof(p));
    p.ctx = ctx;
    p.err = &err;
    p.registry = registry;
    p.seg = dbmi_calloc(ctx, 1, sizeof(*p.seg));
    if (p.seg == NULL) {
        nomem(&p);
        return finish(ctx, &err);
    }
    p.seg->ctx = ctx;
    p.seg->refcount = 1;
    status = dbmi_seg_lexer_init(&p.lx, ctx, expression, len, &err);
    if (status == LIBDBM_OK)
        status = next(&p);
    if (status == LIBDBM_OK) {
        if (p.tok.kind == DBMI_TOK_EOF)
            status = expected(&p, "an expression");
        else
            status = parse_or(&p, &p.seg->root);
    }
    if (status == LIBDBM_OK && p.tok.kind != DBMI_TOK_EOF)
        status = expected(&p, "'and', 'or' or end of input");
    if (status == LIBDBM_OK)
        status = dbmi_seg_check(p.seg, &err);
    if (status == LIBDBM_OK && p.seg->depth == 0)
        p.seg->depth = 1;
    dbmi_seg_lexer_fini(&p.lx);
    dbmi_free(ctx, p.stack);
    if (status != LIBDBM_OK) {
        if (err.code == LIBDBM_OK)
            dbmi_seg_fail(&err, status, 0, 0, "%s", libdbm_strerror(status));
        dbmi_seg_destroy(p.seg);
        return finish(ctx, &err);
    }
    *out = p.seg;
    return finish(ctx, &err);
}

LIBDBM_API int libdbm_segment_compile(libdbm_segment **out, libdbm_context *ctx,
                                      const char *expression)
{
    return libdbm_segment_compile_with(out, ctx, expression, NULL);
}

LIBDBM_API int libdbm_segment_last_error(const libdbm_context *ctx, int32_t *line,
                                         int32_t *column)
{
    int known = ctx != NULL && last_compile.ctx == ctx;
    if (line != NULL)
        *line = known ? last_compile.line : 0;
    if (column != NULL)
        *column = known ? last_compile.column : 0;
    return known ? last_compile.code : LIBDBM_OK;
}
