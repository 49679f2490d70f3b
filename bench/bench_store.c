/* Profile store benchmarks: memory per profile and per purchase, purchase
 * ingest (in memory; on disk with batched commits), lookup latency by
 * customer id, and open + recovery time (log replay; snapshot; snapshot
 * plus a log tail). Each figure is printed with the ratio to a simple
 * baseline measured in the same run.
 *
 * Memory is counted by a counting allocator in the context (the bytes the
 * store asked for, and the same rounded to glibc's malloc chunks: 8 bytes
 * of header, 16-byte granularity, 32 bytes at least) and by RSS.
 *
 * Usage: bench-store [PROFILES] (default 1000000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libdbm.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the process: on a shared machine the wall time of a
 * single-threaded step can be several times its CPU time. */
static double cpu_now(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec * 1e-6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec * 1e-6;
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

/* ---- counting allocator --------------------------------------------------- */

typedef struct counter { long long bytes, chunks, blocks; } counter;

/* Each block carries its size in a 16-byte header (not counted). */
#define HEADER 16

static long long chunk_of(size_t size)
{
    long long c = ((long long)size + 8 + 15) / 16 * 16;
    return c < 32 ? 32 : c;
}

static void count(counter *c, size_t size, int sign)
{
    c->bytes += sign * (long long)size;
    c->chunks += sign * chunk_of(size);
    c->blocks += sign;
}

static void *count_malloc(size_t size, void *user_data)
{
    unsigned char *p = malloc(size + HEADER);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof(size));
    count(user_data, size, 1);
    return p + HEADER;
}

static void *count_realloc(void *ptr, size_t size, void *user_data)
{
    unsigned char *p = ptr ? (unsigned char *)ptr - HEADER : NULL;
    size_t old = 0;
    if (p != NULL)
        memcpy(&old, p, sizeof(old));
    p = realloc(p, size + HEADER);
    if (p == NULL)
        return NULL;
    if (ptr != NULL)
        count(user_data, old, -1);
    memcpy(p, &size, sizeof(size));
    count(user_data, size, 1);
    return p + HEADER;
}

static void count_free(void *ptr, void *user_data)
{
    size_t old;
    if (ptr == NULL)
        return;
    memcpy(&old, (unsigned char *)ptr - HEADER, sizeof(old));
    count(user_data, old, -1);
    free((unsigned char *)ptr - HEADER);
}

static libdbm_context *counting_context(counter *c)
{
    libdbm_context_options o;
    libdbm_context *ctx;
    libdbm_context_options_init(&o);
    o.malloc_fn = count_malloc;
    o.realloc_fn = count_realloc;
    o.free_fn = count_free;
    o.alloc_user_data = c;
    memset(c, 0, sizeof(*c));
    if (libdbm_context_new(&ctx, &o) != LIBDBM_OK)
        exit(1);
    return ctx;
}

/* ---- the synthetic feed ---------------------------------------------------- */

static void id_of(char *buf, size_t size, long profile)
{
    snprintf(buf, size, "C%09ld", profile);
}

/* Purchase k of every profile, profile by profile in rounds (so histories
 * grow interleaved, as a real feed does), on distinct days. */
static void add_purchases(libdbm_store *s, libdbm_context *ctx, long profiles, int per_profile,
                          int with_txn)
{
    char id[24], txn[32];
    long i;
    int k, status;
    for (k = 0; k < per_profile; k++)
        for (i = 0; i < profiles; i++) {
            id_of(id, sizeof(id), i);
            snprintf(txn, sizeof(txn), "T%ld-%d", i, k);
            status = libdbm_store_purchase_add_minor(s, NULL, id, 1600000000 + (int64_t)k * 86400 * 7 + i % 86400,
                                                     100 + (i * 7 + k) % 5000, with_txn ? txn : NULL);
            if (status)
                die(status, "purchase", ctx);
        }
}

/* ---- memory ---------------------------------------------------------------- */

typedef struct mem_figure { double bytes, chunks, rss, blocks; } mem_figure;

static mem_figure measure_memory(long profiles, int per_profile, int with_txn)
{
    counter c;
    libdbm_context *ctx = counting_context(&c);
    libdbm_store *s;
    mem_figure f;
    long rss0 = rss_kib(), i;
    char id[24];
    int status, created;
    if ((status = libdbm_store_open(&s, ctx, NULL, NULL)))
        die(status, "open", ctx);
    if (per_profile == 0)
        for (i = 0; i < profiles; i++) {
            id_of(id, sizeof(id), i);
            if ((status = libdbm_store_profile_ensure(s, &created, id)))
                die(status, "ensure", ctx);
        }
    add_purchases(s, ctx, profiles, per_profile, with_txn);
    f.bytes = (double)c.bytes / (double)profiles;
    f.chunks = (double)c.chunks / (double)profiles;
    f.blocks = (double)c.blocks / (double)profiles;
    f.rss = (double)(rss_kib() - rss0) * 1024.0 / (double)profiles;
    libdbm_store_close(s);
    libdbm_context_free(ctx);
    return f;
}

static void report_memory(long profiles)
{
    static const int ks[] = {0, 1, 2, 5};
    mem_figure with[4], without5;
    size_t i;
    for (i = 0; i < 4; i++) {
        with[i] = measure_memory(profiles, ks[i], 1);
        printf("memory, %d purchase(s) with transaction ids per profile: %.1f B/profile "
               "requested, %.1f B with malloc chunk overhead (%.2f blocks)\n",
               ks[i], with[i].bytes, with[i].chunks, with[i].blocks);
    }
    /* Later runs reuse the heap the earlier ones freed: only the first
     * RSS growth means anything. */
    printf("memory: RSS growth of the first run (0 purchases): %.1f B/profile\n", with[0].rss);
    without5 = measure_memory(profiles, 5, 0);
    printf("memory, 5 purchases without transaction ids per profile: %.1f B/profile requested, "
           "%.1f B with chunk overhead\n", without5.bytes, without5.chunks);
    printf("memory: fixed per profile (0 purchases) %.1f B requested / %.1f B chunks "
           "(raw data: the 11-byte id; target <= 128)\n", with[0].bytes, with[0].chunks);
    printf("memory: per purchase kept, 1 -> 5 per profile: %.1f B requested / %.1f B chunks "
           "with transaction id; %.1f / %.1f B without (raw data: 16 B day bucket + 16 B "
           "transaction entry; target <= 24)\n",
           (with[3].bytes - with[1].bytes) / 4, (with[3].chunks - with[1].chunks) / 4,
           (without5.bytes - with[1].bytes) / 4, (without5.chunks - with[1].chunks) / 4);
}

/* ---- lookups --------------------------------------------------------------- */

static uint64_t xorshift(uint64_t *seed)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    return *seed;
}

/* Baseline of the lookup: a plain linear-probing hash of the same ids. */
static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211u;
    return h;
}

static void report_lookups(libdbm_store *s, long profiles)
{
    enum { N = 1000000, BATCH = 1000 };
    char (*ids)[24] = malloc((size_t)N * sizeof(*ids));
    double *lat = malloc((size_t)N * sizeof(double)), *batch = malloc(N / BATCH * sizeof(double));
    double clock_cost, tb, t0, mean = 0, hot;
    uint64_t seed = 88172645463325252u, cap = 1;
    char (*table_ids)[24];
    uint32_t *table;
    volatile long found = 0;
    long k, i;
    /* Random ids, formatted before timing. */
    for (k = 0; k < N; k++)
        id_of(ids[k], sizeof(ids[k]), (long)(xorshift(&seed) % (uint64_t)profiles));
    /* The cost of one clock read, to subtract from per-lookup timings. */
    for (k = 0; k < N; k++) {
        double a = now();
        lat[k] = now() - a;
    }
    qsort(lat, N, sizeof(double), cmp_double);
    clock_cost = lat[N / 2];
    /* Batches of 1000 random lookups: the clock read is amortised. */
    for (k = 0; k < N / BATCH; k++) {
        double a = now();
        for (i = 0; i < BATCH; i++) {
            int exists;
            libdbm_store_profile_exists(s, &exists, ids[k * BATCH + i]);
            found += exists;
        }
        batch[k] = (now() - a) / BATCH;
    }
    for (k = 0; k < N / BATCH; k++)
        mean += batch[k] / (N / BATCH);
    qsort(batch, N / BATCH, sizeof(double), cmp_double);
    for (k = 0; k < N; k++) {
        int exists;
        double a = now();
        libdbm_store_profile_exists(s, &exists, ids[(k * 7919) % N]);
        lat[k] = now() - a;
        found += exists;
    }
    qsort(lat, N, sizeof(double), cmp_double);
    /* One id over and over: no cache misses, only the fixed cost of
     * validating the id, the read lock and the hashing. */
    t0 = now();
    for (k = 0; k < N; k++) {
        int exists;
        libdbm_store_profile_exists(s, &exists, ids[0]);
        found += exists;
    }
    hot = (now() - t0) / N;
    /* Baseline: the same ids in a plain open-addressing table. */
    while (cap < (uint64_t)profiles * 2)
        cap <<= 1;
    table = calloc(cap, sizeof(uint32_t));
    table_ids = malloc((size_t)profiles * sizeof(*table_ids));
    for (i = 0; i < profiles; i++) {
        uint64_t p;
        id_of(table_ids[i], sizeof(table_ids[i]), i);
        for (p = fnv(table_ids[i]) & (cap - 1); table[p]; p = (p + 1) & (cap - 1))
            ;
        table[p] = (uint32_t)i + 1;
    }
    t0 = now();
    for (k = 0; k < N; k++) {
        uint64_t p;
        for (p = fnv(ids[k]) & (cap - 1); table[p] && strcmp(table_ids[table[p] - 1], ids[k]) != 0;
             p = (p + 1) & (cap - 1))
            ;
        found += table[p] != 0;
    }
    tb = (now() - t0) / N;
    printf("lookup (profile_exists, warm, random ids of %ld): batched mean %.0f ns "
           "(median batch %.0f ns, p99 batch %.0f ns); baseline plain hash probe %.0f ns "
           "(ratio %.1fx)\n",
           profiles, mean * 1e9, batch[N / BATCH / 2] * 1e9, batch[N / BATCH * 99 / 100] * 1e9,
           tb * 1e9, mean / tb);
    printf("lookup, timed one by one: median %.0f ns, p99 %.0f ns, p99.9 %.0f ns as measured; "
           "minus one clock read (%.0f ns): median %.0f ns, p99 %.0f ns\n",
           lat[N / 2] * 1e9, lat[N / 100 * 99] * 1e9, lat[N / 1000 * 999] * 1e9, clock_cost * 1e9,
           (lat[N / 2] - clock_cost) * 1e9, (lat[N / 100 * 99] - clock_cost) * 1e9);
    printf("lookup of one id repeated (cache-hot: validation, read lock, hash, compare): %.0f ns\n",
           hot * 1e9);
    if (found < 0)
        puts("");
    free(ids);
    free(lat);
    free(batch);
    free(table);
    free(table_ids);
}

/* ---- ingest, durability, recovery ------------------------------------------ */

static double ingest_durable(libdbm_store *s, libdbm_context *ctx, long first, long profiles,
                             int per_profile)
{
    char id[24], txn[32];
    long i, n = 0;
    int k, status;
    double t0 = now();
    for (k = 0; k < per_profile; k++)
        for (i = first; i < first + profiles; i++, n++) {
            if (n % 10000 == 0 && (status = libdbm_store_begin(s)))
                die(status, "begin", ctx);
            id_of(id, sizeof(id), i);
            snprintf(txn, sizeof(txn), "T%ld-%d", i, k);
            if ((status = libdbm_store_purchase_add_minor(s, NULL, id, 1600000000 + (int64_t)k * 604800 + i % 86400,
                                                          100 + i % 5000, txn)))
                die(status, "purchase", ctx);
            if (n % 10000 == 9999 && (status = libdbm_store_commit(s)))
                die(status, "commit", ctx);
        }
    if (n % 10000 != 0 && (status = libdbm_store_commit(s)))
        die(status, "commit", ctx);
    return now() - t0;
}

/* Closes and reopens; returns the wall time, *cpu the CPU time. */
static double reopen(libdbm_store **s, libdbm_context *ctx, const char *dir, double *cpu)
{
    double t0, c0;
    int status;
    libdbm_store_close(*s);
    t0 = now();
    c0 = cpu_now();
    if ((status = libdbm_store_open(s, ctx, dir, NULL)))
        die(status, "reopen", ctx);
    *cpu = cpu_now() - c0;
    return now() - t0;
}

int main(int argc, char **argv)
{
    long profiles = argc > 1 ? atol(argv[1]) : 1000000;
    long purchases = profiles * 3, tail = profiles / 100 + 1;
    libdbm_context *ctx, *disk_ctx;
    libdbm_store *s;
    libdbm_store_options o;
    counter disk;
    char dir[256];
    double t0, c0, t_mem, c_mem, t_base, t_disk, t, cpu;
    int status;
    if (profiles < 1) {
        fprintf(stderr, "usage: bench-store [PROFILES]\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    libdbm_context_new(&ctx, NULL);
    printf("bench-store: %ld profiles\n", profiles);
    report_memory(profiles);

    /* Ingest in memory vs appending the same rows to a plain array. */
    {
        typedef struct row { char id[24]; int64_t time, amount; char txn[48]; } row;
        row *copy = malloc((size_t)purchases * sizeof(row));
        long i;
        t0 = now();
        for (i = 0; i < purchases; i++) {
            id_of(copy[i].id, sizeof(copy[i].id), i % profiles);
            snprintf(copy[i].txn, sizeof(copy[i].txn), "T%ld-%ld", i % profiles, i / profiles);
            copy[i].time = 1600000000 + i;
            copy[i].amount = 100 + i % 5000;
        }
        t_base = now() - t0;
        free(copy);
    }
    if ((status = libdbm_store_open(&s, ctx, NULL, NULL)))
        die(status, "open", ctx);
    t0 = now();
    c0 = cpu_now();
    add_purchases(s, ctx, profiles, 3, 1);
    t_mem = now() - t0;
    c_mem = cpu_now() - c0;
    printf("ingest in memory (3 purchases per profile): %.0f purchases/s, %.2f s wall, %.2f s "
           "CPU (baseline: format the rows into an array, %.0f rows/s; ratio %.1fx slower)\n",
           purchases / t_mem, t_mem, c_mem, purchases / t_base, t_mem / t_base);
    report_lookups(s, profiles);
    libdbm_store_close(s);

    /* Durable, batched commits of 10000 purchases; then recovery. */
    snprintf(dir, sizeof(dir), "/tmp/libdbm-bench-store-%d", (int)getpid());
    libdbm_context_free(ctx);
    ctx = disk_ctx = counting_context(&disk);
    libdbm_store_options_init(&o);
    o.checkpoint_log_bytes = -1;
    if ((status = libdbm_store_open(&s, ctx, dir, &o)))
        die(status, "open on disk", ctx);
    t_disk = ingest_durable(s, ctx, 0, profiles, 3);
    printf("ingest durable (batches of 10000, fsync per commit): %.0f purchases/s (%.2fx the "
           "in-memory time)\n", purchases / t_disk, t_disk / t_mem);
    t = reopen(&s, ctx, dir, &cpu);
    printf("open + recovery (log replay of %ld records, %ld profiles): %.2f s wall, %.2f s CPU "
           "(%.2fx the in-memory ingest's CPU time)\n", purchases, profiles, t, cpu, cpu / c_mem);
    t0 = now();
    if ((status = libdbm_store_checkpoint(s)))
        die(status, "checkpoint", ctx);
    printf("checkpoint (snapshot write): %.2f s\n", now() - t0);
    t = reopen(&s, ctx, dir, &cpu);
    printf("open from snapshot: %.2f s wall, %.2f s CPU (%.2fx the in-memory ingest's CPU "
           "time)\n", t, cpu, cpu / c_mem);
    libdbm_store_close(s);
    if ((status = libdbm_store_open(&s, ctx, dir, &o)))
        die(status, "open on disk", ctx);
    ingest_durable(s, ctx, profiles, tail, 1);
    t = reopen(&s, ctx, dir, &cpu);
    printf("open from snapshot + log tail of %ld records: %.2f s wall, %.2f s CPU; memory "
           "after the open "
           "%.1f B/profile requested, %.1f B with chunk overhead (3 purchases each, 1%% with 4)\n",
           tail, t, cpu, (double)disk.bytes / (double)(profiles + tail),
           (double)disk.chunks / (double)(profiles + tail));
    libdbm_store_close(s);
    {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    libdbm_context_free(disk_ctx);
    return 0;
}
