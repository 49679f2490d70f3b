#!/usr/bin/python3
"""BG/NBD and Gamma-Gamma against Python lifetimes (v0.11.3, vendored in
/work/shared/peers/lifetimes, run as an oracle, never copied).

- With fixed parameters (the published CDNOW fit), P(alive) and E[Y(t)]
  for every CDNOW customer, t in {1, 13, 52, 104} weeks: within 1e-8
  relative (lifetimes evaluates 2F1 with scipy in double precision).
- The fits on the CDNOW summary: the same parameters within 1e-4 relative
  (the optimisers stop at different tolerances).

Usage: check_bgnbd_lifetimes.py LIFETIMES_DIR DATA_DIR SCORE_TOOL
Skips (77) when lifetimes or its dependencies cannot be imported.
"""
import os
import subprocess
import sys
import warnings

lifetimes_dir, data_dir, tool = sys.argv[1:4]
csv = os.path.join(data_dir, "cdnow_customers_summary_with_transactions.csv")
if not os.path.exists(csv):
    print("SKIP: %s not found" % csv)
    sys.exit(77)
sys.path.insert(0, lifetimes_dir)
try:
    warnings.filterwarnings("ignore")
    import numpy as np
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
except Exception as e:  # ImportError and anything the vendored stack raises
    print("SKIP: lifetimes is not runnable here (%s); needs apt-get install -y "
          "python3-numpy python3-scipy python3-pandas python3-dill" % e)
    sys.exit(77)

PUBLISHED = (0.243, 4.414, 0.793, 2.426)
failures = 0
data = pd.read_csv(csv)
bgf = BetaGeoFitter()
bgf.params_ = pd.Series(dict(zip(["r", "alpha", "a", "b"], PUBLISHED)))
for t in (1.0, 13.0, 52.0, 104.0):
    out = subprocess.run([tool, data_dir] + [repr(v) for v in PUBLISHED] + [repr(t)],
                         capture_output=True, text=True, check=True).stdout
    ours = np.array([[float(v) for v in line.split()] for line in out.splitlines()])
    theirs_alive = bgf.conditional_probability_alive(data["x"], data["t_x"], data["T"])
    theirs_ey = bgf.conditional_expected_number_of_purchases_up_to_time(
        t, data["x"], data["t_x"], data["T"])
    for name, a, b in (("P(alive)", ours[:, 0], np.asarray(theirs_alive, dtype=float)),
                       ("E[Y(t)]", ours[:, 1], np.asarray(theirs_ey, dtype=float))):
        rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
        worst = int(np.argmax(rel))
        print("t=%5.1f %-8s %d customers, worst relative difference %.3g (customer %d: ours %.17g, "
              "lifetimes %.17g)" % (t, name, len(a), rel[worst], worst + 1, a[worst], b[worst]))
        if not np.all(rel <= 1e-8):
            failures += 1

# The fits on the same summary.
run = subprocess.run([tool, data_dir, "fit"], capture_output=True, text=True)
if run.returncode != 0:
    print("FAIL: %s fit exited %d: %s" % (tool, run.returncode, run.stderr))
    sys.exit(1)
fits = run.stdout.splitlines()
ours_bg = [float(v) for v in fits[0].split()]
ours_gg = [float(v) for v in fits[1].split()]
bgf_fit = BetaGeoFitter().fit(data["x"], data["t_x"], data["T"])
theirs = [bgf_fit.params_[k] for k in ("r", "alpha", "a", "b")]
print("BG/NBD fit: libdbm    r=%.6f alpha=%.6f a=%.6f b=%.6f" % tuple(ours_bg))
print("            lifetimes r=%.6f alpha=%.6f a=%.6f b=%.6f" % tuple(theirs))
for name, a, b in zip(("r", "alpha", "a", "b"), ours_bg, theirs):
    if abs(a - b) / b > 1e-4:
        print("FAIL %s: libdbm %.6f lifetimes %.6f" % (name, a, b))
        failures += 1
rep = data[data["x"] > 0]
ggf = GammaGammaFitter().fit(rep["x"], rep["zbar"])
theirs_gg = [ggf.params_[k] for k in ("p", "q", "v")]
print("Gamma-Gamma fit: libdbm    p=%.5f q=%.5f gamma=%.5f" % tuple(ours_gg))
print("                 lifetimes p=%.5f q=%.5f v=%.5f" % tuple(theirs_gg))
for name, a, b in zip(("p", "q", "gamma"), ours_gg, theirs_gg):
    if abs(a - b) / b > 1e-4:
        print("FAIL %s: libdbm %.5f lifetimes %.5f" % (name, a, b))
        failures += 1
sys.exit(1 if failures else 0)
