"""Objects saved as and loaded from libdbm's portable blobs (bytes), and
pickled through them."""

import ctypes

from ._handle import take_blob


class Saveable:
    """save() gives the object's blob, cls.load(blob, ctx) rebuilds it, and
    pickling goes through them. Subclasses name the C functions in
    `_save_fn` and `_load_fn`."""
    _save_fn = None
    _load_fn = None

    def save(self):
        """The object as a portable, checksummed blob (bytes)."""
        blob, size = ctypes.c_void_p(), ctypes.c_size_t()
        self._check(type(self)._save_fn(self._p, ctypes.byref(blob), ctypes.byref(size)))
        return take_blob(blob.value, size.value)

    @classmethod
    def load(cls, blob, ctx=None):
        """Rebuilds an object from a blob that save() wrote."""
        blob = bytes(blob)
        obj = cls.__new__(cls)
        obj._init_in_context(ctx, cls._load_fn, blob, len(blob),
                             what="loading the %s" % cls._what)
        return obj

    def __reduce__(self):
        return (type(self).load, (self.save(),))
