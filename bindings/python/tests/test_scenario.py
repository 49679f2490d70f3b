"""The C demo's scenario (scripts/demo.sh) through the binding must give
exactly what dbmtool gives from the same build: the same fitted
parameters (bitwise) and the same score lines."""

import json
import subprocess

import pytest

import libdbm
from conftest import CALIBRATION_END, CDNOW_SAMPLE, HOLDOUT_END

MODELS = ("bgnbd", "pareto-nbd", "gamma-gamma")


@pytest.fixture(scope="module")
def demo(tmp_path_factory, dbmtool):
    """dbmtool's import, fits and scores of the CDNOW sample."""
    out = tmp_path_factory.mktemp("demo")
    store = str(out / "cdnow.store")

    def run(*args):
        return subprocess.run([dbmtool, *args], check=True, capture_output=True,
                              text=True).stdout

    run("import", store, CDNOW_SAMPLE, "--format", "cdnow")
    for model in MODELS:
        run("fit", store, "--model", model, "--until", CALIBRATION_END,
            "--unit", "week", "--out", str(out / (model + ".json")))
    scores = {}
    for model in ("bgnbd", "pareto-nbd"):
        scores[model] = run("score", store, "--model", str(out / (model + ".json")),
                            "--spend-model", str(out / "gamma-gamma.json"),
                            "--as-of", CALIBRATION_END).splitlines()
    holdout = run("holdout", store, "--model", str(out / "bgnbd.json"),
                  "--calibration-end", CALIBRATION_END,
                  "--holdout-end", HOLDOUT_END).splitlines()
    params = {m: json.loads((out / (m + ".json")).read_text())["params"]
              for m in MODELS}
    return {"scores": scores, "params": params, "holdout": holdout}


@pytest.fixture(scope="module")
def fitted(cdnow_store):
    summary = libdbm.Summary(cdnow_store, CALIBRATION_END, unit="week")
    stats = summary.add_to(libdbm.Stats())
    return {m: libdbm.Model(m).fit(stats) for m in MODELS}


def test_profiles_match_dbmtool_import(cdnow_store):
    # docs/import.md's checked figures for the sample.
    assert len(cdnow_store) == 2357
    total = sum(cdnow_store.aggregate(c, "total_minor") for c in cdnow_store)
    assert total == 24409194
    days = sum(cdnow_store.aggregate(c, "purchase_days") for c in cdnow_store)
    assert days == 6696


@pytest.mark.parametrize("model", MODELS)
def test_fitted_parameters_are_bitwise_dbmtool_s(demo, fitted, model):
    # dbmtool's JSON holds 17 significant digits: the doubles round-trip.
    assert fitted[model].params == demo["params"][model]


@pytest.mark.parametrize("model", ("bgnbd", "pareto-nbd"))
def test_score_lines_are_dbmtool_s(demo, fitted, cdnow_store, model):
    scores = libdbm.Scores(cdnow_store, CALIBRATION_END, freq_model=fitted[model],
                           spend_model=fitted["gamma-gamma"])
    lines = list(scores.csv_lines())
    assert len(lines) == 2358
    assert lines == demo["scores"][model]


def test_score_values_match_the_printed_precision(demo, fitted, cdnow_store):
    # The numeric rows (not only the library's own formatting) agree with
    # dbmtool's printed values: 10 significant digits.
    scores = libdbm.Scores(cdnow_store, CALIBRATION_END, freq_model=fitted["bgnbd"],
                           spend_model=fitted["gamma-gamma"])
    printed = [line.split(",") for line in demo["scores"]["bgnbd"][1:]]
    for row, fields in zip(scores, printed):
        assert row.customer_id == fields[0]
        assert (row.r_score, row.f_score, row.m_score) == tuple(map(int, fields[4:7]))
        assert row.rfm_segment == fields[7]
        for value, text in zip((row.p_alive, row.expected_purchases,
                                row.expected_spend, row.clv), fields[8:12]):
            assert value == pytest.approx(float(text), rel=1e-9)


def test_holdout_matches_dbmtool(demo, fitted, cdnow_store):
    check = libdbm.Holdout(cdnow_store, fitted["bgnbd"], CALIBRATION_END, HOLDOUT_END,
                           buckets=8)
    header = demo["holdout"][0].split(",")
    printed = [dict(zip(header, line.split(","))) for line in demo["holdout"][1:]]
    assert len(printed) == len(check)
    for bucket, fields in zip(check, printed):
        assert bucket.customers == int(fields["customers"])
        # printed with 6 decimals
        assert "%.6f" % bucket.actual == fields["actual"]
        assert "%.6f" % bucket.predicted == fields["predicted"]
