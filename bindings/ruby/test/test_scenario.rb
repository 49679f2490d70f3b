# The C demo's scenario (scripts/demo.sh) through the binding must give
# exactly what dbmtool gives from the same build: the same fitted
# parameters (bitwise) and the same score lines.
require_relative "helper"
require "json"
require "open3"
require "tmpdir"

class TestScenario < Minitest::Test
  MODELS = %w[bgnbd pareto-nbd gamma-gamma].freeze

  def self.demo
    @demo ||= run_demo
  end

  def self.run_demo
    dbmtool = TestHelper.dbmtool
    Dir.mktmpdir do |dir|
      run = lambda do |*args|
        out, err, status = Open3.capture3(dbmtool, *args)
        raise "dbmtool #{args.first} failed: #{err}" unless status.success?
        out
      end
      store = File.join(dir, "cdnow.store")
      run.call("import", store, TestHelper::CDNOW_SAMPLE, "--format", "cdnow")
      MODELS.each do |m|
        run.call("fit", store, "--model", m, "--until", TestHelper::CALIBRATION_END, "--unit", "week",
                 "--out", File.join(dir, "#{m}.json"))
      end
      scores = %w[bgnbd pareto-nbd].to_h do |m|
        [m, run.call("score", store, "--model", File.join(dir, "#{m}.json"), "--spend-model",
                     File.join(dir, "gamma-gamma.json"), "--as-of", TestHelper::CALIBRATION_END).lines(chomp: true)]
      end
      holdout = run.call("holdout", store, "--model", File.join(dir, "bgnbd.json"), "--calibration-end",
                         TestHelper::CALIBRATION_END, "--holdout-end", TestHelper::HOLDOUT_END).lines(chomp: true)
      params = MODELS.to_h { |m| [m, JSON.parse(File.read(File.join(dir, "#{m}.json")))["params"]] }
      { scores: scores, params: params, holdout: holdout }
    end
  end

  def self.fitted
    @fitted ||= begin
      summary = Libdbm::Summary.new(TestHelper.cdnow_store, TestHelper::CALIBRATION_END, unit: :week)
      stats = summary.add_to(Libdbm::Stats.new)
      MODELS.to_h { |m| [m, Libdbm::Model.new(m).fit(stats)] }
    end
  end

  def setup
    skip "no dbmtool: set DBMTOOL" if TestHelper.dbmtool.empty?
  end

  def test_the_store_holds_the_documented_sample_totals
    store = TestHelper.cdnow_store
    assert_equal 2357, store.size
    assert_equal 24_409_194, store.sum { |id| store.aggregate(id, :total_minor) }
    assert_equal 6696, store.sum { |id| store.aggregate(id, :purchase_days) }
  end

  def test_fitted_parameters_are_bitwise_dbmtool_s
    MODELS.each do |m|
      # dbmtool's JSON has 17 significant digits: the doubles round-trip.
      expected = self.class.demo[:params][m].transform_keys(&:to_sym)
      assert_equal expected, self.class.fitted[m].params, m
    end
  end

  def test_score_lines_are_dbmtool_s
    %w[bgnbd pareto-nbd].each do |m|
      scores = Libdbm::Scores.new(TestHelper.cdnow_store, TestHelper::CALIBRATION_END,
                                  freq_model: self.class.fitted[m], spend_model: self.class.fitted["gamma-gamma"])
      assert_equal 2358, scores.csv_lines.size
      assert_equal self.class.demo[:scores][m], scores.csv_lines, m
    end
  end

  def test_score_values_match_the_printed_precision
    scores = Libdbm::Scores.new(TestHelper.cdnow_store, TestHelper::CALIBRATION_END,
                                freq_model: self.class.fitted["bgnbd"], spend_model: self.class.fitted["gamma-gamma"])
    printed = self.class.demo[:scores]["bgnbd"].drop(1).map { |line| line.split(",") }
    scores.zip(printed).each do |row, fields|
      assert_equal fields[0], row.customer_id
      assert_equal fields[4, 3].map(&:to_i), [row.r_score, row.f_score, row.m_score]
      assert_equal fields[7], row.rfm_segment
      [row.p_alive, row.expected_purchases, row.expected_spend, row.clv].zip(fields[8, 4]) do |value, text|
        assert_in_delta Float(text), value, 1e-9 * Float(text).abs
      end
    end
  end

  def test_holdout_matches_dbmtool
    check = Libdbm::Holdout.new(TestHelper.cdnow_store, self.class.fitted["bgnbd"], TestHelper::CALIBRATION_END,
                                TestHelper::HOLDOUT_END, buckets: 8)
    printed = self.class.demo[:holdout].drop(1).map { |line| line.split(",") }
    assert_equal printed.size, check.size
    check.zip(printed).each do |bucket, fields|
      assert_equal fields[1].to_i, bucket.customers
      assert_equal fields[2], format("%.6f", bucket.actual)
      assert_equal fields[3], format("%.6f", bucket.predicted)
    end
  end
end
