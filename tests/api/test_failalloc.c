/* The allocation-failure sweep itself: it must pass clean scenarios and
 * catch leaks, wrong status codes and scenarios that never finish; then it
 * sweeps the context's own lifecycle. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "failalloc.h"

static int context_lifecycle(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    int status = libdbm_context_new(&ctx, options);
    (void)user_data;
    if (status != LIBDBM_OK)
        return status;
    CHECK_OK(libdbm_context_set_log(ctx, NULL, LIBDBM_LOG_DEBUG, NULL));
    libdbm_context_free(ctx);
    return LIBDBM_OK;
}

/* Allocates through a second context and forgets to free it when the
 * second allocation fails: the sweep must notice. */
static int leaky_scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *first, *second;
    int status = libdbm_context_new(&first, options);
    (void)user_data;
    if (status != LIBDBM_OK)
        return status;
    status = libdbm_context_new(&second, options);
    if (status != LIBDBM_OK)
        return status; /* the leak: first is not freed */
    libdbm_context_free(second);
    libdbm_context_free(first);
    return LIBDBM_OK;
}

/* Turns an allocation failure into the wrong status. */
static int wrong_status_scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx;
    (void)user_data;
    if (libdbm_context_new(&ctx, options) != LIBDBM_OK)
        return LIBDBM_EIO;
    libdbm_context_free(ctx);
    return LIBDBM_OK;
}

static int never_succeeds(const libdbm_context_options *options, void *user_data)
{
    (void)options;
    (void)user_data;
    return LIBDBM_EIO;
}

int main(void)
{
    failalloc_report report;

    CHECK(failalloc_sweep(context_lifecycle, NULL, 10, &report) == 0);
    CHECK(report.runs == 2 && report.allocations == 1);

    CHECK(failalloc_sweep(leaky_scenario, NULL, 10, &report) == -1);
    CHECK(strstr(report.problem, "leaked") != NULL);

    CHECK(failalloc_sweep(wrong_status_scenario, NULL, 10, &report) == -1);
    CHECK(strstr(report.problem, "expected LIBDBM_ENOMEM") != NULL);

    CHECK(failalloc_sweep(never_succeeds, NULL, 10, &report) == -1);
    CHECK(strstr(report.problem, "no allocation failed") != NULL);

    failalloc_sweep_or_die("context lifecycle", context_lifecycle, NULL, 10);
    puts("api-failalloc: ok");
    return 0;
}
