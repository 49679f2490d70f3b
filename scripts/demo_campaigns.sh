#!/bin/bash
# The campaign part of the demo (sourced by scripts/demo.sh with $dbmtool,
# $store and $out set): the three scenarios of examples/campaigns run with
# dbmtool campaign on a simulated clock, outcomes fed back after every run,
# and the spring offer's measurement exported for the report.
set -eu
campaigns=examples/campaigns

# run_days STORE CAMPAIGN ENTER TIME... : for each time, take the due
# actions (with ENTER = --enter, entering the segment at the first time)
# through the contact policy in $campaign_policy when it is set, append
# them to the campaign's CSV and acknowledge them as sent.
run_days() {
    local s=$1 c=$2 enter=$3 name
    name=$(basename "$c" .campaign)
    shift 3
    for t in "$@"; do
        "$dbmtool" campaign "$s" "$c" --now "$t" $enter ${campaign_policy:+--policy "$campaign_policy"} \
            > "$out/due.csv"
        enter=
        tail -n +2 "$out/due.csv" >> "$out/actions-$name.csv"
        # (the demo's customer ids hold no comma: the id is the first field)
        awk -F, -v t="$t" 'NR > 1 { print $1 ",sent," t }' "$out/due.csv" > "$out/outcomes.csv"
        "$dbmtool" campaign "$s" "$c" --now "$t" --record-outcome "$out/outcomes.csv" 2>/dev/null
    done
    echo "   $(wc -l < "$out/actions-$name.csv") actions handed out: $out/actions-$name.csv"
}

echo "== campaign 1: the spring offer to every CDNOW customer (mail, reminder, last chance)"
echo "   through the contact policy $policy"
# Everyone gets an offer expiring on 1997-10-31; a purchase within 60 days
# of the entry is a conversion, measured against a 10% holdout.
awk -F, 'NR > 1 { print $1 ",1997-10-31T00:00:00Z" }' "$out/summary.csv" |
    sed '1i customer_id,offer_expires:time' > "$out/offer.csv"
"$dbmtool" import "$store" "$out/offer.csv" --format profiles > /dev/null
# (14:00 UTC is 10:00 in New York: outside the policy's quiet hours)
campaign_policy=$policy
run_days "$store" "$campaigns/spring_offer.campaign" --enter 1997-10-01T14:00:00Z \
    1997-10-08T14:00:00Z 1997-10-29T14:00:00Z 1998-01-05T14:00:00Z
campaign_policy=
"$dbmtool" campaign "$store" "$campaigns/spring_offer.campaign" --report json \
    > "$out/campaign-stats.json"
"$dbmtool" campaign "$store" "$campaigns/spring_offer.campaign" --report csv |
    grep -E ',(entered_|converted_|uplift|due,|sent,|denied_by_)' | sed 's/^/   /'

echo "== campaigns 2 and 3: a cruise series and event-triggered sequences"
trips="$out/trips.store"
cat > "$out/trips.csv" <<'CSV'
customer_id,departure:time,return_date:time,lease_end:time
ana,1998-07-01T12:00:00Z,1998-07-08T12:00:00Z,
ben,1998-07-01T12:00:00Z,1998-07-08T12:00:00Z,
cid,,,1998-09-30T00:00:00Z
dee,,,
CSV
cat > "$out/trips-events.csv" <<'CSV'
customer_id,name,timestamp
ana,cruise_booked,1998-04-01T12:00:00Z
ben,cruise_booked,1998-06-11T12:00:00Z
cid,lease_end_updated,1998-04-01T12:00:00Z
dee,fraud_reported,1998-04-10T03:00:00Z
dee,birth_recorded,1998-04-05T12:00:00Z
CSV
"$dbmtool" import "$trips" "$out/trips.csv" --format profiles > /dev/null
"$dbmtool" import "$trips" "$out/trips-events.csv" --format events > /dev/null
days=()
for d in $(seq 0 2 200); do
    days+=("$(date -u -d "1998-04-01 12:00 UTC + $d days" +%Y-%m-%dT%H:%M:%SZ)")
done
for c in cruise_series lease_end fraud_alert new_baby; do
    run_days "$trips" "$campaigns/$c.campaign" "" "${days[@]}"
done
