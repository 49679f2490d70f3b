"""Segment evaluation, contact policies and campaigns through the binding."""

import pytest

import libdbm
from conftest import CALIBRATION_END

DAY = 86400
T0 = libdbm.parse_time("2024-03-04T10:00:00Z")    # a Monday


def test_segment_members_match_the_scores(cdnow_store):
    model = libdbm.Model("bgnbd").fit(
        libdbm.Summary(cdnow_store, CALIBRATION_END).add_to(libdbm.Stats()))
    scores = libdbm.Scores(cdnow_store, CALIBRATION_END, freq_model=model)
    with libdbm.Store() as store:
        with store.batch():
            for row in scores:
                store.add_purchase(row.customer_id, "1997-01-01", 1.0)
        scores.write_back(store)
        expected = [row.customer_id for row in scores
                    if row.rfm_segment == "Champions" and row.p_alive > 0.8]
        champions = libdbm.Segment('rfm.segment == "Champions" and p_alive > 0.8')
        members = champions.evaluate(store, CALIBRATION_END)
        assert list(members) == expected and len(members) == len(expected) > 0
        assert champions.count(store, CALIBRATION_END) == len(expected)
        assert champions.test(store, expected[0], CALIBRATION_END)
        lively = libdbm.Segment("p_alive > 0.8").evaluate(store, CALIBRATION_END)
        assert set(lively - members) == {row.customer_id for row in scores
                                         if row.p_alive > 0.8} - set(expected)
        assert list(lively & members) == expected
        slot = next(members.slots())
        assert members.contains_slot(slot) and members.id_of(slot) == expected[0]


def prepare_customer(store, customer_id):
    store.add_purchase(customer_id, T0 - 30 * DAY, 10)
    store.set_address(customer_id, "email", customer_id + "@example.org", verified_at=T0)
    store.record_consent(customer_id, "email", "granted", T0 - DAY)


def test_policy_allows_records_and_defers():
    policy = libdbm.Policy("cap email 1 per 7d\nquiet 21:00-08:00\n")
    assert "cap email 1 per 7d" in str(policy)
    with libdbm.Store() as store:
        prepare_customer(store, "ann")
        first = policy.check_and_record(store, "ann", "email", T0, campaign="spring")
        assert first == ("allow", T0, "", "", True)
        assert store.contact_count("ann", outcome="sent") == 1
        second = policy.check(store, "ann", "email", T0 + 60)
        assert second.verdict == "defer" and second.rule == "cap"
        assert second.until >= T0 + 7 * DAY and second.reason
        receipt = policy.check(store, "ann", "email", T0 + 60, message_class="transactional")
        assert receipt.verdict == "allow"
        explained = policy.explain(store, "ann", "email", T0 + 60)
        assert explained["verdict"] == "defer" and explained["rules"]
        store.ensure_profile("bob")     # no address, no consent
        assert policy.check(store, "bob", "email", T0).verdict == "deny"
        with pytest.raises(libdbm.NotFound):
            policy.check(store, "nobody", "email", T0)


def test_policy_syntax_errors_have_a_position():
    with pytest.raises(libdbm.Syntax) as err:
        libdbm.Policy("cap email 2 per 7d\ngap email soon\n")
    assert err.value.line == 2 and err.value.column > 1
    assert err.value.message.startswith("line 2")


CAMPAIGN = """campaign welcome
entry segment "frequency >= 0"
stage hello channel email content welcome_mail
  at entry + 0d
stage nudge channel email content reminder_mail
  at previous + 2d
  if no_response
"""


def test_campaign_hands_out_actions_once_and_measures():
    campaign = libdbm.Campaign(CAMPAIGN)
    assert str(campaign).startswith("campaign welcome")
    with libdbm.Store() as store:
        for customer_id in ("ann", "bob"):
            prepare_customer(store, customer_id)
        with libdbm.Scheduler(campaign, store) as scheduler:
            assert scheduler.enter_segment(T0) == 2
            first = scheduler.due(T0)
            assert sorted(a.customer_id for a in first) == ["ann", "bob"]
            assert {(a.stage, a.channel, a.content) for a in first} == {(0, "email", "welcome_mail")}
            assert scheduler.due(T0) == []          # issued once
            for action in first:
                scheduler.record_outcome(action.action_id, "delivered", T0)
            clicked = next(a for a in first if a.customer_id == "ann")
            scheduler.record_outcome(clicked.action_id, "clicked", T0 + 3600)
            later = scheduler.due(T0 + 2 * DAY)
            assert [(a.customer_id, a.stage) for a in later] == [("bob", 1)]
            report = scheduler.report()
            assert report["entered"] == {"treated": 2, "holdout": 0}
            assert [(s["stage"], s["allowed"], s["clicked"]) for s in report["stages"]] == [
                ("hello", 2, 1), ("nudge", 1, 0)]
            csv = scheduler.report("csv").splitlines()
            assert csv[0] == "campaign,stage,metric,value"
            assert "welcome,hello,clicked,1" in csv
            assert scheduler.uplift().treated_rate == 0.0
        # A new scheduler on the same store carries on: the action without
        # an outcome (bob's nudge) is handed out again under its id.
        with libdbm.Scheduler(campaign, store) as scheduler:
            again = scheduler.due(T0 + 2 * DAY)
            assert [(a.action_id, a.redelivery) for a in again] == [
                (later[0].action_id, True)]
    with pytest.raises(libdbm.Syntax) as err:
        libdbm.Campaign("campaign x\nentry sometimes\n")
    assert err.value.line == 2


def test_scheduler_is_closed_before_what_it_uses():
    campaign = libdbm.Campaign(CAMPAIGN)
    policy = libdbm.Policy("cap email 1 per 7d\n")
    store = libdbm.Store()
    scheduler = libdbm.Scheduler(campaign, store, policy)
    policy.close()
    assert scheduler.closed and not store.closed
    store.close()
    campaign.close()
