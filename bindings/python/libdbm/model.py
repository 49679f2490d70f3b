"""Sufficient statistics and "buy till you die" models (docs/models.md).

Statistics are mergeable and serialisable, and both classes pickle through
their blobs, so partitions of a data set (Dask, multiprocessing) can each
summarise, ship their Stats, merge them and fit once:

    total = libdbm.Stats.merged(partition_stats)
    model = libdbm.Model("bgnbd").fit(total)
"""

import ctypes
from collections import namedtuple

import numpy as np

from . import _arrays
from ._blob import Saveable
from ._handle import Handle
from ._lib import FitOptions, lib
from .errors import c_string, check

KINDS = {"bgnbd": 1, "pareto_nbd": 2, "gamma_gamma": 3}
KIND_NAMES = {v: k for k, v in KINDS.items()}
PARAM_NAMES = {"bgnbd": ("r", "alpha", "a", "b"),
               "pareto_nbd": ("r", "alpha", "s", "beta"),
               "gamma_gamma": ("p", "q", "gamma")}

FitInfo = namedtuple("FitInfo", "log_likelihood iterations converged seconds")


class Stats(Saveable, Handle):
    """Grouped sufficient statistics for fitting. One thread at a time."""
    _what = "stats"
    _free = lib.libdbm_stats_free
    _save_fn = lib.libdbm_stats_save
    _load_fn = lib.libdbm_stats_load

    def __init__(self, ctx=None):
        self._init_in_context(ctx, lib.libdbm_stats_new)

    def add(self, x, t_x, T, m_x=0.0, weight=1.0):
        """Adds one customer (or @p weight identical ones)."""
        self._check(lib.libdbm_stats_add(self._p, x, t_x, T, m_x, weight))

    def add_rows(self, x, t_x, T, m_x=0.0, weight=1.0):
        """Adds many customers from array-likes (broadcast together) in one
        C call, libdbm_stats_add_array: all are checked before any is added,
        so a bad row raises with these statistics unchanged."""
        x, t_x, T, m_x, weight = _arrays.doubles(x, t_x, T, m_x, weight)
        self._check(lib.libdbm_stats_add_array(
            self._p, _arrays.ptr(x), _arrays.ptr(t_x), _arrays.ptr(T), _arrays.ptr(m_x),
            _arrays.ptr(weight), x.size))

    def merge(self, other):
        """Adds every group of @p other to these statistics."""
        self._check(lib.libdbm_stats_merge(self._p, other._p))
        return self

    @classmethod
    def merged(cls, parts, ctx=None):
        """New statistics holding all of @p parts (Stats or saved blobs;
        the objects loaded from blobs are freed after the merge)."""
        total = cls(ctx)
        for part in parts:
            if isinstance(part, Stats):
                total.merge(part)
            else:
                with cls.load(part, ctx) as loaded:
                    total.merge(loaded)
        return total

    @property
    def customers(self):
        """Total weight added."""
        out = ctypes.c_double()
        self._check(lib.libdbm_stats_customers(self._p, ctypes.byref(out)))
        return out.value

    @property
    def rows(self):
        """Distinct (x, t_x, T) groups."""
        out = ctypes.c_int64()
        self._check(lib.libdbm_stats_rows(self._p, ctypes.byref(out)))
        return out.value


class Model(Saveable, Handle):
    """A BG/NBD, Pareto/NBD or Gamma-Gamma model. The prediction methods
    take scalars (giving a float) or array-likes (giving numpy arrays); a
    fitted model is immutable and may be shared by threads."""
    _what = "model"
    _free = lib.libdbm_model_free
    _save_fn = lib.libdbm_model_save
    _load_fn = lib.libdbm_model_load

    def __init__(self, kind, ctx=None, params=None):
        self._init_in_context(ctx, lib.libdbm_model_new, _kind_value(kind),
                              what="creating a %s model" % (kind,))
        if params is not None:
            self.params = params

    @property
    def kind(self):
        """"bgnbd", "pareto_nbd" or "gamma_gamma"."""
        out = ctypes.c_int()
        self._check(lib.libdbm_model_kind(self._p, ctypes.byref(out)))
        return KIND_NAMES[out.value]

    @property
    def param_names(self):
        return PARAM_NAMES[self.kind]

    @property
    def params(self):
        """The parameters as a dict, in the kind's order."""
        names = self.param_names
        values = (ctypes.c_double * len(names))()
        self._check(lib.libdbm_model_get_params(self._p, values, len(names)))
        return dict(zip(names, values))

    @params.setter
    def params(self, params):
        """Sets the parameters from a dict or a sequence in the kind's
        order; the model then counts as not fitted."""
        names = self.param_names
        if isinstance(params, dict):
            params = [params[name] for name in names]
        values = (ctypes.c_double * len(params))(*params)
        self._check(lib.libdbm_model_set_params(self._p, values, len(params)))

    def fit(self, stats, penalizer=0.0, max_iterations=1000, tolerance=1e-10,
            initial=None):
        """Maximum-likelihood fit on @p stats; returns the model."""
        options = FitOptions()
        check(lib.libdbm_fit_options_init(ctypes.byref(options)))
        options.penalizer = penalizer
        options.max_iterations = max_iterations
        options.tolerance = tolerance
        if initial is not None:
            start = (ctypes.c_double * len(initial))(*initial)
            options.initial = ctypes.cast(start, ctypes.POINTER(ctypes.c_double))
        self._check(lib.libdbm_model_fit(self._p, stats._p, ctypes.byref(options)),
                    "fitting the %s model" % self.kind)
        return self

    @property
    def fit_info(self):
        ll, seconds = ctypes.c_double(), ctypes.c_double()
        iterations, converged = ctypes.c_int32(), ctypes.c_int()
        self._check(lib.libdbm_model_fit_info(
            self._p, ctypes.byref(ll), ctypes.byref(iterations),
            ctypes.byref(converged), ctypes.byref(seconds)))
        return FitInfo(ll.value, iterations.value, bool(converged.value),
                       seconds.value)

    def std_errors(self):
        """Standard errors of the fitted parameters, as a dict."""
        names = self.param_names
        values = (ctypes.c_double * len(names))()
        self._check(lib.libdbm_model_std_errors(self._p, values, len(names)))
        return dict(zip(names, values))

    def log_likelihood(self, stats):
        out = ctypes.c_double()
        self._check(lib.libdbm_model_log_likelihood(self._p, stats._p,
                                                     ctypes.byref(out)))
        return out.value

    def p_alive(self, x, t_x, T, threads=1):
        """P(alive | x, t_x, T). Arrays go through the bulk C function,
        split over @p threads (results do not depend on the count)."""
        if _arrays.is_scalar(x, t_x, T):
            return self._scalar(lib.libdbm_model_p_alive, x, t_x, T)
        x, t_x, T = _arrays.doubles(x, t_x, T)
        out = np.empty_like(x)
        self._check(lib.libdbm_model_p_alive_array(
            self._p, _arrays.ptr(out), _arrays.ptr(x), _arrays.ptr(t_x),
            _arrays.ptr(T), x.size, threads))
        return out

    def expected_purchases(self, t, x, t_x, T, threads=1):
        """Expected repeat purchases in the next @p t periods."""
        if _arrays.is_scalar(x, t_x, T):
            return self._scalar(lib.libdbm_model_expected_purchases, t, x, t_x, T)
        x, t_x, T = _arrays.doubles(x, t_x, T)
        out = np.empty_like(x)
        self._check(lib.libdbm_model_expected_purchases_array(
            self._p, _arrays.ptr(out), t, _arrays.ptr(x), _arrays.ptr(t_x),
            _arrays.ptr(T), x.size, threads))
        return out

    def expected_purchases_new(self, t):
        """E[X(t)] of a new customer."""
        return self._scalar(lib.libdbm_model_expected_purchases_new, t)

    def prob_purchases(self, n, t):
        """P(X(t) = n) of a new customer."""
        return self._scalar(lib.libdbm_model_prob_purchases, n, t)

    def expected_spend(self, x, m_x):
        """Gamma-Gamma: expected mean transaction value (arrays: element-wise)."""
        if _arrays.is_scalar(x, m_x):
            return self._scalar(lib.libdbm_model_expected_spend, x, m_x)
        x, m_x = _arrays.doubles(x, m_x)
        return np.array([self._scalar(lib.libdbm_model_expected_spend, a, b)
                         for a, b in zip(x.flat, m_x.flat)]).reshape(x.shape)

    def clv(self, spend_model, x, t_x, T, m_x, horizon_months=12,
            monthly_discount=0.01, margin=1.0, periods_per_month=52 / 12):
        """Customer lifetime value with this frequency model and a
        Gamma-Gamma @p spend_model."""
        out = ctypes.c_double()
        self._check(lib.libdbm_model_clv(
            self._p, spend_model._p, ctypes.byref(out), x, t_x, T, m_x,
            horizon_months, monthly_discount, margin, periods_per_month))
        return out.value

    def _scalar(self, fn, *args):
        out = ctypes.c_double()
        self._check(fn(self._p, ctypes.byref(out), *args))
        return out.value

    def to_json(self):
        return self._string(lib.libdbm_model_to_json)

    @classmethod
    def from_json(cls, text, ctx=None):
        model = cls.__new__(cls)
        model._init_in_context(ctx, lib.libdbm_model_from_json, c_string(text),
                               what="reading a model")
        return model

    def __repr__(self):
        return "Model(%r, params=%r)" % (self.kind, self.params)


def _kind_value(kind):
    if isinstance(kind, int):
        return kind
    name = kind.replace("-", "_")
    if name not in KINDS:
        raise ValueError("model kind %r is not bgnbd, pareto_nbd or gamma_gamma"
                         % (kind,))
    return KINDS[name]
