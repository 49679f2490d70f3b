#!/bin/sh
# Usage: check-policy.sh DBMTOOL
# dbmtool policy: allow, deny RULE: REASON and defer TIME on a store built
# with dbmtool import; --record records the contact (so the next check
# defers) and the recorded row is in the store; --explain prints JSON;
# transactional mail passes a cap of 0; a policy syntax error exits 1 with
# FILE's line and column; a missing store exits 2.
set -u
tool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAILED: $*"; fail=1; }

# run WANTED_EXIT ARGS... : runs dbmtool, output in $tmp/out and $tmp/err.
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
# out TEXT : stdout is exactly TEXT.
out() { [ "$(cat "$tmp/out")" = "$1" ] || no "expected '$1', got '$(cat "$tmp/out")'"; }

S="$tmp/store"
cat > "$tmp/addresses.csv" <<'CSV'
customer_id,channel,address,verified_at,invalid
ana,email,ana@example.com,2024-01-01,
ana,sms,+5511999990000,2024-01-01,
bob,email,bob@example.com,2024-01-01,true
CSV
cat > "$tmp/consent.csv" <<'CSV'
customer_id,channel,state,timestamp,source
ana,email,granted,2024-01-01T00:00:00Z,form
ana,sms,denied,2024-01-01T00:00:00Z,call
bob,email,granted,2024-01-01T00:00:00Z,form
CSV
cat > "$tmp/contacts.csv" <<'CSV'
customer_id,timestamp,channel,campaign,stage,outcome
ana,2024-03-01T09:00:00Z,email,spring,0,sent
ana,2024-03-04T09:00:00Z,email,spring,1,sent
CSV
cat > "$tmp/profiles.csv" <<'CSV'
customer_id,timezone
ana,America/Sao_Paulo
CSV
for f in addresses consent contacts profiles; do
    run 0 import "$S" "$tmp/$f.csv" --format $f || exit 1
done

cat > "$tmp/policy.txt" <<'POLICY'
# two emails a week, three contacts of any kind
cap email 2 per 7d
cap all 3 per 7d
cap push 0 per 7d
quiet 21:00-08:00          # in the customer's zone
POLICY
P="$tmp/policy.txt"

# the oldest email leaves the window on 2024-03-08T09:00Z, which is 06:00
# in Sao Paulo: quiet hours end at 08:00 local = 11:00Z
run 0 policy "$S" "$P" --customer ana --channel email --at 2024-03-05T15:00:00Z && \
    out "defer 2024-03-08T11:00:00Z"
run 0 policy "$S" "$P" --customer ana --channel email --at 2024-03-08T12:00:00Z && out "allow"
# 21:30 in Sao Paulo (-03) is quiet: until 08:00 local = 11:00Z
run 0 policy "$S" "$P" --customer ana --channel email --at 2024-03-09T00:30:00Z && \
    out "defer 2024-03-09T11:00:00Z"
run 0 policy "$S" "$P" --customer ana --channel sms --at 2024-03-08T12:00:00Z && \
    out "deny consent: sms marketing consent denied at 2024-01-01T00:00:00Z"
run 0 policy "$S" "$P" --customer bob --channel email --at 2024-03-08T12:00:00Z && \
    out "deny invalid: the email address is marked invalid"
run 0 policy "$S" "$P" --customer ana --channel push --at 2024-03-08T12:00:00Z && \
    out "deny address: the profile has no push address"
# transactional mail: not capped, not quiet, even with a cap of 0
run 0 policy "$S" "$P" --customer ana --channel email --at 2024-03-05T23:59:00Z \
    --class transactional && out "allow"

# --record: allowed and recorded; the next request defers
run 0 policy "$S" "$P" --customer ana --channel email --at 2024-03-08T12:00:00Z --record \
    --campaign offer --unit sales && out "allow"
run 0 policy "$S" "$P" --customer ana --channel email --at 2024-03-08T13:00:00Z && \
    out "defer 2024-03-11T11:00:00Z"
run 0 policy "$S" "$P" --customer ana --channel email --at 2024-03-08T13:00:00Z --explain && {
    grep -q '"verdict":"defer","until":"2024-03-11T11:00:00Z","rule":"quiet_hours"' "$tmp/out" ||
        no "explain: $(cat "$tmp/out")"
    grep -q '"text":"cap email 2 per 7d","verdict":"defer","until":"2024-03-11T09:00:00Z"' \
        "$tmp/out" || no "explain cap: $(cat "$tmp/out")"
    grep -q '"zone":"America/Sao_Paulo"' "$tmp/out" || no "explain zone: $(cat "$tmp/out")"
}

# errors: usage, unknown customer, policy syntax with line and column, a
# missing store (1, as for every verb); an unreadable policy file (2)
run 1 policy "$S" "$P" --customer ana --channel email
run 1 policy "$S" "$P" --customer ana --channel email --at yesterday
run 1 policy "$S" "$P" --customer ana --channel email --at 2024-03-08T12:00:00Z --class spam
run 1 policy "$S" "$P" --customer nobody --channel email --at 2024-03-08T12:00:00Z
printf 'cap email 2 per 7d\ncap email two per 7d\n' > "$tmp/bad.txt"
run 1 policy "$S" "$tmp/bad.txt" --customer ana --channel email --at 2024-03-08T12:00:00Z && {
    grep -q 'line 2, column 11' "$tmp/err" || no "syntax error position: $(cat "$tmp/err")"
}
run 2 policy "$S" "$tmp/missing.txt" --customer ana --channel email --at 2024-03-08T12:00:00Z
run 1 policy "$tmp/nostore" "$P" --customer ana --channel email --at 2024-03-08T12:00:00Z

[ "$fail" -eq 0 ] && echo "tools-policy: ok"
exit $fail
