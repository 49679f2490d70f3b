/* The per-customer summary in lifetimes' conventions (see summary.h and
 * docs/summary-rules.md) and its exact decimal printing. */
#include "summary.h"

#include <stdio.h>
#include <string.h>

static int64_t saturating_add(int64_t a, int64_t b)
{
    int64_t sum;
    if (__builtin_add_overflow(a, b, &sum))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

int dbmi_summarize(dbmi_summary *out, const dbmi_purchase_day *days, size_t n,
                   int32_t end_day, int32_t unit_days)
{
    size_t i, used = 0;
    int64_t repeat = 0;
    if (n == 0 || unit_days <= 0 || days[0].day > end_day)
        return 0;
    for (i = 0; i < n && days[i].day <= end_day; i++) {
        if (i > 0)
            repeat = saturating_add(repeat, days[i].amount_minor);
        used = i + 1;
    }
    memset(out, 0, sizeof(*out));
    out->x = (int64_t)used - 1;
    out->first_day = days[0].day;
    out->last_day = days[used - 1].day;
    out->end_day = end_day;
    out->unit_days = unit_days;
    out->repeat_amount_minor = repeat;
    out->t_x = (double)((int64_t)out->last_day - out->first_day) / unit_days;
    out->T = (double)((int64_t)end_day - out->first_day) / unit_days;
    return 1;
}

double dbmi_summary_monetary(const dbmi_summary *s, int64_t scale)
{
    if (s->x <= 0 || scale <= 0)
        return 0.0;
    /* One rounding: the sum and the divisor are exact integers (below 2^53
     * for any real purse), so this is the correctly rounded quotient. */
    return (double)s->repeat_amount_minor / ((double)s->x * (double)scale);
}

int64_t dbmi_holdout_count(const dbmi_purchase_day *days, size_t n,
                           int32_t from_day, int32_t to_day)
{
    int64_t count = 0;
    size_t i;
    for (i = 0; i < n; i++)
        if (days[i].day >= from_day && days[i].day <= to_day)
            count++;
    return count;
}

int64_t dbmi_repeat_count(const dbmi_purchase_day *days, size_t n,
                          int32_t from_day, int32_t to_day)
{
    int64_t count = 0;
    size_t i;
    for (i = 1; i < n; i++)
        if (days[i].day >= from_day && days[i].day <= to_day)
            count++;
    return count;
}

int dbmi_format_ratio(char *buf, size_t cap, int64_t num, int64_t den,
                      int decimals)
{
    char digits[20];
    uint64_t mag, uden, whole, rem;
    int negative = num < 0, i, all_zero, len;
    if (buf == NULL || den <= 0 || decimals < 0 || decimals > 18)
        return -1;
    uden = (uint64_t)den;
    if (uden > UINT64_MAX / 10)
        return -1;      /* the long division below multiplies rem by 10 */
    mag = negative ? (uint64_t)0 - (uint64_t)num : (uint64_t)num;
    whole = mag / uden;
    rem = mag % uden;
    for (i = 0; i < decimals; i++) {
        rem *= 10;
        digits[i] = (char)('0' + (int)(rem / uden));
        rem %= uden;
    }
    /* Half up on the exact remainder: rem / den >= 1/2. */
    if (rem >= uden - rem) {
        for (i = decimals - 1; i >= 0; i--) {
            if (digits[i] != '9') {
                digits[i]++;
                break;
            }
            digits[i] = '0';
        }
        if (i < 0)
            whole++;
    }
    all_zero = whole == 0;
    for (i = 0; i < decimals && all_zero; i++)
        all_zero = digits[i] == '0';
    len = snprintf(buf, cap, "%s%llu%s%.*s", negative && !all_zero ? "-" : "",
                   (unsigned long long)whole, decimals > 0 ? "." : "",
                   decimals, digits);
    if (len < 0 || (size_t)len >= cap)
        return -1;
    return len;
}

int dbmi_summary_format_row(char *buf, size_t cap, const char *id,
                            const dbmi_summary *s, int64_t scale, int decimals)
{
    char recency[48], age[48], money[48];
    int64_t money_den;
    int len;
    if (dbmi_format_ratio(recency, sizeof(recency),
                          (int64_t)s->last_day - s->first_day, s->unit_days,
                          decimals) < 0
        || dbmi_format_ratio(age, sizeof(age), (int64_t)s->end_day - s->first_day,
                             s->unit_days, decimals) < 0)
        return -1;
    if (s->x == 0) {
        if (dbmi_format_ratio(money, sizeof(money), 0, 1, decimals) < 0)
            return -1;
    } else if (scale <= 0 || __builtin_mul_overflow(s->x, scale, &money_den)
               || dbmi_format_ratio(money, sizeof(money), s->repeat_amount_minor,
                                    money_den, decimals) < 0) {
        return -1;
    }
    len = snprintf(buf, cap, "%s,%lld,%s,%s,%s", id, (long long)s->x, recency,
                   age, money);
    if (len < 0 || (size_t)len >= cap)
        return -1;
    return len;
}
