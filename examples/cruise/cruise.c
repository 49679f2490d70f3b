/* The cruise couple (the brief's story): after one cruise, a couple got
 * mail two or three times a week for five years, $500-750 of brochures
 * eating the profit of that cruise. This program replays those five years
 * of requests through a contact policy (cruise.policy) and prints what was
 * actually sent and what it cost.
 *
 * The marketing calendar: a brochure every Monday and Thursday and, every
 * other week, a Saturday special (2.5 pieces a week); a newsletter email
 * every Tuesday. A deferred piece is sent at the moment the policy names if
 * that comes before the next piece of its kind, else the next one replaces
 * it. The couple opens nothing, except one email click in spring 2021.
 * Usage: example-cruise POLICY_FILE. Exits 1 if a cap was ever exceeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdbm.h>

#define DAY 86400
#define WEEK (7 * DAY)
#define START 1546261200LL      /* Monday 2018-12-31 13:00 UTC, 08:00 in New York */
#define WEEKS (5 * 52)
#define COST_PER_PIECE 1.00     /* print and postage of a brochure, USD */
#define CLICK_AT 1618318800LL   /* 2021-04-13 13:00 UTC, a Tuesday */

typedef struct tally {
    int requested, sent, deferred_then_sent, replaced, denied;
} tally;

static void die(libdbm_context *ctx, int status, const char *what)
{
    fprintf(stderr, "cruise: %s: %s (%s)\n", what, libdbm_strerror(status),
            libdbm_context_errmsg(ctx));
    exit(2);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = malloc(65536);
    size_t n;
    if (f == NULL || text == NULL) {
        fprintf(stderr, "cruise: cannot read %s\n", path);
        exit(2);
    }
    n = fread(text, 1, 65535, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* One piece of mail or email planned for @p at; @p next is when the next
 * piece of its kind is planned. */
static void send(libdbm_context *ctx, libdbm_store *store, const libdbm_policy *policy,
                 libdbm_policy_answer *answer, const char *channel, int64_t at, int64_t next,
                 tally *t)
{
    libdbm_policy_request r = LIBDBM_POLICY_REQUEST_INIT;
    int status;
    r.customer_id = "couple";
    r.channel = channel;
    r.campaign = strcmp(channel, "email") == 0 ? "newsletter" : "brochure";
    r.time = at;
    t->requested++;
    if ((status = libdbm_policy_check_and_record(policy, answer, store, &r)) != LIBDBM_OK)
        die(ctx, status, "check");
    if (libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_DEFER &&
        libdbm_policy_answer_until(answer) < next) {
        r.time = libdbm_policy_answer_until(answer);
        if ((status = libdbm_policy_check_and_record(policy, answer, store, &r)) != LIBDBM_OK)
            die(ctx, status, "check");
        t->deferred_then_sent += libdbm_policy_answer_recorded(answer);
    }
    if (libdbm_policy_answer_recorded(answer))
        t->sent++;
    else if (libdbm_policy_answer_verdict(answer) == LIBDBM_POLICY_DENY)
        t->denied++;
    else
        t->replaced++;
}

/* The brochure days of week w: Monday, Thursday, and Saturday every other
 * week (as offsets from Monday). */
static int brochure_days(int w, int64_t *offsets)
{
    offsets[0] = 0;
    offsets[1] = 3 * DAY;
    offsets[2] = 5 * DAY;
    return w % 2 ? 3 : 2;
}

/* The most contacts in any window of @p span seconds on @p channel (NULL:
 * all channels), from the store's own history. */
static int64_t busiest(libdbm_store *store, const char *channel, int64_t span)
{
    int64_t most = 0;
    for (int64_t from = START - span; from < START + (int64_t)WEEKS * WEEK; from += 3600) {
        int64_t n = 0;
        libdbm_store_contact_count(store, &n, "couple", channel, LIBDBM_OUTCOME_SENT, from,
                                   from + span);
        most = n > most ? n : most;
    }
    return most;
}

int main(int argc, char **argv)
{
    libdbm_context *ctx;
    libdbm_store *store;
    libdbm_policy *policy;
    libdbm_policy_answer *answer;
    tally mail = { 0, 0, 0, 0, 0 }, email = { 0, 0, 0, 0, 0 };
    char *text;
    int status, failed = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: example-cruise POLICY_FILE\n");
        return 1;
    }
    text = read_file(argv[1]);
    if ((status = libdbm_context_new(&ctx, NULL)) != LIBDBM_OK)
        return 2;
    if ((status = libdbm_policy_parse(&policy, ctx, text)) != LIBDBM_OK)
        die(ctx, status, argv[1]);
    free(text);
    if ((status = libdbm_store_open(&store, ctx, NULL, NULL)) != LIBDBM_OK ||
        (status = libdbm_policy_answer_new(&answer, ctx)) != LIBDBM_OK)
        die(ctx, status, "setup");
    /* The couple after their cruise: a postal address and an email, both
     * with marketing consent from the booking form. */
    libdbm_store_channel_set_address(store, "couple", "direct_mail", "1 Harbour Rd, Miami FL",
                                     START);
    libdbm_store_channel_set_address(store, "couple", "email", "couple@example.com", START);
    libdbm_store_consent_record(store, "couple", "direct_mail", NULL, LIBDBM_CONSENT_GRANTED,
                                START - WEEK, "booking", "2018-terms");
    libdbm_store_consent_record(store, "couple", "email", NULL, LIBDBM_CONSENT_GRANTED,
                                START - WEEK, "booking", "2018-terms");

    for (int w = 0; w < WEEKS; w++) {
        int64_t monday = START + (int64_t)w * WEEK, offsets[3];
        int n = brochure_days(w, offsets);
        if (monday <= CLICK_AT && CLICK_AT < monday + WEEK)
            libdbm_store_contact_add(store, "couple", CLICK_AT, "email", "newsletter", 0,
                                     LIBDBM_OUTCOME_CLICKED);
        for (int i = 0; i < n; i++) {
            int64_t next = i + 1 < n ? monday + offsets[i + 1] : monday + WEEK;
            send(ctx, store, policy, answer, "direct_mail", monday + offsets[i], next, &mail);
        }
        send(ctx, store, policy, answer, "email", monday + DAY, monday + WEEK + DAY, &email);
    }

    printf("Five years of the cruise line's marketing calendar, through the policy:\n");
    printf("  brochures: %d planned, %d sent (%d of them after a defer), %d replaced by the "
           "next one, %d refused\n", mail.requested, mail.sent, mail.deferred_then_sent,
           mail.replaced, mail.denied);
    printf("  emails:    %d planned, %d sent (%d of them after a defer), %d replaced, "
           "%d refused\n", email.requested, email.sent, email.deferred_then_sent, email.replaced,
           email.denied);
    printf("  brochure cost at $%.2f a piece: $%.2f without the policy, $%.2f with it; "
           "saved $%.2f\n", COST_PER_PIECE, mail.requested * COST_PER_PIECE,
           mail.sent * COST_PER_PIECE, (mail.requested - mail.sent) * COST_PER_PIECE);

    /* The caps held, measured on the recorded history itself. */
    if (busiest(store, "direct_mail", 30 * DAY) > 1 || busiest(store, "email", WEEK) > 2 ||
        busiest(store, NULL, WEEK) > 3) {
        fprintf(stderr, "cruise: a cap was exceeded\n");
        failed = 1;
    }
    /* Three unanswered brochures a month apart, then half a year of rest:
     * at most 3 in any 240 days, about 23 in five years. */
    if (mail.sent == 0 || mail.sent > 3 * (WEEKS * 7 / 240 + 1)) {
        fprintf(stderr, "cruise: %d brochures sent: the policy did not do its job\n", mail.sent);
        failed = 1;
    }
    libdbm_policy_answer_free(answer);
    libdbm_store_close(store);
    libdbm_policy_free(policy);
    libdbm_context_free(ctx);
    return failed;
}
