"""What the Python binding costs on top of the C calls: per-call overhead
of scalar predictions against the bulk (numpy) path, row-by-row writes,
and building a DataFrame of scores. Prints figures; asserts nothing.

    LIBDBM_LIBRARY=build/lib/libdbm.so.1 PYTHONPATH=bindings/python \\
        python3 bindings/python/benchmarks/overhead.py
"""

import os
import time

import numpy as np

import libdbm

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "data",
                      "cdnow_sample.txt")
N = 1_000_000
SCALAR_CALLS = 20_000


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def load(store):
    with store.batch(), open(SAMPLE) as lines:
        for line in lines:
            _, customer, day, _, dollars = line.split()
            store.add_purchase(customer.lstrip("0"), day, float(dollars))


def main():
    store = libdbm.Store()
    seconds, _ = timed(lambda: load(store))
    print("add_purchase, CDNOW sample (6,919 rows, one batch): %.3f s, %.1f us/row"
          % (seconds, seconds / 6919 * 1e6))
    summary = libdbm.Summary(store, "1997-09-30")
    model = libdbm.Model("bgnbd").fit(summary.add_to(libdbm.Stats()))
    rng = np.random.default_rng(1)
    T = rng.uniform(1, 78, N)
    x = rng.integers(0, 20, N).astype(float)
    t_x = np.where(x > 0, rng.uniform(0, 1, N) * T, 0.0)
    for threads in (1, 2):
        seconds, _ = timed(lambda: model.p_alive(x, t_x, T, threads=threads))
        print("p_alive, numpy arrays of %d customers, threads=%d: %.3f s, %.1f ns/customer"
              % (N, threads, seconds, seconds / N * 1e9))
    seconds, _ = timed(lambda: [model.p_alive(float(x[i]), float(t_x[i]), float(T[i]))
                                for i in range(SCALAR_CALLS)])
    print("p_alive, one Python call per customer: %.1f us/call" % (seconds / SCALAR_CALLS * 1e6))
    seconds, scores = timed(lambda: libdbm.Scores(store, "1997-09-30", freq_model=model))
    frame_seconds, _ = timed(scores.to_frame)
    print("Scores of 2,357 customers: computed in %.3f s, to_frame %.3f s"
          % (seconds, frame_seconds))


if __name__ == "__main__":
    main()
