# The context: allocator, log, clock and the per-thread error messages.
# Every object is made from a context; methods take context: nil to mean
# the process-wide default context (Libdbm.default_context).
module Libdbm
  LOG_LEVELS = { none: 0, error: 1, warning: 2, info: 3, debug: 4 }.freeze

  class Context < Handle
    self.what = "context"
    self.free_function = Native.method(:libdbm_context_free)

    # log: a callable(level, message) called from any thread that uses an
    # object of the context; log_level: :none .. :debug; clock: a callable
    # giving epoch seconds (the context's "now"); allocator: an object with
    # malloc(size), realloc(pointer, size) and free(pointer) working on
    # FFI::Pointers (tests count allocations with it).
    def initialize(log: nil, log_level: :none, clock: nil, allocator: nil, zoneinfo_dir: nil)
      options = Native::ContextOptions.new
      Libdbm.check(Native.libdbm_context_options_init(options))
      options[:log_level] = Libdbm.enum_value(LOG_LEVELS, log_level, "log_level")
      callbacks = []
      if allocator
        callbacks << (options[:malloc_fn] = proc { |size, _| allocator.malloc(size) })
        callbacks << (options[:realloc_fn] = proc { |ptr, size, _| allocator.realloc(ptr, size) })
        callbacks << (options[:free_fn] = proc { |ptr, _| allocator.free(ptr) })
      end
      callbacks << (options[:log_fn] = proc { |level, text, _| log.call(level, text) }) if log
      callbacks << (options[:clock_fn] = Context.clock_callback(clock)) if clock
      status, ptr = Handle.create(:libdbm_context_new, options)
      Libdbm.check(status, nil, "creating a context")
      attach(ptr, nil, nil)
      # The C context calls these until it is freed, which the resource
      # does: it keeps them alive (the wrapper may be collected first).
      res.keepalive = callbacks
      self.zoneinfo_dir = zoneinfo_dir if zoneinfo_dir
    end

    def self.clock_callback(clock)
      proc { |_| Integer(clock.call) }
    end

    # Replaces the clock (nil: the system clock).
    def clock=(clock)
      fn = clock ? Context.clock_callback(clock) : nil
      check_status(Native.libdbm_context_set_clock(self, fn, nil))
      res.keepalive = res.keepalive + [fn]
    end

    # Sets the directory of TZif files (nil: /usr/share/zoneinfo).
    def zoneinfo_dir=(path)
      check_status(Native.libdbm_context_set_zoneinfo_dir(self, Libdbm.utf8(path)))
    end

    # The context's clock, epoch seconds.
    def now
      Native.libdbm_context_now(self)
    end

    # UTC offset in seconds of IANA zone +zone+ at +time+.
    def tz_offset(zone, time)
      fetch(:int32, "zone #{zone.inspect}") do |out|
        Native.libdbm_tz_offset(self, out, Libdbm.utf8(zone), Libdbm.to_time(time))
      end
    end
  end

  @default_context = nil
  @default_lock = Mutex.new

  # The process-wide context used when context: is nil.
  def self.default_context
    @default_lock.synchronize do
      @default_context = Context.new if @default_context.nil? || @default_context.closed?
      @default_context
    end
  end

  def self.resolve_context(context)
    context || default_context
  end
end
