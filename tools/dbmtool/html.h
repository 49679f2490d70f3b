/* HTML output of `dbmtool report`: escaping and the page frame.
 *
 * Every string that comes from a store or a file (customer ids, segment and
 * campaign names) goes through dbmtool_html_text(), so a hostile id can
 * neither close a tag nor open a script. The page needs no network: its
 * Content-Security-Policy refuses every external resource and script. */
#ifndef DBMTOOL_HTML_H
#define DBMTOOL_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes @p text escaped for element content and quoted attribute values:
 * & < > " ' become entities, and control characters and bytes that are not
 * valid UTF-8 become U+FFFD. */
void dbmtool_html_text(FILE *out, const char *text);

/* The doctype, head (charset, security policy, inline CSS) and the opening
 * of the body with @p title as the heading. */
void dbmtool_html_begin(FILE *out, const char *title);

/* Closes the body and the document. */
void dbmtool_html_end(FILE *out);

/* Opens a section with an id (a fixed ASCII word) and a heading; closes it. */
void dbmtool_html_section(FILE *out, const char *id, const char *heading);
void dbmtool_html_section_end(FILE *out);

/* A table of @p n columns folded under a <details> headed @p caption (the
 * text fallback of a chart); rows are escaped cell by cell. */
void dbmtool_html_table_begin(FILE *out, const char *caption, const char *const *headers,
                              size_t n);
void dbmtool_html_table_row(FILE *out, const char *const *cells, size_t n);
void dbmtool_html_table_end(FILE *out);

/* A visible notice that a section has no data, and why. */
void dbmtool_html_missing(FILE *out, const char *why);

#endif
