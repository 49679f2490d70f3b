#!/usr/bin/env python3
"""Usage: check_report_html.py DBMTOOL CDNOW_SAMPLE CAMPAIGN_EXPORT CAMPAIGN_FILE

`dbmtool report` on the shipped CDNOW sample plus hostile customers, segment
and campaign names. Parses the page with html.parser and checks, against
references computed here from `dbmtool score` / `dbmtool holdout` output and
the campaign export:
  - every chart is an <svg data-chart> with one mark per data point whose
    values equal the reference (R x F counts and means, segment sizes by the
    rule table, P(alive) histogram, holdout means, funnels, uplift);
  - the page is self-contained and inert: no script, no event handler, no
    src/href, no url(), a Content-Security-Policy; tags nest properly;
  - hostile strings show up as text, never as markup;
  - without --campaign-stats the page says "No campaign data";
  - the page draws the library's own measurement export (CAMPAIGN_EXPORT
    runs CAMPAIGN_FILE over a copy of the store through the public API);
  - bad inputs exit 1 (JSON errors with line and column), I/O errors 2, and
    a failed run leaves no page behind.
"""
import csv
import json
import math
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from html.parser import HTMLParser

import report_fixture as fx

VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "wbr"}
check = fx.check


class Page(HTMLParser):
    """A flat view of the page: charts with their marks and tooltip labels,
    tables as lists of rows, visible text, and what should not be there."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.charts, self.tables = [], [], []
        self.tags, self.bad, self.text = Counter(), [], []
        self.chart = None
        self.title = None   # text of the <title> being read inside a chart
        self.cell = None
        self.csp = False

    def _open(self, tag, attrs, closed):
        a = dict(attrs)
        self.tags[tag] += 1
        for name, value in attrs:
            if name.startswith("on") or name in ("src", "href", "xlink:href", "action"):
                self.bad.append(f"<{tag} {name}={value!r}>")
            if value and "url(" in value:
                self.bad.append(f"<{tag} {name}> uses url()")
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = "default-src 'none'" in a.get("content", "")
        if tag == "svg" and "data-chart" in a:
            self.chart = {"name": a["data-chart"], "marks": [], "labels": []}
            self.charts.append(self.chart)
        if self.chart is not None and "mark" in a.get("class", "").split():
            self.chart["marks"].append(a)
        if tag == "title" and self.chart is not None:
            self.title = []
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self.tables[-1].append([])
        if tag in ("td", "th"):
            self.cell = []
        if not closed and tag not in VOID:
            self.stack.append(tag)

    def handle_starttag(self, tag, attrs):
        self._open(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs, True)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.bad.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag == "svg":
            self.chart = None
        if tag == "title" and self.title is not None:
            self.chart["labels"].append("".join(self.title))
            self.title = None
        if tag in ("td", "th"):
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.title is not None:
            self.title.append(data)
        elif "style" not in self.stack and "head" not in self.stack:
            self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def parse(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    page.feed(raw)
    page.close()
    page.raw = raw
    page.visible = " ".join(" ".join(page.text).split())
    return page


def charts(page, name):
    return [c for c in page.charts if c["name"] == name]


def values(chart, series=None):
    return [float(m["data-value"]) for m in chart["marks"]
            if series is None or m.get("data-series") == series]


def table(page, first_header):
    for t in page.tables:
        if t and t[0] and t[0][0] == first_header:
            return t[1:]
    return []


def segment_of(r, f, m):
    for name, (r0, r1), (f0, f1), (m0, m1) in fx.SEGMENT_RULES:
        if r0 <= r <= r1 and f0 <= f <= f1 and m0 <= m <= m1:
            return name
    return fx.SEGMENT_FALLBACK


def check_inert(page):
    check(not page.bad, f"markup problems: {page.bad[:5]}")
    check(not page.stack, f"unclosed tags: {page.stack}")
    check(page.csp, "no Content-Security-Policy refusing external resources")
    for tag in ("script", "img", "iframe", "object", "embed", "link", "b"):
        check(page.tags[tag] == 0, f"a <{tag}> element in the page")
    check(re.search(r"<\s*(script|img)", page.raw, re.I) is None, "raw <script or <img in the page")


def check_scores(page, rows):
    grid = charts(page, "rfm-grid")
    if check(len(grid) == 1, "one rfm-grid chart"):
        counts = Counter((int(r["r_score"]), int(r["f_score"])) for r in rows)
        want = [counts[(r, f)] for r in range(5, 0, -1) for f in range(1, 6)]
        check(values(grid[0]) == want, f"R x F counts {values(grid[0])} != {want}")
        sums = Counter()
        for r in rows:
            sums[(int(r["r_score"]), int(r["f_score"]))] += float(r["monetary"])
        for rs, fs, n, mean in table(page, "R score"):
            key = (int(rs), int(fs))
            if counts[key]:
                check(abs(float(mean) - sums[key] / counts[key]) < 0.006,
                      f"mean monetary of R{rs} F{fs}: {mean}")
            else:
                check(mean == "", f"empty cell R{rs} F{fs} has a mean")

    seg = charts(page, "segment-sizes")
    if check(len(seg) == 1, "one segment-sizes chart"):
        want = Counter(segment_of(int(r["r_score"]), int(r["f_score"]), int(r["m_score"]))
                       for r in rows)
        got = dict(zip(seg[0]["labels"], values(seg[0])))
        check(got == {k: float(v) for k, v in want.items()},
              f"segment sizes {got} != {dict(want)}")

    hist = charts(page, "p-alive-histogram")
    if check(len(hist) == 1, "one p-alive-histogram chart"):
        bins = Counter(min(9, int(math.floor(float(r["p_alive"]) * 10))) for r in rows)
        want = [float(bins[b]) for b in range(10)]
        check(values(hist[0]) == want, f"P(alive) histogram {values(hist[0])} != {want}")

    best = sorted(rows, key=lambda r: -float(r["clv"]))[:10]
    shown = [r[0] for r in table(page, "customer")]
    check(shown == [r["customer_id"] for r in best],
          f"top customers {shown} != {[r['customer_id'] for r in best]}")
    for cid in fx.HOSTILE_IDS:
        check(cid in shown, f"hostile id {cid!r} not shown as text among the top customers")


def check_holdout(page, holdout_csv):
    hold = charts(page, "holdout")
    if not check(len(hold) == 1, "one holdout chart"):
        return
    rows = list(csv.DictReader(open(holdout_csv)))
    check(len(rows) == fx.BUCKETS, "holdout.csv has every bucket")
    for series, column in (("0", "actual"), ("1", "predicted")):
        want = [float(r[column]) for r in rows if r[column] != ""]
        got = values(hold[0], series)
        check(len(got) == len(want) and all(abs(a - b) < 1e-6 for a, b in zip(got, want)),
              f"holdout {column}: {got} != {want}")


def held_back(stage):
    """The non-zero counts that are not funnel steps, then the per-rule denials."""
    want = [(k, float(v)) for k, v in stage.items()
            if isinstance(v, (int, float)) and v != 0 and k not in fx.FUNNEL_STEPS]
    return want + [("denied: " + k, float(v)) for k, v in stage["denied_by"].items() if v]


def check_campaigns(page):
    stages = [s for c in fx.CAMPAIGNS for s in c["stages"]]
    funnels = charts(page, "campaign-funnel")
    if check(len(funnels) == len(stages), f"{len(funnels)} funnels for {len(stages)} stages"):
        for chart, stage in zip(funnels, stages):
            want = [(k, float(stage[k])) for k in fx.FUNNEL_STEPS if k in stage]
            check(list(zip(chart["labels"], values(chart))) == want,
                  f"funnel of {stage['stage']!r}: {chart['labels']} {values(chart)}")
    held = charts(page, "campaign-held-back")
    want = held_back(stages[0])
    check(len(held) == 1 and list(zip(held[0]["labels"], values(held[0]))) == want,
          f"held back of the first stage: {held and list(zip(held[0]['labels'], values(held[0])))}")
    uplifts = charts(page, "campaign-uplift")
    c = fx.CAMPAIGNS[0]
    want = [c["converted"]["treated"] / c["entered"]["treated"],
            c["converted"]["holdout"] / c["entered"]["holdout"], c["uplift"]["value"]]
    if check(len(uplifts) == 1, f"{len(uplifts)} uplift charts, one campaign has a holdout"):
        got = values(uplifts[0])
        check(len(got) == 3 and all(abs(a - b) < 1e-9 for a, b in zip(got, want)),
              f"uplift {got} != {want}")
    rows = table(page, "estimate")
    check(rows and rows[2][2:] == ["0.50%", "5.80%"], f"uplift interval row {rows[2:]}")
    check(rows and rows[0][2:] == [
        f"{100 * (want[0] - 1.959964 * (want[0] * (1 - want[0]) / 1080) ** 0.5):.2f}%",
        f"{100 * (want[0] + 1.959964 * (want[0] * (1 - want[0]) / 1080) ** 0.5):.2f}%"],
        f"treated rate interval row {rows[:1]}")
    check("No uplift: the campaign has no treated or no holdout" in page.visible,
          "no notice for the campaign without a holdout")
    for c in fx.CAMPAIGNS:
        check(c["campaign"] in page.visible, f"campaign name {c['campaign']!r} not shown")
        for s in c["stages"]:
            check(s["stage"] in page.visible, f"stage name {s['stage']!r} not shown")


def check_real_export(tool, p, tmp, exporter, definition):
    """The page reads the library's own export: a campaign run through the
    public API on a copy of the store (tests/tools/campaign_export.c)."""
    store = os.path.join(tmp, "campaign-store")
    shutil.copytree(p["store"], store)
    campaign = json.loads(fx.must([exporter, store, definition, "1997-10-01", "30"]))
    # `dbmtool campaign --report json` exports the same measurement: the
    # page reads what the command writes
    export = fx.must([tool, "campaign", store, definition, "--report", "json"])
    check(json.loads(export) == campaign, "dbmtool campaign --report json differs from the API's")
    path = os.path.join(tmp, "real-export.json")
    with open(path, "w") as f:
        f.write(export + export.replace('"campaign":"spring_offer"', '"campaign":"again"'))
    page_path = os.path.join(tmp, "real.html")
    fx.must([tool, "report", store, "--out", page_path, "--as-of", "1997-10-01",
             "--campaign-stats", path])
    page = parse(page_path)
    check_inert(page)
    funnels, held = charts(page, "campaign-funnel"), charts(page, "campaign-held-back")
    check(len(funnels) == 2 * len(campaign["stages"]) >= 6,
          f"{len(funnels)} funnels for twice {len(campaign['stages'])} stages (two exports "
          "concatenated)")
    check("again" in page.visible, "the second concatenated export is not shown")
    for chart, stage in zip(funnels, campaign["stages"]):
        want = [(k, float(stage[k])) for k in fx.FUNNEL_STEPS if k in stage]
        check(list(zip(chart["labels"], values(chart))) == want,
              f"real funnel of {stage['stage']}: {list(zip(chart['labels'], values(chart)))}")
    lost = [held_back(s) for s in campaign["stages"] if held_back(s)]
    check([list(zip(c["labels"], values(c))) for c in held] == 2 * lost,
          "held-back charts of the real stages")
    e, c = campaign["entered"], campaign["converted"]
    want = [c["treated"] / e["treated"], c["holdout"] / e["holdout"], campaign["uplift"]["value"]]
    got = values(charts(page, "campaign-uplift")[0]) if charts(page, "campaign-uplift") else []
    check(len(got) == 3 and all(abs(a - b) < 1e-9 for a, b in zip(got, want)),
          f"real uplift {got} != {want}")
    print(f"real export: {len(campaign['stages'])} stages, {e['treated']} treated, "
          f"{e['holdout']} holdout, uplift {campaign['uplift']['value']}")


def check_errors(tool, p, tmp):
    out = os.path.join(tmp, "bad.html")
    cases = [
        ('[ {"stages": [1,}]}', 1, "line 1, column 17"),
        ("[" * 5000, 1, "nested deeper"),
        ('{"stages": [{"sent": -3}]}', 1, "negative"),
        ('{"stages": [], "uplift": 3}', 1, "uplift"),
        ('{"stages": [], "entered": {"treated": 2, "holdout": 1}, '
         '"converted": {"treated": 3, "holdout": 0}}', 1, "converted <= entered"),
        ('{"stages": [{"denied_by": {"cap": -1}}]}', 1, "negative"),
        ('{"stages": []} 7', 1, "campaign 2: not an object"),
        ('{"stages": []}\n\n  x', 1, "line 3, column 3"),
        ('{"stages": [{"stage": "\\ud800"}]}', 1, "surrogate"),
    ]
    for k, (text, code, message) in enumerate(cases):
        bad = os.path.join(tmp, f"bad{k}.json")
        with open(bad, "w") as f:
            f.write(text)
        r = fx.run(fx.report_args(tool, p, out, campaigns=False) + ["--campaign-stats", bad])
        check(r.returncode == code and message in r.stderr and r.stdout == "",
              f"bad campaign export {text[:30]!r}: exit {r.returncode}, {r.stderr.strip()!r}")
    # a rule name that is not UTF-8 (lead byte, 300 continuation bytes): the
    # page stays valid UTF-8 and inert
    rules = os.path.join(tmp, "binary-rules.txt")
    with open(rules, "wb") as f:
        f.write(b"\xc3" + b"\x80" * 300 + b"<x>\xff\xfe: r=1-5\n")
    r = fx.run([tool, "report", p["store"], "--out", out, "--as-of", "1997-09-30",
                "--rfm-segments", rules])
    if check(r.returncode == 0, f"binary rule name: exit {r.returncode} {r.stderr!r}"):
        page = parse(out)  # strict UTF-8 decoding
        check_inert(page)
        check(charts(page, "segment-sizes") and "\ufffd" in charts(page, "segment-sizes")[0]["labels"][0],
              "binary rule name not replaced by U+FFFD")
        os.remove(out)
    rules = os.path.join(tmp, "bad-rules.txt")
    with open(rules, "w") as f:
        f.write("Champions: r=4-5\nno colon here\n")
    r = fx.run([tool, "report", p["store"], "--out", out, "--as-of", "1997-09-30",
                "--rfm-segments", rules])
    check(r.returncode == 1 and "line 2" in r.stderr, f"bad rule table: {r.stderr.strip()!r}")
    usage = [
        [tool, "report", p["store"]],
        [tool, "report", p["store"], "--out", out],
        [tool, "report", p["store"], "--out", out, "--as-of", "1997-09-30",
         "--calibration-end", "1997-09-30"],
        [tool, "report", p["store"], "--out", out, "--calibration-end", "1997-09-30",
         "--holdout-end", "1998-06-30"],
        [tool, "report", p["store"], "--out", out, "--as-of", "someday"],
    ]
    for args in usage:
        r = fx.run(args)
        check(r.returncode == 1 and r.stderr.startswith("dbmtool:"),
              f"usage error {args[3:]}: exit {r.returncode}")
    r = fx.run([tool, "report", os.path.join(tmp, "no-such-store"), "--out", out,
                "--as-of", "1997-09-30"])
    check(r.returncode in (1, 2) and "no-such-store" in r.stderr,
          f"missing store: exit {r.returncode}")
    r = fx.run([tool, "report", p["store"], "--out", os.path.join(tmp, "no", "dir.html"),
                "--as-of", "1997-09-30"])
    check(r.returncode == 2, f"unwritable output: exit {r.returncode}")
    check(not os.path.exists(out) and not os.path.exists(out + ".tmp"),
          "a failed run left a page behind")


def main(tool, sample, exporter, definition):
    with tempfile.TemporaryDirectory() as tmp:
        p = fx.build(tool, sample, tmp)
        rows = list(csv.DictReader(open(p["score.csv"])))
        full = os.path.join(tmp, "report.html")
        r = fx.run(fx.report_args(tool, p, full))
        check(r.returncode == 0 and r.stdout.strip() == full,
              f"report: exit {r.returncode}, {r.stderr!r}")
        page = parse(full)
        check_inert(page)
        check('Report <of> "CDNOW"' in page.visible, "escaped title not shown")
        check_scores(page, rows)
        check_holdout(page, p["holdout.csv"])
        check_campaigns(page)
        print(f"checked {len(page.charts)} charts with "
              f"{sum(len(c['marks']) for c in page.charts)} marks")

        bare = os.path.join(tmp, "bare.html")
        r = fx.run(fx.report_args(tool, p, bare, campaigns=False))
        check(r.returncode == 0, f"report without campaigns: exit {r.returncode}")
        page = parse(bare)
        check_inert(page)
        check("No campaign data" in page.visible, "no visible 'No campaign data' notice")
        check(not charts(page, "campaign-funnel"), "funnels drawn without campaign data")

        r = fx.run([tool, "report", p["store"], "--out", bare, "--as-of", "1997-09-30"])
        page = parse(bare)
        check(r.returncode == 0 and "No P(alive)" in page.visible and
              "No holdout check" in page.visible and charts(page, "rfm-grid"),
              "a report without models: RFM only, with notices for the rest")
        check_errors(tool, p, tmp)
        check_real_export(tool, p, tmp, exporter, definition)
    return fx.finish("ok: report page")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
