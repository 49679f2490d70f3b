#!/usr/bin/python3
"""Cross-checks libdbm's time zones against Python's zoneinfo (stdlib,
Python >= 3.9), an independent reader of the same TZif files and an
independent implementation of the POSIX footer rules.

Usage: check_tz.py TZ_ORACLE [LIGHT_COUNT]

For the main zones (New York, Berlin, Sao Paulo, Lord Howe, Kathmandu,
UTC and a few zones with unusual rules) it compares:
  - the UTC offset at random instants over years 1..9999, densely over
    1850..2150, and at years far in the past and the future (footer rule);
  - every offset change libdbm reports from 1800 to 2400 (dbmi_tz_next_
    transition walk) against Python: the offset really changes there, and
    it is the same at both ends and at random points of each span;
  - the set of changes between 1900 and 2100 against the changes Python
    shows (found by daily sampling and bisection);
  - local date-time fields (date, time, weekday, second of day);
  - local -> UTC: the number of instants showing a wall time (0 in a gap,
    2 in an overlap) and the earliest/latest, around every change.
Every other zone of the system's zoneinfo gets LIGHT_COUNT random offsets.
"""
import datetime
import os
import random
import subprocess
import sys
import zoneinfo

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
MIN_T = -62135596800 + 3 * 86400     # 0001-01-04
MAX_T = 253402300799 - 3 * 86400     # 9999-12-28
WALK_FROM = -5364662400              # 1800-01-01
WALK_TO = 13569465600                # 2400-01-01

MAIN_ZONES = [
    "America/New_York", "Europe/Berlin", "America/Sao_Paulo",
    "Australia/Lord_Howe", "Asia/Kathmandu", "UTC",
    # Footer rules with negative or > 24 h transition times, negative DST,
    # southern hemisphere, +13:45.
    "America/Nuuk", "Asia/Jerusalem", "America/Santiago", "Europe/Dublin",
    "Pacific/Chatham", "Africa/Casablanca",
]


def py_offset(zone, t):
    dt = (EPOCH + datetime.timedelta(seconds=t)).astimezone(zone)
    off = dt.utcoffset()
    return off.days * 86400 + off.seconds


def py_fields(zone, t):
    dt = (EPOCH + datetime.timedelta(seconds=t)).astimezone(zone)
    sod = dt.hour * 3600 + dt.minute * 60 + dt.second
    return "%d %d %d %d %d %d %d %d" % (dt.year, dt.month, dt.day, dt.hour,
                                        dt.minute, dt.second,
                                        dt.isoweekday() % 7, sod)


def py_local_to_utc(zone, local):
    """Instants t with t + offset(t) == local, from the offsets Python's
    fold=0/1 give for that wall time, each checked."""
    wall = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=local)
    found = set()
    for fold in (0, 1):
        off = wall.replace(tzinfo=zone, fold=fold).utcoffset()
        t = local - (off.days * 86400 + off.seconds)
        if py_offset(zone, t) == local - t:
            found.add(t)
    found = sorted(found)
    if not found:
        return "0 0 0"
    return "%d %d %d" % (len(found), found[0], found[-1])


class Oracle:
    def __init__(self, path):
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def batch(self, requests):
        """Sends every request, returns the answers in order."""
        out, _ = self.proc.communicate("".join(r + "\n" for r in requests))
        return out.splitlines()


def run_batch(path, requests):
    answers = Oracle(path).batch(requests)
    if len(answers) != len(requests):
        sys.exit("oracle answered %d of %d requests" % (len(answers), len(requests)))
    return answers


def py_changes(zone, start, stop):
    """Offset changes in [start, stop) found by sampling every 6 hours and
    bisecting each step where the offset differs."""
    changes = []
    step = 6 * 3600
    t, off = start, py_offset(zone, start)
    while t < stop:
        u = min(t + step, stop)
        off_u = py_offset(zone, u)
        if off_u != off:
            lo, hi = t, u          # offset(lo) == off, offset(hi) != off
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if py_offset(zone, mid) == off:
                    lo = mid
                else:
                    hi = mid
            changes.append(hi)
        t, off = u, off_u
    return changes


def main():
    oracle = sys.argv[1]
    light = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(8536)
    failures = []
    checks = 0

    def fail(msg):
        failures.append(msg)

    # 1. Walk every change from 1800 to 2400 in the main zones.
    walks = run_batch(oracle, ["W %s %d" % (z, WALK_FROM) for z in MAIN_ZONES])
    zone_changes = {}
    for name, line in zip(MAIN_ZONES, walks):
        if line.startswith("E "):
            fail("%s: failed to load (%s)" % (name, line))
            continue
        zone = zoneinfo.ZoneInfo(name)
        pairs = [tuple(map(int, item.split(":"))) for item in line.split()]
        zone_changes[name] = [t for t, _ in pairs]
        bounds = [WALK_FROM] + [t for t, _ in pairs] + [WALK_TO]
        offsets = [py_offset(zone, WALK_FROM)] + [o for _, o in pairs]
        for i, (t, off) in enumerate(pairs):
            checks += 1
            if py_offset(zone, t) != off or py_offset(zone, t - 1) == off:
                fail("%s: libdbm reports a change to %d at %d; python: %d before, %d at"
                     % (name, off, t, py_offset(zone, t - 1), py_offset(zone, t)))
        for i in range(len(bounds) - 1):
            lo, hi = bounds[i], bounds[i + 1]
            for t in [lo, hi - 1] + [rng.randrange(lo, hi) for _ in range(3)]:
                checks += 1
                if py_offset(zone, t) != offsets[i]:
                    fail("%s: python's offset at %d is %d, but libdbm's walk says %d "
                         "holds over [%d, %d)" % (name, t, py_offset(zone, t),
                                                  offsets[i], lo, hi))
        # The reverse direction: every change python shows in 1900-2100.
        start, stop = -2208988800, 4102444800
        want = py_changes(zone, start, stop)
        got = [t for t in zone_changes[name] if start < t < stop]
        checks += 1
        if want != got:
            fail("%s: changes 1900-2100 differ: python-only %s, libdbm-only %s"
                 % (name, sorted(set(want) - set(got))[:5],
                    sorted(set(got) - set(want))[:5]))

    # 2. Offsets, fields and local->UTC at random and chosen instants.
    requests, expected = [], []
    for name in MAIN_ZONES:
        zone = zoneinfo.ZoneInfo(name)
        instants = [rng.randint(MIN_T, MAX_T) for _ in range(1500)]
        instants += [rng.randint(-3786825600, 5680281600) for _ in range(1500)]
        for year in (1, 1000, 1800, 1901, 2037, 2038, 2200, 2201, 2500, 5000, 9999):
            base = int((datetime.datetime(year, 1, 5, tzinfo=UTC) - EPOCH).total_seconds())
            instants += [base + rng.randrange(0, 360 * 86400) for _ in range(20)]
        for t in zone_changes.get(name, []):
            instants += [t - 1, t, t + 1]
        for t in instants:
            requests.append("O %s %d" % (name, t))
            expected.append(str(py_offset(zone, t)))
            requests.append("F %s %d" % (name, t))
            expected.append(py_fields(zone, t))
        # Wall times around every change (gaps and overlaps) and at random.
        locals_ = []
        for t in zone_changes.get(name, []):
            before, after = py_offset(zone, t - 1), py_offset(zone, t)
            for wall in (t + before, t + after):
                locals_ += [wall - 1, wall, wall + 1, wall - 1800, wall + 1800]
        locals_ += [rng.randint(-3786825600, 5680281600) for _ in range(500)]
        for local in locals_:
            if MIN_T < local < MAX_T:
                requests.append("L %s %d" % (name, local))
                expected.append(py_local_to_utc(zone, local))

    # 3. Every other zone: random instants.
    skip = {"posixrules", "localtime", "Factory"}
    root = "/usr/share/zoneinfo"
    others = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("posix", "right")]
        for f in filenames:
            name = os.path.relpath(os.path.join(dirpath, f), root)
            if "." in name or name in skip or name in MAIN_ZONES:
                continue
            try:
                zone = zoneinfo.ZoneInfo(name)
            except Exception:
                continue
            others.append((name, zone))
    others.sort()
    for name, zone in others:
        for _ in range(light):
            t = rng.randint(-3786825600, 7258118400) if rng.random() < 0.7 \
                else rng.randint(MIN_T, MAX_T)
            requests.append("O %s %d" % (name, t))
            expected.append(str(py_offset(zone, t)))

    answers = run_batch(oracle, requests)
    for req, want, got in zip(requests, expected, answers):
        checks += 1
        if want != got:
            fail("%s: python %s, libdbm %s" % (req, want, got))

    print("%d checks over %d main zones and %d other zones" %
          (checks, len(MAIN_ZONES), len(others)))
    if failures:
        for msg in failures[:40]:
            print("FAIL", msg)
        print("%d failures" % len(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
