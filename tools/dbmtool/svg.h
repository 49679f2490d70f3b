/* The chart primitives of `dbmtool report`: each call writes one inline
 * <svg class="chart" data-chart="NAME"> (no script, no external resource)
 * with exactly one element of class "mark" per data point, carrying the
 * point's value in data-value, so a test can count what was drawn.
 * Labels are escaped with dbmtool_html_text(). Values that are NaN are not
 * data points: they get no mark. */
#ifndef DBMTOOL_SVG_H
#define DBMTOOL_SVG_H

#include <stddef.h>
#include <stdio.h>

/* One labelled value of a bar chart; @c text is shown beside the bar. */
typedef struct dbmtool_svg_bar {
    const char *label;
    double value;
    const char *text;
} dbmtool_svg_bar;

/* Horizontal bars, one per row, scaled to the largest value. */
void dbmtool_svg_hbars(FILE *out, const char *chart, const dbmtool_svg_bar *bars, size_t n);

/* Vertical columns over categories (a histogram), with a value axis. */
void dbmtool_svg_columns(FILE *out, const char *chart, const dbmtool_svg_bar *bars, size_t n,
                         const char *x_title, const char *y_title);

/* A grid of @p rows x @p cols cells, row-major; each cell is shaded by its
 * count and labelled with the count and the mean below it (none when NaN).
 * Cells with a zero count are still drawn (a zero is a data point). */
void dbmtool_svg_heatmap(FILE *out, const char *chart, const char *const *row_labels,
                         const char *const *col_labels, const double *counts,
                         const double *means, size_t rows, size_t cols,
                         const char *row_title, const char *col_title);

/* One named series of a line chart. */
typedef struct dbmtool_svg_series {
    const char *name;
    const double *values;  /* n values, NaN for no point */
} dbmtool_svg_series;

/* Two series over the same @p n categories: lines through the points,
 * a dot per point (the second series dashed, with square dots). */
void dbmtool_svg_lines(FILE *out, const char *chart, const char *const *labels, size_t n,
                       const dbmtool_svg_series *first, const dbmtool_svg_series *second,
                       const char *x_title, const char *y_title);

/* One estimate with its confidence interval. */
typedef struct dbmtool_svg_interval {
    const char *label;
    double value, low, high;  /* low/high NaN: no whisker */
} dbmtool_svg_interval;

/* Estimates as dots with whiskers on a shared axis that includes zero
 * (drawn as a dashed line), values shown as percentages. */
void dbmtool_svg_intervals(FILE *out, const char *chart, const dbmtool_svg_interval *items,
                           size_t n);

#endif
