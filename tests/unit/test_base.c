/* Unit tests of lib/base: allocation helpers, exported strings, the
 * per-thread error message and the log. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "context_private.h"
#include "failalloc.h"

static void test_grow_array(void)
{
    libdbm_context *ctx;
    int *array = NULL;
    size_t capacity = 0;
    size_t i;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(dbmi_grow_array(ctx, (void **)&array, &capacity, 100, sizeof(int)));
    CHECK(capacity >= 100);
    for (i = 0; i < 100; i++)
        array[i] = (int)i;
    CHECK_OK(dbmi_grow_array(ctx, (void **)&array, &capacity, 1000, sizeof(int)));
    CHECK(capacity >= 1000 && array[99] == 99);
    /* A request whose byte size overflows fails cleanly and keeps the array. */
    CHECK_STATUS(dbmi_grow_array(ctx, (void **)&array, &capacity, SIZE_MAX / 2, 8),
                 LIBDBM_ENOMEM);
    CHECK(array[99] == 99);
    CHECK(strstr(libdbm_context_errmsg(ctx), "too large") != NULL);
    dbmi_free(ctx, array);
    CHECK(dbmi_calloc(ctx, SIZE_MAX / 4, 8) == NULL);
    libdbm_context_free(ctx);
}

static void test_size_arithmetic(void)
{
    size_t out;
    CHECK(dbmi_size_mul(SIZE_MAX, 2, &out) == 1);
    CHECK(dbmi_size_mul(3, 4, &out) == 0 && out == 12);
    CHECK(dbmi_size_add(SIZE_MAX, 1, &out) == 1);
    CHECK(dbmi_size_add(1, 2, &out) == 0 && out == 3);
}

static int export_scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    char *text;
    int status = libdbm_context_new(&ctx, options);
    (void)user_data;
    if (status != LIBDBM_OK)
        return status;
    text = dbmi_export_string(ctx, "customer-42 and more", 11);
    if (text == NULL) {
        libdbm_context_free(ctx);
        return LIBDBM_ENOMEM;
    }
    CHECK(strcmp(text, "customer-42") == 0);
    libdbm_free_string(text);
    libdbm_context_free(ctx);
    return LIBDBM_OK;
}

static void test_exported_strings(void)
{
    /* The sweep's allocator counts blocks: a string freed through
     * libdbm_free_string() must go back to the context's allocator. */
    failalloc_sweep_or_die("export string", export_scenario, NULL, 100);
    libdbm_free_string(NULL);
}

typedef struct thread_case {
    libdbm_context *ctx;
    int code;
    char seen[64];
} thread_case;

static void *fail_in_thread(void *arg)
{
    thread_case *tc = arg;
    int i;
    for (i = 0; i < 1000; i++) {
        CHECK(dbmi_error(tc->ctx, tc->code, "thread %d", tc->code) == tc->code);
        CHECK(libdbm_context_errcode(tc->ctx) == tc->code);
    }
    snprintf(tc->seen, sizeof(tc->seen), "%s", libdbm_context_errmsg(tc->ctx));
    return NULL;
}

static void test_errors_are_per_thread(void)
{
    libdbm_context *ctx;
    pthread_t threads[2];
    thread_case cases[2];
    int i;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK(strcmp(libdbm_context_errmsg(ctx), "") == 0);
    CHECK(libdbm_context_errcode(ctx) == LIBDBM_OK);
    for (i = 0; i < 2; i++) {
        cases[i].ctx = ctx;
        cases[i].code = i == 0 ? LIBDBM_EIO : LIBDBM_ESYNTAX;
        CHECK(pthread_create(&threads[i], NULL, fail_in_thread, &cases[i]) == 0);
    }
    for (i = 0; i < 2; i++)
        CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(strcmp(cases[0].seen, "thread -3") == 0);
    CHECK(strcmp(cases[1].seen, "thread -7") == 0);
    /* The main thread met no failure on this context. */
    CHECK(strcmp(libdbm_context_errmsg(ctx), "") == 0);
    libdbm_context_free(ctx);
}

static void test_errors_do_not_outlive_context(void)
{
    libdbm_context *first, *second;
    CHECK_OK(libdbm_context_new(&first, NULL));
    dbmi_error(first, LIBDBM_ECORRUPT, "record %d is corrupt", 7);
    CHECK(strcmp(libdbm_context_errmsg(first), "record 7 is corrupt") == 0);
    libdbm_context_free(first);
    /* A new context, possibly at the same address, starts clean. */
    CHECK_OK(libdbm_context_new(&second, NULL));
    CHECK(strcmp(libdbm_context_errmsg(second), "") == 0);
    libdbm_context_free(second);
}

typedef struct log_capture {
    int calls;
    int level;
    char last[256];
} log_capture;

static void capture_log(int level, const char *message, void *user_data)
{
    log_capture *cap = user_data;
    cap->calls++;
    cap->level = level;
    snprintf(cap->last, sizeof(cap->last), "%s", message);
}

static void test_log_levels(void)
{
    libdbm_context *ctx;
    log_capture cap = { 0, 0, "" };
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    dbmi_log(ctx, LIBDBM_LOG_ERROR, "dropped: no callback");
    CHECK_OK(libdbm_context_set_log(ctx, capture_log, LIBDBM_LOG_WARNING, &cap));
    dbmi_log(ctx, LIBDBM_LOG_INFO, "below the level");
    CHECK(cap.calls == 0);
    dbmi_log(ctx, LIBDBM_LOG_WARNING, "disk %d%% full", 91);
    CHECK(cap.calls == 1 && cap.level == LIBDBM_LOG_WARNING);
    CHECK(strcmp(cap.last, "disk 91% full") == 0);
    /* Failures reach the log at DEBUG level only. */
    dbmi_error(ctx, LIBDBM_EIO, "write failed");
    CHECK(cap.calls == 1);
    CHECK_OK(libdbm_context_set_log(ctx, capture_log, LIBDBM_LOG_DEBUG, &cap));
    dbmi_error(ctx, LIBDBM_EIO, "write failed");
    CHECK(cap.calls == 2 && strcmp(cap.last, "input/output error: write failed") == 0);
    CHECK_STATUS(libdbm_context_set_log(ctx, capture_log, 99, &cap), LIBDBM_EINVAL);
    libdbm_context_free(ctx);
}

int main(void)
{
    test_grow_array();
    test_size_arithmetic();
    test_exported_strings();
    test_errors_are_per_thread();
    test_errors_do_not_outlive_context();
    test_log_levels();
    puts("unit-base: ok");
    return 0;
}
