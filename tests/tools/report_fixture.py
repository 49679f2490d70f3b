"""The store and inputs the `dbmtool report` tests share: the shipped CDNOW
sample plus customers, segment names and campaign names chosen to break a
page that forgets to escape (standard library only)."""
import csv
import json
import os
import subprocess

CALIBRATION_END = "1997-09-30"
HOLDOUT_END = "1998-06-30"
BUCKETS = 8

# Ids that close tags, open scripts, or look like entities already.
HOSTILE_IDS = [
    '<script>alert("id")</script>',
    '"><img src=x onerror=alert(1)>',
    "&lt;already&gt; & 'quoted'",
    "\u00fcn\u00efc\u00f8d\u00e9 \u2013 \u9867\u5ba2",
]

# A rule table whose names are hostile too (no colon: it ends the name).
SEGMENT_RULES = [
    ('<b>Champions</b> & "friends"', (4, 5), (4, 5), (4, 5)),
    ("Loyal'); DROP TABLE x--", (2, 5), (3, 5), (3, 5)),
    ("<script>alert('seg')</script>", (1, 2), (1, 5), (1, 5)),
]
SEGMENT_FALLBACK = "Others"

# Campaign measurement exports in the JSON of libdbm_campaign_report()
# (docs/campaigns.md), written one after the other as `cat` would join them;
# the second is wrapped in an array. Names are hostile here (the library's
# own names are identifiers, but the page must not trust a file).
CAMPAIGNS = [
    {
        "campaign": "Offer <b>mail</b> & remind",
        "entered": {"treated": 1080, "holdout": 120},
        "converted": {"treated": 61, "holdout": 3},
        "rate": {"treated": 61 / 1080, "holdout": 3 / 120},
        "uplift": {"value": 0.0315, "ci_low": 0.0050, "ci_high": 0.0580, "confidence": 0.95},
        "stages": [
            {"stage": "announce", "channel": "direct_mail", "due": 1080, "allowed": 1000,
             "deferred": 30, "denied": 50, "skipped_late": 0, "skipped_condition": 20,
             "sent": 1000, "delivered": 990, "opened": 0, "responded": 140, "converted": 61,
             "failed": 10, "denied_by": {"mail <cap> \"30d\"": 50}},
            {"stage": "reminder</h4><script>x()</script>", "channel": "email", "due": 0,
             "sent": 0, "converted": 0, "denied_by": {}},
        ],
    },
    {
        "campaign": "Cruise series",
        "entered": {"treated": 38, "holdout": 0},
        "converted": {"treated": 5, "holdout": 0},
        "rate": {"treated": 5 / 38, "holdout": None},
        "uplift": {"value": None, "ci_low": None, "ci_high": None, "confidence": 0.95},
        "stages": [{"stage": "guide", "channel": "email", "due": 40, "sent": 38,
                    "converted": 5, "denied_by": {}}],
    },
]
FUNNEL_STEPS = ["due", "allowed", "sent", "delivered", "opened", "clicked", "responded",
                "converted"]


def write_campaigns(path):
    with open(path, "w") as f:
        f.write(json.dumps(CAMPAIGNS[0]) + "\n" + json.dumps(CAMPAIGNS[1:], indent=1) + "\n")


failures = []


def check(cond, what):
    """Records and prints a failed check; returns cond."""
    if not cond:
        failures.append(what)
        print("FAILED:", what)
    return cond


def finish(ok_message):
    if failures:
        print(f"{len(failures)} checks failed")
        return 1
    print(ok_message)
    return 0


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def must(args):
    r = run(args)
    if r.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def build(tool, sample, tmp, references=True):
    """Imports the sample and the hostile customers, fits the models, and
    writes segments.txt, campaigns.json and (with references) score.csv and
    holdout.csv in tmp. Returns the paths by name."""
    p = {name: os.path.join(tmp, name) for name in
         ("store", "extra.csv", "bgnbd.json", "gg.json", "score.csv", "holdout.csv",
          "segments.txt", "campaigns.json")}
    with open(p["extra.csv"], "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "timestamp", "amount"])
        for k, cid in enumerate(HOSTILE_IDS):
            for month in range(1, 8):
                w.writerow([cid, f"1997-{month:02d}-{10 + k:02d}", "450.00"])
    with open(p["segments.txt"], "w") as f:
        for name, r, fr, m in SEGMENT_RULES:
            f.write(f"{name}: r={r[0]}-{r[1]} f={fr[0]}-{fr[1]} m={m[0]}-{m[1]}\n")
    write_campaigns(p["campaigns.json"])
    must([tool, "import", p["store"], sample, "--format", "cdnow"])
    must([tool, "import", p["store"], p["extra.csv"], "--format", "purchases"])
    must([tool, "fit", p["store"], "--model", "bgnbd", "--until", CALIBRATION_END,
          "--out", p["bgnbd.json"]])
    must([tool, "fit", p["store"], "--model", "gamma-gamma", "--until", CALIBRATION_END,
          "--out", p["gg.json"]])
    if not references:
        return p
    with open(p["score.csv"], "w") as f:
        f.write(must([tool, "score", p["store"], "--model", p["bgnbd.json"], "--spend-model",
                      p["gg.json"], "--as-of", CALIBRATION_END]))
    with open(p["holdout.csv"], "w") as f:
        f.write(must([tool, "holdout", p["store"], "--model", p["bgnbd.json"],
                      "--calibration-end", CALIBRATION_END, "--holdout-end", HOLDOUT_END,
                      "--buckets", str(BUCKETS)]))
    return p


def report_args(tool, p, out, campaigns=True):
    args = [tool, "report", p["store"], "--out", out, "--model", p["bgnbd.json"],
            "--spend-model", p["gg.json"], "--calibration-end", CALIBRATION_END,
            "--holdout-end", HOLDOUT_END, "--buckets", str(BUCKETS),
            "--rfm-segments", p["segments.txt"], "--title", "Report <of> \"CDNOW\""]
    return args + (["--campaign-stats", p["campaigns.json"]] if campaigns else [])
