/* The kill loop: a child process appends and commits records (in batches of
 * 1-5) and checkpoints now and then (snapshot of epoch e+1 holding the next
 * sequence number, then log reset to e+1), reporting each acknowledged
 * sequence number to the parent through a pipe only after commit returned
 * OK. The parent SIGKILLs it after a random delay (seeded; the seed is
 * printed), recovers exactly as the store does (load the snapshot, open the
 * log with its epoch, replay) and checks that every acknowledged record is
 * present, intact and in order, with no gap and nothing partial.
 *
 * Usage: test-durability-kill-loop [ROUNDS [SEED]] (default 200 rounds,
 * seed from the clock). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "check.h"
#include "durability_util.h"
#include "log.h"
#include "snapshot.h"

#define CHECKPOINT_EVERY 40    /* commits between checkpoints in the child */

static size_t make_record(uint64_t seq, unsigned char *out)
{
    size_t len = 16 + (size_t)(seq % 29), k;
    dbmi_store_u64le(out, seq);
    dbmi_store_u64le(out + 8, seq * 0x9E3779B97F4A7C15ull);
    for (k = 16; k < len; k++)
        out[k] = (unsigned char)(seq >> (k % 8));
    return len;
}

typedef struct recovered {
    uint64_t next;          /* next expected sequence number */
    int bad;
} recovered;

static int check_record(const void *payload, size_t len, void *user_data)
{
    recovered *r = user_data;
    unsigned char want[64];
    size_t want_len = make_record(r->next, want);
    if (len != want_len || memcmp(payload, want, len) != 0) {
        r->bad = 1;
        return LIBDBM_ECORRUPT;
    }
    r->next++;
    return LIBDBM_OK;
}

/* Recovery: the snapshot gives the epoch and the first sequence number the
 * log must hold; the log replays the rest. */
static int recover(libdbm_context *ctx, const char *dir, int read_only, struct dbmi_log **log,
                   uint64_t *epoch, recovered *r)
{
    void *payload;
    size_t len;
    int status = dbmi_snapshot_load(ctx, dur_path(dir, "snapshot.dbm"), epoch, &payload, &len);
    memset(r, 0, sizeof(*r));
    if (status == LIBDBM_ENOTFOUND) {
        *epoch = 0;
    } else if (status != LIBDBM_OK) {
        return status;
    } else {
        dbmi_reader rd;
        dbmi_reader_init(&rd, payload, len);
        r->next = dbmi_get_u64(&rd);
        dbmi_free(ctx, payload);
        if (rd.failed || dbmi_reader_remaining(&rd) != 0)
            return LIBDBM_ECORRUPT;
    }
    return dbmi_log_open(log, ctx, dur_path(dir, "log.dbm"), *epoch, read_only, check_record, r);
}

static int checkpoint(libdbm_context *ctx, const char *dir, struct dbmi_log *log,
                      uint64_t *epoch, uint64_t next)
{
    dbmi_snapshot_writer *w;
    unsigned char bytes[8];
    int status = dbmi_snapshot_begin(&w, ctx, dur_path(dir, "snapshot.dbm"), *epoch + 1, 0);
    if (status != LIBDBM_OK)
        return status;
    dbmi_store_u64le(bytes, next);
    status = dbmi_snapshot_write(w, bytes, sizeof(bytes));
    if (status != LIBDBM_OK) {
        dbmi_snapshot_abort(w);
        return status;
    }
    status = dbmi_snapshot_commit(w);
    if (status != LIBDBM_OK)
        return status;
    *epoch += 1;
    return dbmi_log_reset(log, *epoch);
}

static void child(const char *dir, int ack_fd, unsigned seed)
{
    libdbm_context *ctx;
    struct dbmi_log *log;
    recovered r;
    uint64_t epoch, commits = 0;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK || recover(ctx, dir, 0, &log, &epoch, &r))
        _exit(3);
    srand(seed);
    for (;;) {
        int batch = 1 + rand() % 5, i;
        for (i = 0; i < batch; i++) {
            unsigned char rec[64];
            if (dbmi_log_append(log, rec, make_record(r.next + (uint64_t)i, rec)) != LIBDBM_OK)
                _exit(4);
        }
        if (dbmi_log_commit(log) != LIBDBM_OK)
            _exit(5);
        r.next += (uint64_t)batch;
        {
            uint64_t acked = r.next - 1;
            if (write(ack_fd, &acked, sizeof(acked)) != (ssize_t)sizeof(acked))
                _exit(6);
        }
        if (++commits % CHECKPOINT_EVERY == 0 && checkpoint(ctx, dir, log, &epoch, r.next))
            _exit(7);
    }
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 200, round;
    unsigned seed = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10)
                             : (unsigned)time(NULL) ^ (unsigned)getpid();
    const char *dir = dur_tmpdir("kill");
    libdbm_context *ctx;
    int64_t have_acked = 0;
    uint64_t max_acked = 0, total_checked = 0, killed_early = 0;

    printf("kill loop: %ld rounds, seed %u (rerun: %s %ld %u)\n", rounds, seed, argv[0], rounds,
           seed);
    fflush(stdout);
    srand(seed);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    for (round = 0; round < rounds; round++) {
        int fds[2], wstatus;
        unsigned child_seed = (unsigned)rand();
        long delay_us = rand() % 4000;
        struct dbmi_log *log;
        uint64_t epoch, acked;
        recovered r;
        pid_t pid;
        ssize_t n;
        int got_any = 0;

        CHECK(pipe(fds) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child(dir, fds[1], child_seed);
        }
        close(fds[1]);
        usleep((useconds_t)delay_us);
        kill(pid, SIGKILL);
        CHECK(waitpid(pid, &wstatus, 0) == pid);
        if (!(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)) {
            fprintf(stderr, "round %ld: child exited by itself (status %d)\n", round,
                    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
            CHECK(0);
        }
        /* Every acknowledgement the child managed to send. */
        while ((n = read(fds[0], &acked, sizeof(acked))) == (ssize_t)sizeof(acked)) {
            CHECK(!have_acked || acked > max_acked);
            max_acked = acked;
            have_acked = 1;
            got_any = 1;
        }
        CHECK(n == 0);
        close(fds[0]);
        killed_early += !got_any;

        /* Read-only recovery first (must not need repairs to see the
         * records), then the writable one that truncates a torn tail. */
        CHECK_OK(recover(ctx, dir, 1, &log, &epoch, &r));
        CHECK(!r.bad);
        CHECK(!have_acked || r.next > max_acked);
        dbmi_log_close(log);
        CHECK_OK(recover(ctx, dir, 0, &log, &epoch, &r));
        CHECK(!r.bad);
        if (have_acked && r.next <= max_acked) {
            fprintf(stderr, "round %ld: acknowledged %llu but recovered only up to %llu\n",
                    round, (unsigned long long)max_acked, (unsigned long long)r.next);
            CHECK(0);
        }
        /* Records written but not acknowledged may survive; from now on
         * they are acknowledged too (the next child continues after them). */
        if (r.next > 0) {
            max_acked = r.next - 1;
            have_acked = 1;
        }
        total_checked = r.next;
        dbmi_log_close(log);
    }
    printf("kill loop: ok, %llu records acknowledged and recovered, %llu rounds killed "
           "before the first acknowledgement\n",
           (unsigned long long)total_checked, (unsigned long long)killed_early);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
    return 0;
}
