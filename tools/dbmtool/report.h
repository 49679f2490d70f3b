/* dbmtool report: one self-contained HTML page with the pictures analysts
 * expect (docs/report.md). report.c gathers the data and writes the page;
 * the sections live in files of their own. */
#ifndef DBMTOOL_REPORT_H
#define DBMTOOL_REPORT_H

#include <stdio.h>

#include <libdbm.h>

#include "json.h"

/* The R x F grid, the segment sizes, the P(alive) histogram and the most
 * valuable customers of @p scores, scored into @p bins RFM bins. Returns 0,
 * or -1 when out of memory (the page is then incomplete). */
int dbmtool_report_scores(FILE *out, const libdbm_scores *scores, int32_t bins);

/* The calibration/holdout chart of @p holdout (@p buckets buckets, periods
 * named by @p unit_name), or, when @p holdout is NULL, a notice saying
 * @p why_missing. */
void dbmtool_report_holdout(FILE *out, const libdbm_holdout *holdout, int32_t buckets,
                            const char *unit_name, const char *why_missing);

/* Checks that @p stats has the shape of a campaign measurement export
 * (docs/report.md); prints what is wrong and returns 1, or returns 0. */
int dbmtool_report_campaigns_check(const dbmtool_json *stats, const char *path);

/* The funnel and uplift of every campaign of @p stats, or a visible "no
 * campaign data" notice when @p stats is NULL. */
void dbmtool_report_campaigns(FILE *out, const dbmtool_json *stats);

#endif
