/* Semantics on a hand-written four-row source whose answers are worked
 * out by hand: three-valued logic (null compares unknown, `not` of unknown
 * is unknown, membership = TRUE), behaviour windows and their edges,
 * calendar months, verified ages, segment references, registry cycles and
 * member-set operations. Each expectation is checked against both
 * evaluators. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "source.h"

#define DAY 86400
/* 2024-03-31T00:00:00Z: one month back is 2024-02-29 (clamped). */
#define NOW INT64_C(1711843200)
#define ROWS 4

static const double p_alive[ROWS] = {0.9, 0.5, 0, 0.9};
static const uint64_t p_alive_nulls[1] = {1u << 2};
static const uint8_t consent[ROWS] = {1, 0, 0, 1};
static const uint64_t consent_nulls[1] = {1u << 2};
static const uint32_t country[ROWS] = {0, 1, 0, 0};
static const uint64_t country_nulls[1] = {(1u << 2) | (1u << 3)};
static const int64_t verified[ROWS] = {NOW - 10 * DAY, NOW - 400 * DAY, 0, NOW - 30 * DAY};
static const uint64_t verified_nulls[1] = {1u << 2};
static const char *const dict[] = {"BR", "US"};

/* purchases: times per row */
static const int64_t purchases[ROWS][3] = {
    {NOW - 1 * DAY, NOW - 100 * DAY, 0},
    {0, 0, 0},
    {NOW - 89 * DAY, 0, 0},
    {NOW - 90 * DAY, INT64_C(1709164800) /* 2024-02-29 */, INT64_C(1709164801)},
};
static const int npurchases[ROWS] = {2, 0, 1, 3};

static int column(void *self, const dbmi_seg_field_ref *f, dbmi_seg_column *out)
{
    (void)self;
    memset(out, 0, sizeof(*out));
    if (f->field == DBMI_SEG_F_P_ALIVE) {
        out->kind = DBMI_SEG_COL_F64; out->f64 = p_alive; out->nulls = p_alive_nulls;
    } else if (f->field == DBMI_SEG_F_CONSENT && strcmp(f->name, "email") == 0) {
        out->kind = DBMI_SEG_COL_BOOL; out->b = consent; out->nulls = consent_nulls;
    } else if (f->field == DBMI_SEG_F_ATTR && strcmp(f->name, "country") == 0) {
        out->kind = DBMI_SEG_COL_STR; out->str = country; out->nulls = country_nulls;
    } else if (f->field == DBMI_SEG_F_VERIFIED_AGE && strcmp(f->name, "email") == 0) {
        out->kind = DBMI_SEG_COL_I64; out->i64 = verified; out->nulls = verified_nulls;
    }
    return LIBDBM_OK;
}

static int string_id(void *self, const char *s, size_t len, uint32_t *id, int *found)
{
    uint32_t i;
    (void)self;
    *found = 0;
    for (i = 0; i < 2; i++)
        if (strlen(dict[i]) == len && memcmp(dict[i], s, len) == 0) {
            *id = i;
            *found = 1;
        }
    return LIBDBM_OK;
}

static void count_one(const dbmi_seg_behaviour_ref *b, size_t row, int64_t *count, double *amount)
{
    int k;
    *count = 0;
    *amount = 0;
    if (b->behaviour != DBMI_SEG_B_PURCHASES)
        return;
    for (k = 0; k < npurchases[row]; k++)
        if (purchases[row][k] > b->from && purchases[row][k] <= b->to)
            ++*count;
}

static int counts(void *self, const dbmi_seg_behaviour_ref *b, const uint32_t *rows, size_t n,
                  int64_t *c, double *a)
{
    size_t k;
    (void)self;
    for (k = 0; k < n; k++)
        count_one(b, rows[k], &c[k], &a[k]);
    return LIBDBM_OK;
}

static int row_value(void *self, const dbmi_seg_field_ref *f, size_t row, dbmi_seg_row_value *out)
{
    dbmi_seg_column col;
    column(self, f, &col);
    memset(out, 0, sizeof(*out));
    if (col.kind == DBMI_SEG_COL_NONE || (col.nulls && ((col.nulls[0] >> row) & 1)))
        return LIBDBM_OK;
    out->kind = col.kind;
    switch (col.kind) {
    case DBMI_SEG_COL_F64: out->d = col.f64[row]; break;
    case DBMI_SEG_COL_BOOL: out->i = col.b[row]; break;
    case DBMI_SEG_COL_I64: out->i = col.i64[row]; break;
    default: out->s = dict[col.str[row]]; out->len = strlen(out->s); break;
    }
    return LIBDBM_OK;
}

static int row_count(void *self, const dbmi_seg_behaviour_ref *b, size_t row, int64_t *c, double *a)
{
    (void)self;
    count_one(b, row, c, a);
    return LIBDBM_OK;
}

static const dbmi_seg_source source = {NULL, ROWS, NULL, column, string_id, counts,
                                      row_value, row_count, NULL};

typedef struct expectation {
    const char *expr;
    unsigned members; /* bit r = row r is a member */
} expectation;

static const expectation expectations[] = {
    {"p_alive > 0.8", 0x9},
    {"not p_alive > 0.8", 0x2},                 /* row 2: not unknown = unknown */
    {"not (p_alive > 0.8)", 0x2},
    {"p_alive > 0.8 or consent.email", 0x9},
    {"p_alive is null", 0x4},
    {"p_alive is not null", 0xB},
    {"not (p_alive > 0.8) or p_alive is null", 0x6},
    {"consent.email or true", 0xF},             /* unknown or true = true */
    {"consent.email and false", 0x0},
    {"not (consent.email and false)", 0xF},     /* unknown and false = false */
    {"not (consent.email or false)", 0x2},      /* unknown or false = unknown */
    {"not (consent.email and true)", 0x2},      /* unknown and true = unknown */
    {"consent.email == false", 0x2},
    {"(consent.email == true) == (p_alive > 0.8)", 0xB},
    {"attr.country == \"BR\"", 0x1},
    {"attr.country != \"BR\"", 0x2},            /* missing attribute compares false */
    {"attr.country not in (\"BR\")", 0x2},
    {"attr.country in (\"BR\", \"XX\")", 0x1},
    {"attr.country == \"XX\"", 0x0},
    {"attr.country != \"XX\"", 0x3},
    {"attr.country is null", 0xC},
    {"attr.nothing is null", 0xF},
    {"attr.nothing == 1 or not attr.nothing == 1", 0x0},
    {"attr.country == 5", 0x0},                 /* read with another type: null */
    {"p_alive between 0.5 and 0.9", 0xB},
    {"p_alive between 0.6 and 0.9", 0x9},
    {"purchases(last 90d) >= 1", 0xD},
    {"purchases(last 90d)", 0xD},
    {"not purchases(last 90d)", 0x2},
    {"purchases(last 90d) == 2", 0x8},          /* row 3's purchase at exactly now-90d is outside */
    {"purchases(last 90d) == 3", 0x0},
    {"purchases(last 91d) >= 1", 0xD},
    {"purchases(last 24h)", 0x0},
    {"purchases(last 1y) == 2", 0x1},
    {"purchases(last 1mo) >= 1", 0x9},         /* from 2024-02-29 exclusive: row 3 has one second after */
    {"purchases(last 1mo) == 1", 0x9},
    {"purchases(last 1mo) == 2", 0x0},
    {"purchases(last 5w) >= 2", 0x8},           /* 35 days: 2024-02-25 */
    {"verified_age(email) < 30d", 0x1},
    {"verified_age(email) <= 30d", 0x9},
    {"verified_age(email) > 1y", 0x2},
    {"verified_age(email) between 1d and 1mo", 0x9},
    {"verified_age(email) is null", 0x4},
    {"2 <= purchases(last 1y)", 0x9},
    {"0.8 < p_alive", 0x9},
};

static unsigned as_mask(const libdbm_members *m)
{
    unsigned mask = 0;
    int64_t slot = -1;
    while (libdbm_members_next(m, &slot) == LIBDBM_OK)
        mask |= 1u << slot;
    return mask;
}

static unsigned eval_both(libdbm_context *ctx, const char *expr, libdbm_segment_registry *reg)
{
    libdbm_segment *seg;
    libdbm_members *a, *b;
    unsigned ma, mb;
    if (libdbm_segment_compile_with(&seg, ctx, expr, reg) != LIBDBM_OK) {
        printf("[%s]: %s\n", expr, libdbm_context_errmsg(ctx));
        CHECK(0);
    }
    CHECK_OK(dbmi_seg_eval_columnar(&a, seg, &source, NOW));
    CHECK_OK(dbmi_seg_eval_rows(&b, seg, &source, NOW));
    ma = as_mask(a);
    mb = as_mask(b);
    CHECK(libdbm_members_count(a) == __builtin_popcount(ma));
    if (ma != mb)
        printf("[%s]: columnar %#x, reference %#x\n", expr, ma, mb);
    CHECK(ma == mb);
    libdbm_members_free(a);
    libdbm_members_free(b);
    libdbm_segment_free(seg);
    return ma;
}

static void registry_and_sets(libdbm_context *ctx)
{
    libdbm_segment_registry *reg;
    libdbm_segment *vip, *uses_vip, *again;
    libdbm_members *a, *b, *c;
    int64_t slot;

    CHECK_OK(libdbm_segment_registry_new(&reg, ctx));
    CHECK_OK(libdbm_segment_compile(&vip, ctx, "p_alive > 0.8"));
    CHECK_OK(libdbm_segment_registry_define(reg, "vip", vip));
    CHECK(eval_both(ctx, "segment(\"vip\") and consent.email", reg) == 0x9);
    CHECK(eval_both(ctx, "not segment(\"vip\")", reg) == 0x6); /* membership is two-valued */
    /* a segment defined under a name it refers to is a cycle */
    CHECK_OK(libdbm_segment_compile_with(&uses_vip, ctx, "segment(\"vip\") or consent.email", reg));
    CHECK_STATUS(libdbm_segment_registry_define(reg, "vip", uses_vip), LIBDBM_EINVAL);
    CHECK(strstr(libdbm_context_errmsg(ctx), "cycle") != NULL);
    CHECK_OK(libdbm_segment_registry_define(reg, "vip_or_email", uses_vip));
    CHECK_OK(libdbm_segment_compile_with(&again, ctx, "segment(\"vip_or_email\")", reg));
    CHECK_STATUS(libdbm_segment_registry_define(reg, "vip", again), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_segment_registry_define(reg, "bad name", vip), LIBDBM_EINVAL);
    /* redefinition does not change segments compiled earlier */
    CHECK_OK(libdbm_segment_registry_define(reg, "vip", again == NULL ? vip : vip));
    libdbm_segment_free(vip);
    CHECK_OK(libdbm_segment_compile(&vip, ctx, "p_alive < 0.8"));
    CHECK_OK(libdbm_segment_registry_define(reg, "vip", vip));
    CHECK(eval_both(ctx, "segment(\"vip_or_email\")", reg) == 0x9);
    CHECK(eval_both(ctx, "segment(\"vip\")", reg) == 0x2);

    CHECK_OK(dbmi_seg_eval_columnar(&a, uses_vip, &source, NOW));  /* {0,3} */
    CHECK_OK(dbmi_seg_eval_columnar(&b, vip, &source, NOW));       /* {1} */
    CHECK_OK(libdbm_members_or(&c, a, b));
    CHECK(as_mask(c) == 0xB && libdbm_members_count(c) == 3);
    libdbm_members_free(c);
    CHECK_OK(libdbm_members_and(&c, a, b));
    CHECK(as_mask(c) == 0 && libdbm_members_count(c) == 0);
    slot = -1;
    CHECK_STATUS(libdbm_members_next(c, &slot), LIBDBM_ENOTFOUND);
    libdbm_members_free(c);
    CHECK_OK(libdbm_members_minus(&c, a, a));
    CHECK(libdbm_members_count(c) == 0);
    libdbm_members_free(c);
    CHECK_OK(libdbm_members_minus(&c, a, b));
    CHECK(as_mask(c) == 0x9);
    CHECK(libdbm_members_contains(c, 3) && !libdbm_members_contains(c, 1) &&
          !libdbm_members_contains(c, 99) && !libdbm_members_contains(c, -1));
    slot = -2;
    CHECK_STATUS(libdbm_members_next(c, &slot), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_members_and(NULL, a, b), LIBDBM_EINVAL);
    libdbm_members_free(c);
    libdbm_members_free(a);
    libdbm_members_free(b);
    libdbm_members_free(NULL);
    libdbm_segment_free(again);
    libdbm_segment_free(uses_vip);
    libdbm_segment_free(vip);
    libdbm_segment_registry_free(reg);
    libdbm_segment_registry_free(NULL);
    libdbm_segment_free(NULL);
}

int main(void)
{
    libdbm_context *ctx;
    size_t i, failures = 0;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    for (i = 0; i < sizeof(expectations) / sizeof(expectations[0]); i++) {
        unsigned got = eval_both(ctx, expectations[i].expr, NULL);
        if (got != expectations[i].members) {
            printf("[%s]: members %#x, expected %#x\n", expectations[i].expr, got,
                   expectations[i].members);
            failures++;
        }
    }
    registry_and_sets(ctx);
    libdbm_context_free(ctx);
    printf("segment-semantics: %zu expectations, %zu failures\n", i, failures);
    return failures == 0 ? 0 : 1;
}
