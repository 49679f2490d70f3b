/* Time zone offset lookups per second (dbmi_tz_offset_at, the policy hot
 * path, and the public libdbm_tz_offset with its cache lookup by name) for
 * random instants in 1970-2100, against the baseline of glibc's
 * localtime_r() with TZ set to the same zone, measured in the same run.
 * Usage: bench-tz [LOOKUPS]. Also counts disagreements with localtime_r's
 * tm_gmtoff (expected 0). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tz.h"

#define INSTANTS 65536

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng = 88172645463325252u;

static int64_t random_instant(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (int64_t)(rng % UINT64_C(4102444800));     /* 1970 .. 2100 */
}

int main(int argc, char **argv)
{
    static const char *const zones[] = { "America/New_York", "Europe/Berlin",
                                         "Australia/Lord_Howe" };
    long lookups = argc > 1 ? atol(argv[1]) : 20000000;
    static int64_t instants[INSTANTS];
    libdbm_context *ctx;
    size_t z;
    long i;

    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 1;
    for (i = 0; i < INSTANTS; i++)
        instants[i] = random_instant();
    printf("%ld lookups per zone, random instants 1970-2100\n", lookups);
    for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        const dbmi_tz *tz;
        double t0, t_internal, t_public, t_libc;
        int64_t sink = 0;
        long mismatches = 0;
        int32_t off;
        char env[64];

        if (dbmi_tz_get(ctx, zones[z], &tz) != LIBDBM_OK)
            return 1;
        snprintf(env, sizeof(env), "TZ=:%s", zones[z]);
        putenv(env);
        tzset();

        t0 = now_ns();
        for (i = 0; i < lookups; i++)
            sink += dbmi_tz_offset_at(tz, instants[i & (INSTANTS - 1)]);
        t_internal = (now_ns() - t0) / (double)lookups;

        t0 = now_ns();
        for (i = 0; i < lookups; i++) {
            libdbm_tz_offset(ctx, &off, zones[z], instants[i & (INSTANTS - 1)]);
            sink += off;
        }
        t_public = (now_ns() - t0) / (double)lookups;

        t0 = now_ns();
        for (i = 0; i < lookups; i++) {
            struct tm tm;
            time_t t = (time_t)instants[i & (INSTANTS - 1)];
            localtime_r(&t, &tm);
            sink += tm.tm_gmtoff;
        }
        t_libc = (now_ns() - t0) / (double)lookups;

        for (i = 0; i < INSTANTS; i++) {
            struct tm tm;
            time_t t = (time_t)instants[i];
            localtime_r(&t, &tm);
            mismatches += tm.tm_gmtoff != dbmi_tz_offset_at(tz, instants[i]);
        }
        printf("%-20s dbmi_tz_offset_at %6.1f ns (%5.1f M/s)  libdbm_tz_offset %6.1f ns"
               "  localtime_r %6.1f ns (%5.1f M/s)  speed-up vs localtime_r %.1fx"
               "  mismatches %ld  [%lld]\n",
               zones[z], t_internal, 1e3 / t_internal, t_public, t_libc,
               1e3 / t_libc, t_libc / t_internal, mismatches, (long long)(sink & 1));
    }
    libdbm_context_free(ctx);
    return 0;
}
