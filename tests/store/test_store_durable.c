/* The store on disk: round trips through close/reopen and checkpoints,
 * erasure leaving no byte in any file, the one-writer lock across
 * processes, read-only openers, corrupt files, and allocation-failure
 * sweeps over open, purchase add, merge, erase, an import batch and the
 * reopening of a store with a snapshot and a log tail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "failalloc.h"
#include "store_test_util.h"

static libdbm_context *ctx;

static libdbm_store *open_dir(const char *dir, uint32_t flags, int64_t scale)
{
    libdbm_store_options o;
    libdbm_store *s = NULL;
    libdbm_store_options_init(&o);
    o.flags = flags;
    o.money_scale = scale;
    CHECK_OK(libdbm_store_open(&s, ctx, dir, &o));
    return s;
}

static int64_t agg(libdbm_store *s, const char *id, int which)
{
    int64_t v = -12345;
    CHECK_OK(libdbm_store_aggregate(s, &v, id, which));
    return v;
}

static void fill(libdbm_store *s)
{
    int i;
    CHECK_OK(libdbm_store_attr_declare(s, "tier", LIBDBM_TYPE_STRING));
    CHECK_OK(libdbm_store_begin(s));
    for (i = 0; i < 50; i++) {
        char id[32], txn[32];
        snprintf(id, sizeof(id), "cust-%d", i % 10);
        snprintf(txn, sizeof(txn), "tx-%d", i);
        CHECK_OK(libdbm_store_purchase_add(s, NULL, id, 86400 * (int64_t)i, 1.25 * i, txn));
    }
    CHECK_OK(libdbm_store_commit(s));
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "cust-1", 5, -3, "refund-1"));
    CHECK_OK(libdbm_store_attr_set_string(s, "cust-1", "tier", "gold"));
    CHECK_OK(libdbm_store_attr_set_double(s, "cust-1", "score", 0.5));
    CHECK_OK(libdbm_store_channel_set_address(s, "cust-1", "email", "one@example.com", 77));
    CHECK_OK(libdbm_store_channel_set_invalid(s, "cust-1", "email", 1, 78));
    CHECK_OK(libdbm_store_consent_record(s, "cust-1", "email", NULL, LIBDBM_CONSENT_GRANTED, 9, "web", "v3"));
    CHECK_OK(libdbm_store_contact_add(s, "cust-1", 100, "email", "camp", 2, LIBDBM_OUTCOME_CLICKED));
    CHECK_OK(libdbm_store_event_add(s, "cust-1", "cart_abandoned", 100, 12.5));
    CHECK_OK(libdbm_store_merge(s, "cust-2", "cust-3"));
}

static void verify(libdbm_store *s)
{
    char *str = NULL;
    int64_t n, v;
    int state, inv, added = -1;
    double d;
    CHECK_OK(libdbm_store_profile_count(s, &n));
    CHECK(n == 9);
    CHECK(agg(s, "cust-1", LIBDBM_AGG_PURCHASE_COUNT) == 5);
    CHECK(agg(s, "cust-1", LIBDBM_AGG_REFUND_TOTAL_MINOR) == -3000); /* scale 1000 */
    CHECK(agg(s, "cust-3", LIBDBM_AGG_PURCHASE_COUNT) == 10);
    CHECK(agg(s, "cust-0", LIBDBM_AGG_TOTAL_MINOR) == 1250 * (0 + 10 + 20 + 30 + 40));
    CHECK_OK(libdbm_store_attr_get_string(s, &str, "cust-1", "tier"));
    CHECK(strcmp(str, "gold") == 0);
    libdbm_free_string(str);
    CHECK_OK(libdbm_store_attr_get_double(s, &d, "cust-1", "score"));
    CHECK(d == 0.5);
    CHECK_STATUS(libdbm_store_attr_set_int64(s, "cust-1", "tier", 1), LIBDBM_EINVAL);
    CHECK_OK(libdbm_store_channel_get_status(s, &v, &inv, "cust-1", "email"));
    CHECK(v == 77 && inv == 1);
    CHECK_OK(libdbm_store_channel_get_consent(s, &state, &v, "cust-1", "email", NULL));
    CHECK(state == LIBDBM_CONSENT_GRANTED && v == 9);
    CHECK_OK(libdbm_store_contact_count(s, &n, "cust-1", "email", LIBDBM_OUTCOME_CLICKED, 0, 1000));
    CHECK(n == 1);
    CHECK_OK(libdbm_store_event_count(s, &n, "cust-1", "cart_abandoned", 0, 1000));
    CHECK(n == 1);
    /* De-duplication survives the reopen. */
    CHECK_OK(libdbm_store_purchase_add(s, &added, "cust-1", 86400, 1.25, "tx-1"));
    CHECK(added == 0);
}

static void test_round_trip(void)
{
    char dir[512];
    libdbm_store *s;
    int64_t scale = 0;
    store_test_tmpdir(dir, sizeof(dir), "rt");
    {
        libdbm_store_options o;
        libdbm_store_options_init(&o);
        o.flags = 0; /* no CREATE */
        CHECK_STATUS(libdbm_store_open(&s, ctx, dir, &o), LIBDBM_ENOTFOUND);
    }
    s = open_dir(dir, LIBDBM_STORE_CREATE, 1000);
    fill(s);
    verify(s);
    CHECK_OK(libdbm_store_close(s));
    /* Reopen: from snapshot + log replay. The scale is the stored one. */
    s = open_dir(dir, LIBDBM_STORE_CREATE, 100);
    CHECK_OK(libdbm_store_money_scale(s, &scale));
    CHECK(scale == 1000);
    verify(s);
    CHECK_OK(libdbm_store_checkpoint(s));
    verify(s);
    CHECK_OK(libdbm_store_close(s));
    /* Reopen after the checkpoint: from the snapshot alone. */
    s = open_dir(dir, 0, 100);
    verify(s);
    CHECK_OK(libdbm_store_close(s));
    /* Read-only: sees the state, refuses writes. */
    s = open_dir(dir, LIBDBM_STORE_READONLY, 100);
    CHECK_STATUS(libdbm_store_profile_ensure(s, NULL, "x"), LIBDBM_EREADONLY);
    CHECK_STATUS(libdbm_store_begin(s), LIBDBM_EREADONLY);
    CHECK_STATUS(libdbm_store_checkpoint(s), LIBDBM_EREADONLY);
    CHECK(agg(s, "cust-1", LIBDBM_AGG_PURCHASE_COUNT) == 5);
    CHECK_OK(libdbm_store_close(s));
    store_test_rmdir(dir);
}

static void test_erase_leaves_no_bytes(void)
{
    char dir[512];
    libdbm_store *s;
    int suppressed = 0;
    store_test_tmpdir(dir, sizeof(dir), "erase");
    s = open_dir(dir, LIBDBM_STORE_CREATE, 100);
    CHECK_OK(libdbm_store_profile_ensure(s, NULL, "keeper-17"));
    CHECK_OK(libdbm_store_channel_set_address(s, "keeper-17", "email", "keeper@example.org", 0));
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "FORGET-ME-42", 1000, 9.99, "TXN-SECRET-9"));
    CHECK_OK(libdbm_store_channel_set_address(s, "FORGET-ME-42", "email", "Forget.Me@Example.org", 0));
    CHECK_OK(libdbm_store_channel_set_address(s, "FORGET-ME-42", "sms", "+5511987654321", 0));
    CHECK_OK(libdbm_store_attr_set_string(s, "FORGET-ME-42", "nickname", "SECRETNICKNAME"));
    CHECK_OK(libdbm_store_consent_record(s, "FORGET-ME-42", "email", NULL, LIBDBM_CONSENT_GRANTED, 5,
                                         "SOURCE-FORM-XYZ", "WORDING-Q"));
    CHECK_OK(libdbm_store_profile_ensure(s, NULL, "OLD-ALIAS-7"));
    CHECK_OK(libdbm_store_merge(s, "FORGET-ME-42", "OLD-ALIAS-7"));
    CHECK_OK(libdbm_store_checkpoint(s)); /* the person is in the snapshot now */
    CHECK_OK(libdbm_store_attr_set_string(s, "FORGET-ME-42", "note", "LOGGED-AFTER-SNAPSHOT"));
    CHECK(store_test_dir_contains(dir, "FORGET-ME-42"));
    CHECK(store_test_dir_contains(dir, "LOGGED-AFTER-SNAPSHOT"));
    CHECK_OK(libdbm_store_erase(s, "OLD-ALIAS-7", 1));
    CHECK_OK(libdbm_store_checkpoint(s));
    CHECK(!store_test_dir_contains(dir, "FORGET-ME-42"));
    CHECK(!store_test_dir_contains(dir, "OLD-ALIAS-7"));
    CHECK(!store_test_dir_contains(dir, "orget.Me@Example.org"));
    CHECK(!store_test_dir_contains(dir, "forget.me@example.org"));
    CHECK(!store_test_dir_contains(dir, "+5511987654321"));
    CHECK(!store_test_dir_contains(dir, "SECRETNICKNAME"));
    CHECK(!store_test_dir_contains(dir, "SOURCE-FORM-XYZ"));
    CHECK(!store_test_dir_contains(dir, "LOGGED-AFTER-SNAPSHOT"));
    CHECK(!store_test_dir_contains(dir, "TXN-SECRET-9"));
    CHECK(store_test_dir_contains(dir, "keeper@example.org")); /* the scan does find data */
    CHECK_OK(libdbm_store_is_suppressed(s, &suppressed, "email", "forget.me@example.org"));
    CHECK(suppressed == 1);
    CHECK_OK(libdbm_store_close(s));
    s = open_dir(dir, 0, 100);
    CHECK_OK(libdbm_store_is_suppressed(s, &suppressed, "sms", "+5511987654321"));
    CHECK(suppressed == 1);
    CHECK_OK(libdbm_store_is_suppressed(s, &suppressed, "sms", "+5511987654322"));
    CHECK(suppressed == 0);
    CHECK_OK(libdbm_store_close(s));
    store_test_rmdir(dir);
}

static void test_two_writers(void)
{
    char dir[512];
    libdbm_store *s, *second = NULL;
    int pipefd[2], status;
    pid_t pid;
    char result = 0;
    store_test_tmpdir(dir, sizeof(dir), "lock");
    s = open_dir(dir, LIBDBM_STORE_CREATE, 100);
    /* A second writer in this process is refused too. */
    CHECK_STATUS(libdbm_store_open(&second, ctx, dir, NULL), LIBDBM_ELOCKED);
    CHECK(second == NULL);
    CHECK(pipe(pipefd) == 0);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        libdbm_context *c2;
        libdbm_store *other = NULL;
        int st;
        close(pipefd[0]);
        libdbm_context_new(&c2, NULL);
        st = libdbm_store_open(&other, c2, dir, NULL);
        result = st == LIBDBM_ELOCKED ? 'L' : 'X';
        if (write(pipefd[1], &result, 1) != 1)
            _exit(2);
        _exit(0);
    }
    close(pipefd[1]);
    CHECK(read(pipefd[0], &result, 1) == 1);
    CHECK(result == 'L');
    close(pipefd[0]);
    CHECK(waitpid(pid, &status, 0) == pid);
    /* A read-only opener coexists with the writer. */
    CHECK_OK(libdbm_store_purchase_add(s, NULL, "w", 1, 1, NULL));
    second = open_dir(dir, LIBDBM_STORE_READONLY, 100);
    CHECK(agg(second, "w", LIBDBM_AGG_PURCHASE_COUNT) == 1);
    CHECK_OK(libdbm_store_close(second));
    CHECK_OK(libdbm_store_close(s));
    /* Released at close. */
    s = open_dir(dir, 0, 100);
    CHECK_OK(libdbm_store_close(s));
    store_test_rmdir(dir);
}

static void test_corrupt_snapshot(void)
{
    char dir[512], path[600];
    libdbm_store *s;
    FILE *f;
    long size;
    store_test_tmpdir(dir, sizeof(dir), "corrupt");
    s = open_dir(dir, LIBDBM_STORE_CREATE, 100);
    fill(s);
    CHECK_OK(libdbm_store_checkpoint(s));
    CHECK_OK(libdbm_store_close(s));
    snprintf(path, sizeof(path), "%s/snapshot.dbm", dir);
    f = fopen(path, "r+b");
    CHECK(f != NULL);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, size / 2, SEEK_SET);
    fputc(0x5a ^ 0xff, f);
    fclose(f);
    s = NULL;
    CHECK_STATUS(libdbm_store_open(&s, ctx, dir, NULL), LIBDBM_ECORRUPT);
    CHECK(s == NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), "snapshot") != NULL);
    store_test_rmdir(dir);
}

/* ---- allocation-failure sweeps ------------------------------------------ */

typedef struct sweep_args { int on_disk; int op; } sweep_args;

static int sweep_scenario(const libdbm_context_options *options, void *user_data)
{
    sweep_args *a = user_data;
    libdbm_context *c;
    libdbm_store *s = NULL;
    char dir[512];
    int status = libdbm_context_new(&c, options);
    if (status != LIBDBM_OK)
        return status;
    /* Every run starts from an empty directory. */
    if (a->on_disk)
        store_test_tmpdir(dir, sizeof(dir), "sweep");
    status = libdbm_store_open(&s, c, a->on_disk ? dir : NULL, NULL);
    if (status == LIBDBM_OK && a->op >= 1)
        status = libdbm_store_purchase_add(s, NULL, "p1", 86400, 12.5, "tx-a");
    if (status == LIBDBM_OK && a->op >= 1)
        status = libdbm_store_purchase_add(s, NULL, "p1", 3 * 86400, 1.5, NULL);
    if (status == LIBDBM_OK && a->op >= 2) {
        status = libdbm_store_channel_set_address(s, "p2", "email", "p2@example.com", 0);
        if (status == LIBDBM_OK)
            status = libdbm_store_consent_record(s, "p2", "email", NULL, LIBDBM_CONSENT_DENIED, 3, "x", "y");
        if (status == LIBDBM_OK)
            status = libdbm_store_attr_set_string(s, "p2", "tier", "gold");
        if (status == LIBDBM_OK)
            status = libdbm_store_purchase_add(s, NULL, "p2", 86400, 2, "tx-b");
        if (status == LIBDBM_OK)
            status = libdbm_store_merge(s, "p1", "p2");
    }
    if (status == LIBDBM_OK && a->op >= 3)
        status = libdbm_store_erase(s, "p2", 1);
    if (status == LIBDBM_OK && a->op >= 4 && a->on_disk)
        status = libdbm_store_checkpoint(s);
    libdbm_store_close(s);
    libdbm_context_free(c);
    if (a->on_disk)
        store_test_rmdir(dir);
    return status;
}

/* What dbmtool import does: one batch of profiles and purchases through
 * the public API, committed at the end. */
static int import_batch(libdbm_store *s)
{
    int status = libdbm_store_begin(s), i;
    for (i = 0; i < 12 && status == LIBDBM_OK; i++) {
        char id[32], txn[32];
        snprintf(id, sizeof(id), "imp-%d", i % 5);
        snprintf(txn, sizeof(txn), "it-%d", i % 9);
        status = libdbm_store_purchase_add(s, NULL, id, 86400 * (int64_t)(i % 4), 1.5 * i, txn);
        if (status == LIBDBM_OK && i % 4 == 0)
            status = libdbm_store_attr_set_int64(s, id, "visits", i);
    }
    if (status == LIBDBM_OK)
        return libdbm_store_commit(s);
    libdbm_store_rollback(s);
    return status;
}

static int sweep_import(const libdbm_context_options *options, void *user_data)
{
    int on_disk = *(const int *)user_data;
    libdbm_context *c;
    libdbm_store *s = NULL;
    char dir[512];
    int64_t count = 0;
    int status = libdbm_context_new(&c, options);
    if (status != LIBDBM_OK)
        return status;
    if (on_disk)
        store_test_tmpdir(dir, sizeof(dir), "sweep-import");
    status = libdbm_store_open(&s, c, on_disk ? dir : NULL, NULL);
    if (status == LIBDBM_OK)
        status = import_batch(s);
    /* All or nothing; except that a commit whose in-memory apply failed
     * turns the handle read-only (its memory is then only good for reads
     * of what was there) and on disk the batch is then whole. */
    if (s != NULL) {
        int read_only = libdbm_store_begin(s) == LIBDBM_EREADONLY;
        if (!read_only)
            CHECK_OK(libdbm_store_rollback(s));
        CHECK_OK(libdbm_store_profile_count(s, &count));
        CHECK(read_only || count == (status == LIBDBM_OK ? 5 : 0));
        CHECK(!read_only || status == LIBDBM_ENOMEM);
    }
    libdbm_store_close(s);
    libdbm_context_free(c);
    if (on_disk) {
        if (s != NULL) {
            s = open_dir(dir, 0, 100);
            CHECK_OK(libdbm_store_profile_count(s, &count));
            CHECK(count == 0 || count == 5);
            CHECK(status != LIBDBM_OK || count == 5);
            CHECK_OK(libdbm_store_close(s));
        }
        store_test_rmdir(dir);
    }
    return status;
}

/* Reopening a store with a snapshot and a log tail: a failed open
 * reports ENOMEM and frees everything; a successful one has all data. */
static int sweep_reopen(const libdbm_context_options *options, void *user_data)
{
    const char *dir = user_data;
    libdbm_context *c;
    libdbm_store *s = NULL;
    int status = libdbm_context_new(&c, options);
    if (status != LIBDBM_OK)
        return status;
    status = libdbm_store_open(&s, c, dir, NULL);
    if (status == LIBDBM_OK) {
        int64_t v = 0;
        CHECK_OK(libdbm_store_aggregate(s, &v, "cust-1", LIBDBM_AGG_PURCHASE_COUNT));
        CHECK(v == 5);
        CHECK_OK(libdbm_store_aggregate(s, &v, "imp-0", LIBDBM_AGG_PURCHASE_COUNT));
        CHECK(v == 3);  /* it-0, it-5 and it-1 */
    }
    libdbm_store_close(s);
    libdbm_context_free(c);
    return status;
}

static void sweep_import_and_reopen(void)
{
    char dir[512];
    libdbm_store *s;
    int on_disk;
    for (on_disk = 0; on_disk <= 1; on_disk++)
        failalloc_sweep_or_die(on_disk ? "import batch on disk" : "import batch in memory",
                               sweep_import, &on_disk, 5000);
    /* A snapshot, then a log tail after it. */
    store_test_tmpdir(dir, sizeof(dir), "sweep-reopen");
    s = open_dir(dir, LIBDBM_STORE_CREATE, 100);
    fill(s);
    CHECK_OK(libdbm_store_checkpoint(s));
    CHECK_OK(import_batch(s));
    CHECK_OK(libdbm_store_close(s));
    failalloc_sweep_or_die("reopen snapshot + log", sweep_reopen, dir, 20000);
    store_test_rmdir(dir);
}

static void sweep(const char *name, int op, int on_disk)
{
    sweep_args a;
    a.op = op;
    a.on_disk = on_disk;
    failalloc_sweep_or_die(name, sweep_scenario, &a, 5000);
}

int main(void)
{
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    test_round_trip();
    test_erase_leaves_no_bytes();
    test_two_writers();
    test_corrupt_snapshot();
    sweep("open in memory", 0, 0);
    sweep("purchase add in memory", 1, 0);
    sweep("merge in memory", 2, 0);
    sweep("erase in memory", 3, 0);
    sweep("open on disk", 0, 1);
    sweep("purchase add, merge, erase, checkpoint on disk", 4, 1);
    sweep_import_and_reopen();
    libdbm_context_free(ctx);
    puts("store-durable: ok");
    return 0;
}
