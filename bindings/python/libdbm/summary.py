"""Per-customer "buy till you die" summaries (x, t_x, T, m_x) of a store."""

import ctypes
from collections import namedtuple

import numpy as np

from . import _arrays
from ._handle import Handle, new_handle
from ._lib import lib
from .context import enum_value
from .times import to_time

UNITS = {"day": 1, "week": 7}

SummaryRow = namedtuple("SummaryRow", "customer_id x t_x T m_x")

# Room for the longest CSV line: a quoted 1024-byte id and four numbers.
LINE_CAPACITY = 8192


class Rows:
    """Row-indexed results: len(), [index] (negative indexes count from
    the end), iteration. Subclasses name the C function giving the count
    in `_count_fn` and read one row in _row(index)."""
    _count_fn = None

    def __len__(self):
        count = ctypes.c_int64()
        self._check(type(self)._count_fn(self._p, ctypes.byref(count)))
        return count.value

    def __getitem__(self, index):
        return self._row(_row_index(index, len(self)))

    def __iter__(self):
        return (self._row(i) for i in range(len(self)))

    def _format(self, fn, index, *extra):
        """Row @p index as the CSV line that fn writes into a buffer."""
        buf = ctypes.create_string_buffer(LINE_CAPACITY)
        self._check(fn(self._p, buf, len(buf), _row_index(index, len(self)), *extra))
        return buf.value.decode("utf-8")


class Summary(Rows, Handle):
    """The summary of every customer with a purchase on or before the UTC
    day of @p until, in periods of @p unit ("week" or "day"); a copy, in the
    store's profile order. Immutable: share it between threads."""
    _what = "summary"
    _free = lib.libdbm_summary_free
    _count_fn = lib.libdbm_summary_count

    def __init__(self, store, until, unit="week"):
        status, ptr = new_handle(lib.libdbm_summary_new, store._p, to_time(until),
                                 enum_value(UNITS, unit, "unit"))
        store._check(status, "summarising")
        super().__init__(ptr, store._context, store._context)

    def _row(self, index):
        customer_id = ctypes.c_char_p()
        values = [ctypes.c_double() for _ in range(4)]
        self._check(lib.libdbm_summary_get(self._p, ctypes.byref(customer_id),
                                           *map(ctypes.byref, values), index))
        return SummaryRow(customer_id.value.decode("utf-8"),
                          *(v.value for v in values))

    def format_row(self, index, decimals=6):
        """Row @p index as the CSV line of `dbmtool summary`."""
        return self._format(lib.libdbm_summary_format_row, index, decimals)

    def columns(self):
        """{"customer_id", "x", "t_x", "T", "m_x"}: numpy arrays (copies)."""
        count = len(self)
        pointers = [ctypes.POINTER(ctypes.c_double)() for _ in range(4)]
        self._check(lib.libdbm_summary_columns(self._p, *map(ctypes.byref, pointers)))
        result = {"customer_id": np.array([row.customer_id for row in self], dtype=object)}
        for name, pointer in zip(("x", "t_x", "T", "m_x"), pointers):
            result[name] = _arrays.copy_doubles(pointer, count)
        return result

    def to_frame(self):
        """The columns as a pandas DataFrame (a dict without pandas)."""
        return _arrays.frame(self.columns())

    def add_to(self, stats):
        """Adds every row to @p stats (a libdbm.Stats) with weight 1."""
        self._check(lib.libdbm_summary_add_to_stats(self._p, stats._p))
        return stats


def _row_index(index, count):
    """A row index with Python's negative indexing, IndexError outside."""
    if index < 0:
        index += count
    if not 0 <= index < count:
        raise IndexError("row %d of %d" % (index, count))
    return index
