"""Segments: compiled expressions over profiles (docs/segments.md), named
segment registries and member sets."""

import ctypes

from ._handle import Handle, new_handle, take_string, take_string_bytes
from ._lib import lib
from .errors import NotFound, c_string
from .times import to_time


class SegmentRegistry(Handle):
    """Named segments that expressions refer to with segment("name"). Not
    synchronised: define from one thread."""
    _what = "segment registry"
    _free = lib.libdbm_segment_registry_free

    def __init__(self, ctx=None):
        self._init_in_context(ctx, lib.libdbm_segment_registry_new)

    def define(self, name, segment):
        """Defines (or redefines) @p name as @p segment: a Segment, or an
        expression string compiled against this registry (the registry
        keeps its own reference: the compiled object is freed at once)."""
        if isinstance(segment, str):
            with Segment(segment, self._context, registry=self) as compiled:
                return self.define(name, compiled)
        self._check(lib.libdbm_segment_registry_define(
            self._p, c_string(name), segment._p), "defining %r" % name)
        return self


class Segment(Handle):
    """A compiled segment expression; immutable, shareable by threads.
    A syntax error raises libdbm.Syntax with its line and column."""
    _what = "segment"
    _free = lib.libdbm_segment_free

    def __init__(self, expression, ctx=None, registry=None):
        text = c_string(expression)
        if registry is None:
            self._init_in_context(ctx, lib.libdbm_segment_compile, text,
                                  last_error=lib.libdbm_segment_last_error)
        else:
            self._init_in_context(ctx, lib.libdbm_segment_compile_with, text, registry._p,
                                  last_error=lib.libdbm_segment_last_error)

    def evaluate(self, store, as_of=None):
        """The profiles of @p store in the segment at @p as_of (default: the
        context's now), as a Members set."""
        status, ptr = new_handle(lib.libdbm_segment_evaluate, self._p, store._p,
                                 _as_of(store, as_of))
        store._check(status, "evaluating a segment")
        return Members._adopt_for(ptr, store)

    def count(self, store, as_of=None):
        """How many profiles of @p store are in the segment."""
        out = ctypes.c_int64()
        store._check(lib.libdbm_segment_count(ctypes.byref(out), self._p, store._p,
                                              _as_of(store, as_of)), "counting a segment")
        return out.value

    def test(self, store, customer_id, as_of=None):
        """Whether one profile is in the segment (fast: that profile only)."""
        out = ctypes.c_int()
        store._check(lib.libdbm_segment_test(ctypes.byref(out), self._p, store._p,
                                             c_string(customer_id),
                                             _as_of(store, as_of)), "testing a segment")
        return bool(out.value)

    def __str__(self):
        """The canonical text of the expression."""
        return self._string(lib.libdbm_segment_to_string)

    def __repr__(self):
        return "Segment(%r)" % str(self)


class Members(Handle):
    """The profiles of a store in a segment (Segment.evaluate); immutable.
    Iterating gives their customer ids in store order; &, | and - make new
    sets; slots() gives the store's internal slot numbers."""
    _what = "member set"
    _free = lib.libdbm_members_free

    @classmethod
    def _adopt_for(cls, ptr, store):
        members = cls._adopt(ptr, store._context, store._context)
        members._store = store
        return members

    def __len__(self):
        return lib.libdbm_members_count(self._p)

    def ids(self):
        """The customer ids, in slot order (profiles erased or merged away
        since the evaluation are left out)."""
        buf, size, count = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_int64()
        self._store._check(lib.libdbm_members_export_ids(
            self._p, ctypes.byref(buf), ctypes.byref(size), ctypes.byref(count),
            self._store._p))
        raw = take_string_bytes(buf.value, size.value)
        return [cid.decode("utf-8") for cid in raw.split(b"\0")[:-1]]

    def __iter__(self):
        return iter(self.ids())

    def slots(self):
        slot = ctypes.c_int64(-1)
        while True:
            status = lib.libdbm_members_next(self._p, ctypes.byref(slot))
            if status == NotFound.code:   # after the last member
                return
            self._check(status)
            yield slot.value

    def contains_slot(self, slot):
        return lib.libdbm_members_contains(self._p, slot) == 1

    def id_of(self, slot):
        """The customer id of member @p slot."""
        out = ctypes.c_void_p()
        self._store._check(lib.libdbm_members_id(self._p, ctypes.byref(out),
                                                 self._store._p, slot))
        return take_string(out.value)

    def _combine(self, fn, other):
        status, ptr = new_handle(fn, self._p, other._p)
        self._check(status)
        return Members._adopt_for(ptr, self._store)

    def __and__(self, other):
        return self._combine(lib.libdbm_members_and, other)

    def __or__(self, other):
        return self._combine(lib.libdbm_members_or, other)

    def __sub__(self, other):
        return self._combine(lib.libdbm_members_minus, other)


def _as_of(store, as_of):
    return to_time(as_of) if as_of is not None else store._context.now
