# Per-customer "buy till you die" summaries (x, t_x, T, m_x) of a store.
module Libdbm
  UNITS = { day: 1, week: 7 }.freeze
  # Room for the longest CSV line: a quoted 1024-byte id and the numbers.
  LINE_CAPACITY = 8192

  # Row-indexed results (summaries, scores): size, [] with negative
  # indexes, each and Enumerable over the rows.
  module Rows
    include Enumerable

    def [](index)
      index += size if index.negative?
      raise IndexError, "row #{index} of #{size}" unless index >= 0 && index < size
      row(index)
    end

    def each(&block)
      return enum_for(:each) unless block
      size.times { |i| yield row(i) }
      self
    end

    private

    # A CSV line written by the C function +fn+ into a buffer.
    def format_line(fn, index, *extra)
      buf = FFI::MemoryPointer.new(:char, LINE_CAPACITY)
      index += size if index.negative?
      check_status(Native.send(fn, self, buf, LINE_CAPACITY, index, *extra))
      buf.read_string.force_encoding(Encoding::UTF_8)
    end
  end

  class Summary < Handle
    include Rows

    self.what = "summary"
    self.free_function = Native.method(:libdbm_summary_free)

    Row = Struct.new(:customer_id, :x, :t_x, :T, :m_x)

    # The summary of every customer with a purchase on or before the UTC
    # day of +until_time+, in periods of +unit+ (:week or :day).
    def initialize(store, until_time, unit: :week)
      status, ptr = Handle.create(:libdbm_summary_new, store, Libdbm.to_time(until_time),
                                  Libdbm.enum_value(UNITS, unit, "unit"))
      Libdbm.check(status, store.context.to_ptr, "summarising")
      attach(ptr, store.context, store.context)
    end

    def size
      fetch(:int64) { |out| Native.libdbm_summary_count(self, out) }
    end
    alias length size

    # Row +index+ as the CSV line of `dbmtool summary`.
    def format_row(index, decimals = 6)
      format_line(:libdbm_summary_format_row, index, decimals)
    end

    # { customer_id:, x:, t_x:, T:, m_x: } as Arrays.
    def columns
      rows = to_a
      Row.members.to_h { |name| [name, rows.map(&name)] }
    end

    # Adds every row to +stats+ with weight 1; returns the stats.
    def add_to(stats)
      check_status(Native.libdbm_summary_add_to_stats(self, stats))
      stats
    end

    private

    def row(index)
      id = FFI::MemoryPointer.new(:pointer)
      values = Array.new(4) { FFI::MemoryPointer.new(:double) }
      check_status(Native.libdbm_summary_get(self, id, *values, index))
      Row.new(id.read_pointer.read_string.force_encoding(Encoding::UTF_8), *values.map(&:read_double))
    end
  end
end
