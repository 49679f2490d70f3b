/* The entry points of dbmtool's verbs, one file each (listed in verbs.c). */
#ifndef DBMTOOL_VERBS_H
#define DBMTOOL_VERBS_H

#include <libdbm.h>

int dbmtool_summary(libdbm_context *ctx, int argc, char **argv);
int dbmtool_fit(libdbm_context *ctx, int argc, char **argv);
int dbmtool_holdout(libdbm_context *ctx, int argc, char **argv);
int dbmtool_score(libdbm_context *ctx, int argc, char **argv);
int dbmtool_segment(libdbm_context *ctx, int argc, char **argv);
int dbmtool_policy(libdbm_context *ctx, int argc, char **argv);
int dbmtool_campaign(libdbm_context *ctx, int argc, char **argv);
int dbmtool_report(libdbm_context *ctx, int argc, char **argv);

#endif
