#!/bin/sh
# Usage: check-segment.sh DBMTOOL
# dbmtool segment on a small store imported with dbmtool: the ids of the
# members (CSV, header customer_id, quoted when needed), --count, --as-of
# (recency, windows and purchases after the as-of day), consent and
# contacts; a syntax error exits 1 naming line and column; a missing store
# and bad options exit 1 with a message.
set -u
tool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAILED: $*"; fail=1; }
S="$tmp/store"

# expect WANTED_EXIT EXPECTED_STDOUT ARGS... : runs dbmtool segment.
expect() {
    want=$1 out=$2; shift 2
    "$tool" segment "$S" "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    [ "$got" -eq "$want" ] || { no "segment $*: exit $got, expected $want"; cat "$tmp/err"; }
    if [ -n "$out" ]; then printf '%s\n' "$out"; fi > "$tmp/want"
    cmp -s "$tmp/out" "$tmp/want" || { no "segment $*: output"; echo "--- got:"; cat "$tmp/out";
                                       echo "--- expected:"; cat "$tmp/want"; }
}

cat > "$tmp/profiles.csv" <<'CSV'
customer_id,country,age:int,vip:bool,rfm.segment
a,BR,30,true,Champions
b,US,40,false,Lost
"c,3",BR,50,,Loyal Customers
d,,,,
CSV
cat > "$tmp/purchases.csv" <<'CSV'
customer_id,timestamp,amount
a,2024-12-20,10.00
a,2024-12-20T18:00:00Z,5.00
a,2024-10-01,20.00
b,2024-03-01,5.00
b,2025-02-01,7.00
"c,3",2024-12-30,-3.00
CSV
cat > "$tmp/consent.csv" <<'CSV'
customer_id,channel,state,timestamp,source
a,email,granted,2024-01-01,form
b,email,denied,2024-01-01,form
"c,3",email,granted,2024-01-01,form
"c,3",email,denied,2024-06-01,call
CSV
cat > "$tmp/contacts.csv" <<'CSV'
customer_id,timestamp,channel,campaign,stage,outcome
a,2024-12-28T10:00Z,email,xmas,0,sent
a,2024-12-28T11:00Z,email,xmas,0,opened
b,2024-11-01T10:00Z,email,fall,0,sent
CSV
for f in profiles purchases consent contacts; do
    "$tool" import "$S" "$tmp/$f.csv" --format $f > /dev/null || no "import $f"
done

expect 0 "customer_id
a
\"c,3\"" 'attr.country == "BR"' --as-of 2025-01-01
expect 0 "2" 'attr.country == "BR"' --count --as-of 2025-01-01
# unknown country for d: in neither side
expect 0 "customer_id
b" 'attr.country != "BR"' --as-of 2025-01-01
expect 0 "customer_id
d" 'attr.country is null' --as-of 2025-01-01
# a bought on 2024-12-20 (twice, one day) and 2024-10-01; b on 2024-03-01
# (and 2025-02-01, after the as-of day); c only refunded.
expect 0 "customer_id
a" 'frequency == 2 and recency_days == 12 and monetary == 35.0' --as-of 2025-01-01
expect 0 "customer_id
b" 'recency_days == 306 and frequency == 1 and last_purchase == 2024-03-01' --as-of 2025-01-01
expect 0 "customer_id
\"c,3\"
d" 'frequency == 0 and recency_days is null' --as-of 2025-01-01
expect 0 "customer_id
a" 'purchases(last 13d) == 2 and spend(last 13d) == 15.0 and purchases(last 12d) == 0' --as-of 2025-01-01
# consent: c's latest record is a denial; d has none (null)
expect 0 "customer_id
a" 'consent.email' --as-of 2025-01-01
expect 0 "customer_id
b
\"c,3\"" 'not consent.email' --as-of 2025-01-01
expect 0 "customer_id
b" 'contacted(email, last 7d) == 0 and contacted(email, last 90d) == 1' --as-of 2025-01-01
expect 0 "customer_id
a" 'contacted(email, last 7d) and opened(email, last 7d) == 1' --as-of 2025-01-01
expect 0 "customer_id
a
\"c,3\"" 'rfm.segment in ("Champions", "Loyal Customers")' --as-of 2025-01-01
expect 0 "customer_id" 'false' --as-of 2025-01-01
# --as-of as epoch seconds: 2024-12-25
expect 0 "customer_id
a" 'recency_days == 5' --as-of 1735084800

# errors
expect 1 "" 'purchases(last 90x)'
grep -q 'line 1, column 16: expected a duration' "$tmp/err" || no "syntax error message: $(cat "$tmp/err")"
expect 1 "" 'true' --as-of yesterday
expect 1 "" 'true' --bogus
"$tool" segment "$tmp/missing" 'true' > /dev/null 2> "$tmp/err" && no "missing store succeeded"
grep -q "missing" "$tmp/err" || no "missing store message: $(cat "$tmp/err")"

exit $fail
