"""The Store wrapper: every group of store functions, through Python types."""

import datetime
import subprocess
import sys

import pytest

import libdbm

DAY = 86400
T0 = libdbm.parse_time("2024-03-01")


@pytest.fixture
def store():
    with libdbm.Store() as s:
        yield s


def test_profiles_iterate_in_creation_order(store):
    for cid in ("b", "a", "ç"):
        assert store.ensure_profile(cid)
    assert not store.ensure_profile("a")
    assert list(store) == ["b", "a", "ç"]
    assert len(store) == 3
    assert "ç" in store and "zz" not in store


def test_attributes_keep_their_python_types(store):
    when = datetime.datetime(2024, 3, 1, 9, 30, tzinfo=datetime.timezone.utc)
    values = {"name": "Zoë", "age": 42, "score": 0.25, "vip": True, "seen": when}
    for name, value in values.items():
        store.set_attr("c1", name, value)
    assert {n: store.get_attr("c1", n) for n in values} == values
    assert store.attr_type("c1", "seen") == "time"
    assert store.get_attr("c1", "missing", default=7) == 7
    store.delete_attr("c1", "age")
    assert store.attr_type("c1", "age") == "null"
    with pytest.raises(libdbm.NotFound):
        store.get_attr("nobody", "age")
    store.set_attr("c1", "birthday", datetime.date(2000, 2, 29))
    assert store.get_attr("c1", "birthday").date() == datetime.date(2000, 2, 29)


def test_declared_attribute_types_are_enforced(store):
    store.declare_attr("age", "int64")
    with pytest.raises(libdbm.InvalidArgument) as err:
        store.set_attr("c1", "age", "forty")
    assert err.value.code == -1 and "age" in str(err.value)
    with pytest.raises(libdbm.OutOfRange):
        store.set_attr("c1", "ratio", float("nan"))


def test_purchases_aggregates_and_dedup(store):
    assert store.add_purchase("c1", T0, 19.99, transaction_id="t1")
    assert not store.add_purchase("c1", T0 + 60, 19.99, transaction_id="t1")
    assert store.add_purchase_minor("c1", T0 + 3 * DAY, 500)
    store.add_purchase("c1", T0 + 4 * DAY, -5.00)
    assert store.money_scale == 100
    assert store.aggregate("c1", "purchase_count") == 2
    assert store.aggregate("c1", "purchase_days") == 2
    assert store.aggregate("c1", "total_minor") == 1999 + 500
    assert store.aggregate("c1", "refund_total_minor") == -500
    assert store.aggregate("c1", "first_purchase") == T0
    with pytest.raises(ValueError):
        store.aggregate("c1", "no_such_aggregate")


def test_channels_consent_and_history(store):
    store.set_address("c1", "email", "ann@example.org", verified_at=T0)
    assert store.address("c1", "email") == "ann@example.org"
    assert store.address_status("c1", "email") == (T0, False)
    store.set_address_invalid("c1", "email", True, T0 + DAY)
    assert store.address_status("c1", "email") == (T0, True)
    store.record_consent("c1", "email", "granted", T0, source="web form",
                         wording_version="v2")
    store.record_consent("c1", "email", "denied", T0 + DAY)
    assert store.consent("c1", "email") == ("denied", T0 + DAY)
    assert store.consent("c1", "sms") == ("unknown", 0)
    history = store.consent_history("c1")
    assert [(h["state"], h["at"], h["source"]) for h in history] == [
        ("granted", T0, "web form"), ("denied", T0 + DAY, "")]
    assert history[0]["purpose"] == "marketing"
    stale = store.stale_addresses(T0 + 400 * DAY, 365 * DAY)
    assert stale == [("c1", "email", "ann@example.org", T0)]
    with pytest.raises(libdbm.NotFound):
        store.address("c1", "sms")


def test_contacts_and_events_count_in_windows(store):
    for day, outcome in ((0, "sent"), (1, "opened"), (10, "sent")):
        store.add_contact("c1", T0 + day * DAY, "email", "spring", outcome)
    assert store.contact_count("c1") == 3
    assert store.contact_count("c1", outcome="sent") == 2
    assert store.contact_count("c1", channel="email", since=T0 + DAY,
                               until=T0 + 10 * DAY) == 1
    store.add_event("c1", "cart_abandoned", T0, 30.0)
    store.add_event("c1", "cart_abandoned", "2024-03-05", 10.0)
    assert store.event_count("c1", "cart_abandoned") == 2
    assert store.event_count("c1", "cart_abandoned", until="2024-03-02") == 1


def test_merge_and_erase(store):
    store.add_purchase("old", T0, 10)
    store.add_purchase("new", T0 + DAY, 20)
    store.set_address("old", "email", "x@example.org")
    store.merge("new", "old")
    assert store.resolve("old") == "new"
    assert store.aggregate("old", "total_minor") == 3000
    assert list(store) == ["new"]
    store.erase("new", keep_suppression=True)
    assert len(store) == 0
    assert store.is_suppressed("email", " X@example.org ")
    with pytest.raises(libdbm.NotFound):
        store.resolve("old")


def test_batch_commits_or_rolls_back(store):
    with store.batch():
        store.add_purchase("c1", T0, 1)
    with pytest.raises(RuntimeError):
        with store.batch():
            store.add_purchase("c2", T0, 1)
            raise RuntimeError("abandon")
    assert list(store) == ["c1"]
    with pytest.raises(libdbm.InvalidArgument):
        store.commit()   # no batch open


def test_durable_store_reopens_and_refuses_a_second_writer(tmp_path):
    path = str(tmp_path / "s")
    with libdbm.Store(path) as store:
        store.add_purchase("c1", T0, 12.5)
        # The lock is per process: a second process gets ELOCKED.
        code = ("import libdbm\ntry:\n    libdbm.Store(%r)\nexcept libdbm.Locked as e:\n"
                "    print(e.code)\n" % path)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                             text=True, check=True).stdout
        assert out.strip() == "-5"
    with libdbm.Store(path, readonly=True) as store:
        assert store.aggregate("c1", "total_minor") == 1250
        with pytest.raises(libdbm.ReadOnly):
            store.add_purchase("c2", T0, 1)
    with pytest.raises(libdbm.NotFound):
        libdbm.Store(str(tmp_path / "absent"), create=False)


def test_corrupt_store_raises_corrupt(tmp_path):
    path = tmp_path / "s"
    with libdbm.Store(str(path)) as store:
        store.add_purchase("c1", T0, 1)
        store.checkpoint()
    snapshot = path / "snapshot.dbm"
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snapshot.write_bytes(bytes(data))
    with pytest.raises(libdbm.Corrupt) as err:
        libdbm.Store(str(path))
    assert "snapshot" in err.value.message


def test_times_parse_and_format():
    assert libdbm.parse_time("1970-01-02") == DAY
    assert libdbm.to_time(datetime.datetime(1970, 1, 2, 1)) == DAY + 3600
    assert libdbm.format_time(DAY) == "1970-01-02T00:00:00Z"
    assert libdbm.format_date(DAY - 1) == "1970-01-01"
    with pytest.raises(libdbm.Syntax):
        libdbm.parse_time("1997-02-30")
    with pytest.raises(TypeError):
        libdbm.to_time(True)


def test_text_with_a_nul_is_refused_not_cut(store):
    with pytest.raises(libdbm.InvalidArgument, match="NUL"):
        store.ensure_profile("ann\0bob")
    with pytest.raises(libdbm.InvalidArgument):
        libdbm.Segment("frequency >= 1\0 or true")
    assert len(store) == 0
