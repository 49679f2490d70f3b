# Score rows of a store's customers (RFM, P(alive), expected purchases,
# spend, CLV) and the calibration/holdout check of a frequency model.
module Libdbm
  class Scores < Handle
    include Rows

    self.what = "scores"
    self.free_function = Native.method(:libdbm_scores_free)

    Row = Struct.new(:customer_id, :recency_days, :frequency, :monetary, :r_score, :f_score, :m_score,
                     :rfm_segment, :p_alive, :expected_purchases, :expected_spend, :clv)
    CSV_HEADER = Row.members.join(",")

    # Scores every customer of +store+ with a purchase on or before the UTC
    # day of +as_of+. Without freq_model, P(alive), expected purchases and
    # CLV are NaN; without spend_model, spend and CLV. bins: (RfmBins)
    # scores against given boundaries; rfm: a Hash of Libdbm.rfm_options;
    # segments: an RfmSegments table; the other keywords are the score
    # options (unit:, horizon:, clv_months:, monthly_discount:, margin:,
    # threads:).
    def initialize(store, as_of, freq_model: nil, spend_model: nil, bins: nil, segments: nil, rfm: nil,
                   **options)
      status, ptr = Handle.create(:libdbm_scores_compute, store, Libdbm.to_time(as_of), freq_model,
                                  spend_model, bins, segments, rfm && Libdbm.rfm_options(**rfm),
                                  Scores.options(**options))
      Libdbm.check(status, store.context.to_ptr, "scoring")
      attach(ptr, store.context, store.context)
    end

    def self.options(unit: :week, horizon: 52, clv_months: 12, monthly_discount: 0.01, margin: 1.0, threads: 1)
      options = Native::ScoreOptions.new
      Libdbm.check(Native.libdbm_score_options_init(options))
      options[:unit] = Libdbm.enum_value(UNITS, unit, "unit")
      options[:horizon] = horizon
      options[:clv_months] = clv_months
      options[:monthly_discount] = monthly_discount
      options[:margin] = margin
      options[:threads] = threads
      options
    end

    def size
      fetch(:int64) { |out| Native.libdbm_scores_count(self, out) }
    end
    alias length size

    # Row +index+ as the CSV line of `dbmtool score`.
    def format_row(index)
      format_line(:libdbm_scores_format_row, index)
    end

    # The header and every row, as `dbmtool score` prints them.
    def csv_lines
      [CSV_HEADER] + Array.new(size) { |i| format_row(i) }
    end

    # Writes the scores onto the profiles as attributes (one batch).
    def write_back(store)
      Libdbm.check(Native.libdbm_scores_write_back(self, store), store.context.to_ptr, "writing the scores back")
    end

    private

    def row(index)
      id = FFI::MemoryPointer.new(:pointer)
      segment = FFI::MemoryPointer.new(:pointer)
      rfm = Array.new(3) { FFI::MemoryPointer.new(:int32) }
      values = Array.new(7) { FFI::MemoryPointer.new(:double) }
      check_status(Native.libdbm_scores_get(self, id, segment, *rfm, *values[3..], index))
      check_status(Native.libdbm_scores_get_rfm_values(self, *values[0, 3], index))
      text = [id, segment].map { |p| p.read_pointer.read_string.force_encoding(Encoding::UTF_8) }
      v = values.map(&:read_double)
      Row.new(text[0], *v[0, 3], *rfm.map(&:read_int32), text[1], *v[3..])
    end
  end

  class Holdout < Handle
    include Rows

    self.what = "holdout check"
    self.free_function = Native.method(:libdbm_holdout_free)

    Bucket = Struct.new(:customers, :actual, :predicted)

    attr_reader :size

    def initialize(store, model, calibration_end, holdout_end, unit: :week, buckets: 8)
      status, ptr = Handle.create(:libdbm_holdout_compute, store, model, Libdbm.to_time(calibration_end),
                                  Libdbm.to_time(holdout_end), Libdbm.enum_value(UNITS, unit, "unit"), buckets)
      Libdbm.check(status, store.context.to_ptr, "holdout check")
      attach(ptr, store.context, store.context)
      @size = buckets
    end

    private

    def row(index)
      customers = FFI::MemoryPointer.new(:int64)
      actual = FFI::MemoryPointer.new(:double)
      predicted = FFI::MemoryPointer.new(:double)
      check_status(Native.libdbm_holdout_bucket(self, customers, actual, predicted, index))
      Bucket.new(customers.read_int64, actual.read_double, predicted.read_double)
    end
  end
end
