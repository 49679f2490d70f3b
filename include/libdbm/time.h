/*
 * libdbm — time stamps as text.
 *
 * libdbm's time is int64_t seconds since the Unix epoch, UTC, everywhere in
 * the API. These functions turn the text forms that hosts and files use
 * (ISO-8601 dates and date-times, compact dates, epoch seconds) into that
 * value and back, on the proleptic Gregorian calendar, without the C
 * library's time zone machinery (the result never depends on TZ or the
 * locale). Include <libdbm.h> rather than this file.
 */
#ifndef LIBDBM_TIME_H
#define LIBDBM_TIME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Earliest time the text functions accept: 0001-01-01T00:00:00Z. @since 0.1 */
#define LIBDBM_TIME_MIN (-INT64_C(62135596800))
/** Latest time the text functions accept: 9999-12-31T23:59:59Z. @since 0.1 */
#define LIBDBM_TIME_MAX INT64_C(253402300799)

/** Buffer size that always holds libdbm_time_format()'s output. @since 0.1 */
#define LIBDBM_TIME_FORMAT_SIZE 21
/** Buffer size that always holds libdbm_time_format_date()'s output. @since 0.1 */
#define LIBDBM_TIME_FORMAT_DATE_SIZE 11

/**
 * Parses a time stamp. Accepted forms (and nothing else: no surrounding
 * spaces, no trailing characters):
 * - `YYYY-MM-DD`: midnight UTC of that date;
 * - `YYYYMMDD` (exactly 8 digits): the same, compact; a bare 8-digit number
 *   is always read as a date, never as epoch seconds;
 * - `YYYY-MM-DDTHH:MM[:SS[.fraction]][zone]`, where `T` may also be `t` or
 *   one space; the fraction has 1 to 9 digits and is truncated (the result
 *   is whole seconds); zone is `Z`/`z`, `+HH:MM`, `-HH:MM`, `+HHMM` or
 *   `-HHMM` (offset hours 00-23, minutes 00-59); no zone means UTC.
 *   `24:00` (or `24:00:00`, fraction all zeros) is the midnight that ends
 *   the day, as ISO 8601 allows; any other hour 24, minute 60 or second 60
 *   (leap seconds do not exist in libdbm's time) is rejected;
 * - an integer number of seconds since the epoch, optionally negative
 *   (`-86400`), of any length other than exactly 8 digits (write a leading
 *   zero, `012345678`, for an 8-digit epoch value).
 * Years run from 0001 to 9999 and the result must lie within
 * [LIBDBM_TIME_MIN, LIBDBM_TIME_MAX] (also after applying an offset), so
 * every value this function returns can be formatted back.
 * @param out receives seconds since the epoch, UTC; untouched on failure.
 * @param text NUL-terminated ASCII/UTF-8.
 * @return LIBDBM_OK; LIBDBM_ESYNTAX when @p text is not one of the forms
 *         above, names an impossible date or time (month 13, February 30,
 *         minute 61), or lies outside the range; LIBDBM_EINVAL when @p out or
 *         @p text is NULL. No detailed message is recorded (there is no
 *         context): callers say which text failed.
 * Thread-safe; allocates nothing. @since 0.1
 */
LIBDBM_API int libdbm_time_parse(int64_t *out, const char *text);

/**
 * Formats @p t as ISO-8601 UTC `YYYY-MM-DDTHH:MM:SSZ` (20 characters and a
 * NUL; LIBDBM_TIME_FORMAT_SIZE bytes always suffice).
 * @param buf receives the NUL-terminated text; on failure it holds "" when
 *        @p len > 0.
 * @return LIBDBM_OK; LIBDBM_ERANGE when @p len is too small or @p t lies
 *         outside [LIBDBM_TIME_MIN, LIBDBM_TIME_MAX]; LIBDBM_EINVAL when
 *         @p buf is NULL.
 * Thread-safe; allocates nothing. @since 0.1
 */
LIBDBM_API int libdbm_time_format(char *buf, size_t len, int64_t t);

/**
 * Formats the UTC date of @p t as `YYYY-MM-DD` (10 characters and a NUL;
 * LIBDBM_TIME_FORMAT_DATE_SIZE bytes always suffice). Times within a day
 * give that day (times before 1970 round down to their own day too).
 * @return as libdbm_time_format().
 * Thread-safe; allocates nothing. @since 0.1
 */
LIBDBM_API int libdbm_time_format_date(char *buf, size_t len, int64_t t);

#ifdef __cplusplus
}
#endif

#endif /* LIBDBM_TIME_H */
