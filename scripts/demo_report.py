#!/usr/bin/env python3
"""Writes the demo's text report from the files dbmtool produced (standard
library only: the demo needs nothing but a fresh Debian with python3)."""
import csv
import json
import sys
from collections import Counter


def main(out):
    imported = json.load(open(f"{out}/import.json"))
    print("libdbm demo report: CDNOW 1/10 sample")
    print(f"imported {imported['rows']} purchases of {imported['customers']} customers")
    print()
    print("model fits on the 39-week calibration period (weeks):")
    for name in ("bgnbd", "pareto-nbd", "gamma-gamma"):
        fit = json.load(open(f"{out}/fit-{name}.json"))
        params = ", ".join(f"{k} = {v:.4g}" for k, v in fit["model"]["params"].items())
        print(f"  {name:12} {params}; LL = {fit['log_likelihood']:.1f}, "
              f"{fit['customers']} customers, {fit['seconds'] * 1000:.1f} ms")
    print()
    rows = list(csv.DictReader(open(f"{out}/scores.csv")))
    print("RFM segments:")
    for segment, n in Counter(r["rfm_segment"] for r in rows).most_common():
        print(f"  {segment:20} {n:5}  {100 * n / len(rows):5.1f}%")
    alive = [float(r["p_alive"]) for r in rows]
    print()
    print(f"P(alive) as of 1997-09-30: mean {sum(alive) / len(alive):.3f}; "
          f"{sum(p < 0.5 for p in alive)} customers below 0.5")
    print()
    print("top 5 customers by 12-month CLV:")
    for r in sorted(rows, key=lambda r: -float(r["clv"]))[:5]:
        print(f"  {r['customer_id']:>5}  CLV {float(r['clv']):8.2f}  P(alive) "
              f"{float(r['p_alive']):.3f}  segment {r['rfm_segment']}")
    print()
    print("calibration/holdout: mean repeat purchases in weeks 40-78, by calibration frequency")
    print("  x     customers  actual  predicted")
    for r in csv.DictReader(open(f"{out}/holdout.csv")):
        print(f"  {r['calibration_frequency']:5} {int(r['customers']):9}  {float(r['actual']):6.3f}"
              f"  {float(r['predicted']):9.3f}")
    print()
    print(f"HTML report (open in a browser, works offline): {out}/report.html")


if __name__ == "__main__":
    main(sys.argv[1])
