/* A set of strings (dbmtool import counts the distinct customer ids of a
 * file with it). */
#ifndef DBMTOOL_IDSET_H
#define DBMTOOL_IDSET_H

#include <stddef.h>

typedef struct dbmtool_idset dbmtool_idset;

/* NULL when out of memory. */
dbmtool_idset *dbmtool_idset_new(void);
void dbmtool_idset_free(dbmtool_idset *set);
/* Adds a copy of @p id: 1 when it was new, 0 when present, -1 out of memory. */
int dbmtool_idset_add(dbmtool_idset *set, const char *id);
size_t dbmtool_idset_count(const dbmtool_idset *set);

#endif
