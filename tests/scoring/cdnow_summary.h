/* Test/bench helper: reads the CDNOW per-customer summary
 * (cdnow_customers_summary_with_transactions.csv: ID,x,t_x,T,zbar; CRLF
 * line ends, the last line unterminated). */
#ifndef LIBDBM_TEST_CDNOW_SUMMARY_H
#define LIBDBM_TEST_CDNOW_SUMMARY_H

typedef struct cdnow_summary_row { double x, t_x, T, m_x; } cdnow_summary_row;

/* Reads DIR/cdnow_customers_summary_with_transactions.csv into a malloc'ed
 * array (free()). Returns the row count, or -1 when the file cannot be
 * opened; exits 1 on malformed content. */
long cdnow_summary_load(const char *dir, cdnow_summary_row **rows);

#endif
