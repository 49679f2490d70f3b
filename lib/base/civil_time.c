/* Proleptic Gregorian calendar arithmetic (see civil_time.h for the source
 * of the math). */
#include "civil_time.h"

/* Days in one 400-year Gregorian cycle: 400*365 + 97 leap days. */
#define DAYS_PER_ERA INT64_C(146097)
/* 0000-03-01 is day -719468 relative to 1970-01-01. */
#define EPOCH_SHIFT INT64_C(719468)

int dbmi_is_leap_year(int64_t year)
{
    if (dbmi_floor_mod(year, 4) != 0)
        return 0;
    if (dbmi_floor_mod(year, 100) != 0)
        return 1;
    return dbmi_floor_mod(year, 400) == 0;
}

int dbmi_days_in_month(int64_t year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && dbmi_is_leap_year(year))
        return 29;
    return days[month - 1];
}

int64_t dbmi_days_from_civil(int64_t year, int month, int day)
{
    /* Years start on March 1st, so January and February belong to the
     * previous year and the leap day closes the year. */
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = dbmi_floor_div(y, 400);
    int64_t year_of_era = y - era * 400;                          /* 0..399 */
    int64_t shifted_month = month > 2 ? month - 3 : month + 9;     /* Mar = 0 */
    int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1; /* 0..365 */
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 +
                         day_of_year;                             /* 0..146096 */
    return era * DAYS_PER_ERA + day_of_era - EPOCH_SHIFT;
}

void dbmi_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + EPOCH_SHIFT;
    int64_t era = dbmi_floor_div(z, DAYS_PER_ERA);
    int64_t day_of_era = z - era * DAYS_PER_ERA;                   /* 0..146096 */
    /* Undo the leap-day pattern inside the era: one leap day lost every 4
     * years, regained every 100, lost again at the era's last day. */
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
                           day_of_era / (DAYS_PER_ERA - 1)) / 365; /* 0..399 */
    int64_t day_of_year = day_of_era -
                          (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t shifted_month = (5 * day_of_year + 2) / 153;           /* Mar = 0 */
    int64_t m = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    *day = (int)(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    *month = (int)m;
    *year = year_of_era + era * 400 + (m <= 2 ? 1 : 0);
}

int dbmi_weekday_from_days(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    return (int)dbmi_floor_mod(days + 4, 7);
}
