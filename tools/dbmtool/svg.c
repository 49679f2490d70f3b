#include <math.h>
#include <string.h>

#include "html.h"
#include "svg.h"

#define CHART_WIDTH 720.0
#define LABEL_WIDTH 180.0   /* the label column of bar and interval charts */
#define LABEL_CHARS 26      /* longer labels are cut (the full one is a tooltip) */
#define ROW_HEIGHT 26.0

/* The drawing area of a chart with axes, in SVG user units. */
typedef struct plot_area {
    double left, top, width, height;
} plot_area;

/* A value axis from 0 (or a negative minimum) to a round maximum. */
typedef struct value_axis {
    double min, max, step;
} value_axis;

static void open_svg(FILE *out, const char *chart, double width, double height)
{
    fprintf(out,
            "<svg class=\"chart\" data-chart=\"%s\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
            chart, width, height, width, height);
}

static void close_svg(FILE *out)
{
    fputs("</svg>\n", out);
}

/* A step of 1, 2 or 5 times a power of ten giving about four intervals. */
static double nice_step(double span)
{
    double raw = span / 4.0, power, unit;
    if (!(raw > 0.0) || !isfinite(raw))
        return 1.0;
    power = pow(10.0, floor(log10(raw)));
    unit = raw / power;
    return (unit <= 1.0 ? 1.0 : unit <= 2.0 ? 2.0 : unit <= 5.0 ? 5.0 : 10.0) * power;
}

static value_axis make_axis(double low, double high)
{
    value_axis a;
    if (!isfinite(low) || low > 0.0)
        low = 0.0;
    if (!isfinite(high) || high < 0.0)
        high = 0.0;
    if (high - low <= 0.0)
        high = low + 1.0;
    a.step = nice_step(high - low);
    a.min = floor(low / a.step) * a.step;
    a.max = ceil(high / a.step) * a.step;
    return a;
}

/* Ticks from min to max inclusive (make_axis keeps them few). */
static int tick_count(const value_axis *a)
{
    double ticks = floor((a->max - a->min) / a->step + 0.5) + 1.0;
    return ticks > 100.0 ? 100 : (int)ticks;
}

static double axis_fraction(const value_axis *a, double v)
{
    return (v - a->min) / (a->max - a->min);
}

/* Cuts @p text to LABEL_CHARS characters (adding an ellipsis), escaped. A
 * character is a lead byte and at most three continuation bytes, so the
 * cut fits its buffer even when the text is not valid UTF-8. */
static void write_label(FILE *out, const char *text)
{
    size_t bytes = 0, chars = 0, len = strlen(text);
    while (bytes < len && chars < LABEL_CHARS) {
        size_t k = 1;
        while (k < 4 && bytes + k < len && ((unsigned char)text[bytes + k] & 0xC0) == 0x80)
            k++;
        bytes += k;
        chars++;
    }
    if (bytes == len) {
        dbmtool_html_text(out, text);
        return;
    }
    {
        char cut[LABEL_CHARS * 4 + 1];
        memcpy(cut, text, bytes);
        cut[bytes] = '\0';
        dbmtool_html_text(out, cut);
        fputs("\xE2\x80\xA6", out);
    }
}

static void write_label_with_tooltip(FILE *out, double x, double y, const char *anchor,
                                     const char *cls, const char *text)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s%s><title>", x, y, anchor,
            cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    dbmtool_html_text(out, text);
    fputs("</title>", out);
    write_label(out, text);
    fputs("</text>\n", out);
}

static void write_title(FILE *out, double x, double y, const char *text, int vertical)
{
    if (vertical)
        fprintf(out, "<text class=\"title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                     "transform=\"rotate(-90 %.1f %.1f)\">", x, y, x, y);
    else
        fprintf(out, "<text class=\"title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x,
                y);
    dbmtool_html_text(out, text);
    fputs("</text>\n", out);
}

/* Horizontal grid lines and tick labels of a vertical value axis, the
 * axis lines, and the two axis titles. */
static void draw_value_axis(FILE *out, const plot_area *p, const value_axis *a,
                            const char *x_title, const char *y_title)
{
    int i, ticks = tick_count(a);
    for (i = 0; i < ticks; i++) {
        double v = a->min + i * a->step;
        double y = p->top + p->height * (1.0 - axis_fraction(a, v));
        fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                     "<text class=\"small\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                p->left, y, p->left + p->width, y, p->left - 6, y + 4, v);
    }
    fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
                 "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            p->left, p->top, p->left, p->top + p->height, p->left, p->top + p->height,
            p->left + p->width, p->top + p->height);
    write_title(out, p->left + p->width / 2, p->top + p->height + 40, x_title, 0);
    write_title(out, 16, p->top + p->height / 2, y_title, 1);
}

static double largest(const dbmtool_svg_bar *bars, size_t n)
{
    double max = 0.0;
    size_t i;
    for (i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    return max;
}

void dbmtool_svg_hbars(FILE *out, const char *chart, const dbmtool_svg_bar *bars, size_t n)
{
    const double bar_room = CHART_WIDTH - LABEL_WIDTH - 110.0;
    double max = largest(bars, n);
    size_t i;
    open_svg(out, chart, CHART_WIDTH, (double)n * ROW_HEIGHT + 8.0);
    for (i = 0; i < n; i++) {
        double y = 4.0 + (double)i * ROW_HEIGHT;
        double w = max > 0.0 && bars[i].value > 0.0 ? bar_room * bars[i].value / max : 0.0;
        if (isnan(bars[i].value))
            continue;
        write_label_with_tooltip(out, LABEL_WIDTH - 8, y + 17, "end", NULL, bars[i].label);
        /* a zero is drawn as a sliver: the point exists */
        fprintf(out, "<rect class=\"bar mark\" data-value=\"%.10g\" x=\"%.1f\" y=\"%.1f\" "
                     "width=\"%.1f\" height=\"%.1f\"/>\n",
                bars[i].value, LABEL_WIDTH, y + 2, w < 2.0 ? 2.0 : w, ROW_HEIGHT - 6);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", LABEL_WIDTH + (w < 2.0 ? 2.0 : w) + 6,
                y + 17);
        dbmtool_html_text(out, bars[i].text ? bars[i].text : "");
        fputs("</text>\n", out);
    }
    close_svg(out);
}

void dbmtool_svg_columns(FILE *out, const char *chart, const dbmtool_svg_bar *bars, size_t n,
                         const char *x_title, const char *y_title)
{
    const plot_area p = { 70.0, 16.0, CHART_WIDTH - 90.0, 220.0 };
    const value_axis a = make_axis(0.0, largest(bars, n));
    double slot = n > 0 ? p.width / (double)n : p.width;
    size_t i;
    open_svg(out, chart, CHART_WIDTH, p.top + p.height + 56.0);
    draw_value_axis(out, &p, &a, x_title, y_title);
    for (i = 0; i < n; i++) {
        double h, x = p.left + slot * (double)i;
        if (isnan(bars[i].value))
            continue;
        h = p.height * axis_fraction(&a, bars[i].value);
        if (h < 2.0)
            h = 2.0;
        fprintf(out, "<rect class=\"bar mark\" data-value=\"%.10g\" x=\"%.1f\" y=\"%.1f\" "
                     "width=\"%.1f\" height=\"%.1f\"><title>",
                bars[i].value, x + slot * 0.1, p.top + p.height - h, slot * 0.8, h);
        dbmtool_html_text(out, bars[i].label);
        fputs(": ", out);
        dbmtool_html_text(out, bars[i].text ? bars[i].text : "");
        fputs("</title></rect>\n", out);
        write_label_with_tooltip(out, x + slot / 2, p.top + p.height + 16, "middle", "small",
                                 bars[i].label);
    }
    close_svg(out);
}

/* Shade from light to dark blue by @p t in [0, 1]. */
static void cell_colour(char *buf, size_t size, double t)
{
    const double light[3] = { 238, 243, 250 }, dark[3] = { 47, 95, 158 };
    snprintf(buf, size, "rgb(%.0f,%.0f,%.0f)", light[0] + (dark[0] - light[0]) * t,
             light[1] + (dark[1] - light[1]) * t, light[2] + (dark[2] - light[2]) * t);
}

void dbmtool_svg_heatmap(FILE *out, const char *chart, const char *const *row_labels,
                         const char *const *col_labels, const double *counts,
                         const double *means, size_t rows, size_t cols,
                         const char *row_title, const char *col_title)
{
    const double left = 90.0, top = 40.0, cell_w = (CHART_WIDTH - 110.0) / (double)cols;
    const double cell_h = 52.0;
    double max = 0.0;
    size_t r, c;
    for (r = 0; r < rows * cols; r++)
        if (counts[r] > max)
            max = counts[r];
    open_svg(out, chart, CHART_WIDTH, top + cell_h * (double)rows + 10.0);
    write_title(out, left + cell_w * (double)cols / 2, 14, col_title, 0);
    write_title(out, 16, top + cell_h * (double)rows / 2, row_title, 1);
    for (c = 0; c < cols; c++)
        write_label_with_tooltip(out, left + cell_w * ((double)c + 0.5), top - 8, "middle",
                                 NULL, col_labels[c]);
    for (r = 0; r < rows; r++) {
        double y = top + cell_h * (double)r;
        write_label_with_tooltip(out, left - 10, y + cell_h / 2 + 4, "end", NULL,
                                 row_labels[r]);
        for (c = 0; c < cols; c++) {
            double count = counts[r * cols + c], mean = means[r * cols + c];
            double t = max > 0.0 ? count / max : 0.0;
            double x = left + cell_w * (double)c;
            char fill[64];
            cell_colour(fill, sizeof(fill), t);
            fprintf(out, "<rect class=\"mark\" data-value=\"%.10g\" x=\"%.1f\" y=\"%.1f\" "
                         "width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"#fff\"/>\n",
                    count, x, y, cell_w, cell_h, fill);
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"%s>%.0f</text>\n",
                    x + cell_w / 2, y + 22, t > 0.55 ? " style=\"fill:#fff\"" : "", count);
            if (!isnan(mean))
                fprintf(out, "<text class=\"small\" x=\"%.1f\" y=\"%.1f\" "
                             "text-anchor=\"middle\"%s>avg %.2f</text>\n",
                        x + cell_w / 2, y + 38, t > 0.55 ? " style=\"fill:#fff\"" : "", mean);
        }
    }
    close_svg(out);
}

static double series_max(const dbmtool_svg_series *s, size_t n)
{
    double max = 0.0;
    size_t i;
    for (i = 0; i < n; i++)
        if (s->values[i] > max)
            max = s->values[i];
    return max;
}

static void draw_series(FILE *out, const plot_area *p, const value_axis *a, size_t n,
                        const dbmtool_svg_series *s, int alt)
{
    double slot = p->width / (double)n;
    int pen_down = 0;
    size_t i;
    fprintf(out, "<path class=\"line%s\" d=\"", alt ? " alt" : "");
    for (i = 0; i < n; i++) {
        if (isnan(s->values[i])) {
            pen_down = 0;
            continue;
        }
        fprintf(out, "%s%.1f %.1f ", pen_down ? "L" : "M", p->left + slot * ((double)i + 0.5),
                p->top + p->height * (1.0 - axis_fraction(a, s->values[i])));
        pen_down = 1;
    }
    fputs("\"/>\n", out);
    for (i = 0; i < n; i++) {
        double x = p->left + slot * ((double)i + 0.5), y;
        if (isnan(s->values[i]))
            continue;
        y = p->top + p->height * (1.0 - axis_fraction(a, s->values[i]));
        if (alt)
            fprintf(out, "<rect class=\"dot alt mark\" data-series=\"%d\" data-value=\"%.10g\" "
                         "x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\"/>\n",
                    alt, s->values[i], x - 4, y - 4);
        else
            fprintf(out, "<circle class=\"dot mark\" data-series=\"%d\" data-value=\"%.10g\" "
                         "cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\"/>\n",
                    alt, s->values[i], x, y);
    }
}

static void draw_legend(FILE *out, double x, double y, const char *name, int alt)
{
    fprintf(out, "<line class=\"line%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                 "<text x=\"%.1f\" y=\"%.1f\">",
            alt ? " alt" : "", x, y, x + 28, y, x + 34, y + 4);
    dbmtool_html_text(out, name);
    fputs("</text>\n", out);
}

void dbmtool_svg_lines(FILE *out, const char *chart, const char *const *labels, size_t n,
                       const dbmtool_svg_series *first, const dbmtool_svg_series *second,
                       const char *x_title, const char *y_title)
{
    const plot_area p = { 70.0, 30.0, CHART_WIDTH - 90.0, 220.0 };
    double max = fmax(series_max(first, n), series_max(second, n));
    const value_axis a = make_axis(0.0, max);
    size_t i;
    open_svg(out, chart, CHART_WIDTH, p.top + p.height + 56.0);
    draw_value_axis(out, &p, &a, x_title, y_title);
    for (i = 0; i < n; i++)
        write_label_with_tooltip(out, p.left + p.width / (double)n * ((double)i + 0.5),
                                 p.top + p.height + 16, "middle", "small", labels[i]);
    if (n > 0) {
        draw_series(out, &p, &a, n, first, 0);
        draw_series(out, &p, &a, n, second, 1);
    }
    draw_legend(out, p.left + 12, 12, first->name, 0);
    draw_legend(out, p.left + 212, 12, second->name, 1);
    close_svg(out);
}

void dbmtool_svg_intervals(FILE *out, const char *chart, const dbmtool_svg_interval *items,
                           size_t n)
{
    const plot_area p = { LABEL_WIDTH, 8.0, CHART_WIDTH - LABEL_WIDTH - 40.0,
                          (double)n * ROW_HEIGHT * 1.4 };
    double low = 0.0, high = 0.0, v;
    value_axis a;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        low = fmin(low, fmin(items[i].value, items[i].low));
        high = fmax(high, fmax(items[i].value, items[i].high));
    }
    a = make_axis(low, high);
    open_svg(out, chart, CHART_WIDTH, p.top + p.height + 30.0);
    for (k = 0; k < tick_count(&a); k++) {
        double x;
        v = a.min + k * a.step;
        x = p.left + p.width * axis_fraction(&a, v);
        fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                     "<text class=\"small\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                     "%g%%</text>\n",
                x, p.top, x, p.top + p.height, x, p.top + p.height + 16, v * 100.0);
    }
    v = p.left + p.width * axis_fraction(&a, 0.0);
    fprintf(out, "<line class=\"zero\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", v,
            p.top, v, p.top + p.height);
    for (i = 0; i < n; i++) {
        double y = p.top + ROW_HEIGHT * 1.4 * ((double)i + 0.5);
        if (isnan(items[i].value))
            continue;
        write_label_with_tooltip(out, LABEL_WIDTH - 8, y + 4, "end", NULL, items[i].label);
        if (!isnan(items[i].low) && !isnan(items[i].high))
            fprintf(out, "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                         "y2=\"%.1f\"/>\n",
                    p.left + p.width * axis_fraction(&a, items[i].low), y,
                    p.left + p.width * axis_fraction(&a, items[i].high), y);
        fprintf(out, "<circle class=\"dot mark\" data-value=\"%.10g\" cx=\"%.1f\" cy=\"%.1f\" "
                     "r=\"5\"/>\n",
                items[i].value, p.left + p.width * axis_fraction(&a, items[i].value), y);
    }
    close_svg(out);
}
