/* The calibration/holdout section of `dbmtool report`: mean actual vs
 * predicted holdout repeat purchases per calibration frequency (Fader,
 * Hardie & Lee 2005, figure 4). */
#include <math.h>
#include <stdlib.h>

#include "html.h"
#include "report.h"
#include "svg.h"

static void format_mean(char *buf, size_t size, double v)
{
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, size, "%.3f", v);
}

static void holdout_table(FILE *out, const libdbm_holdout *holdout, int32_t buckets,
                          char (*labels)[16])
{
    const char *headers[] = { "calibration repeat purchases", "customers",
                              "actual (mean)", "predicted (mean)" };
    int32_t b;
    dbmtool_html_table_begin(out, "Table: calibration vs holdout", headers, 4);
    for (b = 0; b < buckets; b++) {
        int64_t customers;
        double actual, predicted;
        char n[32], a[32], p[32];
        const char *cells[4];
        libdbm_holdout_bucket(holdout, &customers, &actual, &predicted, b);
        snprintf(n, sizeof(n), "%lld", (long long)customers);
        format_mean(a, sizeof(a), actual);
        format_mean(p, sizeof(p), predicted);
        cells[0] = labels[b];
        cells[1] = n;
        cells[2] = a;
        cells[3] = p;
        dbmtool_html_table_row(out, cells, 4);
    }
    dbmtool_html_table_end(out);
}

void dbmtool_report_holdout(FILE *out, const libdbm_holdout *holdout, int32_t buckets,
                            const char *unit_name, const char *why_missing)
{
    char (*labels)[16] = NULL;
    const char **label_ptrs = NULL;
    double *actual = NULL, *predicted = NULL;
    int32_t b;
    dbmtool_html_section(out, "holdout", "Calibration vs holdout purchases");
    if (holdout != NULL) {
        labels = malloc((size_t)buckets * sizeof(*labels));
        label_ptrs = malloc((size_t)buckets * sizeof(*label_ptrs));
        actual = malloc((size_t)buckets * sizeof(*actual));
        predicted = malloc((size_t)buckets * sizeof(*predicted));
    }
    if (holdout == NULL || labels == NULL || label_ptrs == NULL || actual == NULL ||
        predicted == NULL) {
        dbmtool_html_missing(out, holdout == NULL ? why_missing : "out of memory");
        goto done;
    }
    fprintf(out, "<p>Customers grouped by their repeat purchases in the calibration period; "
                 "for each group, the mean number of repeat purchase %ss in the holdout "
                 "period and the model's prediction. Close lines mean the model "
                 "forecasts well.</p>\n", unit_name);
    for (b = 0; b < buckets; b++) {
        snprintf(labels[b], sizeof(labels[b]), b == buckets - 1 ? "%d+" : "%d", (int)b);
        label_ptrs[b] = labels[b];
        libdbm_holdout_bucket(holdout, NULL, &actual[b], &predicted[b], b);
    }
    {
        const dbmtool_svg_series first = { "actual", actual };
        const dbmtool_svg_series second = { "predicted", predicted };
        dbmtool_svg_lines(out, "holdout", label_ptrs, (size_t)buckets, &first, &second,
                          "repeat purchases in the calibration period",
                          "mean holdout purchases");
    }
    holdout_table(out, holdout, buckets, labels);
done:
    dbmtool_html_section_end(out);
    free(labels);
    free(label_ptrs);
    free(actual);
    free(predicted);
}
