"""Score rows of a store's customers (RFM, P(alive), expected purchases,
spend, CLV) and the calibration/holdout check of a frequency model."""

import ctypes
from collections import namedtuple

import numpy as np

from . import _arrays
from ._handle import Handle, new_handle
from ._lib import ScoreOptions, lib
from .context import enum_value
from .errors import check
from .rfm import rfm_options
from .summary import UNITS, Rows
from .times import to_time

ScoreRow = namedtuple("ScoreRow", "customer_id recency_days frequency monetary "
                      "r_score f_score m_score rfm_segment p_alive "
                      "expected_purchases expected_spend clv")
HoldoutBucket = namedtuple("HoldoutBucket", "customers actual predicted")

CSV_HEADER = ",".join(ScoreRow._fields)


def score_options(unit="week", horizon=52, clv_months=12, monthly_discount=0.01,
                  margin=1.0, threads=1):
    """The C options struct of a scoring."""
    options = ScoreOptions()
    check(lib.libdbm_score_options_init(ctypes.byref(options)))
    options.unit = enum_value(UNITS, unit, "unit")
    options.horizon = horizon
    options.clv_months = clv_months
    options.monthly_discount = monthly_discount
    options.margin = margin
    options.threads = threads
    return options


def _opt(handle):
    return handle._p if handle is not None else None


class Scores(Rows, Handle):
    """The score row of every customer of @p store with a purchase on or
    before the UTC day of @p as_of. Without @p freq_model, P(alive),
    expected purchases and CLV are NaN; without @p spend_model, spend and
    CLV. @p bins (RfmBins) scores against given boundaries instead of
    fitting them with @p rfm (a dict of rfm_options()); @p segments is an
    RfmSegments table. The other keywords are those of score_options().
    Immutable: share it between threads."""
    _what = "scores"
    _free = lib.libdbm_scores_free
    _count_fn = lib.libdbm_scores_count

    def __init__(self, store, as_of, freq_model=None, spend_model=None,
                 bins=None, segments=None, rfm=None, **options):
        rfm_struct = rfm_options(**rfm) if rfm is not None else None
        status, ptr = new_handle(
            lib.libdbm_scores_compute, store._p, to_time(as_of),
            _opt(freq_model), _opt(spend_model), _opt(bins), _opt(segments),
            ctypes.byref(rfm_struct) if rfm_struct is not None else None,
            ctypes.byref(score_options(**options)))
        store._check(status, "scoring")
        super().__init__(ptr, store._context, store._context)

    def _row(self, index):
        customer_id, segment = ctypes.c_char_p(), ctypes.c_char_p()
        r, f, m = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int32()
        doubles = [ctypes.c_double() for _ in range(7)]
        self._check(lib.libdbm_scores_get(
            self._p, ctypes.byref(customer_id), ctypes.byref(segment),
            ctypes.byref(r), ctypes.byref(f), ctypes.byref(m),
            *map(ctypes.byref, doubles[3:]), index))
        self._check(lib.libdbm_scores_get_rfm_values(
            self._p, *map(ctypes.byref, doubles[:3]), index))
        values = [d.value for d in doubles]
        return ScoreRow(customer_id.value.decode("utf-8"), *values[:3],
                        r.value, f.value, m.value, segment.value.decode("utf-8"),
                        *values[3:])

    def format_row(self, index):
        """Row @p index as the CSV line of `dbmtool score`."""
        return self._format(lib.libdbm_scores_format_row, index)

    def csv_lines(self):
        """The header and every row, as `dbmtool score` prints them."""
        yield CSV_HEADER
        for i in range(len(self)):
            yield self.format_row(i)

    def columns(self):
        """A dict of numpy arrays, one per ScoreRow field."""
        rows = list(self)
        result = {}
        for k, name in enumerate(ScoreRow._fields):
            values = [row[k] for row in rows]
            if name in ("customer_id", "rfm_segment"):
                result[name] = np.array(values, dtype=object)
            elif name.endswith("_score"):
                result[name] = np.array(values, dtype=np.int32)
            else:
                result[name] = np.array(values, dtype=np.float64)
        return result

    def to_frame(self):
        """The columns as a pandas DataFrame (a dict without pandas)."""
        return _arrays.frame(self.columns())

    def write_back(self, store):
        """Writes the scores onto the profiles as attributes (one batch)."""
        store._check(lib.libdbm_scores_write_back(self._p, store._p),
                     "writing the scores back")


class Holdout(Rows, Handle):
    """Calibration/holdout check of a fitted frequency model: mean actual
    and predicted holdout repeat purchases per calibration-frequency bucket."""
    _what = "holdout check"
    _free = lib.libdbm_holdout_free

    def __init__(self, store, model, calibration_end, holdout_end, unit="week",
                 buckets=8):
        status, ptr = new_handle(lib.libdbm_holdout_compute, store._p, model._p,
                                 to_time(calibration_end), to_time(holdout_end),
                                 enum_value(UNITS, unit, "unit"), buckets)
        store._check(status, "holdout check")
        super().__init__(ptr, store._context, store._context)
        self.buckets = buckets

    def __len__(self):
        return self.buckets

    def _row(self, bucket):
        customers = ctypes.c_int64()
        actual, predicted = ctypes.c_double(), ctypes.c_double()
        self._check(lib.libdbm_holdout_bucket(
            self._p, ctypes.byref(customers), ctypes.byref(actual),
            ctypes.byref(predicted), bucket))
        return HoldoutBucket(customers.value, actual.value, predicted.value)

    def to_frame(self):
        rows = list(self)
        return _arrays.frame({
            "customers": np.array([b.customers for b in rows], dtype=np.int64),
            "actual": np.array([b.actual for b in rows]),
            "predicted": np.array([b.predicted for b in rows])})
