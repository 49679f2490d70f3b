"""Ownership of the C objects behind the Python wrappers.

libdbm requires that an object is freed before the object it was made
from (a cursor before its store, everything before its context). Python
frees unreachable objects in no guaranteed order (reference cycles,
interpreter exit), so the order is kept here, not left to the collector:

- each C object is one _Resource: its pointer, its free function, the
  resources it was made from (usually one; a campaign scheduler has three)
  and the resources made from it;
- closing a resource first closes the resources made from it, then frees
  its own object, exactly once;
- a wrapper keeps its parent wrappers alive, and a weakref.finalize closes
  its resource when the wrapper dies. The finalizer refers to the resource
  only, never to the wrapper, so it does not keep the wrapper alive.

Closing a handle while another thread uses it (or an object made from it)
is not allowed, as in C.
"""

import ctypes
import weakref

from ._lib import lib
from .errors import OK, InvalidArgument, check, parse_failure


class _Resource:
    __slots__ = ("ptr", "release", "parents", "children", "keepalive")

    def __init__(self, ptr, release, parents):
        self.ptr = ptr
        self.release = release
        self.parents = parents
        self.children = set()
        self.keepalive = ()   # ctypes callbacks the C object may call
        for parent in parents:
            parent.children.add(self)

    def close(self):
        """Frees the object (after the objects made from it); returns the
        free function's status, OK when it returns nothing."""
        if self.ptr is None:
            return OK
        for child in list(self.children):
            child.close()
        ptr, self.ptr = self.ptr, None
        for parent in self.parents:
            parent.children.discard(self)
        status = self.release(ptr)
        return OK if status is None else status


class Handle:
    """Base of every wrapper around a libdbm object: close() and the
    with-statement free it, and so does the garbage collector. Subclasses
    name the C function that frees their object in `_free`."""
    _what = "object"
    _free = None

    def __init__(self, ptr, parents, context):
        """@p parents: the handle (or tuple of handles) that must outlive
        this one; None for none."""
        if parents is None:
            parents = ()
        elif not isinstance(parents, tuple):
            parents = (parents,)
        self._res = _Resource(ptr, type(self)._free, tuple(p._res for p in parents))
        self._parents = parents
        self._made_in = context   # None for a context itself (no self-cycle)
        self._finalizer = weakref.finalize(self, self._res.close)

    @classmethod
    def _adopt(cls, ptr, parents, context):
        """Wraps a pointer made by another C function than the constructor
        (a load, a combination of sets)."""
        obj = cls.__new__(cls)
        Handle.__init__(obj, ptr, parents, context)
        return obj

    def _init_in_context(self, ctx, create, *args, what="", last_error=None):
        """Makes this wrapper's object with the C constructor
        create(&out, ctx, *args) in @p ctx (None: the default context),
        raising on failure: Syntax with a position when @p last_error (the
        C function *_last_error of a text format) is given."""
        from .context import resolve   # context.py builds on this module
        ctx = resolve(ctx)
        status, ptr = new_handle(create, ctx._p, *args)
        if status != OK and last_error is not None:
            raise parse_failure(status, ctx._p, last_error)
        check(status, ctx._p, what)
        Handle.__init__(self, ptr, ctx, ctx)

    def _string(self, fn):
        """A string written by fn(object, &out), freed after decoding."""
        out = ctypes.c_void_p()
        self._check(fn(self._p, ctypes.byref(out)))
        return take_string(out.value)

    @property
    def _p(self):
        """The C pointer; raises InvalidArgument once closed."""
        ptr = self._res.ptr
        if ptr is None:
            raise InvalidArgument(-1, "the %s is closed" % self._what)
        return ptr

    @property
    def _context(self):
        """The Context wrapper this object was made in."""
        return self._made_in if self._made_in is not None else self

    @property
    def _ctx_p(self):
        """The C pointer of the context, for error messages."""
        return self._context._res.ptr

    def _check(self, status, what=""):
        check(status, self._ctx_p, what)

    @property
    def closed(self):
        return self._res.ptr is None

    def close(self):
        """Frees the C object (and the objects made from it). Idempotent."""
        status = self._finalizer()   # None when it ran before
        check(status or OK, None, "closing the " + self._what)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def new_handle(create, *args):
    """Calls a C constructor `create(&out, args...)`; returns its status and
    the new pointer (None on failure)."""
    out = ctypes.c_void_p()
    status = create(ctypes.byref(out), *args)
    return status, out.value


def take_string(ptr):
    """Decodes a string libdbm allocated for the caller, then frees it."""
    return take_string_bytes(ptr).decode("utf-8")


def take_string_bytes(ptr, size=None):
    """The bytes of a string libdbm allocated for the caller (up to its NUL,
    or @p size bytes), then frees it."""
    try:
        return ctypes.string_at(ptr) if size is None else ctypes.string_at(ptr, size)
    finally:
        lib.libdbm_free_string(ptr)


def take_blob(ptr, size):
    """Copies a blob libdbm allocated for the caller, then frees it."""
    try:
        return ctypes.string_at(ptr, size)
    finally:
        lib.libdbm_free_blob(ptr)
