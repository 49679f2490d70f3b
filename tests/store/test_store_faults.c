/* An EIO from write() or fsync() under the store (through the io hooks)
 * turns the handle read-only, seen through the public API: the failing
 * call returns LIBDBM_EIO, every later write LIBDBM_EREADONLY, reads keep
 * working, and a reopen shows every acknowledged write and no partial
 * batch (after a failed fsync the unacknowledged batch may be there, but
 * whole). Also a failing snapshot write (checkpoint). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "io.h"
#include "libdbm.h"
#include "store_test_util.h"

enum fault { FAULT_NONE, FAULT_WRITE, FAULT_FSYNC };

static enum fault armed = FAULT_NONE;

static ssize_t hook_write(int fd, const void *buf, size_t count, void *user_data)
{
    (void)user_data;
    if (armed == FAULT_WRITE) {
        errno = EIO;
        return -1;
    }
    return write(fd, buf, count);
}

static ssize_t hook_pwrite(int fd, const void *buf, size_t count, off_t offset, void *user_data)
{
    (void)user_data;
    if (armed == FAULT_WRITE) {
        errno = EIO;
        return -1;
    }
    return pwrite(fd, buf, count, offset);
}

static int hook_fsync(int fd, void *user_data)
{
    (void)user_data;
    if (armed == FAULT_FSYNC) {
        errno = EIO;
        return -1;
    }
    return fsync(fd);
}

static int64_t agg(libdbm_store *s, const char *id, int which)
{
    int64_t v = -12345;
    CHECK_OK(libdbm_store_aggregate(s, &v, id, which));
    return v;
}

static int exists(libdbm_store *s, const char *id)
{
    int e = -1;
    CHECK_OK(libdbm_store_profile_exists(s, &e, id));
    return e;
}

/* A store in a new directory, opened through the hooks, with two
 * acknowledged purchases of "acked" (300 in all). */
static libdbm_store *open_with_hooks(libdbm_context **ctx, char *dir, size_t size)
{
    dbmi_io_hooks hooks;
    libdbm_store *s = NULL;
    store_test_tmpdir(dir, size, "faults");
    CHECK_OK(libdbm_context_new(ctx, NULL));
    memset(&hooks, 0, sizeof(hooks));
    hooks.write = hook_write;
    hooks.pwrite = hook_pwrite;
    hooks.fsync = hook_fsync;
    dbmi_io_set_hooks(*ctx, &hooks);
    CHECK_OK(libdbm_store_open(&s, *ctx, dir, NULL));
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "acked", 86400, 100, "t1"));
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "acked", 2 * 86400, 200, "t2"));
    return s;
}

static void check_read_only(libdbm_store *s)
{
    CHECK_STATUS(libdbm_store_purchase_add_minor(s, NULL, "acked", 86400, 1, NULL),
                 LIBDBM_EREADONLY);
    CHECK_STATUS(libdbm_store_attr_set_int64(s, "acked", "n", 1), LIBDBM_EREADONLY);
    CHECK_STATUS(libdbm_store_begin(s), LIBDBM_EREADONLY);
    CHECK_STATUS(libdbm_store_checkpoint(s), LIBDBM_EREADONLY);
    /* Reads still answer from the acknowledged state. */
    CHECK(exists(s, "acked") == 1);
    CHECK(agg(s, "acked", LIBDBM_AGG_PURCHASE_COUNT) == 2);
    CHECK(agg(s, "acked", LIBDBM_AGG_TOTAL_MINOR) == 300);
}

/* @p in_batch: the failing write is a commit of three purchases. */
static void run(enum fault fault, int in_batch)
{
    libdbm_context *ctx;
    char dir[512];
    libdbm_store *s = open_with_hooks(&ctx, dir, sizeof(dir));
    int status;
    int64_t count;
    armed = fault;
    if (in_batch) {
        CHECK_OK(libdbm_store_begin(s));
        CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "lost", 86400, 5, "b1"));
        CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "lost", 2 * 86400, 6, "b2"));
        CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "acked", 3 * 86400, 7, "b3"));
        status = libdbm_store_commit(s);
    } else {
        status = libdbm_store_purchase_add_minor(s, NULL, "lost", 86400, 5, "b1");
    }
    CHECK_STATUS(status, LIBDBM_EIO);
    /* The message names the file and the system's reason. */
    CHECK(strstr(libdbm_context_errmsg(ctx), "log.dbm") != NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), strerror(EIO)) != NULL);
    armed = FAULT_NONE;
    /* The failed write is not visible, and the handle refuses writes even
     * though the disk works again (never retry a failed fsync). */
    CHECK(exists(s, "lost") == 0);
    check_read_only(s);
    CHECK(strstr(libdbm_context_errmsg(ctx), "read-only") != NULL);
    libdbm_store_close(s);
    /* A reopen: the acknowledged writes are there; the failed batch is all
     * there or not at all (only possible after a failed fsync). */
    dbmi_io_set_hooks(ctx, NULL);
    CHECK_OK(libdbm_store_open(&s, ctx, dir, NULL));
    count = agg(s, "acked", LIBDBM_AGG_PURCHASE_COUNT);
    if (exists(s, "lost")) {
        CHECK(fault == FAULT_FSYNC);
        CHECK(agg(s, "lost", LIBDBM_AGG_PURCHASE_COUNT) == (in_batch ? 2 : 1));
        CHECK(count == (in_batch ? 3 : 2));
    } else {
        CHECK(count == 2);
        CHECK(agg(s, "acked", LIBDBM_AGG_TOTAL_MINOR) == 300);
    }
    /* And it takes writes again. */
    CHECK_OK(libdbm_store_purchase_add_minor(s, NULL, "acked", 9 * 86400, 1, "t9"));
    CHECK_OK(libdbm_store_close(s));
    libdbm_context_free(ctx);
    store_test_rmdir(dir);
}

/* A checkpoint whose snapshot write fails reports EIO; the store's data
 * stays intact (the old snapshot and the log still hold it). */
static void checkpoint_fails(enum fault fault)
{
    libdbm_context *ctx;
    char dir[512];
    libdbm_store *s = open_with_hooks(&ctx, dir, sizeof(dir));
    int status;
    armed = fault;
    status = libdbm_store_checkpoint(s);
    armed = FAULT_NONE;
    CHECK_STATUS(status, LIBDBM_EIO);
    CHECK(agg(s, "acked", LIBDBM_AGG_TOTAL_MINOR) == 300);
    libdbm_store_close(s);
    dbmi_io_set_hooks(ctx, NULL);
    CHECK_OK(libdbm_store_open(&s, ctx, dir, NULL));
    CHECK(agg(s, "acked", LIBDBM_AGG_PURCHASE_COUNT) == 2);
    CHECK(agg(s, "acked", LIBDBM_AGG_TOTAL_MINOR) == 300);
    CHECK_OK(libdbm_store_close(s));
    libdbm_context_free(ctx);
    store_test_rmdir(dir);
}

int main(void)
{
    run(FAULT_WRITE, 0);
    run(FAULT_WRITE, 1);
    run(FAULT_FSYNC, 0);
    run(FAULT_FSYNC, 1);
    checkpoint_fails(FAULT_WRITE);
    checkpoint_fails(FAULT_FSYNC);
    puts("store-faults: ok");
    return 0;
}
