/* Helpers shared by the campaign tests (campaign_test_util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_test_util.h"
#include "check.h"

int64_t ctu_utc(int year, int month, int day, int hour, int minute)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + hour * 3600 + minute * 60;
}

char *ctu_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL) {
        fprintf(stderr, "skip: %s is missing\n", path);
        exit(77);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    CHECK(buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

libdbm_campaign *ctu_load(libdbm_context *ctx, const char *dir, const char *name)
{
    char path[1024];
    char *text;
    libdbm_campaign *c = NULL;
    int status;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    text = ctu_read(path);
    status = libdbm_campaign_parse(&c, ctx, text);
    if (status != LIBDBM_OK)
        fprintf(stderr, "%s: %s\n", path, libdbm_context_errmsg(ctx));
    CHECK_OK(status);
    free(text);
    return c;
}

libdbm_store *ctu_memory_store(libdbm_context *ctx)
{
    libdbm_store *s = NULL;
    CHECK_OK(libdbm_store_open(&s, ctx, NULL, NULL));
    return s;
}

size_t ctu_due(libdbm_campaign_scheduler *s, ctu_log *log, const char *customer, int64_t now,
               int ack)
{
    libdbm_campaign_actions *a = NULL;
    int64_t k, n;
    int status = customer ? libdbm_campaign_due_for(s, &a, customer, now)
                          : libdbm_campaign_due(s, &a, now);
    CHECK_OK(status);
    n = libdbm_campaign_actions_count(a);
    for (k = 0; k < n; k++) {
        const char *id, *cust;
        ctu_sent *e;
        if (log->n == log->cap) {
            log->cap = log->cap ? 2 * log->cap : 64;
            log->items = realloc(log->items, log->cap * sizeof(*log->items));
            CHECK(log->items != NULL);
        }
        e = &log->items[log->n++];
        CHECK_OK(libdbm_campaign_action_get(a, k, &id, &cust, &e->stage, NULL, NULL,
                                            &e->redelivery));
        CHECK(strlen(id) < sizeof(e->id) && strlen(cust) < sizeof(e->customer));
        strcpy(e->id, id);
        strcpy(e->customer, cust);
        e->at = now;
        if (ack)
            CHECK_OK(libdbm_campaign_record_outcome(s, id, LIBDBM_OUTCOME_SENT, now));
    }
    libdbm_campaign_actions_free(a);
    return (size_t)n;
}

void ctu_run(libdbm_campaign_scheduler *s, ctu_log *log, int64_t from, int64_t to, int64_t step)
{
    int64_t t;
    for (t = from; t <= to; t += step)
        ctu_due(s, log, NULL, t, 1);
}

void ctu_entry(char *buf, size_t size, const char *stage, int64_t at)
{
    int64_t days = at / 86400, secs = at % 86400;
    /* civil_from_days (Hinnant) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(buf, size, "%s@%04lld-%02lld-%02lldT%02lld:%02lld", stage, (long long)y, (long long)m,
             (long long)d, (long long)(secs / 3600), (long long)(secs % 3600 / 60));
}

static int by_time(const void *a, const void *b)
{
    const ctu_sent *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

void ctu_expect(const ctu_log *log, const libdbm_campaign *c, const char *customer,
                const char *expected)
{
    char got[4096] = "";
    ctu_sent *mine = malloc((log->n + 1) * sizeof(*mine));
    size_t n = 0, k;
    char *stage_text = NULL;
    CHECK(mine != NULL);
    CHECK_OK(libdbm_campaign_to_string(c, &stage_text));
    for (k = 0; k < log->n; k++)
        if (strcmp(log->items[k].customer, customer) == 0)
            mine[n++] = log->items[k];
    qsort(mine, n, sizeof(*mine), by_time);
    for (k = 0; k < n; k++) {
        /* The stage's name: the (stage+1)-th "\nstage NAME " of the text. */
        const char *p = stage_text;
        char name[64], line[128];
        int32_t i;
        for (i = 0; i <= mine[k].stage; i++) {
            p = strstr(p, "\nstage ");
            CHECK(p != NULL);
            p += 7;
        }
        sscanf(p, "%63s", name);
        ctu_entry(line, sizeof(line), name, mine[k].at);
        strncat(got, line, sizeof(got) - strlen(got) - 2);
        strcat(got, "\n");
    }
    libdbm_free_string(stage_text);
    free(mine);
    if (strcmp(got, expected) != 0) {
        fprintf(stderr, "customer %s:\n--- expected\n%s--- got\n%s", customer, expected, got);
        CHECK(!"the actions differ");
    }
}

/* docs/campaigns.md, "Holdout": FNV-1a 64 over id NUL name NUL salt NUL,
 * the splitmix64 finaliser, the top 53 bits as a fraction < share. */
int ctu_holdout(const char *id, const char *campaign, const char *salt, double share)
{
    const char *parts[3];
    uint64_t h = 14695981039346656037u;
    int k;
    parts[0] = id;
    parts[1] = campaign;
    parts[2] = salt;
    for (k = 0; k < 3; k++) {
        size_t i, n = strlen(parts[k]) + 1;
        for (i = 0; i < n; i++) {
            h ^= (unsigned char)parts[k][i];
            h *= 1099511628211u;
        }
    }
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;
    h ^= h >> 31;
    return (double)(h >> 11) / 9007199254740992.0 < share;
}

void ctu_log_free(ctu_log *log)
{
    free(log->items);
    memset(log, 0, sizeof(*log));
}
