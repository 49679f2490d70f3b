"""libdbm for Python: the libdbm C library (libdbm.so.1) through ctypes.

    import libdbm
    with libdbm.Store("shop.store") as store:
        ...

Every object frees its C object on close(), at the end of a with-block,
or when garbage-collected; objects made from another (a cursor from a
store, anything from a context) are freed first. Failures raise
libdbm.Error subclasses carrying the status code and libdbm's message.
ctypes releases the GIL during every C call. See docs/bindings.md.
"""

from ._lib import lib as _clib
from .campaign import Campaign, Scheduler
from .context import Context, default_context
from .errors import (Corrupt, Error, Exists, InvalidArgument, IOFailure,
                     LimitExceeded, Locked, NoConvergence, NotFound,
                     NotSupported, OutOfMemory, OutOfRange, ReadOnly, Syntax,
                     VersionMismatch, strerror)
from .model import Model, Stats
from .policy import Policy
from .rfm import RfmBins, RfmSegments
from .scores import Holdout, Scores
from .segment import Members, Segment, SegmentRegistry
from .store import Store
from .summary import Summary
from .times import format_date, format_time, parse_time, to_time

__version__ = "0.1.0"


def version():
    """The run-time version of the C library, "MAJOR.MINOR.PATCH"."""
    return _clib.libdbm_version().decode("ascii")


def has_zlib():
    """True when the C library was built with zlib (compressed snapshots)."""
    return bool(_clib.libdbm_has_feature(1))


__all__ = ["Context", "default_context", "Store", "Summary", "Stats", "Model",
           "RfmBins", "RfmSegments", "Scores", "Holdout", "Segment",
           "SegmentRegistry", "Members", "Policy", "Campaign", "Scheduler", "Error", "InvalidArgument",
           "OutOfMemory", "IOFailure", "Corrupt", "Locked", "NotFound",
           "Syntax", "Exists", "OutOfRange", "ReadOnly", "VersionMismatch",
           "NotSupported", "NoConvergence", "LimitExceeded", "strerror",
           "parse_time", "format_time", "format_date", "to_time", "version",
           "has_zlib"]
