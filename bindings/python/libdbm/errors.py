"""libdbm's status codes as Python exceptions.

Every failing call raises a subclass of Error carrying the status code
(`code`, a negative `enum libdbm_status` value) and the detailed message
the library recorded for the calling thread (`message`).
"""

import ctypes

from ._lib import lib

OK = 0


class Error(Exception):
    """A libdbm call failed. `code` is the status, `message` the detail."""
    code = None

    def __init__(self, code, message=""):
        self.code = code
        self.message = message or strerror(code)
        super().__init__(self.message)

    def __str__(self):
        return "%s (%s)" % (self.message, strerror(self.code))


class InvalidArgument(Error, ValueError):
    """LIBDBM_EINVAL: a bad argument (also: using a closed object)."""
    code = -1


class OutOfMemory(Error, MemoryError):
    """LIBDBM_ENOMEM."""
    code = -2


class IOFailure(Error):
    """LIBDBM_EIO: an operating-system I/O call failed."""
    code = -3


class Corrupt(Error):
    """LIBDBM_ECORRUPT: a file or blob failed its checks."""
    code = -4


class Locked(Error):
    """LIBDBM_ELOCKED: another process writes the store."""
    code = -5


class NotFound(Error, LookupError):
    """LIBDBM_ENOTFOUND."""
    code = -6


class Syntax(Error, ValueError):
    """LIBDBM_ESYNTAX: text could not be parsed. Segment expressions also
    give the 1-based `line` and `column` (None when unknown)."""
    code = -7

    def __init__(self, code, message="", line=None, column=None):
        super().__init__(code, message)
        self.line = line
        self.column = column


class Exists(Error):
    """LIBDBM_EEXIST."""
    code = -8


class OutOfRange(Error, ValueError):
    """LIBDBM_ERANGE: a value does not fit."""
    code = -9


class ReadOnly(Error):
    """LIBDBM_EREADONLY: opened read-only, or turned so after a failed write."""
    code = -10


class VersionMismatch(Error):
    """LIBDBM_EVERSION: an unsupported file or blob format version."""
    code = -11


class NotSupported(Error):
    """LIBDBM_ENOTSUP: not available in this build."""
    code = -12


class NoConvergence(Error):
    """LIBDBM_ENOCONVERGE: a fit did not converge."""
    code = -13


class LimitExceeded(Error):
    """LIBDBM_ELIMIT: an input exceeds a documented limit."""
    code = -14


_BY_CODE = {cls.code: cls for cls in Error.__subclasses__()}


def c_string(text):
    """A str argument as NUL-terminated UTF-8 for C (None stays NULL).
    Text with a NUL character is refused: C would silently cut it there."""
    if text is None:
        return None
    if "\0" in text:
        raise InvalidArgument(-1, "%r holds a NUL character" % (text[:64],))
    return text.encode("utf-8")


def strerror(code):
    """libdbm's static description of a status code."""
    return lib.libdbm_strerror(code).decode("utf-8")


def error_for(code, message=""):
    """The exception for a status (Error itself for codes this binding does
    not know yet)."""
    cls = _BY_CODE.get(code)
    return cls(code, message) if cls else Error(code, message)


def context_message(ctx_ptr, status):
    """The calling thread's message for a failure on the context, when it is
    the one of @p status (a message from an earlier failure is not used)."""
    if ctx_ptr is None or lib.libdbm_context_errcode(ctx_ptr) != status:
        return ""
    return lib.libdbm_context_errmsg(ctx_ptr).decode("utf-8", "replace")


def parse_failure(status, ctx_ptr, last_error):
    """The exception of a failed parse of segment, policy or campaign text:
    Syntax with the 1-based line and column that @p last_error (the C
    function *_last_error) reports, else the exception of @p status."""
    message = context_message(ctx_ptr, status) or strerror(status)
    if status != Syntax.code:
        return error_for(status, message)
    line, column = ctypes.c_int32(), ctypes.c_int32()
    last_error(ctx_ptr, ctypes.byref(line), ctypes.byref(column))
    return Syntax(status, message, line.value, column.value)


def check(status, ctx_ptr=None, what=""):
    """Raises the exception for @p status unless it is OK. @p ctx_ptr is
    the raw context pointer whose message describes the failure; @p what
    prefixes it."""
    if status == OK:
        return
    message = context_message(ctx_ptr, status) or strerror(status)
    raise error_for(status, what + ": " + message if what else message)
