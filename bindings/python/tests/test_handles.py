"""Ownership, errors and callbacks: every C object freed exactly once,
whether closed, collected, or left to the interpreter's exit."""

import ctypes
import gc
import subprocess
import sys
import threading

import numpy as np
import pytest

import libdbm
from conftest import CALIBRATION_END

_libc = ctypes.CDLL(None)
_libc.malloc.restype = ctypes.c_void_p
_libc.malloc.argtypes = [ctypes.c_size_t]
_libc.realloc.restype = ctypes.c_void_p
_libc.realloc.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.free.argtypes = [ctypes.c_void_p]


class CountingAllocator:
    """malloc/realloc/free that remember the blocks libdbm holds."""

    def __init__(self):
        self.live = set()
        self.calls = 0

    def malloc(self, size):
        ptr = _libc.malloc(size)
        self.calls += 1
        if ptr:
            self.live.add(ptr)
        return ptr

    def realloc(self, ptr, size):
        new = _libc.realloc(ptr, size)
        self.calls += 1
        if new:
            self.live.discard(ptr)
            self.live.add(new)
        return new

    def free(self, ptr):
        if ptr:
            self.live.remove(ptr)
        _libc.free(ptr)


def use_everything(ctx, close):
    """Makes one object of every kind from @p ctx and uses it; closes them
    explicitly when @p close, else only drops the references."""
    store = libdbm.Store(ctx=ctx)
    for i in range(30):
        store.add_purchase(str(i % 7), 852076800 + i * 86400 * 9, 10.0 + i)
    store.set_attr("1", "name", "Ann")
    assert store.get_attr("1", "name") == "Ann"
    for customer_id in store:     # a cursor left mid-iteration
        break
    summary = libdbm.Summary(store, CALIBRATION_END)
    stats = summary.add_to(libdbm.Stats(ctx))
    merged = libdbm.Stats.merged([stats, stats.save()], ctx)
    model = libdbm.Model("bgnbd", ctx, params=[0.3, 4.0, 0.8, 2.4])
    copy = libdbm.Model.from_json(model.to_json(), ctx)
    scores = libdbm.Scores(store, CALIBRATION_END, freq_model=copy)
    bins = libdbm.RfmBins([3, 2, 1], [1, 2, 3], [1, 2, 3], ctx)
    table = libdbm.RfmSegments(ctx)
    registry = libdbm.SegmentRegistry(ctx)
    registry.define("active", "p_alive > 0.5")
    segment = libdbm.Segment('segment("active") and frequency >= 2', ctx, registry)
    with pytest.raises(libdbm.Syntax):
        libdbm.Segment("frequency >", ctx)
    assert len(scores) == 7 and merged.customers == 2 * stats.customers
    members = libdbm.Segment("frequency >= 1", ctx).evaluate(store, CALIBRATION_END)
    both = members & members
    assert list(both) == list(members)
    policy = libdbm.Policy("consent unknown allow\ncap all 1 per 1d\n", ctx)
    store.set_address("1", "email", "a@example.org")
    assert policy.check_and_record(store, "1", "email", 900000000).verdict == "allow"
    campaign = libdbm.Campaign('campaign c\nentry segment "frequency >= 1"\n'
                               'stage s channel email content x\n', ctx)
    objects = [campaign, policy, both, members, segment, registry, table,
               bins, scores, copy, model, merged, stats, summary, store]
    if close:
        for obj in objects:
            obj.close()
    del objects, store, summary, stats, merged, model, copy, scores, bins, table
    del registry, segment, customer_id, members, both, policy, campaign


@pytest.mark.parametrize("close", [True, False], ids=["closed", "collected"])
def test_no_allocation_outlives_its_objects(close):
    allocator = CountingAllocator()
    ctx = libdbm.Context(allocator=allocator)
    use_everything(ctx, close)
    gc.collect()
    # The context's own blocks, with its time zone cache filled.
    baseline = len(allocator.live)
    for _ in range(20):
        use_everything(ctx, close)
        gc.collect()
        assert len(allocator.live) == baseline
    assert allocator.calls > 1000     # the allocator really was libdbm's
    ctx.close()
    assert not allocator.live


def test_a_campaign_scheduler_frees_everything():
    allocator = CountingAllocator()
    ctx = libdbm.Context(allocator=allocator)
    campaign = libdbm.Campaign('campaign c\nentry segment "frequency >= 1"\n'
                               'stage s channel email content x\n', ctx)
    with libdbm.Store(ctx=ctx) as store:
        store.add_purchase("1", 852076800, 10)
        with libdbm.Scheduler(campaign, store) as scheduler:
            assert scheduler.enter_segment(900000000) == 1
            assert len(scheduler.due(900000000)) == 1
    campaign.close()
    ctx.close()
    assert not allocator.live


def test_closing_a_parent_closes_what_was_made_from_it():
    allocator = CountingAllocator()
    ctx = libdbm.Context(allocator=allocator)
    store = libdbm.Store(ctx=ctx)
    store.add_purchase("a", 0, 1)
    profiles = iter(store)
    assert next(profiles) == "a"          # holds a cursor
    model = libdbm.Model("bgnbd", ctx)
    ctx.close()
    assert store.closed and model.closed and not allocator.live
    with pytest.raises(libdbm.InvalidArgument, match="store is closed"):
        len(store)
    store.close()                         # idempotent
    ctx.close()


def test_reference_cycles_are_freed_in_a_safe_order():
    allocator = CountingAllocator()

    class Holder:
        pass
    for _ in range(5):
        holder = Holder()
        holder.ctx = libdbm.Context(allocator=allocator)
        holder.store = libdbm.Store(ctx=holder.ctx)
        holder.store.add_purchase("a", 0, 1)
        holder.ctx.cycle = holder          # ctx -> holder -> ctx, store
        del holder
        gc.collect()
    assert not allocator.live


def test_objects_left_open_at_exit_are_freed_quietly(tmp_path):
    code = ("import libdbm\n"
            "s = libdbm.Store(%r)\n"
            "s.add_purchase('a', 0, 1)\n"
            "it = iter(s); next(it)\n"
            "m = libdbm.Model('bgnbd')\n"
            "c = libdbm.Context(); c.self = c\n" % str(tmp_path / "s"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    # The store was closed (its lock released): it opens again.
    with libdbm.Store(str(tmp_path / "s")) as store:
        assert list(store) == ["a"]


def test_errors_carry_code_message_and_class():
    assert issubclass(libdbm.NotFound, LookupError)
    assert issubclass(libdbm.Syntax, ValueError)
    ctx = libdbm.Context()
    with pytest.raises(libdbm.Syntax) as err:
        libdbm.Segment("frequency >=\n  and", ctx)
    assert (err.value.code, err.value.line, err.value.column) == (-7, 2, 3)
    assert err.value.message.startswith("line 2, column 3")
    assert str(err.value).endswith("(%s)" % libdbm.strerror(-7))
    with pytest.raises(libdbm.NotFound):
        ctx.tz_offset("Nowhere/Atlantis", 0)
    assert ctx.tz_offset("Asia/Kathmandu", 0) == 19800
    assert isinstance(libdbm.errors.error_for(-99), libdbm.Error)


def test_log_and_clock_callbacks():
    messages = []
    ctx = libdbm.Context(log=lambda level, text: messages.append((level, text)),
                         log_level="debug", clock=lambda: 1234567890)
    assert ctx.now == 1234567890
    ctx.set_clock(lambda: 42)
    assert ctx.now == 42
    ctx.set_clock(None)
    assert ctx.now > 1700000000
    with pytest.raises(libdbm.Syntax):
        libdbm.Segment("(", ctx)
    assert messages and all(isinstance(text, str) for _, text in messages)


def test_calls_release_the_gil():
    # ctypes releases the GIL around calls through a CDLL, never a PyDLL.
    assert type(libdbm._lib.lib) is ctypes.CDLL


def test_threads_share_a_model_and_a_store(cdnow_store):
    summary = libdbm.Summary(cdnow_store, CALIBRATION_END)
    model = libdbm.Model("bgnbd").fit(summary.add_to(libdbm.Stats()))
    cols = summary.columns()
    expected = model.p_alive(cols["x"], cols["t_x"], cols["T"])
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(model.p_alive(cols["x"], cols["t_x"], cols["T"]))
                assert len(cdnow_store) == 2357
        except Exception as e:   # reported below, in the main thread
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 20
    assert all(np.array_equal(r, expected) for r in results)
