/* Fault injection through the io hooks: a failing write, a short write
 * followed by a failure, a failing fsync, a full disk, EINTR and one-byte
 * writes. After a failure the log is poisoned (EREADONLY with the reason),
 * and a reopen shows every acknowledged record intact and nothing partial
 * (after a failed fsync the unacknowledged record MAY be present; the
 * acknowledged ones MUST be). Also failures during reset and truncation,
 * and the wording of the error messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "check.h"
#include "durability_util.h"
#include "io.h"
#include "log.h"

enum fault {
    FAULT_NONE,
    FAULT_WRITE,        /* write fails with EIO, nothing written */
    FAULT_SHORT_WRITE,  /* half written and reported, then EIO */
    FAULT_ENOSPC,       /* half written and reported, then ENOSPC */
    FAULT_FSYNC,        /* fsync fails with EIO (data may be in the file) */
    FAULT_EINTR,        /* every call first fails with EINTR once */
    FAULT_ONE_BYTE,     /* writes make progress one byte at a time */
    FAULT_RENAME,       /* rename fails with EIO */
    FAULT_FTRUNCATE     /* ftruncate fails with EIO */
};

typedef struct fault_state {
    enum fault fault;
    int armed;
    int half_done;          /* the short write already happened */
    int interrupted;        /* the EINTR already happened for this call */
    long calls;
} fault_state;

static ssize_t hook_write(int fd, const void *buf, size_t count, void *user_data)
{
    fault_state *fs = user_data;
    fs->calls++;
    if (!fs->armed)
        return write(fd, buf, count);
    switch (fs->fault) {
    case FAULT_WRITE:
        errno = EIO;
        return -1;
    case FAULT_SHORT_WRITE:
    case FAULT_ENOSPC:
        if (!fs->half_done && count > 1) {
            fs->half_done = 1;
            return write(fd, buf, count / 2);
        }
        errno = fs->fault == FAULT_ENOSPC ? ENOSPC : EIO;
        return -1;
    case FAULT_EINTR:
        if (!fs->interrupted) {
            fs->interrupted = 1;
            errno = EINTR;
            return -1;
        }
        fs->interrupted = 0;
        return write(fd, buf, count);
    case FAULT_ONE_BYTE:
        return write(fd, buf, count > 0 ? 1 : 0);
    default:
        return write(fd, buf, count);
    }
}

static int hook_fsync(int fd, void *user_data)
{
    fault_state *fs = user_data;
    if (fs->armed && fs->fault == FAULT_FSYNC) {
        errno = EIO;
        return -1;
    }
    if (fs->armed && fs->fault == FAULT_EINTR && !fs->interrupted) {
        fs->interrupted = 1;
        errno = EINTR;
        return -1;
    }
    fs->interrupted = 0;
    return fsync(fd);
}

static int hook_rename(const char *from, const char *to, void *user_data)
{
    fault_state *fs = user_data;
    if (fs->armed && fs->fault == FAULT_RENAME) {
        errno = EIO;
        return -1;
    }
    return rename(from, to);
}

static int hook_ftruncate(int fd, off_t length, void *user_data)
{
    fault_state *fs = user_data;
    if (fs->armed && fs->fault == FAULT_FTRUNCATE) {
        errno = EIO;
        return -1;
    }
    return ftruncate(fd, length);
}

static void install(libdbm_context *ctx, fault_state *fs, enum fault fault)
{
    dbmi_io_hooks hooks;
    memset(&hooks, 0, sizeof(hooks));
    memset(fs, 0, sizeof(*fs));
    fs->fault = fault;
    hooks.write = hook_write;
    hooks.fsync = hook_fsync;
    hooks.rename = hook_rename;
    hooks.ftruncate = hook_ftruncate;
    hooks.user_data = fs;
    dbmi_io_set_hooks(ctx, &hooks);
}

static size_t make_record(uint64_t i, unsigned char *out)
{
    size_t len = 8 + (size_t)((i * 13) % 50), k;
    dbmi_store_u64le(out, i);
    for (k = 8; k < len; k++)
        out[k] = (unsigned char)(i + k * 3);
    return len;
}

typedef struct collector {
    uint64_t count;
    int bad;
} collector;

static int collect(const void *payload, size_t len, void *user_data)
{
    collector *c = user_data;
    unsigned char want[64];
    size_t want_len = make_record(c->count, want);
    if (len != want_len || memcmp(payload, want, len) != 0)
        c->bad = 1;
    c->count++;
    return LIBDBM_OK;
}

static int append_commit(struct dbmi_log *log, uint64_t first, uint64_t n)
{
    uint64_t i;
    for (i = first; i < first + n; i++) {
        unsigned char rec[64];
        int status = dbmi_log_append(log, rec, make_record(i, rec));
        if (status != LIBDBM_OK)
            return status;
    }
    return dbmi_log_commit(log);
}

/* Reopens without hooks; returns the number of records replayed, after
 * checking they are the expected ones. */
static uint64_t reopen_count(libdbm_context *ctx, const char *path)
{
    struct dbmi_log *log;
    collector c;
    memset(&c, 0, sizeof(c));
    dbmi_io_set_hooks(ctx, NULL);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 1, 0, collect, &c));
    CHECK(!c.bad);
    dbmi_log_close(log);
    return c.count;
}

static void test_commit_failure(enum fault fault, const char *what, const char *message)
{
    const char *dir = dur_tmpdir("fault");
    const char *path = dur_path(dir, "log.dbm");
    libdbm_context *ctx = dur_context();
    struct dbmi_log *log;
    fault_state fs;
    uint64_t acked = 10, after;

    install(ctx, &fs, fault);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL));
    CHECK_OK(append_commit(log, 0, 4));
    CHECK_OK(append_commit(log, 4, 6));
    fs.armed = 1;
    /* Three records in one commit: the failure covers all of them. */
    CHECK_STATUS(append_commit(log, acked, 3), LIBDBM_EIO);
    CHECK(strstr(libdbm_context_errmsg(ctx), path) != NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), message) != NULL);
    fs.armed = 0;
    /* Poisoned: nothing is accepted any more, and the message says why. */
    CHECK(dbmi_log_poisoned(log));
    CHECK_STATUS(append_commit(log, acked, 1), LIBDBM_EREADONLY);
    CHECK(strstr(libdbm_context_errmsg(ctx), what) != NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), message) != NULL);
    CHECK_STATUS(dbmi_log_commit(log), LIBDBM_EREADONLY);
    CHECK_STATUS(dbmi_log_reset(log, 2), LIBDBM_EREADONLY);
    dbmi_log_close(log);

    after = reopen_count(ctx, path);
    /* Every acknowledged record survives, intact and in order (checked by
     * reopen_count). Records are all-or-nothing one by one, not per commit:
     * a prefix of the failed commit's records may survive a write that
     * failed half way, or all of them a failed fsync; never a partial one. */
    if (fault == FAULT_WRITE)
        CHECK(after == acked);
    else
        CHECK(after >= acked && after <= acked + 3);
    /* The store is consistent: it takes new records after the survivors. */
    CHECK_OK(dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL));
    CHECK_OK(append_commit(log, after, 2));
    dbmi_log_close(log);
    CHECK(reopen_count(ctx, path) == after + 2);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* Interrupted calls and one-byte progress are not failures. */
static void test_retried_writes(enum fault fault)
{
    const char *dir = dur_tmpdir("retry");
    const char *path = dur_path(dir, "log.dbm");
    libdbm_context *ctx = dur_context();
    struct dbmi_log *log;
    fault_state fs;

    install(ctx, &fs, fault);
    fs.armed = 1;
    CHECK_OK(dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL));
    CHECK_OK(append_commit(log, 0, 5));
    CHECK_OK(append_commit(log, 5, 1));
    CHECK(fs.calls > (fault == FAULT_ONE_BYTE ? 100 : 2));
    dbmi_log_close(log);
    CHECK(reopen_count(ctx, path) == 6);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* A reset that fails (fsync of the temp file, or the rename) poisons the
 * log and leaves the old log in place; the next open with the new epoch
 * skips its records, which the snapshot holds. */
static void test_reset_failure(enum fault fault)
{
    const char *dir = dur_tmpdir("resetfail");
    const char *path = dur_path(dir, "log.dbm");
    libdbm_context *ctx = dur_context();
    struct dbmi_log *log;
    fault_state fs;
    collector c;

    install(ctx, &fs, fault);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL));
    CHECK_OK(append_commit(log, 0, 5));
    fs.armed = 1;
    CHECK_STATUS(dbmi_log_reset(log, 2), LIBDBM_EIO);
    fs.armed = 0;
    CHECK_STATUS(append_commit(log, 5, 1), LIBDBM_EREADONLY);
    dbmi_log_close(log);
    CHECK(!dur_file_exists(dur_path(dir, "log.dbm.tmp")));
    CHECK(reopen_count(ctx, path) == 5);       /* old epoch: still readable */
    memset(&c, 0, sizeof(c));
    CHECK_OK(dbmi_log_open(&log, ctx, path, 2, 0, collect, &c));
    CHECK(c.count == 0 && dbmi_log_epoch(log) == 2);
    dbmi_log_close(log);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* Truncating a torn tail can fail too: the open fails, nothing is lost. */
static void test_truncate_failure(void)
{
    const char *dir = dur_tmpdir("truncfail");
    const char *path = dur_path(dir, "log.dbm");
    libdbm_context *ctx = dur_context();
    struct dbmi_log *log;
    fault_state fs;
    FILE *f;

    CHECK_OK(dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL));
    CHECK_OK(append_commit(log, 0, 3));
    dbmi_log_close(log);
    f = fopen(path, "ab");
    CHECK(f != NULL && fwrite("\x05\0\0", 1, 3, f) == 3);
    fclose(f);
    install(ctx, &fs, FAULT_FTRUNCATE);
    fs.armed = 1;
    CHECK_STATUS(dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL), LIBDBM_EIO);
    CHECK(strstr(libdbm_context_errmsg(ctx), "truncating") != NULL);
    CHECK(reopen_count(ctx, path) == 3);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

static void test_messages(void)
{
    libdbm_context *ctx = dur_context();
    fault_state fs;
    int fd = open("/dev/null", O_WRONLY);
    CHECK(fd >= 0);
    install(ctx, &fs, FAULT_ENOSPC);
    fs.armed = 1;
    CHECK_STATUS(dbmi_io_write_all(ctx, fd, "0123456789", 10, "/some/file"), LIBDBM_EIO);
    CHECK(strstr(libdbm_context_errmsg(ctx), "writing '/some/file'") != NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), "disk full") != NULL);
    install(ctx, &fs, FAULT_FSYNC);
    fs.armed = 1;
    CHECK_STATUS(dbmi_io_fsync(ctx, fd, "/some/file"), LIBDBM_EIO);
    CHECK(strstr(libdbm_context_errmsg(ctx), "syncing '/some/file'") != NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), strerror(EIO)) != NULL);
    dbmi_io_set_hooks(ctx, NULL);
    CHECK_OK(dbmi_io_write_all(ctx, fd, "0123456789", 10, "/dev/null"));
    CHECK_STATUS(dbmi_io_open(ctx, &fd, "/nonexistent/dir/x", O_RDONLY, 0), LIBDBM_ENOTFOUND);
    CHECK_STATUS(dbmi_io_open(ctx, &fd, "/nonexistent/dir/x", O_RDWR | O_CREAT, 0644),
                 LIBDBM_EIO);
    CHECK(strstr(libdbm_context_errmsg(ctx), "opening '/nonexistent/dir/x'") != NULL);
    libdbm_context_free(ctx);
}

int main(void)
{
    test_commit_failure(FAULT_WRITE, "write failed", strerror(EIO));
    test_commit_failure(FAULT_SHORT_WRITE, "write failed", strerror(EIO));
    test_commit_failure(FAULT_ENOSPC, "write failed", "disk full");
    test_commit_failure(FAULT_FSYNC, "fsync failed", strerror(EIO));
    test_retried_writes(FAULT_EINTR);
    test_retried_writes(FAULT_ONE_BYTE);
    test_reset_failure(FAULT_FSYNC);
    test_reset_failure(FAULT_RENAME);
    test_truncate_failure();
    test_messages();
    puts("store-io-faults: ok");
    return 0;
}
