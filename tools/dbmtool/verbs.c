/* The table of dbmtool's verbs. Each verb lives in a file of its own and is
 * listed here; the order is the order of `dbmtool --help`. */
#include <stddef.h>

#include "cli.h"

const dbmtool_verb dbmtool_verbs[] = {
    { NULL, NULL, NULL, NULL }
};
