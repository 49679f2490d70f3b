/* The store lock: two processes opening for write (exactly one succeeds,
 * the other gets ELOCKED naming the store), a second writer in the same
 * process, shared readers coexisting and excluding a writer, release on
 * close and on process death, and the directory/file forms of the path. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "durability_util.h"
#include "lock.h"

static void test_same_process(const char *dir)
{
    libdbm_context *ctx = dur_context();
    dbmi_lock *writer, *other, *r1, *r2;

    CHECK_OK(dbmi_lock_acquire(&writer, ctx, dir, 1));
    CHECK(dur_file_exists(dur_path(dir, "LOCK")));
    /* A second open in this process conflicts, by directory or by file. */
    CHECK_STATUS(dbmi_lock_acquire(&other, ctx, dir, 1), LIBDBM_ELOCKED);
    CHECK(other == NULL);
    CHECK(strstr(libdbm_context_errmsg(ctx), dir) != NULL);
    CHECK_STATUS(dbmi_lock_acquire(&other, ctx, dur_path(dir, "LOCK"), 1), LIBDBM_ELOCKED);
    CHECK(strstr(libdbm_context_errmsg(ctx), dir) != NULL);
    CHECK_STATUS(dbmi_lock_acquire(&r1, ctx, dir, 0), LIBDBM_ELOCKED);
    dbmi_lock_release(writer);
    dbmi_lock_release(NULL);

    /* Released on close: readers now coexist... */
    CHECK_OK(dbmi_lock_acquire(&r1, ctx, dir, 0));
    CHECK_OK(dbmi_lock_acquire(&r2, ctx, dur_path(dir, "LOCK"), 0));
    /* ...and keep a writer out until the last one leaves. */
    CHECK_STATUS(dbmi_lock_acquire(&writer, ctx, dir, 1), LIBDBM_ELOCKED);
    dbmi_lock_release(r1);
    CHECK_STATUS(dbmi_lock_acquire(&writer, ctx, dir, 1), LIBDBM_ELOCKED);
    dbmi_lock_release(r2);
    CHECK_OK(dbmi_lock_acquire(&writer, ctx, dir, 1));
    dbmi_lock_release(writer);
    libdbm_context_free(ctx);
}

/* Each child waits for the go byte, tries the lock, reports its status and
 * holds the lock until its stdin-like pipe closes. */
static pid_t spawn_contender(const char *dir, int exclusive, const int go[2], const int hold[2],
                             int *result_fd)
{
    int fds[2];
    pid_t pid;
    CHECK(pipe(fds) == 0);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        libdbm_context *ctx;
        dbmi_lock *lock;
        char c;
        int status;
        int go_fd = go[0], hold_fd = hold[0];
        close(fds[0]);
        close(go[1]);       /* only the parent may end these pipes */
        close(hold[1]);
        if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK)
            _exit(3);
        if (read(go_fd, &c, 1) != 1)
            _exit(4);
        status = dbmi_lock_acquire(&lock, ctx, dir, exclusive);
        if (write(fds[1], &status, sizeof(status)) != (ssize_t)sizeof(status))
            _exit(5);
        while (read(hold_fd, &c, 1) > 0)   /* until the parent closes it */
            ;
        dbmi_lock_release(lock);
        libdbm_context_free(ctx);
        _exit(0);
    }
    close(fds[1]);
    *result_fd = fds[0];
    return pid;
}

static int read_status(int fd)
{
    int status;
    CHECK(read(fd, &status, sizeof(status)) == (ssize_t)sizeof(status));
    close(fd);
    return status;
}

static void test_two_processes(const char *dir, int round)
{
    int go[2], hold[2], res[2], s0, s1, wstatus;
    pid_t p0, p1;
    libdbm_context *ctx = dur_context();
    dbmi_lock *lock;

    CHECK(pipe(go) == 0 && pipe(hold) == 0);
    p0 = spawn_contender(dir, 1, go, hold, &res[0]);
    p1 = spawn_contender(dir, 1, go, hold, &res[1]);
    close(go[0]);
    close(hold[0]);
    CHECK(write(go[1], "gg", 2) == 2);   /* both start at once */
    s0 = read_status(res[0]);
    s1 = read_status(res[1]);
    CHECK((s0 == LIBDBM_OK && s1 == LIBDBM_ELOCKED) || (s0 == LIBDBM_ELOCKED && s1 == LIBDBM_OK));
    /* The parent is a third contender. */
    CHECK_STATUS(dbmi_lock_acquire(&lock, ctx, dir, 1), LIBDBM_ELOCKED);
    CHECK_STATUS(dbmi_lock_acquire(&lock, ctx, dir, 0), LIBDBM_ELOCKED);
    if (round % 2 == 0) {
        /* Release by close. */
        close(hold[1]);
        CHECK(waitpid(p0, &wstatus, 0) == p0 && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
        CHECK(waitpid(p1, &wstatus, 0) == p1 && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
    } else {
        /* Release by death: SIGKILL the holder. */
        kill(s0 == LIBDBM_OK ? p0 : p1, SIGKILL);
        CHECK(waitpid(s0 == LIBDBM_OK ? p0 : p1, &wstatus, 0) > 0);
        CHECK(WIFSIGNALED(wstatus));
        CHECK_OK(dbmi_lock_acquire(&lock, ctx, dir, 1));
        dbmi_lock_release(lock);
        close(hold[1]);
        CHECK(waitpid(s0 == LIBDBM_OK ? p1 : p0, &wstatus, 0) > 0);
    }
    close(go[1]);
    CHECK_OK(dbmi_lock_acquire(&lock, ctx, dir, 1));
    dbmi_lock_release(lock);
    libdbm_context_free(ctx);
}

static void test_shared_processes(const char *dir)
{
    int go[2], hold[2], res[2], wstatus;
    pid_t p0, p1;
    libdbm_context *ctx = dur_context();
    dbmi_lock *lock;

    CHECK(pipe(go) == 0 && pipe(hold) == 0);
    p0 = spawn_contender(dir, 0, go, hold, &res[0]);
    p1 = spawn_contender(dir, 0, go, hold, &res[1]);
    close(go[0]);
    close(hold[0]);
    CHECK(write(go[1], "gg", 2) == 2);
    CHECK_OK(read_status(res[0]));
    CHECK_OK(read_status(res[1]));
    CHECK_OK(dbmi_lock_acquire(&lock, ctx, dir, 0));
    dbmi_lock_release(lock);
    CHECK_STATUS(dbmi_lock_acquire(&lock, ctx, dir, 1), LIBDBM_ELOCKED);
    close(hold[1]);
    close(go[1]);
    CHECK(waitpid(p0, &wstatus, 0) == p0 && waitpid(p1, &wstatus, 0) == p1);
    CHECK_OK(dbmi_lock_acquire(&lock, ctx, dir, 1));
    dbmi_lock_release(lock);
    libdbm_context_free(ctx);
}

int main(void)
{
    const char *dir = dur_tmpdir("lock");
    int round;
    signal(SIGPIPE, SIG_IGN);
    test_same_process(dir);
    for (round = 0; round < 10; round++)
        test_two_processes(dir, round);
    test_shared_processes(dir);
    dur_rmtree(dir);
    puts("store-lock: ok");
    return 0;
}
