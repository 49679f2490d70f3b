/*
 * Time zones for the layers above base (quiet hours and calendar windows in
 * the recipient's own zone). libdbm reads the TZif files of a zoneinfo
 * directory itself (RFC 8536), without the C library's TZ machinery, so the
 * answer never depends on the process's TZ, locale or a global lock.
 *
 * Offsets are seconds east of UTC (New York in winter: -18000). A "local
 * seconds" value is a local civil date-time written as if it were UTC: the
 * seconds since 1970-01-01T00:00 local (dbmi_days_from_civil * 86400 + the
 * second of the day).
 */
#ifndef LIBDBM_BASE_TZ_H
#define LIBDBM_BASE_TZ_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "context_private.h"

/* Loaded zones are immutable: any number of threads may use one at once. */
typedef struct dbmi_tz dbmi_tz;

/* The context's zone cache (a field of struct libdbm_context; all zero is
 * the valid empty state). Readers walk `zones` without a lock: zones are
 * only ever prepended, with release order, and freed with the context.
 * `lock` (a spin lock, held only while a zone file is read) serialises
 * loaders and libdbm_context_set_zoneinfo_dir. */
typedef struct dbmi_tz_cache {
    _Atomic(dbmi_tz *) zones;
    dbmi_tz *retired;       /* zones of a previous directory, still valid */
    char *dir;              /* NULL: DBMI_TZ_DEFAULT_DIR */
    atomic_int lock;
} dbmi_tz_cache;

#define DBMI_TZ_DEFAULT_DIR "/usr/share/zoneinfo"

/* Limits on what a zone file may hold (docs/timezones.md). */
#define DBMI_TZ_MAX_FILE_SIZE (1024u * 1024u)
#define DBMI_TZ_MAX_TRANSITIONS 100000u
#define DBMI_TZ_MAX_NAME 255u
/* UTC offsets beyond these are refused as corrupt (RFC 8536 recommends
 * -89999..93599, i.e. within -25 h..+26 h). */
#define DBMI_TZ_MIN_OFFSET (-89999)
#define DBMI_TZ_MAX_OFFSET 93599

typedef struct dbmi_local_time {
    int64_t year;
    int month;              /* 1..12 */
    int day;                /* 1..31 */
    int hour;               /* 0..23 */
    int minute;             /* 0..59 */
    int second;             /* 0..59 */
    int weekday;            /* 0 = Sunday .. 6 = Saturday */
    int32_t second_of_day;  /* seconds since local midnight, 0..86399 */
    int32_t offset;         /* UTC offset in effect, seconds east */
    int64_t local_seconds;  /* the local date-time as "local seconds" */
} dbmi_local_time;

/* Loads (and caches in the context, thread-safe) zone @p name
 * ("America/Sao_Paulo", "UTC") from the context's zoneinfo directory
 * (default /usr/share/zoneinfo). Names are validated (no "..", no leading
 * "/", only [A-Za-z0-9_+-/] and at most 255 bytes): LIBDBM_EINVAL otherwise.
 * LIBDBM_ENOTFOUND for an unknown zone, LIBDBM_ECORRUPT (what and where) for
 * a malformed file, LIBDBM_ENOTSUP for a file with leap seconds, LIBDBM_EIO,
 * LIBDBM_ENOMEM. *out stays valid until the context is freed (also after
 * libdbm_context_set_zoneinfo_dir). A hit takes no lock and allocates
 * nothing. */
int dbmi_tz_get(libdbm_context *ctx, const char *name, const dbmi_tz **out);

/* UTC offset in seconds at UTC instant @p t. Defined for every int64; exact
 * for years 1..9999 (beyond +-2^55 s the rule of that bound is used). */
int32_t dbmi_tz_offset_at(const dbmi_tz *tz, int64_t t);

/* Local civil time -> UTC instants: returns how many instants show
 * @p local_seconds on the wall clock (0 in a spring-forward gap, 1, 2 in a
 * fall-back overlap) and stores the earliest and latest (untouched when 0). */
int dbmi_tz_local_to_utc(const dbmi_tz *tz, int64_t local_seconds,
                         int64_t *earliest, int64_t *latest);

/* The next UTC instant > @p t at which the offset changes, INT64_MAX if
 * none. Changes of abbreviation or DST flag alone do not count. */
int64_t dbmi_tz_next_transition(const dbmi_tz *tz, int64_t t);

/* Local date and time fields at UTC instant @p t. */
void dbmi_tz_local_fields(const dbmi_tz *tz, int64_t t, dbmi_local_time *out);

/* The zone's name as given to dbmi_tz_get. */
const char *dbmi_tz_name(const dbmi_tz *tz);

/* Builds a zone from TZif bytes in memory (the fuzz target's door, and the
 * loader's). @p origin names the source in error messages. Free with
 * dbmi_tz_free (zones from dbmi_tz_get belong to the context). */
int dbmi_tz_from_tzif(libdbm_context *ctx, const void *data, size_t len,
                      const char *name, const char *origin, dbmi_tz **out);
void dbmi_tz_free(libdbm_context *ctx, dbmi_tz *tz);

/* Frees the context's zone cache and zoneinfo directory (context.c). */
void dbmi_tz_cache_free(libdbm_context *ctx);

/* ---- The POSIX TZ rule of a TZif footer (tz_posix.c) ---------------- */

enum dbmi_tz_rule_kind {
    DBMI_TZ_RULE_JULIAN1 = 1,   /* Jn: 1..365, February 29 never counted */
    DBMI_TZ_RULE_JULIAN0 = 2,   /* n: 0..365, February 29 counted */
    DBMI_TZ_RULE_MONTH = 3      /* Mm.w.d */
};

typedef struct dbmi_tz_rule_date {
    int kind;
    int day;                /* J and n forms */
    int month, week, wday;  /* M form */
    int32_t time;           /* local seconds after midnight, -167h..167h */
} dbmi_tz_rule_date;

typedef struct dbmi_tz_posix {
    int32_t std_offset;     /* seconds east of UTC (the POSIX sign inverted) */
    int32_t dst_offset;
    int has_dst;            /* 0: std_offset all year */
    dbmi_tz_rule_date start, end;   /* DST starts / ends (local wall time) */
} dbmi_tz_posix;

/* Parses @p len bytes of a TZ string (not NUL-terminated). Returns 0, or -1
 * and stores a static description of the problem and its byte position. */
int dbmi_tz_posix_parse(const char *text, size_t len, dbmi_tz_posix *out,
                        const char **problem, size_t *where);
int32_t dbmi_tz_posix_offset_at(const dbmi_tz_posix *rule, int64_t t);
/* The next instant > @p t at which the rule's offset changes, or INT64_MAX. */
int64_t dbmi_tz_posix_next_change(const dbmi_tz_posix *rule, int64_t t);

/* ---- The TZif container (tzif.c) ----------------------------------- */

/* A validated view of a TZif file's newest data block: pointers into the
 * caller's buffer, no allocation. */
typedef struct dbmi_tzif_view {
    int version;                    /* 1, 2, 3 or 4 */
    int time_size;                  /* 4 (version 1) or 8 */
    uint32_t timecnt, typecnt;
    const unsigned char *times;     /* timecnt big-endian times, ascending */
    const unsigned char *indices;   /* timecnt type indices, < typecnt */
    const unsigned char *types;     /* typecnt 6-byte ttinfo records */
    int has_rule;                   /* the footer holds a TZ string */
    dbmi_tz_posix rule;
} dbmi_tzif_view;

/* Validates @p len bytes of TZif data; LIBDBM_ECORRUPT (with what and where,
 * naming @p origin) or LIBDBM_ENOTSUP (leap seconds). */
int dbmi_tzif_parse(const libdbm_context *ctx, const void *data, size_t len,
                    const char *origin, dbmi_tzif_view *view);
int64_t dbmi_tzif_time(const dbmi_tzif_view *view, uint32_t i);
uint8_t dbmi_tzif_type_index(const dbmi_tzif_view *view, uint32_t i);
int32_t dbmi_tzif_type_offset(const dbmi_tzif_view *view, uint32_t type);

#endif /* LIBDBM_BASE_TZ_H */
