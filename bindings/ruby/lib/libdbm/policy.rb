# Contact policies: may this customer be contacted on this channel now?
# A Policy is parsed from the text format of docs/policy.md; it is
# immutable and may be shared by threads.
require "json"

module Libdbm
  class Policy < Handle
    self.what = "policy"
    self.free_function = Native.method(:libdbm_policy_free)

    VERDICTS = { 1 => :allow, 2 => :deny, 3 => :defer }.freeze
    MESSAGE_CLASSES = { marketing: 0, transactional: 1 }.freeze

    # verdict: :allow, :deny or :defer; until: the allowed moment (the
    # request time for allow, the earliest time for defer, 0 for deny);
    # rule and reason: what decided ("" for allow); recorded: whether
    # check_and_record recorded the contact.
    Answer = Struct.new(:verdict, :until, :rule, :reason, :recorded)

    def initialize(text, context: nil)
      init_in_context(context, :libdbm_policy_parse, Libdbm.utf8(text), last_error: :libdbm_policy_last_error)
    end

    # The canonical text (every setting spelled out).
    def to_s
      string_of(:libdbm_policy_to_string)
    end

    # Checks a request (keywords: campaign:, business_unit:,
    # message_class: :marketing/:transactional, priority:); an Answer.
    def check(store, customer_id, channel, time, **request)
      answer(:libdbm_policy_check, store, customer_id, channel, time, request)
    end

    # As check, and records the contact when allowed, atomically with every
    # other check_and_record on the store.
    def check_and_record(store, customer_id, channel, time, **request)
      answer(:libdbm_policy_check_and_record, store, customer_id, channel, time, request)
    end

    # Why: the combined answer and each rule's own verdict, as a Hash.
    def explain(store, customer_id, channel, time, **request)
      req, _strings = Policy.request(customer_id, channel, time, **request)
      out = FFI::MemoryPointer.new(:pointer)
      check_status(Native.libdbm_policy_explain(self, out, store, req), "explaining a check")
      JSON.parse(Libdbm.take_string(out.read_pointer))
    end

    # The C request and the C strings it points to (keep them during the call).
    def self.request(customer_id, channel, time, campaign: nil, business_unit: nil, message_class: :marketing,
                     priority: 0)
      req = Native::PolicyRequest.new
      Libdbm.check(Native.libdbm_policy_request_init(req))
      strings = { customer_id: customer_id, channel: channel, campaign: campaign, business_unit: business_unit }
                .transform_values { |s| s && FFI::MemoryPointer.from_string(Libdbm.utf8(s)) }
      strings.each { |field, ptr| req[field] = ptr || FFI::Pointer::NULL }
      req[:message_class] = Libdbm.enum_value(MESSAGE_CLASSES, message_class, "message_class")
      req[:time] = Libdbm.to_time(time)
      req[:priority] = priority
      [req, strings]
    end

    private

    def answer(fn, store, customer_id, channel, time, request)
      req, _strings = Policy.request(customer_id, channel, time, **request)
      status, answer = Handle.create(:libdbm_policy_answer_new, context)
      check_status(status)
      begin
        check_status(Native.send(fn, self, answer, store, req), "checking #{customer_id.inspect} on #{channel}")
        Answer.new(VERDICTS.fetch(Native.libdbm_policy_answer_verdict(answer)),
                   Native.libdbm_policy_answer_until(answer),
                   Native.libdbm_policy_answer_rule(answer).dup.force_encoding(Encoding::UTF_8),
                   Native.libdbm_policy_answer_reason(answer).dup.force_encoding(Encoding::UTF_8),
                   Native.libdbm_policy_answer_recorded(answer) == 1)
      ensure
        Native.libdbm_policy_answer_free(answer)
      end
    end
  end
end
