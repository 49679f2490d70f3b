/* Kill loop: a forked child runs a scheduler on a store on disk (entering
 * customers, taking the due actions, acknowledging them) and reports each
 * action through a pipe: "N id" when handed out new, "R id" when handed out
 * again after a restart, "A id" once its outcome is recorded. The parent
 * SIGKILLs it at a random moment, and after every round checks that no id
 * was ever handed out as new twice and that no acknowledged action comes
 * back. At the end a last scheduler drains everything: every stage of
 * every entry was issued exactly once (no due action lost).
 *
 * Usage: test-campaign-kill-loop [ROUNDS [SEED]] (default 200 rounds; the
 * seed comes from the clock and is printed). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "campaign_test_util.h"
#include "check.h"

#define HOUR 3600
#define STAGES 3
#define MAX_IDS 200000

static const char *definition =
    "campaign drip\n"
    "entry event go\n"
    "convert on outcome within 1d\n"
    "stage s0 channel email content a\n"
    "stage s1 channel email content b\n"
    "  at previous + 1h\n"
    "stage s2 channel sms content c\n"
    "  at previous + 2h\n";

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717u;
}

static libdbm_store *open_store(libdbm_context *ctx, const char *dir)
{
    libdbm_store_options o;
    libdbm_store *s = NULL;
    libdbm_store_options_init(&o);
    o.checkpoint_log_bytes = 32 * 1024;     /* snapshots under the knife too */
    if (libdbm_store_open(&s, ctx, dir, &o) != LIBDBM_OK)
        return NULL;
    return s;
}

static void say(int fd, char kind, const char *id)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "%c %s\n", kind, id);
    if (n <= 0 || write(fd, line, (size_t)n) != n)
        _exit(7);
}

static void child(const char *dir, int fd, int round, uint64_t seed)
{
    libdbm_context *ctx;
    libdbm_store *store;
    libdbm_campaign *c;
    libdbm_campaign_scheduler *s;
    int64_t now = ctu_utc(2026, 1, 1, 0, 0) + (int64_t)round * 200 * HOUR;
    int i;
    if (libdbm_context_new(&ctx, NULL) != LIBDBM_OK || (store = open_store(ctx, dir)) == NULL ||
        libdbm_campaign_parse(&c, ctx, definition) != LIBDBM_OK ||
        libdbm_campaign_scheduler_new(&s, c, store, NULL) != LIBDBM_OK)
        _exit(3);
    for (i = 0;; i++, now += HOUR) {
        libdbm_campaign_actions *a;
        int64_t k, n;
        if (next_rand(&seed) % 2 == 0) {
            char id[32];
            snprintf(id, sizeof(id), "r%d-%d", round, i);
            if (libdbm_store_profile_ensure(store, NULL, id) != LIBDBM_OK ||
                libdbm_campaign_trigger(s, NULL, id, "go", now) != LIBDBM_OK)
                _exit(4);
        }
        if (libdbm_campaign_due(s, &a, now) != LIBDBM_OK)
            _exit(5);
        n = libdbm_campaign_actions_count(a);
        for (k = 0; k < n; k++) {
            const char *id;
            int again;
            libdbm_campaign_action_get(a, k, &id, NULL, NULL, NULL, NULL, &again);
            say(fd, again ? 'R' : 'N', id);
        }
        for (k = 0; k < n; k++) {
            const char *id;
            libdbm_campaign_action_get(a, k, &id, NULL, NULL, NULL, NULL, NULL);
            if (next_rand(&seed) % 8 == 0)
                continue;   /* the host "forgot": re-delivered after a restart */
            if (libdbm_campaign_record_outcome(s, id, LIBDBM_OUTCOME_SENT, now) != LIBDBM_OK)
                _exit(6);
            say(fd, 'A', id);
        }
        libdbm_campaign_actions_free(a);
    }
}

/* A set of ids (sorted array, binary search: a few thousand at most). */
typedef struct idset {
    char **ids;
    size_t n;
} idset;

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int idset_has(const idset *s, const char *id)
{
    return s->n > 0 && bsearch(&id, s->ids, s->n, sizeof(char *), cmp) != NULL;
}

static void idset_add(idset *s, const char *id)
{
    size_t k;
    if (idset_has(s, id))
        return;
    CHECK(s->n < MAX_IDS);
    s->ids = realloc(s->ids, (s->n + 1) * sizeof(char *));
    CHECK(s->ids != NULL);
    for (k = s->n; k > 0 && strcmp(s->ids[k - 1], id) > 0; k--)
        s->ids[k] = s->ids[k - 1];
    s->ids[k] = strdup(id);
    s->n++;
}

static void idset_free(idset *s)
{
    size_t k;
    for (k = 0; k < s->n; k++)
        free(s->ids[k]);
    free(s->ids);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : (uint64_t)time(NULL);
    uint64_t rng = seed ? seed : 1;
    char dir[] = "/tmp/libdbm-campaign-kill-XXXXXX", cmd[128], *report = NULL, line[96];
    idset fresh = {0}, acked = {0}, all = {0};
    libdbm_context *ctx;
    libdbm_store *store;
    libdbm_campaign *c;
    libdbm_campaign_scheduler *s;
    int64_t entered = 0;
    int r, kills_mid_write = 0;
    printf("campaign-kill-loop: %d rounds, seed %llu\n", rounds, (unsigned long long)seed);
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    for (r = 0; r < rounds; r++) {
        int fds[2], status;
        pid_t pid;
        FILE *in;
        char buf[300];
        CHECK(pipe(fds) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child(dir, fds[1], r, next_rand(&rng));
        }
        close(fds[1]);
        usleep((useconds_t)(next_rand(&rng) % 40000));
        kill(pid, SIGKILL);
        in = fdopen(fds[0], "r");
        CHECK(in != NULL);
        while (fgets(buf, sizeof(buf), in) != NULL) {
            char *id = buf + 2;
            if (strlen(buf) < 3 || buf[strlen(buf) - 1] != '\n') {
                kills_mid_write++;  /* a line cut by the kill: ignore it */
                continue;
            }
            buf[strlen(buf) - 1] = '\0';
            if (buf[0] == 'N') {
                if (idset_has(&fresh, id))
                    fprintf(stderr, "round %d: %s handed out as new twice\n", r, id);
                CHECK(!idset_has(&fresh, id));
                idset_add(&fresh, id);
            } else if (buf[0] == 'R') {
                if (idset_has(&acked, id))
                    fprintf(stderr, "round %d: acknowledged %s came back\n", r, id);
                CHECK(!idset_has(&acked, id));
            } else {
                CHECK(buf[0] == 'A');
                idset_add(&acked, id);
            }
            idset_add(&all, id);
        }
        fclose(in);
        CHECK(waitpid(pid, &status, 0) == pid);
        if (WIFEXITED(status)) {
            fprintf(stderr, "round %d: child exited with %d\n", r, WEXITSTATUS(status));
            CHECK(0);
        }
    }
    /* Drain: every entry gets all of its stages, nothing twice. */
    store = open_store(ctx, dir);
    CHECK(store != NULL);
    CHECK_OK(libdbm_campaign_parse(&c, ctx, definition));
    CHECK_OK(libdbm_campaign_scheduler_new(&s, c, store, NULL));
    for (r = 0; r < 2 * STAGES + 2; r++) {
        libdbm_campaign_actions *a;
        int64_t k, n;
        CHECK_OK(libdbm_campaign_due(s, &a, ctu_utc(2026, 1, 1, 0, 0) +
                                                (int64_t)(rounds + 10 + r) * 200 * HOUR));
        n = libdbm_campaign_actions_count(a);
        for (k = 0; k < n; k++) {
            const char *id;
            int again;
            CHECK_OK(libdbm_campaign_action_get(a, k, &id, NULL, NULL, NULL, NULL, &again));
            CHECK(!idset_has(&acked, id));
            CHECK(again || !idset_has(&fresh, id));
            idset_add(&all, id);
            CHECK_OK(libdbm_campaign_record_outcome(s, id, LIBDBM_OUTCOME_SENT, 0));
            idset_add(&acked, id);
        }
        libdbm_campaign_actions_free(a);
    }
    CHECK_OK(libdbm_campaign_report(s, &report, LIBDBM_CAMPAIGN_REPORT_CSV));
    CHECK(sscanf(strstr(report, "drip,,entered_treated,"), "drip,,entered_treated,%lld",
                 (long long *)&entered) == 1);
    for (r = 0; r < STAGES; r++) {
        snprintf(line, sizeof(line), "drip,s%d,allowed,%lld\n", r, (long long)entered);
        if (strstr(report, line) == NULL)
            fprintf(stderr, "%s\nmissing %s", report, line);
        CHECK(strstr(report, line) != NULL);
        snprintf(line, sizeof(line), "drip,s%d,sent,%lld\n", r, (long long)entered);
        CHECK(strstr(report, line) != NULL);
    }
    CHECK(all.n == (size_t)entered * STAGES);   /* every id seen is one of them */
    printf("campaign-kill-loop: ok (%lld entries, %zu actions, %zu handed out new before a kill, "
           "%d lines cut)\n", (long long)entered, all.n, fresh.n, kills_mid_write);
    CHECK(entered > 0);
    libdbm_free_string(report);
    libdbm_campaign_scheduler_free(s);
    libdbm_campaign_free(c);
    CHECK_OK(libdbm_store_close(store));
    libdbm_context_free(ctx);
    idset_free(&fresh);
    idset_free(&acked);
    idset_free(&all);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return 0;
}
