"""Pareto/NBD against a slow high-precision reference (mpmath, 30 digits).

The reference integrates the model's definition directly: a customer alive
at T contributes (a+T)^-(r+x) (b+T)^-s; one who died at tau in (t_x, T]
contributes s * integral (a+tau)^-(r+x) (b+tau)^-(s+1) dtau; both times
G(r+x) a^r b^s / G(r) (Fader, Hardie & Lee 2005, "A note on deriving the
Pareto/NBD model"). The library uses Gauss 2F1 series and, where they are
unsafe, Gauss-Kronrod quadrature; mpmath uses tanh-sinh quadrature at 30
digits, split into pieces of bounded dynamic range. P(X(t)=n) is checked the same way; E[Y(t)] against the closed form
evaluated at 40 digits.

The grid covers x = 0, large x, t_x = T, t_x just below T, T near 0 and
extreme parameters. Criterion: |ln L - ln L_ref| <= 1e-9 (relative error
of the likelihood) and relative error <= 1e-9 for the other values; never
NaN or infinite. Usage: check_paretonbd_reference.py TOOL
"""
import itertools
import math
import subprocess
import sys

import mpmath as mp

mp.mp.dps = 30

PARAMS = [
    (0.553, 10.578, 0.606, 11.669),     # CDNOW fit
    (0.01, 0.01, 0.01, 0.01),
    (50.0, 200.0, 20.0, 0.5),
    (0.5, 100.0, 2.0, 0.001),           # alpha >> beta: series argument near 1
    (2.0, 1.0, 0.5, 1.0),               # alpha == beta
    (1.0, 0.001, 5.0, 1000.0),          # alpha << beta
    (3.0, 5.0, 1.0, 4.0),               # s == 1
]
XS = [0, 1, 5, 50, 300]
TS = [1e-6, 0.5, 38.857142857142854, 500.0]


def pieces(lo, hi, a, rate):
    """Breakpoints for tanh-sinh on [lo, hi]: 8 equal pieces, geometric
    ones near 0 (for the u^n integrand), and one wherever (a+u)^-rate has
    fallen by another e^2 (up to e^-90, beyond which the rest is negligible
    at this precision), so every piece is smooth with a bounded range."""
    pts = set(mp.linspace(lo, hi, 9))
    if lo == 0:
        pts.update(hi * mp.mpf(2) ** -k for k in range(4, 24, 2))
    for k in range(1, 46):
        u = (a + lo) * mp.exp(mp.mpf(2 * k) / rate) - a
        if u >= hi:
            break
        pts.add(u)
    return sorted(pts)


def integral(f, lo, hi, a, rate):
    return mp.fsum(mp.quad(f, [u, v]) for u, v in zip(*(lambda p: (p[:-1], p[1:]))(pieces(lo, hi, a, rate))))


def reference(r, a, s, b, x, tx, T, t, n):
    r, a, s, b, x, tx, T, t = map(mp.mpf, (r, a, s, b, x, tx, T, t))
    alive = (a + T) ** (-(r + x)) * (b + T) ** (-s)
    if T > tx:
        dead = s * integral(lambda u: (a + u) ** (-(r + x)) * (b + u) ** (-(s + 1)), tx, T,
                            min(a, b), r + x + s + 1)
    else:
        dead = mp.mpf(0)
    ll = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(a) + s * mp.log(b) + mp.log(alive + dead)
    p_alive = alive / (alive + dead)
    if s == 1:
        factor = mp.log((b + T + t) / (b + T))
        factor_new = mp.log((b + t) / b)
    else:
        factor = (1 - ((b + T) / (b + T + t)) ** (s - 1)) / (s - 1)
        factor_new = (1 - (b / (b + t)) ** (s - 1)) / (s - 1)
    e_y = (r + x) * (b + T) / (a + T) * factor * p_alive
    e_new = r * b / a * factor_new
    coef = mp.exp(mp.loggamma(r + n) - mp.loggamma(r) - mp.loggamma(n + 1))
    p_n = (coef * (a / (a + t)) ** r * (t / (a + t)) ** n * (b / (b + t)) ** s
           + coef * a ** r * s * b ** s
           * integral(lambda u: u ** n * (a + u) ** (-(r + n)) * (b + u) ** (-(s + 1)),
                      0, t, min(a, b), r + s + 1))
    return ll, p_alive, e_y, e_new, p_n


def grid():
    for params, x, T in itertools.product(PARAMS, XS, TS):
        txs = [0.0] if x == 0 else [T / 3, T * (1 - 1e-7), T]
        for tx in txs:
            t = 39.0 if T > 1 else 0.75
            n = min(x, 7)
            yield params + (x, tx, T, t, n)


def main():
    tool = sys.argv[1]
    cases = list(grid())
    text = "".join(" ".join(repr(float(v)) if i != 8 else str(v) for i, v in enumerate(c)) + "\n"
                   for c in cases)
    out = subprocess.run([tool], input=text, check=True, capture_output=True, text=True).stdout
    rows = [list(map(float, line.split())) for line in out.splitlines()]
    assert len(rows) == len(cases), "tool printed %d rows for %d cases" % (len(rows), len(cases))
    names = ["ln L", "P(alive)", "E[Y(t)]", "E[X(t)] new", "P(X(t)=n)"]
    worst = [0.0] * 5
    failures = 0
    for case, got in zip(cases, rows):
        want = reference(*case)
        for k in range(5):
            g, w = got[k], want[k]
            if not math.isfinite(g):
                err = math.inf
            elif k == 0:
                err = float(abs(mp.mpf(g) - w))
            else:
                err = float(abs(mp.mpf(g) - w) / abs(w)) if w != 0 else abs(g)
            worst[k] = max(worst[k], err)
            if err > 1e-9:
                failures += 1
                if failures <= 15:
                    print("FAIL %s at r,a,s,b,x,t_x,T,t,n=%s: got %r want %s (err %.3g)"
                          % (names[k], case, g, mp.nstr(w, 20), err))
    print("pareto/nbd reference: %d cases; worst errors: %s" % (
        len(cases), ", ".join("%s %.2g" % (nm, e) for nm, e in zip(names, worst))))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
