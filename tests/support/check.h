/* Minimal assertion helpers for libdbm's tests: a failed check prints where
 * and what, then exits 1 so meson counts the test as failed. */
#ifndef LIBDBM_TEST_CHECK_H
#define LIBDBM_TEST_CHECK_H

#include <libdbm.h>

void check_fail(const char *file, int line, const char *what);
void check_fail_status(const char *file, int line, const char *expr, int got,
                       int want);

#define CHECK(cond) \
    do { if (!(cond)) check_fail(__FILE__, __LINE__, #cond); } while (0)

/* Checks that a libdbm call returns @p want (a status code). */
#define CHECK_STATUS(expr, want)                                        \
    do {                                                                \
        int check_got_ = (expr);                                        \
        if (check_got_ != (want))                                       \
            check_fail_status(__FILE__, __LINE__, #expr, check_got_, (want)); \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, LIBDBM_OK)

#endif
