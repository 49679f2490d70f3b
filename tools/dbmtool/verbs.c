/* The table of dbmtool's verbs. Each verb lives in a file of its own and is
 * listed here; the order is the order of `dbmtool --help`. */
#include <stddef.h>

#include "cli.h"
#include "import.h"
#include "verbs.h"

const dbmtool_verb dbmtool_verbs[] = {
    { "import",
      "import STORE FILE --format cdnow|purchases|profiles|consent|contacts|events|addresses",
      "load a file into a store, all or nothing (docs/import.md)", dbmtool_import },
    { "summary", "summary STORE --until DATE [--unit day|week] [--decimals N]",
      "per-customer frequency, recency, T, monetary value (lifetimes' conventions)",
      dbmtool_summary },
    { "fit",
      "fit STORE --model bgnbd|pareto-nbd|gamma-gamma --until DATE [--unit day|week] "
      "[--penalizer X] [--out MODEL]",
      "fit a churn or spend model by maximum likelihood; JSON report", dbmtool_fit },
    { "score",
      "score STORE --model MODEL [--spend-model MODEL] --as-of DATE [--horizon N] "
      "[--write-back] ...",
      "RFM scores and segment, P(alive), expected purchases and spend, CLV per customer",
      dbmtool_score },
    { "holdout",
      "holdout STORE --model MODEL --calibration-end DATE --holdout-end DATE "
      "[--unit day|week] [--buckets N]",
      "predicted vs actual holdout purchases per calibration frequency (CSV)",
      dbmtool_holdout },
    { NULL, NULL, NULL, NULL }
};
