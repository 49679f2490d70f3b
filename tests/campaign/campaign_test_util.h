/* Helpers shared by the campaign tests: loading definitions, UTC times
 * computed independently of the library, and a clock-stepping driver that
 * logs every action handed out. */
#ifndef LIBDBM_TEST_CAMPAIGN_UTIL_H
#define LIBDBM_TEST_CAMPAIGN_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <libdbm.h>

typedef struct ctu_sent {
    char id[192];
    char customer[64];
    int32_t stage;
    int redelivery;
    int64_t at;
} ctu_sent;

typedef struct ctu_log {
    ctu_sent *items;
    size_t n, cap;
} ctu_log;

/* Seconds since the epoch of a UTC civil time (H. Hinnant's
 * days_from_civil algorithm, written out here). */
int64_t ctu_utc(int year, int month, int day, int hour, int minute);
/* Reads a whole file (malloc'ed, NUL-terminated); exits 77 when absent. */
char *ctu_read(const char *path);
/* Parses DIR/NAME; a failure fails the test. */
libdbm_campaign *ctu_load(libdbm_context *ctx, const char *dir, const char *name);
libdbm_store *ctu_memory_store(libdbm_context *ctx);
/* One due() (or due_for() when @p customer is not NULL) at @p now: logs the
 * actions and acknowledges each with SENT when @p ack. Returns how many. */
size_t ctu_due(libdbm_campaign_scheduler *s, ctu_log *log, const char *customer, int64_t now,
               int ack);
/* Steps the clock from @p from to @p to (inclusive) by @p step seconds. */
void ctu_run(libdbm_campaign_scheduler *s, ctu_log *log, int64_t from, int64_t to, int64_t step);
/* The logged actions of @p customer, as "stage@time" lines sorted by time,
 * compared with @p expected (the same format, '\n'-separated); prints both
 * and fails on a difference. */
void ctu_expect(const ctu_log *log, const libdbm_campaign *c, const char *customer,
                const char *expected);
/* "STAGE_NAME@YYYY-MM-DDTHH:MM" into buf. */
void ctu_entry(char *buf, size_t size, const char *stage, int64_t at);
/* The documented holdout rule, implemented independently: 1 when
 * @p id falls in the holdout of @p campaign. */
int ctu_holdout(const char *id, const char *campaign, const char *salt, double share);
void ctu_log_free(ctu_log *log);

#endif
