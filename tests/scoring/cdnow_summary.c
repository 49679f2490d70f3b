#include "cdnow_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long cdnow_summary_load(const char *dir, cdnow_summary_row **rows)
{
    char path[4096], line[512];
    snprintf(path, sizeof(path), "%s/cdnow_customers_summary_with_transactions.csv", dir);
    FILE *f = fopen(path, "rb");
    *rows = NULL;
    if (f == NULL)
        return -1;
    long n = 0, cap = 0, lineno = 0;
    cdnow_summary_row *out = NULL;
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1) {
            if (strcmp(line, "ID,x,t_x,T,zbar") != 0) {
                fprintf(stderr, "%s: unexpected header '%s'\n", path, line);
                exit(1);
            }
            continue;
        }
        if (line[0] == '\0')
            continue;
        long id;
        cdnow_summary_row r;
        if (sscanf(line, "%ld,%lf,%lf,%lf,%lf", &id, &r.x, &r.t_x, &r.T, &r.m_x) != 5) {
            fprintf(stderr, "%s:%ld: malformed line '%s'\n", path, lineno, line);
            exit(1);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            out = realloc(out, (size_t)cap * sizeof(*out));
            if (out == NULL) {
                fprintf(stderr, "out of memory\n");
                exit(1);
            }
        }
        out[n++] = r;
    }
    fclose(f);
    *rows = out;
    return n;
}
