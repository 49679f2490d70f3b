/* The allocation-failure sweep over compile (with a registry), printing,
 * both evaluators and member-set operations: every run ends in OK or
 * ENOMEM and leaks nothing. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "failalloc.h"
#include "fake_source.h"

static const char *const brief_example =
    "rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and consent.email and "
    "attr.country == \"BR\" and purchases(last 90d) >= 2 and not contacted(email, last 7d)";

static int scenario(const libdbm_context_options *options, void *user_data)
{
    fake_source *fs = user_data;
    libdbm_context *ctx;
    libdbm_segment_registry *reg = NULL;
    libdbm_segment *vip = NULL, *seg = NULL;
    libdbm_members *a = NULL, *b = NULL, *c = NULL;
    char *text = NULL;
    int status = libdbm_context_new(&ctx, options);
    if (status != LIBDBM_OK)
        return status;
    if ((status = libdbm_segment_registry_new(&reg, ctx)) != LIBDBM_OK ||
        (status = libdbm_segment_compile(&vip, ctx, brief_example)) != LIBDBM_OK ||
        (status = libdbm_segment_registry_define(reg, "vip", vip)) != LIBDBM_OK ||
        (status = libdbm_segment_compile_with(&seg, ctx,
             "segment(\"vip\") or (verified_age(sms) < 6mo and attr.name == \"caf\\u00e9\" and "
             "event(\"signup\", last 1y)) or (p_alive > 0.5) == consent.sms", reg)) != LIBDBM_OK ||
        (status = libdbm_segment_to_string(seg, &text)) != LIBDBM_OK ||
        (status = dbmi_seg_eval_columnar(&a, seg, &fs->source, FAKE_NOW)) != LIBDBM_OK ||
        (status = dbmi_seg_eval_rows(&b, seg, &fs->source, FAKE_NOW)) != LIBDBM_OK ||
        (status = libdbm_members_minus(&c, a, b)) != LIBDBM_OK)
        goto done;
    CHECK(libdbm_members_count(c) == 0);
    CHECK(libdbm_members_count(a) == libdbm_members_count(b));
    /* a syntax error must still say ESYNTAX (or ENOMEM) under pressure */
    {
        libdbm_segment *bad = NULL;
        int s = libdbm_segment_compile(&bad, ctx, "p_alive > \"x");
        CHECK(s == LIBDBM_ESYNTAX || s == LIBDBM_ENOMEM);
        if (s == LIBDBM_ENOMEM)
            status = s;
    }
done:
    libdbm_free_string(text);
    libdbm_members_free(a);
    libdbm_members_free(b);
    libdbm_members_free(c);
    libdbm_segment_free(seg);
    libdbm_segment_free(vip);
    libdbm_segment_registry_free(reg);
    libdbm_context_free(ctx);
    return status;
}

int main(void)
{
    fake_source fs;
    fake_source_init(&fs, 7, 300, 10, 4);
    failalloc_sweep_or_die("segment compile and evaluate", scenario, &fs, 2000);
    fake_source_fini(&fs);
    puts("segment-failalloc: ok");
    return 0;
}
