/* The sections of `dbmtool report` drawn from the score rows: the R x F
 * grid, the RFM segment sizes, the P(alive) histogram and the customers
 * with the highest CLV. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report.h"
#include "svg.h"

#define PALIVE_BINS 10
#define TOP_CUSTOMERS 10

/* One named segment and its size. */
typedef struct segment_size {
    const char *name;
    int64_t customers;
} segment_size;

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_size(const void *a, const void *b)
{
    const segment_size *x = a, *y = b;
    if (x->customers != y->customers)
        return x->customers > y->customers ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void rfm_grid_section(FILE *out, const libdbm_scores *scores, int64_t count,
                             size_t bins, double *counts, double *means)
{
    char row_names[LIBDBM_RFM_MAX_BINS][16], col_names[LIBDBM_RFM_MAX_BINS][16];
    const char *rows[LIBDBM_RFM_MAX_BINS], *cols[LIBDBM_RFM_MAX_BINS];
    const char *headers[] = { "R score", "F score", "customers", "mean monetary" };
    size_t r, c;
    int64_t i;
    for (i = 0; i < count; i++) {
        int32_t rs, fs;
        double monetary;
        libdbm_scores_get(scores, NULL, NULL, &rs, &fs, NULL, NULL, NULL, NULL, NULL, i);
        libdbm_scores_get_rfm_values(scores, NULL, NULL, &monetary, i);
        if (rs < 1 || fs < 1 || (size_t)rs > bins || (size_t)fs > bins)
            continue;
        /* rows run from the best recency score down, as analysts read it */
        r = bins - (size_t)rs;
        c = (size_t)fs - 1;
        counts[r * bins + c] += 1.0;
        means[r * bins + c] += monetary;
    }
    for (r = 0; r < bins * bins; r++)
        means[r] = counts[r] > 0.0 ? means[r] / counts[r] : NAN;
    for (r = 0; r < bins; r++) {
        snprintf(row_names[r], sizeof(row_names[r]), "R %d", (int)(bins - r));
        snprintf(col_names[r], sizeof(col_names[r]), "F %d", (int)(r + 1));
        rows[r] = row_names[r];
        cols[r] = col_names[r];
    }
    dbmtool_html_section(out, "rfm-grid", "Recency \xC3\x97 frequency");
    fputs("<p>Customers per pair of recency and frequency scores (5 = most recent, most "
          "frequent); each cell also shows the mean monetary value.</p>\n", out);
    dbmtool_svg_heatmap(out, "rfm-grid", rows, cols, counts, means, bins, bins,
                        "recency score", "frequency score");
    dbmtool_html_table_begin(out, "Table: R \xC3\x97 F grid", headers, 4);
    for (r = 0; r < bins; r++)
        for (c = 0; c < bins; c++) {
            char n[32], m[32];
            const char *cells[4];
            snprintf(n, sizeof(n), "%.0f", counts[r * bins + c]);
            snprintf(m, sizeof(m), "%.2f", means[r * bins + c]);
            cells[0] = rows[r] + 2;
            cells[1] = cols[c] + 2;
            cells[2] = n;
            cells[3] = isnan(means[r * bins + c]) ? "" : m;
            dbmtool_html_table_row(out, cells, 4);
        }
    dbmtool_html_table_end(out);
    dbmtool_html_section_end(out);
}

/* Groups the rows by segment name: sorting the names makes it O(n log n)
 * whatever the number of segments of a custom rule table. */
static segment_size *count_segments(const libdbm_scores *scores, int64_t count, size_t *groups)
{
    const char **names = malloc((size_t)count * sizeof(*names) + 1);
    segment_size *sizes = malloc((size_t)count * sizeof(*sizes) + 1);
    size_t n = 0;
    int64_t i;
    if (names == NULL || sizes == NULL) {
        free(names);
        free(sizes);
        return NULL;
    }
    for (i = 0; i < count; i++)
        libdbm_scores_get(scores, NULL, &names[i], NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                          i);
    qsort(names, (size_t)count, sizeof(*names), by_name);
    for (i = 0; i < count; i++) {
        if (n == 0 || strcmp(sizes[n - 1].name, names[i]) != 0) {
            sizes[n].name = names[i];
            sizes[n++].customers = 0;
        }
        sizes[n - 1].customers++;
    }
    free(names);
    qsort(sizes, n, sizeof(*sizes), by_size);
    *groups = n;
    return sizes;
}

static int segments_section(FILE *out, const libdbm_scores *scores, int64_t count)
{
    const char *headers[] = { "segment", "customers", "share" };
    dbmtool_svg_bar *bars;
    char (*texts)[48];
    size_t n, i;
    segment_size *sizes = count_segments(scores, count, &n);
    if (sizes == NULL)
        return -1;
    bars = malloc(n * sizeof(*bars) + 1);
    texts = malloc(n * sizeof(*texts) + 1);
    if (bars == NULL || texts == NULL) {
        free(bars);
        free(texts);
        free(sizes);
        return -1;
    }
    dbmtool_html_section(out, "segments", "RFM segment sizes");
    fputs("<p>Customers per named RFM segment (first matching rule of the segment table).</p>\n",
          out);
    for (i = 0; i < n; i++) {
        snprintf(texts[i], sizeof(texts[i]), "%lld (%.1f%%)", (long long)sizes[i].customers,
                 100.0 * (double)sizes[i].customers / (double)count);
        bars[i].label = sizes[i].name;
        bars[i].value = (double)sizes[i].customers;
        bars[i].text = texts[i];
    }
    dbmtool_svg_hbars(out, "segment-sizes", bars, n);
    dbmtool_html_table_begin(out, "Table: segment sizes", headers, 3);
    for (i = 0; i < n; i++) {
        char customers[32], share[32];
        const char *cells[3];
        snprintf(customers, sizeof(customers), "%lld", (long long)sizes[i].customers);
        snprintf(share, sizeof(share), "%.1f%%",
                 100.0 * (double)sizes[i].customers / (double)count);
        cells[0] = sizes[i].name;
        cells[1] = customers;
        cells[2] = share;
        dbmtool_html_table_row(out, cells, 3);
    }
    dbmtool_html_table_end(out);
    dbmtool_html_section_end(out);
    free(texts);
    free(bars);
    free(sizes);
    return 0;
}

static void palive_section(FILE *out, const libdbm_scores *scores, int64_t count)
{
    double counts[PALIVE_BINS] = { 0 }, sum = 0.0;
    char labels[PALIVE_BINS][16], texts[PALIVE_BINS][24];
    dbmtool_svg_bar bars[PALIVE_BINS];
    const char *headers[] = { "P(alive)", "customers" };
    int64_t i, scored = 0;
    int b;
    for (i = 0; i < count; i++) {
        double p;
        libdbm_scores_get(scores, NULL, NULL, NULL, NULL, NULL, &p, NULL, NULL, NULL, i);
        if (isnan(p))
            continue;
        b = (int)floor(p * PALIVE_BINS);
        counts[b < 0 ? 0 : b >= PALIVE_BINS ? PALIVE_BINS - 1 : b] += 1.0;
        sum += p;
        scored++;
    }
    dbmtool_html_section(out, "p-alive", "P(alive) distribution");
    if (scored == 0) {
        dbmtool_html_missing(out, "No P(alive): give a BG/NBD or Pareto/NBD model with --model.");
        dbmtool_html_section_end(out);
        return;
    }
    fprintf(out, "<p>How likely each customer is still active as of the scoring date. "
                 "Mean %.3f; %.1f%% of customers below 0.5.</p>\n",
            sum / (double)scored,
            100.0 * (counts[0] + counts[1] + counts[2] + counts[3] + counts[4]) /
                (double)scored);
    for (b = 0; b < PALIVE_BINS; b++) {
        snprintf(labels[b], sizeof(labels[b]), "%.1f\xE2\x80\x93%.1f", b / 10.0, (b + 1) / 10.0);
        snprintf(texts[b], sizeof(texts[b]), "%.0f", counts[b]);
        bars[b].label = labels[b];
        bars[b].value = counts[b];
        bars[b].text = texts[b];
    }
    dbmtool_svg_columns(out, "p-alive-histogram", bars, PALIVE_BINS, "P(alive)", "customers");
    dbmtool_html_table_begin(out, "Table: P(alive) histogram", headers, 2);
    for (b = 0; b < PALIVE_BINS; b++) {
        const char *cells[2] = { labels[b], texts[b] };
        dbmtool_html_table_row(out, cells, 2);
    }
    dbmtool_html_table_end(out);
    dbmtool_html_section_end(out);
}

/* The rows with the highest CLV, best first (ties: the earlier row). */
static size_t top_by_clv(const libdbm_scores *scores, int64_t count, int64_t *top)
{
    double best[TOP_CUSTOMERS];
    size_t n = 0, k;
    int64_t i;
    for (i = 0; i < count; i++) {
        double clv;
        libdbm_scores_get(scores, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &clv, i);
        if (isnan(clv) || (n == TOP_CUSTOMERS && clv <= best[n - 1]))
            continue;
        k = n < TOP_CUSTOMERS ? n++ : n - 1;
        for (; k > 0 && best[k - 1] < clv; k--) {
            best[k] = best[k - 1];
            top[k] = top[k - 1];
        }
        best[k] = clv;
        top[k] = i;
    }
    return n;
}

static void top_customers_section(FILE *out, const libdbm_scores *scores, int64_t count)
{
    int64_t top[TOP_CUSTOMERS];
    size_t n = top_by_clv(scores, count, top), k;
    dbmtool_html_section(out, "top-customers", "Highest customer lifetime value");
    if (n == 0) {
        dbmtool_html_missing(out, "No CLV: give both --model and --spend-model.");
        dbmtool_html_section_end(out);
        return;
    }
    fputs("<table>\n<tr><th>customer</th><th>segment</th><th>P(alive)</th>"
          "<th>expected spend</th><th>CLV</th></tr>\n", out);
    for (k = 0; k < n; k++) {
        const char *id, *segment;
        double p, spend, clv;
        libdbm_scores_get(scores, &id, &segment, NULL, NULL, NULL, &p, NULL, &spend, &clv,
                          top[k]);
        fputs("<tr><td>", out);
        dbmtool_html_text(out, id);
        fputs("</td><td>", out);
        dbmtool_html_text(out, segment);
        fprintf(out, "</td><td>%.3f</td><td>%.2f</td><td>%.2f</td></tr>\n", p, spend, clv);
    }
    fputs("</table>\n", out);
    dbmtool_html_section_end(out);
}

int dbmtool_report_scores(FILE *out, const libdbm_scores *scores, int32_t bins)
{
    size_t cells = (size_t)bins * (size_t)bins;
    double *counts = calloc(cells, sizeof(double)), *means = calloc(cells, sizeof(double));
    int64_t count;
    int status = 0;
    libdbm_scores_count(scores, &count);
    if (counts == NULL || means == NULL || (size_t)count > SIZE_MAX / sizeof(segment_size)) {
        status = -1;
    } else {
        rfm_grid_section(out, scores, count, (size_t)bins, counts, means);
        status = segments_section(out, scores, count);
        palive_section(out, scores, count);
        top_customers_section(out, scores, count);
    }
    free(counts);
    free(means);
    return status;
}
