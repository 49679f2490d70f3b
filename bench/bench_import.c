/* Benchmark of `dbmtool import --format purchases`.
 * Usage: bench-import DBMTOOL [ROWS]   (default 1,000,000 rows)
 * Writes a synthetic purchases CSV (ROWS rows, 100,000 customers, ISO-8601
 * timestamps, 2-decimal amounts, unique transaction ids) into a temporary
 * directory, then measures in the same run:
 *   baseline: reading and splitting the file with dbmtool's CSV reader
 *             (no parsing of the values, no store);
 *   import:   `dbmtool import` of the file into a new directory store
 *             (one batch: parsing, validation, the store's writes, the
 *             commit with its fsync), as a separate process.
 * Prints rows/s of both and their ratio. No assertion on the timings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(2685821657736338717);
}

static int write_csv(const char *path, long rows)
{
    FILE *fp = fopen(path, "w");
    uint64_t state = 42;
    long i;
    if (fp == NULL)
        return -1;
    fputs("customer_id,timestamp,amount,transaction_id\n", fp);
    for (i = 0; i < rows; i++) {
        uint64_t r = next_random(&state);
        long customer = (long)(r % 100000);
        long day = (long)((r >> 20) % 540);            /* 1997-01-01 + day */
        long second = (long)((r >> 30) % 86400);
        long cents = (long)((r >> 40) % 20000) + 1;
        int64_t t = INT64_C(852076800) + day * 86400 + second;
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        fprintf(fp, "cust%06ld,%04d-%02d-%02dT%02d:%02d:%02dZ,%ld.%02ld,tx%ld\n", customer,
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                cents / 100, cents % 100, i);
    }
    return fclose(fp);
}

/* Reads and splits the file; returns the number of data records. */
static long baseline(const char *path, size_t *fields)
{
    FILE *fp = fopen(path, "rb");
    dbmtool_csv *csv;
    long records = -1;
    int result;
    if (fp == NULL)
        return -1;
    csv = dbmtool_csv_new(fp, DBMTOOL_CSV_COMMA);
    *fields = 0;
    while ((result = dbmtool_csv_next(csv)) == DBMTOOL_CSV_RECORD) {
        records++;
        *fields += dbmtool_csv_count(csv);
    }
    dbmtool_csv_free(csv);
    fclose(fp);
    return result == DBMTOOL_CSV_END ? records : -1;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/libdbm-bench-import-XXXXXX";
    char csv_path[256], store_path[256], command[1024];
    long rows = argc > 2 ? atol(argv[2]) : 1000000;
    double t0, base_s, import_s;
    size_t fields = 0;
    long records;
    int status;
    if (argc < 2) {
        fprintf(stderr, "usage: bench-import DBMTOOL [ROWS]\n");
        return 2;
    }
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(csv_path, sizeof(csv_path), "%s/purchases.csv", dir);
    snprintf(store_path, sizeof(store_path), "%s/store", dir);
    if (write_csv(csv_path, rows) != 0) {
        perror("writing the CSV");
        return 2;
    }
    /* Warm the page cache so both measurements read from memory. */
    baseline(csv_path, &fields);

    t0 = now_seconds();
    records = baseline(csv_path, &fields);
    base_s = now_seconds() - t0;
    if (records != rows) {
        fprintf(stderr, "baseline read %ld records, expected %ld\n", records, rows);
        return 2;
    }

    snprintf(command, sizeof(command), "'%s' import '%s' '%s' --format purchases > '%s/summary.json'",
             argv[1], store_path, csv_path, dir);
    t0 = now_seconds();
    status = system(command);
    import_s = now_seconds() - t0;
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "dbmtool import failed (status %d)\n", status);
        return 2;
    }
    printf("rows: %ld (%zu fields)\n", rows, fields);
    printf("baseline (read + split CSV): %.3f s, %.0f rows/s\n", base_s, (double)rows / base_s);
    printf("dbmtool import (one batch, directory store): %.3f s, %.0f rows/s\n", import_s,
           (double)rows / import_s);
    printf("ratio import/baseline time: %.1fx\n", import_s / base_s);
    fflush(stdout);
    snprintf(command, sizeof(command), "cat '%s/summary.json'; rm -rf '%s'", dir, dir);
    return system(command) == 0 ? 0 : 2;
}
