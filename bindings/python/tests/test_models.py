"""Summaries, statistics and models through the binding, checked against
straightforward numpy/pandas reimplementations of the definitions."""

import multiprocessing
import pickle

import numpy as np
import pytest

import libdbm
from conftest import CALIBRATION_END, CDNOW_SAMPLE

pandas = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def summary(cdnow_store):
    return libdbm.Summary(cdnow_store, CALIBRATION_END, unit="week")


@pytest.fixture(scope="module")
def bgnbd(summary):
    return libdbm.Model("bgnbd").fit(summary.add_to(libdbm.Stats()))


def reference_summary():
    """docs/summary-rules.md with pandas, straight from the text file."""
    log = pandas.read_csv(CDNOW_SAMPLE, sep=r"\s+", header=None,
                          names=["master", "id", "date", "cds", "dollars"],
                          dtype={"id": str, "date": str})
    log["id"] = log["id"].str.lstrip("0")
    log["day"] = pandas.to_datetime(log["date"], format="%Y%m%d")
    log["cents"] = (log["dollars"] * 100).round().astype(int)
    end = pandas.Timestamp(CALIBRATION_END)
    daily = (log[log["day"] <= end].groupby(["id", "day"], as_index=False)["cents"]
             .sum().sort_values(["id", "day"]))
    rows = {}
    for cid, days in daily.groupby("id"):
        first, last = days["day"].iloc[0], days["day"].iloc[-1]
        x = len(days) - 1
        m_x = days["cents"].iloc[1:].sum() / x / 100 if x else 0.0
        rows[cid] = (x, (last - first).days / 7, (end - first).days / 7, m_x)
    return rows


def test_summary_matches_the_rules(summary):
    expected = reference_summary()
    frame = summary.to_frame()
    assert len(frame) == len(expected) == 2357
    for cid, x, t_x, T, m_x in frame.itertuples(index=False):
        assert (x, t_x, T) == pytest.approx(expected[cid][:3], abs=1e-12)
        assert m_x == pytest.approx(expected[cid][3], rel=1e-12)
    assert frame["x"].sum() == 2457 and (frame["x"] > 0).sum() == 946
    assert summary[0] == tuple(frame.iloc[0])
    assert summary[-1].customer_id == frame["customer_id"].iloc[-1]
    assert summary.format_row(0, 2).startswith(frame["customer_id"][0] + ",")


def p_alive_reference(params, x, t_x, T):
    """BG/NBD P(alive) (Fader, Hardie & Lee 2005, eq. 11 of the note)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    ratio = np.where(x > 0, a / (b + np.maximum(x, 1) - 1), 0.0)
    return 1.0 / (1.0 + ratio * ((alpha + T) / (alpha + t_x)) ** (r + x))


def test_bulk_p_alive_matches_the_formula_and_the_scalar(summary, bgnbd):
    cols = summary.columns()
    bulk = bgnbd.p_alive(cols["x"], cols["t_x"], cols["T"])
    assert isinstance(bulk, np.ndarray) and bulk.shape == (2357,)
    np.testing.assert_allclose(bulk, p_alive_reference(bgnbd.params, cols["x"],
                                                       cols["t_x"], cols["T"]),
                               rtol=1e-10)
    assert bulk[5] == pytest.approx(bgnbd.p_alive(cols["x"][5], cols["t_x"][5],
                                                  cols["T"][5]), rel=1e-12)
    # Thread count never changes the result, bit for bit.
    many = np.tile(cols["x"], 8), np.tile(cols["t_x"], 8), np.tile(cols["T"], 8)
    assert np.array_equal(bgnbd.p_alive(*many, threads=1), bgnbd.p_alive(*many, threads=3))
    expected = bgnbd.expected_purchases(52, cols["x"], cols["t_x"], cols["T"])
    assert expected[7] == bgnbd.expected_purchases(52, cols["x"][7], cols["t_x"][7],
                                                   cols["T"][7])


def test_bad_customer_raises_with_the_message(bgnbd):
    with pytest.raises(libdbm.InvalidArgument) as err:
        bgnbd.p_alive(2, 5, 1)   # t_x > T
    assert err.value.code == -1 and err.value.message


def test_gamma_gamma_spend_formula(summary):
    spend = libdbm.Model("gamma_gamma").fit(summary.add_to(libdbm.Stats()))
    p, q, gamma = spend.params.values()
    # E[M | x, m_x] = (p (gamma + x m_x)) / (p x + q - 1)
    assert spend.expected_spend(3, 20.0) == pytest.approx(
        p * (gamma + 3 * 20.0) / (p * 3 + q - 1), rel=1e-12)
    assert spend.expected_spend(0, 0) == pytest.approx(p * gamma / (q - 1), rel=1e-12)
    np.testing.assert_allclose(spend.expected_spend([1, 2], [10.0, 30.0]),
                               [spend.expected_spend(1, 10.0), spend.expected_spend(2, 30.0)])


def partition_stats(rows):
    """One Dask-style partition: its own context and Stats, shipped back
    pickled (as bytes)."""
    stats = libdbm.Stats(libdbm.Context())
    stats.add_rows(*rows)
    return pickle.dumps(stats)


def test_add_rows_is_one_add_per_row_and_all_or_nothing(summary):
    cols = summary.columns()
    rows = [cols[k] for k in ("x", "t_x", "T", "m_x")]
    bulk, one_by_one = libdbm.Stats(), libdbm.Stats()
    bulk.add_rows(*rows, weight=2.0)
    for x, t_x, T, m_x in zip(*(np.asarray(r).tolist() for r in rows)):
        one_by_one.add(x, t_x, T, m_x, 2.0)
    assert bulk.save() == one_by_one.save() and bulk.customers == 2 * 2357
    before = bulk.save()
    with pytest.raises(libdbm.Error) as failed:
        bulk.add_rows([1, 2, 3], [0.5, 9.0, 1.0], [5, 5, 5], [1, 1, 1])  # t_x > T
    assert "customer 1" in str(failed.value)
    assert bulk.save() == before


def test_partitioned_stats_merge_to_the_same_fit(summary, bgnbd):
    cols = summary.columns()
    parts = [tuple(cols[k][i::4] for k in ("x", "t_x", "T", "m_x")) for i in range(4)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pickled = pool.map(partition_stats, parts)
    total = libdbm.Stats.merged(pickle.loads(p) for p in pickled)
    assert total.customers == 2357
    single = summary.add_to(libdbm.Stats())
    assert total.rows == single.rows
    assert libdbm.Model("bgnbd").fit(total).params == bgnbd.params
    assert libdbm.Stats.load(total.save()).save() == total.save()


def test_models_round_trip_through_blobs_json_and_pickle(bgnbd):
    for copy in (libdbm.Model.load(bgnbd.save()),
                 libdbm.Model.from_json(bgnbd.to_json()),
                 pickle.loads(pickle.dumps(bgnbd))):
        assert copy.kind == "bgnbd" and copy.params == bgnbd.params
    assert bgnbd.fit_info.converged and bgnbd.fit_info.iterations > 0
    assert set(bgnbd.std_errors()) == {"r", "alpha", "a", "b"}
    blob = bytearray(bgnbd.save())
    blob[-1] ^= 1
    with pytest.raises(libdbm.Corrupt):
        libdbm.Model.load(bytes(blob))
    with pytest.raises(libdbm.Syntax):
        libdbm.Model.from_json('{"format":1,')


def test_hand_set_parameters_and_new_customer_predictions():
    model = libdbm.Model("bgnbd", params={"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
    assert not model.fit_info.converged
    assert model.params == {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    # P(X(t) = n) over n sums to 1; E[X(t)] is its mean.
    probs = [model.prob_purchases(n, 10.0) for n in range(200)]
    assert sum(probs) == pytest.approx(1.0, abs=1e-9)
    assert sum(n * p for n, p in enumerate(probs)) == pytest.approx(
        model.expected_purchases_new(10.0), rel=1e-8)
    with pytest.raises(libdbm.InvalidArgument):
        model.params = [1.0, 2.0]
    with pytest.raises(ValueError):
        libdbm.Model("weibull")


def test_fit_without_data_does_not_converge():
    with pytest.raises(libdbm.NoConvergence):
        libdbm.Model("bgnbd").fit(libdbm.Stats())


def test_rfm_bins_score_quantiles_and_round_trip():
    recency = np.arange(100, 0, -1, dtype=float)    # 1 is best
    frequency = np.arange(1, 101, dtype=float)
    bins = libdbm.RfmBins(recency, frequency, frequency * 10, bins=5)
    r, f, m = bins.score(recency, frequency, frequency * 10)
    # 100 distinct values in 5 bins: 20 per score, best values score 5.
    expected = np.repeat(np.arange(1, 6), 20).astype(np.int32)
    assert np.array_equal(r, expected) and np.array_equal(f, expected)
    assert np.array_equal(m, expected)
    assert bins.info == {"bins": 5, "monetary": "total", "frequency": "days",
                         "lookback_days": 0}
    assert len(bins.boundaries("frequency")) == 4
    again = libdbm.RfmBins.load(bins.save())
    assert np.array_equal(again.score(recency, frequency, frequency)[0], r)


def test_rfm_segment_tables():
    table = libdbm.RfmSegments()
    assert len(table) > 0
    assert table.classify(5, 5, 5)[0] == "Champions"
    table.clear()
    table.parse("Top: r=5 f=4-5\n# comment\nRest:")
    table.set_fallback("Nobody")
    assert len(table) == 2
    assert table.classify(5, 4, 1) == ("Top", 0)
    assert table.classify(1, 1, 1) == ("Rest", 1)
    with pytest.raises(libdbm.Syntax) as err:
        table.parse("Bad: r=9-")
    assert "line 1" in err.value.message


def test_scores_frame_and_write_back(cdnow_store, bgnbd, tmp_path):
    scores = libdbm.Scores(cdnow_store, CALIBRATION_END, freq_model=bgnbd)
    frame = scores.to_frame()
    assert list(frame.columns) == list(libdbm.scores.ScoreRow._fields)
    assert frame["expected_spend"].isna().all()     # no spend model
    assert frame["p_alive"].between(0, 1).all()
    assert scores[0].customer_id == frame["customer_id"][0]
    # write_back onto a durable copy, then read the attributes back.
    with libdbm.Store(str(tmp_path / "s")) as store:
        store.add_purchase("1", "1997-01-01", 29.33)
        store.add_purchase("1", "1997-03-01", 10.00)
        small = libdbm.Scores(store, CALIBRATION_END, freq_model=bgnbd)
        small.write_back(store)
        assert store.get_attr("1", "p_alive") == small[0].p_alive
        assert store.get_attr("1", "rfm.segment") == small[0].rfm_segment


def test_without_pandas_frames_are_dicts_of_arrays(summary, monkeypatch):
    monkeypatch.setattr(libdbm._arrays, "pandas", None)
    columns = summary.to_frame()
    assert isinstance(columns, dict) and set(columns) == {"customer_id", "x", "t_x", "T", "m_x"}
    assert columns["x"].dtype == np.float64 and len(columns["customer_id"]) == 2357
