/* The row-at-a-time reference interpreter: walks the tree once per row
 * with three-valued logic. Slow and plain on purpose: the columnar
 * evaluator (eval.c) is checked against it. */
#include <string.h>

#include "context_private.h"
#include "source.h"

enum { F = 0, T = 1, U = 2 };

typedef struct interp {
    const dbmi_seg_source *src;
    int64_t now;
    int status;
} interp;

typedef struct value {
    int null;
    int cls;                /* DBMI_SEG_COL_* */
    int64_t i;
    double d;
    const char *s;
    size_t len;
} value;

static int eval_row(interp *it, const libdbm_segment *seg, const dbmi_seg_node *n, size_t row);

static void load(interp *it, const libdbm_segment *seg, const dbmi_seg_node *n, size_t row,
                 value *v)
{
    memset(v, 0, sizeof(*v));
    n = dbmi_seg_unparen(seg, n);
    if (n->kind == DBMI_SEG_N_LIT) {
        v->cls = n->type == DBMI_SEG_T_DEC ? DBMI_SEG_COL_F64
               : n->type == DBMI_SEG_T_STR ? DBMI_SEG_COL_STR
               : n->type == DBMI_SEG_T_BOOL ? DBMI_SEG_COL_BOOL : DBMI_SEG_COL_I64;
        v->i = n->type == DBMI_SEG_T_DUR ? dbmi_seg_instant_before(it->now, n->v.dur) : n->v.i;
        v->d = n->v.d;
        v->s = dbmi_seg_str(seg, n);
        v->len = n->str_len;
    } else if (n->kind == DBMI_SEG_N_FIELD) {
        dbmi_seg_field_ref f;
        dbmi_seg_row_value rv;
        f.field = n->op;
        f.name = dbmi_seg_str(seg, n);
        f.type = n->type;
        memset(&rv, 0, sizeof(rv));
        if (it->status == LIBDBM_OK)
            it->status = it->src->row_value(it->src->self, &f, row, &rv);
        if (it->status != LIBDBM_OK || !dbmi_seg_accepts(n->type, rv.kind)) {
            v->null = 1;
            return;
        }
        v->cls = rv.kind;
        v->i = rv.i;
        v->d = rv.d;
        v->s = rv.s;
        v->len = rv.len;
    } else if (n->kind == DBMI_SEG_N_BEHAV) {
        dbmi_seg_behaviour_ref b;
        b.behaviour = n->op;
        b.name = dbmi_seg_str(seg, n);
        b.to = it->now;
        b.from = dbmi_seg_instant_before(it->now, n->v.dur);
        if (it->status == LIBDBM_OK)
            it->status = it->src->row_count(it->src->self, &b, row, &v->i, &v->d);
        v->cls = n->op == DBMI_SEG_B_SPEND ? DBMI_SEG_COL_F64 : DBMI_SEG_COL_I64;
    } else {
        /* a parenthesised condition used as a boolean value */
        int r = eval_row(it, seg, n, row);
        v->cls = DBMI_SEG_COL_BOOL;
        v->null = r == U;
        v->i = r == T;
    }
}

/* -1, 0, 1 comparing two non-null values of compatible classes; for
 * strings and booleans only equality matters (0 or 1). */
static int order(const value *a, const value *b)
{
    if (a->cls == DBMI_SEG_COL_STR)
        return a->len == b->len && memcmp(a->s, b->s, a->len) == 0 ? 0 : 1;
    if (a->cls == DBMI_SEG_COL_F64 || b->cls == DBMI_SEG_COL_F64) {
        double x = a->cls == DBMI_SEG_COL_F64 ? a->d : (double)a->i;
        double y = b->cls == DBMI_SEG_COL_F64 ? b->d : (double)b->i;
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2; /* 2: NaN, unordered */
    }
    return a->i < b->i ? -1 : a->i > b->i ? 1 : 0;
}

static int holds(int op, int ord)
{
    if (ord == 2)
        return op == DBMI_SEG_NE;
    switch (op) {
    case DBMI_SEG_EQ: return ord == 0;
    case DBMI_SEG_NE: return ord != 0;
    case DBMI_SEG_LT: return ord < 0;
    case DBMI_SEG_LE: return ord <= 0;
    case DBMI_SEG_GT: return ord > 0;
    default: return ord >= 0;
    }
}


static int compare(interp *it, const libdbm_segment *seg, const dbmi_seg_node *a, int op,
                   const dbmi_seg_node *b, size_t row)
{
    value x, y;
    const dbmi_seg_node *la = dbmi_seg_unparen(seg, a);
    load(it, seg, a, row, &x);
    load(it, seg, b, row, &y);
    if (x.null || y.null)
        return U;
    if (la->type == DBMI_SEG_T_DUR)
        op = dbmi_seg_mirror_op(op);
    return holds(op, order(&x, &y)) ? T : F;
}

static int kleene_and(int a, int b) { return a == F || b == F ? F : a == T && b == T ? T : U; }
static int kleene_or(int a, int b) { return a == T || b == T ? T : a == F && b == F ? F : U; }
static int kleene_not(int a) { return a == U ? U : a == T ? F : T; }

static int eval_row(interp *it, const libdbm_segment *seg, const dbmi_seg_node *n, size_t row)
{
    uint32_t i;
    int r;
    switch (n->kind) {
    case DBMI_SEG_N_AND:
        for (r = T, i = 0; i < n->nchildren; i++)
            r = kleene_and(r, eval_row(it, seg, dbmi_seg_child(seg, n, i), row));
        return r;
    case DBMI_SEG_N_OR:
        for (r = F, i = 0; i < n->nchildren; i++)
            r = kleene_or(r, eval_row(it, seg, dbmi_seg_child(seg, n, i), row));
        return r;
    case DBMI_SEG_N_NOT:
        return kleene_not(eval_row(it, seg, dbmi_seg_child(seg, n, 0), row));
    case DBMI_SEG_N_PAREN:
        return eval_row(it, seg, dbmi_seg_child(seg, n, 0), row);
    case DBMI_SEG_N_REF: {
        const libdbm_segment *ref = seg->refs[n->v.i];
        return eval_row(it, ref, &ref->nodes[ref->root], row) == T ? T : F;
    }
    case DBMI_SEG_N_CMP:
        return compare(it, seg, dbmi_seg_child(seg, n, 0), n->op, dbmi_seg_child(seg, n, 1), row);
    case DBMI_SEG_N_IN:
        for (r = F, i = 1; i < n->nchildren; i++)
            r = kleene_or(r, compare(it, seg, dbmi_seg_child(seg, n, 0), DBMI_SEG_EQ,
                                     dbmi_seg_child(seg, n, i), row));
        return n->negate ? kleene_not(r) : r;
    case DBMI_SEG_N_BETWEEN:
        return kleene_and(compare(it, seg, dbmi_seg_child(seg, n, 0), DBMI_SEG_GE,
                                  dbmi_seg_child(seg, n, 1), row),
                          compare(it, seg, dbmi_seg_child(seg, n, 0), DBMI_SEG_LE,
                                  dbmi_seg_child(seg, n, 2), row));
    case DBMI_SEG_N_ISNULL: {
        value v;
        load(it, seg, dbmi_seg_child(seg, n, 0), row, &v);
        return (v.null != 0) != (n->negate != 0) ? T : F;
    }
    case DBMI_SEG_N_TRUTHY: {
        value v;
        load(it, seg, dbmi_seg_child(seg, n, 0), row, &v);
        return (v.cls == DBMI_SEG_COL_F64 ? v.d > 0 : v.i > 0) ? T : F;
    }
    default: { /* boolean literal or field */
        value v;
        load(it, seg, n, row, &v);
        return v.null ? U : v.i ? T : F;
    }
    }
}

static int may_be_member(const dbmi_seg_source *src, size_t row)
{
    return src->rows_mask == NULL || ((src->rows_mask[row / 64] >> (row % 64)) & 1);
}

int dbmi_seg_eval_row(int *member, const libdbm_segment *seg, const dbmi_seg_source *src,
                      int64_t now, size_t row)
{
    interp it;
    it.src = src;
    it.now = now;
    it.status = LIBDBM_OK;
    *member = row < src->rows && may_be_member(src, row) &&
              eval_row(&it, seg, &seg->nodes[seg->root], row) == T;
    if (it.status != LIBDBM_OK)
        *member = 0;
    return it.status;
}

int dbmi_seg_eval_rows(libdbm_members **out, const libdbm_segment *seg,
                       const dbmi_seg_source *src, int64_t now)
{
    interp it;
    size_t row, n = (src->rows + 63) / 64;
    uint64_t *words;
    *out = NULL;
    it.src = src;
    it.now = now;
    it.status = LIBDBM_OK;
    words = dbmi_calloc(seg->ctx, n ? n : 1, sizeof(uint64_t));
    if (words == NULL)
        return dbmi_error_nomem(seg->ctx, "member set");
    for (row = 0; row < src->rows && it.status == LIBDBM_OK; row++)
        if (may_be_member(src, row) && eval_row(&it, seg, &seg->nodes[seg->root], row) == T)
            words[row / 64] |= UINT64_C(1) << (row % 64);
    if (it.status != LIBDBM_OK) {
        dbmi_free(seg->ctx, words);
        return it.status;
    }
    return dbmi_members_wrap(out, seg->ctx, words, src->rows);
}
