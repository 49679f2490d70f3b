"""RFM scores: quantile bin boundaries and named segment tables (docs/rfm.md)."""

import ctypes

import numpy as np

from . import _arrays
from ._blob import Saveable
from ._handle import Handle
from ._lib import RfmOptions, lib
from .context import enum_value
from .errors import c_string, check

MONETARY_MODES = {"total": 0, "average": 1}
FREQUENCY_MODES = {"days": 0, "purchases": 1}
COLUMNS = ("recency", "frequency", "monetary")


def rfm_options(bins=5, monetary="total", frequency="days", lookback_days=0):
    """The C options struct of an RFM scoring."""
    options = RfmOptions()
    check(lib.libdbm_rfm_options_init(ctypes.byref(options)))
    options.bins = bins
    options.monetary_mode = enum_value(MONETARY_MODES, monetary, "monetary")
    options.frequency_mode = enum_value(FREQUENCY_MODES, frequency, "frequency")
    options.lookback_days = lookback_days
    return options


class RfmBins(Saveable, Handle):
    """Bin boundaries of the three RFM scores, fitted on a population.
    Immutable: share it between threads."""
    _what = "RFM bins"
    _free = lib.libdbm_rfm_bins_free
    _save_fn = lib.libdbm_rfm_bins_save
    _load_fn = lib.libdbm_rfm_bins_load

    def __init__(self, recency, frequency, monetary, ctx=None, **options):
        """Fits the boundaries; @p options are those of rfm_options()."""
        r, f, m = _arrays.doubles(recency, frequency, monetary)
        self._init_in_context(ctx, lib.libdbm_rfm_bins_fit, _arrays.ptr(r),
                              _arrays.ptr(f), _arrays.ptr(m), r.size,
                              ctypes.byref(rfm_options(**options)),
                              what="fitting RFM bins")

    def score(self, recency, frequency, monetary):
        """(r, f, m) score arrays (int32, 1..bins) of the customers."""
        values = _arrays.doubles(recency, frequency, monetary)
        scores = [np.empty(values[0].shape, dtype=np.int32) for _ in range(3)]
        self._check(lib.libdbm_rfm_bins_score(
            self._p, *(_arrays.ptr(s, ctypes.c_int32) for s in scores),
            *(_arrays.ptr(v) for v in values), values[0].size))
        return tuple(scores)

    @property
    def info(self):
        """{"bins", "monetary", "frequency", "lookback_days"}."""
        out = [ctypes.c_int32() for _ in range(4)]
        self._check(lib.libdbm_rfm_bins_info(self._p, *map(ctypes.byref, out)))
        bins, monetary, frequency, lookback = (v.value for v in out)
        return {"bins": bins,
                "monetary": _name_of(MONETARY_MODES, monetary),
                "frequency": _name_of(FREQUENCY_MODES, frequency),
                "lookback_days": lookback}

    def boundaries(self, column):
        """The bins-1 boundaries of "recency", "frequency" or "monetary"."""
        index = COLUMNS.index(column)
        out = ctypes.c_double()
        result = []
        for k in range(1, self.info["bins"]):
            self._check(lib.libdbm_rfm_bins_boundary(self._p, ctypes.byref(out),
                                                      index, k))
            result.append(out.value)
        return result


class RfmSegments(Handle):
    """An ordered table of named segment rules over (R, F, M) scores,
    starting as libdbm's default table (or empty with default=False)."""
    _what = "RFM segment table"
    _free = lib.libdbm_rfm_segments_free

    def __init__(self, ctx=None, default=True):
        self._init_in_context(ctx, lib.libdbm_rfm_segments_new_default)
        if not default:
            self.clear()

    def clear(self):
        self._check(lib.libdbm_rfm_segments_clear(self._p))

    def add_rule(self, name, r=(1, 100), f=(1, 100), m=(1, 100)):
        """Appends a rule; each range is an inclusive (min, max)."""
        self._check(lib.libdbm_rfm_segments_add_rule(
            self._p, c_string(name), *r, *f, *m))

    def parse(self, text):
        """Appends the rules of a text, one per line: `Name: r=4-5 f=4-5`."""
        self._check(lib.libdbm_rfm_segments_parse(self._p, c_string(text)))

    def set_fallback(self, name):
        self._check(lib.libdbm_rfm_segments_set_fallback(self._p,
                                                          c_string(name)))

    def __len__(self):
        out = ctypes.c_int32()
        self._check(lib.libdbm_rfm_segments_count(self._p, ctypes.byref(out)))
        return out.value

    def classify(self, r, f, m):
        """(segment name, 0-based rule index or -1 for the fallback)."""
        name, rule = ctypes.c_char_p(), ctypes.c_int32()
        self._check(lib.libdbm_rfm_segments_classify(
            self._p, ctypes.byref(name), ctypes.byref(rule), r, f, m))
        return name.value.decode("utf-8"), rule.value


def _name_of(table, value):
    return next((k for k, v in table.items() if v == value), value)
