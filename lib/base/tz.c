/*
 * Zone objects, the context's zone cache and the UTC <-> local conversions
 * (docs/timezones.md).
 *
 * A loaded zone keeps only what the conversions need: the instants at which
 * the UTC offset changes and the offset from each on, in one allocation.
 * Transitions that change only the abbreviation or the DST flag are
 * dropped, and the file's footer rule is expanded into the table up to
 * 2200, so that the hot path (dbmi_tz_offset_at) is one binary search with
 * no allocation and no lock; the rule itself is evaluated only beyond that.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civil_time.h"
#include "context_impl.h"
#include "io.h"
#include "tz.h"

/* The footer rule is expanded into the table up to 2200-01-01T00:00Z, for
 * files whose last transition lies after 1833 (earlier ones are hostile or
 * very odd: the rule is then evaluated directly). */
#define EXPAND_UNTIL INT64_C(7258118400)
#define EXPAND_FROM_MIN (-(INT64_C(1) << 32))
#define SECONDS_PER_YEAR_MIN INT64_C(31536000)
/* Instants are clamped to +-2^60 s before adding an offset to them. */
#define TIME_BOUND (INT64_C(1) << 60)
/* Every UTC offset is within +-25 h (files) or +-24:59:59 (rules). */
#define OFFSET_WINDOW (2 * DBMI_SECONDS_PER_DAY)

struct dbmi_tz {
    dbmi_tz *next;              /* the cache's chain (immutable once published) */
    dbmi_tz *retired_next;      /* the chain of retired zones */
    const char *name;
    size_t count;               /* offset changes in the table */
    const int64_t *times;       /* ascending */
    const int32_t *offsets;     /* offsets[i] holds from times[i] on */
    int32_t initial_offset;     /* before times[0] */
    int has_rule;
    int64_t rule_from;          /* the rule governs t >= rule_from */
    dbmi_tz_posix rule;
};

/* ---- Building a zone from TZif data --------------------------------- */

/* The offset the file gives from transition @p i on. The last transition's
 * offset is read from the footer rule when there is one, so the table and
 * the rule agree at the seam whatever the file says. */
static int32_t transition_offset(const dbmi_tzif_view *view, uint32_t i)
{
    if (view->has_rule && i + 1 == view->timecnt)
        return dbmi_tz_posix_offset_at(&view->rule, dbmi_tzif_time(view, i));
    return dbmi_tzif_type_offset(view, dbmi_tzif_type_index(view, i));
}

static size_t expansion_bound(const dbmi_tzif_view *view)
{
    int64_t last;
    if (!view->has_rule || !view->rule.has_dst || view->timecnt == 0)
        return 0;
    last = dbmi_tzif_time(view, view->timecnt - 1);
    if (last < EXPAND_FROM_MIN || last >= EXPAND_UNTIL)
        return 0;
    /* At most two changes a year. */
    return (size_t)(2 * ((EXPAND_UNTIL - last) / SECONDS_PER_YEAR_MIN + 2));
}

int dbmi_tz_from_tzif(libdbm_context *ctx, const void *data, size_t len,
                      const char *name, const char *origin, dbmi_tz **out)
{
    dbmi_tzif_view view;
    dbmi_tz *tz;
    int64_t *times;
    int32_t *offsets, previous;
    size_t name_len, capacity, size, n = 0, expansion;
    char *name_copy;
    uint32_t i;
    int status;

    *out = NULL;
    status = dbmi_tzif_parse(ctx, data, len, origin, &view);
    if (status != LIBDBM_OK)
        return status;
    expansion = expansion_bound(&view);
    capacity = (size_t)view.timecnt + expansion;
    name_len = strlen(name);
    /* One block: the zone, its times, its offsets and its name. */
    size = sizeof(*tz) + capacity * (sizeof(int64_t) + sizeof(int32_t)) + name_len + 1;
    tz = dbmi_malloc(ctx, size);
    if (tz == NULL)
        return dbmi_error_nomem(ctx, "a time zone");
    memset(tz, 0, sizeof(*tz));
    times = (int64_t *)(void *)(tz + 1);
    offsets = (int32_t *)(void *)(times + capacity);
    name_copy = (char *)(offsets + capacity);
    memcpy(name_copy, name, name_len + 1);

    tz->name = name_copy;
    tz->initial_offset = dbmi_tzif_type_offset(&view, 0);
    tz->has_rule = view.has_rule;
    tz->rule = view.rule;
    tz->rule_from = INT64_MIN;
    previous = tz->initial_offset;
    for (i = 0; i < view.timecnt; i++) {
        int32_t offset = transition_offset(&view, i);
        if (offset != previous) {
            times[n] = dbmi_tzif_time(&view, i);
            offsets[n++] = offset;
            previous = offset;
        }
    }
    if (view.timecnt > 0)
        tz->rule_from = dbmi_tzif_time(&view, view.timecnt - 1);
    if (expansion > 0) {
        int64_t at = tz->rule_from;
        size_t added = 0;
        for (;;) {
            at = dbmi_tz_posix_next_change(&view.rule, at);
            if (at > EXPAND_UNTIL || added == expansion)
                break;
            times[n] = at;
            offsets[n++] = dbmi_tz_posix_offset_at(&view.rule, at);
            added++;
        }
        /* The table now holds every change up to EXPAND_UNTIL (or up to the
         * last one added, should the bound ever be reached). */
        tz->rule_from = added == expansion ? times[n - 1] : EXPAND_UNTIL;
    }
    tz->times = times;
    tz->offsets = offsets;
    tz->count = n;
    *out = tz;
    return LIBDBM_OK;
}

void dbmi_tz_free(libdbm_context *ctx, dbmi_tz *tz)
{
    if (tz != NULL)
        dbmi_free(ctx, tz);
}

const char *dbmi_tz_name(const dbmi_tz *tz)
{
    return tz->name;
}

/* ---- Conversions ---------------------------------------------------- */

/* The number of table entries at or before @p t. A branch-free binary
 * search (the compiler turns the select into a conditional move): random
 * instants would defeat the branch predictor of the textbook loop. */
static size_t entries_until(const dbmi_tz *tz, int64_t t)
{
    const int64_t *base = tz->times;
    size_t n = tz->count;
    if (n == 0)
        return 0;
    while (n > 1) {
        size_t half = n / 2;
        base = base[half] <= t ? base + half : base;
        n -= half;
    }
    return (size_t)(base - tz->times) + (*base <= t);
}

int32_t dbmi_tz_offset_at(const dbmi_tz *tz, int64_t t)
{
    size_t k;
    if (tz->has_rule && t >= tz->rule_from)
        return dbmi_tz_posix_offset_at(&tz->rule, t);
    k = entries_until(tz, t);
    return k == 0 ? tz->initial_offset : tz->offsets[k - 1];
}

int64_t dbmi_tz_next_transition(const dbmi_tz *tz, int64_t t)
{
    size_t k = entries_until(tz, t);
    /* Every table entry lies at or before rule_from. */
    if (k < tz->count)
        return tz->times[k];
    if (!tz->has_rule)
        return INT64_MAX;
    return dbmi_tz_posix_next_change(&tz->rule, t > tz->rule_from ? t : tz->rule_from);
}

static int64_t clamp_time(int64_t t)
{
    return t > TIME_BOUND ? TIME_BOUND : t < -TIME_BOUND ? -TIME_BOUND : t;
}

int dbmi_tz_local_to_utc(const dbmi_tz *tz, int64_t local_seconds,
                         int64_t *earliest, int64_t *latest)
{
    int64_t local = clamp_time(local_seconds);
    int64_t start = local - OFFSET_WINDOW, stop = local + OFFSET_WINDOW;
    int found = 0;
    /* Walk the spans of constant offset that could hold a solution t of
     * t + offset(t) == local; each span holds at most one. */
    while (start <= stop) {
        int32_t offset = dbmi_tz_offset_at(tz, start);
        int64_t end = dbmi_tz_next_transition(tz, start);
        int64_t t = local - offset;
        if (t >= start && t < end) {
            if (found == 0)
                *earliest = t;
            *latest = t;
            found++;
        }
        if (end > stop)
            break;
        start = end;
    }
    return found;
}

void dbmi_tz_local_fields(const dbmi_tz *tz, int64_t t, dbmi_local_time *out)
{
    int64_t local, days;
    t = clamp_time(t);
    out->offset = dbmi_tz_offset_at(tz, t);
    local = t + out->offset;
    days = dbmi_day_of_time(local);
    out->local_seconds = local;
    out->second_of_day = (int32_t)dbmi_second_of_day(local);
    dbmi_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = out->second_of_day / 3600;
    out->minute = out->second_of_day / 60 % 60;
    out->second = out->second_of_day % 60;
    out->weekday = dbmi_weekday_from_days(days);
}

/* ---- The cache ------------------------------------------------------ */

static void cache_lock(dbmi_tz_cache *cache)
{
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(&cache->lock, &expected, 1,
                                                  memory_order_acquire,
                                                  memory_order_relaxed)) {
        expected = 0;
        sched_yield();
    }
}

static void cache_unlock(dbmi_tz_cache *cache)
{
    atomic_store_explicit(&cache->lock, 0, memory_order_release);
}

static const dbmi_tz *cache_find(dbmi_tz_cache *cache, const char *name)
{
    const dbmi_tz *tz = atomic_load_explicit(&cache->zones, memory_order_acquire);
    for (; tz != NULL; tz = tz->next)
        if (strcmp(tz->name, name) == 0)
            return tz;
    return NULL;
}

/* Only [A-Za-z0-9_+-/], no leading '/', no empty component, 1..255 bytes:
 * with no '.' allowed, no name can climb out of the zoneinfo directory. */
static int check_name(const libdbm_context *ctx, const char *name)
{
    size_t i;
    for (i = 0; name[i] != '\0'; i++) {
        char c = name[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' ||
                 c == '/';
        if (i >= DBMI_TZ_MAX_NAME)
            return dbmi_error(ctx, LIBDBM_EINVAL,
                              "time zone name longer than %u bytes", DBMI_TZ_MAX_NAME);
        if (!ok)
            return dbmi_error(ctx, LIBDBM_EINVAL,
                              "time zone name has a character other than "
                              "[A-Za-z0-9_+-/] at byte %zu", i);
        /* "America//Sao_Paulo" opens the same file under another name:
         * every such spelling would be loaded and cached again, so hostile
         * names could grow the context's cache without bound. */
        if (c == '/' && (name[i + 1] == '/' || name[i + 1] == '\0'))
            return dbmi_error(ctx, LIBDBM_EINVAL,
                              "time zone name has an empty component at byte %zu", i + 1);
    }
    if (i == 0)
        return dbmi_error(ctx, LIBDBM_EINVAL, "empty time zone name");
    if (name[0] == '/')
        return dbmi_error(ctx, LIBDBM_EINVAL,
                          "time zone name '%s' starts with '/'", name);
    return LIBDBM_OK;
}

static int read_zone_file(libdbm_context *ctx, const char *path,
                          unsigned char **data, size_t *len)
{
    struct stat st;
    size_t got = 0;
    int fd, status;

    *data = NULL;
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG || err == ELOOP)
            return dbmi_error(ctx, LIBDBM_ENOTFOUND, "no time zone file '%s'", path);
        return dbmi_error(ctx, LIBDBM_EIO, "opening time zone file '%s' failed: %s",
                          path, strerror(err));
    }
    if (fstat(fd, &st) != 0) {
        status = dbmi_error(ctx, LIBDBM_EIO, "examining '%s' failed: %s", path,
                            strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        status = dbmi_error(ctx, LIBDBM_ENOTFOUND,
                            "'%s' is not a time zone file (not a regular file)", path);
    } else if ((uint64_t)st.st_size > DBMI_TZ_MAX_FILE_SIZE) {
        status = dbmi_error(ctx, LIBDBM_ECORRUPT,
                            "zone file %s: %lld bytes, more than the limit of %u",
                            path, (long long)st.st_size, DBMI_TZ_MAX_FILE_SIZE);
    } else {
        /* One byte more than the size, to notice a file that grew. */
        size_t want = (size_t)st.st_size + 1;
        *data = dbmi_malloc(ctx, want);
        if (*data == NULL)
            status = dbmi_error_nomem(ctx, "a time zone file");
        else
            status = dbmi_io_read_full(ctx, fd, *data, want, &got, path);
    }
    close(fd);
    if (status != LIBDBM_OK) {
        dbmi_free(ctx, *data);
        *data = NULL;
        return status;
    }
    *len = got;
    return LIBDBM_OK;
}

/* Loads zone @p name from the cache's directory; called with the lock. */
static int load_zone(libdbm_context *ctx, const char *name, dbmi_tz **out)
{
    const char *dir = ctx->tz_cache.dir ? ctx->tz_cache.dir : DBMI_TZ_DEFAULT_DIR;
    size_t dir_len = strlen(dir), name_len = strlen(name), path_size;
    unsigned char *data;
    size_t len = 0;
    char *path;
    int status;

    if (dbmi_size_add(dir_len, name_len + 2, &path_size))
        return dbmi_error(ctx, LIBDBM_EINVAL, "zoneinfo path too long");
    path = dbmi_malloc(ctx, path_size);
    if (path == NULL)
        return dbmi_error_nomem(ctx, "a time zone file name");
    snprintf(path, path_size, "%s/%s", dir, name);
    status = read_zone_file(ctx, path, &data, &len);
    if (status == LIBDBM_OK) {
        status = dbmi_tz_from_tzif(ctx, data, len, name, path, out);
        dbmi_free(ctx, data);
    }
    dbmi_free(ctx, path);
    return status;
}

int dbmi_tz_get(libdbm_context *ctx, const char *name, const dbmi_tz **out)
{
    dbmi_tz_cache *cache;
    const dbmi_tz *found;
    dbmi_tz *tz = NULL;
    int status;

    if (out != NULL)
        *out = NULL;
    if (ctx == NULL || name == NULL || out == NULL)
        return LIBDBM_EINVAL;
    status = check_name(ctx, name);
    if (status != LIBDBM_OK)
        return status;
    cache = &ctx->tz_cache;
    found = cache_find(cache, name);
    if (found == NULL) {
        cache_lock(cache);
        found = cache_find(cache, name);
        if (found == NULL) {
            status = load_zone(ctx, name, &tz);
            if (status == LIBDBM_OK) {
                tz->next = atomic_load_explicit(&cache->zones, memory_order_relaxed);
                atomic_store_explicit(&cache->zones, tz, memory_order_release);
                found = tz;
            }
        }
        cache_unlock(cache);
    }
    *out = found;
    return status;
}

void dbmi_tz_cache_free(libdbm_context *ctx)
{
    dbmi_tz_cache *cache = &ctx->tz_cache;
    dbmi_tz *tz = atomic_load_explicit(&cache->zones, memory_order_acquire);
    while (tz != NULL) {
        dbmi_tz *next = tz->next;
        dbmi_free(ctx, tz);
        tz = next;
    }
    tz = cache->retired;
    while (tz != NULL) {
        dbmi_tz *next = tz->retired_next;
        dbmi_free(ctx, tz);
        tz = next;
    }
    atomic_store_explicit(&cache->zones, NULL, memory_order_relaxed);
    cache->retired = NULL;
    dbmi_free(ctx, cache->dir);
    cache->dir = NULL;
}

/* ---- Public functions ----------------------------------------------- */

LIBDBM_API int libdbm_context_set_zoneinfo_dir(libdbm_context *ctx, const char *path)
{
    dbmi_tz_cache *cache;
    dbmi_tz *tz;
    char *copy = NULL, *old;

    if (ctx == NULL || (path != NULL && path[0] == '\0'))
        return LIBDBM_EINVAL;
    if (path != NULL) {
        copy = dbmi_strdup(ctx, path);
        if (copy == NULL)
            return dbmi_error_nomem(ctx, "the zoneinfo directory");
    }
    cache = &ctx->tz_cache;
    cache_lock(cache);
    old = cache->dir;
    cache->dir = copy;
    /* Zones already handed out stay valid until the context is freed. */
    tz = atomic_load_explicit(&cache->zones, memory_order_relaxed);
    for (; tz != NULL; tz = tz->next) {
        tz->retired_next = cache->retired;
        cache->retired = tz;
    }
    atomic_store_explicit(&cache->zones, NULL, memory_order_release);
    cache_unlock(cache);
    dbmi_free(ctx, old);
    return LIBDBM_OK;
}

LIBDBM_API int libdbm_tz_offset(libdbm_context *ctx, int32_t *offset_seconds,
                                const char *zone, int64_t t)
{
    const dbmi_tz *tz;
    int status;
    if (offset_seconds != NULL)
        *offset_seconds = 0;
    if (ctx == NULL || offset_seconds == NULL || zone == NULL)
        return LIBDBM_EINVAL;
    status = dbmi_tz_get(ctx, zone, &tz);
    if (status != LIBDBM_OK)
        return status;
    *offset_seconds = dbmi_tz_offset_at(tz, t);
    return LIBDBM_OK;
}
