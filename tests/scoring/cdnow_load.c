#include "cdnow_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int32_t cdnow_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil algorithm (public domain idea). */
    long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

int32_t cdnow_days_from_yyyymmdd(long v)
{
    return cdnow_days_from_civil((int)(v / 10000), (int)(v / 100 % 100),
                                 (int)(v % 100));
}

int cdnow_load(cdnow_sample *s, const char *dir)
{
    char path[4096], line[256];
    FILE *f;
    memset(s, 0, sizeof(*s));
    snprintf(path, sizeof(path), "%s/cdnow_sample.txt", dir);
    f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        long master, sid, date, cds, dollars, cents;
        cdnow_customer *c;
        int32_t day;
        if (sscanf(line, "%ld %ld %ld %ld %ld.%ld", &master, &sid, &date, &cds,
                   &dollars, &cents) != 6) {
            fprintf(stderr, "bad CDNOW line: %s\n", line);
            CHECK(0);
        }
        CHECK(sid >= 1 && sid <= CDNOW_CUSTOMERS);
        c = &s->customers[sid];
        day = cdnow_days_from_yyyymmdd(date);
        if (c->n > 0 && c->days[c->n - 1].day == day) {
            c->days[c->n - 1].count++;
            c->days[c->n - 1].amount_minor += dollars * 100 + cents;
        } else {
            CHECK(c->n == 0 || c->days[c->n - 1].day < day); /* file is sorted */
            if (c->n == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 8;
                c->days = realloc(c->days, c->cap * sizeof(*c->days));
                CHECK(c->days != NULL);
            }
            c->days[c->n].day = day;
            c->days[c->n].count = 1;
            c->days[c->n].amount_minor = dollars * 100 + cents;
            c->n++;
        }
        s->lines++;
    }
    fclose(f);
    return 0;
}

void cdnow_free(cdnow_sample *s)
{
    int i;
    for (i = 0; i <= CDNOW_CUSTOMERS; i++)
        free(s->customers[i].days);
}
