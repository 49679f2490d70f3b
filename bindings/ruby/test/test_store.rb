# The Store wrapper: each group of store functions, with Ruby types and blocks.
require_relative "helper"
require "rbconfig"
require "tmpdir"

class TestStore < Minitest::Test
  DAY = 86_400
  T0 = Libdbm.parse_time("2024-03-01")

  def setup
    @store = Libdbm::Store.new
  end

  def teardown
    @store.close
  end

  def test_profiles_enumerate_in_creation_order
    %w[b a ç].each { |id| assert @store.ensure_profile(id) }
    refute @store.ensure_profile("a")
    assert_equal %w[b a ç], @store.to_a
    assert_equal %w[b a], @store.first(2)
    assert_equal 3, @store.size
    assert @store.include?("ç")
    refute @store.include?("zz")
  end

  def test_attributes_keep_their_ruby_types
    values = { "name" => "Zoë", "age" => 42, "score" => 0.25, "vip" => true,
               "seen" => Time.utc(2024, 3, 1, 9, 30) }
    values.each { |name, value| @store.set_attr("c1", name, value) }
    assert_equal values, values.keys.to_h { |n| [n, @store.get_attr("c1", n)] }
    assert_equal :time, @store.attr_type("c1", "seen")
    assert_equal 7, @store.get_attr("c1", "missing", 7)
    @store.delete_attr("c1", "age")
    assert_equal :null, @store.attr_type("c1", "age")
    assert_raises(Libdbm::NotFound) { @store.get_attr("nobody", "age") }
    @store.declare_attr("age", :int64)
    error = assert_raises(Libdbm::InvalidArgument) { @store.set_attr("c1", "age", "forty") }
    assert_equal(-1, error.code)
    assert_match(/age/, error.message)
  end

  def test_purchases_and_aggregates
    assert @store.add_purchase("c1", T0, 19.99, transaction_id: "t1")
    refute @store.add_purchase("c1", T0 + 60, 19.99, transaction_id: "t1")
    assert @store.add_purchase_minor("c1", T0 + 3 * DAY, 500)
    @store.add_purchase("c1", Date.new(2024, 3, 5), -5.0)
    assert_equal 2, @store.aggregate("c1", :purchase_count)
    assert_equal 2499, @store.aggregate("c1", :total_minor)
    assert_equal(-500, @store.aggregate("c1", :refund_total_minor))
    assert_equal T0, @store.aggregate("c1", :first_purchase)
    assert_raises(ArgumentError) { @store.aggregate("c1", :nonsense) }
  end

  def test_channels_consent_and_history_blocks
    @store.set_address("c1", "email", "ann@example.org", verified_at: T0)
    assert_equal "ann@example.org", @store.address("c1", "email")
    @store.set_address_invalid("c1", "email", true, T0 + DAY)
    assert_equal [T0, true], @store.address_status("c1", "email")
    @store.record_consent("c1", "email", :granted, T0, source: "web form")
    @store.record_consent("c1", "email", :denied, T0 + DAY)
    assert_equal [:denied, T0 + DAY], @store.consent("c1", "email")
    states = []
    @store.each_consent("c1") { |record| states << [record.state, record.at, record.purpose] }
    assert_equal [[:granted, T0, "marketing"], [:denied, T0 + DAY, "marketing"]], states
    stale = @store.each_stale_address(T0 + 400 * DAY, 365 * DAY).map(&:to_a)
    assert_equal [["c1", "email", "ann@example.org", T0]], stale
  end

  def test_contacts_events_merge_and_erase
    [[0, :sent], [1, :opened], [10, :sent]].each do |day, outcome|
      @store.add_contact("old", T0 + day * DAY, "email", "spring", outcome: outcome)
    end
    assert_equal 2, @store.contact_count("old", outcome: :sent)
    assert_equal 1, @store.contact_count("old", from: T0 + DAY, to: T0 + 10 * DAY)
    @store.add_event("old", "cart_abandoned", T0, 30.0)
    assert_equal 1, @store.event_count("old", "cart_abandoned", to: "2024-03-02")
    @store.set_address("old", "email", "x@example.org")
    @store.add_purchase("new", T0, 1)
    @store.merge("new", "old")
    assert_equal "new", @store.resolve("old")
    assert_equal 3, @store.contact_count("new")
    @store.erase("new")
    assert_equal 0, @store.size
    assert @store.suppressed?("email", "X@example.org")
  end

  def test_batches_commit_or_roll_back
    @store.batch { @store.add_purchase("c1", T0, 1) }
    assert_raises(RuntimeError) do
      @store.batch do
        @store.add_purchase("c2", T0, 1)
        raise "abandon"
      end
    end
    assert_equal ["c1"], @store.to_a
  end

  def test_open_with_a_block_closes_and_locks_out_other_processes
    Dir.mktmpdir do |dir|
      path = File.join(dir, "s")
      kept = Libdbm::Store.open(path) do |store|
        store.add_purchase("c1", T0, 12.5)
        code = "require 'libdbm'; begin; Libdbm::Store.open(#{path.inspect}); " \
               "rescue Libdbm::Locked => e; print e.code; end"
        lib = File.expand_path("../lib", __dir__)
        assert_equal "-5", IO.popen([RbConfig.ruby, "-I", lib, "-e", code], &:read)
        store
      end
      assert kept.closed?
      error = assert_raises(Libdbm::InvalidArgument) { kept.size }
      assert_match(/store is closed/, error.message)
      Libdbm::Store.open(path, readonly: true) do |store|
        assert_equal 1250, store.aggregate("c1", :total_minor)
        assert_raises(Libdbm::ReadOnly) { store.add_purchase("c2", T0, 1) }
      end
      assert_raises(Libdbm::NotFound) { Libdbm::Store.open(File.join(dir, "absent"), create: false) }
    end
  end

  def test_text_with_a_nul_is_refused_not_cut
    assert_raises(Libdbm::InvalidArgument) { @store.ensure_profile("ann\0bob") }
    assert_raises(Libdbm::InvalidArgument) { Libdbm::Segment.new("frequency >= 1\0 or true") }
    policy = Libdbm::Policy.new("consent unknown allow\n")
    assert_raises(Libdbm::InvalidArgument) { policy.check(@store, "ann\0bob", "email", T0) }
    assert_equal 0, @store.size
  end

  def test_times
    assert_equal DAY, Libdbm.parse_time("1970-01-02")
    assert_equal DAY, Libdbm.to_time(Date.new(1970, 1, 2))
    assert_equal "1970-01-02T00:00:00Z", Libdbm.format_time(DAY)
    assert_equal "1970-01-01", Libdbm.format_date(DAY - 1)
    assert_raises(Libdbm::SyntaxError) { Libdbm.parse_time("1997-02-30") }
  end
end
