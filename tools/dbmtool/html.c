#include <string.h>

#include "csv.h"
#include "html.h"

#define REPLACEMENT "&#xFFFD;"

/* Length of the valid UTF-8 sequence at @p s (at most @p left bytes), or 0
 * when the bytes there are not one. */
static size_t utf8_sequence(const char *s, size_t left)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (n > left)
        return 0;
    return dbmtool_utf8_valid(s, n) ? n : 0;
}

void dbmtool_html_text(FILE *out, const char *text)
{
    size_t left = strlen(text);
    while (left > 0) {
        unsigned char c = (unsigned char)*text;
        size_t n = utf8_sequence(text, left);
        if (n == 0 || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
            fputs(REPLACEMENT, out);
            n = 1;
        } else if (c == '&') {
            fputs("&amp;", out);
        } else if (c == '<') {
            fputs("&lt;", out);
        } else if (c == '>') {
            fputs("&gt;", out);
        } else if (c == '"') {
            fputs("&quot;", out);
        } else if (c == '\'') {
            fputs("&#39;", out);
        } else {
            fwrite(text, 1, n, out);
        }
        text += n;
        left -= n;
    }
}

/* Muted colours that stay readable in print; the chart classes are shared
 * by every chart of svg.c. */
static const char page_style[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2733;"
    "background:#fff;margin:0 auto;max-width:960px;padding:24px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:0 0 8px;"
    "border-bottom:1px solid #d5dbe3;padding-bottom:4px}\n"
    "section{margin:28px 0}p.meta{color:#5a6878;margin:0}\n"
    "p.missing{background:#fff6e0;border:1px solid #e8c872;padding:8px 12px;"
    "border-radius:4px}\n"
    "table{border-collapse:collapse;margin:8px 0;font-size:13px}"
    "th,td{border:1px solid #d5dbe3;padding:3px 8px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}th{background:#f1f4f8}\n"
    "details{margin:6px 0}summary{cursor:pointer;color:#3a5a85}\n"
    "svg.chart{display:block;margin:8px 0;font-size:12px}"
    "svg.chart text{fill:#1d2733}svg.chart .axis{stroke:#8a96a5;stroke-width:1}"
    "svg.chart .grid{stroke:#e3e8ee;stroke-width:1}"
    "svg.chart .bar{fill:#4a7bb7}svg.chart .bar.alt{fill:#e08a3c}"
    "svg.chart .line{fill:none;stroke:#4a7bb7;stroke-width:2}"
    "svg.chart .line.alt{stroke:#e08a3c;stroke-dasharray:6 4}"
    "svg.chart .dot{fill:#4a7bb7}svg.chart .dot.alt{fill:#e08a3c}"
    "svg.chart .whisker{stroke:#1d2733;stroke-width:2}"
    "svg.chart .zero{stroke:#b23b3b;stroke-width:1;stroke-dasharray:3 3}"
    "svg.chart text.small{font-size:10px}svg.chart text.title{font-weight:600}\n";

void dbmtool_html_begin(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    dbmtool_html_text(out, title);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", page_style);
    dbmtool_html_text(out, title);
    fputs("</h1>\n", out);
}

void dbmtool_html_end(FILE *out)
{
    fputs("</body>\n</html>\n", out);
}

void dbmtool_html_section(FILE *out, const char *id, const char *heading)
{
    fprintf(out, "<section id=\"%s\">\n<h2>", id);
    dbmtool_html_text(out, heading);
    fputs("</h2>\n", out);
}

void dbmtool_html_section_end(FILE *out)
{
    fputs("</section>\n", out);
}

void dbmtool_html_missing(FILE *out, const char *why)
{
    fputs("<p class=\"missing\">", out);
    dbmtool_html_text(out, why);
    fputs("</p>\n", out);
}

static void write_cells(FILE *out, const char *tag, const char *const *cells, size_t n)
{
    size_t i;
    fputs("<tr>", out);
    for (i = 0; i < n; i++) {
        fprintf(out, "<%s>", tag);
        dbmtool_html_text(out, cells[i]);
        fprintf(out, "</%s>", tag);
    }
    fputs("</tr>\n", out);
}

void dbmtool_html_table_begin(FILE *out, const char *caption, const char *const *headers,
                              size_t n)
{
    fputs("<details><summary>", out);
    dbmtool_html_text(out, caption);
    fputs("</summary>\n<table>\n", out);
    write_cells(out, "th", headers, n);
}

void dbmtool_html_table_row(FILE *out, const char *const *cells, size_t n)
{
    write_cells(out, "td", cells, n);
}

void dbmtool_html_table_end(FILE *out)
{
    fputs("</table>\n</details>\n", out);
}
