#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "failalloc.h"

/* Every block carries a header linking it into the allocator's list, so the
 * sweep can count what a scenario leaked and then free it (keeping leak
 * checkers quiet about leaks the sweep itself has already reported). */
typedef struct block_header {
    struct block_header *prev, *next;
    alignas(max_align_t) unsigned char payload[];
} block_header;

typedef struct failing_allocator {
    long fail_at;               /* 1-based allocation that fails; 0 never */
    long count;                 /* allocations attempted */
    long live;                  /* blocks allocated and not freed */
    int injected;               /* the failing allocation was reached */
    block_header blocks;        /* list head of live blocks */
    pthread_mutex_t lock;       /* scenarios may allocate from several threads */
} failing_allocator;

static block_header *header_of(void *ptr)
{
    return (block_header *)((unsigned char *)ptr - offsetof(block_header, payload));
}

static void link_block(failing_allocator *fa, block_header *b)
{
    b->next = fa->blocks.next;
    b->prev = &fa->blocks;
    fa->blocks.next->prev = b;
    fa->blocks.next = b;
}

static void unlink_block(block_header *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

/* Counts an allocation attempt; returns 1 when this one must fail.
 * Called with the lock held. */
static int must_fail(failing_allocator *fa)
{
    fa->count++;
    if (fa->fail_at != 0 && fa->count == fa->fail_at) {
        fa->injected = 1;
        return 1;
    }
    return 0;
}

static void *failing_realloc(void *old, size_t size, void *user_data)
{
    failing_allocator *fa = user_data;
    block_header *b = NULL;
    pthread_mutex_lock(&fa->lock);
    if (!must_fail(fa) && size <= SIZE_MAX - sizeof(block_header)) {
        if (old != NULL)
            unlink_block(header_of(old));
        b = realloc(old ? header_of(old) : NULL, sizeof(block_header) + size);
        if (b != NULL) {
            link_block(fa, b);
            if (old == NULL)
                fa->live++;
        } else if (old != NULL) {
            link_block(fa, header_of(old)); /* realloc failed: old block stays */
        }
    }
    pthread_mutex_unlock(&fa->lock);
    return b ? b->payload : NULL;
}

static void *failing_malloc(size_t size, void *user_data)
{
    return failing_realloc(NULL, size, user_data);
}

static void failing_free(void *ptr, void *user_data)
{
    failing_allocator *fa = user_data;
    if (ptr == NULL)
        return;
    pthread_mutex_lock(&fa->lock);
    unlink_block(header_of(ptr));
    fa->live--;
    pthread_mutex_unlock(&fa->lock);
    free(header_of(ptr));
}

static void free_leftovers(failing_allocator *fa)
{
    while (fa->blocks.next != &fa->blocks) {
        block_header *b = fa->blocks.next;
        unlink_block(b);
        free(b);
    }
}

/* Runs the scenario once with allocation @p n failing; returns -1 with the
 * report filled when the run breaks the sweep's rules, 1 when it completed
 * without reaching the failure, 0 to go on. */
static int run_once(failalloc_scenario scenario, void *user_data, long n,
                    failalloc_report *report)
{
    failing_allocator fa = { n, 0, 0, 0, { NULL, NULL }, PTHREAD_MUTEX_INITIALIZER };
    libdbm_context_options options = LIBDBM_CONTEXT_OPTIONS_INIT;
    int status, verdict = 0;
    fa.blocks.next = fa.blocks.prev = &fa.blocks;
    options.malloc_fn = failing_malloc;
    options.realloc_fn = failing_realloc;
    options.free_fn = failing_free;
    options.alloc_user_data = &fa;
    status = scenario(&options, user_data);
    report->runs = n;
    if (fa.live != 0) {
        snprintf(report->problem, sizeof(report->problem),
                 "allocation %ld failing: %ld block(s) leaked (status %d)", n, fa.live,
                 status);
        verdict = -1;
    } else if (fa.injected && status != LIBDBM_ENOMEM) {
        snprintf(report->problem, sizeof(report->problem),
                 "allocation %ld failing: status %d (%s), expected LIBDBM_ENOMEM", n,
                 status, libdbm_strerror(status));
        verdict = -1;
    } else if (!fa.injected && status != LIBDBM_OK) {
        snprintf(report->problem, sizeof(report->problem),
                 "no allocation failed, yet the scenario returned %d (%s)", status,
                 libdbm_strerror(status));
        verdict = -1;
    } else if (!fa.injected) {
        report->allocations = fa.count;
        verdict = 1;
    }
    free_leftovers(&fa);
    pthread_mutex_destroy(&fa.lock);
    return verdict;
}

int failalloc_sweep(failalloc_scenario scenario, void *user_data,
                    long max_runs, failalloc_report *report)
{
    long n;
    report->runs = 0;
    report->allocations = 0;
    report->problem[0] = '\0';
    for (n = 1; n <= max_runs; n++) {
        int verdict = run_once(scenario, user_data, n, report);
        if (verdict != 0)
            return verdict < 0 ? -1 : 0;
    }
    snprintf(report->problem, sizeof(report->problem),
             "scenario did not complete within %ld runs", max_runs);
    return -1;
}

void failalloc_sweep_or_die(const char *name, failalloc_scenario scenario,
                            void *user_data, long max_runs)
{
    failalloc_report report;
    if (failalloc_sweep(scenario, user_data, max_runs, &report) != 0) {
        fprintf(stderr, "allocation-failure sweep '%s' failed: %s\n", name,
                report.problem);
        exit(1);
    }
    printf("allocation-failure sweep '%s': %ld runs, %ld allocations\n", name,
           report.runs, report.allocations);
}
