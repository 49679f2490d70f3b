/*
 * Calendar arithmetic on the proleptic Gregorian calendar, for every layer
 * that turns libdbm's int64 UTC seconds into days, dates and back (the store
 * buckets purchases by day, scoring counts periods, policies find calendar
 * windows). No time zones here: everything is UTC; zone rules live apart.
 *
 * The day <-> date conversions implement the public-domain algorithms that
 * Howard Hinnant describes in "chrono-Compatible Low-Level Date Algorithms"
 * (howardhinnant.github.io/date_algorithms.html): the year is shifted to
 * start in March so that the leap day is the last day of the shifted year,
 * and the 400-year Gregorian cycle ("era", 146097 days) is split into
 * years and days of year with integer division only.
 */
#ifndef LIBDBM_BASE_CIVIL_TIME_H
#define LIBDBM_BASE_CIVIL_TIME_H

#include <stdint.h>

#define DBMI_SECONDS_PER_DAY INT64_C(86400)

/* Division rounding toward negative infinity and the matching non-negative
 * remainder (C's / and % truncate toward zero, which is wrong for times
 * before 1970). @p b must be > 0. */
static inline int64_t dbmi_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) < 0)
        q--;
    return q;
}

static inline int64_t dbmi_floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    if (r < 0)
        r += b;
    return r;
}

/* The UTC day (days since 1970-01-01) that contains @p t, and the second of
 * that day (0..86399). Defined for every int64 @p t. */
static inline int64_t dbmi_day_of_time(int64_t t)
{
    return dbmi_floor_div(t, DBMI_SECONDS_PER_DAY);
}

static inline int64_t dbmi_second_of_day(int64_t t)
{
    return dbmi_floor_mod(t, DBMI_SECONDS_PER_DAY);
}

/* 1 for a Gregorian leap year, else 0 (any year, including 0 and negative). */
int dbmi_is_leap_year(int64_t year);

/* Days in @p month (1..12) of @p year; 0 for a month outside 1..12. */
int dbmi_days_in_month(int64_t year, int month);

/* Days since 1970-01-01 of the date @p year-@p month-@p day. The caller
 * passes a valid date (month 1..12, day 1..days_in_month) and a year within
 * +-10^12 (the results then fit easily in int64). */
int64_t dbmi_days_from_civil(int64_t year, int month, int day);

/* The date of day @p days (since 1970-01-01). Valid for |days| < 3*10^14. */
void dbmi_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Day of the week of day @p days: 0 = Sunday .. 6 = Saturday. */
int dbmi_weekday_from_days(int64_t days);

#endif /* LIBDBM_BASE_CIVIL_TIME_H */
