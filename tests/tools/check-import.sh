#!/bin/sh
# Usage: check-import.sh DBMTOOL STORE_CHECK
# dbmtool import, every format: good files land with the expected values
# (read back through the public API by store-check); files with bad rows
# exit 1, name every bad row as FILE:LINE, and leave the store exactly as it
# was (all or nothing); duplicated transaction ids count once; an
# out-of-order file gives the same store as the sorted one; a missing file
# and a store locked by another writer exit 2.
set -u
tool=$1 check=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAILED: $*"; fail=1; }
DUMP_ARGS="--attr name --attr age --attr score --attr vip --attr signup --attr city
 --channel email --channel sms --event cart_abandoned --event lease_end_updated"

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
dump() { "$check" dump "$1" $DUMP_ARGS; }
# has FILE TEXT : FILE contains the fixed line TEXT.
has() { grep -qxF -- "$2" "$1" || { no "missing line: $2"; echo "--- in:"; cat "$1"; }; }

S="$tmp/store"

# ---- purchases -----------------------------------------------------------
cat > "$tmp/purchases.csv" <<'CSV'
customer_id,timestamp,amount,transaction_id
c1,2024-01-05,10.50,t1
c1,2024-01-05T10:00:00Z,5.25,t2
c1,2024-01-05T10:00:00+02:00,-3.00,t3
c2,1704412800,99.99,
c2,20240110,0.01,t9
c1,2024-01-05,10.50,t1
"c,3",2024-02-01 08:00:00,1,x
c4,2024-03-01,0.005,
c4,2024-03-02,2.994,
CSV
if run 0 import "$S" "$tmp/purchases.csv" --format purchases; then
    grep -q '^{"format":"purchases","rows":9,"customers":4,"new_profiles":4,"duplicates":1,"suppressed":0,' "$tmp/out" ||
        no "purchases summary: $(cat "$tmp/out")"
    [ -s "$tmp/err" ] && no "successful import wrote to stderr: $(cat "$tmp/err")"
fi
dump "$S" > "$tmp/d"
has "$tmp/d" "profiles 4"
# 2024-01-05 = 1704412800; the +02:00 refund is at 08:00Z the same day.
has "$tmp/d" "  purchases 2 days 1 total 1575 refunds 1 refund_total -300 first 1704412800 last 1704448800"
has "$tmp/d" "  purchases 2 days 2 total 10000 refunds 0 refund_total 0 first 1704412800 last 1704844800"
has "$tmp/d" "customer c,3"
# Half away from zero: 0.005 -> 1 cent, 2.994 -> 299 cents.
has "$tmp/d" "  purchases 2 days 2 total 300 refunds 0 refund_total 0 first 1709251200 last 1709337600"

# The same rows in reverse order (and the duplicate first) into a new
# store: the same store.
{ head -n 1 "$tmp/purchases.csv"; tail -n +2 "$tmp/purchases.csv" | sed -n '1!G;h;$p'; } > "$tmp/reversed.csv"
run 0 import "$tmp/store-reversed" "$tmp/reversed.csv" --format purchases
dump "$tmp/store-reversed" > "$tmp/d2"
cmp -s "$tmp/d" "$tmp/d2" || { no "out-of-order import differs"; diff "$tmp/d" "$tmp/d2"; }

# Delivering the same transactions again: nothing new counts (rows without
# a transaction id do count again).
grep -e ',t[0-9]$' -e '^customer_id' "$tmp/purchases.csv" > "$tmp/again.csv"
run 0 import "$S" "$tmp/again.csv" --format purchases
grep -q '"rows":5,"customers":2,"new_profiles":0,"duplicates":5,' "$tmp/out" ||
    no "re-delivered transactions: $(cat "$tmp/out")"
dump "$S" > "$tmp/d2"
cmp -s "$tmp/d" "$tmp/d2" || { no "re-delivered transactions changed the store"; diff "$tmp/d" "$tmp/d2"; }

# ---- profiles --------------------------------------------------------------
printf '%s\n' 'customer_id,name,age:int,score:double,vip:bool,signup:time,city:string' \
    'c1,Ana,34,0.75,true,2023-05-01,"São Paulo"' \
    'c2,,,,,,' \
    'c5,"Bob ""B""",-1,1e3,no,2023-05-01T12:00:00-03:00,' > "$tmp/profiles.csv"
run 0 import "$S" "$tmp/profiles.csv" --format profiles &&
    { grep -q '"rows":3,"customers":3,"new_profiles":1,' "$tmp/out" || no "profiles summary: $(cat "$tmp/out")"; }
dump "$S" > "$tmp/d"
has "$tmp/d" "profiles 5"
has "$tmp/d" "  attr name string Ana"
has "$tmp/d" "  attr age int 34"
has "$tmp/d" "  attr score double 0.75"
has "$tmp/d" "  attr vip bool 1"
has "$tmp/d" "  attr signup time 1682899200"
has "$tmp/d" "  attr city string São Paulo"
has "$tmp/d" '  attr name string Bob "B"'
has "$tmp/d" "  attr age int -1"
has "$tmp/d" "  attr score double 1000"
has "$tmp/d" "  attr vip bool 0"
has "$tmp/d" "  attr signup time 1682953200"
# 6 attributes of c1, 5 of c5 (empty city), none of c2.
[ "$(grep -c '^  attr' "$tmp/d")" -eq 11 ] || no "profiles: empty cells set attributes"

# ---- consent ---------------------------------------------------------------
printf '%s\n' 'customer_id,channel,state,timestamp,source,purpose,wording_version' \
    'c1,email,granted,2024-01-01,web-form,,v1' \
    'c1,email,denied,2024-02-01,unsubscribe-link,,' \
    'c1,sms,granted,2024-01-01,pos,receipts,v2' > "$tmp/consent.csv"
run 0 import "$S" "$tmp/consent.csv" --format consent
dump "$S" > "$tmp/d"
has "$tmp/d" "  channel email marketing-consent 2 at 1706745600"
has "$tmp/d" "  consent email marketing 1 1704067200 web-form v1"
has "$tmp/d" "  consent email marketing 2 1706745600 unsubscribe-link -"
has "$tmp/d" "  consent sms receipts 1 1704067200 pos v2"

# ---- contacts --------------------------------------------------------------
printf '%s\n' 'customer_id,timestamp,channel,campaign,stage,outcome' \
    'c1,2024-03-01T09:00Z,email,spring,0,sent' \
    'c1,2024-03-01T10:00Z,email,spring,0,opened' \
    'c2,2024-03-01T09:00Z,sms,spring,1,sent' > "$tmp/contacts.csv"
run 0 import "$S" "$tmp/contacts.csv" --format contacts
dump "$S" > "$tmp/d"
has "$tmp/d" "  contacts 2 1 0 1 0 0 0 0 0 0"
has "$tmp/d" "  contacts 1 1 0 0 0 0 0 0 0 0"

# ---- events ----------------------------------------------------------------
printf '%s\n' 'customer_id,name,timestamp,value' \
    'c1,cart_abandoned,2024-03-01,59.90' \
    'c1,cart_abandoned,2024-03-02,' \
    'c6,lease_end_updated,2024-03-03,1' > "$tmp/events.csv"
run 0 import "$S" "$tmp/events.csv" --format events
dump "$S" > "$tmp/d"
has "$tmp/d" "profiles 6"
has "$tmp/d" "  event cart_abandoned 2"
has "$tmp/d" "  event lease_end_updated 1"

# ---- addresses -------------------------------------------------------------
printf '%s\n' 'customer_id,channel,address,verified_at,invalid' \
    'c1,email,ana@example.com,2024-01-01,' \
    'c2,sms,+5511999990000,,true' \
    'c7,email,x@example.com,2023-01-01,false' > "$tmp/addresses.csv"
run 0 import "$S" "$tmp/addresses.csv" --format addresses
dump "$S" > "$tmp/d"
has "$tmp/d" "  channel email address ana@example.com verified 1704067200 invalid 0"
has "$tmp/d" "  channel sms address +5511999990000 verified 0 invalid 1"
has "$tmp/d" "  channel email address x@example.com verified 1672531200 invalid 0"

# ---- cdnow (a small log in the distributed layout) ---------------------------
printf ' 00001 0001 19970101 1  11.77\r\n 00002 0002 19970112 2  89.00\r\n 00002 0002 19970112 1  1.00\r\n' > "$tmp/cdnow.txt"
run 0 import "$S" "$tmp/cdnow.txt" --format cdnow
dump "$S" > "$tmp/d"
has "$tmp/d" "customer 2"
has "$tmp/d" "  purchases 2 days 1 total 9000 refunds 0 refund_total 0 first 853027200 last 853027200"

# ---- bad rows: exit 1, every bad line listed, the store unchanged -----------
dump "$S" > "$tmp/before"
# bad_file FORMAT NAME LINES... : the file $tmp/NAME must fail on exactly LINES.
bad_file() {
    format=$1 name=$2; shift 2
    run 1 import "$S" "$tmp/$name" --format "$format" || return
    for line in "$@"; do
        grep -q "^$tmp/$name:$line: " "$tmp/err" || no "$name: line $line not reported"
    done
    listed=$(grep -c "^$tmp/$name:[0-9]*: " "$tmp/err")
    [ "$listed" -eq $# ] || { no "$name: $listed lines reported, expected $#"; cat "$tmp/err"; }
    grep -q "nothing was imported" "$tmp/err" || no "$name: no final message"
    [ -s "$tmp/out" ] && no "$name: failed import wrote to stdout"
    dump "$S" > "$tmp/after"
    cmp -s "$tmp/before" "$tmp/after" || { no "$name: the store changed"; diff "$tmp/before" "$tmp/after" | head; }
}
printf 'customer_id,timestamp,amount,transaction_id\nc1,2024-13-01,1.00,b1\nc1,2024-01-01,abc,b2\nc1,2024-01-01\nc1,2024-01-01,1.00,\377\nc9,2024-01-01,1.00,ok\nc1,2024-01-01,1e3,b6\n,2024-01-01,1,b7\nc1,2024-01-01,99999999999999999999,b8\n' > "$tmp/purchases-bad.csv"
bad_file purchases purchases-bad.csv 2 3 4 5 7 8 9
grep -q 'bad timestamp' "$tmp/err" || no "no 'bad timestamp' message"
grep -q 'not valid UTF-8' "$tmp/err" || no "no UTF-8 message"
printf 'customer_id,timestamp,channel,campaign,stage,outcome\nc1,2024-03-01,email,x,0,delivred\nc1,2024-03-01,email,x,-1,sent\nc8,2024-03-01,email,x,0,sent\nc1,2024-03-01,E-mail,x,0,sent\n' > "$tmp/contacts-bad.csv"
bad_file contacts contacts-bad.csv 2 3 5
grep -q "unknown outcome 'delivred'" "$tmp/err" || no "no unknown outcome message"
printf 'customer_id,age:int,vip:bool\nc1,x,true\nc8,1,maybe\nc9,2,false\n' > "$tmp/profiles-bad.csv"
bad_file profiles profiles-bad.csv 2 3
printf 'customer_id,channel,state,timestamp,source\nc1,email,maybe,2024-01-01,web\nc1,email,granted,2024-01-01,\nc8,email,granted,2024-01-01,web\nc1,email,granted,yesterday,web\n' > "$tmp/consent-bad.csv"
bad_file consent consent-bad.csv 2 3 5
printf 'customer_id,name,timestamp,value\nc1,x,2024-01-01,NaN\nc1,x,2024-02-30,1\nc8,x,2024-01-01,1\nc1,bad name,2024-01-01,1\n' > "$tmp/events-bad.csv"
bad_file events events-bad.csv 2 3 5
printf 'customer_id,channel,address,verified_at,invalid\nc1,email,a@b.c,,perhaps\nc8,email,a@b.c,,\nc1,Email!,a@b.c,,\nc1,email,a@b.c,2024-01-01T25:00,\n' > "$tmp/addresses-bad.csv"
bad_file addresses addresses-bad.csv 2 4 5
printf ' 00001 0001 1997-01-01 1 11.77\r\n 00003 0003 19970101 1\r\n 00004 0004 19970101 1 11.77\r\n 00005 0005 19970101 x 1.0\r\n' > "$tmp/cdnow-bad.txt"
bad_file cdnow cdnow-bad.txt 1 2 4
# A malformed CSV record (stray quote) and a wrong column count.
printf 'customer_id,timestamp,amount\nc1,2024-01-01,"1.00"x\nc1,2024-01-01,1,extra\n' > "$tmp/csv-bad.csv"
bad_file purchases csv-bad.csv 2 3

# More than 20 bad rows: 20 listed, then a count of the rest.
{ echo 'customer_id,timestamp,amount'; i=0; while [ $i -lt 25 ]; do echo "c$i,never,1"; i=$((i + 1)); done; } > "$tmp/many-bad.csv"
if run 1 import "$S" "$tmp/many-bad.csv" --format purchases; then
    [ "$(grep -c "^$tmp/many-bad.csv:[0-9]*: " "$tmp/err")" -eq 20 ] || no "many-bad: not 20 lines listed"
    grep -q '\.\.\. and 5 more bad rows' "$tmp/err" || no "many-bad: no count of the rest"
    grep -q '25 bad rows' "$tmp/err" || no "many-bad: no total"
fi

# Header problems: unknown, missing and duplicated columns; an empty file.
printf 'customer_id,when,amount\nc1,2024-01-01,1\n' > "$tmp/h1.csv"
run 1 import "$S" "$tmp/h1.csv" --format purchases && {
    grep -q "h1.csv:1: header: unknown column 'when'" "$tmp/err" || no "unknown column message"
    grep -q "missing column 'timestamp'" "$tmp/err" || no "missing column message"; }
printf 'customer_id,timestamp,amount,amount\n' > "$tmp/h2.csv"
run 1 import "$S" "$tmp/h2.csv" --format purchases &&
    { grep -q "appears twice" "$tmp/err" || no "duplicated column message"; }
: > "$tmp/empty.csv"
run 1 import "$S" "$tmp/empty.csv" --format events &&
    { grep -q "header row is required" "$tmp/err" || no "empty file message"; }
printf 'customer_id,name:money\n' > "$tmp/h3.csv"
run 1 import "$S" "$tmp/h3.csv" --format profiles &&
    { grep -q "unknown type 'money'" "$tmp/err" || no "unknown type message"; }
dump "$S" > "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || no "header errors changed the store"

# A header-only file imports nothing, successfully.
printf 'customer_id,timestamp,amount\r\n' > "$tmp/header-only.csv"
run 0 import "$S" "$tmp/header-only.csv" --format purchases &&
    { grep -q '"rows":0,"customers":0,"new_profiles":0,' "$tmp/out" || no "header-only summary"; }

# Standard input as FILE ("-").
printf 'customer_id,name,timestamp\nc1,stdin_event,2024-05-01\n' |
    "$tool" import "$S" - --format events > "$tmp/out" 2> "$tmp/err" || no "import from stdin"
grep -q '"rows":1,' "$tmp/out" || no "stdin summary: $(cat "$tmp/out")"
"$check" dump "$S" --event stdin_event | grep -qx '  event stdin_event 1' || no "stdin event missing"
dump "$S" > "$tmp/before"

# Progress: every 100,000 rows on stderr, only when stderr is a terminal.
awk 'BEGIN { print "customer_id,timestamp,amount,transaction_id";
             for (i = 0; i < 100001; i++) printf "p%d,2024-01-01,1,t%d\n", i % 1000, i }' > "$tmp/big.csv"
"$tool" import "$tmp/big-store" "$tmp/big.csv" --format purchases > "$tmp/out" 2> "$tmp/err" ||
    no "100,001-row import"
[ -s "$tmp/err" ] && no "progress written to a non-terminal stderr: $(cat "$tmp/err")"
if command -v script > /dev/null 2>&1; then
    rm -rf "$tmp/big-store"
    script -qec "'$tool' import '$tmp/big-store' '$tmp/big.csv' --format purchases > /dev/null" \
        /dev/null > "$tmp/tty" 2>&1 || no "import with a terminal: $(cat "$tmp/tty")"
    grep -q 'import: 100000 rows' "$tmp/tty" || no "no progress on a terminal: $(cat "$tmp/tty")"
else
    echo "note: util-linux script not found: progress on a terminal not checked"
fi

# ---- usage and I/O errors ------------------------------------------------------
run 1 import "$S" "$tmp/purchases.csv"
run 1 import "$S" "$tmp/purchases.csv" --format xml && { grep -q "unknown format 'xml'" "$tmp/err" || no "unknown format message"; }
run 1 import "$S" --format purchases
run 2 import "$tmp/new-store" "$tmp/no-such-file.csv" --format purchases &&
    { grep -q "no-such-file.csv: No such file or directory" "$tmp/err" || no "missing file message: $(cat "$tmp/err")"; }
[ -e "$tmp/new-store" ] && no "a missing file created a store"

# A store held by another writer: exit 2, and the holder's store untouched.
mkfifo "$tmp/hold-in"
"$check" hold "$S" < "$tmp/hold-in" > "$tmp/hold-out" &
holder=$!
exec 3> "$tmp/hold-in"
i=0
while [ $i -lt 100 ] && ! grep -q locked "$tmp/hold-out" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if grep -q locked "$tmp/hold-out"; then
    run 2 import "$S" "$tmp/purchases.csv" --format purchases &&
        { grep -qi "lock" "$tmp/err" || no "locked store message: $(cat "$tmp/err")"; }
else
    no "store-check hold did not lock the store"
fi
exec 3>&-
wait $holder || no "store-check hold failed"
dump "$S" > "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || no "the locked attempt changed the store"

[ $fail -eq 0 ] && echo "ok: dbmtool import, all formats"
exit $fail
