/* The allocation-failure sweep: runs a scenario once for every N with the
 * Nth allocation failing, until a run completes without reaching the failing
 * allocation. Every run must end in LIBDBM_ENOMEM (when a failure was
 * injected) or LIBDBM_OK (when it was not), never crash, and leave no block
 * allocated. Every object's tests run their scenarios through it. */
#ifndef LIBDBM_TEST_FAILALLOC_H
#define LIBDBM_TEST_FAILALLOC_H

#include <libdbm.h>

/* A scenario creates its context from @p options (which carry the failing
 * allocator), does its work, frees everything and returns the first status
 * that failed, or LIBDBM_OK. */
typedef int (*failalloc_scenario)(const libdbm_context_options *options,
                                  void *user_data);

typedef struct failalloc_report {
    long runs;              /* scenario runs made, the last one succeeding */
    long allocations;       /* allocations the successful run made */
    char problem[256];      /* what went wrong, "" when the sweep passed */
} failalloc_report;

/* Returns 0 when the sweep passed, -1 with report->problem set otherwise.
 * @p max_runs bounds the sweep (a scenario that never succeeds fails). */
int failalloc_sweep(failalloc_scenario scenario, void *user_data,
                    long max_runs, failalloc_report *report);

/* Runs the sweep and exits the test with a message when it fails. */
void failalloc_sweep_or_die(const char *name, failalloc_scenario scenario,
                            void *user_data, long max_runs);

#endif
