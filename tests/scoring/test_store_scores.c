/* libdbm_summary and libdbm_scores over a store, through the public API:
 * hand-computed summaries, scores consistent with the per-customer model
 * functions, write-back onto profiles, errors, and the allocation sweep. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "failalloc.h"

#define DAY 86400
/* 1997-01-01T00:00:00Z */
#define D0 ((int64_t)852076800)

static const double bgnbd_params[4] = { 0.243, 4.414, 0.793, 2.426 };
static const double gg_params[3] = { 6.25, 3.74, 15.44 };

static int add(libdbm_store *st, const char *id, int64_t day, int64_t cents)
{
    int added;
    return libdbm_store_purchase_add_minor(st, &added, id, D0 + day * DAY + 3600, cents, NULL);
}

/* a: purchases on days 0, 7 (twice), 21; b: day 14 only; c: after the as-of
 * day; d: a refund only. As of day 28. */
static int fill_store(libdbm_store *st)
{
    int status;
    if ((status = add(st, "a", 0, 1000)) || (status = add(st, "a", 7, 250)) ||
        (status = add(st, "a", 7, 500)) || (status = add(st, "a", 21, 1251)) ||
        (status = add(st, "b", 14, 4000)) || (status = add(st, "c", 29, 100)) ||
        (status = add(st, "d", 3, -500)))
        return status;
    return LIBDBM_OK;
}

static void test_summary_values(libdbm_store *st)
{
    libdbm_summary *s;
    const char *id;
    double x, t_x, T, m_x;
    int64_t count;
    char line[256];
    CHECK_OK(libdbm_summary_new(&s, st, D0 + 28 * DAY + 100, LIBDBM_UNIT_WEEK));
    CHECK_OK(libdbm_summary_count(s, &count));
    CHECK(count == 2); /* c starts after the as-of day, d never bought */
    CHECK_OK(libdbm_summary_get(s, &id, &x, &t_x, &T, &m_x, 0));
    CHECK(strcmp(id, "a") == 0 && x == 2 && t_x == 3 && T == 4);
    CHECK(m_x == 2001.0 / 200.0); /* (7.50 + 12.51) / 2 from exact cents */
    CHECK_OK(libdbm_summary_format_row(s, line, sizeof(line), 0, 2));
    CHECK(strcmp(line, "a,2,3.00,4.00,10.01") == 0); /* 10.005 rounds half up */
    CHECK_OK(libdbm_summary_get(s, &id, &x, &t_x, &T, &m_x, 1));
    CHECK(strcmp(id, "b") == 0 && x == 0 && t_x == 0 && T == 2 && m_x == 0);
    CHECK_STATUS(libdbm_summary_get(s, NULL, NULL, NULL, NULL, NULL, 2), LIBDBM_ERANGE);
    CHECK_STATUS(libdbm_summary_format_row(s, line, 8, 0, 2), LIBDBM_ERANGE);
    libdbm_summary_free(s);

    /* Days as the unit; the as-of day itself is included. */
    CHECK_OK(libdbm_summary_new(&s, st, D0 + 21 * DAY, LIBDBM_UNIT_DAY));
    CHECK_OK(libdbm_summary_get(s, &id, &x, &t_x, &T, &m_x, 0));
    CHECK(x == 2 && t_x == 21 && T == 21);
    libdbm_summary_free(s);
    CHECK_STATUS(libdbm_summary_new(&s, st, D0, 3), LIBDBM_EINVAL);
    CHECK(s == NULL);
}

static void new_model(libdbm_context *ctx, libdbm_model **m, int kind, const double *p,
                      int32_t n)
{
    CHECK_OK(libdbm_model_new(m, ctx, kind));
    CHECK_OK(libdbm_model_set_params(*m, p, n));
}

static void test_scores(libdbm_context *ctx, libdbm_store *st)
{
    libdbm_model *bg, *gg;
    libdbm_scores *scores;
    libdbm_score_options options = LIBDBM_SCORE_OPTIONS_INIT;
    const char *id, *segment;
    int32_t r, f, m;
    double p, ey, es, clv, want, recency, frequency, monetary, stored;
    char *text;
    int64_t rfm_r;
    int64_t as_of = D0 + 28 * DAY;

    new_model(ctx, &bg, LIBDBM_MODEL_BGNBD, bgnbd_params, 4);
    new_model(ctx, &gg, LIBDBM_MODEL_GAMMA_GAMMA, gg_params, 3);
    CHECK_OK(libdbm_scores_compute(&scores, st, as_of, bg, gg, NULL, NULL, NULL, &options));
    CHECK_OK(libdbm_scores_get(scores, &id, &segment, &r, &f, &m, &p, &ey, &es, &clv, 0));
    CHECK(strcmp(id, "a") == 0);
    /* a is the more recent, more frequent customer of the two. */
    CHECK(r > 1 && f > 1);
    CHECK_OK(libdbm_scores_get_rfm_values(scores, &recency, &frequency, &monetary, 0));
    CHECK(recency == 7 && frequency == 3 && monetary == 30.01);
    /* The bulk path (libdbm_model_predict_arrays) against the scalar
     * reference functions: 1e-12 relative; expected spend bitwise. */
    CHECK_OK(libdbm_model_p_alive(bg, &want, 2, 3, 4));
    CHECK(fabs(p - want) <= 1e-12 * want);
    CHECK_OK(libdbm_model_expected_purchases(bg, &want, 52, 2, 3, 4));
    CHECK(fabs(ey - want) <= 1e-12 * want);
    CHECK_OK(libdbm_model_expected_spend(gg, &want, 2, 2001.0 / 200.0));
    CHECK(es == want);
    CHECK_OK(libdbm_model_clv(bg, gg, &want, 2, 3, 4, 2001.0 / 200.0, 12, 0.01, 1.0,
                              365.25 / 12 / 7));
    CHECK(fabs(clv - want) <= 1e-12 * want && clv > 0);

    /* Written back, the scores are attributes segments can read. */
    CHECK_OK(libdbm_scores_write_back(scores, st));
    CHECK_OK(libdbm_store_attr_get_string(st, &text, "a", "rfm.segment"));
    CHECK(strcmp(text, segment) == 0);
    libdbm_free_string(text);
    CHECK_OK(libdbm_store_attr_get_int64(st, &rfm_r, "a", "rfm.r"));
    CHECK(rfm_r == r);
    CHECK_OK(libdbm_store_attr_get_double(st, &stored, "a", "p_alive"));
    CHECK(stored == p);
    CHECK_STATUS(libdbm_store_attr_get_double(st, &stored, "c", "p_alive"), LIBDBM_ENOTFOUND);
    libdbm_scores_free(scores);

    /* Without models the predictions are NaN and print as empty fields. */
    CHECK_OK(libdbm_scores_compute(&scores, st, as_of, NULL, NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(libdbm_scores_get(scores, NULL, NULL, NULL, NULL, NULL, &p, NULL, &es, &clv, 1));
    CHECK(isnan(p) && isnan(es) && isnan(clv));
    {
        char line[512];
        size_t len;
        CHECK_OK(libdbm_scores_format_row(scores, line, sizeof(line), 1));
        len = strlen(line);
        CHECK(len > 4 && strcmp(line + len - 4, ",,,,") == 0);
        CHECK(strncmp(line, "b,14,1,40,", 10) == 0);
    }
    libdbm_scores_free(scores);

    /* Model kinds are checked. */
    CHECK_STATUS(libdbm_scores_compute(&scores, st, as_of, gg, NULL, NULL, NULL, NULL, NULL),
                 LIBDBM_EINVAL);
    CHECK_STATUS(libdbm_scores_compute(&scores, st, as_of, bg, bg, NULL, NULL, NULL, NULL),
                 LIBDBM_EINVAL);
    options.threads = 0;
    CHECK_STATUS(libdbm_scores_compute(&scores, st, as_of, bg, gg, NULL, NULL, NULL, &options),
                 LIBDBM_EINVAL);
    libdbm_model_free(bg);
    libdbm_model_free(gg);
}

/* The whole path, for the allocation-failure sweep. */
static int scenario(const libdbm_context_options *options, void *user_data)
{
    libdbm_context *ctx = NULL;
    libdbm_store *st = NULL;
    libdbm_model *bg = NULL, *gg = NULL;
    libdbm_summary *summary = NULL;
    libdbm_scores *scores = NULL;
    int64_t as_of = D0 + 28 * DAY;
    int status;
    (void)user_data;
    if ((status = libdbm_context_new(&ctx, options)) != LIBDBM_OK)
        return status;
    if ((status = libdbm_store_open(&st, ctx, NULL, NULL)) == LIBDBM_OK &&
        (status = fill_store(st)) == LIBDBM_OK &&
        (status = libdbm_model_new(&bg, ctx, LIBDBM_MODEL_BGNBD)) == LIBDBM_OK &&
        (status = libdbm_model_set_params(bg, bgnbd_params, 4)) == LIBDBM_OK &&
        (status = libdbm_model_new(&gg, ctx, LIBDBM_MODEL_GAMMA_GAMMA)) == LIBDBM_OK &&
        (status = libdbm_model_set_params(gg, gg_params, 3)) == LIBDBM_OK &&
        (status = libdbm_summary_new(&summary, st, as_of, LIBDBM_UNIT_WEEK)) == LIBDBM_OK &&
        (status = libdbm_scores_compute(&scores, st, as_of, bg, gg, NULL, NULL, NULL,
                                        NULL)) == LIBDBM_OK)
        status = libdbm_scores_write_back(scores, st);
    libdbm_scores_free(scores);
    libdbm_summary_free(summary);
    libdbm_model_free(gg);
    libdbm_model_free(bg);
    libdbm_store_close(st);
    libdbm_context_free(ctx);
    return status;
}

/* A store of 70,000 customers (enough for threads and for the RFM fit's
 * histogram path): the same rows for 1 and 3 threads; every row's segment
 * is its (r, f, m)'s under the table; the model columns within 1e-12 of
 * the scalar functions on the row's summary. */
static void test_many_customers(libdbm_context *ctx)
{
    enum { N = 70000 };
    libdbm_store *st;
    libdbm_model *bg, *gg;
    libdbm_rfm_segments *table;
    libdbm_summary *summary;
    libdbm_scores *one, *three;
    libdbm_score_options options = LIBDBM_SCORE_OPTIONS_INIT;
    int64_t as_of = D0 + 400 * DAY, count;
    uint32_t seed = 12345;
    char id[32], line1[512], line3[512];
    CHECK_OK(libdbm_store_open(&st, ctx, NULL, NULL));
    CHECK_OK(libdbm_store_begin(st));
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "c%d", i);
        for (int k = 0; k <= i % 6; k++) {
            seed = seed * 1103515245u + 12345u;
            CHECK_OK(add(st, id, (int64_t)(seed >> 8) % 400, 500 + (int64_t)(seed >> 20) % 9000));
        }
    }
    CHECK_OK(libdbm_store_commit(st));
    new_model(ctx, &bg, LIBDBM_MODEL_BGNBD, bgnbd_params, 4);
    new_model(ctx, &gg, LIBDBM_MODEL_GAMMA_GAMMA, gg_params, 3);
    CHECK_OK(libdbm_rfm_segments_new_default(&table, ctx));
    CHECK_OK(libdbm_summary_new(&summary, st, as_of, LIBDBM_UNIT_WEEK));
    CHECK_OK(libdbm_scores_compute(&one, st, as_of, bg, gg, NULL, NULL, NULL, &options));
    options.threads = 3;
    CHECK_OK(libdbm_scores_compute(&three, st, as_of, bg, gg, NULL, NULL, NULL, &options));
    CHECK_OK(libdbm_scores_count(one, &count));
    CHECK(count == N);
    for (int64_t i = 0; i < count; i++) {
        const char *segment, *want_segment;
        int32_t r, f, m, rule;
        double p, ey, es, clv, want, x, t_x, T, m_x;
        CHECK_OK(libdbm_scores_format_row(one, line1, sizeof(line1), i));
        CHECK_OK(libdbm_scores_format_row(three, line3, sizeof(line3), i));
        CHECK(strcmp(line1, line3) == 0);
        CHECK_OK(libdbm_scores_get(one, NULL, &segment, &r, &f, &m, &p, &ey, &es, &clv, i));
        CHECK_OK(libdbm_rfm_segments_classify(table, &want_segment, &rule, r, f, m));
        CHECK(strcmp(segment, want_segment) == 0);
        if (i % 97 != 0)
            continue;
        CHECK_OK(libdbm_summary_get(summary, NULL, &x, &t_x, &T, &m_x, i));
        CHECK_OK(libdbm_model_p_alive(bg, &want, x, t_x, T));
        CHECK(fabs(p - want) <= 1e-12 * want);
        CHECK_OK(libdbm_model_expected_purchases(bg, &want, 52, x, t_x, T));
        CHECK(fabs(ey - want) <= 1e-12 * want);
        CHECK_OK(libdbm_model_expected_spend(gg, &want, x, m_x));
        CHECK(es == want);
        CHECK_OK(libdbm_model_clv(bg, gg, &want, x, t_x, T, m_x, 12, 0.01, 1.0,
                                  365.25 / 12 / 7));
        CHECK(fabs(clv - want) <= 1e-12 * want);
    }
    libdbm_scores_free(one);
    libdbm_scores_free(three);
    libdbm_summary_free(summary);
    libdbm_rfm_segments_free(table);
    libdbm_model_free(bg);
    libdbm_model_free(gg);
    CHECK_OK(libdbm_store_close(st));
}

int main(void)
{
    libdbm_context *ctx;
    libdbm_store *st;
    CHECK_OK(libdbm_context_new(&ctx, NULL));
    CHECK_OK(libdbm_store_open(&st, ctx, NULL, NULL));
    CHECK_OK(fill_store(st));
    test_summary_values(st);
    test_scores(ctx, st);
    CHECK_OK(libdbm_store_close(st));
    test_many_customers(ctx);
    libdbm_context_free(ctx);
    failalloc_sweep_or_die("store summary and scores", scenario, NULL, 100000);
    puts("scoring-store-scores: ok");
    return 0;
}
