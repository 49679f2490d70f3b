/* Timing helpers of the segment benchmarks (segment_timing.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "segment_timing.h"

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

timing start(void)
{
    timing t = {now_seconds(), cpu_seconds()};
    return t;
}

timing since(timing t0)
{
    timing t = {now_seconds() - t0.wall, cpu_seconds() - t0.cpu};
    return t;
}

timing best_of(timing a, timing b)
{
    timing t = {a.wall < b.wall ? a.wall : b.wall, a.cpu < b.cpu ? a.cpu : b.cpu};
    return t;
}

void require_same_members(const libdbm_members *a, const libdbm_members *b)
{
    libdbm_members *diff = NULL;
    if (libdbm_members_minus(&diff, a, b) != LIBDBM_OK || libdbm_members_count(diff) != 0 ||
        libdbm_members_count(a) != libdbm_members_count(b)) {
        fprintf(stderr, "evaluators disagree\n");
        exit(1);
    }
    libdbm_members_free(diff);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

const char *const brief_example =
    "rfm.segment in (\"Champions\",\"Loyal Customers\") and p_alive > 0.8 and consent.email and "
    "attr.country == \"BR\" and purchases(last 90d) >= 2 and not contacted(email, last 7d)";

void bench_compile(libdbm_context *ctx)
{
    enum { RUNS = 20000 };
    static double lat[RUNS];
    double total = 0, t0;
    int i;
    size_t len = strlen(brief_example);
    for (i = 0; i < RUNS; i++) {
        libdbm_segment *seg;
        t0 = now_seconds();
        if (libdbm_segment_compile(&seg, ctx, brief_example) != LIBDBM_OK)
            exit(1);
        lat[i] = now_seconds() - t0;
        total += lat[i];
        libdbm_segment_free(seg);
    }
    /* baseline: one pass over the text (strlen + copy), the least any compiler does */
    t0 = now_seconds();
    for (i = 0; i < RUNS; i++) {
        char *copy = malloc(len + 1);
        memcpy(copy, brief_example, len + 1);
        __asm__ volatile("" : : "r"(copy) : "memory");
        free(copy);
    }
    {
        double base = (now_seconds() - t0) / RUNS;
        qsort(lat, RUNS, sizeof(double), by_value);
        printf("compile brief example (%zu bytes): mean %.2f us, p50 %.2f us, p99 %.2f us "
               "(target <= 50 us); %.0fx a malloc+copy of the text (%.3f us)\n",
               len, total / RUNS * 1e6, lat[RUNS / 2] * 1e6, lat[RUNS * 99 / 100] * 1e6,
               total / RUNS / base, base * 1e6);
    }
}
