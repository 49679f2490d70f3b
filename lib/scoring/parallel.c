/* Scoring's thread helper (parallel.h). */
#include <pthread.h>

#include "parallel.h"

int32_t dbmi_thread_count(int32_t requested, int64_t n, int64_t min_items)
{
    int32_t threads = requested < 1 ? 1 : requested;
    if (threads > DBMI_MAX_THREADS)
        threads = DBMI_MAX_THREADS;
    if ((int64_t)threads * min_items > n)
        threads = (int32_t)(n / min_items > 0 ? n / min_items : 1);
    return threads;
}

void dbmi_chunk(int64_t n, int32_t k, int32_t count, int64_t *begin, int64_t *end)
{
    /* n < 2^63 / 64: the products cannot overflow for any array in memory */
    *begin = n / count * k + (n % count) * k / count;
    *end = n / count * (k + 1) + (n % count) * (k + 1) / count;
}

typedef struct thread_start {
    void (*fn)(void *job);
    void *job;
} thread_start;

static void *run_thread(void *arg)
{
    thread_start *start = arg;
    start->fn(start->job);
    return NULL;
}

void dbmi_parallel_run(void (*fn)(void *job), void *jobs, size_t job_size, int32_t count)
{
    pthread_t tids[DBMI_MAX_THREADS];
    thread_start starts[DBMI_MAX_THREADS];
    int started[DBMI_MAX_THREADS];
    char *base = jobs;
    if (count > DBMI_MAX_THREADS)
        count = DBMI_MAX_THREADS;
    for (int32_t k = 1; k < count; k++) {
        starts[k].fn = fn;
        starts[k].job = base + (size_t)k * job_size;
        started[k] = pthread_create(&tids[k], NULL, run_thread, &starts[k]) == 0;
    }
    if (count > 0)
        fn(base);
    for (int32_t k = 1; k < count; k++) {
        if (started[k])
            pthread_join(tids[k], NULL);
        else
            fn(base + (size_t)k * job_size);
    }
}
