#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "textfile.h"

int dbmtool_read_text_file(const char *path, size_t max, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t got;
    int failed;
    *data = NULL;
    *len = 0;
    if (f == NULL) {
        fprintf(stderr, "dbmtool: %s: %s\n", path, strerror(errno));
        return DBMTOOL_EXIT_IO;
    }
    if ((buf = malloc(max + 1)) == NULL) {
        fclose(f);
        fprintf(stderr, "dbmtool: out of memory reading %s\n", path);
        return DBMTOOL_EXIT_IO;
    }
    got = fread(buf, 1, max + 1, f);
    failed = ferror(f);
    fclose(f);
    if (failed || got > max) {
        free(buf);
        if (failed) {
            fprintf(stderr, "dbmtool: %s: read error\n", path);
            return DBMTOOL_EXIT_IO;
        }
        fprintf(stderr, "dbmtool: %s: larger than %zu bytes\n", path, max);
        return DBMTOOL_EXIT_USAGE;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return DBMTOOL_EXIT_OK;
}
