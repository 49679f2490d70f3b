/* Durable log append throughput: ~40-byte records (a purchase) committed in
 * batches of 1, 100 and 10,000 per fsync, against a baseline of plain
 * write() + fsync() of the same framed bytes in the same batches, measured
 * in the same run on the same file system.
 *
 * Usage: bench-log-append [DIR] (default $TMPDIR or /tmp). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "crc32c.h"
#include "log.h"

#define RECORD_SIZE 40

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void make_record(unsigned long i, unsigned char *out)
{
    /* customer id hash, time, amount in minor units, transaction hash */
    memset(out, 0, RECORD_SIZE);
    dbmi_store_u64le(out, i * 0x9E3779B97F4A7C15ull);
    dbmi_store_u64le(out + 8, 1700000000ull + i);
    dbmi_store_u64le(out + 16, 1999 + i % 500);
    dbmi_store_u64le(out + 24, i);
    dbmi_store_u64le(out + 32, ~i);
}

static double run_log(libdbm_context *ctx, const char *path, unsigned long total,
                      unsigned long batch)
{
    struct dbmi_log *log;
    unsigned char rec[RECORD_SIZE];
    unsigned long i;
    double t0, t1;
    unlink(path);
    if (dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL) != LIBDBM_OK) {
        fprintf(stderr, "open failed: %s\n", libdbm_context_errmsg(ctx));
        exit(1);
    }
    t0 = now();
    for (i = 0; i < total; i++) {
        make_record(i, rec);
        if (dbmi_log_append(log, rec, sizeof(rec)) != LIBDBM_OK)
            exit(1);
        if ((i + 1) % batch == 0 && dbmi_log_commit(log) != LIBDBM_OK) {
            fprintf(stderr, "commit failed: %s\n", libdbm_context_errmsg(ctx));
            exit(1);
        }
    }
    t1 = now();
    dbmi_log_close(log);
    return (double)total / (t1 - t0);
}

/* The same bytes (framing included) built in a plain buffer, one write()
 * and one fsync() per batch: the floor of any durable append. */
static double run_baseline(const char *path, unsigned long total, unsigned long batch)
{
    size_t frame = 8 + RECORD_SIZE;
    unsigned char *buf = malloc(frame * batch);
    unsigned long i;
    size_t used = 0;
    double t0, t1;
    int fd;
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || buf == NULL)
        exit(1);
    t0 = now();
    for (i = 0; i < total; i++) {
        unsigned char *p = buf + used;
        make_record(i, p + 8);
        dbmi_store_u32le(p, RECORD_SIZE);
        dbmi_store_u32le(p + 4, dbmi_crc32c(dbmi_crc32c(0, p, 4), p + 8, RECORD_SIZE));
        used += frame;
        if ((i + 1) % batch == 0) {
            if (write(fd, buf, used) != (ssize_t)used || fsync(fd) != 0)
                exit(1);
            used = 0;
        }
    }
    t1 = now();
    close(fd);
    free(buf);
    return (double)total / (t1 - t0);
}

int main(int argc, char **argv)
{
    static const unsigned long batches[] = {1, 100, 10000};
    static const unsigned long totals[] = {2000, 100000, 1000000};
    const char *base = argc > 1 ? argv[1] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    char dir[512], log_path[600], plain_path[600];
    libdbm_context *ctx;
    size_t k;

    snprintf(dir, sizeof(dir), "%s/libdbm-bench-XXXXXX", base);
    if (mkdtemp(dir) == NULL || libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
        return 1;
    snprintf(log_path, sizeof(log_path), "%s/log.dbm", dir);
    snprintf(plain_path, sizeof(plain_path), "%s/plain.bin", dir);
    printf("durable log append, %d-byte records, %ld online cores, files in %s\n", RECORD_SIZE,
           sysconf(_SC_NPROCESSORS_ONLN), base);
    printf("%8s %10s %16s %16s %8s\n", "batch", "records", "log rec/s", "baseline rec/s",
           "ratio");
    for (k = 0; k < sizeof(batches) / sizeof(batches[0]); k++) {
        /* Baseline first and last, so drift in the device shows. */
        double b1 = run_baseline(plain_path, totals[k], batches[k]);
        double l = run_log(ctx, log_path, totals[k], batches[k]);
        double b2 = run_baseline(plain_path, totals[k], batches[k]);
        double b = (b1 + b2) / 2;
        printf("%8lu %10lu %16.0f %16.0f %8.2f\n", batches[k], totals[k], l, b, l / b);
    }
    unlink(log_path);
    unlink(plain_path);
    rmdir(dir);
    libdbm_context_free(ctx);
    return 0;
}
