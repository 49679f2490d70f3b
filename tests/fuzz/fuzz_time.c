/* libFuzzer target for the time stamp parser and formatter
 * (libdbm_time_parse / libdbm_time_format, lib/base/time.c) and the time
 * zone name check in front of the zoneinfo directory (libdbm_tz_offset,
 * lib/base/tz.c). A time that parses lies in [LIBDBM_TIME_MIN,
 * LIBDBM_TIME_MAX], formats, and its text (and its date's) parses back to
 * it (to its day); any 64-bit value made from the input's first bytes
 * formats exactly when it is in that range, and back. The input as a zone
 * name either is refused or gives an offset within what TZif allows (and
 * is refused when it spells a zone's file another way). A
 * violation calls abort(). Build and run: docs/fuzzing.md; the seed
 * corpus (tests/fuzz/corpus/time) is hand-written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "libdbm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t floor_day(int64_t t)
{
    int64_t r = t % 86400;
    return t - (r < 0 ? r + 86400 : r);
}

/* @p t formats exactly when in range; the text reads back to @p t and the
 * date to its midnight. */
static void round_trip(int64_t t)
{
    char text[LIBDBM_TIME_FORMAT_SIZE], date[LIBDBM_TIME_FORMAT_DATE_SIZE];
    int64_t back = 0, day = 0;
    int in_range = t >= LIBDBM_TIME_MIN && t <= LIBDBM_TIME_MAX;
    int status = libdbm_time_format(text, sizeof(text), t);
    if ((status == LIBDBM_OK) != in_range ||
        (libdbm_time_format_date(date, sizeof(date), t) == LIBDBM_OK) != in_range) {
        fprintf(stderr, "time %lld: format gives %s\n", (long long)t, libdbm_strerror(status));
        abort();
    }
    if (!in_range)
        return;
    if (libdbm_time_parse(&back, text) != LIBDBM_OK || back != t ||
        libdbm_time_parse(&day, date) != LIBDBM_OK || day != floor_day(t)) {
        fprintf(stderr, "time %lld: '%s' reads %lld, '%s' reads %lld\n", (long long)t, text,
                (long long)back, date, (long long)day);
        abort();
    }
}

/* A zone that loads is cached under its name for the context's life: a
 * second spelling of one file ("Europe//Berlin", "Europe/Berlin/") must be
 * refused, or hostile names could grow the cache without bound. */
static int aliased(const char *name)
{
    size_t len = strlen(name);
    return strstr(name, "//") != NULL || (len > 0 && name[len - 1] == '/');
}

static void zone(libdbm_context *ctx, const char *name, int64_t t)
{
    int32_t offset = 1;
    int status = libdbm_tz_offset(ctx, &offset, name, t);
    if (status == LIBDBM_OK ? offset < -89999 || offset > 93599 || aliased(name) : offset != 0) {
        fprintf(stderr, "zone '%s' at %lld: %s, offset %d\n", name, (long long)t,
                libdbm_strerror(status), (int)offset);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static libdbm_context *ctx;
    char *text;
    int64_t t = 0;
    uint64_t bits = 0;
    size_t k;
    int status;
    if (ctx == NULL && libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 0;
    if ((text = fuzz_text(data, size)) == NULL)
        return 0;
    status = libdbm_time_parse(&t, text);
    if (status == LIBDBM_OK) {
        if (t < LIBDBM_TIME_MIN || t > LIBDBM_TIME_MAX)
            abort();
        round_trip(t);
    } else if (status != LIBDBM_ESYNTAX) {
        abort();
    }
    for (k = 0; k < 8 && k < size; k++)
        bits |= (uint64_t)data[k] << (8 * k);
    round_trip((int64_t)bits);
    round_trip((int64_t)(bits % (uint64_t)(LIBDBM_TIME_MAX - LIBDBM_TIME_MIN + 1)) +
               LIBDBM_TIME_MIN);
    /* Zone names: the check must refuse what would leave the zoneinfo
     * directory; found zones are cached, so this stays cheap. */
    if (size < 300 && memchr(data, '\0', size) == NULL) {
        zone(ctx, text, status == LIBDBM_OK ? t : 1700000000);
        zone(ctx, text, INT64_MIN);
        zone(ctx, text, INT64_MAX);
    }
    free(text);
    return 0;
}
