# Segment evaluation, contact policies and campaigns through the binding.
require_relative "helper"

class TestPolicyCampaign < Minitest::Test
  DAY = 86_400
  T0 = Libdbm.parse_time("2024-03-04T10:00:00Z") # a Monday
  CAMPAIGN = <<~TEXT
    campaign welcome
    entry segment "frequency >= 0"
    stage hello channel email content welcome_mail
      at entry + 0d
    stage nudge channel email content reminder_mail
      at previous + 2d
      if no_response
  TEXT

  def prepare_customer(store, id)
    store.add_purchase(id, T0 - 30 * DAY, 10)
    store.set_address(id, "email", "#{id}@example.org", verified_at: T0)
    store.record_consent(id, "email", :granted, T0 - DAY)
  end

  def test_segment_members_match_the_scores
    source = TestHelper.cdnow_store
    model = Libdbm::Model.new(:bgnbd).fit(Libdbm::Summary.new(source, TestHelper::CALIBRATION_END)
                                                .add_to(Libdbm::Stats.new))
    scores = Libdbm::Scores.new(source, TestHelper::CALIBRATION_END, freq_model: model)
    Libdbm::Store.open do |store|
      store.batch { scores.each { |row| store.add_purchase(row.customer_id, "1997-01-01", 1.0) } }
      scores.write_back(store)
      expected = scores.select { |r| r.rfm_segment == "Champions" && r.p_alive > 0.8 }.map(&:customer_id)
      champions = Libdbm::Segment.new('rfm.segment == "Champions" and p_alive > 0.8')
      members = champions.evaluate(store, TestHelper::CALIBRATION_END)
      refute_empty expected
      assert_equal expected, members.to_a
      assert_equal expected.size, members.size
      assert_equal expected.size, champions.count(store, TestHelper::CALIBRATION_END)
      assert champions.member?(store, expected.first, TestHelper::CALIBRATION_END)
      lively = Libdbm::Segment.new("p_alive > 0.8").evaluate(store, TestHelper::CALIBRATION_END)
      assert_equal scores.select { |r| r.p_alive > 0.8 }.map(&:customer_id) - expected, (lively - members).to_a
      assert_equal expected, (lively & members).to_a
      slot = members.each_slot.first
      assert members.slot?(slot)
      assert_equal expected.first, members.id_of(slot)
    end
  end

  def test_policy_allows_records_and_defers
    policy = Libdbm::Policy.new("cap email 1 per 7d\nquiet 21:00-08:00\n")
    assert_includes policy.to_s, "cap email 1 per 7d"
    Libdbm::Store.open do |store|
      prepare_customer(store, "ann")
      first = policy.check_and_record(store, "ann", "email", T0, campaign: "spring")
      assert_equal [:allow, T0, "", "", true], first.to_a
      second = policy.check(store, "ann", "email", T0 + 60)
      assert_equal [:defer, "cap"], [second.verdict, second.rule]
      assert_operator second.until, :>=, T0 + 7 * DAY
      assert_equal :allow, policy.check(store, "ann", "email", T0 + 60, message_class: :transactional).verdict
      assert_equal "defer", policy.explain(store, "ann", "email", T0 + 60)["verdict"]
      store.ensure_profile("bob")
      assert_equal :deny, policy.check(store, "bob", "email", T0).verdict
      assert_raises(Libdbm::NotFound) { policy.check(store, "nobody", "email", T0) }
    end
    error = assert_raises(Libdbm::SyntaxError) { Libdbm::Policy.new("cap email 2 per 7d\ngap email soon\n") }
    assert_equal 2, error.line
  end

  def test_campaign_hands_out_actions_once_and_measures
    campaign = Libdbm::Campaign.new(CAMPAIGN)
    assert campaign.to_s.start_with?("campaign welcome")
    Libdbm::Store.open do |store|
      %w[ann bob].each { |id| prepare_customer(store, id) }
      later = Libdbm::Scheduler.open(campaign, store) do |scheduler|
        assert_equal 2, scheduler.enter_segment(T0)
        first = scheduler.due(T0)
        assert_equal %w[ann bob], first.map(&:customer_id).sort
        assert_empty scheduler.due(T0)
        first.each { |action| scheduler.record_outcome(action.action_id, :delivered, T0) }
        ann = first.find { |a| a.customer_id == "ann" }
        scheduler.record_outcome(ann.action_id, :clicked, T0 + 3600)
        due = scheduler.each_due(T0 + 2 * DAY).to_a
        assert_equal [["bob", 1]], due.map { |a| [a.customer_id, a.stage] }
        report = scheduler.report
        assert_equal({ "treated" => 2, "holdout" => 0 }, report["entered"])
        assert_includes scheduler.report(:csv).lines(chomp: true), "welcome,hello,clicked,1"
        due
      end
      Libdbm::Scheduler.open(campaign, store) do |scheduler|
        assert_equal [[later.first.action_id, true]], scheduler.due(T0 + 2 * DAY).map { |a| [a.action_id, a.redelivery] }
      end
    end
    assert_raises(Libdbm::SyntaxError) { Libdbm::Campaign.new("campaign x\nentry sometimes\n") }
  end

  def test_scheduler_is_closed_before_what_it_uses
    campaign = Libdbm::Campaign.new(CAMPAIGN)
    policy = Libdbm::Policy.new("cap email 1 per 7d\n")
    store = Libdbm::Store.new
    scheduler = Libdbm::Scheduler.new(campaign, store, policy)
    policy.close
    assert scheduler.closed?
    refute store.closed?
    store.close
    campaign.close
  end
end
