# Sufficient statistics and "buy till you die" models (docs/models.md).
# Statistics are mergeable and serialisable (and Marshal-able), so
# partitions can summarise separately, merge and fit once.
module Libdbm
  # An Array of Floats in C memory.
  def self.doubles(values)
    values = Array(values).map { |v| Float(v) }
    buf = FFI::MemoryPointer.new(:double, [values.size, 1].max)
    buf.write_array_of_double(values)
    [buf, values.size]
  end

  class Stats < Handle
    include Blob

    self.what = "stats"
    self.free_function = Native.method(:libdbm_stats_free)
    SAVE_FUNCTION = :libdbm_stats_save
    LOAD_FUNCTION = :libdbm_stats_load

    def initialize(context: nil)
      init_in_context(context, :libdbm_stats_new)
    end

    # Adds one customer (or +weight+ identical ones).
    def add(x, t_x, t, m_x = 0.0, weight = 1.0)
      check_status(Native.libdbm_stats_add(self, x, t_x, t, m_x, weight))
      self
    end

    # Adds every group of +other+.
    def merge(other)
      check_status(Native.libdbm_stats_merge(self, other))
      self
    end

    # New statistics holding all of +parts+ (Stats or saved blobs; the
    # objects loaded from blobs are freed after the merge).
    def self.merged(parts, context: nil)
      parts.each_with_object(new(context: context)) do |part, total|
        next total.merge(part) if part.is_a?(Stats)
        loaded = load(part, context: context)
        begin
          total.merge(loaded)
        ensure
          loaded.close
        end
      end
    end

    def customers
      fetch(:double) { |out| Native.libdbm_stats_customers(self, out) }
    end

    def rows
      fetch(:int64) { |out| Native.libdbm_stats_rows(self, out) }
    end
  end

  class Model < Handle
    include Blob

    self.what = "model"
    self.free_function = Native.method(:libdbm_model_free)
    SAVE_FUNCTION = :libdbm_model_save
    LOAD_FUNCTION = :libdbm_model_load

    KINDS = { bgnbd: 1, pareto_nbd: 2, gamma_gamma: 3 }.freeze
    PARAM_NAMES = { bgnbd: %i[r alpha a b], pareto_nbd: %i[r alpha s beta],
                    gamma_gamma: %i[p q gamma] }.freeze
    FitInfo = Struct.new(:log_likelihood, :iterations, :converged, :seconds)

    # A model of +kind+ (:bgnbd, :pareto_nbd, :gamma_gamma; "pareto-nbd"
    # spellings too) with default or given parameters.
    def initialize(kind, context: nil, params: nil)
      init_in_context(context, :libdbm_model_new, Model.kind_value(kind), what: "creating a #{kind} model")
      self.params = params if params
    end

    def self.kind_value(kind)
      Libdbm.enum_value(KINDS, kind.is_a?(Integer) ? kind : kind.to_s.tr("-", "_"), "kind")
    end

    def self.from_json(text, context: nil)
      model = allocate
      model.send(:init_in_context, context, :libdbm_model_from_json, Libdbm.utf8(text), what: "reading a model")
      model
    end

    def kind
      KINDS.key(fetch(:int) { |out| Native.libdbm_model_kind(self, out) })
    end

    def param_names
      PARAM_NAMES.fetch(kind)
    end

    # The parameters as a Hash, in the kind's order.
    def params
      names = param_names
      values = FFI::MemoryPointer.new(:double, names.size)
      check_status(Native.libdbm_model_get_params(self, values, names.size))
      names.zip(values.read_array_of_double(names.size)).to_h
    end

    # Sets the parameters from a Hash or an Array in the kind's order; the
    # model then counts as not fitted.
    def params=(params)
      params = param_names.map { |name| params.fetch(name) } if params.is_a?(Hash)
      values, count = Libdbm.doubles(params)
      check_status(Native.libdbm_model_set_params(self, values, count))
    end

    # Maximum-likelihood fit on +stats+; returns the model.
    def fit(stats, penalizer: 0.0, max_iterations: 1000, tolerance: 1e-10, initial: nil)
      options = Native::FitOptions.new
      Libdbm.check(Native.libdbm_fit_options_init(options))
      options[:penalizer] = penalizer
      options[:max_iterations] = max_iterations
      options[:tolerance] = tolerance
      options[:initial] = Libdbm.doubles(initial).first if initial
      check_status(Native.libdbm_model_fit(self, stats, options), "fitting the #{kind} model")
      self
    end

    def fit_info
      ll = FFI::MemoryPointer.new(:double)
      seconds = FFI::MemoryPointer.new(:double)
      iterations = FFI::MemoryPointer.new(:int32)
      converged = FFI::MemoryPointer.new(:int)
      check_status(Native.libdbm_model_fit_info(self, ll, iterations, converged, seconds))
      FitInfo.new(ll.read_double, iterations.read_int32, converged.read_int == 1, seconds.read_double)
    end

    def std_errors
      names = param_names
      values = FFI::MemoryPointer.new(:double, names.size)
      check_status(Native.libdbm_model_std_errors(self, values, names.size))
      names.zip(values.read_array_of_double(names.size)).to_h
    end

    def log_likelihood(stats)
      fetch(:double) { |out| Native.libdbm_model_log_likelihood(self, stats, out) }
    end

    # P(alive | x, t_x, T): Floats give a Float, Arrays an Array (through
    # the bulk C function, split over +threads+; results do not depend on
    # the count).
    def p_alive(x, t_x, t, threads: 1)
      return scalar(:libdbm_model_p_alive, x, t_x, t) unless x.is_a?(Array)
      bulk(x, t_x, t) { |out, xs, txs, ts, n| Native.libdbm_model_p_alive_array(self, out, xs, txs, ts, n, threads) }
    end

    # Expected repeat purchases in the next +periods+ periods.
    def expected_purchases(periods, x, t_x, t, threads: 1)
      return scalar(:libdbm_model_expected_purchases, periods, x, t_x, t) unless x.is_a?(Array)
      bulk(x, t_x, t) do |out, xs, txs, ts, n|
        Native.libdbm_model_expected_purchases_array(self, out, periods, xs, txs, ts, n, threads)
      end
    end

    def expected_purchases_new(periods)
      scalar(:libdbm_model_expected_purchases_new, periods)
    end

    def prob_purchases(n, periods)
      scalar(:libdbm_model_prob_purchases, n, periods)
    end

    # Gamma-Gamma: expected mean transaction value.
    def expected_spend(x, m_x)
      scalar(:libdbm_model_expected_spend, x, m_x)
    end

    # Customer lifetime value with this frequency model and a Gamma-Gamma
    # +spend_model+.
    def clv(spend_model, x, t_x, t, m_x, horizon_months: 12, monthly_discount: 0.01, margin: 1.0,
            periods_per_month: 52.0 / 12)
      fetch(:double) do |out|
        Native.libdbm_model_clv(self, spend_model, out, x, t_x, t, m_x, horizon_months,
                                monthly_discount, margin, periods_per_month)
      end
    end

    def to_json(*_args)
      string_of(:libdbm_model_to_json)
    end

    def inspect
      "#<Libdbm::Model #{kind} #{params}>"
    end

    private

    def scalar(fn, *args)
      fetch(:double) { |out| Native.send(fn, self, out, *args) }
    end

    def bulk(x, t_x, t)
      columns = [x, t_x, t].map { |values| Libdbm.doubles(values) }
      n = columns.first.last
      raise ArgumentError, "x, t_x and T differ in length" unless columns.all? { |c| c.last == n }
      out = FFI::MemoryPointer.new(:double, [n, 1].max)
      check_status(yield(out, *columns.map(&:first), n))
      out.read_array_of_double(n)
    end
  end
end
