#!/bin/sh
# Usage: check-campaign.sh DBMTOOL EXAMPLES_DIR
# dbmtool campaign over a store built with dbmtool import, running the
# shipped spring_offer example: --enter and --now print the due actions as
# CSV with stable ids; a second run re-delivers what got no outcome (same
# ids, redelivery 1); --record-outcome acknowledges them (then nothing comes
# again); the reminder a week later; the measurement as CSV and JSON; a bad
# definition exits 1 with its line and column; a missing store exits 2.
set -u
tool=$1
examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAILED: $*"; fail=1; }

run() {
    want=$1; shift
    "$tool" "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        no "dbmtool $*: exit $got, expected $want"; cat "$tmp/err"
        return 1
    fi
    return 0
}
out() { [ "$(cat "$tmp/out")" = "$1" ] || no "expected '$1', got '$(cat "$tmp/out")'"; }

S="$tmp/store"
C="$examples/spring_offer.campaign"
# a, "b,c" (a comma in the id) and d enter; none of them is in the 10% holdout
cat > "$tmp/profiles.csv" <<'CSV'
customer_id,offer_expires:time
a,2026-03-30T00:00:00Z
"b,c",2026-03-30T00:00:00Z
d,2026-03-30T00:00:00Z
CSV
run 0 import "$S" "$tmp/profiles.csv" --format profiles || exit 1

head='action_id,customer_id,stage,channel,content,redelivery'
run 0 campaign "$S" "$C" --now 2026-03-02T08:00:00Z --enter
out "$head
spring_offer/1/0/a,a,0,direct_mail,spring_letter,0
\"spring_offer/1/0/b,c\",\"b,c\",0,direct_mail,spring_letter,0
spring_offer/1/0/d,d,0,direct_mail,spring_letter,0"
# Nothing was acknowledged: the next run hands the same ids out again.
run 0 campaign "$S" "$C" --now 2026-03-02T09:00:00Z
out "$head
spring_offer/1/0/a,a,0,direct_mail,spring_letter,1
\"spring_offer/1/0/b,c\",\"b,c\",0,direct_mail,spring_letter,1
spring_offer/1/0/d,d,0,direct_mail,spring_letter,1"
cat > "$tmp/outcomes.csv" <<'CSV'
action_id,outcome,time
spring_offer/1/0/a,sent,
"spring_offer/1/0/b,c",sent,2026-03-02T09:30:00Z
spring_offer/1/0/d,sent,
spring_offer/1/0/d,responded,2026-03-04T12:00:00Z
CSV
run 0 campaign "$S" "$C" --now 2026-03-02T10:00:00Z --record-outcome "$tmp/outcomes.csv"
grep -q '4 outcomes recorded' "$tmp/err" || no "outcome count not reported"
run 0 campaign "$S" "$C" --now 2026-03-02T11:00:00Z
out "$head"
# A week later, 09:00 (the send window opens): the reminder, not for d who
# responded.
run 0 campaign "$S" "$C" --now 2026-03-09T09:00:00Z
out "$head
spring_offer/1/1/a,a,1,email,spring_reminder,0
\"spring_offer/1/1/b,c\",\"b,c\",1,email,spring_reminder,0"
run 0 campaign "$S" "$C" --report csv
grep -qx 'spring_offer,announce,allowed,3' "$tmp/out" || no "report: announce allowed"
grep -qx 'spring_offer,reminder,skipped_condition,1' "$tmp/out" || no "report: reminder skipped"
grep -qx 'spring_offer,announce,responded,1' "$tmp/out" || no "report: responded"
run 0 campaign "$S" "$C" --report json
grep -q '"entered":{"treated":3,"holdout":0}' "$tmp/out" || no "report json: entered"

# Errors: an unknown outcome (line 2), an unknown action, a bad definition
# with its line and column, a missing store.
printf 'action_id,outcome\nspring_offer/1/1/a,kissed\n' > "$tmp/bad.csv"
run 1 campaign "$S" "$C" --now 2026-03-09T10:00:00Z --record-outcome "$tmp/bad.csv"
grep -q 'bad.csv:2: unknown outcome' "$tmp/err" || no "bad outcome not located"
printf 'spring_offer/7/0/a,sent\n' > "$tmp/unknown.csv"
run 1 campaign "$S" "$C" --now 2026-03-09T10:00:00Z --record-outcome "$tmp/unknown.csv"
printf 'campaign x\nentry event go\nstage s channel email content c\n  at entry + 7y\n' > "$tmp/bad.campaign"
run 1 campaign "$S" "$tmp/bad.campaign" --now 2026-03-09T10:00:00Z
grep -q 'line 4, column 14' "$tmp/err" || { no "bad definition not located"; cat "$tmp/err"; }
run 2 campaign "$tmp/nostore" "$C" --now 2026-03-09T10:00:00Z
run 1 campaign "$S" "$C"
exit $fail
