"""Contact policies: may this customer be contacted on this channel now?

    policy = libdbm.Policy('''
        cap email 2 per 7d
        gap email 1d
        quiet 21:00-08:00
    ''')
    answer = policy.check(store, "42", "email", time=store_now)
    if answer.verdict == "allow": ...

A Policy is immutable and may be shared by threads.
"""

import ctypes
import json
from collections import namedtuple

from ._handle import Handle, new_handle, take_string
from ._lib import PolicyRequest, lib
from .errors import c_string, check
from .times import to_time

VERDICTS = {1: "allow", 2: "deny", 3: "defer"}
MESSAGE_CLASSES = {"marketing": 0, "transactional": 1}

Answer = namedtuple("Answer", "verdict until rule reason recorded")
Answer.__doc__ = """The answer of a check: verdict "allow", "deny" or "defer";
until: the allowed moment (the request time for allow, the earliest time
for defer, 0 for deny); rule and reason: what decided ("" for allow);
recorded: whether check_and_record() recorded the contact."""


class Policy(Handle):
    """A contact policy parsed from the text format of docs/policy.md."""
    _what = "policy"
    _free = lib.libdbm_policy_free

    def __init__(self, text, ctx=None):
        self._init_in_context(ctx, lib.libdbm_policy_parse, c_string(text),
                              last_error=lib.libdbm_policy_last_error)

    def __str__(self):
        """The canonical text (every setting spelled out)."""
        return self._string(lib.libdbm_policy_to_string)

    def check(self, store, customer_id, channel, time, **request):
        """Checks a request (keywords: campaign, business_unit,
        message_class "marketing"/"transactional", priority); an Answer."""
        return self._answer(lib.libdbm_policy_check, store, customer_id, channel,
                            time, request)

    def check_and_record(self, store, customer_id, channel, time, **request):
        """As check(), and records the contact when allowed, atomically with
        every other check_and_record() on the store."""
        return self._answer(lib.libdbm_policy_check_and_record, store, customer_id,
                            channel, time, request)

    def explain(self, store, customer_id, channel, time, **request):
        """Why: the combined answer and each rule's own verdict, as a dict."""
        out = ctypes.c_void_p()
        req = _request(customer_id, channel, time, **request)
        self._check(lib.libdbm_policy_explain(self._p, ctypes.byref(out), store._p,
                                              ctypes.byref(req)), "explaining a check")
        return json.loads(take_string(out.value))

    def _answer(self, fn, store, customer_id, channel, time, request):
        req = _request(customer_id, channel, time, **request)
        status, answer = new_handle(lib.libdbm_policy_answer_new, self._ctx_p)
        self._check(status)
        try:
            self._check(fn(self._p, answer, store._p, ctypes.byref(req)),
                        "checking %r on %s" % (customer_id, channel))
            return Answer(VERDICTS[lib.libdbm_policy_answer_verdict(answer)],
                          lib.libdbm_policy_answer_until(answer),
                          lib.libdbm_policy_answer_rule(answer).decode("utf-8"),
                          lib.libdbm_policy_answer_reason(answer).decode("utf-8"),
                          bool(lib.libdbm_policy_answer_recorded(answer)))
        finally:
            lib.libdbm_policy_answer_free(answer)


def _request(customer_id, channel, time, campaign=None, business_unit=None,
             message_class="marketing", priority=0):
    """The C request (a ctypes Structure keeps the bytes it points to)."""
    req = PolicyRequest()
    check(lib.libdbm_policy_request_init(ctypes.byref(req)))
    req.customer_id, req.channel, req.campaign, req.business_unit = map(
        c_string, (customer_id, channel, campaign, business_unit))
    req.message_class = MESSAGE_CLASSES[message_class]
    req.time = to_time(time)
    req.priority = priority
    return req
