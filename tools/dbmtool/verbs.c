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
    { "segment", "segment STORE EXPR [--count] [--as-of TIME]",
      "the customer ids (or the count) of a segment's members (docs/segments.md)",
      dbmtool_segment },
    { "policy",
      "policy STORE POLICY_FILE --customer ID --channel NAME --at TIME [--record] "
      "[--class marketing|transactional] [--campaign NAME] [--unit NAME] [--priority N] "
      "[--explain]",
      "may this customer be contacted now: allow, deny RULE: REASON, or defer TIME "
      "(docs/policy.md)",
      dbmtool_policy },
    { "campaign",
      "campaign STORE CAMPAIGN_FILE --now TIME [--enter] [--policy POLICY_FILE] "
      "[--record-outcome FILE] [--report csv|json]",
      "the campaign actions due now with their stable ids (CSV); feed back outcomes; "
      "measurement (docs/campaigns.md)",
      dbmtool_campaign },
    { "report",
      "report STORE --out FILE [--model MODEL] [--spend-model MODEL] [--as-of DATE] "
      "[--calibration-end DATE --holdout-end DATE] [--campaign-stats FILE] ...",
      "one self-contained HTML page of charts: R x F grid, segments, P(alive), holdout, "
      "campaigns (docs/report.md)",
      dbmtool_report },
    { NULL, NULL, NULL, NULL }
};
