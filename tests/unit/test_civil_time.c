/* Unit tests of lib/base/civil_time: the closed-form day <-> date formulas
 * against a slow reference that counts every day from 0001-01-01 to
 * 9999-12-31 one at a time with the calendar rules written out longhand. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "civil_time.h"

/* The Gregorian rule, written independently of dbmi_is_leap_year. */
static int reference_leap(long year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int reference_month_length(long year, int month)
{
    switch (month) {
    case 2: return reference_leap(year) ? 29 : 28;
    case 4: case 6: case 9: case 11: return 30;
    default: return 31;
    }
}

static void test_anchors(void)
{
    int64_t y;
    int m, d;
    CHECK(dbmi_days_from_civil(1970, 1, 1) == 0);
    CHECK(dbmi_days_from_civil(1969, 12, 31) == -1);
    CHECK(dbmi_days_from_civil(2000, 3, 1) == 11017);
    CHECK(dbmi_days_from_civil(1997, 1, 1) == 9862);
    CHECK(dbmi_days_from_civil(1, 1, 1) == -719162);
    CHECK(dbmi_days_from_civil(9999, 12, 31) == 2932896);
    dbmi_civil_from_days(-1, &y, &m, &d);
    CHECK(y == 1969 && m == 12 && d == 31);
    /* 1970-01-01 was a Thursday, 2000-01-01 a Saturday. */
    CHECK(dbmi_weekday_from_days(0) == 4);
    CHECK(dbmi_weekday_from_days(dbmi_days_from_civil(2000, 1, 1)) == 6);
    CHECK(dbmi_weekday_from_days(-1) == 3);
}

static void test_floor_division(void)
{
    CHECK(dbmi_floor_div(7, 2) == 3 && dbmi_floor_mod(7, 2) == 1);
    CHECK(dbmi_floor_div(-7, 2) == -4 && dbmi_floor_mod(-7, 2) == 1);
    CHECK(dbmi_floor_div(-8, 2) == -4 && dbmi_floor_mod(-8, 2) == 0);
    CHECK(dbmi_day_of_time(-1) == -1 && dbmi_second_of_day(-1) == 86399);
    CHECK(dbmi_day_of_time(-86400) == -1 && dbmi_second_of_day(-86400) == 0);
    CHECK(dbmi_day_of_time(-86401) == -2);
    CHECK(dbmi_day_of_time(86399) == 0 && dbmi_day_of_time(86400) == 1);
    CHECK(dbmi_floor_div(INT64_MIN, 2) == INT64_MIN / 2 && dbmi_floor_mod(INT64_MIN, 86400) >= 0);
    CHECK(dbmi_floor_div(INT64_MIN + 1, 2) == INT64_MIN / 2);
}

/* Every day of years 1..9999, counted one by one. */
static void test_every_day(void)
{
    long year;
    int64_t days = -719162; /* 0001-01-01, checked in test_anchors */
    int weekday = dbmi_weekday_from_days(days);
    long checked = 0;
    for (year = 1; year <= 9999; year++) {
        int month;
        CHECK(dbmi_is_leap_year(year) == reference_leap(year));
        for (month = 1; month <= 12; month++) {
            int day, length = reference_month_length(year, month);
            CHECK(dbmi_days_in_month(year, month) == length);
            for (day = 1; day <= length; day++) {
                int64_t y;
                int m, d;
                if (dbmi_days_from_civil(year, month, day) != days) {
                    printf("days_from_civil(%ld-%02d-%02d) wrong\n", year, month, day);
                    CHECK(0);
                }
                dbmi_civil_from_days(days, &y, &m, &d);
                if (y != year || m != month || d != day) {
                    printf("civil_from_days(%lld) wrong\n", (long long)days);
                    CHECK(0);
                }
                CHECK(dbmi_weekday_from_days(days) == weekday);
                weekday = (weekday + 1) % 7;
                days++;
                checked++;
            }
        }
    }
    CHECK(checked == 3652059);
    CHECK(dbmi_days_in_month(2000, 0) == 0 && dbmi_days_in_month(2000, 13) == 0);
}

/* Far outside 1..9999 the formulas still invert each other (the store and
 * scoring may meet any int64 time). */
static void test_far_years(void)
{
    static const int64_t years[] = { 0, -1, -4, -100, -400, -401, -1000000,
                                     10000, 123456789, -123456789 };
    size_t i;
    CHECK(dbmi_is_leap_year(0) && dbmi_is_leap_year(-4) && !dbmi_is_leap_year(-1) &&
          !dbmi_is_leap_year(-100) && dbmi_is_leap_year(-400));
    for (i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        int month;
        for (month = 1; month <= 12; month++) {
            int day = dbmi_days_in_month(years[i], month);
            int64_t days = dbmi_days_from_civil(years[i], month, day);
            int64_t y;
            int m, d;
            dbmi_civil_from_days(days, &y, &m, &d);
            CHECK(y == years[i] && m == month && d == day);
            dbmi_civil_from_days(days + 1, &y, &m, &d);
            CHECK(d == 1);
        }
    }
    /* 0000-03-01 starts the era; the day before is 0000-02-29 (leap). */
    {
        int64_t y;
        int m, d;
        dbmi_civil_from_days(dbmi_days_from_civil(0, 3, 1) - 1, &y, &m, &d);
        CHECK(y == 0 && m == 2 && d == 29);
    }
}

int main(void)
{
    test_anchors();
    test_floor_division();
    test_every_day();
    test_far_years();
    puts("civil time: ok");
    return 0;
}
