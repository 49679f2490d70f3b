#!/usr/bin/python3
"""Same-run comparison of libdbm's BG/NBD scoring with Python lifetimes 0.11.3
(vendored in /work/shared/peers/lifetimes, run as-is).

    bench_scoring_lifetimes.py LIFETIMES_DIR BENCH_SCORING [N]

Simulates N customers (default 1,000,000) from the BG/NBD story with numpy
(CDNOW-like parameters, ages uniform in 27-39 weeks), writes them to a
temporary file, then times on the same customers, one thread each:
P(alive), E[Y(39 weeks)], and stats build + fit (libdbm) against
BetaGeoFitter.conditional_probability_alive, .conditional_expected_number_
of_purchases_up_to_time and .fit (lifetimes). Prints seconds, customers/s
and the ratio. Exits 77 when lifetimes cannot be imported.
"""
import os
import struct
import subprocess
import sys
import tempfile
import time
import warnings

lifetimes_dir, tool = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
sys.path.insert(0, lifetimes_dir)
try:
    warnings.filterwarnings("ignore")
    import numpy as np
    import pandas as pd
    from lifetimes import BetaGeoFitter
except Exception as e:
    print("SKIP: lifetimes is not runnable (%s)" % e)
    sys.exit(77)

PARAMS = dict(r=0.242593, alpha=4.413532, a=0.792886, b=2.425753)


def simulate(count, seed=7):
    """Customers from the BG/NBD generative story: rate ~ Gamma(r, alpha),
    dropout ~ Beta(a, b); repeat purchases are the first min(N(T), K)
    Poisson arrivals, K ~ Geometric(p) counting the purchase after which
    the customer leaves; the last of x uniform arrival times is T times the
    largest of x uniforms among N(T)."""
    g = np.random.default_rng(seed)
    T = 27.0 + 12.0 * g.random(count)
    lam = g.gamma(PARAMS["r"], 1.0 / PARAMS["alpha"], count)
    p = g.beta(PARAMS["a"], PARAMS["b"], count)
    arrivals = g.poisson(lam * T)
    x = np.minimum(arrivals, g.geometric(p)).astype(float)
    tx = np.zeros(count)
    rep = x > 0
    # the x-th order statistic of N(T) uniforms on (0, T)
    tx[rep] = T[rep] * g.beta(x[rep], arrivals[rep] - x[rep] + 1)
    return x, tx, T


def best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


x, tx, T = simulate(n)
print("%d simulated customers, %.1f%% with repeat purchases" % (n, 100 * np.mean(x > 0)))
with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
    f.write(struct.pack("<q", n))
    for arr in (x, tx, T):
        f.write(np.ascontiguousarray(arr, dtype="<f8").tobytes())
    path = f.name
try:
    out = subprocess.run([tool, "--file", path], capture_output=True, text=True, check=True).stdout
finally:
    os.unlink(path)
ours = {k: float(v) for k, v in (line.split() for line in out.splitlines())}

bgf = BetaGeoFitter()
bgf.params_ = pd.Series(PARAMS)
theirs = {
    "p_alive": best_of(lambda: bgf.conditional_probability_alive(x, tx, T)),
    "expected_purchases": best_of(
        lambda: bgf.conditional_expected_number_of_purchases_up_to_time(39.0, x, tx, T)),
    "fit": best_of(lambda: BetaGeoFitter().fit(x, tx, T), repeat=1),
}
print("%-40s %12s %14s %12s %14s %8s" % ("step (1 thread)", "libdbm s", "libdbm cust/s",
                                         "lifetimes s", "lifetimes c/s", "ratio"))
for name, label, ours_s in (("p_alive", "P(alive)", ours["p_alive"]),
                            ("expected_purchases", "E[Y(39 weeks)]", ours["expected_purchases"]),
                            ("fit", "BG/NBD fit (libdbm: stats build + fit)",
                             ours["stats"] + ours["fit"])):
    t = theirs[name]
    print("%-40s %12.4f %14.0f %12.4f %14.0f %7.1fx" % (label, ours_s, n / ours_s, t, n / t,
                                                       t / ours_s))
