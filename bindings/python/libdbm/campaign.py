"""Multi-stage, event-triggered campaigns: a definition (text format of
docs/campaigns.md) and a scheduler binding it to a store and a policy.

    campaign = libdbm.Campaign(text)
    with libdbm.Scheduler(campaign, store, policy) as scheduler:
        scheduler.enter_segment(now)
        for action in scheduler.due(now):
            send(action)
            scheduler.record_outcome(action.action_id, "sent", now)
"""

import ctypes
import json
from collections import namedtuple

from ._handle import Handle, new_handle, take_string
from ._lib import lib
from .context import enum_value
from .errors import c_string
from .store import OUTCOMES
from .times import to_time

Action = namedtuple("Action", "action_id customer_id stage channel content redelivery")
Uplift = namedtuple("Uplift", "treated_rate holdout_rate uplift ci_low ci_high")
REPORT_FORMATS = {"csv": 0, "json": 1}


class Campaign(Handle):
    """A campaign definition; immutable once a scheduler uses it."""
    _what = "campaign"
    _free = lib.libdbm_campaign_free

    def __init__(self, text, ctx=None):
        self._init_in_context(ctx, lib.libdbm_campaign_parse, c_string(text),
                              last_error=lib.libdbm_campaign_last_error)

    def __str__(self):
        """The canonical text of the definition."""
        return self._string(lib.libdbm_campaign_to_string)


class Scheduler(Handle):
    """A campaign bound to a store and a contact policy (None: every contact
    allowed). Closed before any of the three; one thread at a time. Its
    state lives in the store's log: a new scheduler on the same store
    carries on where an earlier one (or process) stopped."""
    _what = "campaign scheduler"
    _free = lib.libdbm_campaign_scheduler_free

    def __init__(self, campaign, store, policy=None):
        status, ptr = new_handle(lib.libdbm_campaign_scheduler_new, campaign._p, store._p,
                                 policy._p if policy is not None else None)
        store._check(status, "starting the scheduler")
        parents = (campaign, store) + ((policy,) if policy is not None else ())
        super().__init__(ptr, parents, store._context)

    def enter_segment(self, now):
        """Enters everyone matching the entry segment; how many entered."""
        out = ctypes.c_int64()
        self._check(lib.libdbm_campaign_enter_segment(self._p, ctypes.byref(out),
                                                      to_time(now)))
        return out.value

    def enter(self, customer_id, now):
        """Enters one customer; False when the re-entry rule kept them out."""
        out = ctypes.c_int()
        self._check(lib.libdbm_campaign_enter(self._p, ctypes.byref(out),
                                              c_string(customer_id), to_time(now)))
        return bool(out.value)

    def trigger(self, customer_id, event, time):
        """Reports an event; True when it made the customer enter."""
        out = ctypes.c_int()
        self._check(lib.libdbm_campaign_trigger(self._p, ctypes.byref(out),
                                                c_string(customer_id),
                                                c_string(event), to_time(time)))
        return bool(out.value)

    def due(self, now, customer_id=None):
        """The actions due at @p now (for everyone, or one customer), each
        recorded durably as issued before it is handed out."""
        actions = ctypes.c_void_p()
        if customer_id is None:
            status = lib.libdbm_campaign_due(self._p, ctypes.byref(actions), to_time(now))
        else:
            status = lib.libdbm_campaign_due_for(self._p, ctypes.byref(actions),
                                                 c_string(customer_id), to_time(now))
        self._check(status, "collecting due actions")
        try:
            return [_action(actions, i)
                    for i in range(lib.libdbm_campaign_actions_count(actions))]
        finally:
            lib.libdbm_campaign_actions_free(actions)

    def record_outcome(self, action_id, outcome, at):
        """Feeds back an action's outcome ("sent", "clicked", "converted"...)."""
        self._check(lib.libdbm_campaign_record_outcome(
            self._p, c_string(action_id), enum_value(OUTCOMES, outcome, "outcome"),
            to_time(at)), "recording %s" % action_id)

    def report(self, format="json"):
        """The measurement per stage and the uplift: a dict (json) or CSV text."""
        out = ctypes.c_void_p()
        self._check(lib.libdbm_campaign_report(self._p, ctypes.byref(out),
                                               enum_value(REPORT_FORMATS, format, "format")))
        text = take_string(out.value)
        return json.loads(text) if format == "json" else text

    def uplift(self):
        values = [ctypes.c_double() for _ in Uplift._fields]
        self._check(lib.libdbm_campaign_uplift(self._p, *map(ctypes.byref, values)))
        return Uplift(*(v.value for v in values))


def _action(actions, index):
    texts = [ctypes.c_char_p() for _ in range(4)]
    stage, redelivery = ctypes.c_int32(), ctypes.c_int()
    status = lib.libdbm_campaign_action_get(
        actions, index, ctypes.byref(texts[0]), ctypes.byref(texts[1]), ctypes.byref(stage),
        ctypes.byref(texts[2]), ctypes.byref(texts[3]), ctypes.byref(redelivery))
    if status != 0:
        raise IndexError("action %d" % index)
    action_id, customer_id, channel, content = (t.value.decode("utf-8") for t in texts)
    return Action(action_id, customer_id, stage.value, channel, content, bool(redelivery.value))
