"""The profile store (docs/store.md): profiles with typed attributes,
channels and consent, purchases, contacts and events.

    with libdbm.Store("shop.store") as store:
        with store.batch():
            store.add_purchase("42", "2024-03-01", 19.90)
        for customer_id in store:
            ...

Customer ids, names and strings are str (UTF-8 on the C side); times are
anything libdbm.times.to_time() accepts and come back as epoch seconds.
"""

import contextlib
import ctypes
import datetime

from ._handle import Handle, new_handle, take_string
from ._lib import CONSENT_FN, STALE_FN, StoreOptions, lib
from .context import enum_value
from .errors import NotFound, check
from .errors import c_string as _s   # short: every call passes strings
from .times import to_datetime, to_time

CREATE, READONLY = 1, 2

VALUE_TYPES = {"null": 0, "string": 1, "int64": 2, "double": 3, "bool": 4,
               "time": 5}
CONSENT_STATES = {"unknown": 0, "granted": 1, "denied": 2}
CONSENT_NAMES = {v: k for k, v in CONSENT_STATES.items()}
OUTCOMES = {"sent": 1, "delivered": 2, "opened": 3, "clicked": 4,
            "responded": 5, "converted": 6, "bounced": 7, "unsubscribed": 8,
            "failed": 9}
AGGREGATES = {"first_purchase": 1, "last_purchase": 2, "purchase_count": 3,
              "purchase_days": 4, "total_minor": 5, "refund_count": 6,
              "refund_total_minor": 7}

# The time range [from, to) of the count functions when not given: all time.
_ALL_TIME = (-(1 << 63), (1 << 63) - 1)


def _decoded(raw):
    return raw.decode("utf-8") if raw is not None else None


class Store(Handle):
    """An open profile store; `path=None` is an in-memory store.

    Threads: any number of reading calls run concurrently with one writing
    call, and ctypes releases the GIL during each, so Python threads may
    share a store. A batch belongs to the store, not to a thread.
    """
    _what = "store"
    _free = lib.libdbm_store_close

    def __init__(self, path=None, ctx=None, create=True, readonly=False,
                 money_scale=100, compress_snapshots=False,
                 checkpoint_log_bytes=0):
        options = StoreOptions()
        check(lib.libdbm_store_options_init(ctypes.byref(options)))
        options.flags = (CREATE if create else 0) | (READONLY if readonly else 0)
        options.money_scale = money_scale
        options.compress_snapshots = 1 if compress_snapshots else 0
        options.checkpoint_log_bytes = checkpoint_log_bytes
        self._init_in_context(ctx, lib.libdbm_store_open, _s(path), ctypes.byref(options),
                              what="opening %s" % (path or "an in-memory store"))
        self.path = path

    # --- batches and durability -----------------------------------------
    def begin(self):
        self._check(lib.libdbm_store_begin(self._p))

    def commit(self):
        self._check(lib.libdbm_store_commit(self._p))

    def rollback(self):
        self._check(lib.libdbm_store_rollback(self._p))

    @contextlib.contextmanager
    def batch(self):
        """A batch as a with-block: committed at its end, rolled back when
        the block raises."""
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def checkpoint(self):
        """Writes a snapshot and empties the log."""
        self._check(lib.libdbm_store_checkpoint(self._p))

    # --- profiles --------------------------------------------------------
    def ensure_profile(self, customer_id):
        """Creates the profile when absent; True when it was created."""
        created = ctypes.c_int()
        self._check(lib.libdbm_store_profile_ensure(self._p, ctypes.byref(created),
                                                     _s(customer_id)))
        return bool(created.value)

    def __contains__(self, customer_id):
        exists = ctypes.c_int()
        self._check(lib.libdbm_store_profile_exists(self._p, ctypes.byref(exists),
                                                     _s(customer_id)))
        return bool(exists.value)

    def resolve(self, customer_id):
        """The id of the profile @p customer_id is (or was merged into)."""
        out = ctypes.c_void_p()
        self._check(lib.libdbm_store_profile_resolve(self._p, ctypes.byref(out),
                                                      _s(customer_id)))
        return take_string(out.value)

    def __len__(self):
        count = ctypes.c_int64()
        self._check(lib.libdbm_store_profile_count(self._p, ctypes.byref(count)))
        return count.value

    def __iter__(self):
        """The ids of the live profiles in creation order. Each iteration
        holds a cursor, freed when it ends (or the store closes)."""
        cursor = _Cursor(self)
        try:
            while True:
                customer_id = cursor.next()
                if customer_id is None:
                    return
                yield customer_id
        finally:
            cursor.close()

    def merge(self, into_id, from_id):
        """Merges profile @p from_id into @p into_id."""
        self._check(lib.libdbm_store_merge(self._p, _s(into_id), _s(from_id)))

    def erase(self, customer_id, keep_suppression=True):
        """Erases a profile (right to be forgotten)."""
        self._check(lib.libdbm_store_erase(self._p, _s(customer_id),
                                           int(keep_suppression)))

    def is_suppressed(self, channel, address):
        out = ctypes.c_int()
        self._check(lib.libdbm_store_is_suppressed(self._p, ctypes.byref(out),
                                                    _s(channel), _s(address)))
        return bool(out.value)

    # --- attributes ------------------------------------------------------
    def declare_attr(self, name, type):
        """Fixes the type ("string", "int64", "double", "bool", "time") of
        attribute @p name in every profile."""
        self._check(lib.libdbm_store_attr_declare(
            self._p, _s(name), enum_value(VALUE_TYPES, type, "type")))

    def set_attr(self, customer_id, name, value, type=None):
        """Sets an attribute. The type follows the value (bool, int, float,
        str, datetime/date = time) unless @p type names one."""
        kind = type or _type_of(value)
        if kind not in _SETTERS:
            raise ValueError("unknown attribute type %r" % (kind,))
        setter, convert = _SETTERS[kind]
        status = setter(self._p, _s(customer_id), _s(name), convert(value))
        self._check(status, "attribute %r" % name)

    def attr_type(self, customer_id, name):
        """The type name of an attribute, "null" when absent."""
        out = ctypes.c_int()
        self._check(lib.libdbm_store_attr_type(self._p, ctypes.byref(out),
                                                _s(customer_id), _s(name)))
        return {v: k for k, v in VALUE_TYPES.items()}[out.value]

    def get_attr(self, customer_id, name, default=None):
        """An attribute's value (time attributes as aware UTC datetimes), or
        @p default when the profile lacks it. NotFound for an unknown id."""
        kind = self.attr_type(customer_id, name)
        if kind == "null":
            return default
        getter, ctype = _GETTERS[kind]
        out = ctype()
        self._check(getter(self._p, ctypes.byref(out), _s(customer_id), _s(name)))
        if kind == "string":
            return take_string(out.value)
        if kind == "bool":
            return bool(out.value)
        if kind == "time":
            return to_datetime(out.value)
        return out.value

    def delete_attr(self, customer_id, name):
        self._check(lib.libdbm_store_attr_delete(self._p, _s(customer_id), _s(name)))

    # --- channels and consent --------------------------------------------
    def set_address(self, customer_id, channel, address, verified_at=0):
        self._check(lib.libdbm_store_channel_set_address(
            self._p, _s(customer_id), _s(channel), _s(address), to_time(verified_at)))

    def verify_address(self, customer_id, channel, verified_at):
        self._check(lib.libdbm_store_channel_verify(
            self._p, _s(customer_id), _s(channel), to_time(verified_at)))

    def set_address_invalid(self, customer_id, channel, invalid, at):
        self._check(lib.libdbm_store_channel_set_invalid(
            self._p, _s(customer_id), _s(channel), int(bool(invalid)), to_time(at)))

    def address(self, customer_id, channel):
        """The address on @p channel; NotFound when there is none."""
        out = ctypes.c_void_p()
        self._check(lib.libdbm_store_channel_get_address(
            self._p, ctypes.byref(out), _s(customer_id), _s(channel)))
        return take_string(out.value)

    def address_status(self, customer_id, channel):
        """(verified_at, invalid) of the address on @p channel."""
        verified, invalid = ctypes.c_int64(), ctypes.c_int()
        self._check(lib.libdbm_store_channel_get_status(
            self._p, ctypes.byref(verified), ctypes.byref(invalid),
            _s(customer_id), _s(channel)))
        return verified.value, bool(invalid.value)

    def record_consent(self, customer_id, channel, state, at, purpose=None,
                       source=None, wording_version=None):
        """Records a grant, denial or reset ("granted", "denied",
        "unknown") for (channel, purpose; None = "marketing")."""
        self._check(lib.libdbm_store_consent_record(
            self._p, _s(customer_id), _s(channel), _s(purpose),
            enum_value(CONSENT_STATES, state, "state"), to_time(at),
            _s(source), _s(wording_version)))

    def consent(self, customer_id, channel, purpose=None):
        """(state name, time of the deciding record) for (channel, purpose)."""
        state, at = ctypes.c_int(), ctypes.c_int64()
        self._check(lib.libdbm_store_channel_get_consent(
            self._p, ctypes.byref(state), ctypes.byref(at), _s(customer_id),
            _s(channel), _s(purpose)))
        return CONSENT_NAMES[state.value], at.value

    def consent_history(self, customer_id):
        """Every consent record of a profile, oldest first, as dicts."""
        records = []

        def collect(channel, purpose, state, at, source, wording, _):
            records.append({"channel": _decoded(channel),
                            "purpose": _decoded(purpose),
                            "state": CONSENT_NAMES.get(state, state), "at": at,
                            "source": _decoded(source),
                            "wording_version": _decoded(wording)})
            return 0
        # The store's read lock is held during the calls: they only collect.
        self._check(lib.libdbm_store_consent_history(
            self._p, _s(customer_id), CONSENT_FN(collect), None))
        return records

    def stale_addresses(self, as_of, max_age_seconds, channel=None):
        """(customer_id, channel, address, verified_at) of every address not
        verified within @p max_age_seconds before @p as_of."""
        rows = []

        def collect(customer_id, chan, address, verified_at, _):
            rows.append((_decoded(customer_id), _decoded(chan),
                         _decoded(address), verified_at))
            return 0
        self._check(lib.libdbm_store_stale_addresses(
            self._p, _s(channel), to_time(as_of), max_age_seconds,
            STALE_FN(collect), None))
        return rows

    # --- purchases, contacts, events ---------------------------------------
    def add_purchase(self, customer_id, time, amount, transaction_id=None):
        """Adds a purchase (a refund when negative) in currency units;
        False when the transaction id was already counted."""
        added = ctypes.c_int()
        self._check(lib.libdbm_store_purchase_add(
            self._p, ctypes.byref(added), _s(customer_id), to_time(time),
            float(amount), _s(transaction_id)))
        return bool(added.value)

    def add_purchase_minor(self, customer_id, time, amount_minor,
                           transaction_id=None):
        """As add_purchase(), the amount in minor units (int)."""
        added = ctypes.c_int()
        self._check(lib.libdbm_store_purchase_add_minor(
            self._p, ctypes.byref(added), _s(customer_id), to_time(time),
            int(amount_minor), _s(transaction_id)))
        return bool(added.value)

    def aggregate(self, customer_id, which):
        """A purchase aggregate: "first_purchase", "last_purchase",
        "purchase_count", "purchase_days", "total_minor", "refund_count"
        or "refund_total_minor"."""
        out = ctypes.c_int64()
        self._check(lib.libdbm_store_aggregate(
            self._p, ctypes.byref(out), _s(customer_id),
            enum_value(AGGREGATES, which, "aggregate")))
        return out.value

    @property
    def money_scale(self):
        out = ctypes.c_int64()
        self._check(lib.libdbm_store_money_scale(self._p, ctypes.byref(out)))
        return out.value

    def add_contact(self, customer_id, time, channel, campaign, outcome="sent",
                    stage=0):
        self._check(lib.libdbm_store_contact_add(
            self._p, _s(customer_id), to_time(time), _s(channel), _s(campaign),
            stage, enum_value(OUTCOMES, outcome, "outcome")))

    def contact_count(self, customer_id, channel=None, outcome=None,
                      since=None, until=None):
        """Contact rows with time in [since, until) (None: unbounded)."""
        out = ctypes.c_int64()
        self._check(lib.libdbm_store_contact_count(
            self._p, ctypes.byref(out), _s(customer_id), _s(channel),
            enum_value(OUTCOMES, outcome, "outcome") if outcome else 0,
            *_window(since, until)))
        return out.value

    def add_event(self, customer_id, name, time, value=0.0):
        self._check(lib.libdbm_store_event_add(
            self._p, _s(customer_id), _s(name), to_time(time), float(value)))

    def event_count(self, customer_id, name, since=None, until=None):
        """Events named @p name with time in [since, until)."""
        out = ctypes.c_int64()
        self._check(lib.libdbm_store_event_count(
            self._p, ctypes.byref(out), _s(customer_id), _s(name),
            *_window(since, until)))
        return out.value


class _Cursor(Handle):
    """A cursor over the profile ids (freed before its store)."""
    _what = "cursor"
    _free = lib.libdbm_store_cursor_free

    def __init__(self, store):
        status, ptr = new_handle(lib.libdbm_store_cursor_new, store._p)
        store._check(status)
        super().__init__(ptr, store, store._context)

    def next(self):
        """The next id, None at the end."""
        out = ctypes.c_char_p()
        status = lib.libdbm_store_cursor_next(self._p, ctypes.byref(out))
        if status == NotFound.code:
            return None
        self._check(status)
        return out.value.decode("utf-8")


def _type_of(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (datetime.datetime, datetime.date)):
        return "time"
    raise TypeError("no attribute type for %r" % (value,))


def _window(since, until):
    return (to_time(since) if since is not None else _ALL_TIME[0],
            to_time(until) if until is not None else _ALL_TIME[1])


_SETTERS = {
    "string": (lib.libdbm_store_attr_set_string, _s),
    "int64": (lib.libdbm_store_attr_set_int64, int),
    "double": (lib.libdbm_store_attr_set_double, float),
    "bool": (lib.libdbm_store_attr_set_bool, lambda value: int(bool(value))),
    "time": (lib.libdbm_store_attr_set_time, to_time),
}

_GETTERS = {
    "string": (lib.libdbm_store_attr_get_string, ctypes.c_void_p),
    "int64": (lib.libdbm_store_attr_get_int64, ctypes.c_int64),
    "double": (lib.libdbm_store_attr_get_double, ctypes.c_double),
    "bool": (lib.libdbm_store_attr_get_bool, ctypes.c_int),
    "time": (lib.libdbm_store_attr_get_time, ctypes.c_int64),
}

__all__ = ["Store"]
