/* Unit tests of lib/base/tz*.c: known offsets, DST gaps and overlaps, local
 * fields across transitions, footer rules (J, n, Mm.w.d, times beyond 24 h
 * and negative, permanent DST), hostile and corrupt files, hostile names,
 * the cache (threads, directory changes) and the allocation-failure sweep.
 * The comparison with an independent implementation is check_tz.py. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "civil_time.h"
#include "failalloc.h"
#include "tz.h"

#define HOUR 3600
#define DAY INT64_C(86400)

static libdbm_context *ctx;

static const dbmi_tz *zone(const char *name)
{
    const dbmi_tz *tz = NULL;
    int status = dbmi_tz_get(ctx, name, &tz);
    if (status != LIBDBM_OK) {
        fprintf(stderr, "loading %s: %s\n", name, libdbm_context_errmsg(ctx));
        CHECK_OK(status);
    }
    CHECK(tz != NULL);
    return tz;
}

/* Seconds of a date-time, UTC or "local seconds". */
static int64_t at(int64_t y, int mo, int d, int h, int mi, int s)
{
    return dbmi_days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + s;
}

/* Day of month of the @p n-th (5 = last) Sunday of @p month. */
static int nth_sunday(int64_t year, int month, int n)
{
    int day, last = 0, count = 0;
    for (day = 1; day <= dbmi_days_in_month(year, month); day++) {
        if (dbmi_weekday_from_days(dbmi_days_from_civil(year, month, day)) == 0) {
            last = day;
            if (++count == n)
                return day;
        }
    }
    return last;
}

/* ---- A TZif writer for synthetic files --------------------------------- */

typedef struct tzif_spec {
    int version;                /* 1, 2 or 3 */
    uint32_t timecnt;
    const int64_t *times;
    const uint8_t *indices;
    uint32_t typecnt;
    const int32_t *utoffs;
    const uint8_t *isdst;       /* NULL: all 0 */
    uint32_t leapcnt;
    const char *footer;         /* v2+: the TZ string; NULL: no footer at all */
} tzif_spec;

static unsigned char *put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static unsigned char *put_be64(unsigned char *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    return put_be32(p + 4, (uint32_t)v);
}

static unsigned char *put_header(unsigned char *p, int version, uint32_t timecnt,
                                 uint32_t typecnt, uint32_t charcnt, uint32_t leapcnt)
{
    memcpy(p, "TZif", 4);
    p[4] = version == 1 ? 0 : (unsigned char)('0' + version);
    memset(p + 5, 0, 15);
    p = put_be32(p + 20, 0);        /* isutcnt */
    p = put_be32(p, 0);             /* isstdcnt */
    p = put_be32(p, leapcnt);
    p = put_be32(p, timecnt);
    p = put_be32(p, typecnt);
    return put_be32(p, charcnt);
}

static unsigned char *put_block(unsigned char *p, const tzif_spec *s, int wide)
{
    uint32_t i;
    for (i = 0; i < s->timecnt; i++)
        p = wide ? put_be64(p, (uint64_t)s->times[i])
                 : put_be32(p, (uint32_t)(int32_t)s->times[i]);
    for (i = 0; i < s->timecnt; i++)
        *p++ = s->indices[i];
    for (i = 0; i < s->typecnt; i++) {
        p = put_be32(p, (uint32_t)s->utoffs[i]);
        *p++ = s->isdst ? s->isdst[i] : 0;
        *p++ = 0;
    }
    memcpy(p, "ABC", 4);
    p += 4;
    for (i = 0; i < s->leapcnt; i++) {
        p = wide ? put_be64(p, (uint64_t)(78796800 + i)) : put_be32(p, 78796800u + i);
        p = put_be32(p, i + 1);
    }
    return p;
}

/* Writes the file into a malloc'ed buffer; *len receives its size. */
static unsigned char *build_tzif(const tzif_spec *s, size_t *len)
{
    size_t cap = 200 + (size_t)s->timecnt * 9 + (size_t)s->typecnt * 6 +
                 (size_t)s->leapcnt * 12 + (s->footer ? strlen(s->footer) : 0);
    unsigned char *buf = malloc(cap), *p = buf;
    CHECK(buf != NULL);
    if (s->version == 1) {
        p = put_header(p, 1, s->timecnt, s->typecnt, 4, s->leapcnt);
        p = put_block(p, s, 0);
    } else {
        /* A minimal version 1 block, as "slim" files have. */
        static const int32_t zero = 0;
        tzif_spec v1 = { 1, 0, NULL, NULL, 1, &zero, NULL, 0, NULL };
        p = put_header(p, s->version, 0, 1, 4, 0);
        p = put_block(p, &v1, 0);
        p = put_header(p, s->version, s->timecnt, s->typecnt, 4, s->leapcnt);
        p = put_block(p, s, 1);
        if (s->footer != NULL) {
            *p++ = '\n';
            memcpy(p, s->footer, strlen(s->footer));
            p += strlen(s->footer);
            *p++ = '\n';
        }
    }
    *len = (size_t)(p - buf);
    return buf;
}

static int load_spec(const tzif_spec *s, dbmi_tz **out)
{
    size_t len;
    unsigned char *data = build_tzif(s, &len);
    int status = dbmi_tz_from_tzif(ctx, data, len, "synthetic", "synthetic", out);
    free(data);
    return status;
}

/* A zone ruled by @p footer from 1970 on (one transition at 0). */
static dbmi_tz *footer_zone(const char *footer, int32_t offset)
{
    static const int64_t times[] = { 0 };
    static const uint8_t indices[] = { 1 };
    int32_t utoffs[2];
    tzif_spec s = { 2, 1, times, indices, 2, utoffs, NULL, 0, footer };
    dbmi_tz *tz = NULL;
    utoffs[0] = 1234;
    utoffs[1] = offset;
    if (load_spec(&s, &tz) != LIBDBM_OK) {
        fprintf(stderr, "footer '%s': %s\n", footer, libdbm_context_errmsg(ctx));
        CHECK(0);
    }
    return tz;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(1 << 20);
    CHECK(f != NULL && buf != NULL);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* ---- Known values ---------------------------------------------------- */

static void test_known_offsets(void)
{
    const dbmi_tz *ny = zone("America/New_York");
    CHECK(dbmi_tz_offset_at(ny, at(2024, 1, 15, 12, 0, 0)) == -5 * HOUR);
    CHECK(dbmi_tz_offset_at(ny, at(2024, 7, 1, 12, 0, 0)) == -4 * HOUR);
    /* Footer territory, far beyond the expanded table. */
    CHECK(dbmi_tz_offset_at(ny, at(2500, 7, 1, 12, 0, 0)) == -4 * HOUR);
    CHECK(dbmi_tz_offset_at(ny, at(9999, 12, 31, 0, 0, 0)) == -5 * HOUR);
    /* Local mean time before 1883-11-18 (-4:56:02). */
    CHECK(dbmi_tz_offset_at(ny, at(1800, 1, 1, 0, 0, 0)) == -(4 * HOUR + 56 * 60 + 2));
    CHECK(dbmi_tz_offset_at(zone("Asia/Kathmandu"), at(2024, 6, 1, 0, 0, 0)) ==
          5 * HOUR + 45 * 60);
    CHECK(dbmi_tz_offset_at(zone("Australia/Lord_Howe"), at(2024, 1, 15, 0, 0, 0)) ==
          11 * HOUR);
    CHECK(dbmi_tz_offset_at(zone("Australia/Lord_Howe"), at(2024, 7, 15, 0, 0, 0)) ==
          10 * HOUR + 30 * 60);
    /* Sao Paulo: DST in the southern summer until it was abolished in 2019. */
    CHECK(dbmi_tz_offset_at(zone("America/Sao_Paulo"), at(2018, 12, 15, 0, 0, 0)) ==
          -2 * HOUR);
    CHECK(dbmi_tz_offset_at(zone("America/Sao_Paulo"), at(2024, 12, 15, 0, 0, 0)) ==
          -3 * HOUR);
    CHECK(dbmi_tz_offset_at(zone("UTC"), at(2024, 1, 1, 0, 0, 0)) == 0);
    CHECK(dbmi_tz_next_transition(zone("UTC"), 0) == INT64_MAX);
    CHECK(dbmi_tz_next_transition(zone("America/Sao_Paulo"), at(2020, 1, 1, 0, 0, 0)) ==
          INT64_MAX);
    CHECK(strcmp(dbmi_tz_name(ny), "America/New_York") == 0);
    /* Any int64 is accepted. */
    (void)dbmi_tz_offset_at(ny, INT64_MIN);
    (void)dbmi_tz_offset_at(ny, INT64_MAX);
    (void)dbmi_tz_next_transition(ny, INT64_MAX);
    (void)dbmi_tz_next_transition(ny, INT64_MIN);
}

/* ---- Gaps and overlaps ------------------------------------------------ */

/* @p gap_start/@p overlap_start: local seconds at which the clock jumps
 * forward / falls back by one hour; @p std: the standard offset. */
static void check_gap_and_overlap(const dbmi_tz *tz, int64_t gap_start,
                                  int64_t overlap_start, int32_t std)
{
    int64_t earliest = 7, latest = 7, l;
    /* Spring forward: wall times [gap_start, gap_start + 1h) never happen. */
    for (l = gap_start; l < gap_start + HOUR; l += 599)
        CHECK(dbmi_tz_local_to_utc(tz, l, &earliest, &latest) == 0);
    CHECK(earliest == 7 && latest == 7);
    CHECK(dbmi_tz_local_to_utc(tz, gap_start + HOUR - 1, &earliest, &latest) == 0);
    CHECK(dbmi_tz_local_to_utc(tz, gap_start - 1, &earliest, &latest) == 1);
    CHECK(earliest == gap_start - 1 - std && latest == earliest);
    CHECK(dbmi_tz_local_to_utc(tz, gap_start + HOUR, &earliest, &latest) == 1);
    CHECK(earliest == gap_start + HOUR - (std + HOUR) && latest == earliest);
    /* Fall back: wall times [overlap_start - 1h, overlap_start) happen twice,
     * first in DST, then in standard time. */
    for (l = overlap_start - HOUR; l < overlap_start; l += 599) {
        CHECK(dbmi_tz_local_to_utc(tz, l, &earliest, &latest) == 2);
        CHECK(earliest == l - (std + HOUR));
        CHECK(latest == l - std);
        CHECK(dbmi_tz_offset_at(tz, earliest) == std + HOUR);
        CHECK(dbmi_tz_offset_at(tz, latest) == std);
    }
    CHECK(dbmi_tz_local_to_utc(tz, overlap_start, &earliest, &latest) == 1);
    CHECK(earliest == overlap_start - std);
    CHECK(dbmi_tz_local_to_utc(tz, overlap_start - HOUR - 1, &earliest, &latest) == 1);
    CHECK(earliest == overlap_start - HOUR - 1 - (std + HOUR));
}

static void test_gaps_and_overlaps(void)
{
    static const int64_t years[] = { 1997, 2024, 2150, 2300, 4321 };
    const dbmi_tz *ny = zone("America/New_York"), *berlin = zone("Europe/Berlin");
    size_t i;
    for (i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        int64_t y = years[i];
        /* US rules since 2007 (2nd Sunday of March, 1st Sunday of November,
         * 02:00 local); 1987-2006: 1st Sunday of April, last Sunday of October.
         * The EU rules hold from 1996 on. */
        if (y >= 2007)
            check_gap_and_overlap(ny, at(y, 3, nth_sunday(y, 3, 2), 2, 0, 0),
                                  at(y, 11, nth_sunday(y, 11, 1), 2, 0, 0), -5 * HOUR);
        else
            check_gap_and_overlap(ny, at(y, 4, nth_sunday(y, 4, 1), 2, 0, 0),
                                  at(y, 10, nth_sunday(y, 10, 5), 2, 0, 0), -5 * HOUR);
        /* EU: last Sundays of March (02:00 CET) and October (03:00 CEST). */
        check_gap_and_overlap(berlin, at(y, 3, nth_sunday(y, 3, 5), 2, 0, 0),
                              at(y, 10, nth_sunday(y, 10, 5), 3, 0, 0), HOUR);
    }
}

/* ---- Local fields across transitions ---------------------------------- */

static void check_fields(const dbmi_tz *tz, int64_t t, int64_t y, int mo, int d,
                         int h, int mi, int s, int weekday)
{
    dbmi_local_time lt;
    dbmi_tz_local_fields(tz, t, &lt);
    CHECK(lt.year == y && lt.month == mo && lt.day == d);
    CHECK(lt.hour == h && lt.minute == mi && lt.second == s);
    CHECK(lt.weekday == weekday);
    CHECK(lt.second_of_day == h * 3600 + mi * 60 + s);
    CHECK(lt.offset == dbmi_tz_offset_at(tz, t));
    CHECK(lt.local_seconds == t + lt.offset);
}

static void test_local_fields(void)
{
    const dbmi_tz *ny = zone("America/New_York"), *berlin = zone("Europe/Berlin");
    const dbmi_tz *sp = zone("America/Sao_Paulo"), *lh = zone("Australia/Lord_Howe");
    /* New York, Sunday 2024-03-10: 01:59:59 EST, then 03:00:00 EDT. */
    check_fields(ny, at(2024, 3, 10, 6, 59, 59), 2024, 3, 10, 1, 59, 59, 0);
    check_fields(ny, at(2024, 3, 10, 7, 0, 0), 2024, 3, 10, 3, 0, 0, 0);
    /* Berlin, Sunday 2024-10-27: 02:59:59 CEST, then 02:00:00 CET. */
    check_fields(berlin, at(2024, 10, 27, 0, 59, 59), 2024, 10, 27, 2, 59, 59, 0);
    check_fields(berlin, at(2024, 10, 27, 1, 0, 0), 2024, 10, 27, 2, 0, 0, 0);
    /* Sao Paulo started DST at local midnight: Saturday 2018-11-03 23:59:59
     * is followed by Sunday 01:00:00 (there was no 00:xx that day). */
    check_fields(sp, at(2018, 11, 4, 2, 59, 59), 2018, 11, 3, 23, 59, 59, 6);
    check_fields(sp, at(2018, 11, 4, 3, 0, 0), 2018, 11, 4, 1, 0, 0, 0);
    /* ...and ended it at midnight: Saturday 2019-02-16 23:59:59 -02, then
     * 23:00:00 -03 of the same Saturday again. */
    check_fields(sp, at(2019, 2, 17, 1, 59, 59), 2019, 2, 16, 23, 59, 59, 6);
    check_fields(sp, at(2019, 2, 17, 2, 0, 0), 2019, 2, 16, 23, 0, 0, 6);
    /* Lord Howe: a 30-minute change, Sunday 2024-04-07 02:00 -> 01:30. */
    check_fields(lh, at(2024, 4, 6, 14, 59, 59), 2024, 4, 7, 1, 59, 59, 0);
    check_fields(lh, at(2024, 4, 6, 15, 0, 0), 2024, 4, 7, 1, 30, 0, 0);
    /* Before 1970 and far ahead. */
    check_fields(ny, at(1969, 12, 31, 23, 0, 0), 1969, 12, 31, 18, 0, 0, 3);
    check_fields(berlin, at(9999, 12, 31, 22, 59, 59), 9999, 12, 31, 23, 59, 59, 5);
}

/* ---- next_transition and local_to_utc consistency --------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static int64_t random_between(int64_t lo, int64_t hi)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return lo + (int64_t)(rng_state % (uint64_t)(hi - lo));
}

static void test_consistency(void)
{
    static const char *const names[] = {
        "America/New_York", "Europe/Berlin", "Australia/Lord_Howe",
        "America/Sao_Paulo", "Asia/Kathmandu", "Europe/Dublin",
    };
    size_t z;
    int i, k;
    for (z = 0; z < sizeof(names) / sizeof(names[0]); z++) {
        const dbmi_tz *tz = zone(names[z]);
        for (i = 0; i < 3000; i++) {
            int64_t t = random_between(at(1850, 1, 1, 0, 0, 0), at(2600, 1, 1, 0, 0, 0));
            int64_t next = dbmi_tz_next_transition(tz, t), earliest, latest;
            int32_t offset = dbmi_tz_offset_at(tz, t);
            int count;
            CHECK(next > t);
            if (next != INT64_MAX) {
                CHECK(dbmi_tz_offset_at(tz, next) != dbmi_tz_offset_at(tz, next - 1));
                CHECK(dbmi_tz_offset_at(tz, next - 1) == offset);
                for (k = 0; k < 4; k++)
                    CHECK(dbmi_tz_offset_at(tz, random_between(t, next)) == offset);
            }
            count = dbmi_tz_local_to_utc(tz, t + offset, &earliest, &latest);
            CHECK(count == 1 || count == 2);
            CHECK(earliest == t || latest == t);
            CHECK(earliest <= latest);
        }
    }
}

/* ---- Footer rules ----------------------------------------------------- */

static void check_change(const dbmi_tz *tz, int64_t change, int32_t before, int32_t after)
{
    CHECK(dbmi_tz_offset_at(tz, change - 1) == before);
    CHECK(dbmi_tz_offset_at(tz, change) == after);
    CHECK(dbmi_tz_next_transition(tz, change - 1000) == change);
}

static void test_footer_rules(void)
{
    dbmi_tz *tz;
    const dbmi_tz *ny = zone("America/New_York");
    int64_t y;
    int i;

    tz = footer_zone("<+0545>-5:45", 20700);
    CHECK(dbmi_tz_offset_at(tz, at(2024, 1, 1, 0, 0, 0)) == 20700);
    CHECK(dbmi_tz_offset_at(tz, -1) == 1234);
    CHECK(dbmi_tz_next_transition(tz, 10) == INT64_MAX);
    dbmi_tz_free(ctx, tz);

    /* The same rule as New York's footer gives New York's offsets. */
    tz = footer_zone("EST5EDT,M3.2.0,M11.1.0", -5 * HOUR);
    for (i = 0; i < 5000; i++) {
        int64_t t = random_between(at(2007, 1, 1, 0, 0, 0), at(3000, 1, 1, 0, 0, 0));
        CHECK(dbmi_tz_offset_at(tz, t) == dbmi_tz_offset_at(ny, t));
        CHECK(dbmi_tz_next_transition(tz, t) == dbmi_tz_next_transition(ny, t));
    }
    dbmi_tz_free(ctx, tz);

    /* Israel: Friday before the last Sunday of March at 02:00, written as
     * Thursday of the 4th week at 26:00. */
    tz = footer_zone("IST-2IDT,M3.4.4/26,M10.5.0", 2 * HOUR);
    for (y = 2013; y < 2400; y += 37) {
        int thursday = nth_sunday(y, 3, 1) + 4;     /* first Thursday */
        while (thursday > 7)
            thursday -= 7;
        check_change(tz, at(y, 3, thursday + 21, 26, 0, 0) - 2 * HOUR, 2 * HOUR, 3 * HOUR);
        check_change(tz, at(y, 10, nth_sunday(y, 10, 5), 2, 0, 0) - 3 * HOUR, 3 * HOUR,
                     2 * HOUR);
    }
    dbmi_tz_free(ctx, tz);

    /* Nuuk: a negative transition time (-1 = 23:00 the day before). */
    tz = footer_zone("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", -2 * HOUR);
    for (y = 2024; y < 2500; y += 53) {
        check_change(tz, at(y, 3, nth_sunday(y, 3, 5), -1, 0, 0) + 2 * HOUR, -2 * HOUR,
                     -HOUR);
        check_change(tz, at(y, 10, nth_sunday(y, 10, 5), 0, 0, 0) + HOUR, -HOUR,
                     -2 * HOUR);
    }
    dbmi_tz_free(ctx, tz);

    /* Jn never counts February 29: J60 is March 1 in every year. */
    tz = footer_zone("AAA0BBB,J60/0,J300/0", 0);
    check_change(tz, at(2024, 3, 1, 0, 0, 0), 0, HOUR);
    check_change(tz, at(2023, 3, 1, 0, 0, 0), 0, HOUR);
    check_change(tz, at(2024, 10, 27, 0, 0, 0) - HOUR, HOUR, 0);
    dbmi_tz_free(ctx, tz);
    /* n counts it: day 59 is February 29 in leap years. */
    tz = footer_zone("AAA0BBB,59/0,299/0", 0);
    check_change(tz, at(2024, 2, 29, 0, 0, 0), 0, HOUR);
    check_change(tz, at(2023, 3, 1, 0, 0, 0), 0, HOUR);
    dbmi_tz_free(ctx, tz);

    /* Southern hemisphere: DST over the new year. */
    tz = footer_zone("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 37800);
    CHECK(dbmi_tz_offset_at(tz, at(2301, 1, 1, 0, 0, 0)) == 11 * HOUR);
    CHECK(dbmi_tz_offset_at(tz, at(2301, 7, 1, 0, 0, 0)) == 37800);
    dbmi_tz_free(ctx, tz);

    /* Permanent DST, written as DST all year. */
    tz = footer_zone("EST5EDT,0/0,J365/25", -4 * HOUR);
    for (i = 0; i < 200; i++) {
        int64_t t = random_between(1, at(2600, 1, 1, 0, 0, 0));
        CHECK(dbmi_tz_offset_at(tz, t) == -4 * HOUR);
        CHECK(dbmi_tz_next_transition(tz, t) == INT64_MAX);
    }
    dbmi_tz_free(ctx, tz);
}

static void test_bad_footers(void)
{
    static const char *const bad[] = {
        "EST", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
        "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J365",
        "EST5EDT,366,J1", "EST25", "<+05", "<+0>-5", "EST5EDT,M3.2.0/168,M11.1.0",
        "EST5EDT,M3.2.0,M11.1.0x", "EST5:60", "E5", "EST99999999999999999999",
        "EST5EDT,M3.2,M11.1.0", "5EST", "<+05>-5<+06", "EST5EDT4,", " EST5",
        "EST5\tEDT", "<+0545>-5:45:", "EST5EDT,M3.2.0/-168,M11.1.0",
    };
    static const int64_t times[] = { 0 };
    static const uint8_t indices[] = { 0 };
    static const int32_t utoffs[] = { 0 };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tzif_spec s = { 2, 1, times, indices, 1, utoffs, NULL, 0, bad[i] };
        dbmi_tz *tz = NULL;
        int status = load_spec(&s, &tz);
        if (status != LIBDBM_ECORRUPT)
            fprintf(stderr, "footer '%s' gave %d\n", bad[i], status);
        CHECK_STATUS(status, LIBDBM_ECORRUPT);
        CHECK(tz == NULL);
        CHECK(strstr(libdbm_context_errmsg(ctx), "footer") != NULL);
    }
}

/* ---- Corrupt and hostile files ----------------------------------------- */

/* Loading must give OK, ECORRUPT or ENOTSUP, never crash; a loaded zone
 * must answer queries. */
static int try_load(const unsigned char *data, size_t len)
{
    dbmi_tz *tz = NULL;
    int status = dbmi_tz_from_tzif(ctx, data, len, "mutant", "mutant", &tz);
    CHECK(status == LIBDBM_OK || status == LIBDBM_ECORRUPT || status == LIBDBM_ENOTSUP);
    if (status == LIBDBM_OK) {
        int64_t e, l;
        (void)dbmi_tz_offset_at(tz, 1700000000);
        (void)dbmi_tz_next_transition(tz, -1);
        (void)dbmi_tz_local_to_utc(tz, 1700000000, &e, &l);
        dbmi_tz_free(ctx, tz);
    } else {
        CHECK(tz == NULL);
        CHECK(libdbm_context_errmsg(ctx)[0] != '\0');
    }
    return status;
}

static void test_mutated_real_file(void)
{
    size_t len, i, second_header;
    unsigned char *data = read_file("/usr/share/zoneinfo/America/New_York", &len);
    unsigned char *copy = malloc(len);
    static const uint32_t huge[] = { 0xffffffffu, 0x7fffffffu, 0x10000000u, 100001u };
    int bit;
    CHECK(copy != NULL && len > 100);
    CHECK_OK(try_load(data, len));
    /* Every truncation loses the footer's final newline at least. */
    for (i = 0; i < len; i++) {
        memcpy(copy, data, i);
        CHECK_STATUS(try_load(copy, i), LIBDBM_ECORRUPT);
    }
    CHECK(strstr(libdbm_context_errmsg(ctx), "byte offset") != NULL);
    /* Every byte inverted, every bit of both headers flipped. */
    second_header = 0;
    for (i = 4; i + 4 < len; i++)
        if (memcmp(data + i, "TZif", 4) == 0) {
            second_header = i;
            break;
        }
    CHECK(second_header > 0);
    for (i = 0; i < len; i++) {
        memcpy(copy, data, len);
        copy[i] ^= 0xff;
        (void)try_load(copy, len);
    }
    for (i = 0; i < 44; i++)
        for (bit = 0; bit < 8; bit++) {
            memcpy(copy, data, len);
            copy[i] ^= (unsigned char)(1u << bit);
            (void)try_load(copy, len);
            memcpy(copy, data, len);
            copy[second_header + i] ^= (unsigned char)(1u << bit);
            (void)try_load(copy, len);
        }
    /* Magic bytes are always checked. */
    for (i = 0; i < 4; i++) {
        memcpy(copy, data, len);
        copy[i] ^= 0x20;
        CHECK_STATUS(try_load(copy, len), LIBDBM_ECORRUPT);
        memcpy(copy, data, len);
        copy[second_header + i] ^= 0x20;
        CHECK_STATUS(try_load(copy, len), LIBDBM_ECORRUPT);
    }
    /* Huge counts in either header. */
    for (i = 20; i < 44; i += 4) {
        size_t h;
        for (h = 0; h < 2; h++) {
            size_t k;
            for (k = 0; k < sizeof(huge) / sizeof(huge[0]); k++) {
                size_t where = (h ? second_header : 0) + i;
                memcpy(copy, data, len);
                put_be32(copy + where, huge[k]);
                CHECK(try_load(copy, len) != LIBDBM_OK);
            }
        }
    }
    free(copy);
    free(data);
}

static void check_corrupt(const tzif_spec *s, const char *expect)
{
    dbmi_tz *tz = NULL;
    int status = load_spec(s, &tz);
    if (status != LIBDBM_ECORRUPT || strstr(libdbm_context_errmsg(ctx), expect) == NULL)
        fprintf(stderr, "expected ECORRUPT '%s', got %d '%s'\n", expect, status,
                libdbm_context_errmsg(ctx));
    CHECK_STATUS(status, LIBDBM_ECORRUPT);
    CHECK(strstr(libdbm_context_errmsg(ctx), expect) != NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), "byte offset") != NULL);
    CHECK(tz == NULL);
}

static void test_synthetic_files(void)
{
    int64_t times[] = { -100, 0, 100 };
    uint8_t indices[] = { 1, 0, 1 };
    int32_t utoffs[] = { 3600, 7200 };
    uint8_t isdst[] = { 0, 1 };
    tzif_spec good = { 2, 3, times, indices, 2, utoffs, isdst, 0, "" };
    tzif_spec s;
    dbmi_tz *tz;
    unsigned char *data;
    size_t len;
    int version;

    /* Valid files of every version, with and without footer rules. */
    for (version = 1; version <= 3; version++) {
        s = good;
        s.version = version;
        CHECK_OK(load_spec(&s, &tz));
        CHECK(dbmi_tz_offset_at(tz, -101) == 3600);
        CHECK(dbmi_tz_offset_at(tz, -100) == 7200);
        CHECK(dbmi_tz_offset_at(tz, 0) == 3600);
        CHECK(dbmi_tz_offset_at(tz, 99) == 3600);
        CHECK(dbmi_tz_offset_at(tz, 100) == 7200);
        CHECK(dbmi_tz_offset_at(tz, INT64_C(1) << 40) == 7200);
        CHECK(dbmi_tz_next_transition(tz, 100) == INT64_MAX);
        CHECK(dbmi_tz_next_transition(tz, -100) == 0);
        dbmi_tz_free(ctx, tz);
    }
    /* A v1 file: 32-bit times. */
    times[0] = -2147483648LL;
    s = good;
    s.version = 1;
    CHECK_OK(load_spec(&s, &tz));
    CHECK(dbmi_tz_next_transition(tz, INT64_MIN) == -2147483648LL);
    dbmi_tz_free(ctx, tz);
    times[0] = -100;

    s = good;
    indices[1] = 2;
    check_corrupt(&s, "names local time type 2 of 2");
    indices[1] = 0;
    times[1] = -100;
    check_corrupt(&s, "not later than transition 0");
    times[1] = -200;
    check_corrupt(&s, "not later than transition 0");
    times[1] = 0;
    utoffs[1] = 93600;
    check_corrupt(&s, "UTC offset");
    utoffs[1] = INT32_MIN;
    check_corrupt(&s, "UTC offset");
    utoffs[1] = -90000;
    check_corrupt(&s, "UTC offset");
    utoffs[1] = 7200;
    isdst[1] = 2;
    check_corrupt(&s, "DST flag");
    isdst[1] = 1;
    s.typecnt = 0;
    s.timecnt = 0;
    check_corrupt(&s, "type count");
    s = good;
    s.footer = NULL;
    check_corrupt(&s, "missing footer");

    /* Leap seconds are refused as unsupported, not as corrupt. */
    s = good;
    s.leapcnt = 2;
    data = build_tzif(&s, &len);
    CHECK_STATUS(dbmi_tz_from_tzif(ctx, data, len, "x", "x", &tz), LIBDBM_ENOTSUP);
    free(data);

    /* An abbreviation index outside the table; a wrong indicator count; an
     * unterminated footer; an unknown version; a second header of version 1. */
    data = build_tzif(&good, &len);
    {
        unsigned char *copy = malloc(len + 1);
        size_t v2 = 44 + 6 + 4;            /* after the minimal v1 block */
        size_t types = v2 + 44 + 3 * 9;
        CHECK(copy != NULL);
        memcpy(copy, data, len);
        copy[types + 5] = 4;
        CHECK_STATUS(try_load(copy, len), LIBDBM_ECORRUPT);
        CHECK(strstr(libdbm_context_errmsg(ctx), "abbreviation byte 4 of 4") != NULL);
        memcpy(copy, data, len);
        put_be32(copy + v2 + 24, 1);
        CHECK_STATUS(try_load(copy, len), LIBDBM_ECORRUPT);
        memcpy(copy, data, len);
        copy[len - 1] = 'x';
        CHECK_STATUS(try_load(copy, len), LIBDBM_ECORRUPT);
        CHECK(strstr(libdbm_context_errmsg(ctx), "unterminated") != NULL);
        memcpy(copy, data, len);
        copy[4] = '5';
        CHECK_STATUS(try_load(copy, len), LIBDBM_ECORRUPT);
        CHECK(strstr(libdbm_context_errmsg(ctx), "version") != NULL);
        memcpy(copy, data, len);
        copy[v2 + 4] = 0;
        CHECK_STATUS(try_load(copy, len), LIBDBM_ECORRUPT);
        free(copy);
    }
    free(data);
    CHECK_STATUS(try_load(NULL, 0), LIBDBM_ECORRUPT);
}

static void test_limits(void)
{
    uint32_t n = DBMI_TZ_MAX_TRANSITIONS + 1, i;
    int64_t *times = malloc(sizeof(int64_t) * n);
    uint8_t *indices = calloc(n, 1);
    static const int32_t utoffs[] = { 0, 3600 };
    unsigned char *big;
    tzif_spec s;
    dbmi_tz *tz = NULL;
    CHECK(times != NULL && indices != NULL);
    for (i = 0; i < n; i++) {
        times[i] = (int64_t)i * 1000;
        indices[i] = (uint8_t)(i & 1);
    }
    s = (tzif_spec){ 2, n, times, indices, 2, utoffs, NULL, 0, "" };
    check_corrupt(&s, "more than the limit");
    /* At the limit: accepted, and every change is there. */
    s.timecnt = n - 1;
    CHECK_OK(load_spec(&s, &tz));
    CHECK(dbmi_tz_offset_at(tz, 1000 * 4321 + 999) == 3600);
    CHECK(dbmi_tz_offset_at(tz, 1000 * 4322) == 0);
    CHECK(dbmi_tz_next_transition(tz, 1000 * 4321) == 1000 * 4322);
    dbmi_tz_free(ctx, tz);
    free(times);
    free(indices);
    /* Files over 1 MiB are refused before anything is read. */
    big = calloc(DBMI_TZ_MAX_FILE_SIZE + 1, 1);
    CHECK(big != NULL);
    memcpy(big, "TZif2", 5);
    CHECK_STATUS(try_load(big, DBMI_TZ_MAX_FILE_SIZE + 1), LIBDBM_ECORRUPT);
    CHECK(strstr(libdbm_context_errmsg(ctx), "limit") != NULL);
    free(big);
}

/* ---- Names and the cache ------------------------------------------------ */

static char tmpdir[64];

static void write_file(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(data, 1, len, f) == len);
    CHECK(fclose(f) == 0);
}

static void test_names(void)
{
    static const char *const invalid[] = {
        "../etc/passwd", "/etc/passwd", "America/../../etc/passwd", "..", ".",
        "", "a b", "Europe/Berlin\n", "zone.tab", "America/New_York.", "~root",
        "C:\\zone", "Europe/Berlin;rm",
    };
    static const char *const missing[] = {
        "No/Such_Zone", "America", "UTC/x", "Etc", "posix/No_Such",
    };
    char long_name[400];
    const dbmi_tz *tz;
    size_t i;
    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        CHECK_STATUS(dbmi_tz_get(ctx, invalid[i], &tz), LIBDBM_EINVAL);
        CHECK(tz == NULL);
    }
    for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        CHECK_STATUS(dbmi_tz_get(ctx, missing[i], &tz), LIBDBM_ENOTFOUND);
        CHECK(tz == NULL);
    }
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    CHECK_STATUS(dbmi_tz_get(ctx, long_name, &tz), LIBDBM_EINVAL);
    long_name[DBMI_TZ_MAX_NAME] = '\0';
    CHECK_STATUS(dbmi_tz_get(ctx, long_name, &tz), LIBDBM_ENOTFOUND);
    CHECK_STATUS(dbmi_tz_get(NULL, "UTC", &tz), LIBDBM_EINVAL);
    CHECK_STATUS(dbmi_tz_get(ctx, NULL, &tz), LIBDBM_EINVAL);
    CHECK_STATUS(dbmi_tz_get(ctx, "UTC", NULL), LIBDBM_EINVAL);
}

/* A private zoneinfo directory: a valid zone inside, a valid TZif file
 * beside the directory that no name may reach, a corrupt zone, a big one. */
static void test_private_directory(void)
{
    static const int64_t times[] = { 0 };
    static const uint8_t indices[] = { 0 };
    static const int32_t inside[] = { 12345 }, outside[] = { 777 };
    tzif_spec s = { 2, 1, times, indices, 1, inside, NULL, 0, "" };
    char dir[128], path[192];
    const dbmi_tz *ny_before, *ny_after, *tz;
    unsigned char *data;
    size_t len;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/libdbm-tz-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    snprintf(dir, sizeof(dir), "%s/zi", tmpdir);
    CHECK(mkdir(dir, 0700) == 0);
    snprintf(path, sizeof(path), "%s/Test", dir);
    CHECK(mkdir(path, 0700) == 0);
    data = build_tzif(&s, &len);
    snprintf(path, sizeof(path), "%s/Test/Zone", dir);
    write_file(path, data, len);
    snprintf(path, sizeof(path), "%s/Test/Broken", dir);
    write_file(path, data, len - 1);
    free(data);
    s.utoffs = outside;
    data = build_tzif(&s, &len);
    snprintf(path, sizeof(path), "%s/secret", tmpdir);
    write_file(path, data, len);
    free(data);
    data = calloc(DBMI_TZ_MAX_FILE_SIZE + 10, 1);
    CHECK(data != NULL);
    snprintf(path, sizeof(path), "%s/Big", dir);
    write_file(path, data, DBMI_TZ_MAX_FILE_SIZE + 10);
    free(data);

    ny_before = zone("America/New_York");
    CHECK(zone("America/New_York") == ny_before);           /* cached */
    CHECK_OK(libdbm_context_set_zoneinfo_dir(ctx, dir));
    CHECK(dbmi_tz_offset_at(zone("Test/Zone"), 5) == 12345);
    CHECK_STATUS(dbmi_tz_get(ctx, "../secret", &tz), LIBDBM_EINVAL);
    CHECK_STATUS(dbmi_tz_get(ctx, "America/New_York", &tz), LIBDBM_ENOTFOUND);
    CHECK_STATUS(dbmi_tz_get(ctx, "Test/Broken", &tz), LIBDBM_ECORRUPT);
    CHECK(strstr(libdbm_context_errmsg(ctx), "Test/Broken") != NULL);
    CHECK_STATUS(dbmi_tz_get(ctx, "Big", &tz), LIBDBM_ECORRUPT);
    CHECK(strstr(libdbm_context_errmsg(ctx), "limit") != NULL);
    /* The zone handed out before the change still works. */
    CHECK(dbmi_tz_offset_at(ny_before, 1700000000) == -5 * HOUR);
    CHECK_OK(libdbm_context_set_zoneinfo_dir(ctx, NULL));
    CHECK_STATUS(dbmi_tz_get(ctx, "Test/Zone", &tz), LIBDBM_ENOTFOUND);
    ny_after = zone("America/New_York");
    CHECK(dbmi_tz_offset_at(ny_after, 1700000000) == -5 * HOUR);
    CHECK_STATUS(libdbm_context_set_zoneinfo_dir(ctx, ""), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_context_set_zoneinfo_dir(NULL, dir), LIBDBM_EINVAL);

    snprintf(path, sizeof(path), "rm -rf '%s'", tmpdir);
    CHECK(system(path) == 0);
}

static const char *const thread_zones[] = {
    "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Africa/Cairo", "Europe/Paris",
};

static void *thread_main(void *arg)
{
    const dbmi_tz **seen = arg;
    int round;
    size_t z;
    for (round = 0; round < 200; round++)
        for (z = 0; z < 5; z++) {
            const dbmi_tz *tz;
            if (dbmi_tz_get(ctx, thread_zones[z], &tz) != LIBDBM_OK)
                return (void *)1;
            if (seen[z] == NULL)
                seen[z] = tz;
            else if (seen[z] != tz)
                return (void *)1;
            (void)dbmi_tz_offset_at(tz, 1700000000 + round);
        }
    return NULL;
}

static void test_threads(void)
{
    libdbm_context *saved = ctx;
    pthread_t threads[4];
    const dbmi_tz *seen[4][5];
    void *result;
    int i;
    size_t z;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < 4; i++)
        CHECK(pthread_create(&threads[i], NULL, thread_main, seen[i]) == 0);
    for (i = 0; i < 4; i++) {
        CHECK(pthread_join(threads[i], &result) == 0);
        CHECK(result == NULL);
    }
    for (i = 1; i < 4; i++)
        for (z = 0; z < 5; z++)
            CHECK(seen[i][z] == seen[0][z]);
    libdbm_context_free(ctx);
    ctx = saved;
}

static int get_zones_scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *c;
    const dbmi_tz *tz;
    int status = libdbm_context_new(&c, options);
    (void)user_data;
    if (status != LIBDBM_OK)
        return status;
    status = dbmi_tz_get(c, "America/New_York", &tz);
    if (status == LIBDBM_OK)
        status = dbmi_tz_get(c, "Europe/Berlin", &tz);
    if (status == LIBDBM_OK)
        status = libdbm_context_set_zoneinfo_dir(c, "/usr/share/zoneinfo");
    if (status == LIBDBM_OK)
        status = dbmi_tz_get(c, "America/New_York", &tz);
    if (status == LIBDBM_OK && dbmi_tz_offset_at(tz, 1700000000) != -5 * HOUR)
        status = LIBDBM_EIO;
    libdbm_context_free(c);
    return status;
}

int main(void)
{
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_known_offsets();
    test_gaps_and_overlaps();
    test_local_fields();
    test_consistency();
    test_footer_rules();
    test_bad_footers();
    test_mutated_real_file();
    test_synthetic_files();
    test_limits();
    test_names();
    test_private_directory();
    test_threads();
    failalloc_sweep_or_die("dbmi_tz_get", get_zones_scenario, NULL, 100);
    libdbm_context_free(ctx);
    printf("tz: ok\n");
    return 0;
}
