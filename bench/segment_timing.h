/* Shared by the segment benchmarks (bench_segment.c over fake rows,
 * bench_segment_store.c over a profile store): the clocks, the brief's
 * example expression, the compile-time measurement and the check that both
 * evaluators agree. */
#ifndef LIBDBM_BENCH_SEGMENT_TIMING_H
#define LIBDBM_BENCH_SEGMENT_TIMING_H

#include "libdbm.h"

extern const char *const brief_example;

/* Monotonic seconds. */
double now_seconds(void);
/* CPU seconds of the calling thread: on a shared machine, what the work
 * cost whatever else ran. */
double cpu_seconds(void);
/* Wall and CPU time of one piece of work: t = start(); ...; t = since(t). */
typedef struct timing {
    double wall, cpu;
} timing;
timing start(void);
timing since(timing t0);
/* The smaller of each. */
timing best_of(timing a, timing b);

/* Exits with a message unless the two member sets (the columnar
 * evaluator's and the row-at-a-time interpreter's) are equal. */
void require_same_members(const libdbm_members *a, const libdbm_members *b);

/* Compiles the brief's example many times and prints the mean, median and
 * 99th percentile against the 50 us target. */
void bench_compile(libdbm_context *ctx);

#endif
