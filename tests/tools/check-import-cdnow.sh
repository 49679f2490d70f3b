#!/bin/sh
# Usage: check-import-cdnow.sh DBMTOOL STORE_CHECK DATA_DIR
# Imports the CDNOW logs as distributed (/work/shared/data, see its
# README.md) and checks the counts and exact totals the README states:
# the 1/10 sample has 2,357 customers, 6,919 purchases on 6,696 distinct
# (customer, day) pairs and $244,091.94; the master log has 23,570
# customers, 69,659 purchases and $2,500,315.63. Exit 77 (skip) when the
# data are absent.
set -u
tool=$1 check=$2 data=$3
if [ ! -r "$data/cdnow_sample.txt" ] || [ ! -r "$data/cdnow_master.txt" ]; then
    echo "SKIP: CDNOW data not found in $data"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAILED: $*"; fail=1; }

# expect_import STORE FILE ROWS CUSTOMERS
expect_import() {
    "$tool" import "$1" "$2" --format cdnow > "$tmp/out" 2> "$tmp/err"
    code=$?
    [ $code -eq 0 ] || { no "import $2: exit $code"; cat "$tmp/err"; return; }
    [ -s "$tmp/err" ] && no "import $2 wrote to stderr: $(cat "$tmp/err")"
    grep -q "\"rows\":$3,\"customers\":$4,\"new_profiles\":$4,\"duplicates\":0," "$tmp/out" ||
        no "import $2 summary: $(cat "$tmp/out")"
}

expect_import "$tmp/sample" "$data/cdnow_sample.txt" 6919 2357
"$check" totals "$tmp/sample" > "$tmp/totals" || no "store-check totals (sample)"
want="profiles=2357 listed=2357 purchases=6919 purchase_days=6696 total_minor=24409194 refunds=0 refund_total_minor=0 contacts=0"
[ "$(cat "$tmp/totals")" = "$want" ] || no "sample totals: $(cat "$tmp/totals"), expected $want"

# The ids are the sample ids without zero padding, as in the summary CSV.
cut -d, -f1 "$data/cdnow_customers_summary.csv" | tail -n +2 | sort > "$tmp/ids.want"
"$check" dump "$tmp/sample" | sed -n 's/^customer //p' | sort > "$tmp/ids.got"
cmp -s "$tmp/ids.want" "$tmp/ids.got" || no "sample ids differ from cdnow_customers_summary.csv's ID column"
# Sample customer 0001 (master id 00004): four lines of the file, $29.33 on
# 1997-01-01, $29.73, $14.96 and $26.48 on 1997-12-12 (day 10207).
line1='  purchases 4 days 4 total 10050 refunds 0 refund_total 0 first 852076800 last 881884800'
"$check" dump "$tmp/sample" | grep -A1 '^customer 1$' | grep -qxF -- "$line1" ||
    no "customer 1 of the sample"

expect_import "$tmp/master" "$data/cdnow_master.txt" 69659 23570
"$check" totals "$tmp/master" > "$tmp/totals" || no "store-check totals (master)"
grep -q '^profiles=23570 listed=23570 purchases=69659 purchase_days=[0-9]* total_minor=250031563 refunds=0 ' "$tmp/totals" ||
    no "master totals: $(cat "$tmp/totals")"
# In the master log the same person is customer 4.
"$check" dump "$tmp/master" | grep -A1 '^customer 4$' | grep -qxF -- "$line1" ||
    no "customer 4 of the master log differs from customer 1 of the sample"

# Importing the sample again into the same store: no transaction ids, so
# every line counts again (documented), and no new profile is created.
"$tool" import "$tmp/sample" "$data/cdnow_sample.txt" --format cdnow > "$tmp/out" 2> "$tmp/err" ||
    no "second import of the sample"
grep -q '"new_profiles":0,' "$tmp/out" || no "second import created profiles: $(cat "$tmp/out")"
"$check" totals "$tmp/sample" | grep -q 'purchases=13838 purchase_days=6696 total_minor=48818388 ' ||
    no "sample imported twice: $("$check" totals "$tmp/sample")"

[ $fail -eq 0 ] && echo "ok: CDNOW sample and master imports"
exit $fail
