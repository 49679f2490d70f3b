#!/bin/sh
# Usage: check.sh CRM_NIGHTLY EXAMPLES_DIR SCRATCH_DIR
# Runs the nightly job as operations would: the first night on a new store
# (CDNOW history + the day's feed), the next night with the same feed
# delivered again, then with bad input and an unusable store. Fails when
# the job fails its own checks, when the redelivered feed is counted again,
# when an action id reaches the outbox twice, or when an error does not
# give its documented exit status.
set -eu
job=$1 examples=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
store=$scratch/crm.store
outbox=$scratch/outbox.csv
feed=$examples/crm-nightly/day_feed.csv
set -- --history "$examples/data/cdnow_sample.txt" --policy "$examples/cruise/cruise.policy" \
    --campaign "$examples/crm-nightly/winback.campaign" --outbox "$outbox" --threads 2

fail() { echo "check.sh: $*"; exit 1; }

# expect_line FILE TEXT: the summary holds a line containing TEXT.
expect_line() { grep -F -q -e "$2" "$1" || fail "$1 lacks '$2'"; }

# expect_status N OUTPUT COMMAND...: COMMAND exits with N.
expect_status() {
    want=$1 out=$2
    shift 2
    if "$@" > "$out" 2>&1; then got=0; else got=$?; fi
    [ "$got" = "$want" ] || { cat "$out"; fail "exit $got, expected $want: $*"; }
}

echo "== night 1: a new store, the CDNOW history, the day's feed"
expect_status 0 "$scratch/night1.txt" "$job" "$store" "$feed" --now 1998-07-02T13:00:00Z "$@"
cat "$scratch/night1.txt"
expect_line "$scratch/night1.txt" "history      6919 purchases of 2357 customers"
expect_line "$scratch/night1.txt" "purchases imported 17, refunds imported 1, duplicates ignored 1, rows out of order 1, new customers 3"
expect_line "$scratch/night1.txt" "customers    2360 (0 before tonight)"
expect_line "$scratch/night1.txt" ", 0 failed"

echo "== night 2: the same feed delivered again, the next morning"
expect_status 0 "$scratch/night2.txt" "$job" "$store" "$feed" --now 1998-07-03T00:00:00Z "$@"
cat "$scratch/night2.txt"
expect_line "$scratch/night2.txt" "store $store (reopened)"
expect_line "$scratch/night2.txt" "purchases imported 0, refunds imported 0, duplicates ignored 19,"
expect_line "$scratch/night2.txt" "customers    2360 (2360 before tonight)"
expect_line "$scratch/night2.txt" ", 0 failed"
if grep -q history "$scratch/night2.txt"; then fail "night 2 loaded the history again"; fi

# Every action the two nights handed out went to the outbox once.
[ -s "$outbox" ] || fail "no action reached the outbox"
dups=$(cut -d, -f1 "$outbox" | sort | uniq -d)
[ -z "$dups" ] || fail "action ids in the outbox twice: $dups"
echo "outbox: $(wc -l < "$outbox") actions, each id once"

echo "== bad input: exit 1, nothing of the feed imported"
printf 'customer_id,timestamp,amount,transaction_id\nN90009,1998-07-02T10:00:00Z,10.00,WEB-X-1\nN90009,1998-07-02T11:00:00Z,ten,WEB-X-2\n' \
    > "$scratch/bad.csv"
expect_status 1 "$scratch/bad.txt" "$job" "$store" "$scratch/bad.csv" --now 1998-07-03T00:00:00Z
expect_line "$scratch/bad.txt" "bad.csv:3: amount: bad number 'ten'"
head -n 2 "$scratch/bad.csv" > "$scratch/good.csv"
expect_status 0 "$scratch/good.txt" "$job" "$store" "$scratch/good.csv" --now 1998-07-03T00:00:00Z
expect_line "$scratch/good.txt" "purchases imported 1, refunds imported 0, duplicates ignored 0,"
printf 'campaign broken\nstage x channel email content y class nonsense\n' > "$scratch/broken.campaign"
expect_status 1 "$scratch/broken.txt" "$job" "$store" "$scratch/good.csv" --now 1998-07-03T00:00:00Z \
    --campaign "$scratch/broken.campaign"
expect_line "$scratch/broken.txt" "broken.campaign: "
expect_status 1 "$scratch/usage.txt" "$job" "$store"
expect_line "$scratch/usage.txt" "usage: crm-nightly"
expect_status 1 "$scratch/when.txt" "$job" "$store" "$feed" --now yesterday
expect_line "$scratch/when.txt" "--now: bad time 'yesterday'"

echo "== store and I/O errors: exit 2"
: > "$scratch/not-a-directory"
expect_status 2 "$scratch/store.txt" "$job" "$scratch/not-a-directory" "$feed" --now 1998-07-03T00:00:00Z
expect_line "$scratch/store.txt" "open store $scratch/not-a-directory: "
# Another writer (here flock(1) holding the store's lock, as a second job
# would) makes the job refuse to start rather than share the store.
if command -v flock > /dev/null && [ -f "$store/LOCK" ]; then
    expect_status 2 "$scratch/locked.txt" flock "$store/LOCK" \
        "$job" "$store" "$feed" --now 1998-07-03T00:00:00Z
    expect_line "$scratch/locked.txt" "open store $store: "
    cat "$scratch/locked.txt"
else
    echo "(no flock(1) or no LOCK file: the locked-store case is not run)"
fi
expect_status 2 "$scratch/nofeed.txt" "$job" "$store" "$scratch/missing.csv" --now 1998-07-03T00:00:00Z
expect_line "$scratch/nofeed.txt" "cannot read $scratch/missing.csv"
cat "$scratch/bad.txt" "$scratch/broken.txt" "$scratch/store.txt" "$scratch/nofeed.txt"
echo "crm-nightly: every night and every error behaved"
