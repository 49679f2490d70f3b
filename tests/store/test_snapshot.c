/* Snapshots: round trips with and without compression, truncation at every
 * length and a flipped byte at every position (ECORRUPT, never a crash or an
 * OK), versions and flags from the future (EVERSION), untrusted lengths,
 * the crash window between "temp written" and "rename" (simulated by a
 * leftover .tmp), a failing fsync, and the allocation-failure sweep. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "check.h"
#include "config.h"
#include "crc32c.h"
#include "durability_util.h"
#include "failalloc.h"
#include "io.h"
#include "snapshot.h"

static unsigned char *make_payload(size_t len, int compressible)
{
    unsigned char *p = malloc(len + 1);
    uint32_t x = 2463534242u;
    size_t i;
    CHECK(p != NULL);
    for (i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = compressible ? (unsigned char)("customer-0001;score=0.25\n"[i % 25] + (i / 4096))
                            : (unsigned char)x;
    }
    return p;
}

/* Writes a snapshot in pieces of varying size. */
static int write_snapshot(libdbm_context *ctx, const char *path, uint64_t epoch, int compress,
                          const unsigned char *data, size_t len)
{
    dbmi_snapshot_writer *w;
    size_t done = 0, piece = 1;
    int status = dbmi_snapshot_begin(&w, ctx, path, epoch, compress);
    if (status != LIBDBM_OK)
        return status;
    while (done < len) {
        size_t n = len - done < piece ? len - done : piece;
        status = dbmi_snapshot_write(w, data + done, n);
        if (status != LIBDBM_OK) {
            dbmi_snapshot_abort(w);
            return status;
        }
        done += n;
        piece = piece * 3 + 1;
    }
    return dbmi_snapshot_commit(w);
}

static void check_loads(libdbm_context *ctx, const char *path, uint64_t epoch,
                        const unsigned char *data, size_t len)
{
    void *payload;
    size_t got;
    uint64_t e;
    CHECK_OK(dbmi_snapshot_load(ctx, path, &e, &payload, &got));
    CHECK(e == epoch && got == len && memcmp(payload, data, len) == 0);
    dbmi_free(ctx, payload);
}

static void test_round_trip(void)
{
    static const size_t sizes[] = {0, 1, 1000, 70000, 300000};
    const char *dir = dur_tmpdir("snap");
    const char *path = dur_path(dir, "snapshot.dbm");
    const char *tmp = dur_path(dir, "snapshot.dbm.tmp");
    const char *none = dur_path(dir, "none.dbm");
    libdbm_context *ctx = dur_context();
    size_t i;
    int compress, compressible;

    for (compress = 0; compress <= LIBDBM_HAVE_ZLIB; compress++)
        for (compressible = 0; compressible <= 1; compressible++)
            for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                unsigned char *data = make_payload(sizes[i], compressible);
                uint64_t epoch = 1000 + i;
                size_t file_len;
                free(dur_read_file(path, &file_len));
                CHECK_OK(write_snapshot(ctx, path, epoch, compress, data, sizes[i]));
                CHECK(!dur_file_exists(tmp));
                check_loads(ctx, path, epoch, data, sizes[i]);
                free(dur_read_file(path, &file_len));
                if (!compress)
                    CHECK(file_len == sizes[i] + DBMI_SNAPSHOT_HEADER_SIZE +
                                          DBMI_SNAPSHOT_TRAILER_SIZE);
                else if (compressible && sizes[i] >= 1000)
                    CHECK(file_len < sizes[i] / 4);
                free(data);
            }
#if !LIBDBM_HAVE_ZLIB
    {
        dbmi_snapshot_writer *w;
        CHECK_STATUS(dbmi_snapshot_begin(&w, ctx, path, 1, 1), LIBDBM_ENOTSUP);
        CHECK(w == NULL);
    }
#endif
    /* Missing file. */
    {
        void *payload = NULL;
        size_t len = 0;
        uint64_t e;
        CHECK_STATUS(dbmi_snapshot_load(ctx, none, &e, &payload, &len),
                     LIBDBM_ENOTFOUND);
    }
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* Every truncation and every single flipped byte of a valid snapshot is
 * refused with ECORRUPT (EVERSION allowed for the version field). */
static void test_damage(int compress)
{
    const char *dir = dur_tmpdir("damage");
    const char *path = dur_path(dir, "snapshot.dbm");
    const char *bad = dur_path(dir, "bad.dbm");
    libdbm_context *ctx = dur_context();
    unsigned char *data = make_payload(700, 1), *file;
    size_t len, cut;
    void *payload;
    size_t got;
    uint64_t e;

    CHECK_OK(write_snapshot(ctx, path, 9, compress, data, 700));
    file = dur_read_file(path, &len);
    for (cut = 0; cut < len; cut++) {
        dur_write_file(bad, file, cut);
        CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_ECORRUPT);
        CHECK(strstr(libdbm_context_errmsg(ctx), bad) != NULL);
    }
    for (cut = 0; cut < len; cut++) {
        int status, bit;
        for (bit = 0; bit < 8; bit += 7) {
            file[cut] ^= (unsigned char)(1u << bit);
            dur_write_file(bad, file, len);
            file[cut] ^= (unsigned char)(1u << bit);
            status = dbmi_snapshot_load(ctx, bad, &e, &payload, &got);
            if (cut >= 8 && cut < 12)
                CHECK(status == LIBDBM_EVERSION || status == LIBDBM_ECORRUPT);
            else
                CHECK_STATUS(status, LIBDBM_ECORRUPT);
        }
    }
    /* Extra bytes after the trailer are damage too. */
    {
        unsigned char *longer = malloc(len + 1);
        memcpy(longer, file, len);
        longer[len] = 0;
        dur_write_file(bad, longer, len + 1);
        CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_ECORRUPT);
        free(longer);
    }
    check_loads(ctx, path, 9, data, 700);
    free(file);
    free(data);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* Rewrites a header field and fixes the trailer, as a future writer
 * would produce a consistent file. */
static void rewrite_field(unsigned char *file, size_t len, size_t offset, uint64_t value,
                          int width)
{
    if (width == 4)
        dbmi_store_u32le(file + offset, (uint32_t)value);
    else
        dbmi_store_u64le(file + offset, value);
    dbmi_store_u32le(file + len - 4, dbmi_crc32c(0, file, len - 4));
}

static void *small_malloc(size_t size, void *user_data)
{
    (void)user_data;
    return size > ((size_t)1 << 22) ? NULL : malloc(size);
}
static void *small_realloc(void *ptr, size_t size, void *user_data)
{
    (void)user_data;
    return size > ((size_t)1 << 22) ? NULL : realloc(ptr, size);
}
static void small_free(void *ptr, void *user_data)
{
    (void)user_data;
    free(ptr);
}

static void test_versions_and_lengths(void)
{
    const char *dir = dur_tmpdir("version");
    const char *path = dur_path(dir, "snapshot.dbm");
    const char *bad = dur_path(dir, "bad.dbm");
    libdbm_context_options opts = LIBDBM_CONTEXT_OPTIONS_INIT;
    libdbm_context *ctx;
    unsigned char *data = make_payload(500, 1), *file;
    size_t len, got;
    void *payload;
    uint64_t e;

    opts.malloc_fn = small_malloc;
    opts.realloc_fn = small_realloc;
    opts.free_fn = small_free;
    CHECK_OK(libdbm_context_new(&ctx, &opts));
    CHECK_OK(write_snapshot(ctx, path, 3, 0, data, 500));
    file = dur_read_file(path, &len);

    rewrite_field(file, len, 8, 2, 4);               /* version 2 */
    dur_write_file(bad, file, len);
    CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_EVERSION);
    CHECK(strstr(libdbm_context_errmsg(ctx), "version 2") != NULL);
    rewrite_field(file, len, 8, 1, 4);
    rewrite_field(file, len, 12, 0x80, 4);           /* unknown flag */
    dur_write_file(bad, file, len);
    CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_EVERSION);
    rewrite_field(file, len, 12, 0, 4);
    /* Length fields that lie, with a valid checksum: refused before any
     * allocation of their size. */
    rewrite_field(file, len, 24, UINT64_MAX - 3, 8);
    dur_write_file(bad, file, len);
    CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_ECORRUPT);
    rewrite_field(file, len, 24, 500, 8);
    rewrite_field(file, len, 32, 501, 8);            /* raw != stored, uncompressed */
    dur_write_file(bad, file, len);
    CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_ECORRUPT);
    free(file);
#if LIBDBM_HAVE_ZLIB
    CHECK_OK(write_snapshot(ctx, path, 3, 1, data, 500));
    file = dur_read_file(path, &len);
    rewrite_field(file, len, 32, (uint64_t)1 << 40, 8);   /* impossible inflation */
    dur_write_file(bad, file, len);
    CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_ECORRUPT);
    rewrite_field(file, len, 32, 499, 8);                 /* one byte short */
    dur_write_file(bad, file, len);
    CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_ECORRUPT);
    rewrite_field(file, len, 32, 501, 8);                 /* one byte long */
    dur_write_file(bad, file, len);
    CHECK_STATUS(dbmi_snapshot_load(ctx, bad, &e, &payload, &got), LIBDBM_ECORRUPT);
    free(file);
#endif
    free(data);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* A crash after the temp file was written but before the rename leaves
 * the old snapshot in force; the next checkpoint overwrites the temp. */
static void test_crash_before_rename(void)
{
    const char *dir = dur_tmpdir("crash");
    const char *path = dur_path(dir, "snapshot.dbm");
    const char *tmp = dur_path(dir, "snapshot.dbm.tmp");
    libdbm_context *ctx = dur_context();
    unsigned char *old_data = make_payload(3000, 1), *new_data = make_payload(5000, 0);
    unsigned char *complete;
    size_t len;
    dbmi_snapshot_writer *w;

    CHECK_OK(write_snapshot(ctx, path, 1, 0, old_data, 3000));
    /* A complete new snapshot sitting in the temp file... */
    CHECK_OK(write_snapshot(ctx, dur_path(dir, "other.dbm"), 2, 0, new_data, 5000));
    complete = dur_read_file(dur_path(dir, "other.dbm"), &len);
    dur_write_file(tmp, complete, len);
    check_loads(ctx, path, 1, old_data, 3000);
    /* ...or a partial one. */
    dur_write_file(tmp, complete, len / 2);
    check_loads(ctx, path, 1, old_data, 3000);
    free(complete);
    /* An aborted writer removes its temp file and keeps the old one. */
    CHECK_OK(dbmi_snapshot_begin(&w, ctx, path, 2, 0));
    CHECK_OK(dbmi_snapshot_write(w, new_data, 5000));
    CHECK(dur_file_exists(tmp));
    dbmi_snapshot_abort(w);
    dbmi_snapshot_abort(NULL);
    CHECK(!dur_file_exists(tmp));
    check_loads(ctx, path, 1, old_data, 3000);
    /* The next checkpoint replaces the temp and the snapshot. */
    dur_write_file(tmp, "garbage", 7);
    CHECK_OK(write_snapshot(ctx, path, 2, 0, new_data, 5000));
    check_loads(ctx, path, 2, new_data, 5000);
    CHECK(!dur_file_exists(tmp));
    free(old_data);
    free(new_data);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

static int fail_fsync(int fd, void *user_data)
{
    (void)fd;
    (void)user_data;
    errno = EIO;
    return -1;
}

static void test_failed_commit(void)
{
    const char *dir = dur_tmpdir("snapfail");
    const char *path = dur_path(dir, "snapshot.dbm");
    libdbm_context *ctx = dur_context();
    unsigned char *data = make_payload(2000, 1);
    dbmi_io_hooks hooks;

    CHECK_OK(write_snapshot(ctx, path, 1, 0, data, 1000));
    memset(&hooks, 0, sizeof(hooks));
    hooks.fsync = fail_fsync;
    dbmi_io_set_hooks(ctx, &hooks);
    CHECK_STATUS(write_snapshot(ctx, path, 2, 0, data, 2000), LIBDBM_EIO);
    CHECK(strstr(libdbm_context_errmsg(ctx), "syncing") != NULL);
    dbmi_io_set_hooks(ctx, NULL);
    CHECK(!dur_file_exists(dur_path(dir, "snapshot.dbm.tmp")));
    check_loads(ctx, path, 1, data, 1000);
    free(data);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

typedef struct sweep_case {
    const char *dir;
    int compress;
} sweep_case;

static int snapshot_scenario(const libdbm_context_options *options, void *user_data)
{
    sweep_case *sc = user_data;
    const char *path = dur_path(sc->dir, "snapshot.dbm");
    unsigned char *data = make_payload(100000, 1);
    libdbm_context *ctx;
    void *payload;
    size_t len;
    uint64_t e;
    int status = libdbm_context_new(&ctx, options);
    if (status == LIBDBM_OK) {
        status = write_snapshot(ctx, path, 5, sc->compress, data, 100000);
        if (status == LIBDBM_OK)
            status = dbmi_snapshot_load(ctx, path, &e, &payload, &len);
        if (status == LIBDBM_OK) {
            CHECK(e == 5 && len == 100000 && memcmp(payload, data, len) == 0);
            dbmi_free(ctx, payload);
        }
        libdbm_context_free(ctx);
    }
    CHECK(!dur_file_exists(dur_path(sc->dir, "snapshot.dbm.tmp")));
    free(data);
    return status;
}

int main(void)
{
    sweep_case sc;
    test_round_trip();
    test_damage(0);
#if LIBDBM_HAVE_ZLIB
    test_damage(1);
#endif
    test_versions_and_lengths();
    test_crash_before_rename();
    test_failed_commit();
    sc.dir = dur_tmpdir("snapsweep");
    for (sc.compress = 0; sc.compress <= LIBDBM_HAVE_ZLIB; sc.compress++)
        failalloc_sweep_or_die("snapshot write+load", snapshot_scenario, &sc, 200);
    dur_rmtree(sc.dir);
    puts("store-snapshot: ok");
    return 0;
}
