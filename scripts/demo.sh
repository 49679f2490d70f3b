#!/bin/bash
# The main job: installs what a fresh Debian 12 machine lacks (run as root),
# builds libdbm in release mode and runs the demo on the CDNOW sample,
# ending in a report. The demo grows with the library; each step says what
# it shows.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/lib/deps.sh

ensure_packages $BUILD_PACKAGES
build=build/demo
setup_build "$build" -Dbuildtype=release -Dtests=false
ninja -C "$build" >/dev/null
dbmtool="$build/tools/dbmtool/dbmtool"
data=examples/data/cdnow_sample.txt
out=${DEMO_OUT:-$top/demo-output}
rm -rf "$out"
mkdir -p "$out"
store="$out/cdnow.store"
calibration_end=1997-09-30
holdout_end=1998-06-30

echo "== $("$dbmtool" --version)"
echo "== importing the CDNOW sample log into $store"
"$dbmtool" import "$store" "$data" --format cdnow | tee "$out/import.json"

echo "== per-customer summary as of $calibration_end (weeks, lifetimes' conventions)"
"$dbmtool" summary "$store" --until "$calibration_end" --unit week > "$out/summary.csv"
head -4 "$out/summary.csv"

for model in bgnbd pareto-nbd gamma-gamma; do
    echo "== fitting $model on the 39-week calibration period"
    "$dbmtool" fit "$store" --model "$model" --until "$calibration_end" --unit week \
        --out "$out/$model.model.json" > "$out/fit-$model.json"
done

echo "== scoring every customer as of $calibration_end and writing the scores back"
"$dbmtool" score "$store" --model "$out/bgnbd.model.json" \
    --spend-model "$out/gamma-gamma.model.json" --as-of "$calibration_end" \
    --write-back > "$out/scores.csv"

echo "== calibration/holdout check (weeks 40-78)"
"$dbmtool" holdout "$store" --model "$out/bgnbd.model.json" \
    --calibration-end "$calibration_end" --holdout-end "$holdout_end" > "$out/holdout.csv"

. scripts/demo_segments_policy.sh
. scripts/demo_campaigns.sh

echo "== writing the HTML report (charts: R x F, segments, P(alive), holdout, campaigns)"
# Campaign measurement exports appended by a step above (`dbmtool campaign
# STORE FILE --report json >> "$out/campaign-stats.json"`) feed the campaign
# section; without them the page says "No campaign data".
campaign_stats=()
[ -f "$out/campaign-stats.json" ] && campaign_stats=(--campaign-stats "$out/campaign-stats.json")
"$dbmtool" report "$store" --out "$out/report.html" --model "$out/bgnbd.model.json" \
    --spend-model "$out/gamma-gamma.model.json" --calibration-end "$calibration_end" \
    --holdout-end "$holdout_end" --title "libdbm demo: CDNOW 1/10 sample" \
    "${campaign_stats[@]}" > /dev/null

python3 scripts/demo_report.py "$out" > "$out/report.txt"
echo
cat "$out/report.txt"
echo
echo "files: $out"
