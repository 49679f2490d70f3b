/* Time stamps as text: a strict ISO-8601 subset and epoch seconds in,
 * ISO-8601 UTC out (include/libdbm/time.h states the accepted forms). */

#include "civil_time.h"
#include "context_private.h"

/* Reads exactly @p count ASCII digits at *p into *value and advances *p;
 * returns 0 when one of them is not a digit. */
static int read_digits(const char **p, int count, int *value)
{
    int v = 0;
    int i;
    for (i = 0; i < count; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (c - '0');
    }
    *p += count;
    *value = v;
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int in_range(int64_t t)
{
    return t >= LIBDBM_TIME_MIN && t <= LIBDBM_TIME_MAX;
}

/* Days since the epoch of YYYY-MM-DD; returns 0 for an impossible date. */
static int date_days(int year, int month, int day, int64_t *days)
{
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > dbmi_days_in_month(year, month))
        return 0;
    *days = dbmi_days_from_civil(year, month, day);
    return 1;
}

/* "-?[0-9]+" as seconds since the epoch. */
static int parse_epoch(const char *text, int64_t *out)
{
    const char *p = text;
    int negative = 0;
    int64_t value = 0;
    if (*p == '-') {
        negative = 1;
        p++;
    }
    if (!is_digit(*p))
        return LIBDBM_ESYNTAX;
    for (; is_digit(*p); p++) {
        int digit = *p - '0';
        /* Accumulate negatively so that the full int64 range is reachable
         * before the range check; overflow is a syntax error. */
        if (value < (INT64_MIN + digit) / 10)
            return LIBDBM_ESYNTAX;
        value = value * 10 - digit;
    }
    if (*p != '\0')
        return LIBDBM_ESYNTAX;
    if (!negative) {
        if (value == INT64_MIN)
            return LIBDBM_ESYNTAX;
        value = -value;
    }
    if (!in_range(value))
        return LIBDBM_ESYNTAX;
    *out = value;
    return LIBDBM_OK;
}

/* The zone designator at p: Z, +HH:MM, -HH:MM, +HHMM, -HHMM or nothing,
 * as seconds east of UTC. Returns 0 on a malformed zone or trailing text. */
static int parse_zone(const char *p, int64_t *offset)
{
    int sign, hours, minutes;
    if (*p == '\0') {
        *offset = 0;
        return 1;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *offset = 0;
        return 1;
    }
    if (*p != '+' && *p != '-')
        return 0;
    sign = *p == '-' ? -1 : 1;
    p++;
    if (!read_digits(&p, 2, &hours))
        return 0;
    if (*p == ':')
        p++;
    if (!read_digits(&p, 2, &minutes) || *p != '\0')
        return 0;
    if (hours > 23 || minutes > 59)
        return 0;
    *offset = sign * ((int64_t)hours * 3600 + (int64_t)minutes * 60);
    return 1;
}

/* HH:MM[:SS[.fraction]][zone] after the date separator. */
static int parse_clock(const char *p, int64_t days, int64_t *out)
{
    int hour, minute, second = 0;
    int fraction_nonzero = 0;
    int64_t offset, t;
    if (!read_digits(&p, 2, &hour) || *p++ != ':' || !read_digits(&p, 2, &minute))
        return LIBDBM_ESYNTAX;
    if (*p == ':') {
        p++;
        if (!read_digits(&p, 2, &second))
            return LIBDBM_ESYNTAX;
        if (*p == '.') {
            int digits = 0;
            p++;
            for (; is_digit(*p); p++, digits++)
                if (*p != '0')
                    fraction_nonzero = 1;
            if (digits < 1 || digits > 9)
                return LIBDBM_ESYNTAX;
        }
    }
    if (!parse_zone(p, &offset))
        return LIBDBM_ESYNTAX;
    if (hour == 24) {
        /* ISO 8601's end-of-day midnight, and nothing later. */
        if (minute != 0 || second != 0 || fraction_nonzero)
            return LIBDBM_ESYNTAX;
    } else if (hour > 23 || minute > 59 || second > 59) {
        return LIBDBM_ESYNTAX;
    }
    t = days * DBMI_SECONDS_PER_DAY + (int64_t)hour * 3600 + (int64_t)minute * 60 +
        second - offset;
    if (!in_range(t))
        return LIBDBM_ESYNTAX;
    *out = t;
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_time_parse(int64_t *out, const char *text)
{
    const char *p = text;
    int year, month, day;
    int64_t days;
    size_t digits = 0;
    if (out == NULL || text == NULL)
        return LIBDBM_EINVAL;
    while (is_digit(text[digits]))
        digits++;
    if (digits == 8 && text[8] == '\0') {
        /* Compact YYYYMMDD. */
        if (!read_digits(&p, 4, &year) || !read_digits(&p, 2, &month) ||
            !read_digits(&p, 2, &day) || !date_days(year, month, day, &days))
            return LIBDBM_ESYNTAX;
        *out = days * DBMI_SECONDS_PER_DAY;
        return LIBDBM_OK;
    }
    if (digits != 4 || text[4] != '-')
        return parse_epoch(text, out);
    if (!read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &month) ||
        *p++ != '-' || !read_digits(&p, 2, &day) || !date_days(year, month, day, &days))
        return LIBDBM_ESYNTAX;
    if (*p == '\0') {
        *out = days * DBMI_SECONDS_PER_DAY;
        return LIBDBM_OK;
    }
    if (*p != 'T' && *p != 't' && *p != ' ')
        return LIBDBM_ESYNTAX;
    return parse_clock(p + 1, days, out);
}

static void put_number(char *dst, int64_t value, int width)
{
    int i;
    for (i = width - 1; i >= 0; i--) {
        dst[i] = (char)('0' + (int)(value % 10));
        value /= 10;
    }
}

/* Writes YYYY-MM-DD (10 characters, no NUL) of t, which is in range. */
static void put_date(char *dst, int64_t t)
{
    int64_t year;
    int month, day;
    dbmi_civil_from_days(dbmi_day_of_time(t), &year, &month, &day);
    put_number(dst, year, 4);
    dst[4] = '-';
    put_number(dst + 5, month, 2);
    dst[7] = '-';
    put_number(dst + 8, day, 2);
}

static int check_format_args(char *buf, size_t len, size_t need, int64_t t)
{
    if (buf == NULL)
        return LIBDBM_EINVAL;
    if (len < need || !in_range(t)) {
        if (len > 0)
            buf[0] = '\0';
        return LIBDBM_ERANGE;
    }
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_time_format(char *buf, size_t len, int64_t t)
{
    int64_t second_of_day;
    int status = check_format_args(buf, len, LIBDBM_TIME_FORMAT_SIZE, t);
    if (status != LIBDBM_OK)
        return status;
    second_of_day = dbmi_second_of_day(t);
    put_date(buf, t);
    buf[10] = 'T';
    put_number(buf + 11, second_of_day / 3600, 2);
    buf[13] = ':';
    put_number(buf + 14, second_of_day / 60 % 60, 2);
    buf[16] = ':';
    put_number(buf + 17, second_of_day % 60, 2);
    buf[19] = 'Z';
    buf[20] = '\0';
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_time_format_date(char *buf, size_t len, int64_t t)
{
    int status = check_format_args(buf, len, LIBDBM_TIME_FORMAT_DATE_SIZE, t);
    if (status != LIBDBM_OK)
        return status;
    put_date(buf, t);
    buf[10] = '\0';
    return LIBDBM_OK;
}
