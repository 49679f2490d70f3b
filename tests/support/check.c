#include <stdio.h>
#include <stdlib.h>

#include "check.h"

void check_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    exit(1);
}

void check_fail_status(const char *file, int line, const char *expr, int got,
                       int want)
{
    fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s)\n", file, line,
            expr, got, libdbm_strerror(got), want, libdbm_strerror(want));
    exit(1);
}
