/* Answers time zone queries for tests/unit/check_tz.py, one per line on
 * stdin, through libdbm's internal zone API:
 *   O ZONE T      -> "OFFSET"                     (dbmi_tz_offset_at)
 *   N ZONE T      -> "NEXT"                       (dbmi_tz_next_transition)
 *   L ZONE LOCAL  -> "COUNT EARLIEST LATEST"      (dbmi_tz_local_to_utc)
 *   F ZONE T      -> "Y M D h m s WEEKDAY SOD"    (dbmi_tz_local_fields)
 *   W ZONE T      -> every offset change after T up to 2400-01-01, as
 *                    "TIME:OFFSET ..." (dbmi_tz_next_transition walk)
 * A zone that fails to load answers "E STATUS". */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tz.h"

int main(void)
{
    libdbm_context *ctx;
    char line[512], op, zone[300];
    long long value;

    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 2;
    while (fgets(line, sizeof(line), stdin) != NULL) {
        const dbmi_tz *tz;
        int status;
        if (sscanf(line, " %c %299s %lld", &op, zone, &value) != 3) {
            printf("?\n");
            continue;
        }
        status = dbmi_tz_get(ctx, zone, &tz);
        if (status != LIBDBM_OK) {
            printf("E %d\n", status);
            continue;
        }
        if (op == 'O') {
            printf("%ld\n", (long)dbmi_tz_offset_at(tz, (int64_t)value));
        } else if (op == 'N') {
            printf("%" PRId64 "\n", dbmi_tz_next_transition(tz, (int64_t)value));
        } else if (op == 'L') {
            int64_t earliest = 0, latest = 0;
            int count = dbmi_tz_local_to_utc(tz, (int64_t)value, &earliest, &latest);
            printf("%d %" PRId64 " %" PRId64 "\n", count, earliest, latest);
        } else if (op == 'F') {
            dbmi_local_time lt;
            dbmi_tz_local_fields(tz, (int64_t)value, &lt);
            printf("%" PRId64 " %d %d %d %d %d %d %ld\n", lt.year, lt.month, lt.day,
                   lt.hour, lt.minute, lt.second, lt.weekday, (long)lt.second_of_day);
        } else if (op == 'W') {
            int64_t t = (int64_t)value;
            for (;;) {
                t = dbmi_tz_next_transition(tz, t);
                if (t > INT64_C(13569465600))
                    break;
                printf("%" PRId64 ":%ld ", t, (long)dbmi_tz_offset_at(tz, t));
            }
            printf("\n");
        } else {
            printf("?\n");
        }
    }
    libdbm_context_free(ctx);
    return 0;
}
