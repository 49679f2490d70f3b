"""numpy arrays in and out of the C functions, pandas frames when pandas is
installed."""

import ctypes

import numpy as np

try:
    import pandas
except ImportError:   # pandas is optional: results are then dicts of arrays
    pandas = None


def doubles(*values):
    """The arguments broadcast to one shape, as C-contiguous float64 arrays
    (copies only when needed)."""
    return [np.ascontiguousarray(a, dtype=np.float64)
            for a in np.broadcast_arrays(*[np.asarray(v, dtype=np.float64)
                                           for v in values])]


def ptr(array, ctype=ctypes.c_double):
    """A pointer to the data of a C-contiguous array, for a C call."""
    return array.ctypes.data_as(ctypes.POINTER(ctype))


def copy_doubles(pointer, count):
    """A numpy copy of @p count doubles that libdbm owns."""
    if count == 0:
        return np.empty(0, dtype=np.float64)
    return np.ctypeslib.as_array(pointer, shape=(count,)).copy()


def frame(columns, index=None):
    """A pandas DataFrame of the columns (a dict of equal-length arrays), or
    the dict itself without pandas."""
    if pandas is None:
        return columns
    return pandas.DataFrame(columns, index=index)


_NUMBERS = (int, float, np.integer, np.floating)


def is_scalar(*values):
    """True when every value is a single number (the common case is
    checked first: np.ndim costs more than the C call it guards)."""
    return all(isinstance(v, _NUMBERS) or np.ndim(v) == 0 for v in values)
