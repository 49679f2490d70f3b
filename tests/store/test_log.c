/* The record log: round trips, group commit and rollback, the torn-tail
 * rule at every byte offset of the last records, flipped bytes, header and
 * epoch checks, reset, read-only opens, length fields that must never be
 * trusted, and the allocation-failure sweep. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "check.h"
#include "crc32c.h"
#include "durability_util.h"
#include "failalloc.h"
#include "log.h"

/* Record i: its sequence number, then a pattern of varying length. */
static size_t make_record(uint64_t i, unsigned char *out)
{
    size_t len = 8 + (size_t)((i * 7) % 61), k;
    dbmi_store_u64le(out, i);
    for (k = 8; k < len; k++)
        out[k] = (unsigned char)(i * 31 + k * 7);
    return len;
}

typedef struct collector {
    uint64_t count;         /* records replayed */
    int bad;                /* a record was not the expected one */
    int fail_at;            /* return ECORRUPT at this record (-1: never) */
} collector;

static int collect(const void *payload, size_t len, void *user_data)
{
    collector *c = user_data;
    unsigned char want[128];
    size_t want_len = make_record(c->count, want);
    if ((int)c->count == c->fail_at)
        return LIBDBM_ECORRUPT;
    if (len != want_len || memcmp(payload, want, len) != 0)
        c->bad = 1;
    c->count++;
    return LIBDBM_OK;
}

static void collector_init(collector *c)
{
    memset(c, 0, sizeof(*c));
    c->fail_at = -1;
}

static void append_record(struct dbmi_log *log, uint64_t i)
{
    unsigned char rec[128];
    size_t len = make_record(i, rec);
    CHECK_OK(dbmi_log_append(log, rec, len));
}

static uint64_t file_size(const char *path)
{
    size_t len;
    unsigned char *data = dur_read_file(path, &len);
    free(data);
    return len;
}

/* Writes records [0, n) each committed alone; fills ends[i] with the file
 * offset just after record i. */
static void write_log(libdbm_context *ctx, const char *path, uint64_t epoch, uint64_t n,
                      uint64_t *ends)
{
    struct dbmi_log *log;
    uint64_t i;
    unlink(path);
    CHECK_OK(dbmi_log_open(&log, ctx, path, epoch, 0, NULL, NULL));
    CHECK(dbmi_log_size(log) == DBMI_LOG_HEADER_SIZE);
    for (i = 0; i < n; i++) {
        append_record(log, i);
        CHECK_OK(dbmi_log_commit(log));
        if (ends)
            ends[i] = dbmi_log_size(log);
    }
    dbmi_log_close(log);
}

static void test_round_trip(void)
{
    const char *dir = dur_tmpdir("log");
    const char *path = dur_path(dir, "log.dbm");
    libdbm_context *ctx = dur_context();
    struct dbmi_log *log;
    collector c;
    unsigned char rec[128];
    size_t len;

    CHECK_OK(dbmi_log_open(&log, ctx, path, 7, 0, NULL, NULL));
    CHECK(dur_file_exists(path) && !dur_file_exists(dur_path(dir, "log.dbm.tmp")));
    CHECK(file_size(path) == DBMI_LOG_HEADER_SIZE);
    /* Group commit: three records, one commit. */
    append_record(log, 0);
    append_record(log, 1);
    append_record(log, 2);
    CHECK(file_size(path) == DBMI_LOG_HEADER_SIZE);   /* buffered only */
    CHECK_OK(dbmi_log_commit(log));
    CHECK(file_size(path) == dbmi_log_size(log));
    /* Rollback drops what was not committed. */
    len = make_record(99, rec);
    CHECK_OK(dbmi_log_append(log, rec, len));
    dbmi_log_discard(log);
    append_record(log, 3);
    CHECK_OK(dbmi_log_commit(log));
    CHECK_OK(dbmi_log_commit(log));   /* nothing buffered: no-op */
    /* An empty record is a record. */
    CHECK(file_size(path) == dbmi_log_size(log));
    dbmi_log_close(log);

    collector_init(&c);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 7, 0, collect, &c));
    CHECK(c.count == 4 && !c.bad);
    CHECK(dbmi_log_epoch(log) == 7);
    /* Appending continues after the replayed records. */
    append_record(log, 4);
    CHECK_OK(dbmi_log_commit(log));
    CHECK_STATUS(dbmi_log_append(log, rec, DBMI_LOG_MAX_RECORD + 1), LIBDBM_ELIMIT);
    CHECK_STATUS(dbmi_log_append(log, NULL, 3), LIBDBM_EINVAL);
    dbmi_log_close(log);
    collector_init(&c);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 7, 1, collect, &c));
    CHECK(c.count == 5 && !c.bad);
    CHECK_STATUS(dbmi_log_append(log, rec, 1), LIBDBM_EREADONLY);
    CHECK_STATUS(dbmi_log_commit(log), LIBDBM_EREADONLY);
    CHECK_STATUS(dbmi_log_reset(log, 8), LIBDBM_EREADONLY);
    dbmi_log_close(log);

    /* The replay callback's error aborts the open and is returned. */
    collector_init(&c);
    c.fail_at = 2;
    CHECK_STATUS(dbmi_log_open(&log, ctx, path, 7, 0, collect, &c), LIBDBM_ECORRUPT);
    CHECK(log == NULL && c.count == 2);
    CHECK(strlen(dur_logged()) == 0);   /* a clean log warns about nothing */
    dbmi_log_close(NULL);

    /* A read-only open of an absent log is an empty log; nothing created. */
    CHECK_OK(dbmi_log_open(&log, ctx, dur_path(dir, "absent.dbm"), 1, 1, collect, &c));
    CHECK(dbmi_log_size(log) == 0 && !dur_file_exists(dur_path(dir, "absent.dbm")));
    dbmi_log_close(log);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* Cuts the log at every byte offset inside its last three records: every
 * record before the cut replays intact, the partial one never appears, a
 * writable open truncates the file to the last whole record and appends
 * after it. */
static void test_torn_tail(void)
{
    enum { N = 12 };
    const char *dir = dur_tmpdir("torn");
    const char *path = dur_path(dir, "log.dbm");
    const char *cut_path = dur_path(dir, "cut.dbm");
    libdbm_context *ctx = dur_context();
    uint64_t ends[N], cut, whole;
    unsigned char *data;
    size_t len;
    int tested = 0;

    write_log(ctx, path, 1, N, ends);
    data = dur_read_file(path, &len);
    CHECK(len == ends[N - 1]);
    for (cut = ends[N - 4]; cut < len; cut++) {
        struct dbmi_log *log;
        collector c;
        for (whole = 0; whole < N && ends[whole] <= cut; whole++)
            ;
        dur_write_file(cut_path, data, (size_t)cut);

        /* Read-only: replay stops at the cut, the file is untouched. */
        collector_init(&c);
        CHECK_OK(dbmi_log_open(&log, ctx, cut_path, 1, 1, collect, &c));
        CHECK(c.count == whole && !c.bad);
        dbmi_log_close(log);
        CHECK(file_size(cut_path) == cut);

        /* Writable: truncated to the last whole record, with a warning
         * naming the offset when bytes were cut. */
        dur_clear_logged();
        collector_init(&c);
        CHECK_OK(dbmi_log_open(&log, ctx, cut_path, 1, 0, collect, &c));
        CHECK(c.count == whole && !c.bad);
        CHECK(dbmi_log_size(log) == ends[whole - 1]);
        CHECK(file_size(cut_path) == ends[whole - 1]);
        if (cut != ends[whole - 1]) {
            char offset[32];
            snprintf(offset, sizeof(offset), "byte %llu", (unsigned long long)ends[whole - 1]);
            CHECK(strstr(dur_logged(), offset) != NULL);
        }
        append_record(log, whole);
        CHECK_OK(dbmi_log_commit(log));
        dbmi_log_close(log);
        collector_init(&c);
        CHECK_OK(dbmi_log_open(&log, ctx, cut_path, 1, 1, collect, &c));
        CHECK(c.count == whole + 1 && !c.bad);
        dbmi_log_close(log);
        tested++;
    }
    CHECK(tested > 60);
    free(data);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* A flipped byte anywhere in record k (length, CRC or payload) ends the
 * replay before k: the records before it are intact. */
static void test_flipped_bytes(void)
{
    enum { N = 8 };
    const char *dir = dur_tmpdir("flip");
    const char *path = dur_path(dir, "log.dbm");
    const char *bad_path = dur_path(dir, "bad.dbm");
    libdbm_context *ctx = dur_context();
    uint64_t ends[N], k, pos;
    unsigned char *data;
    size_t len;

    write_log(ctx, path, 1, N, ends);
    data = dur_read_file(path, &len);
    for (k = 0; k < N; k++) {
        uint64_t start = k == 0 ? DBMI_LOG_HEADER_SIZE : ends[k - 1];
        for (pos = start; pos < ends[k]; pos++) {
            struct dbmi_log *log;
            collector c;
            data[pos] ^= 0x5A;
            dur_write_file(bad_path, data, len);
            data[pos] ^= 0x5A;
            collector_init(&c);
            CHECK_OK(dbmi_log_open(&log, ctx, bad_path, 1, 1, collect, &c));
            CHECK(c.count == k && !c.bad);
            dbmi_log_close(log);
            if (pos == start || pos == ends[k] - 1) {
                collector_init(&c);
                CHECK_OK(dbmi_log_open(&log, ctx, bad_path, 1, 0, collect, &c));
                CHECK(c.count == k && file_size(bad_path) == start);
                dbmi_log_close(log);
            }
        }
    }
    free(data);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

/* An allocator that refuses any block above 1 MiB: a length field must
 * never turn into an allocation of that size. */
static void *small_malloc(size_t size, void *user_data)
{
    (void)user_data;
    return size > ((size_t)1 << 20) ? NULL : malloc(size);
}
static void *small_realloc(void *ptr, size_t size, void *user_data)
{
    (void)user_data;
    return size > ((size_t)1 << 20) ? NULL : realloc(ptr, size);
}
static void small_free(void *ptr, void *user_data)
{
    (void)user_data;
    free(ptr);
}

static void test_untrusted_lengths(void)
{
    const char *dir = dur_tmpdir("len");
    const char *path = dur_path(dir, "log.dbm");
    libdbm_context_options opts = LIBDBM_CONTEXT_OPTIONS_INIT;
    libdbm_context *ctx;
    struct dbmi_log *log;
    unsigned char frame[64];
    static const uint32_t lengths[] = {0xFFFFFFFFu, 0x10000000u, 0x0FFFFFFFu, 200u * 1024 * 1024,
                                       57};
    size_t i;
    collector c;

    opts.malloc_fn = small_malloc;
    opts.realloc_fn = small_realloc;
    opts.free_fn = small_free;
    CHECK_OK(libdbm_context_new(&ctx, &opts));
    for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        FILE *f;
        write_log(ctx, path, 1, 3, NULL);
        /* A frame claiming lengths[i] bytes with only 56 bytes after it. */
        memset(frame, 0xEE, sizeof(frame));
        dbmi_store_u32le(frame, lengths[i]);
        dbmi_store_u32le(frame + 4, dbmi_crc32c(0, frame, 4));
        f = fopen(path, "ab");
        CHECK(f != NULL && fwrite(frame, 1, sizeof(frame), f) == sizeof(frame));
        fclose(f);
        collector_init(&c);
        CHECK_OK(dbmi_log_open(&log, ctx, path, 1, 0, collect, &c));
        CHECK(c.count == 3 && !c.bad);
        dbmi_log_close(log);
    }
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

static void put_header(unsigned char *h, uint32_t version, uint64_t epoch)
{
    memset(h, 0, DBMI_LOG_HEADER_SIZE);
    memcpy(h, "LIBDBMLG", 8);
    dbmi_store_u32le(h + 8, version);
    dbmi_store_u64le(h + 16, epoch);
    dbmi_store_u32le(h + 28, dbmi_crc32c(0, h, 28));
}

static void test_header_and_epochs(void)
{
    const char *dir = dur_tmpdir("hdr");
    const char *path = dur_path(dir, "log.dbm");
    libdbm_context *ctx = dur_context();
    struct dbmi_log *log;
    unsigned char *data, h[DBMI_LOG_HEADER_SIZE];
    size_t len, pos;
    collector c;

    /* The documented layout: a header we build by hand opens. */
    put_header(h, 1, 4);
    dur_write_file(path, h, sizeof(h));
    CHECK_OK(dbmi_log_open(&log, ctx, path, 4, 0, NULL, NULL));
    dbmi_log_close(log);
    put_header(h, 2, 4);
    dur_write_file(path, h, sizeof(h));
    CHECK_STATUS(dbmi_log_open(&log, ctx, path, 4, 0, NULL, NULL), LIBDBM_EVERSION);
    CHECK(strstr(libdbm_context_errmsg(ctx), "version 2") != NULL);

    write_log(ctx, path, 5, 4, NULL);
    data = dur_read_file(path, &len);
    /* Any flipped header byte: ECORRUPT (EVERSION for the version field,
     * which is read before the checksum so newer formats are named). */
    for (pos = 0; pos < DBMI_LOG_HEADER_SIZE; pos++) {
        int status;
        data[pos] ^= 0x01;
        dur_write_file(path, data, len);
        data[pos] ^= 0x01;
        status = dbmi_log_open(&log, ctx, path, 5, 0, NULL, NULL);
        CHECK(log == NULL);
        if (pos >= 8 && pos < 12)
            CHECK(status == LIBDBM_EVERSION || status == LIBDBM_ECORRUPT);
        else
            CHECK_STATUS(status, LIBDBM_ECORRUPT);
        CHECK(strstr(libdbm_context_errmsg(ctx), path) != NULL);
    }
    /* Shorter than a header. */
    for (pos = 0; pos < DBMI_LOG_HEADER_SIZE; pos++) {
        dur_write_file(path, data, pos);
        CHECK_STATUS(dbmi_log_open(&log, ctx, path, 5, 0, NULL, NULL), LIBDBM_ECORRUPT);
    }
    dur_write_file(path, data, len);

    /* A log newer than the snapshot: the snapshot is stale. */
    CHECK_STATUS(dbmi_log_open(&log, ctx, path, 4, 0, NULL, NULL), LIBDBM_ECORRUPT);
    CHECK(strstr(libdbm_context_errmsg(ctx), "epoch 5") != NULL);
    /* Read-only and older than the snapshot: nothing replayed, file kept. */
    collector_init(&c);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 6, 1, collect, &c));
    CHECK(c.count == 0);
    dbmi_log_close(log);
    CHECK(file_size(path) == len);
    /* Writable and older: skipped and reset to the snapshot's epoch. */
    collector_init(&c);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 6, 0, collect, &c));
    CHECK(c.count == 0 && dbmi_log_epoch(log) == 6);
    append_record(log, 0);
    CHECK_OK(dbmi_log_commit(log));
    dbmi_log_close(log);
    collector_init(&c);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 6, 1, collect, &c));
    CHECK(c.count == 1 && !c.bad);
    dbmi_log_close(log);
    free(data);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

static void test_reset(void)
{
    const char *dir = dur_tmpdir("reset");
    const char *path = dur_path(dir, "log.dbm");
    libdbm_context *ctx = dur_context();
    struct dbmi_log *log;
    unsigned char *data, want[DBMI_LOG_HEADER_SIZE];
    size_t len;
    collector c;

    CHECK_OK(dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL));
    append_record(log, 0);
    append_record(log, 1);
    CHECK_OK(dbmi_log_commit(log));
    append_record(log, 2);
    CHECK_STATUS(dbmi_log_reset(log, 2), LIBDBM_EINVAL);   /* uncommitted */
    dbmi_log_discard(log);
    CHECK_OK(dbmi_log_reset(log, 2));
    CHECK(dbmi_log_size(log) == DBMI_LOG_HEADER_SIZE && dbmi_log_epoch(log) == 2);
    /* No byte of the old records remains: the file is exactly a header. */
    data = dur_read_file(path, &len);
    put_header(want, 1, 2);
    CHECK(len == DBMI_LOG_HEADER_SIZE && memcmp(data, want, len) == 0);
    free(data);
    CHECK(!dur_file_exists(dur_path(dir, "log.dbm.tmp")));
    /* The same handle keeps appending, to the new file. */
    append_record(log, 0);
    CHECK_OK(dbmi_log_commit(log));
    dbmi_log_close(log);
    collector_init(&c);
    CHECK_OK(dbmi_log_open(&log, ctx, path, 2, 0, collect, &c));
    CHECK(c.count == 1 && !c.bad);
    dbmi_log_close(log);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
}

typedef struct sweep_case {
    const char *dir;
} sweep_case;

static int log_scenario(const libdbm_context_options *options, void *user_data)
{
    sweep_case *sc = user_data;
    const char *path = dur_path(sc->dir, "log.dbm");
    libdbm_context *ctx;
    struct dbmi_log *log;
    collector c;
    uint64_t i;
    int status;

    unlink(path);
    status = libdbm_context_new(&ctx, options);
    if (status != LIBDBM_OK)
        return status;
    status = dbmi_log_open(&log, ctx, path, 1, 0, NULL, NULL);
    for (i = 0; status == LIBDBM_OK && i < 40; i++) {
        unsigned char rec[128];
        size_t len = make_record(i, rec);
        status = dbmi_log_append(log, rec, len);
    }
    if (status == LIBDBM_OK)
        status = dbmi_log_commit(log);
    if (status == LIBDBM_OK)
        status = dbmi_log_reset(log, 2);
    for (i = 0; status == LIBDBM_OK && i < 3; i++) {
        unsigned char rec[128];
        size_t len = make_record(i, rec);
        status = dbmi_log_append(log, rec, len);
    }
    if (status == LIBDBM_OK)
        status = dbmi_log_commit(log);
    if (log != NULL)
        dbmi_log_close(log);
    if (status == LIBDBM_OK) {
        collector_init(&c);
        status = dbmi_log_open(&log, ctx, path, 2, 0, collect, &c);
        if (status == LIBDBM_OK) {
            CHECK(c.count == 3 && !c.bad);
            dbmi_log_close(log);
        }
    }
    libdbm_context_free(ctx);
    return status;
}

static void test_failalloc(void)
{
    sweep_case sc;
    sc.dir = dur_tmpdir("sweep");
    failalloc_sweep_or_die("log open/append/commit/reset", log_scenario, &sc, 200);
    dur_rmtree(sc.dir);
}

int main(void)
{
    test_round_trip();
    test_torn_tail();
    test_flipped_bytes();
    test_untrusted_lengths();
    test_header_and_epochs();
    test_reset();
    test_failalloc();
    puts("store-log: ok");
    return 0;
}
