/* Splitting scoring work over threads: contiguous chunks, one job per
 * thread, the calling thread running the first. Workers never allocate or
 * report errors (the context's allocator and per-thread error message
 * belong to the caller); jobs carry their own results. */
#ifndef LIBDBM_SCORING_PARALLEL_H
#define LIBDBM_SCORING_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

#define DBMI_MAX_THREADS 64

/* The threads to use for @p n items: @p requested (0 means 1) capped at
 * DBMI_MAX_THREADS, and fewer so that each gets at least @p min_items. */
int32_t dbmi_thread_count(int32_t requested, int64_t n, int64_t min_items);

/* Item range of chunk @p k of @p count over [0, n). */
void dbmi_chunk(int64_t n, int32_t k, int32_t count, int64_t *begin, int64_t *end);

/* Runs fn on each of @p count jobs (an array of @p job_size bytes each),
 * job 0 on the calling thread; a job whose thread cannot be created runs
 * on the calling thread afterwards (same result). Returns when all ended. */
void dbmi_parallel_run(void (*fn)(void *job), void *jobs, size_t job_size, int32_t count);

#endif
