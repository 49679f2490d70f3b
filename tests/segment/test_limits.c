/* Limits: nesting depth, expression size and node count give LIBDBM_ELIMIT
 * with a message, never a stack overflow; long flat expressions and the
 * deepest allowed nesting still compile and evaluate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fake_source.h"

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t len = strlen(head) + strlen(unit) * n + strlen(tail) + 1, i;
    size_t hl = strlen(head), ul = strlen(unit);
    char *s = malloc(len), *p;
    if (s == NULL)
        abort();
    p = s;
    memcpy(p, head, hl);
    p += hl;
    for (i = 0; i < n; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, tail, strlen(tail) + 1);
    return s;
}

static char *nested(size_t depth)
{
    char *open = repeat("", "(", depth, "consent.email"), *all;
    all = repeat(open, ")", depth, "");
    free(open);
    return all;
}

static void expect_limit(libdbm_context *ctx, const char *expr, const char *fragment)
{
    libdbm_segment *seg = (libdbm_segment *)1;
    CHECK_STATUS(libdbm_segment_compile(&seg, ctx, expr), LIBDBM_ELIMIT);
    CHECK(seg == NULL);
    if (strstr(libdbm_context_errmsg(ctx), fragment) == NULL) {
        printf("message [%s] lacks [%s]\n", libdbm_context_errmsg(ctx), fragment);
        CHECK(0);
    }
    CHECK(libdbm_segment_last_error(ctx, NULL, NULL) == LIBDBM_ELIMIT);
}

static void expect_same(libdbm_context *ctx, const char *expr, fake_source *fs)
{
    libdbm_segment *seg;
    libdbm_members *a, *b;
    size_t r;
    CHECK_OK(libdbm_segment_compile(&seg, ctx, expr));
    CHECK_OK(dbmi_seg_eval_columnar(&a, seg, &fs->source, FAKE_NOW));
    CHECK_OK(dbmi_seg_eval_rows(&b, seg, &fs->source, FAKE_NOW));
    CHECK(libdbm_members_count(a) == libdbm_members_count(b));
    for (r = 0; r < fs->rows; r++)
        CHECK(libdbm_members_contains(a, (int64_t)r) == libdbm_members_contains(b, (int64_t)r));
    libdbm_members_free(a);
    libdbm_members_free(b);
    libdbm_segment_free(seg);
}

int main(void)
{
    libdbm_context *ctx;
    libdbm_segment_registry *reg;
    libdbm_segment *seg;
    fake_source fs;
    char *s, *t;
    int32_t line, column;

    CHECK_OK(libdbm_context_new(&ctx, NULL));
    fake_source_init(&fs, 42, 500, 20, 4);

    /* nesting: 256 levels compile and evaluate, 257 do not */
    s = nested(256);
    expect_same(ctx, s, &fs);
    free(s);
    s = nested(257);
    expect_limit(ctx, s, "expected at most 256 levels of nesting");
    CHECK(libdbm_segment_last_error(ctx, &line, &column) == LIBDBM_ELIMIT && line == 1 && column == 257);
    free(s);
    s = repeat("", "not ", 256, "consent.email");
    expect_same(ctx, s, &fs);
    free(s);
    s = repeat("", "not ", 300, "consent.email");
    expect_limit(ctx, s, "levels of nesting");
    free(s);
    s = repeat("consent.email and ", "(p_alive > 0.5 or ", 300, "true");
    expect_limit(ctx, s, "levels of nesting");
    free(s);

    /* size: 1 MiB of '(' and anything over 64 KiB fail before parsing */
    s = repeat("", "(", 1 << 20, "");
    expect_limit(ctx, s, "expected an expression of at most 65536 bytes");
    CHECK(libdbm_segment_last_error(ctx, &line, &column) == LIBDBM_ELIMIT && line == 0 && column == 0);
    free(s);
    s = repeat("", "(", 65536, "");
    expect_limit(ctx, s, "levels of nesting");
    free(s);
    s = repeat("true", " or true", 8200, "");
    expect_limit(ctx, s, "at most 65536 bytes");
    free(s);

    /* nodes: 4000 comparisons of 3 nodes each in under 64 KiB */
    s = repeat("1<2", " or 1<2", 4000, "");
    CHECK(strlen(s) < 65536);
    expect_limit(ctx, s, "expected at most 10000 nodes");
    free(s);
    /* a long flat expression under the limits: no recursion per operand */
    s = repeat("p_alive > 0.5", " or frequency == 3 and consent.sms", 1500, "");
    CHECK(strlen(s) < 65536);
    expect_same(ctx, s, &fs);
    free(s);

    /* nesting through referenced segments counts too */
    CHECK_OK(libdbm_segment_registry_new(&reg, ctx));
    s = nested(200);
    CHECK_OK(libdbm_segment_compile(&seg, ctx, s));
    free(s);
    CHECK_OK(libdbm_segment_registry_define(reg, "deep", seg));
    libdbm_segment_free(seg);
    s = repeat("", "(", 40, "segment(\"deep\")");
    t = repeat(s, ")", 40, "");
    CHECK_OK(libdbm_segment_compile_with(&seg, ctx, t, reg));
    libdbm_segment_free(seg);
    free(s);
    free(t);
    s = repeat("", "(", 60, "segment(\"deep\")");
    t = repeat(s, ")", 60, "");
    CHECK_STATUS(libdbm_segment_compile_with(&seg, ctx, t, reg), LIBDBM_ELIMIT);
    CHECK(strstr(libdbm_context_errmsg(ctx), "including referenced segments") != NULL);
    free(s);
    free(t);
    libdbm_segment_registry_free(reg);

    /* bad arguments */
    CHECK_STATUS(libdbm_segment_compile(NULL, ctx, "true"), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_segment_compile(&seg, ctx, NULL), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_segment_compile(&seg, NULL, "true"), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_segment_to_string(NULL, &s), LIBDBM_EINVAL);

    fake_source_fini(&fs);
    libdbm_context_free(ctx);
    puts("segment-limits: ok");
    return 0;
}
