# RFM scores: quantile bin boundaries and named segment tables (docs/rfm.md).
module Libdbm
  MONETARY_MODES = { total: 0, average: 1 }.freeze
  FREQUENCY_MODES = { days: 0, purchases: 1 }.freeze

  # The C options struct of an RFM scoring.
  def self.rfm_options(bins: 5, monetary: :total, frequency: :days, lookback_days: 0)
    options = Native::RfmOptions.new
    check(Native.libdbm_rfm_options_init(options))
    options[:bins] = bins
    options[:monetary_mode] = enum_value(MONETARY_MODES, monetary, "monetary")
    options[:frequency_mode] = enum_value(FREQUENCY_MODES, frequency, "frequency")
    options[:lookback_days] = lookback_days
    options
  end

  class RfmBins < Handle
    include Blob

    self.what = "RFM bins"
    self.free_function = Native.method(:libdbm_rfm_bins_free)
    SAVE_FUNCTION = :libdbm_rfm_bins_save
    LOAD_FUNCTION = :libdbm_rfm_bins_load
    COLUMNS = %i[recency frequency monetary].freeze

    # Fits the boundaries on a population; +options+ as Libdbm.rfm_options.
    def initialize(recency, frequency, monetary, context: nil, **options)
      (r, n), (f, _), (m, _) = [recency, frequency, monetary].map { |v| Libdbm.doubles(v) }
      init_in_context(context, :libdbm_rfm_bins_fit, r, f, m, n, Libdbm.rfm_options(**options),
                      what: "fitting RFM bins")
    end

    # [r, f, m] Arrays of scores (1..bins).
    def score(recency, frequency, monetary)
      inputs = [recency, frequency, monetary].map { |v| Libdbm.doubles(v) }
      n = inputs.first.last
      outs = Array.new(3) { FFI::MemoryPointer.new(:int32, [n, 1].max) }
      check_status(Native.libdbm_rfm_bins_score(self, *outs, *inputs.map(&:first), n))
      outs.map { |o| o.read_array_of_int32(n) }
    end

    # { bins:, monetary:, frequency:, lookback_days: }
    def info
      out = Array.new(4) { FFI::MemoryPointer.new(:int32) }
      check_status(Native.libdbm_rfm_bins_info(self, *out))
      bins, monetary, frequency, lookback = out.map(&:read_int32)
      { bins: bins, monetary: MONETARY_MODES.key(monetary), frequency: FREQUENCY_MODES.key(frequency),
        lookback_days: lookback }
    end

    # The bins-1 boundaries of :recency, :frequency or :monetary.
    def boundaries(column)
      index = COLUMNS.index(column.to_sym) or raise ArgumentError, "no RFM column #{column.inspect}"
      (1...info[:bins]).map do |k|
        fetch(:double) { |out| Native.libdbm_rfm_bins_boundary(self, out, index, k) }
      end
    end
  end

  # An ordered table of named rules over (R, F, M) scores, starting as
  # libdbm's default table (or empty with default: false).
  class RfmSegments < Handle
    self.what = "RFM segment table"
    self.free_function = Native.method(:libdbm_rfm_segments_free)

    def initialize(context: nil, default: true)
      init_in_context(context, :libdbm_rfm_segments_new_default)
      clear unless default
    end

    def clear
      check_status(Native.libdbm_rfm_segments_clear(self))
    end

    # Appends a rule; each range is an inclusive Range or [min, max].
    def add_rule(name, r: 1..100, f: 1..100, m: 1..100)
      bounds = [r, f, m].flat_map { |range| [range.first, range.last] }
      check_status(Native.libdbm_rfm_segments_add_rule(self, Libdbm.utf8(name), *bounds))
    end

    # Appends the rules of a text, one per line: `Name: r=4-5 f=4-5`.
    def parse(text)
      check_status(Native.libdbm_rfm_segments_parse(self, Libdbm.utf8(text)))
    end

    def fallback=(name)
      check_status(Native.libdbm_rfm_segments_set_fallback(self, Libdbm.utf8(name)))
    end

    def size
      fetch(:int32) { |out| Native.libdbm_rfm_segments_count(self, out) }
    end

    # [segment name, 0-based rule index or -1 for the fallback]
    def classify(r, f, m)
      name = FFI::MemoryPointer.new(:pointer)
      rule = FFI::MemoryPointer.new(:int32)
      check_status(Native.libdbm_rfm_segments_classify(self, name, rule, r, f, m))
      [name.read_pointer.read_string.force_encoding(Encoding::UTF_8), rule.read_int32]
    end
  end
end
