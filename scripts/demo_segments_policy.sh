#!/bin/bash
# The segment and contact-policy part of the demo (sourced by scripts/demo.sh
# with $dbmtool, $store and $out set, after the scores were written back):
# segment counts over the scored store, then addresses and consent for every
# customer and a few single policy checks that show allow, defer and deny.
set -eu

# Segments are evaluated as of the end of the calibration period, the day
# the scores are for (recency and the behaviour windows count back from it).
as_of=1997-10-01T00:00:00Z
echo "== segments over the scored profiles as of $as_of (docs/segments.md)"
: > "$out/segments.csv"
echo "expression,members" >> "$out/segments.csv"
for expr in \
    'rfm.segment in ("Champions","Loyal Customers") and p_alive > 0.8' \
    'p_alive < 0.3 and frequency >= 3' \
    'clv > 100 and recency_days < 60' \
    'purchases(last 90d) >= 2'; do
    count=$("$dbmtool" segment "$store" "$expr" --count --as-of "$as_of")
    printf '   %6s  %s\n' "$count" "$expr"
    printf '"%s",%s\n' "${expr//\"/\"\"}" "$count" >> "$out/segments.csv"
done

echo "== addresses and consent for every customer (synthetic: CDNOW has none)"
# Every customer gets an email address and a postal address verified on the
# day of the cohort's start; one in ten has declined email marketing.
awk -F, 'NR == 1 { print "customer_id,channel,address,verified_at,invalid"; next }
         { print $1 ",email,c" $1 "@example.com,1997-01-01,";
           print $1 ",direct_mail," $1 " Main Street,1997-01-01," }' \
    "$out/summary.csv" > "$out/addresses.csv"
awk -F, 'NR == 1 { print "customer_id,channel,state,timestamp,source,purpose,wording_version"; next }
         { print $1 ",email," ($1 % 10 == 0 ? "denied" : "granted") ",1997-01-01T12:00:00Z,web-form,,v1";
           print $1 ",direct_mail,granted,1997-01-01T12:00:00Z,order-form,,v1" }' \
    "$out/summary.csv" > "$out/consent.csv"
"$dbmtool" import "$store" "$out/addresses.csv" --format addresses > /dev/null
"$dbmtool" import "$store" "$out/consent.csv" --format consent > /dev/null

policy=examples/policies/shop.policy
echo "== contact policy checks ($policy; times in UTC, the customers live in New York)"
check() {
    printf '   customer %-4s %-11s at %s: %s\n' "$1" "$2" "$3" \
        "$("$dbmtool" policy "$store" "$policy" --customer "$1" --channel "$2" --at "$3" ${4:-})"
}
check 1 email 1997-10-01T14:00:00Z --record    # Wednesday 10:00 in New York
check 1 email 1997-10-01T15:00:00Z             # the day-long gap since the one just recorded
check 1 email 1997-10-02T01:00:00Z             # 21:00 in New York: quiet hours
check 10 email 1997-10-01T14:00:00Z            # declined email marketing
check 2 direct_mail 1997-10-05T14:00:00Z       # a Sunday
check 2 direct_mail 1998-02-02T15:00:00Z       # the address was last verified over a year ago
