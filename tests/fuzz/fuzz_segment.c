/* libFuzzer target for the segment language: compile the input (with a
 * registry holding two named segments); when it compiles, its printed text
 * must compile to the same text again, the columnar evaluator must agree
 * with the row-at-a-time interpreter over a small fake source, and its
 * evaluation over a small random store must give the members that the
 * public-API reference finds (tests/segment/ref_source.c). A violation
 * aborts, which the fuzzer reports as a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../segment/fake_source.h"
#include "../segment/ref_source.h"
#include "libdbm.h"

static rs_store store;
static libdbm_context *store_ctx;

static void close_store(void)
{
    rs_close(&store);
    libdbm_context_free(store_ctx);
}

/* The random store every input is evaluated over, built on first use. */
static rs_store *fuzz_store(void)
{
    if (store_ctx == NULL) {
        if (libdbm_context_new(&store_ctx, NULL) != LIBDBM_OK ||
            rs_open(&store, store_ctx, 7, 40, 400) != LIBDBM_OK)
            abort();
        atexit(close_store);
    }
    return &store;
}

static void check_store(const libdbm_segment *seg)
{
    rs_store *rs = fuzz_store();
    libdbm_members *got = NULL, *want = NULL, *d = NULL;
    ref_source ref;
    int64_t as_of = RS_NOW - 45 * 86400;
    if (libdbm_segment_evaluate(&got, seg, rs->store, as_of) != LIBDBM_OK)
        abort();
    ref_source_init(&ref, rs, as_of);
    if (dbmi_seg_eval_rows(&want, seg, &ref.source, as_of) != LIBDBM_OK || ref.status != LIBDBM_OK ||
        libdbm_members_minus(&d, got, want) != LIBDBM_OK || libdbm_members_count(d) != 0 ||
        libdbm_members_count(got) != libdbm_members_count(want))
        abort();
    ref_source_fini(&ref);
    libdbm_members_free(got);
    libdbm_members_free(want);
    libdbm_members_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_segment(libdbm_context *ctx, libdbm_segment *seg,
                          const libdbm_segment_registry *reg)
{
    char *text = NULL, *again = NULL;
    libdbm_segment *back = NULL;
    libdbm_members *a = NULL, *b = NULL, *d = NULL;
    fake_source fs;
    if (libdbm_segment_to_string(seg, &text) != LIBDBM_OK)
        return;
    if (libdbm_segment_compile_with(&back, ctx, text, reg) != LIBDBM_OK ||
        libdbm_segment_to_string(back, &again) != LIBDBM_OK || strcmp(text, again) != 0)
        abort();
    fake_source_init(&fs, 99, 130, 20, 4);
    if (dbmi_seg_eval_columnar(&a, seg, &fs.source, FAKE_NOW) == LIBDBM_OK &&
        dbmi_seg_eval_rows(&b, seg, &fs.source, FAKE_NOW) == LIBDBM_OK) {
        if (libdbm_members_minus(&d, a, b) != LIBDBM_OK || libdbm_members_count(d) != 0 ||
            libdbm_members_count(a) != libdbm_members_count(b))
            abort();
    }
    fake_source_fini(&fs);
    check_store(seg);
    libdbm_members_free(a);
    libdbm_members_free(b);
    libdbm_members_free(d);
    libdbm_segment_free(back);
    libdbm_free_string(text);
    libdbm_free_string(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    libdbm_context *ctx;
    libdbm_segment_registry *reg;
    libdbm_segment *seg, *named;
    char *text;
    if (size > 70000)
        return 0;
    text = malloc(size + 1);
    if (text == NULL || libdbm_context_new(&ctx, NULL) != LIBDBM_OK) {
        free(text);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    if (libdbm_segment_registry_new(&reg, ctx) == LIBDBM_OK) {
        if (libdbm_segment_compile(&named, ctx, "p_alive > 0.5 and consent.email") == LIBDBM_OK) {
            libdbm_segment_registry_define(reg, "vip", named);
            libdbm_segment_free(named);
        }
        if (libdbm_segment_compile_with(&named, ctx, "segment(\"vip\") or frequency >= 3", reg) == LIBDBM_OK) {
            libdbm_segment_registry_define(reg, "loyal", named);
            libdbm_segment_free(named);
        }
        if (libdbm_segment_compile_with(&seg, ctx, text, reg) == LIBDBM_OK) {
            check_segment(ctx, seg, reg);
            libdbm_segment_free(seg);
        } else {
            /* the position must be consistent with the status */
            int32_t line, column;
            int status = libdbm_segment_last_error(ctx, &line, &column);
            if (status == LIBDBM_OK || line < 0 || column < 0)
                abort();
        }
        libdbm_segment_registry_free(reg);
    }
    libdbm_context_free(ctx);
    free(text);
    return 0;
}
