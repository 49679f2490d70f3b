"""Independent check of the RFM quantile rule (docs/rfm.md) with numpy.

For each column, a value's score is 1 + floor(L * bins / n) where L is the
number of values strictly worse than it (recency: larger is worse;
frequency, monetary: smaller is worse). numpy computes L with a sorted
array and searchsorted; the library uses selection and boundaries. The data
are random, with and without ties. Usage: check_rfm_reference.py TOOL
"""
import os
import subprocess
import sys
import tempfile

import numpy as np


def reference(values, bins, smaller_is_better):
    keys = -values if smaller_is_better else values
    ordered = np.sort(keys)
    worse = np.searchsorted(ordered, keys, side="left")
    return worse * bins // len(values) + 1


def run_case(tool, rng, n, bins, ties):
    if ties:
        rec = rng.integers(0, 90, n).astype(float)
        freq = np.where(rng.random(n) < 0.6, 1.0, rng.integers(1, 12, n).astype(float))
        mon = np.round(rng.gamma(2.0, 30.0, n), 0)
    else:
        rec = rng.random(n) * 365.0
        freq = rng.permutation(n).astype(float) + 1.0
        mon = rng.gamma(2.0, 30.0, n)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("%d %d\n" % (n, bins))
        for row in zip(rec, freq, mon):
            f.write("%r %r %r\n" % tuple(float(x) for x in row))
        path = f.name
    try:
        out = subprocess.run([tool, path], check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    got = np.array([[int(x) for x in line.split()] for line in out.splitlines()])
    want = np.stack([reference(rec, bins, True), reference(freq, bins, False),
                     reference(mon, bins, False)], axis=1)
    bad = np.nonzero((got != want).any(axis=1))[0]
    if len(bad):
        i = bad[0]
        print("n=%d bins=%d ties=%d: %d customers differ, first %d: got %s want %s (values %r %r %r)"
              % (n, bins, ties, len(bad), i, got[i], want[i], rec[i], freq[i], mon[i]))
        return False
    return True


def main():
    tool = sys.argv[1]
    rng = np.random.default_rng(20240611)
    ok = True
    for n, bins, ties in [(1, 5, 0), (4, 5, 1), (1000, 5, 1), (1000, 5, 0), (5003, 7, 1),
                          (5003, 3, 0), (30000, 5, 1), (30000, 10, 0), (12345, 100, 1)]:
        ok = run_case(tool, rng, n, bins, ties) and ok
    print("rfm reference check:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
