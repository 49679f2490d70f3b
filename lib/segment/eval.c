/* The columnar evaluator: every condition is computed for a whole set of
 * candidate rows at once, as two bitsets (rows where it is TRUE, rows where
 * it is FALSE; neither = unknown). `and`/`or` evaluate their cheapest
 * children first and hand later children only the rows still undecided, so
 * expensive predicates (behaviour counts, referenced segments) run on few
 * rows. Comparisons of a column with a constant run in branch-free loops
 * over 64 rows at a time. */
#include <stdlib.h>
#include <string.h>

#include "context_private.h"
#include "limits.h"
#include "source.h"

typedef struct evaluator {
    libdbm_context *ctx;
    const dbmi_seg_source *src;
    int64_t now;
    size_t rows, nw;
    int status;
} evaluator;

enum { K_NULL, K_CONST, K_COLUMN, K_COMPACT, K_BITS };

typedef struct operand {
    int kind;
    int cls;                    /* DBMI_SEG_COL_* */
    int dur;                    /* a duration: compared as instants, op mirrored */
    int64_t i;
    double d;
    uint32_t id;
    int has_id;
    const char *s;
    size_t len;
    dbmi_seg_column col;
    int64_t *counts;            /* K_COMPACT: one value per candidate, in row order */
    double *amounts;
    uint64_t *cnulls;           /* K_COMPACT: bit k set = the k-th candidate's value is null */
    uint64_t *bt, *bf;
} operand;

typedef struct scalar {
    int cls;
    int64_t i;
    double d;
    uint32_t id;
    int has_id;
    const char *s;
    size_t len;
} scalar;

static int fail_nomem(evaluator *e)
{
    if (e->status == LIBDBM_OK)
        e->status = dbmi_error_nomem(e->ctx, "segment evaluation");
    return e->status;
}

static uint64_t *bits_new(evaluator *e)
{
    uint64_t *b = dbmi_calloc(e->ctx, e->nw ? e->nw : 1, sizeof(uint64_t));
    if (b == NULL)
        fail_nomem(e);
    return b;
}

static int eval_bool(evaluator *e, const libdbm_segment *seg, const dbmi_seg_node *n,
                     const uint64_t *cand, uint64_t *t, uint64_t *f);


static int class_of(int type)
{
    switch (type) {
    case DBMI_SEG_T_DEC: return DBMI_SEG_COL_F64;
    case DBMI_SEG_T_STR: return DBMI_SEG_COL_STR;
    case DBMI_SEG_T_BOOL: return DBMI_SEG_COL_BOOL;
    default: return DBMI_SEG_COL_I64;
    }
}

static void release(evaluator *e, operand *o)
{
    dbmi_free(e->ctx, o->counts);
    dbmi_free(e->ctx, o->amounts);
    dbmi_free(e->ctx, o->cnulls);
    dbmi_free(e->ctx, o->bt);
    dbmi_free(e->ctx, o->bf);
    memset(o, 0, sizeof(*o));
}

/* The candidate rows as a list, with room for one value each in the
 * operand (a K_COMPACT operand in the making). */
static uint32_t *gather(evaluator *e, const uint64_t *cand, operand *o, size_t *count)
{
    size_t n = 0, w, k = 0;
    uint32_t *rows;
    for (w = 0; w < e->nw; w++)
        n += (size_t)__builtin_popcountll(cand[w]);
    rows = dbmi_malloc(e->ctx, (n ? n : 1) * sizeof(uint32_t));
    o->counts = dbmi_calloc(e->ctx, n ? n : 1, sizeof(int64_t));
    o->amounts = dbmi_calloc(e->ctx, n ? n : 1, sizeof(double));
    if (rows == NULL || o->counts == NULL || o->amounts == NULL) {
        dbmi_free(e->ctx, rows);
        fail_nomem(e);
        return NULL;
    }
    for (w = 0; w < e->nw; w++)
        for (uint64_t bits = cand[w]; bits != 0; bits &= bits - 1)
            rows[k++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
    o->kind = K_COMPACT;
    *count = n;
    return rows;
}

/* A field the source computes (DBMI_SEG_COL_COMPUTED): the purchase
 * aggregates of a store, which depend on the as-of time. When few rows are
 * still candidates it is asked for those only (a K_COMPACT operand); when
 * many are, for every row, giving a column the branch-free kernels read. */
static int load_computed(evaluator *e, const dbmi_seg_field_ref *f, const uint64_t *cand,
                         operand *o)
{
    size_t n = 0, w;
    uint32_t *rows = NULL;
    o->cls = class_of(f->type);
    for (w = 0; w < e->nw; w++)
        n += (size_t)__builtin_popcountll(cand[w]);
    if (n * 4 < e->rows) {
        if ((rows = gather(e, cand, o, &n)) == NULL)
            return e->status;
    } else {
        n = e->rows;
        o->counts = dbmi_calloc(e->ctx, n ? n : 1, sizeof(int64_t));
        o->amounts = dbmi_calloc(e->ctx, n ? n : 1, sizeof(double));
        o->kind = K_COLUMN;
        o->col.kind = o->cls;
        o->col.i64 = o->counts;
        o->col.f64 = o->amounts;
    }
    o->cnulls = dbmi_calloc(e->ctx, n / 64 + 1, sizeof(uint64_t));
    o->col.nulls = o->cnulls;
    if (o->counts == NULL || o->amounts == NULL || o->cnulls == NULL)
        fail_nomem(e);
    else if (e->src->values == NULL)
        e->status = dbmi_error(e->ctx, LIBDBM_EINVAL, "segment source computes no field");
    else
        e->status = e->src->values(e->src->self, f, rows, n, o->counts, o->amounts, o->cnulls);
    dbmi_free(e->ctx, rows);
    return e->status;
}

static int load(evaluator *e, const libdbm_segment *seg, const dbmi_seg_node *n,
                const uint64_t *cand, operand *o)
{
    memset(o, 0, sizeof(*o));
    n = dbmi_seg_unparen(seg, n);
    o->dur = n->type == DBMI_SEG_T_DUR;
    switch (n->kind) {
    case DBMI_SEG_N_LIT:
        o->kind = K_CONST;
        o->cls = class_of(n->type);
        o->i = o->dur ? dbmi_seg_instant_before(e->now, n->v.dur) : n->v.i;
        o->d = n->v.d;
        if (n->type == DBMI_SEG_T_STR) {
            o->s = dbmi_seg_str(seg, n);
            o->len = n->str_len;
            e->status = e->src->string_id(e->src->self, o->s, o->len, &o->id, &o->has_id);
        }
        return e->status;
    case DBMI_SEG_N_FIELD: {
        dbmi_seg_field_ref f;
        f.field = n->op;
        f.name = dbmi_seg_str(seg, n);
        f.type = n->type;
        if ((e->status = e->src->column(e->src->self, &f, &o->col)) != LIBDBM_OK)
            return e->status;
        if (o->col.kind == DBMI_SEG_COL_COMPUTED)
            return load_computed(e, &f, cand, o);
        o->kind = dbmi_seg_accepts(n->type, o->col.kind) ? K_COLUMN : K_NULL;
        o->cls = o->col.kind;
        return LIBDBM_OK;
    }
    case DBMI_SEG_N_BEHAV: {
        dbmi_seg_behaviour_ref b;
        size_t count = 0;
        uint32_t *rows = gather(e, cand, o, &count);
        if (rows == NULL)
            return e->status;
        b.behaviour = n->op;
        b.name = dbmi_seg_str(seg, n);
        b.to = e->now;
        b.from = dbmi_seg_instant_before(e->now, n->v.dur);
        e->status = e->src->counts(e->src->self, &b, rows, count, o->counts, o->amounts);
        dbmi_free(e->ctx, rows);
        o->cls = n->op == DBMI_SEG_B_SPEND ? DBMI_SEG_COL_F64 : DBMI_SEG_COL_I64;
        return e->status;
    }
    default:
        /* a parenthesised condition used as a boolean value */
        o->kind = K_BITS;
        o->cls = DBMI_SEG_COL_BOOL;
        o->bt = bits_new(e);
        o->bf = bits_new(e);
        if (o->bt == NULL || o->bf == NULL)
            return e->status;
        return eval_bool(e, seg, n, cand, o->bt, o->bf);
    }
}

/* Whether the value of @p row, the @p pos-th candidate, is null. */
static int is_null_at(const operand *o, size_t row, size_t pos)
{
    switch (o->kind) {
    case K_NULL: return 1;
    case K_COLUMN: return o->col.nulls != NULL && ((o->col.nulls[row / 64] >> (row % 64)) & 1);
    case K_BITS: return !(((o->bt[row / 64] | o->bf[row / 64]) >> (row % 64)) & 1);
    case K_COMPACT: return o->cnulls != NULL && ((o->cnulls[pos / 64] >> (pos % 64)) & 1);
    default: return 0;
    }
}

static void get(const operand *o, size_t row, size_t pos, scalar *v)
{
    v->cls = o->cls;
    v->has_id = 0;
    switch (o->kind) {
    case K_CONST:
        v->i = o->i; v->d = o->d; v->id = o->id; v->has_id = o->has_id;
        v->s = o->s; v->len = o->len;
        break;
    case K_COMPACT:
        v->i = o->counts[pos];
        v->d = o->amounts[pos];
        break;
    case K_BITS:
        v->i = (int64_t)((o->bt[row / 64] >> (row % 64)) & 1);
        break;
    default:
        switch (o->col.kind) {
        case DBMI_SEG_COL_I64:
            if (o->col.mixed != NULL && ((o->col.mixed[row / 64] >> (row % 64)) & 1)) {
                v->cls = DBMI_SEG_COL_F64;
                v->d = o->col.f64[row];
            } else {
                v->i = o->col.i64[row];
            }
            break;
        case DBMI_SEG_COL_F64: v->d = o->col.f64[row]; break;
        case DBMI_SEG_COL_STR: v->id = o->col.str[row]; v->has_id = 1; break;
        default: v->i = o->col.b[row] != 0; break;
        }
    }
}

static int holds(int op, const scalar *a, const scalar *b)
{
    int ord;
    if (a->cls == DBMI_SEG_COL_STR) {
        int eq = a->has_id && b->has_id ? a->id == b->id
               : !a->has_id && !b->has_id ? (a->len == b->len && memcmp(a->s, b->s, a->len) == 0)
               : 0;
        return op == DBMI_SEG_EQ ? eq : !eq;
    }
    if (a->cls == DBMI_SEG_COL_F64 || b->cls == DBMI_SEG_COL_F64) {
        double x = a->cls == DBMI_SEG_COL_F64 ? a->d : (double)a->i;
        double y = b->cls == DBMI_SEG_COL_F64 ? b->d : (double)b->i;
        switch (op) {
        case DBMI_SEG_EQ: return x == y;
        case DBMI_SEG_NE: return x != y;
        case DBMI_SEG_LT: return x < y;
        case DBMI_SEG_LE: return x <= y;
        case DBMI_SEG_GT: return x > y;
        default: return x >= y;
        }
    }
    ord = a->i < b->i ? -1 : a->i > b->i;
    switch (op) {
    case DBMI_SEG_EQ: return ord == 0;
    case DBMI_SEG_NE: return ord != 0;
    case DBMI_SEG_LT: return ord < 0;
    case DBMI_SEG_LE: return ord <= 0;
    case DBMI_SEG_GT: return ord > 0;
    default: return ord >= 0;
    }
}

/* 64 bytes of 0/1 as 64 bits (bit j = hit[j]): multiplying 8 such bytes
 * by 0x0102040810204080 moves byte i's bit to bit 56 + i with no carries
 * (every partial product lands on a distinct bit). */
static uint64_t pack_bits(const uint8_t hit[64])
{
    uint64_t m = 0, x;
    unsigned i;
    for (i = 0; i < 8; i++) {
        memcpy(&x, hit + 8 * i, sizeof(x));
        m |= ((x * UINT64_C(0x0102040810204080)) >> 56) << (8 * i);
    }
    return m;
}

/* Branch-free 64-row kernels: bit j of the result is column[base+j] OP k.
 * The comparisons go to a byte array first, a loop compilers vectorise,
 * then pack_bits folds the bytes into a word. */
#define KERNEL(NAME, ELEM, KTYPE, CONV)                                         \
    static uint64_t NAME(const ELEM *v, size_t n, int op, KTYPE k)              \
    {                                                                           \
        uint8_t hit[64];                                                        \
        size_t j;                                                               \
        memset(hit + n, 0, 64 - n);                                             \
        switch (op) {                                                           \
        case DBMI_SEG_EQ: for (j = 0; j < n; j++) hit[j] = CONV(v[j]) == k; break; \
        case DBMI_SEG_NE: for (j = 0; j < n; j++) hit[j] = CONV(v[j]) != k; break; \
        case DBMI_SEG_LT: for (j = 0; j < n; j++) hit[j] = CONV(v[j]) < k; break;  \
        case DBMI_SEG_LE: for (j = 0; j < n; j++) hit[j] = CONV(v[j]) <= k; break; \
        case DBMI_SEG_GT: for (j = 0; j < n; j++) hit[j] = CONV(v[j]) > k; break;  \
        default: for (j = 0; j < n; j++) hit[j] = CONV(v[j]) >= k; break;          \
        }                                                                       \
        return pack_bits(hit);                                                  \
    }
#define SAME(x) (x)
#define TO_DOUBLE(x) ((double)(x))
KERNEL(kernel_i64, int64_t, int64_t, SAME)
KERNEL(kernel_i64_d, int64_t, double, TO_DOUBLE)
KERNEL(kernel_f64, double, double, SAME)
KERNEL(kernel_u32, uint32_t, uint32_t, SAME)
KERNEL(kernel_u8, uint8_t, uint8_t, SAME)

/* Bits of word @p w where column @p a OP constant @p b holds. */
static uint64_t kernel_word(const evaluator *e, const operand *a, size_t w, int op,
                            const operand *b)
{
    size_t base = w * 64, n = e->rows - base < 64 ? e->rows - base : 64;
    double kd = b->cls == DBMI_SEG_COL_F64 ? b->d : (double)b->i;
    switch (a->col.kind) {
    case DBMI_SEG_COL_I64:
        return b->cls == DBMI_SEG_COL_F64 ? kernel_i64_d(a->col.i64 + base, n, op, kd)
                                          : kernel_i64(a->col.i64 + base, n, op, b->i);
    case DBMI_SEG_COL_F64: return kernel_f64(a->col.f64 + base, n, op, kd);
    case DBMI_SEG_COL_STR:
        /* a string in no row: == never holds, != always */
        if (!b->has_id)
            return op == DBMI_SEG_NE ? ~UINT64_C(0) : 0;
        return kernel_u32(a->col.str + base, n, op, b->id);
    default: return kernel_u8(a->col.b + base, n, op, (uint8_t)(b->i != 0));
    }
}

/* Column @p a OP any of the constants @p b[0..nb) over the candidates, in
 * one pass over the column (a list is matched word by word, so a long
 * column is read once whatever the list's length). Returns 0, doing
 * nothing, unless @p a is a plain column and every @p b a constant. */
static int compare_fast(evaluator *e, const operand *a, int op, const operand *b, size_t nb,
                        const uint64_t *cand, uint64_t *t, uint64_t *f)
{
    size_t w, k;
    if (a->kind != K_COLUMN || a->col.mixed != NULL)
        return 0;
    for (k = 0; k < nb; k++)
        if (b[k].kind != K_CONST)
            return 0;
    for (w = 0; w < e->nw; w++) {
        uint64_t c = cand[w], m = 0, nn;
        if (c == 0) {
            t[w] = f[w] = 0;
            continue;
        }
        for (k = 0; k < nb; k++)
            m |= kernel_word(e, a, w, op, &b[k]);
        nn = a->col.nulls ? ~a->col.nulls[w] : ~UINT64_C(0);
        t[w] = m & nn & c;
        f[w] = ~m & nn & c;
    }
    return 1;
}

/* a OP b over the candidates, three-valued. */
static void compare(evaluator *e, const operand *a, int op, const operand *b,
                    const uint64_t *cand, uint64_t *t, uint64_t *f)
{
    size_t w, pos = 0;
    if (a->dur)
        op = dbmi_seg_mirror_op(op);
    if (a->kind == K_CONST && b->kind != K_CONST) {
        const operand *x = a;
        a = b;
        b = x;
        op = dbmi_seg_mirror_op(op);
    }
    if (a->kind == K_NULL || b->kind == K_NULL) {
        memset(t, 0, e->nw * sizeof(uint64_t));
        memset(f, 0, e->nw * sizeof(uint64_t));
        return;
    }
    if (compare_fast(e, a, op, b, 1, cand, t, f))
        return;
    if (a->kind == K_CONST && b->kind == K_CONST) {
        /* the same answer for every row (`true`, `1 < 2`) */
        scalar x, y;
        uint64_t all;
        get(a, 0, 0, &x);
        get(b, 0, 0, &y);
        all = holds(op, &x, &y) ? ~UINT64_C(0) : 0;
        for (w = 0; w < e->nw; w++) {
            t[w] = cand[w] & all;
            f[w] = cand[w] & ~all;
        }
        return;
    }
    for (w = 0; w < e->nw; w++) {
        uint64_t bits = cand[w], tw = 0, fw = 0;
        for (; bits != 0; bits &= bits - 1, pos++) {
            unsigned j = (unsigned)__builtin_ctzll(bits);
            size_t row = w * 64 + j;
            scalar x, y;
            if (is_null_at(a, row, pos) || is_null_at(b, row, pos))
                continue;
            get(a, row, pos, &x);
            get(b, row, pos, &y);
            if (holds(op, &x, &y))
                tw |= UINT64_C(1) << j;
            else
                fw |= UINT64_C(1) << j;
        }
        t[w] = tw;
        f[w] = fw;
    }
}

/* A rough relative cost, to run cheap conditions first. */
static uint64_t cost(const libdbm_segment *seg, const dbmi_seg_node *n)
{
    uint64_t c = 1;
    uint32_t i;
    switch (n->kind) {
    case DBMI_SEG_N_LIT: return 0;
    case DBMI_SEG_N_FIELD:
        /* the purchase aggregates depend on the as-of time: a source
         * computes them (for the rows still undecided) instead of reading
         * a stored column */
        return n->op >= DBMI_SEG_F_RECENCY_DAYS && n->op <= DBMI_SEG_F_LAST_PURCHASE ? 2 : 1;
    case DBMI_SEG_N_BEHAV: return 64;
    case DBMI_SEG_N_REF: {
        const libdbm_segment *ref = seg->refs[n->v.i];
        return 1 + cost(ref, &ref->nodes[ref->root]);
    }
    default:
        for (i = 0; i < n->nchildren; i++)
            c += cost(seg, dbmi_seg_child(seg, n, i));
        return c;
    }
}

typedef struct ranked {
    uint64_t cost;
    uint32_t index;
} ranked;

static int by_cost(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->cost != b->cost)
        return a->cost < b->cost ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int any_bit(const uint64_t *b, size_t nw)
{
    size_t w;
    for (w = 0; w < nw; w++)
        if (b[w])
            return 1;
    return 0;
}

/* `and` (is_and) or `or`: children cheapest first, each on the rows the
 * earlier ones left undecided. */
static int eval_chain(evaluator *e, const libdbm_segment *seg, const dbmi_seg_node *n,
                      int is_and, const uint64_t *cand, uint64_t *t, uint64_t *f)
{
    ranked *order = dbmi_malloc(e->ctx, n->nchildren * sizeof(ranked));
    uint64_t *cur = bits_new(e), *ct = bits_new(e), *cf = bits_new(e);
    uint64_t *decided = is_and ? f : t, *acc = is_and ? t : f;
    uint32_t i;
    size_t w;
    if (order == NULL)
        fail_nomem(e);
    if (e->status != LIBDBM_OK)
        goto done;
    for (i = 0; i < n->nchildren; i++) {
        order[i].cost = cost(seg, dbmi_seg_child(seg, n, i));
        order[i].index = i;
    }
    qsort(order, n->nchildren, sizeof(ranked), by_cost);
    memcpy(cur, cand, e->nw * sizeof(uint64_t));
    memcpy(acc, cand, e->nw * sizeof(uint64_t));
    memset(decided, 0, e->nw * sizeof(uint64_t));
    for (i = 0; i < n->nchildren && any_bit(cur, e->nw); i++) {
        const uint64_t *dec_child, *acc_child;
        if (eval_bool(e, seg, dbmi_seg_child(seg, n, order[i].index), cur, ct, cf) != LIBDBM_OK)
            goto done;
        dec_child = is_and ? cf : ct;
        acc_child = is_and ? ct : cf;
        for (w = 0; w < e->nw; w++) {
            acc[w] &= acc_child[w];
            decided[w] |= dec_child[w];
            cur[w] &= ~dec_child[w];
        }
    }
done:
    dbmi_free(e->ctx, order);
    dbmi_free(e->ctx, cur);
    dbmi_free(e->ctx, ct);
    dbmi_free(e->ctx, cf);
    return e->status;
}

static int eval_compare_nodes(evaluator *e, const libdbm_segment *seg, const dbmi_seg_node *a,
                              int op, const dbmi_seg_node *b, const uint64_t *cand,
                              uint64_t *t, uint64_t *f)
{
    operand x, y;
    if (load(e, seg, a, cand, &x) == LIBDBM_OK && load(e, seg, b, cand, &y) == LIBDBM_OK) {
        compare(e, &x, op, &y, cand, t, f);
        release(e, &y);
    }
    release(e, &x);
    return e->status;
}

/* x in (a, b, ...) = x == a or x == b or ... (three-valued); the items
 * are literals. */
static void match_list(evaluator *e, const operand *x, const operand *items, size_t n,
                       const uint64_t *cand, uint64_t *t, uint64_t *f)
{
    uint64_t *it, *iff;
    size_t i, w;
    if (compare_fast(e, x, DBMI_SEG_EQ, items, n, cand, t, f))
        return;
    it = bits_new(e);
    iff = bits_new(e);
    if (e->status == LIBDBM_OK) {
        memset(t, 0, e->nw * sizeof(uint64_t));
        memcpy(f, cand, e->nw * sizeof(uint64_t));
        for (i = 0; i < n; i++) {
            compare(e, x, DBMI_SEG_EQ, &items[i], cand, it, iff);
            for (w = 0; w < e->nw; w++) {
                t[w] |= it[w];
                f[w] &= iff[w];
            }
        }
    }
    dbmi_free(e->ctx, it);
    dbmi_free(e->ctx, iff);
}

static int eval_in(evaluator *e, const libdbm_segment *seg, const dbmi_seg_node *n,
                   const uint64_t *cand, uint64_t *t, uint64_t *f)
{
    operand x, *items = dbmi_calloc(e->ctx, n->nchildren, sizeof(operand));
    uint32_t i, loaded = 0;
    size_t w;
    memset(&x, 0, sizeof(x));
    if (items == NULL)
        return fail_nomem(e);
    if (load(e, seg, dbmi_seg_child(seg, n, 0), cand, &x) == LIBDBM_OK) {
        while (loaded + 1 < n->nchildren &&
               load(e, seg, dbmi_seg_child(seg, n, loaded + 1), cand, &items[loaded]) == LIBDBM_OK)
            loaded++;
        if (e->status == LIBDBM_OK)
            match_list(e, &x, items, loaded, cand, t, f);
        for (w = 0; n->negate && w < e->nw; w++) {
            uint64_t x2 = t[w];
            t[w] = f[w];
            f[w] = x2;
        }
    }
    for (i = 0; i <= loaded && i < n->nchildren; i++)
        release(e, &items[i]);
    release(e, &x);
    dbmi_free(e->ctx, items);
    return e->status;
}

static int eval_bool(evaluator *e, const libdbm_segment *seg, const dbmi_seg_node *n,
                     const uint64_t *cand, uint64_t *t, uint64_t *f)
{
    size_t w;
    switch (n->kind) {
    case DBMI_SEG_N_AND: case DBMI_SEG_N_OR:
        return eval_chain(e, seg, n, n->kind == DBMI_SEG_N_AND, cand, t, f);
    case DBMI_SEG_N_NOT:
        return eval_bool(e, seg, dbmi_seg_child(seg, n, 0), cand, f, t);
    case DBMI_SEG_N_PAREN:
        return eval_bool(e, seg, dbmi_seg_child(seg, n, 0), cand, t, f);
    case DBMI_SEG_N_REF: {
        const libdbm_segment *ref = seg->refs[n->v.i];
        if (eval_bool(e, ref, &ref->nodes[ref->root], cand, t, f) != LIBDBM_OK)
            return e->status;
        for (w = 0; w < e->nw; w++)
            f[w] = cand[w] & ~t[w]; /* membership: unknown is "not a member" */
        return LIBDBM_OK;
    }
    case DBMI_SEG_N_CMP:
        return eval_compare_nodes(e, seg, dbmi_seg_child(seg, n, 0), n->op,
                                  dbmi_seg_child(seg, n, 1), cand, t, f);
    case DBMI_SEG_N_BETWEEN: {
        uint64_t *t2 = bits_new(e), *f2 = bits_new(e);
        const dbmi_seg_node *x = dbmi_seg_child(seg, n, 0);
        if (e->status == LIBDBM_OK &&
            eval_compare_nodes(e, seg, x, DBMI_SEG_GE, dbmi_seg_child(seg, n, 1), cand, t, f) == LIBDBM_OK &&
            eval_compare_nodes(e, seg, x, DBMI_SEG_LE, dbmi_seg_child(seg, n, 2), cand, t2, f2) == LIBDBM_OK) {
            for (w = 0; w < e->nw; w++) {
                t[w] &= t2[w];
                f[w] |= f2[w];
            }
        }
        dbmi_free(e->ctx, t2);
        dbmi_free(e->ctx, f2);
        return e->status;
    }
    case DBMI_SEG_N_IN:
        return eval_in(e, seg, n, cand, t, f);
    case DBMI_SEG_N_ISNULL: {
        operand x;
        size_t pos = 0;
        if (load(e, seg, dbmi_seg_child(seg, n, 0), cand, &x) == LIBDBM_OK) {
            for (w = 0; w < e->nw; w++) {
                uint64_t nul = x.kind == K_NULL ? ~UINT64_C(0)
                             : x.kind == K_COLUMN && x.col.nulls ? x.col.nulls[w] : 0, yes;
                for (uint64_t bits = x.kind == K_COMPACT ? cand[w] : 0; bits != 0;
                     bits &= bits - 1, pos++)
                    if (is_null_at(&x, 0, pos))
                        nul |= bits & (~bits + 1); /* the lowest candidate left */
                yes = n->negate ? ~nul : nul;
                t[w] = yes & cand[w];
                f[w] = ~yes & cand[w];
            }
        }
        release(e, &x);
        return e->status;
    }
    case DBMI_SEG_N_TRUTHY: {
        operand x, zero;
        memset(&zero, 0, sizeof(zero));
        zero.kind = K_CONST;
        zero.cls = DBMI_SEG_COL_I64;
        if (load(e, seg, dbmi_seg_child(seg, n, 0), cand, &x) == LIBDBM_OK)
            compare(e, &x, DBMI_SEG_GT, &zero, cand, t, f);
        release(e, &x);
        return e->status;
    }
    default: { /* boolean literal or field: x == true */
        operand x, yes;
        memset(&yes, 0, sizeof(yes));
        yes.kind = K_CONST;
        yes.cls = DBMI_SEG_COL_BOOL;
        yes.i = 1;
        if (load(e, seg, n, cand, &x) == LIBDBM_OK)
            compare(e, &x, DBMI_SEG_EQ, &yes, cand, t, f);
        release(e, &x);
        return e->status;
    }
    }
}

int dbmi_seg_eval_columnar(libdbm_members **out, const libdbm_segment *seg,
                           const dbmi_seg_source *src, int64_t now)
{
    evaluator e;
    uint64_t *cand, *t, *f;
    size_t w;
    *out = NULL;
    memset(&e, 0, sizeof(e));
    e.ctx = seg->ctx;
    e.src = src;
    e.now = now;
    e.rows = src->rows;
    e.nw = (src->rows + 63) / 64;
    cand = bits_new(&e);
    t = bits_new(&e);
    f = bits_new(&e);
    if (e.status == LIBDBM_OK) {
        for (w = 0; w < e.nw; w++)
            cand[w] = src->rows_mask != NULL ? src->rows_mask[w] : ~UINT64_C(0);
        if (e.rows % 64 != 0)
            cand[e.nw - 1] &= (UINT64_C(1) << (e.rows % 64)) - 1;
        eval_bool(&e, seg, &seg->nodes[seg->root], cand, t, f);
    }
    dbmi_free(e.ctx, cand);
    dbmi_free(e.ctx, f);
    if (e.status != LIBDBM_OK) {
        dbmi_free(e.ctx, t);
        return e.status;
    }
    return dbmi_members_wrap(out, e.ctx, t, e.rows);
}
