/*
 * The TZif container (RFC 8536, "The Time Zone Information Format"):
 * a 44-byte header with six counts, a version 1 data block with 32-bit
 * times, and from version 2 on a second header, a data block with 64-bit
 * times and a footer holding a POSIX TZ string between two newlines.
 *
 * The file is treated as hostile: every count is checked against the bytes
 * that are really there with checked arithmetic before anything is read,
 * sizes are bounded (DBMI_TZ_MAX_FILE_SIZE, DBMI_TZ_MAX_TRANSITIONS), every
 * type index and abbreviation index is validated, and a failure says what
 * was wrong and at which byte offset. Nothing is allocated: the result is a
 * view into the caller's buffer.
 */
#include <stdio.h>
#include <string.h>

#include "tz.h"

#define HEADER_SIZE 44u
#define TTINFO_SIZE 6u
#define MAX_TYPES 256u
/* Longest footer TZ string we look for (real ones are under 60 bytes). */
#define MAX_FOOTER 512u

typedef struct tzif_counts {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_counts;

static uint32_t load_be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static uint64_t load_be64(const unsigned char *p)
{
    return ((uint64_t)load_be32(p) << 32) | load_be32(p + 4);
}

static int corrupt(const libdbm_context *ctx, const char *origin, size_t where,
                   const char *what)
{
    return dbmi_error(ctx, LIBDBM_ECORRUPT,
                      "zone file %s: %s (at byte offset %zu)", origin, what, where);
}

/* Reads and checks the header at @p at; *version receives 1..4. */
static int read_header(const libdbm_context *ctx, const unsigned char *data,
                       size_t len, size_t at, const char *origin, int *version,
                       tzif_counts *counts)
{
    const unsigned char *h;
    if (len - at < HEADER_SIZE)
        return corrupt(ctx, origin, at, "truncated header (44 bytes needed)");
    h = data + at;
    if (memcmp(h, "TZif", 4) != 0)
        return corrupt(ctx, origin, at, "bad magic (not a TZif file)");
    if (h[4] == 0)
        *version = 1;
    else if (h[4] >= '2' && h[4] <= '4')
        *version = h[4] - '0';
    else
        return corrupt(ctx, origin, at + 4, "unknown TZif version");
    counts->isutcnt = load_be32(h + 20);
    counts->isstdcnt = load_be32(h + 24);
    counts->leapcnt = load_be32(h + 28);
    counts->timecnt = load_be32(h + 32);
    counts->typecnt = load_be32(h + 36);
    counts->charcnt = load_be32(h + 40);
    return LIBDBM_OK;
}

/* The size of a data block with these counts, or 1 on overflow. */
static int block_size(const tzif_counts *c, size_t time_size, size_t *out)
{
    size_t total = 0, part;
    if (dbmi_size_mul(c->timecnt, time_size + 1, &part) ||
        dbmi_size_add(total, part, &total) ||
        dbmi_size_mul(c->typecnt, TTINFO_SIZE, &part) ||
        dbmi_size_add(total, part, &total) ||
        dbmi_size_add(total, c->charcnt, &total) ||
        dbmi_size_mul(c->leapcnt, time_size + 4, &part) ||
        dbmi_size_add(total, part, &total) ||
        dbmi_size_add(total, c->isstdcnt, &total) ||
        dbmi_size_add(total, c->isutcnt, &total))
        return 1;
    *out = total;
    return 0;
}

/* Checks that a block with these counts fits in the file after @p at. */
static int check_block_fits(const libdbm_context *ctx, const tzif_counts *c,
                            size_t time_size, size_t len, size_t at,
                            const char *origin, size_t *size)
{
    char what[160];
    if (block_size(c, time_size, size) || *size > len - at) {
        snprintf(what, sizeof(what),
                 "counts (%u transitions, %u types, %u abbreviation bytes, "
                 "%u leap seconds) exceed the file's %zu bytes",
                 c->timecnt, c->typecnt, c->charcnt, c->leapcnt, len);
        return corrupt(ctx, origin, at - HEADER_SIZE + 20, what);
    }
    return LIBDBM_OK;
}

/* Validates the data block at @p at (already known to fit) and fills the
 * view's table fields. */
static int check_block(const libdbm_context *ctx, const unsigned char *data,
                       size_t at, const tzif_counts *c, int time_size,
                       const char *origin, dbmi_tzif_view *view)
{
    char what[160];
    size_t header = at - HEADER_SIZE;
    const unsigned char *p = data + at;
    const unsigned char *types, *flags;
    uint32_t i;

    if (c->timecnt > DBMI_TZ_MAX_TRANSITIONS) {
        snprintf(what, sizeof(what), "%u transitions, more than the limit of %u",
                 c->timecnt, DBMI_TZ_MAX_TRANSITIONS);
        return corrupt(ctx, origin, header + 32, what);
    }
    if (c->typecnt == 0 || c->typecnt > MAX_TYPES)
        return corrupt(ctx, origin, header + 36,
                       "local time type count must be 1..256");
    if (c->charcnt == 0)
        return corrupt(ctx, origin, header + 40, "empty abbreviation table");
    if (c->isstdcnt != 0 && c->isstdcnt != c->typecnt)
        return corrupt(ctx, origin, header + 24,
                       "standard/wall indicator count differs from the type count");
    if (c->isutcnt != 0 && c->isutcnt != c->typecnt)
        return corrupt(ctx, origin, header + 20,
                       "UT/local indicator count differs from the type count");
    if (c->leapcnt != 0)
        return dbmi_error(ctx, LIBDBM_ENOTSUP,
                          "zone file %s: has %u leap-second records; libdbm's time "
                          "has no leap seconds (use the zones without the right/ prefix)",
                          origin, c->leapcnt);

    view->time_size = time_size;
    view->timecnt = c->timecnt;
    view->typecnt = c->typecnt;
    view->times = p;
    view->indices = p + (size_t)c->timecnt * (size_t)time_size;
    view->types = view->indices + c->timecnt;

    for (i = 0; i < c->timecnt; i++) {
        if (i > 0 && dbmi_tzif_time(view, i) <= dbmi_tzif_time(view, i - 1)) {
            snprintf(what, sizeof(what),
                     "transition %u is not later than transition %u", i, i - 1);
            return corrupt(ctx, origin, at + (size_t)i * (size_t)time_size, what);
        }
        if (view->indices[i] >= c->typecnt) {
            snprintf(what, sizeof(what),
                     "transition %u names local time type %u of %u", i,
                     view->indices[i], c->typecnt);
            return corrupt(ctx, origin, (size_t)(view->indices + i - data), what);
        }
    }
    types = view->types;
    for (i = 0; i < c->typecnt; i++) {
        const unsigned char *t = types + (size_t)i * TTINFO_SIZE;
        int32_t utoff = (int32_t)load_be32(t);
        size_t where = (size_t)(t - data);
        if (utoff < DBMI_TZ_MIN_OFFSET || utoff > DBMI_TZ_MAX_OFFSET) {
            snprintf(what, sizeof(what),
                     "local time type %u has UTC offset %ld s, outside -25h..+26h",
                     i, (long)utoff);
            return corrupt(ctx, origin, where, what);
        }
        if (t[4] > 1) {
            snprintf(what, sizeof(what), "local time type %u has DST flag %u", i, t[4]);
            return corrupt(ctx, origin, where + 4, what);
        }
        if (t[5] >= c->charcnt) {
            snprintf(what, sizeof(what),
                     "local time type %u names abbreviation byte %u of %u", i,
                     t[5], c->charcnt);
            return corrupt(ctx, origin, where + 5, what);
        }
    }
    flags = types + (size_t)c->typecnt * TTINFO_SIZE + c->charcnt;
    for (i = 0; i < c->isstdcnt + c->isutcnt; i++) {
        if (flags[i] > 1)
            return corrupt(ctx, origin, (size_t)(flags + i - data),
                           "standard/wall or UT/local indicator is not 0 or 1");
    }
    return LIBDBM_OK;
}

static int read_footer(const libdbm_context *ctx, const unsigned char *data,
                       size_t len, size_t at, const char *origin,
                       dbmi_tzif_view *view)
{
    const unsigned char *start, *end;
    const char *problem = NULL;
    size_t limit, where = 0;
    char what[160];

    if (at >= len || data[at] != '\n')
        return corrupt(ctx, origin, at, "missing footer (a newline-enclosed TZ string)");
    start = data + at + 1;
    limit = len - at - 1;
    if (limit > MAX_FOOTER)
        limit = MAX_FOOTER;
    end = memchr(start, '\n', limit);
    if (end == NULL)
        return corrupt(ctx, origin, at, "unterminated or overlong footer TZ string");
    if (end == start)
        return LIBDBM_OK;       /* no rule: the last type stays in effect */
    if (dbmi_tz_posix_parse((const char *)start, (size_t)(end - start),
                            &view->rule, &problem, &where) != 0) {
        snprintf(what, sizeof(what), "footer TZ string '%.*s': %s at character %zu",
                 (int)(end - start > 64 ? 64 : end - start), (const char *)start,
                 problem, where);
        return corrupt(ctx, origin, at + 1 + where, what);
    }
    view->has_rule = 1;
    return LIBDBM_OK;
}

int dbmi_tzif_parse(const libdbm_context *ctx, const void *buffer, size_t len,
                    const char *origin, dbmi_tzif_view *view)
{
    const unsigned char *data = buffer;
    tzif_counts counts;
    size_t v1_size, v2_size, at;
    int version, status;
    char what[96];

    memset(view, 0, sizeof(*view));
    if (len > DBMI_TZ_MAX_FILE_SIZE) {
        snprintf(what, sizeof(what), "%zu bytes, more than the limit of %u",
                 len, DBMI_TZ_MAX_FILE_SIZE);
        return corrupt(ctx, origin, 0, what);
    }
    if (data == NULL)
        return corrupt(ctx, origin, 0, "no data");
    status = read_header(ctx, data, len, 0, origin, &version, &counts);
    if (status == LIBDBM_OK)
        status = check_block_fits(ctx, &counts, 4, len, HEADER_SIZE, origin, &v1_size);
    if (status != LIBDBM_OK)
        return status;
    view->version = version;
    if (version == 1)
        return check_block(ctx, data, HEADER_SIZE, &counts, 4, origin, view);

    /* Version 2+: the 64-bit block after the second header is the truth;
     * the version 1 block is only skipped. */
    at = HEADER_SIZE + v1_size;
    status = read_header(ctx, data, len, at, origin, &version, &counts);
    if (status == LIBDBM_OK && version < 2)
        status = corrupt(ctx, origin, at + 4, "second header is not version 2 or later");
    if (status == LIBDBM_OK)
        status = check_block_fits(ctx, &counts, 8, len, at + HEADER_SIZE, origin,
                                  &v2_size);
    if (status == LIBDBM_OK)
        status = check_block(ctx, data, at + HEADER_SIZE, &counts, 8, origin, view);
    if (status == LIBDBM_OK)
        status = read_footer(ctx, data, len, at + HEADER_SIZE + v2_size, origin, view);
    return status;
}

int64_t dbmi_tzif_time(const dbmi_tzif_view *view, uint32_t i)
{
    const unsigned char *p = view->times + (size_t)i * (size_t)view->time_size;
    if (view->time_size == 4)
        return (int64_t)(int32_t)load_be32(p);
    return (int64_t)load_be64(p);
}

uint8_t dbmi_tzif_type_index(const dbmi_tzif_view *view, uint32_t i)
{
    return view->indices[i];
}

int32_t dbmi_tzif_type_offset(const dbmi_tzif_view *view, uint32_t type)
{
    return (int32_t)load_be32(view->types + (size_t)type * TTINFO_SIZE);
}
