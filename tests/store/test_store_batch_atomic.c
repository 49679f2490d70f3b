/* A committed batch is one log record: cutting the log anywhere inside the
 * last batch's record must leave none of that batch and all of the one
 * before (crash atomicity of libdbm_store_begin/commit). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "store_test_util.h"

#define BATCH 50

static void write_batches(libdbm_context *ctx, const char *dir)
{
    libdbm_store *st;
    int batch, i, added;
    CHECK_OK(libdbm_store_open(&st, ctx, dir, NULL));
    for (batch = 0; batch < 2; batch++) {
        CHECK_OK(libdbm_store_begin(st));
        for (i = 0; i < BATCH; i++) {
            char txid[32];
            snprintf(txid, sizeof(txid), "t%d-%d", batch, i);
            CHECK_OK(libdbm_store_purchase_add_minor(st, &added, batch ? "second" : "first",
                                                    1000000 + i * 86400, 100 + i, txid));
        }
        CHECK_OK(libdbm_store_commit(st));
    }
    CHECK_OK(libdbm_store_close(st));
}

static off_t file_size(const char *path)
{
    struct stat sb;
    CHECK(stat(path, &sb) == 0);
    return sb.st_size;
}

int main(void)
{
    libdbm_context *ctx;
    char dir[512], log_path[600];
    off_t full, first_end, cut;
    int cuts = 0;

    CHECK_OK(libdbm_context_new(&ctx, NULL));
    store_test_tmpdir(dir, sizeof(dir), "batch");
    snprintf(log_path, sizeof(log_path), "%s/log.dbm", dir);

    /* Learn where the first batch's record ends: a store with it alone. */
    {
        libdbm_store *st;
        int i, added;
        CHECK_OK(libdbm_store_open(&st, ctx, dir, NULL));
        CHECK_OK(libdbm_store_begin(st));
        for (i = 0; i < BATCH; i++) {
            char txid[32];
            snprintf(txid, sizeof(txid), "t0-%d", i);
            CHECK_OK(libdbm_store_purchase_add_minor(st, &added, "first", 1000000 + i * 86400,
                                                    100 + i, txid));
        }
        CHECK_OK(libdbm_store_commit(st));
        CHECK_OK(libdbm_store_close(st));
        first_end = file_size(log_path);
        store_test_rmdir(dir);
    }
    store_test_tmpdir(dir, sizeof(dir), "batch");
    snprintf(log_path, sizeof(log_path), "%s/log.dbm", dir);
    write_batches(ctx, dir);
    full = file_size(log_path);
    store_test_rmdir(dir);
    CHECK(full > first_end + 100);

    /* Every cut inside the second batch's record, in steps (the record is
     * a few KiB): the second batch vanishes whole. */
    for (cut = first_end; cut < full; cut += 7) {
        libdbm_store *st;
        int64_t count;
        int exists;
        store_test_tmpdir(dir, sizeof(dir), "batch");
        snprintf(log_path, sizeof(log_path), "%s/log.dbm", dir);
        write_batches(ctx, dir);
        CHECK(file_size(log_path) == full);
        CHECK(truncate(log_path, cut) == 0);
        CHECK_OK(libdbm_store_open(&st, ctx, dir, NULL));
        CHECK_OK(libdbm_store_aggregate(st, &count, "first", LIBDBM_AGG_PURCHASE_COUNT));
        CHECK(count == BATCH);
        CHECK_OK(libdbm_store_profile_exists(st, &exists, "second"));
        CHECK(exists == 0);
        CHECK_OK(libdbm_store_close(st));
        store_test_rmdir(dir);
        cuts++;
    }
    libdbm_context_free(ctx);
    printf("store-batch-atomic: %d cuts inside the last batch, none of it visible\n", cuts);
    return 0;
}
