/* Public API of the context, version and status queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void test_status_texts(void)
{
    int code;
    /* Every pinned code has its own text; unknown ones say so. */
    for (code = LIBDBM_ELIMIT; code <= LIBDBM_OK; code++) {
        int other;
        CHECK(strcmp(libdbm_strerror(code), "unknown error") != 0);
        for (other = code + 1; other <= LIBDBM_OK; other++)
            CHECK(strcmp(libdbm_strerror(code), libdbm_strerror(other)) != 0);
    }
    CHECK(strcmp(libdbm_strerror(LIBDBM_ELIMIT - 1), "unknown error") == 0);
    CHECK(strcmp(libdbm_strerror(1), "unknown error") == 0);
    /* Pinned values: changing one is an ABI break. */
    CHECK(LIBDBM_EINVAL == -1 && LIBDBM_ENOMEM == -2 && LIBDBM_EIO == -3);
    CHECK(LIBDBM_ECORRUPT == -4 && LIBDBM_ELOCKED == -5 && LIBDBM_ENOTFOUND == -6);
    CHECK(LIBDBM_ESYNTAX == -7 && LIBDBM_ELIMIT == -14);
}

static void test_version(int built_with_zlib)
{
    char expected[32];
    snprintf(expected, sizeof(expected), "%d.%d.%d", LIBDBM_VERSION_MAJOR,
             LIBDBM_VERSION_MINOR, LIBDBM_VERSION_PATCH);
    /* The header macros and the build's version must agree. */
    CHECK(strcmp(libdbm_version(), expected) == 0);
    CHECK(libdbm_version_number() == LIBDBM_VERSION_NUMBER);
    CHECK(libdbm_has_feature(LIBDBM_FEATURE_ZLIB) == built_with_zlib);
    CHECK(libdbm_has_feature(0) == 0);
    CHECK(libdbm_has_feature(12345) == 0);
}

static void test_options(void)
{
    libdbm_context_options opts;
    libdbm_context_options from_macro = LIBDBM_CONTEXT_OPTIONS_INIT;
    libdbm_context *ctx = (libdbm_context *)&opts;

    CHECK_STATUS(libdbm_context_options_init(NULL), LIBDBM_EINVAL);
    CHECK_OK(libdbm_context_options_init(&opts));
    CHECK(opts.struct_size == sizeof(opts));
    CHECK(memcmp(&opts, &from_macro, sizeof(opts)) == 0);

    CHECK_STATUS(libdbm_context_new(NULL, NULL), LIBDBM_EINVAL);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    libdbm_context_free(ctx);
    CHECK_OK(libdbm_context_new(&ctx, &opts));
    libdbm_context_free(ctx);

    /* A struct from a newer library version cannot be honoured. */
    opts.struct_size = (uint32_t)sizeof(opts) + 8;
    ctx = (libdbm_context *)&opts;
    CHECK_STATUS(libdbm_context_new(&ctx, &opts), LIBDBM_EINVAL);
    CHECK(ctx == NULL);
    opts.struct_size = 2;
    CHECK_STATUS(libdbm_context_new(&ctx, &opts), LIBDBM_EINVAL);

    /* An older struct that stops before the allocator gets defaults. */
    opts.struct_size = 8;
    opts.malloc_fn = NULL;
    CHECK_OK(libdbm_context_new(&ctx, &opts));
    libdbm_context_free(ctx);

    libdbm_context_options_init(&opts);
    opts.log_level = 17;
    CHECK_STATUS(libdbm_context_new(&ctx, &opts), LIBDBM_EINVAL);
    libdbm_context_free(NULL);
}

static void *plain_malloc(size_t size, void *user_data)
{
    ++*(int *)user_data;
    return malloc(size);
}

static void test_incomplete_allocator(void)
{
    libdbm_context_options opts = LIBDBM_CONTEXT_OPTIONS_INIT;
    libdbm_context *ctx;
    int calls = 0;
    opts.malloc_fn = plain_malloc;
    opts.alloc_user_data = &calls;
    CHECK_STATUS(libdbm_context_new(&ctx, &opts), LIBDBM_EINVAL);
    CHECK(calls == 0);
}

static int64_t fake_clock(void *user_data)
{
    return *(int64_t *)user_data;
}

static void test_clock(void)
{
    libdbm_context_options opts = LIBDBM_CONTEXT_OPTIONS_INIT;
    libdbm_context *ctx;
    int64_t fake_now = 875577600; /* 1997-09-30T00:00:00Z */
    int64_t system_now;
    opts.clock_fn = fake_clock;
    opts.clock_user_data = &fake_now;
    CHECK_OK(libdbm_context_new(&ctx, &opts));
    CHECK(libdbm_context_now(ctx) == 875577600);
    fake_now += 86400;
    CHECK(libdbm_context_now(ctx) == 875664000);
    CHECK_OK(libdbm_context_set_clock(ctx, NULL, NULL));
    system_now = libdbm_context_now(ctx);
    CHECK(system_now > 1700000000); /* the system clock, well after 2023 */
    CHECK_STATUS(libdbm_context_set_clock(NULL, fake_clock, &fake_now), LIBDBM_EINVAL);
    CHECK(libdbm_context_now(NULL) == 0);
    libdbm_context_free(ctx);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    test_status_texts();
    test_version(atoi(argv[1]));
    test_options();
    test_incomplete_allocator();
    test_clock();
    puts("api-context: ok");
    return 0;
}
