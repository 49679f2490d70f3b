"""The context: allocator, log, clock and the per-thread error messages.

Every libdbm object is made from a context. Functions take `ctx=None` to
mean the process-wide default context (system clock, malloc, no log).
"""

import ctypes
import threading

from ._handle import Handle, new_handle
from ._lib import (CLOCK_FN, FREE_FN, LOG_FN, MALLOC_FN, REALLOC_FN,
                   ContextOptions, lib)
from .errors import c_string, check
from .times import to_time

LOG_LEVELS = {"none": 0, "error": 1, "warning": 2, "info": 3, "debug": 4}


def enum_value(table, value, what):
    """The C value of a name from @p table (ints pass through)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return table[value]
    except KeyError:
        raise ValueError("%s: %r is not one of %s"
                         % (what, value, ", ".join(sorted(table)))) from None


class Context(Handle):
    """A libdbm context.

    log: callable(level:int, message:str), called from any thread that uses
        an object of the context; log_level: "none".."debug".
    clock: callable() -> epoch seconds (int), the context's "now".
    allocator: object with malloc(size), realloc(ptr, size) and free(ptr)
        working on int addresses (tests count allocations with it; every
        allocation then goes through Python, which is slow).
    zoneinfo_dir: the TZif directory for time zone names.
    """
    _what = "context"
    _free = lib.libdbm_context_free

    def __init__(self, log=None, log_level="none", clock=None, allocator=None,
                 zoneinfo_dir=None):
        options = ContextOptions()
        check(lib.libdbm_context_options_init(ctypes.byref(options)))
        options.log_level = enum_value(LOG_LEVELS, log_level, "log_level")
        callbacks = []
        if allocator is not None:
            callbacks += [MALLOC_FN(lambda size, _: allocator.malloc(size)),
                          REALLOC_FN(lambda p, size, _: allocator.realloc(p, size)),
                          FREE_FN(lambda p, _: allocator.free(p))]
            options.malloc_fn, options.realloc_fn, options.free_fn = callbacks
        if log is not None:
            options.log_fn = _log_callback(log)
            callbacks.append(options.log_fn)
        if clock is not None:
            options.clock_fn = _clock_callback(clock)
            callbacks.append(options.clock_fn)
        status, ptr = new_handle(lib.libdbm_context_new, ctypes.byref(options))
        check(status, None, "creating a context")
        super().__init__(ptr, None, None)
        # The C context calls these until it is freed, which the resource
        # does: it keeps them alive (not the wrapper, which may go first).
        self._res.keepalive = tuple(callbacks)
        if zoneinfo_dir is not None:
            self.set_zoneinfo_dir(zoneinfo_dir)

    def set_clock(self, clock):
        """Replaces the clock (None: the system clock). Not while other
        threads use objects of this context."""
        fn = _clock_callback(clock) if clock is not None else CLOCK_FN()
        self._check(lib.libdbm_context_set_clock(self._p, fn, None))
        self._res.keepalive += (fn,)

    def set_zoneinfo_dir(self, path):
        """Sets the directory of TZif files (None: /usr/share/zoneinfo)."""
        encoded = c_string(path)
        self._check(lib.libdbm_context_set_zoneinfo_dir(self._p, encoded))

    @property
    def now(self):
        """The context's clock: epoch seconds."""
        return lib.libdbm_context_now(self._p)

    def tz_offset(self, zone, t):
        """UTC offset in seconds of IANA zone @p zone at time @p t."""
        offset = ctypes.c_int32()
        self._check(lib.libdbm_tz_offset(self._p, ctypes.byref(offset),
                                         c_string(zone), to_time(t)),
                    "zone %r" % zone)
        return offset.value


def _log_callback(log):
    return LOG_FN(lambda level, message, _:
                  log(level, message.decode("utf-8", "replace")))


def _clock_callback(clock):
    return CLOCK_FN(lambda _: int(clock()))


_default = None
_default_lock = threading.Lock()


def default_context():
    """The process-wide context used when `ctx` is None."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Context()
        return _default


def resolve(ctx):
    """@p ctx, or the default context when it is None."""
    return ctx if ctx is not None else default_context()
