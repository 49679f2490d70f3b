/* libFuzzer target for the TZif reader and the POSIX TZ rule parser
 * (lib/base/tzif.c, tz_posix.c, tz.c). The input is a TZif file in memory;
 * when it loads, every query of the zone is exercised on instants taken
 * from the input. The same input is also parsed as a bare TZ string.
 * Build and run: docs/fuzzing.md. Without libFuzzer, fuzz_main.c runs it
 * over a seed corpus (meson test suite `fuzz`). */
#include <stdint.h>
#include <string.h>

#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t instant_from(const uint8_t *data, size_t size, size_t k)
{
    uint64_t v = 0x9e3779b97f4a7c15u * (k + 1);
    size_t i;
    for (i = 0; i < 8 && i < size; i++)
        v = (v << 8 | data[(k * 8 + i) % size]) ^ (v >> 56);
    /* Mostly plausible instants, sometimes any int64. */
    if (k % 4 != 3)
        return (int64_t)(v % UINT64_C(600000000000)) - INT64_C(300000000000);
    return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static libdbm_context *ctx;
    dbmi_tz *tz = NULL;
    dbmi_tz_posix rule;
    const char *problem;
    size_t where, k;

    if (ctx == NULL && libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 0;
    if (dbmi_tz_from_tzif(ctx, data, size, "fuzz", "fuzz input", &tz) == LIBDBM_OK) {
        for (k = 0; k < 16; k++) {
            int64_t t = instant_from(data, size, k), e, l, next;
            dbmi_local_time lt;
            int steps;
            (void)dbmi_tz_offset_at(tz, t);
            (void)dbmi_tz_local_to_utc(tz, t, &e, &l);
            dbmi_tz_local_fields(tz, t, &lt);
            next = t;
            for (steps = 0; steps < 8 && next != INT64_MAX; steps++)
                next = dbmi_tz_next_transition(tz, next);
        }
        dbmi_tz_free(ctx, tz);
    }
    if (size < 256 && dbmi_tz_posix_parse((const char *)data, size, &rule, &problem,
                                          &where) == 0) {
        for (k = 0; k < 8; k++) {
            int64_t t = instant_from(data, size, k);
            (void)dbmi_tz_posix_offset_at(&rule, t);
            (void)dbmi_tz_posix_next_change(&rule, t);
        }
    }
    return 0;
}
