#!/usr/bin/python3
"""BG/NBD P(alive) and E[Y(t)] against an independent slow reference.

The reference evaluates Fader, Hardie & Lee (2005) eqs. (11) and (10) in
mpmath at 60 significant digits, summing the 2F1 series term by term: the
series as written or, when it converges faster, the series after Euler's
transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A,C-B;C;z). Points where
neither converges within MAX_TERMS fall back to mpmath.hyp2f1 (its own
transformations) and are counted in the output.

The grid covers x = 0 .. 10,000, t_x = T, T near 0, t up to 520 weeks and
parameters from 1e-3 to 1e3. Pass: every library value finite and within
1e-9 relative of the reference.

Usage: check_bgnbd_reference.py EVAL_TOOL
"""
import itertools
import math
import subprocess
import sys

try:
    import mpmath
    from mpmath import mp, mpf
except ImportError:
    print("SKIP: python3-mpmath is not installed (apt-get install -y python3-mpmath)")
    sys.exit(77)

mp.dps = 50
MAX_TERMS = 20000
TOLERANCE = 1e-9

stats = {"direct": 0, "euler": 0, "mpmath.hyp2f1": 0}


def series_terms_needed(a, b, c, z):
    """Terms before the series' terms fall below 1e-70 of the first, from
    the log of the term ratios in floating point (cheap), or None."""
    a, b, c, z = float(a), float(b), float(c), float(z)
    log_term, peak, n, log_z = 0.0, 0.0, 0, math.log(z)
    while n < MAX_TERMS:
        num = abs((a + n) * (b + n))
        if num == 0:
            return n + 1, peak
        log_ratio = math.log(num) - math.log(abs((c + n) * (n + 1))) + log_z
        log_term += log_ratio
        peak = max(peak, log_term)
        n += 1
        if log_ratio < 0 and log_term < peak - 161:
            return n, peak
    return None


def sum_series(a, b, c, z, peak):
    """Direct summation, with enough digits for the largest term (peak =
    its natural log) to cancel and still leave 45 digits."""
    with mp.workdps(45 + int(max(peak, 0) / math.log(10)) + 5):
        a, b, c, z = mpf(a), mpf(b), mpf(c), mpf(z)
        total, term, n = mpf(1), mpf(1), 0
        eps = mpf(10) ** -(mp.dps - 2)
        while True:
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            total += term
            n += 1
            if term == 0 or (abs(term) < abs(total) * eps and
                             abs((a + n) * (b + n) / ((c + n) * (n + 1)) * z) < 1):
                return +total


def hyp2f1(a, b, c, z):
    direct = series_terms_needed(a, b, c, z)
    euler = series_terms_needed(c - a, c - b, c, z)
    if direct is not None and (euler is None or direct[0] <= euler[0]):
        stats["direct"] += 1
        return sum_series(a, b, c, z, direct[1])
    if euler is not None:
        stats["euler"] += 1
        return (1 - z) ** (c - a - b) * sum_series(c - a, c - b, c, z, euler[1])
    stats["mpmath.hyp2f1"] += 1
    return mpmath.hyp2f1(a, b, c, z)


def reference(r, alpha, a, b, x, tx, T, t):
    r, alpha, a, b, x, tx, T, t = map(mpf, (r, alpha, a, b, x, tx, T, t))
    odds = a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x) if x > 0 else mpf(0)
    p_alive = 1 / (1 + odds)
    z = t / (alpha + T + t)
    f = hyp2f1(r + x, b + x, a + b + x - 1, z)
    ey = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * f) * p_alive
    return p_alive, ey


def main():
    tool = sys.argv[1]
    params = list(itertools.product([1e-3, 0.243, 1e3],        # r
                                    [1e-3, 4.414, 1e3],        # alpha
                                    [1e-3, 0.793, 3.0, 1e3],   # a (never 1: a pole of the formula)
                                    [1e-3, 2.426, 1e3]))       # b
    customers = [(0, 0, 1e-3), (0, 0, 39), (1, 1e-3, 1e-3), (1, 0, 39), (2, 30.43, 38.86),
                 (5, 39, 39), (50, 20, 39), (10000, 39, 39), (10000, 1, 100)]
    horizons = [1.0, 52.0, 520.0]
    points = [p + c + (t,) for p in params for c in customers for t in horizons]
    text = "".join(" ".join(repr(v) for v in pt) + "\n" for pt in points)
    out = subprocess.run([tool], input=text, capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert len(lines) == len(points), (len(lines), len(points))
    worst = {"p_alive": (0.0, None), "E[Y]": (0.0, None)}
    failures = 0
    for pt, line in zip(points, lines):
        fields = line.split()
        got = [float(fields[0]), float(fields[1])]
        want = reference(*pt)
        for name, g, w in (("p_alive", got[0], want[0]), ("E[Y]", got[1], want[1])):
            if not (g == g) or g in (float("inf"), float("-inf")):
                print("FAIL %s not finite at r,alpha,a,b,x,t_x,T,t=%s: %s" % (name, pt, line))
                failures += 1
                continue
            if abs(w) < mpf("1e-290"):
                # below the double range (P(alive) ~ 1e-19989): 0 or a
                # denormal is the correctly rounded answer
                err = mpf(0) if abs(g) < 1e-290 else mpf(1)
            else:
                err = abs(mpf(g) - w) / abs(w)
            if err > worst[name][0]:
                worst[name] = (float(err), pt)
            if err > TOLERANCE:
                failures += 1
                if failures <= 30:
                    print("FAIL %s rel err %.3g at r,alpha,a,b,x,t_x,T,t=%s: got %r want %s"
                          % (name, err, pt, g, mpmath.nstr(w, 20)))
    print("%d points; 2F1 reference by %s" % (len(points), stats))
    for name, (err, pt) in worst.items():
        print("worst %s relative error %.3g at r,alpha,a,b,x,t_x,T,t=%s" % (name, err, pt))
    if failures:
        print("%d failures" % failures)
        sys.exit(1)


main()
