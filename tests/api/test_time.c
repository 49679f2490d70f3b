/* Public API: libdbm_time_parse / libdbm_time_format / _format_date.
 * A table of accepted and refused texts with their expected values (the
 * values were worked out by hand from day counts: 1997-01-01 is day 9862),
 * and a round trip over random times across years 0001-9999. The
 * independent cross-check against Python's datetime is check_time.py. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

typedef struct valid_case {
    const char *text;
    int64_t expected;
} valid_case;

#define DAY INT64_C(86400)

static const valid_case valid_cases[] = {
    { "1970-01-01", 0 },
    { "19700101", 0 },
    { "1997-01-01", 9862 * DAY },
    { "19970101", 9862 * DAY },
    { "1998-06-30", (9862 + 365 + 180) * DAY },
    { "2000-02-29", 11016 * DAY },
    { "1969-12-31", -DAY },
    { "0001-01-01", LIBDBM_TIME_MIN },
    { "00010101", LIBDBM_TIME_MIN },
    { "9999-12-31T23:59:59Z", LIBDBM_TIME_MAX },
    { "9999-12-31T23:59:59", LIBDBM_TIME_MAX },
    { "1997-01-01T00:00", 9862 * DAY },
    { "1997-01-01T12:34", 9862 * DAY + 12 * 3600 + 34 * 60 },
    { "1997-01-01T12:34:56", 9862 * DAY + 45296 },
    { "1997-01-01t12:34:56z", 9862 * DAY + 45296 },
    { "1997-01-01 12:34:56", 9862 * DAY + 45296 },
    { "1997-01-01T12:34:56.999", 9862 * DAY + 45296 },
    { "1997-01-01T12:34:56.123456789Z", 9862 * DAY + 45296 },
    { "1997-01-01T12:34:56+02:00", 9862 * DAY + 45296 - 7200 },
    { "1997-01-01T12:34:56-0330", 9862 * DAY + 45296 + 12600 },
    { "1997-01-01T00:30+01:00", 9862 * DAY - 1800 },
    { "1997-01-01T23:59:59-23:59", 9862 * DAY + 86399 + 86340 },
    { "1997-01-01T12:00-00:00", 9862 * DAY + 43200 },
    { "1997-01-01T24:00", 9863 * DAY },
    { "1997-01-01T24:00:00.000Z", 9863 * DAY },
    { "1969-12-31T23:59:59Z", -1 },
    { "0", 0 },
    { "-0", 0 },
    { "1", 1 },
    { "-1", -1 },
    { "86400", DAY },
    { "852076800", 9862 * DAY },
    { "-62135596800", LIBDBM_TIME_MIN },
    { "253402300799", LIBDBM_TIME_MAX },
    { "012345678", 12345678 },
    { "1234567", 1234567 },
    { "0000000000000000000000000000042", 42 },
};

static const char *const invalid_cases[] = {
    "", " ", "-", "+1", "1997-01-01 ", " 1997-01-01", "1997-1-1", "97-01-01",
    "1997-13-01", "1997-00-01", "1997-01-00", "1997-01-32", "1997-02-29",
    "1900-02-29", "2000-02-30", "1997-04-31", "0000-01-01", "00000101",
    "19971301", "19970230", "1997/01/01", "1997-01-01T", "1997-01-01T1",
    "1997-01-01T12", "1997-01-01T12:3", "1997-01-01T12:34:5",
    "1997-01-01T12:34:56.", "1997-01-01T12:34:56.1234567890",
    "1997-01-01T12:60", "1997-01-01T12:34:60", "1997-01-01T25:00",
    "1997-01-01T24:00:01", "1997-01-01T24:01", "1997-01-01T24:00:00.5",
    "1997-01-01T12:00+2", "1997-01-01T12:00+02", "1997-01-01T12:00+24:00",
    "1997-01-01T12:00+02:60", "1997-01-01T12:00+02:00:00",
    "1997-01-01T12:00Zjunk", "1997-01-01T12:00 Z", "1997-01-01X12:00",
    "1997-01-01T12:00:00ZZ", "1997-01-01  12:00", "1997-01-01Z",
    "0001-01-01T00:00+00:01", "9999-12-31T23:59:59-00:01", "9999-12-31T24:00",
    "12abc", "1e5", "0x10", "1.5", "--1", "-62135596801", "253402300800",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "99999999999999999999999", "1997-01-01\n", "１９９７-01-01",
};

static void test_table(void)
{
    size_t i;
    for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        int64_t t = 12345;
        int status = libdbm_time_parse(&t, valid_cases[i].text);
        if (status != LIBDBM_OK || t != valid_cases[i].expected) {
            printf("parse(\"%s\") = %d, %lld; expected %lld\n", valid_cases[i].text,
                   status, (long long)t, (long long)valid_cases[i].expected);
            CHECK(0);
        }
    }
    for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
        int64_t t = 12345;
        int status = libdbm_time_parse(&t, invalid_cases[i]);
        if (status != LIBDBM_ESYNTAX || t != 12345) {
            printf("parse(\"%s\") = %d (%lld); expected ESYNTAX, untouched\n",
                   invalid_cases[i], status, (long long)t);
            CHECK(0);
        }
    }
    {
        int64_t t;
        CHECK_STATUS(libdbm_time_parse(NULL, "1970-01-01"), LIBDBM_EINVAL);
        CHECK_STATUS(libdbm_time_parse(&t, NULL), LIBDBM_EINVAL);
    }
}

static void test_format(void)
{
    char buf[LIBDBM_TIME_FORMAT_SIZE];
    char date[LIBDBM_TIME_FORMAT_DATE_SIZE];
    CHECK_OK(libdbm_time_format(buf, sizeof(buf), 0));
    CHECK(strcmp(buf, "1970-01-01T00:00:00Z") == 0);
    CHECK_OK(libdbm_time_format(buf, sizeof(buf), -1));
    CHECK(strcmp(buf, "1969-12-31T23:59:59Z") == 0);
    CHECK_OK(libdbm_time_format(buf, sizeof(buf), 9862 * DAY + 45296));
    CHECK(strcmp(buf, "1997-01-01T12:34:56Z") == 0);
    CHECK_OK(libdbm_time_format(buf, sizeof(buf), LIBDBM_TIME_MIN));
    CHECK(strcmp(buf, "0001-01-01T00:00:00Z") == 0);
    CHECK_OK(libdbm_time_format(buf, sizeof(buf), LIBDBM_TIME_MAX));
    CHECK(strcmp(buf, "9999-12-31T23:59:59Z") == 0);
    CHECK_OK(libdbm_time_format_date(date, sizeof(date), -1));
    CHECK(strcmp(date, "1969-12-31") == 0);
    CHECK_OK(libdbm_time_format_date(date, sizeof(date), 11016 * DAY + 86399));
    CHECK(strcmp(date, "2000-02-29") == 0);

    /* Out of range or too small a buffer: ERANGE and an empty string. */
    CHECK_STATUS(libdbm_time_format(buf, sizeof(buf), LIBDBM_TIME_MAX + 1), LIBDBM_ERANGE);
    CHECK(buf[0] == '\0');
    CHECK_STATUS(libdbm_time_format(buf, sizeof(buf), LIBDBM_TIME_MIN - 1), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_time_format(buf, sizeof(buf), INT64_MIN), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_time_format(buf, sizeof(buf), INT64_MAX), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_time_format(buf, sizeof(buf) - 1, 0), LIBDBM_ERANGE);
    CHECK(buf[0] == '\0');
    CHECK_STATUS(libdbm_time_format(buf, 0, 0), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_time_format_date(date, sizeof(date) - 1, 0), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_time_format_date(date, sizeof(date), LIBDBM_TIME_MAX + 1),
                 LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_time_format(NULL, 21, 0), LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_time_format_date(NULL, 11, 0), LIBDBM_EINVAL);
}

/* xorshift64*: a fixed, portable random sequence. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(2685821657736338717);
}

/* format -> parse is the identity on the whole range; the date form parses
 * back to the midnight that starts the day; the compact form agrees. */
static void test_round_trip(void)
{
    uint64_t state = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t span = (uint64_t)(LIBDBM_TIME_MAX - LIBDBM_TIME_MIN) + 1;
    int i;
    for (i = 0; i < 200000; i++) {
        int64_t t = LIBDBM_TIME_MIN + (int64_t)(next_random(&state) % span);
        int64_t back, day_start;
        char buf[LIBDBM_TIME_FORMAT_SIZE], date[LIBDBM_TIME_FORMAT_DATE_SIZE];
        char compact[9];
        CHECK_OK(libdbm_time_format(buf, sizeof(buf), t));
        CHECK_OK(libdbm_time_parse(&back, buf));
        CHECK(back == t);
        CHECK_OK(libdbm_time_format_date(date, sizeof(date), t));
        CHECK(strncmp(date, buf, 10) == 0);
        CHECK_OK(libdbm_time_parse(&day_start, date));
        CHECK(day_start <= t && t - day_start < DAY && day_start % DAY == 0);
        memcpy(compact, date, 4);
        memcpy(compact + 4, date + 5, 2);
        memcpy(compact + 6, date + 8, 2);
        compact[8] = '\0';
        CHECK_OK(libdbm_time_parse(&back, compact));
        CHECK(back == day_start);
    }
}

/* Random strings over the characters of the grammar: never a crash, and
 * whatever is accepted lies in range and formats back to the same time. */
static void test_random_text(void)
{
    static const char alphabet[] = "0123456789--::TZ+. tz";
    uint64_t state = UINT64_C(0x1234567887654321);
    long accepted = 0;
    int i;
    for (i = 0; i < 300000; i++) {
        char text[32], buf[LIBDBM_TIME_FORMAT_SIZE];
        size_t len = (size_t)(next_random(&state) % 26), k;
        int64_t t, back;
        /* Start from a valid date-time half of the time, then mutate it. */
        if (i % 2 == 0) {
            strcpy(text, "1997-06-15T12:34:56+01:00");
            len = strlen(text);
            for (k = 0; k < 3; k++)
                text[next_random(&state) % len] =
                    alphabet[next_random(&state) % (sizeof(alphabet) - 1)];
            text[len - next_random(&state) % 8] = '\0';
        } else {
            for (k = 0; k < len; k++)
                text[k] = alphabet[next_random(&state) % (sizeof(alphabet) - 1)];
            text[len] = '\0';
        }
        if (libdbm_time_parse(&t, text) != LIBDBM_OK)
            continue;
        accepted++;
        CHECK(t >= LIBDBM_TIME_MIN && t <= LIBDBM_TIME_MAX);
        CHECK_OK(libdbm_time_format(buf, sizeof(buf), t));
        CHECK_OK(libdbm_time_parse(&back, buf));
        CHECK(back == t);
    }
    CHECK(accepted > 1000);  /* the mutations do reach valid texts */
}

int main(void)
{
    test_table();
    test_format();
    test_round_trip();
    test_random_text();
    puts("time: ok");
    return 0;
}
