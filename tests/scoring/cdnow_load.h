/* Test helper: loads the CDNOW 1/10 sample log into per-customer purchase
 * day arrays (same-day lines collapsed, amounts in cents), as the store
 * would hand them to the scoring layer. Written for the tests only. */
#ifndef LIBDBM_TEST_CDNOW_LOAD_H
#define LIBDBM_TEST_CDNOW_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "purchase_day.h"

#define CDNOW_CUSTOMERS 2357

typedef struct cdnow_customer {
    dbmi_purchase_day *days;
    size_t n, cap;
} cdnow_customer;

typedef struct cdnow_sample {
    cdnow_customer customers[CDNOW_CUSTOMERS + 1];   /* by sample id, 1-based */
    long lines;
} cdnow_sample;

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int32_t cdnow_days_from_civil(int y, int m, int d);
int32_t cdnow_days_from_yyyymmdd(long yyyymmdd);

/* Reads DIR/cdnow_sample.txt. Returns 0, or -1 when the file is missing
 * (the caller skips), exits the test on malformed content. */
int cdnow_load(cdnow_sample *s, const char *dir);
void cdnow_free(cdnow_sample *s);

#endif
