/* Helper of check_time.py: answers one request per stdin line through the
 * public time API, so Python's datetime can serve as an independent oracle.
 *   "P TEXT"  -> "STATUS SECONDS"      (libdbm_time_parse)
 *   "F SECS"  -> "STATUS TEXT"         (libdbm_time_format)
 *   "D SECS"  -> "STATUS TEXT"         (libdbm_time_format_date)   */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdbm.h>

int main(void)
{
    char line[256];
    while (fgets(line, sizeof(line), stdin) != NULL) {
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len < 2)
            return 2;
        if (line[0] == 'P') {
            int64_t t = 0;
            int status = libdbm_time_parse(&t, line + 2);
            printf("%d %lld\n", status, (long long)t);
        } else {
            char buf[LIBDBM_TIME_FORMAT_SIZE];
            int64_t t = strtoll(line + 2, NULL, 10);
            int status = line[0] == 'F' ? libdbm_time_format(buf, sizeof(buf), t)
                                        : libdbm_time_format_date(buf, sizeof(buf), t);
            printf("%d %s\n", status, status == 0 ? buf : "-");
        }
    }
    return 0;
}
