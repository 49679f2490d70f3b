/* Field resolution and typing of segment expressions: which names exist,
 * their types, the inference of attr.* types from what they are compared
 * with, and which comparisons make sense. */
#include <stdio.h>
#include <string.h>

#include "civil_time.h"
#include "context_private.h"
#include "lexer.h"

static const struct { const char *name; uint8_t type; } fields[DBMI_SEG_F_COUNT_] = {
    [DBMI_SEG_F_ATTR] = {"attr", DBMI_SEG_T_UNKNOWN},
    [DBMI_SEG_F_RECENCY_DAYS] = {"recency_days", DBMI_SEG_T_INT},
    [DBMI_SEG_F_FREQUENCY] = {"frequency", DBMI_SEG_T_INT},
    [DBMI_SEG_F_MONETARY] = {"monetary", DBMI_SEG_T_DEC},
    [DBMI_SEG_F_FIRST_PURCHASE] = {"first_purchase", DBMI_SEG_T_TIME},
    [DBMI_SEG_F_LAST_PURCHASE] = {"last_purchase", DBMI_SEG_T_TIME},
    [DBMI_SEG_F_RFM_R] = {"rfm.r", DBMI_SEG_T_INT},
    [DBMI_SEG_F_RFM_F] = {"rfm.f", DBMI_SEG_T_INT},
    [DBMI_SEG_F_RFM_M] = {"rfm.m", DBMI_SEG_T_INT},
    [DBMI_SEG_F_RFM_SEGMENT] = {"rfm.segment", DBMI_SEG_T_STR},
    [DBMI_SEG_F_P_ALIVE] = {"p_alive", DBMI_SEG_T_DEC},
    [DBMI_SEG_F_CLV] = {"clv", DBMI_SEG_T_DEC},
    [DBMI_SEG_F_EXPECTED_PURCHASES] = {"expected_purchases", DBMI_SEG_T_DEC},
    [DBMI_SEG_F_EXPECTED_SPEND] = {"expected_spend", DBMI_SEG_T_DEC},
    [DBMI_SEG_F_CONSENT] = {"consent", DBMI_SEG_T_BOOL},
    [DBMI_SEG_F_ADDRESS_VALID] = {"address", DBMI_SEG_T_BOOL},
    [DBMI_SEG_F_VERIFIED_AGE] = {"verified_age", DBMI_SEG_T_DUR},
};

static const char *const behaviours[DBMI_SEG_B_COUNT_] = {
    "purchases", "spend", "contacted", "opened", "event"};

const char *dbmi_seg_field_name(int field)
{
    return field >= 0 && field < DBMI_SEG_F_COUNT_ ? fields[field].name : "?";
}

int dbmi_seg_field_type(int field)
{
    return field >= 0 && field < DBMI_SEG_F_COUNT_ ? fields[field].type : DBMI_SEG_T_UNKNOWN;
}

const char *dbmi_seg_behaviour_name(int behaviour)
{
    return behaviour >= 0 && behaviour < DBMI_SEG_B_COUNT_ ? behaviours[behaviour] : "?";
}

const char *dbmi_seg_type_name(int type)
{
    switch (type) {
    case DBMI_SEG_T_BOOL: return "a boolean";
    case DBMI_SEG_T_INT: return "an integer";
    case DBMI_SEG_T_DEC: return "a decimal";
    case DBMI_SEG_T_STR: return "a string";
    case DBMI_SEG_T_TIME: return "a date/time";
    case DBMI_SEG_T_DUR: return "a duration";
    default: return "an attribute of unknown type";
    }
}

static int prefix(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len > n && memcmp(s, p, n) == 0;
}

int dbmi_seg_resolve_name(const char *name, size_t len, int *field,
                          size_t *suffix_off, size_t *suffix_len)
{
    int f;
    *suffix_off = 0;
    *suffix_len = 0;
    for (f = DBMI_SEG_F_RECENCY_DAYS; f <= DBMI_SEG_F_EXPECTED_SPEND; f++) {
        if (strlen(fields[f].name) == len && memcmp(fields[f].name, name, len) == 0) {
            *field = f;
            return 0;
        }
    }
    if (prefix(name, len, "attr.") && len - 5 <= 64) {
        *field = DBMI_SEG_F_ATTR;
        *suffix_off = 5;
        *suffix_len = len - 5;
        return 0;
    }
    if (prefix(name, len, "consent.")) {
        *field = DBMI_SEG_F_CONSENT;
        *suffix_off = 8;
        *suffix_len = len - 8;
        return 0;
    }
    if (prefix(name, len, "address.") && len > 14 && memcmp(name + len - 6, ".valid", 6) == 0) {
        *field = DBMI_SEG_F_ADDRESS_VALID;
        *suffix_off = 8;
        *suffix_len = len - 14;
        return 0;
    }
    return -1;
}

static int is_num(int t) { return t == DBMI_SEG_T_INT || t == DBMI_SEG_T_DEC; }
static int is_ordered(int t) { return is_num(t) || t == DBMI_SEG_T_TIME || t == DBMI_SEG_T_DUR; }
static int compatible(int a, int b) { return a == b || (is_num(a) && is_num(b)); }

static int check_bool(libdbm_segment *seg, dbmi_seg_node *n, dbmi_seg_error *err);

static dbmi_seg_node *child(libdbm_segment *seg, const dbmi_seg_node *n, uint32_t i)
{
    return &seg->nodes[seg->kids[n->first_child + i]];
}

static dbmi_seg_node *unparen(libdbm_segment *seg, dbmi_seg_node *n)
{
    while (n->kind == DBMI_SEG_N_PAREN)
        n = child(seg, n, 0);
    return n;
}

/* The type of an operand; parenthesised conditions are booleans. */
static int operand_type(libdbm_segment *seg, dbmi_seg_node *n, int *type, dbmi_seg_error *err)
{
    dbmi_seg_node *leaf = unparen(seg, n);
    switch (leaf->kind) {
    case DBMI_SEG_N_LIT: case DBMI_SEG_N_FIELD: case DBMI_SEG_N_BEHAV:
        *type = leaf->type;
        return LIBDBM_OK;
    default:
        *type = DBMI_SEG_T_BOOL;
        return check_bool(seg, leaf, err);
    }
}

static int is_unknown_attr(libdbm_segment *seg, dbmi_seg_node *n)
{
    n = unparen(seg, n);
    return n->kind == DBMI_SEG_N_FIELD && n->op == DBMI_SEG_F_ATTR && n->type == DBMI_SEG_T_UNKNOWN;
}

static int type_fail(dbmi_seg_error *err, const dbmi_seg_node *at, const char *want,
                     int found_type)
{
    return dbmi_seg_fail(err, LIBDBM_ESYNTAX, at->line, at->column, "expected %s, found %s",
                         want, dbmi_seg_type_name(found_type));
}

/* Gives an untyped attribute the type @p type (that of what it meets). */
static int infer(libdbm_segment *seg, dbmi_seg_node *n, int type, dbmi_seg_error *err)
{
    dbmi_seg_node *leaf = unparen(seg, n);
    if (type == DBMI_SEG_T_DUR || type == DBMI_SEG_T_UNKNOWN)
        return type_fail(err, n, "an operand of known type to compare an attribute with "
                         "(a string, number, boolean or date)", type);
    leaf->type = (uint8_t)type;
    return LIBDBM_OK;
}

static int check_compare(libdbm_segment *seg, dbmi_seg_node *n, dbmi_seg_error *err)
{
    dbmi_seg_node *lhs = child(seg, n, 0), *rhs = child(seg, n, 1);
    int tl, tr, status;
    if ((status = operand_type(seg, lhs, &tl, err)) != LIBDBM_OK ||
        (status = operand_type(seg, rhs, &tr, err)) != LIBDBM_OK)
        return status;
    if (tl == DBMI_SEG_T_UNKNOWN && tr == DBMI_SEG_T_UNKNOWN)
        return type_fail(err, rhs, "a literal or typed field to compare an attribute with", tr);
    if (tl == DBMI_SEG_T_UNKNOWN) {
        if ((status = infer(seg, lhs, tr, err)) != LIBDBM_OK)
            return status;
        tl = tr;
    } else if (tr == DBMI_SEG_T_UNKNOWN) {
        if ((status = infer(seg, rhs, tl, err)) != LIBDBM_OK)
            return status;
        tr = tl;
    }
    if (!compatible(tl, tr)) {
        char want[64];
        snprintf(want, sizeof(want), "%s (the type of the left-hand side)",
                 dbmi_seg_type_name(tl));
        return type_fail(err, rhs, want, tr);
    }
    if (!is_ordered(tl) && n->op != DBMI_SEG_EQ && n->op != DBMI_SEG_NE)
        return dbmi_seg_fail(err, LIBDBM_ESYNTAX, n->line, n->column,
                             "expected == or != to compare %ss, found an ordering comparison",
                             tl == DBMI_SEG_T_STR ? "string" : "boolean");
    return LIBDBM_OK;
}

static int check_in(libdbm_segment *seg, dbmi_seg_node *n, dbmi_seg_error *err)
{
    dbmi_seg_node *lhs = child(seg, n, 0);
    int tl, status;
    uint32_t i;
    if ((status = operand_type(seg, lhs, &tl, err)) != LIBDBM_OK)
        return status;
    if (tl == DBMI_SEG_T_UNKNOWN) {
        if ((status = infer(seg, lhs, child(seg, n, 1)->type, err)) != LIBDBM_OK)
            return status;
        tl = child(seg, n, 1)->type;
    }
    if (!is_num(tl) && tl != DBMI_SEG_T_STR && tl != DBMI_SEG_T_TIME)
        return type_fail(err, lhs, "a string, number or date before 'in'", tl);
    for (i = 1; i < n->nchildren; i++) {
        dbmi_seg_node *item = child(seg, n, i);
        if (!compatible(tl, item->type)) {
            char want[64];
            snprintf(want, sizeof(want), "%s in the list", dbmi_seg_type_name(tl));
            return type_fail(err, item, want, item->type);
        }
    }
    return LIBDBM_OK;
}

static int check_between(libdbm_segment *seg, dbmi_seg_node *n, dbmi_seg_error *err)
{
    int t[3], status;
    uint32_t i, known = 3;
    for (i = 0; i < 3; i++) {
        if ((status = operand_type(seg, child(seg, n, i), &t[i], err)) != LIBDBM_OK)
            return status;
        if (t[i] != DBMI_SEG_T_UNKNOWN && known == 3)
            known = i;
    }
    if (known == 3)
        return type_fail(err, child(seg, n, 1), "a literal or typed field in 'between'",
                         DBMI_SEG_T_UNKNOWN);
    for (i = 0; i < 3; i++) {
        if (t[i] == DBMI_SEG_T_UNKNOWN) {
            if ((status = infer(seg, child(seg, n, i), t[known], err)) != LIBDBM_OK)
                return status;
            t[i] = t[known];
        }
    }
    if (!is_ordered(t[0]))
        return type_fail(err, child(seg, n, 0), "a number, date or duration before 'between'", t[0]);
    for (i = 1; i < 3; i++) {
        if (!compatible(t[0], t[i])) {
            char want[64];
            snprintf(want, sizeof(want), "%s as a 'between' bound", dbmi_seg_type_name(t[0]));
            return type_fail(err, child(seg, n, i), want, t[i]);
        }
    }
    return LIBDBM_OK;
}

static int check_bool(libdbm_segment *seg, dbmi_seg_node *n, dbmi_seg_error *err)
{
    uint32_t i;
    int status;
    switch (n->kind) {
    case DBMI_SEG_N_AND: case DBMI_SEG_N_OR: case DBMI_SEG_N_NOT: case DBMI_SEG_N_PAREN:
        for (i = 0; i < n->nchildren; i++)
            if ((status = check_bool(seg, child(seg, n, i), err)) != LIBDBM_OK)
                return status;
        return LIBDBM_OK;
    case DBMI_SEG_N_TRUTHY: case DBMI_SEG_N_REF:
        return LIBDBM_OK;
    case DBMI_SEG_N_LIT: case DBMI_SEG_N_FIELD:
        if (is_unknown_attr(seg, n))
            n->type = DBMI_SEG_T_BOOL;
        if (n->type != DBMI_SEG_T_BOOL)
            return type_fail(err, n, "a condition (a comparison, a boolean field or a count)", n->type);
        return LIBDBM_OK;
    case DBMI_SEG_N_CMP:
        return check_compare(seg, n, err);
    case DBMI_SEG_N_IN:
        return check_in(seg, n, err);
    case DBMI_SEG_N_BETWEEN:
        return check_between(seg, n, err);
    case DBMI_SEG_N_ISNULL: {
        dbmi_seg_node *leaf = unparen(seg, child(seg, n, 0));
        if (leaf->kind != DBMI_SEG_N_FIELD)
            return dbmi_seg_fail(err, LIBDBM_ESYNTAX, leaf->line, leaf->column,
                                 "expected a field before 'is null', found %s",
                                 leaf->kind == DBMI_SEG_N_LIT ? "a literal" : "an expression");
        if (leaf->type == DBMI_SEG_T_UNKNOWN)
            leaf->type = DBMI_SEG_T_ANY;
        return LIBDBM_OK;
    }
    default:
        return type_fail(err, n, "a condition", n->type);
    }
}

int dbmi_seg_check(libdbm_segment *seg, dbmi_seg_error *err)
{
    return check_bool(seg, &seg->nodes[seg->root], err);
}

int64_t dbmi_seg_instant_before(int64_t now, dbmi_seg_duration d)
{
    const int64_t lo = INT64_C(-62135596800) * 4, hi = INT64_C(253402300800) * 4;
    int64_t t;
    if (now < lo) now = lo;
    if (now > hi) now = hi;
    t = now - d.seconds;
    if (d.months != 0) {
        int64_t days = dbmi_day_of_time(t), sod = dbmi_second_of_day(t), year;
        int month, day, dim;
        int64_t m;
        dbmi_civil_from_days(days, &year, &month, &day);
        m = year * 12 + (month - 1) - d.months;
        year = dbmi_floor_div(m, 12);
        month = (int)dbmi_floor_mod(m, 12) + 1;
        dim = dbmi_days_in_month(year, month);
        if (day > dim)
            day = dim;
        t = dbmi_days_from_civil(year, month, day) * 86400 + sod;
    }
    return t;
}
