# Summaries, statistics and models, checked against the definitions
# written out in Ruby.
require_relative "helper"

class TestModels < Minitest::Test
  def summary
    @summary ||= Libdbm::Summary.new(TestHelper.cdnow_store, TestHelper::CALIBRATION_END)
  end

  def bgnbd
    @bgnbd ||= Libdbm::Model.new(:bgnbd).fit(summary.add_to(Libdbm::Stats.new))
  end

  # docs/summary-rules.md, straight from the text file.
  def reference_summary
    end_day = Date.parse(TestHelper::CALIBRATION_END)
    days = Hash.new { |h, k| h[k] = Hash.new(0) }
    File.foreach(TestHelper::CDNOW_SAMPLE) do |line|
      _, id, date, _, dollars = line.split
      day = Date.strptime(date, "%Y%m%d")
      days[id.sub(/\A0+/, "")][day] += (Float(dollars) * 100).round if day <= end_day
    end
    days.transform_values do |per_day|
      sorted = per_day.sort
      x = sorted.size - 1
      m_x = x.zero? ? 0.0 : sorted.drop(1).sum { |_, cents| cents } / x.to_f / 100
      [x, (sorted.last[0] - sorted.first[0]).to_i / 7.0, (end_day - sorted.first[0]).to_i / 7.0, m_x]
    end
  end

  def test_summary_follows_the_rules
    expected = reference_summary
    assert_equal 2357, summary.size
    summary.each do |row|
      x, t_x, t, m_x = expected.fetch(row.customer_id)
      assert_equal [x, t_x, t], [row.x, row.t_x, row.T]
      assert_in_delta m_x, row.m_x, 1e-9 * [m_x, 1].max
    end
    assert_equal 2457, summary.columns[:x].sum
    assert_equal summary[-1], summary.to_a.last
  end

  def test_p_alive_matches_the_formula_in_bulk_and_scalar
    r, alpha, a, b = bgnbd.params.values
    cols = summary.columns
    bulk = bgnbd.p_alive(cols[:x], cols[:t_x], cols[:T])
    cols[:x].each_index do |i|
      x, t_x, t = cols[:x][i], cols[:t_x][i], cols[:T][i]
      ratio = x.positive? ? a / (b + x - 1) : 0.0
      expected = 1.0 / (1.0 + ratio * ((alpha + t) / (alpha + t_x))**(r + x))
      assert_in_delta expected, bulk[i], 1e-10
    end
    assert_equal bgnbd.p_alive(cols[:x][3], cols[:t_x][3], cols[:T][3]), bulk[3]
    assert_equal bulk, bgnbd.p_alive(cols[:x], cols[:t_x], cols[:T], threads: 2)
    assert_raises(Libdbm::InvalidArgument) { bgnbd.p_alive(2, 5, 1) }
  end

  def test_partitions_merge_through_marshal_to_the_same_fit
    cols = summary.columns
    parts = 4.times.map do |k|
      stats = Libdbm::Stats.new(context: Libdbm::Context.new)
      (k...cols[:x].size).step(4) { |i| stats.add(cols[:x][i], cols[:t_x][i], cols[:T][i], cols[:m_x][i]) }
      Marshal.dump(stats)
    end
    total = Libdbm::Stats.merged(parts.map { |blob| Marshal.load(blob) })
    assert_equal 2357.0, total.customers
    assert_equal bgnbd.params, Libdbm::Model.new(:bgnbd).fit(total).params
    assert_equal total.save, Libdbm::Stats.load(total.save).save
  end

  def test_models_round_trip_and_report_errors
    [Libdbm::Model.load(bgnbd.save), Libdbm::Model.from_json(bgnbd.to_json),
     Marshal.load(Marshal.dump(bgnbd))].each do |copy|
      assert_equal :bgnbd, copy.kind
      assert_equal bgnbd.params, copy.params
    end
    assert bgnbd.fit_info.converged
    assert_equal %i[r alpha a b], bgnbd.std_errors.keys
    blob = bgnbd.save
    blob.setbyte(blob.bytesize - 1, blob.getbyte(blob.bytesize - 1) ^ 1)
    assert_raises(Libdbm::Corrupt) { Libdbm::Model.load(blob) }
    assert_raises(Libdbm::SyntaxError) { Libdbm::Model.from_json('{"format":1,') }
    assert_raises(Libdbm::NoConvergence) { Libdbm::Model.new(:bgnbd).fit(Libdbm::Stats.new) }
    assert_raises(ArgumentError) { Libdbm::Model.new(:weibull) }
  end

  def test_gamma_gamma_and_new_customer_predictions
    spend = Libdbm::Model.new("gamma-gamma").fit(summary.add_to(Libdbm::Stats.new))
    p_, q, gamma = spend.params.values
    assert_in_delta p_ * (gamma + 3 * 20.0) / (p_ * 3 + q - 1), spend.expected_spend(3, 20.0), 1e-9
    model = Libdbm::Model.new(:bgnbd, params: { r: 0.25, alpha: 4.0, a: 0.8, b: 2.5 })
    probs = (0...200).map { |n| model.prob_purchases(n, 10.0) }
    assert_in_delta 1.0, probs.sum, 1e-9
    assert_in_delta model.expected_purchases_new(10.0), probs.each_with_index.sum { |p, n| p * n }, 1e-8
  end

  def test_rfm_bins_and_segment_tables
    recency = (1..100).to_a.reverse
    frequency = (1..100).to_a
    bins = Libdbm::RfmBins.new(recency, frequency, frequency, bins: 5)
    expected = (1..5).flat_map { |s| [s] * 20 }
    assert_equal [expected] * 3, bins.score(recency, frequency, frequency)
    assert_equal({ bins: 5, monetary: :total, frequency: :days, lookback_days: 0 }, bins.info)
    assert_equal 4, Libdbm::RfmBins.load(bins.save).boundaries(:monetary).size
    table = Libdbm::RfmSegments.new
    assert_equal "Champions", table.classify(5, 5, 5).first
    table.clear
    table.parse("Top: r=5 f=4-5\nRest:")
    table.add_rule("Low", r: 1..2)
    assert_equal 3, table.size
    assert_equal ["Top", 0], table.classify(5, 4, 1)
    assert_raises(Libdbm::SyntaxError) { table.parse("Bad: r=9-") }
  end

  def test_scores_rows_and_write_back
    Libdbm::Store.open do |store|
      store.add_purchase("1", "1997-01-01", 29.33)
      store.add_purchase("1", "1997-03-01", 10.0)
      scores = Libdbm::Scores.new(store, TestHelper::CALIBRATION_END, freq_model: bgnbd)
      row = scores.first
      assert row.expected_spend.nan?
      scores.write_back(store)
      assert_equal row.p_alive, store.get_attr("1", "p_alive")
      assert_equal row.rfm_segment, store.get_attr("1", "rfm.segment")
    end
  end
end
