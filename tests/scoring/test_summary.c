/* The per-customer summary against lifetimes' published CDNOW summaries
 * (all 2,357 customers, every column), the exact half-up formatter, and the
 * holdout facts of /work/shared/data/README.md.
 * Usage: test-scoring-summary DATA_DIR (exit 77 = skipped without data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdnow_load.h"
#include "check.h"
#include "summary.h"

static void check_format(int64_t num, int64_t den, int decimals, const char *want)
{
    char buf[64];
    int len = dbmi_format_ratio(buf, sizeof(buf), num, den, decimals);
    if (len < 0 || strcmp(buf, want) != 0) {
        fprintf(stderr, "format %lld/%lld (%d): got '%s', want '%s'\n",
                (long long)num, (long long)den, decimals, len < 0 ? "(error)" : buf,
                want);
        CHECK(0);
    }
    CHECK((size_t)len == strlen(want));
}

static void test_formatter(void)
{
    char small[5];
    check_format(4469, 200, 2, "22.35");      /* (29.73+14.96)/2 = 22.345 */
    check_format(5605, 200, 2, "28.03");      /* 28.025 */
    check_format(-4469, 200, 2, "-22.35");    /* half away from zero */
    check_format(99949, 10000, 2, "9.99");
    check_format(99950, 10000, 2, "10.00");   /* carry into the integer part */
    check_format(272, 7, 2, "38.86");
    check_format(213, 7, 2, "30.43");
    check_format(0, 7, 2, "0.00");
    check_format(-1, 1000, 2, "0.00");        /* no "-0.00" */
    check_format(-5, 1000, 2, "-0.01");
    check_format(5, 10, 0, "1");
    check_format(4, 10, 0, "0");
    check_format(1, 3, 6, "0.333333");
    check_format(2, 3, 6, "0.666667");
    check_format(INT64_MAX, 1, 2, "9223372036854775807.00");
    check_format(INT64_MIN, 1, 0, "-9223372036854775808");
    check_format(INT64_MAX, INT64_MAX / 10, 18, "10.000000000000000008");
    CHECK(dbmi_format_ratio(small, sizeof(small), 12345, 1, 0) == -1);
    CHECK(dbmi_format_ratio(small, sizeof(small), 1234, 1, 0) == 4);
    CHECK(dbmi_format_ratio(small, sizeof(small), 1, 0, 2) == -1);
    CHECK(dbmi_format_ratio(small, sizeof(small), 1, -3, 2) == -1);
    CHECK(dbmi_format_ratio(small, sizeof(small), 1, 3, 19) == -1);
}

static void test_edge_cases(void)
{
    dbmi_purchase_day days[3] = {{100, 1, 500}, {103, 2, 700}, {110, 1, 1000}};
    dbmi_summary s;
    char row[128];
    CHECK(dbmi_summarize(&s, days, 0, 200, 1) == 0);
    CHECK(dbmi_summarize(&s, days, 3, 99, 1) == 0);          /* first after end */
    CHECK(dbmi_summarize(&s, days, 3, 100, 1) == 1);         /* first == end */
    CHECK(s.x == 0 && s.t_x == 0.0 && s.T == 0.0 && dbmi_summary_monetary(&s, 100) == 0.0);
    CHECK(dbmi_summarize(&s, days, 3, 105, 7) == 1);         /* third day after end */
    CHECK(s.x == 1 && s.repeat_amount_minor == 700);
    CHECK(s.t_x == 3.0 / 7 && s.T == 5.0 / 7);
    CHECK(dbmi_summary_monetary(&s, 100) == 7.0);
    CHECK(dbmi_summarize(&s, days, 3, 110, 1) == 1);
    CHECK(s.x == 2 && s.t_x == 10.0 && s.T == 10.0 && s.repeat_amount_minor == 1700);
    CHECK(dbmi_summary_format_row(row, sizeof(row), "c1", &s, 100, 2) > 0);
    CHECK(strcmp(row, "c1,2,10.00,10.00,8.50") == 0);
    CHECK(dbmi_summary_format_row(row, 10, "c1", &s, 100, 2) == -1);
    CHECK(dbmi_holdout_count(days, 3, 101, 110) == 2);
    CHECK(dbmi_holdout_count(days, 3, 100, 100) == 1);
    CHECK(dbmi_repeat_count(days, 3, 100, 110) == 2);
    CHECK(dbmi_repeat_count(days, 3, 104, 200) == 1);
}

/* Reads a summary CSV (header skipped) into rows[id][0..cols-1]. */
static void read_csv(const char *path, int cols, double (*rows)[5])
{
    char line[256];
    int count = 0;
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    CHECK(fgets(line, sizeof(line), f) != NULL);
    while (fgets(line, sizeof(line), f) != NULL) {
        double v[5] = {0};
        int id, got;
        if (cols == 4)
            got = sscanf(line, "%d,%lf,%lf,%lf", &id, &v[0], &v[1], &v[2]);
        else
            got = sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &v[0], &v[1], &v[2], &v[3]);
        CHECK(got == cols);
        CHECK(id >= 1 && id <= CDNOW_CUSTOMERS);
        memcpy(rows[id], v, sizeof(v));
        count++;
    }
    fclose(f);
    CHECK(count == CDNOW_CUSTOMERS);
}

static int differs(double got, double want)
{
    return got != want;
}

static void test_cdnow(const char *dir)
{
    static cdnow_sample sample;
    static double plain[CDNOW_CUSTOMERS + 1][5], with_tx[CDNOW_CUSTOMERS + 1][5];
    char path[4096], row[256];
    int32_t end = cdnow_days_from_civil(1997, 9, 30);
    int32_t start = cdnow_days_from_civil(1997, 1, 1);
    int64_t x_total = 0, with_repeat = 0, holdout_total = 0;
    int64_t cumulative[78];   /* [k] = repeat days in week indexes 0..k */
    int id, k, mismatches = 0, bad_money_by_double = 0;

    CHECK(cdnow_load(&sample, dir) == 0);
    CHECK(sample.lines == 6919);
    snprintf(path, sizeof(path), "%s/cdnow_customers_summary.csv", dir);
    read_csv(path, 4, plain);
    snprintf(path, sizeof(path), "%s/cdnow_customers_summary_with_transactions.csv", dir);
    read_csv(path, 5, with_tx);

    memset(cumulative, 0, sizeof(cumulative));
    for (id = 1; id <= CDNOW_CUSTOMERS; id++) {
        const cdnow_customer *c = &sample.customers[id];
        dbmi_summary s;
        char idtext[16];
        double f_x, f_tx, f_T, f_m, unrounded_m;
        CHECK(c->n > 0);
        CHECK(dbmi_summarize(&s, c->days, c->n, end, DBMI_UNIT_WEEK) == 1);
        snprintf(idtext, sizeof(idtext), "%d", id);
        CHECK(dbmi_summary_format_row(row, sizeof(row), idtext, &s, 100, 2) > 0);
        CHECK(sscanf(row, "%*d,%lf,%lf,%lf,%lf", &f_x, &f_tx, &f_T, &f_m) == 4);
        if (differs(f_x, with_tx[id][0]) || differs(f_tx, with_tx[id][1])
            || differs(f_T, with_tx[id][2]) || differs(f_m, with_tx[id][3])
            || differs(f_x, plain[id][0]) || differs(f_tx, plain[id][1])
            || differs(f_T, plain[id][2])) {
            if (mismatches++ < 10)
                fprintf(stderr, "customer %d: got %s, published %g,%g,%g,%g\n", id,
                        row, with_tx[id][0], with_tx[id][1], with_tx[id][2],
                        with_tx[id][3]);
        }
        /* The unrounded values are within half a cent / half a hundredth. */
        unrounded_m = dbmi_summary_monetary(&s, 100);
        CHECK(s.x == (int64_t)with_tx[id][0]);
        CHECK(s.t_x - with_tx[id][1] <= 0.005 + 1e-12 && with_tx[id][1] - s.t_x <= 0.005 + 1e-12);
        CHECK(s.T - with_tx[id][2] <= 0.005 + 1e-12 && with_tx[id][2] - s.T <= 0.005 + 1e-12);
        CHECK(unrounded_m - with_tx[id][3] <= 0.005 + 1e-9 && with_tx[id][3] - unrounded_m <= 0.005 + 1e-9);
        /* How many a binary-double round() would get wrong (README: 69). */
        {
            char naive[32];
            double rounded_naive;
            snprintf(naive, sizeof(naive), "%.2f", unrounded_m);
            rounded_naive = strtod(naive, NULL);
            if (rounded_naive != with_tx[id][3])
                bad_money_by_double++;
        }
        x_total += s.x;
        with_repeat += s.x > 0;
        holdout_total += dbmi_holdout_count(c->days, c->n, end + 1,
                                            cdnow_days_from_civil(1998, 6, 30));
        for (k = 0; k < 78; k++)
            cumulative[k] += dbmi_repeat_count(c->days, c->n, start, start + 7 * (k + 1) - 1);
    }
    if (mismatches > 0)
        fprintf(stderr, "%d customers differ from the published summaries\n", mismatches);
    CHECK(mismatches == 0);
    CHECK(x_total == 2457);
    CHECK(with_repeat == 946);
    CHECK(holdout_total == 1882);
    CHECK(cumulative[0] == 0 && cumulative[1] == 19 && cumulative[2] == 42
          && cumulative[3] == 81 && cumulative[4] == 119 && cumulative[5] == 192
          && cumulative[6] == 261 && cumulative[7] == 351 && cumulative[8] == 428
          && cumulative[9] == 504);
    CHECK(cumulative[77] == 4339);      /* the 78th week */
    printf("cdnow: 2357 customers match both published summaries; "
           "x total %lld, holdout %lld, cumulative week 78 %lld; "
           "printf-%%.2f rounding would differ in %d customers\n",
           (long long)x_total, (long long)holdout_total, (long long)cumulative[77],
           bad_money_by_double);
    CHECK(bad_money_by_double > 0);  /* the exact rule is what makes it match */
    cdnow_free(&sample);
}

int main(int argc, char **argv)
{
    char path[4096];
    FILE *probe;
    test_formatter();
    test_edge_cases();
    if (argc < 2) {
        printf("SKIP: no data directory argument\n");
        return 77;
    }
    snprintf(path, sizeof(path), "%s/cdnow_sample.txt", argv[1]);
    probe = fopen(path, "rb");
    if (probe == NULL) {
        printf("SKIP: CDNOW data not found at %s\n", path);
        return 77;
    }
    fclose(probe);
    test_cdnow(argv[1]);
    puts("scoring-summary: ok");
    return 0;
}
