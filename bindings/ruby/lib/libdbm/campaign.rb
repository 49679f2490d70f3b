# Multi-stage, event-triggered campaigns: a definition (text format of
# docs/campaigns.md) and a scheduler binding it to a store and a policy.
#
#   Libdbm::Scheduler.open(campaign, store, policy) do |scheduler|
#     scheduler.enter_segment(now)
#     scheduler.each_due(now) { |action| send(action); scheduler.record_outcome(action.action_id, :sent, now) }
#   end
require "json"

module Libdbm
  class Campaign < Handle
    self.what = "campaign"
    self.free_function = Native.method(:libdbm_campaign_free)

    def initialize(text, context: nil)
      init_in_context(context, :libdbm_campaign_parse, Libdbm.utf8(text), last_error: :libdbm_campaign_last_error)
    end

    # The canonical text of the definition.
    def to_s
      string_of(:libdbm_campaign_to_string)
    end
  end

  # A campaign bound to a store and a contact policy (nil: every contact
  # allowed); closed before any of the three, one thread at a time. Its
  # state lives in the store's log: a new scheduler on the same store
  # carries on where an earlier one (or process) stopped.
  class Scheduler < Handle
    self.what = "campaign scheduler"
    self.free_function = Native.method(:libdbm_campaign_scheduler_free)

    Action = Struct.new(:action_id, :customer_id, :stage, :channel, :content, :redelivery)
    Uplift = Struct.new(:treated_rate, :holdout_rate, :uplift, :ci_low, :ci_high)
    REPORT_FORMATS = { csv: 0, json: 1 }.freeze

    # With a block, yields the scheduler and closes it when the block ends.
    def self.open(campaign, store, policy = nil)
      scheduler = new(campaign, store, policy)
      return scheduler unless block_given?
      begin
        yield scheduler
      ensure
        scheduler.close
      end
    end

    def initialize(campaign, store, policy = nil)
      status, ptr = Handle.create(:libdbm_campaign_scheduler_new, campaign, store, policy)
      Libdbm.check(status, store.context.to_ptr, "starting the scheduler")
      attach(ptr, [campaign, store, policy].compact, store.context)
    end

    # Enters everyone matching the entry segment; how many entered.
    def enter_segment(now)
      fetch(:int64) { |out| Native.libdbm_campaign_enter_segment(self, out, Libdbm.to_time(now)) }
    end

    # Enters one customer; false when the re-entry rule kept them out.
    def enter(customer_id, now)
      fetch(:int) { |out| Native.libdbm_campaign_enter(self, out, Libdbm.utf8(customer_id), Libdbm.to_time(now)) } == 1
    end

    # Reports an event; true when it made the customer enter.
    def trigger(customer_id, event, time)
      fetch(:int) do |out|
        Native.libdbm_campaign_trigger(self, out, Libdbm.utf8(customer_id), Libdbm.utf8(event), Libdbm.to_time(time))
      end == 1
    end

    # The actions due at +now+ (for everyone, or one customer), each recorded
    # durably as issued before it is handed out: an Array of Actions.
    def due(now, customer_id: nil)
      list = if customer_id
               fetch(:pointer) do |out|
                 Native.libdbm_campaign_due_for(self, out, Libdbm.utf8(customer_id), Libdbm.to_time(now))
               end
             else
               fetch(:pointer) { |out| Native.libdbm_campaign_due(self, out, Libdbm.to_time(now)) }
             end
      begin
        Array.new(Native.libdbm_campaign_actions_count(list)) { |i| Scheduler.action(list, i) }
      ensure
        Native.libdbm_campaign_actions_free(list)
      end
    end

    # Yields the actions due at +now+.
    def each_due(now, customer_id: nil, &block)
      return enum_for(:each_due, now, customer_id: customer_id) unless block
      due(now, customer_id: customer_id).each(&block)
      self
    end

    # Feeds back an action's outcome (:sent, :clicked, :converted, ...).
    def record_outcome(action_id, outcome, at)
      check_status(Native.libdbm_campaign_record_outcome(self, Libdbm.utf8(action_id),
                                                  Libdbm.enum_value(Store::OUTCOMES, outcome, "outcome"),
                                                  Libdbm.to_time(at)), "recording #{action_id}")
    end

    # The measurement per stage and the uplift: a Hash (:json) or CSV text.
    def report(format = :json)
      text = Libdbm.take_string(fetch(:pointer) do |out|
        Native.libdbm_campaign_report(self, out, Libdbm.enum_value(REPORT_FORMATS, format, "format"))
      end)
      format.to_sym == :json ? JSON.parse(text) : text
    end

    def uplift
      values = Array.new(5) { FFI::MemoryPointer.new(:double) }
      check_status(Native.libdbm_campaign_uplift(self, *values))
      Uplift.new(*values.map(&:read_double))
    end

    def self.action(list, index)
      texts = Array.new(4) { FFI::MemoryPointer.new(:pointer) }
      stage = FFI::MemoryPointer.new(:int32)
      redelivery = FFI::MemoryPointer.new(:int)
      status = Native.libdbm_campaign_action_get(list, index, texts[0], texts[1], stage, texts[2], texts[3],
                                                 redelivery)
      raise IndexError, "action #{index}" unless status == OK
      id, customer, channel, content = texts.map { |t| t.read_pointer.read_string.force_encoding(Encoding::UTF_8) }
      Action.new(id, customer, stage.read_int32, channel, content, redelivery.read_int == 1)
    end
  end
end
