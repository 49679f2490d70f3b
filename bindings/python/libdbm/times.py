"""Times: libdbm's are int seconds since the Unix epoch, UTC.

Arguments that are times accept an int (epoch seconds), a datetime (naive
ones are read as UTC), a date (its midnight UTC) or a string in any form
libdbm_time_parse() reads ("2024-03-01", "19970930",
"2024-03-01T09:30:00+01:00", "1700000000").
"""

import ctypes
import datetime

from ._lib import lib
from .errors import OK, c_string, check

UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = datetime.timedelta(seconds=1)


def parse_time(text):
    """Parses a time stamp with libdbm's rules; returns epoch seconds."""
    out = ctypes.c_int64()
    status = lib.libdbm_time_parse(ctypes.byref(out), c_string(text))
    if status != OK:
        check(status, None, "not a time: %r" % (text,))
    return out.value


def format_time(t):
    """Formats epoch seconds as "YYYY-MM-DDTHH:MM:SSZ"."""
    buf = ctypes.create_string_buffer(21)
    check(lib.libdbm_time_format(buf, len(buf), t))
    return buf.value.decode("ascii")


def format_date(t):
    """Formats the UTC date of epoch seconds as "YYYY-MM-DD"."""
    buf = ctypes.create_string_buffer(11)
    check(lib.libdbm_time_format_date(buf, len(buf), t))
    return buf.value.decode("ascii")


def to_time(value):
    """Epoch seconds of an int, datetime, date or time string."""
    if isinstance(value, bool):
        raise TypeError("a bool is not a time")
    if isinstance(value, int):
        return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return (value - _EPOCH) // _SECOND
    if isinstance(value, datetime.date):
        return to_time(datetime.datetime(value.year, value.month, value.day))
    if isinstance(value, str):
        return parse_time(value)
    if hasattr(value, "__index__"):   # numpy integers
        return int(value)
    raise TypeError("not a time: %r" % (value,))


def to_datetime(t):
    """An aware UTC datetime of epoch seconds."""
    return _EPOCH + datetime.timedelta(seconds=t)


__all__ = ["parse_time", "format_time", "format_date", "to_time",
           "to_datetime"]
