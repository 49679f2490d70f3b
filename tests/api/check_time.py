#!/usr/bin/python3
"""Cross-checks libdbm's time functions against Python's datetime, an
independent implementation of the proleptic Gregorian calendar.

Usage: check_time.py TIME_ORACLE [COUNT]
Random date-times across 0001-9999 in every accepted spelling (T/space,
with and without seconds and fractions, Z/+HH:MM/-HHMM offsets, compact
dates, epoch seconds) are parsed by libdbm and compared with datetime's
value; random epoch seconds are formatted and compared with datetime's
isoformat(). Random out-of-range dates (Feb 29 of common years, day 31 of
short months) must be refused."""
import datetime
import random
import subprocess
import sys

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MIN_T = -62135596800
MAX_T = 253402300799


def seconds(dt):
    delta = dt - EPOCH
    return delta.days * 86400 + delta.seconds


def main():
    oracle = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    rng = random.Random(20240601)
    requests, expected = [], []

    for _ in range(count):
        t = rng.randint(MIN_T, MAX_T)
        dt = EPOCH + datetime.timedelta(seconds=t)
        requests.append("F %d" % t)
        expected.append("0 %04d-%02d-%02dT%02d:%02d:%02dZ" % (
            dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second))
        requests.append("D %d" % t)
        expected.append("0 %04d-%02d-%02d" % (dt.year, dt.month, dt.day))
        # A bare 8-digit number is a compact date: such epochs take a leading 0.
        requests.append("P %s" % ("0%d" % t if 10**7 <= t < 10**8 else "%d" % t))
        expected.append("0 %d" % t)

        # A local wall time with a random offset; keep the UTC instant in range.
        offset_min = rng.randint(-(23 * 60 + 59), 23 * 60 + 59)
        tz = datetime.timezone(datetime.timedelta(minutes=offset_min))
        local = dt.astimezone(tz) if MIN_T + 86400 < t < MAX_T - 86400 else dt
        if local.tzinfo is not tz:
            offset_min = 0
        sign = "-" if offset_min < 0 else "+"
        oh, om = divmod(abs(offset_min), 60)
        zone = rng.choice(["%s%02d:%02d" % (sign, oh, om), "%s%02d%02d" % (sign, oh, om)])
        if offset_min == 0:
            zone = rng.choice(["Z", "z", "", "+00:00", "-0000"])
        sep = rng.choice(["T", " ", "t"])
        frac = rng.choice(["", "." + str(rng.randint(0, 999)).zfill(3),
                           "." + str(rng.randint(0, 10**9 - 1)).zfill(9)])
        text = "%04d-%02d-%02d%s%02d:%02d:%02d%s%s" % (
            local.year, local.month, local.day, sep, local.hour, local.minute,
            local.second, frac, zone)
        requests.append("P " + text)
        expected.append("0 %d" % t)
        # Without seconds: the minute's start.
        text = "%04d-%02d-%02dT%02d:%02d%s" % (
            local.year, local.month, local.day, local.hour, local.minute, zone)
        requests.append("P " + text)
        expected.append("0 %d" % (t - local.second))
        # Dates, long and compact: midnight UTC.
        midnight = seconds(datetime.datetime(dt.year, dt.month, dt.day,
                                             tzinfo=datetime.timezone.utc))
        requests.append("P %04d-%02d-%02d" % (dt.year, dt.month, dt.day))
        expected.append("0 %d" % midnight)
        requests.append("P %04d%02d%02d" % (dt.year, dt.month, dt.day))
        expected.append("0 %d" % midnight)

        # An impossible date must be refused.
        year = rng.randint(1, 9999)
        month = rng.randint(1, 12)
        bad_day = {2: 29 if (year % 4 or (year % 100 == 0 and year % 400)) else 30,
                   4: 31, 6: 31, 9: 31, 11: 31}.get(month, 32)
        requests.append("P %04d-%02d-%02d" % (year, month, bad_day))
        expected.append("-7 0")

    proc = subprocess.run([oracle], input="\n".join(requests) + "\n",
                          capture_output=True, text=True, check=True)
    got = proc.stdout.splitlines()
    if len(got) != len(requests):
        print("oracle answered %d of %d requests" % (len(got), len(requests)))
        return 1
    bad = [(r, e, g) for r, e, g in zip(requests, expected, got) if e != g]
    for r, e, g in bad[:20]:
        print("MISMATCH %r: libdbm %r, datetime %r" % (r, g, e))
    print("%d requests, %d mismatches" % (len(requests), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
