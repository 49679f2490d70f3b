/* Kill loop over the public API: a forked child adds purchases in
 * committed batches to a store on disk (checkpointing now and then) and
 * reports each batch through a pipe only after libdbm_store_commit
 * returned OK; the parent SIGKILLs it at a random moment, reopens the
 * store and checks that every acknowledged purchase is there, and that no
 * batch is half visible.
 *
 * Usage: test-store-kill-loop [ROUNDS [SEED]] (default 200 rounds; seed
 * from the clock, printed). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store_test_util.h"

#define BATCH 7

static void child(const char *dir, int fd, uint64_t seed)
{
    libdbm_context *ctx;
    libdbm_store *s;
    libdbm_store_options o;
    int64_t batch = 0;
    uint64_t rng = seed;
    libdbm_context_new(&ctx, NULL);
    libdbm_store_options_init(&o);
    o.checkpoint_log_bytes = 4096; /* automatic checkpoints too */
    if (libdbm_store_open(&s, ctx, dir, &o) != LIBDBM_OK)
        _exit(3);
    /* Continue after what earlier rounds committed. */
    if (libdbm_store_aggregate(s, &batch, "k", LIBDBM_AGG_PURCHASE_COUNT) != LIBDBM_OK)
        batch = 0;
    batch /= BATCH;
    for (;; batch++) {
        int i;
        if (libdbm_store_begin(s) != LIBDBM_OK)
            _exit(4);
        for (i = 0; i < BATCH; i++) {
            char txn[32];
            snprintf(txn, sizeof(txn), "b%lld-%d", (long long)batch, i);
            if (libdbm_store_purchase_add_minor(s, NULL, i % 2 ? "k" : "k2", batch * 86400 + i,
                                                1, txn) != LIBDBM_OK)
                _exit(5);
        }
        /* k gets the odd purchases, k2 the even; count k's via both. */
        if (libdbm_store_commit(s) != LIBDBM_OK)
            _exit(6);
        if (write(fd, &batch, sizeof(batch)) != sizeof(batch))
            _exit(7);
        if (store_test_rand(&rng) % 16 == 0 && libdbm_store_checkpoint(s) != LIBDBM_OK)
            _exit(8);
    }
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : (uint64_t)time(NULL);
    uint64_t rng = seed ? seed : 1;
    char dir[512];
    libdbm_context *ctx;
    int r;
    int64_t total_acked = 0, last_batches = 0;
    printf("store-kill-loop: %d rounds, seed %llu\n", rounds, (unsigned long long)seed);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    store_test_tmpdir(dir, sizeof(dir), "kill");
    for (r = 0; r < rounds; r++) {
        int fds[2], status;
        int64_t acked = -1, b;
        pid_t pid;
        libdbm_store *s;
        int64_t count_k = 0, count_k2 = 0;
        CHECK(pipe(fds) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child(dir, fds[1], store_test_rand(&rng));
        }
        close(fds[1]);
        usleep((useconds_t)(store_test_rand(&rng) % 30000));
        kill(pid, SIGKILL);
        while (read(fds[0], &b, sizeof(b)) == sizeof(b))
            acked = b;
        close(fds[0]);
        CHECK(waitpid(pid, &status, 0) == pid);
        if (WIFEXITED(status)) {
            fprintf(stderr, "round %d: child exited with %d\n", r, WEXITSTATUS(status));
            CHECK(0);
        }
        CHECK_OK(libdbm_store_open(&s, ctx, dir, NULL));
        if (libdbm_store_aggregate(s, &count_k, "k", LIBDBM_AGG_PURCHASE_COUNT) != LIBDBM_OK)
            count_k = 0;
        if (libdbm_store_aggregate(s, &count_k2, "k2", LIBDBM_AGG_PURCHASE_COUNT) != LIBDBM_OK)
            count_k2 = 0;
        /* Whole batches only: k has 3 and k2 4 purchases per batch. */
        CHECK(count_k % 3 == 0 && count_k2 % 4 == 0 && count_k / 3 == count_k2 / 4);
        /* Every acknowledged batch is there (and perhaps one more that was
         * committed but not yet reported). */
        CHECK(count_k / 3 >= acked + 1);
        CHECK(count_k / 3 >= last_batches); /* nothing committed disappears */
        total_acked += acked + 1 > last_batches ? acked + 1 - last_batches : 0;
        last_batches = count_k / 3;
        CHECK_OK(libdbm_store_close(s));
    }
    store_test_rmdir(dir);
    libdbm_context_free(ctx);
    printf("store-kill-loop: ok (%lld batches acknowledged, %lld in the store)\n",
           (long long)total_acked, (long long)last_batches);
    CHECK(last_batches > 0);
    return 0;
}
