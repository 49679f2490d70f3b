/* The kill loop over the public store API: a child adds purchases of one
 * minor unit each (libdbm_store_purchase_add_minor, one commit per call, and
 * a small automatic-checkpoint threshold so checkpoints happen under the
 * knife too) and reports each acknowledged purchase count to the parent
 * through a pipe only after the call returned OK. The parent SIGKILLs it
 * after a random, seeded delay, reopens the store and checks through
 * libdbm_store_aggregate() that every acknowledged purchase is there:
 * count >= acknowledged, and the total equals the count (nothing partial).
 *
 * Usage: test-durability-kill-loop-store [ROUNDS [SEED]] (default 200). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "durability_util.h"

static libdbm_store *open_store(libdbm_context *ctx, const char *dir)
{
    libdbm_store_options options = LIBDBM_STORE_OPTIONS_INIT;
    libdbm_store *store;
    options.checkpoint_log_bytes = 2048;
    CHECK_OK(libdbm_store_open(&store, ctx, dir, &options));
    return store;
}

static int64_t purchases(libdbm_store *store, int64_t *total)
{
    int64_t count = 0;
    int status = libdbm_store_aggregate(store, &count, "customer-1", LIBDBM_AGG_PURCHASE_COUNT);
    *total = 0;
    if (status == LIBDBM_ENOTFOUND)
        return 0;
    CHECK_OK(status);
    CHECK_OK(libdbm_store_aggregate(store, total, "customer-1", LIBDBM_AGG_TOTAL_MINOR));
    return count;
}

static void child(const char *dir, int ack_fd)
{
    libdbm_context *ctx;
    libdbm_store_options options = LIBDBM_STORE_OPTIONS_INIT;
    libdbm_store *store;
    int64_t total, n;
    options.checkpoint_log_bytes = 2048;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK ||
        libdbm_store_open(&store, ctx, dir, &options) != LIBDBM_OK)
        _exit(3);
    n = purchases(store, &total);
    for (;;) {
        char txid[32];
        int added;
        snprintf(txid, sizeof(txid), "t%lld", (long long)n);
        if (libdbm_store_purchase_add_minor(store, &added, "customer-1", 1700000000 + n * 3600,
                                            1, txid) != LIBDBM_OK || !added)
            _exit(4);
        n++;
        if (write(ack_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
            _exit(5);
    }
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 200, round;
    unsigned seed = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10)
                             : (unsigned)time(NULL) ^ (unsigned)getpid();
    const char *dir = dur_tmpdir("killstore");
    libdbm_context *ctx;
    int64_t acked = 0, count = 0, total;

    printf("store kill loop: %ld rounds, seed %u (rerun: %s %ld %u)\n", rounds, seed, argv[0],
           rounds, seed);
    fflush(stdout);
    srand(seed);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    for (round = 0; round < rounds; round++) {
        int fds[2], wstatus;
        long delay_us = rand() % 5000;
        libdbm_store *store;
        int64_t n;
        pid_t pid;

        CHECK(pipe(fds) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child(dir, fds[1]);
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
        while (read(fds[0], &n, sizeof(n)) == (ssize_t)sizeof(n)) {
            CHECK(n > acked);
            acked = n;
        }
        close(fds[0]);

        store = open_store(ctx, dir);
        count = purchases(store, &total);
        if (count < acked || total != count) {
            fprintf(stderr, "round %ld: acknowledged %lld purchases, store has %lld (total %lld)\n",
                    round, (long long)acked, (long long)count, (long long)total);
            CHECK(0);
        }
        acked = count;   /* survivors count as acknowledged from now on */
        CHECK_OK(libdbm_store_close(store));
    }
    printf("store kill loop: ok, %lld purchases acknowledged and recovered\n", (long long)count);
    libdbm_context_free(ctx);
    dur_rmtree(dir);
    return 0;
}
