/* Profile store benchmarks: purchase ingest (in memory; on disk with
 * batched commits), open + recovery time, memory per profile and per
 * purchase, and lookup latency by customer id. Each figure is printed with
 * the ratio to a simple baseline measured in the same run.
 *
 * Usage: bench-store [PROFILES] (default 1000000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libdbm.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    fclose(f);
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void die(int status, const char *what, libdbm_context *ctx)
{
    fprintf(stderr, "%s: %s (%s)\n", what, libdbm_strerror(status), libdbm_context_errmsg(ctx));
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct row { char id[24]; int64_t time; int64_t amount; char txn[24]; } row;

/* Baseline of the lookup: a plain linear-probing hash of the same ids. */
static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211u;
    return h;
}

int main(int argc, char **argv)
{
    long profiles = argc > 1 ? atol(argv[1]) : 1000000;
    long purchases = profiles * 3, i;
    libdbm_context *ctx;
    libdbm_store *s;
    libdbm_store_options o;
    row *rows;
    char dir[256];
    double t0, t_mem, t_base, t_disk, t_open;
    long rss0, rss1;
    int status;
    volatile int64_t sink = 0;

    libdbm_context_new(&ctx, NULL);
    rows = malloc((size_t)purchases * sizeof(row));
    for (i = 0; i < purchases; i++) {
        snprintf(rows[i].id, sizeof(rows[i].id), "C%09ld", i % profiles);
        rows[i].time = 1600000000 + (i * 7919) % (86400 * 365);
        rows[i].amount = 100 + i % 5000;
        snprintf(rows[i].txn, sizeof(rows[i].txn), "T%ld", i);
    }
    printf("bench-store: %ld profiles, %ld purchases (3 per profile)\n", profiles, purchases);

    /* Baseline: appending the same rows to a plain array. */
    {
        row *copy = malloc((size_t)purchases * sizeof(row));
        t0 = now();
        for (i = 0; i < purchases; i++)
            copy[i] = rows[i];
        t_base = now() - t0;
        sink += copy[purchases - 1].amount;
        free(copy);
    }

    rss0 = rss_kib();
    status = libdbm_store_open(&s, ctx, NULL, NULL);
    if (status)
        die(status, "open", ctx);
    t0 = now();
    for (i = 0; i < profiles; i++)
        if ((status = libdbm_store_purchase_add_minor(s, NULL, rows[i].id, rows[i].time, rows[i].amount, rows[i].txn)))
            die(status, "purchase", ctx);
    rss1 = rss_kib();
    for (; i < purchases; i++)
        if ((status = libdbm_store_purchase_add_minor(s, NULL, rows[i].id, rows[i].time, rows[i].amount, rows[i].txn)))
            die(status, "purchase", ctx);
    t_mem = now() - t0;
    printf("ingest in memory: %.0f purchases/s (baseline array append %.0f rows/s, ratio %.1fx slower)\n",
           purchases / t_mem, purchases / t_base, t_base > 0 ? t_mem / t_base : 0);
    printf("memory: %.1f bytes/profile with 1 purchase each (RSS delta, id strings and allocator overhead included)\n",
           (double)(rss1 - rss0) * 1024.0 / (double)profiles);
    printf("memory: %.1f bytes per further purchase (RSS delta over the 2nd and 3rd purchases)\n",
           (double)(rss_kib() - rss1) * 1024.0 / (double)(purchases - profiles));

    /* Lookup latency, warm: libdbm_store_profile_exists per id. */
    {
        long n = 200000, k;
        double *lat = malloc((size_t)n * sizeof(double)), tb;
        uint64_t cap = 1;
        const char **table;
        uint64_t seed = 88172645463325252u;
        while (cap < (uint64_t)profiles * 2)
            cap <<= 1;
        table = calloc(cap, sizeof(char *));
        for (i = 0; i < profiles; i++) {
            uint64_t p = fnv(rows[i].id) & (cap - 1);
            while (table[p])
                p = (p + 1) & (cap - 1);
            table[p] = rows[i].id;
        }
        for (k = 0; k < n; k++) {
            int exists;
            const char *id;
            double a;
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            id = rows[seed % (uint64_t)profiles].id;
            a = now();
            libdbm_store_profile_exists(s, &exists, id);
            lat[k] = now() - a;
            sink += exists;
        }
        qsort(lat, (size_t)n, sizeof(double), cmp_double);
        t0 = now();
        for (k = 0; k < n; k++) {
            const char *id;
            uint64_t p;
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            id = rows[seed % (uint64_t)profiles].id;
            for (p = fnv(id) & (cap - 1); table[p] && strcmp(table[p], id) != 0; p = (p + 1) & (cap - 1))
                ;
            sink += table[p] != NULL;
        }
        tb = (now() - t0) / (double)n;
        printf("lookup (profile_exists, warm, %ld random ids): median %.0f ns, p99 %.0f ns "
               "(includes 2 clock reads); baseline plain hash probe mean %.0f ns (ratio %.1fx)\n",
               n, lat[n / 2] * 1e9, lat[n * 99 / 100] * 1e9, tb * 1e9, lat[n / 2] / tb);
        free(lat);
        free(table);
    }
    libdbm_store_close(s);

    /* Durable, batched commits of 10000 purchases. */
    snprintf(dir, sizeof(dir), "/tmp/libdbm-bench-store-%d", (int)getpid());
    libdbm_store_options_init(&o);
    o.checkpoint_log_bytes = -1;
    status = libdbm_store_open(&s, ctx, dir, &o);
    if (status)
        die(status, "open on disk", ctx);
    t0 = now();
    for (i = 0; i < purchases; i++) {
        if (i % 10000 == 0 && (status = libdbm_store_begin(s)))
            die(status, "begin", ctx);
        if ((status = libdbm_store_purchase_add_minor(s, NULL, rows[i].id, rows[i].time, rows[i].amount, rows[i].txn)))
            die(status, "purchase", ctx);
        if ((i % 10000 == 9999 || i == purchases - 1) && (status = libdbm_store_commit(s)))
            die(status, "commit", ctx);
    }
    t_disk = now() - t0;
    printf("ingest durable (batches of 10000, fsync per commit): %.0f purchases/s (%.2fx the in-memory time)\n",
           purchases / t_disk, t_disk / t_mem);
    libdbm_store_close(s);
    t0 = now();
    if ((status = libdbm_store_open(&s, ctx, dir, NULL)))
        die(status, "reopen", ctx);
    t_open = now() - t0;
    printf("open + recovery (log replay of %ld records, %ld profiles): %.2f s (%.2fx the in-memory ingest)\n",
           purchases, profiles, t_open, t_open / t_mem);
    t0 = now();
    if ((status = libdbm_store_checkpoint(s)))
        die(status, "checkpoint", ctx);
    printf("checkpoint (snapshot write): %.2f s\n", now() - t0);
    libdbm_store_close(s);
    t0 = now();
    if ((status = libdbm_store_open(&s, ctx, dir, NULL)))
        die(status, "reopen", ctx);
    printf("open from snapshot: %.2f s\n", now() - t0);
    libdbm_store_close(s);
    {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    free(rows);
    libdbm_context_free(ctx);
    return (int)(sink & 0);
}
