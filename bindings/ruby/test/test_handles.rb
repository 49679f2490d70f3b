# Ownership, errors and callbacks: every C object freed exactly once,
# whether closed, collected, or left to the interpreter's exit.
require_relative "helper"
require "rbconfig"
require "tmpdir"

class TestHandles < Minitest::Test
  module LibC
    extend FFI::Library
    ffi_lib FFI::Library::LIBC
    attach_function :malloc, [:size_t], :pointer
    attach_function :realloc, %i[pointer size_t], :pointer
    attach_function :free, [:pointer], :void
  end

  # malloc/realloc/free that remember the blocks libdbm holds.
  class CountingAllocator
    attr_reader :live, :calls

    def initialize
      @live = {}
      @calls = 0
    end

    def malloc(size)
      track(nil, LibC.malloc(size))
    end

    def realloc(ptr, size)
      track(ptr, LibC.realloc(ptr, size))
    end

    def free(ptr)
      @live.delete(ptr.address) unless ptr.null?
      LibC.free(ptr)
    end

    private

    def track(old, ptr)
      @calls += 1
      unless ptr.null?
        @live.delete(old.address) if old && !old.null?
        @live[ptr.address] = true
      end
      ptr
    end
  end

  # One object of every kind from +ctx+, closed or just dropped.
  def use_everything(ctx, close)
    store = Libdbm::Store.new(context: ctx)
    30.times { |i| store.add_purchase((i % 7).to_s, 852_076_800 + i * 86_400 * 9, 10.0 + i) }
    store.each { break }   # a cursor left mid-iteration
    summary = Libdbm::Summary.new(store, TestHelper::CALIBRATION_END)
    stats = summary.add_to(Libdbm::Stats.new(context: ctx))
    merged = Libdbm::Stats.merged([stats, stats.save], context: ctx)
    model = Libdbm::Model.new(:bgnbd, context: ctx, params: [0.3, 4, 0.8, 2.4])
    copy = Libdbm::Model.from_json(model.to_json, context: ctx)
    scores = Libdbm::Scores.new(store, TestHelper::CALIBRATION_END, freq_model: copy)
    registry = Libdbm::SegmentRegistry.new(context: ctx)
    registry.define("active", "p_alive > 0.5")
    segment = Libdbm::Segment.new('segment("active") and frequency >= 2', context: ctx, registry: registry)
    assert_raises(Libdbm::SyntaxError) { Libdbm::Segment.new("frequency >", context: ctx) }
    assert_equal 7, scores.size
    any = Libdbm::Segment.new("frequency >= 1", context: ctx)
    members = any.evaluate(store, TestHelper::CALIBRATION_END)
    both = members & members
    assert_equal members.to_a, both.to_a
    policy = Libdbm::Policy.new("consent unknown allow\ncap all 1 per 1d\n", context: ctx)
    store.set_address("1", "email", "a@example.org")
    assert_equal :allow, policy.check_and_record(store, "1", "email", 900_000_000).verdict
    campaign = Libdbm::Campaign.new("campaign c\nentry segment \"frequency >= 1\"\nstage s channel email content x\n",
                                    context: ctx)
    objects = [campaign, policy, both, members, any, segment, registry, scores, copy, model, merged, stats,
               summary, store]
    objects.each(&:close) if close
  end

  def test_no_allocation_outlives_its_objects
    [true, false].each do |close|
      allocator = CountingAllocator.new
      ctx = Libdbm::Context.new(allocator: allocator)
      use_everything(ctx, true)   # fills the context's time zone cache
      baseline = allocator.live.size
      5.times { use_everything(ctx, close) }
      if close
        assert_equal baseline, allocator.live.size
      else
        # The collector may keep an object alive through a stale reference
        # on the C stack: closing the context frees whatever is left.
        GC.start
      end
      assert_operator allocator.calls, :>, 500
      ctx.close
      assert_empty allocator.live, "close=#{close}"
    end
  end

  def test_a_campaign_scheduler_frees_everything
    allocator = CountingAllocator.new
    ctx = Libdbm::Context.new(allocator: allocator)
    campaign = Libdbm::Campaign.new("campaign c\nentry segment \"frequency >= 1\"\nstage s channel email content x\n",
                                    context: ctx)
    Libdbm::Store.open(context: ctx) do |store|
      store.add_purchase("1", 852_076_800, 10)
      Libdbm::Scheduler.open(campaign, store) do |scheduler|
        assert_equal 1, scheduler.enter_segment(900_000_000)
        assert_equal 1, scheduler.due(900_000_000).size
      end
    end
    campaign.close
    ctx.close
    assert_empty allocator.live
  end

  def test_closing_a_parent_closes_what_was_made_from_it
    ctx = Libdbm::Context.new
    store = Libdbm::Store.new(context: ctx)
    store.add_purchase("a", 0, 1)
    ids = store.each
    assert_equal "a", ids.next   # holds a cursor in a suspended iteration
    model = Libdbm::Model.new(:bgnbd, context: ctx)
    ctx.close
    assert store.closed?
    assert model.closed?
    assert_raises(Libdbm::InvalidArgument) { store.size }
    store.close
  end

  def test_objects_left_open_at_exit_are_freed_quietly
    Dir.mktmpdir do |dir|
      path = File.join(dir, "s")
      code = "require 'libdbm'; s = Libdbm::Store.open(#{path.inspect}); s.add_purchase('a', 0, 1); " \
             "e = s.each; e.next; m = Libdbm::Model.new(:bgnbd); $keep = [s, e, m]"
      lib = File.expand_path("../lib", __dir__)
      out = IO.popen([RbConfig.ruby, "-I", lib, "-e", code, { err: %i[child out] }], &:read)
      assert $?.success?
      assert_equal "", out
      Libdbm::Store.open(path) { |store| assert_equal ["a"], store.to_a }
    end
  end

  def test_errors_carry_code_message_and_position
    error = assert_raises(Libdbm::SyntaxError) { Libdbm::Segment.new("frequency >=\n  and") }
    assert_equal [-7, 2, 3], [error.code, error.line, error.column]
    assert error.detail.start_with?("line 2, column 3")
    assert error.message.end_with?("(#{Libdbm.strerror(-7)})")
    assert_kind_of Libdbm::Error, Libdbm.error_for(-99)
    ctx = Libdbm::Context.new
    assert_raises(Libdbm::NotFound) { ctx.tz_offset("Nowhere/Atlantis", 0) }
    assert_equal 19_800, ctx.tz_offset("Asia/Kathmandu", 0)
  end

  def test_log_and_clock_callbacks
    messages = []
    ctx = Libdbm::Context.new(log: ->(level, text) { messages << [level, text] }, log_level: :debug,
                              clock: -> { 1_234_567_890 })
    assert_equal 1_234_567_890, ctx.now
    ctx.clock = -> { 42 }
    assert_equal 42, ctx.now
    ctx.clock = nil
    assert_operator ctx.now, :>, 1_700_000_000
    assert_raises(Libdbm::SyntaxError) { Libdbm::Segment.new("(", context: ctx) }
    refute_empty messages
  end

  def test_threads_share_a_model_and_a_store
    summary = Libdbm::Summary.new(TestHelper.cdnow_store, TestHelper::CALIBRATION_END)
    model = Libdbm::Model.new(:bgnbd).fit(summary.add_to(Libdbm::Stats.new))
    cols = summary.columns
    expected = model.p_alive(cols[:x], cols[:t_x], cols[:T])
    results = 4.times.map do
      Thread.new do
        3.times.map do
          assert_equal 2357, TestHelper.cdnow_store.size
          model.p_alive(cols[:x], cols[:t_x], cols[:T])
        end
      end
    end.flat_map(&:value)
    assert_equal 12, results.size
    results.each { |r| assert_equal expected, r }
  end
end
