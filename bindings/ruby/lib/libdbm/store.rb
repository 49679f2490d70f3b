# The profile store (docs/store.md): profiles with typed attributes,
# channels and consent, purchases, contacts and events.
#
#   Libdbm::Store.open("shop.store") do |store|
#     store.batch { store.add_purchase("42", "2024-03-01", 19.90) }
#     store.each { |customer_id| ... }
#   end
module Libdbm
  class Store < Handle
    include Enumerable

    self.what = "store"
    self.free_function = Native.method(:libdbm_store_close)

    CREATE = 1
    READONLY = 2
    VALUE_TYPES = { null: 0, string: 1, int64: 2, double: 3, bool: 4, time: 5 }.freeze
    CONSENT_STATES = { unknown: 0, granted: 1, denied: 2 }.freeze
    OUTCOMES = { sent: 1, delivered: 2, opened: 3, clicked: 4, responded: 5,
                 converted: 6, bounced: 7, unsubscribed: 8, failed: 9 }.freeze
    AGGREGATES = { first_purchase: 1, last_purchase: 2, purchase_count: 3,
                   purchase_days: 4, total_minor: 5, refund_count: 6,
                   refund_total_minor: 7 }.freeze
    ALL_TIME = [-(2**63), 2**63 - 1].freeze

    # Opens a store (path nil: in memory). With a block, yields the store
    # and closes it when the block ends, returning the block's value.
    def self.open(path = nil, **options)
      store = new(path, **options)
      return store unless block_given?
      begin
        yield store
      ensure
        store.close
      end
    end

    attr_reader :path

    def initialize(path = nil, context: nil, create: true, readonly: false, money_scale: 100,
                   compress_snapshots: false, checkpoint_log_bytes: 0)
      options = Native::StoreOptions.new
      Libdbm.check(Native.libdbm_store_options_init(options))
      options[:flags] = (create ? CREATE : 0) | (readonly ? READONLY : 0)
      options[:money_scale] = money_scale
      options[:compress_snapshots] = compress_snapshots ? 1 : 0
      options[:checkpoint_log_bytes] = checkpoint_log_bytes
      init_in_context(context, :libdbm_store_open, Libdbm.utf8(path), options,
                      what: "opening #{path || 'an in-memory store'}")
      @path = path
    end

    # --- batches and durability ---------------------------------------------
    def begin_batch
      check_status(Native.libdbm_store_begin(self))
    end

    def commit
      check_status(Native.libdbm_store_commit(self))
    end

    def rollback
      check_status(Native.libdbm_store_rollback(self))
    end

    # Runs the block in a batch: committed at its end, rolled back when it
    # raises.
    def batch
      begin_batch
      begin
        result = yield self
      rescue Exception # rubocop:disable Lint/RescueException -- re-raised
        rollback
        raise
      end
      commit
      result
    end

    def checkpoint
      check_status(Native.libdbm_store_checkpoint(self))
    end

    # --- profiles -------------------------------------------------------------
    # Creates the profile when absent; true when it was created.
    def ensure_profile(customer_id)
      fetch(:int) { |out| Native.libdbm_store_profile_ensure(self, out, Libdbm.utf8(customer_id)) } == 1
    end

    def include?(customer_id)
      fetch(:int) { |out| Native.libdbm_store_profile_exists(self, out, Libdbm.utf8(customer_id)) } == 1
    end

    def resolve(customer_id)
      ptr = fetch(:pointer) { |out| Native.libdbm_store_profile_resolve(self, out, Libdbm.utf8(customer_id)) }
      Libdbm.take_string(ptr)
    end

    def size
      fetch(:int64) { |out| Native.libdbm_store_profile_count(self, out) }
    end
    alias length size

    # Yields the ids of the live profiles in creation order (an Enumerator
    # without a block). The cursor is freed when the iteration ends.
    def each
      return enum_for(:each) unless block_given?
      cursor = Cursor.new(self)
      begin
        while (customer_id = cursor.next_id)
          yield customer_id
        end
      ensure
        cursor.close
      end
      self
    end
    alias each_profile each

    def merge(into_id, from_id)
      check_status(Native.libdbm_store_merge(self, Libdbm.utf8(into_id), Libdbm.utf8(from_id)))
    end

    def erase(customer_id, keep_suppression: true)
      check_status(Native.libdbm_store_erase(self, Libdbm.utf8(customer_id), keep_suppression ? 1 : 0))
    end

    def suppressed?(channel, address)
      fetch(:int) do |out|
        Native.libdbm_store_is_suppressed(self, out, Libdbm.utf8(channel), Libdbm.utf8(address))
      end == 1
    end

    # --- attributes -------------------------------------------------------------
    def declare_attr(name, type)
      check_status(Native.libdbm_store_attr_declare(self, Libdbm.utf8(name),
                                             Libdbm.enum_value(VALUE_TYPES, type, "type")))
    end

    # Sets an attribute; the type follows the value (true/false, Integer,
    # Float, String, Time/Date = time) unless +type+ names one.
    def set_attr(customer_id, name, value, type: nil)
      kind = type || Store.type_of(value)
      setter, convert = SETTERS.fetch(kind.to_sym) { raise ArgumentError, "unknown attribute type #{kind.inspect}" }
      check_status(Native.send(setter, self, Libdbm.utf8(customer_id), Libdbm.utf8(name), convert.call(value)),
            "attribute #{name.inspect}")
    end

    # The type of an attribute (:null when absent).
    def attr_type(customer_id, name)
      code = fetch(:int) { |out| Native.libdbm_store_attr_type(self, out, Libdbm.utf8(customer_id), Libdbm.utf8(name)) }
      VALUE_TYPES.key(code)
    end

    # An attribute's value (time attributes as UTC Times), or +default+
    # when the profile lacks it; NotFound for an unknown id.
    def get_attr(customer_id, name, default = nil)
      kind = attr_type(customer_id, name)
      return default if kind == :null
      getter, type, convert = GETTERS.fetch(kind)
      convert.call(fetch(type) { |out| Native.send(getter, self, out, Libdbm.utf8(customer_id), Libdbm.utf8(name)) })
    end

    def delete_attr(customer_id, name)
      check_status(Native.libdbm_store_attr_delete(self, Libdbm.utf8(customer_id), Libdbm.utf8(name)))
    end

    # --- channels and consent ------------------------------------------------
    def set_address(customer_id, channel, address, verified_at: 0)
      check_status(Native.libdbm_store_channel_set_address(self, Libdbm.utf8(customer_id), Libdbm.utf8(channel),
                                                    Libdbm.utf8(address), Libdbm.to_time(verified_at)))
    end

    def verify_address(customer_id, channel, verified_at)
      check_status(Native.libdbm_store_channel_verify(self, Libdbm.utf8(customer_id), Libdbm.utf8(channel),
                                               Libdbm.to_time(verified_at)))
    end

    def set_address_invalid(customer_id, channel, invalid, at)
      check_status(Native.libdbm_store_channel_set_invalid(self, Libdbm.utf8(customer_id), Libdbm.utf8(channel),
                                                    invalid ? 1 : 0, Libdbm.to_time(at)))
    end

    def address(customer_id, channel)
      ptr = fetch(:pointer) do |out|
        Native.libdbm_store_channel_get_address(self, out, Libdbm.utf8(customer_id), Libdbm.utf8(channel))
      end
      Libdbm.take_string(ptr)
    end

    # [verified_at, invalid] of the address on +channel+.
    def address_status(customer_id, channel)
      verified = FFI::MemoryPointer.new(:int64)
      invalid = FFI::MemoryPointer.new(:int)
      check_status(Native.libdbm_store_channel_get_status(self, verified, invalid, Libdbm.utf8(customer_id),
                                                   Libdbm.utf8(channel)))
      [verified.read_int64, invalid.read_int == 1]
    end

    # Records a grant, denial or reset (:granted, :denied, :unknown) for
    # (channel, purpose; nil = "marketing").
    def record_consent(customer_id, channel, state, at, purpose: nil, source: nil, wording_version: nil)
      check_status(Native.libdbm_store_consent_record(self, Libdbm.utf8(customer_id), Libdbm.utf8(channel),
                                               Libdbm.utf8(purpose),
                                               Libdbm.enum_value(CONSENT_STATES, state, "state"),
                                               Libdbm.to_time(at), Libdbm.utf8(source),
                                               Libdbm.utf8(wording_version)))
    end

    # [state, time of the deciding record] for (channel, purpose).
    def consent(customer_id, channel, purpose: nil)
      state = FFI::MemoryPointer.new(:int)
      at = FFI::MemoryPointer.new(:int64)
      check_status(Native.libdbm_store_channel_get_consent(self, state, at, Libdbm.utf8(customer_id),
                                                    Libdbm.utf8(channel), Libdbm.utf8(purpose)))
      [CONSENT_STATES.key(state.read_int), at.read_int64]
    end

    ConsentRecord = Struct.new(:channel, :purpose, :state, :at, :source, :wording_version)
    StaleAddress = Struct.new(:customer_id, :channel, :address, :verified_at)

    # Yields every consent record of a profile, oldest first (an Enumerator
    # without a block). The records are collected first: the store's read
    # lock is held while libdbm calls back.
    def each_consent(customer_id, &block)
      return enum_for(:each_consent, customer_id) unless block
      records = []
      collect = proc do |channel, purpose, state, at, source, wording, _|
        records << ConsentRecord.new(*[channel, purpose].map { |s| Store.decoded(s) },
                                     CONSENT_STATES.key(state), at,
                                     Store.decoded(source), Store.decoded(wording))
        0
      end
      check_status(Native.libdbm_store_consent_history(self, Libdbm.utf8(customer_id), collect, nil))
      records.each(&block)
      self
    end

    # Yields every address not verified within +max_age_seconds+ before
    # +as_of+ (on +channel+, or every channel).
    def each_stale_address(as_of, max_age_seconds, channel: nil, &block)
      return enum_for(:each_stale_address, as_of, max_age_seconds, channel: channel) unless block
      rows = []
      collect = proc do |customer_id, chan, address, verified_at, _|
        rows << StaleAddress.new(Store.decoded(customer_id), Store.decoded(chan), Store.decoded(address),
                                 verified_at)
        0
      end
      check_status(Native.libdbm_store_stale_addresses(self, Libdbm.utf8(channel), Libdbm.to_time(as_of),
                                                max_age_seconds, collect, nil))
      rows.each(&block)
      self
    end

    # --- purchases, contacts, events ---------------------------------------------
    # Adds a purchase (a refund when negative) in currency units; false when
    # the transaction id was already counted.
    def add_purchase(customer_id, time, amount, transaction_id: nil)
      fetch(:int) do |out|
        Native.libdbm_store_purchase_add(self, out, Libdbm.utf8(customer_id), Libdbm.to_time(time),
                                         Float(amount), Libdbm.utf8(transaction_id))
      end == 1
    end

    # As add_purchase, the amount in minor units (Integer).
    def add_purchase_minor(customer_id, time, amount_minor, transaction_id: nil)
      fetch(:int) do |out|
        Native.libdbm_store_purchase_add_minor(self, out, Libdbm.utf8(customer_id), Libdbm.to_time(time),
                                               Integer(amount_minor), Libdbm.utf8(transaction_id))
      end == 1
    end

    # A purchase aggregate (:first_purchase, :last_purchase,
    # :purchase_count, :purchase_days, :total_minor, :refund_count,
    # :refund_total_minor).
    def aggregate(customer_id, which)
      fetch(:int64) do |out|
        Native.libdbm_store_aggregate(self, out, Libdbm.utf8(customer_id),
                                      Libdbm.enum_value(AGGREGATES, which, "aggregate"))
      end
    end

    def money_scale
      fetch(:int64) { |out| Native.libdbm_store_money_scale(self, out) }
    end

    def add_contact(customer_id, time, channel, campaign, outcome: :sent, stage: 0)
      check_status(Native.libdbm_store_contact_add(self, Libdbm.utf8(customer_id), Libdbm.to_time(time),
                                            Libdbm.utf8(channel), Libdbm.utf8(campaign), stage,
                                            Libdbm.enum_value(OUTCOMES, outcome, "outcome")))
    end

    # Contact rows with time in [from, to) (nil: unbounded).
    def contact_count(customer_id, channel: nil, outcome: nil, from: nil, to: nil)
      fetch(:int64) do |out|
        Native.libdbm_store_contact_count(self, out, Libdbm.utf8(customer_id), Libdbm.utf8(channel),
                                          outcome ? Libdbm.enum_value(OUTCOMES, outcome, "outcome") : 0,
                                          *Store.window(from, to))
      end
    end

    def add_event(customer_id, name, time, value = 0.0)
      check_status(Native.libdbm_store_event_add(self, Libdbm.utf8(customer_id), Libdbm.utf8(name),
                                          Libdbm.to_time(time), Float(value)))
    end

    # Events named +name+ with time in [from, to).
    def event_count(customer_id, name, from: nil, to: nil)
      fetch(:int64) do |out|
        Native.libdbm_store_event_count(self, out, Libdbm.utf8(customer_id), Libdbm.utf8(name),
                                        *Store.window(from, to))
      end
    end

    def self.type_of(value)
      case value
      when true, false then :bool
      when Integer then :int64
      when Float then :double
      when String, Symbol then :string
      when Time, Date then :time
      else raise TypeError, "no attribute type for #{value.inspect}"
      end
    end

    def self.window(from, to)
      [from ? Libdbm.to_time(from) : ALL_TIME[0], to ? Libdbm.to_time(to) : ALL_TIME[1]]
    end

    def self.decoded(text)
      text&.dup&.force_encoding(Encoding::UTF_8)
    end

    SETTERS = {
      string: [:libdbm_store_attr_set_string, ->(v) { Libdbm.utf8(v) }],
      int64: [:libdbm_store_attr_set_int64, ->(v) { Integer(v) }],
      double: [:libdbm_store_attr_set_double, ->(v) { Float(v) }],
      bool: [:libdbm_store_attr_set_bool, ->(v) { v ? 1 : 0 }],
      time: [:libdbm_store_attr_set_time, ->(v) { Libdbm.to_time(v) }]
    }.freeze

    GETTERS = {
      string: [:libdbm_store_attr_get_string, :pointer, ->(p) { Libdbm.take_string(p) }],
      int64: [:libdbm_store_attr_get_int64, :int64, ->(v) { v }],
      double: [:libdbm_store_attr_get_double, :double, ->(v) { v }],
      bool: [:libdbm_store_attr_get_bool, :int, ->(v) { v == 1 }],
      time: [:libdbm_store_attr_get_time, :int64, ->(v) { Time.at(v).utc }]
    }.freeze

    # A cursor over the profile ids, freed before its store.
    class Cursor < Handle
      self.what = "cursor"
      self.free_function = Native.method(:libdbm_store_cursor_free)

      def initialize(store)
        status, ptr = Handle.create(:libdbm_store_cursor_new, store)
        Libdbm.check(status, store.context.to_ptr)
        attach(ptr, store, store.context)
      end

      # The next id, nil at the end.
      def next_id
        out = FFI::MemoryPointer.new(:pointer)
        status = Native.libdbm_store_cursor_next(self, out)
        return nil if status == NotFound::CODE
        check_status(status)
        out.read_pointer.read_string.force_encoding(Encoding::UTF_8)
      end
    end
  end
end
