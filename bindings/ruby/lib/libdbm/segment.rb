# Segments: compiled expressions over profiles (docs/segments.md), named
# segment registries and member sets.
module Libdbm
  # Named segments that expressions refer to with segment("name"). Not
  # synchronised: define from one thread.
  class SegmentRegistry < Handle
    self.what = "segment registry"
    self.free_function = Native.method(:libdbm_segment_registry_free)

    def initialize(context: nil)
      init_in_context(context, :libdbm_segment_registry_new)
    end

    # Defines (or redefines) +name+ as +segment+: a Segment, or an
    # expression String compiled against this registry (the registry keeps
    # its own reference: the compiled object is freed at once).
    def define(name, segment)
      return define_compiled(name, segment) unless segment.is_a?(String)
      compiled = Segment.new(segment, context: context, registry: self)
      begin
        define_compiled(name, compiled)
      ensure
        compiled.close
      end
    end

    private

    def define_compiled(name, segment)
      check_status(Native.libdbm_segment_registry_define(self, Libdbm.utf8(name), segment), "defining #{name.inspect}")
      self
    end
  end

  # A compiled segment expression; immutable, shareable by threads. A
  # syntax error raises Libdbm::SyntaxError with its line and column.
  class Segment < Handle
    self.what = "segment"
    self.free_function = Native.method(:libdbm_segment_free)

    def initialize(expression, context: nil, registry: nil)
      text = Libdbm.utf8(expression)
      if registry
        init_in_context(context, :libdbm_segment_compile_with, text, registry,
                        last_error: :libdbm_segment_last_error)
      else
        init_in_context(context, :libdbm_segment_compile, text, last_error: :libdbm_segment_last_error)
      end
    end

    # The profiles of +store+ in the segment at +as_of+ (default: the
    # context's now), as a Members set.
    def evaluate(store, as_of = nil)
      status, ptr = Handle.create(:libdbm_segment_evaluate, self, store, Segment.as_of(store, as_of))
      Libdbm.check(status, store.context.to_ptr, "evaluating a segment")
      Members.adopt_for(ptr, store)
    end

    # How many profiles of +store+ are in the segment.
    def count(store, as_of = nil)
      out = FFI::MemoryPointer.new(:int64)
      Libdbm.check(Native.libdbm_segment_count(out, self, store, Segment.as_of(store, as_of)),
                   store.context.to_ptr, "counting a segment")
      out.read_int64
    end

    # Whether one profile is in the segment (fast: that profile only).
    def member?(store, customer_id, as_of = nil)
      out = FFI::MemoryPointer.new(:int)
      Libdbm.check(Native.libdbm_segment_test(out, self, store, Libdbm.utf8(customer_id),
                                              Segment.as_of(store, as_of)),
                   store.context.to_ptr, "testing a segment")
      out.read_int == 1
    end

    def self.as_of(store, as_of)
      as_of ? Libdbm.to_time(as_of) : store.context.now
    end

    # The canonical text of the expression.
    def to_s
      string_of(:libdbm_segment_to_string)
    end
  end

  # The profiles of a store in a segment (Segment#evaluate); immutable.
  # each yields their customer ids in store order; &, | and - make new
  # sets; each_slot yields the store's internal slot numbers.
  class Members < Handle
    include Enumerable

    self.what = "member set"
    self.free_function = Native.method(:libdbm_members_free)

    def self.adopt_for(ptr, store)
      members = adopt(ptr, store.context, store.context)
      members.instance_variable_set(:@store, store)
      members
    end

    def size
      Native.libdbm_members_count(self)
    end

    # The customer ids, in slot order (profiles erased or merged away since
    # the evaluation are left out).
    def ids
      buf = FFI::MemoryPointer.new(:pointer)
      length = FFI::MemoryPointer.new(:size_t)
      Libdbm.check(Native.libdbm_members_export_ids(self, buf, length, nil, @store), @store.context.to_ptr)
      ptr = buf.read_pointer
      begin
        ptr.read_bytes(length.read(:size_t)).force_encoding(Encoding::UTF_8).split("\0")
      ensure
        Native.libdbm_free_string(ptr)
      end
    end

    def each(&block)
      return enum_for(:each) unless block
      ids.each(&block)
      self
    end

    def each_slot
      return enum_for(:each_slot) unless block_given?
      slot = FFI::MemoryPointer.new(:int64)
      slot.write_int64(-1)
      loop do
        status = Native.libdbm_members_next(self, slot)
        break if status == NotFound::CODE
        check_status(status)
        yield slot.read_int64
      end
      self
    end

    def slot?(slot)
      Native.libdbm_members_contains(self, slot) == 1
    end

    # The customer id of member +slot+.
    def id_of(slot)
      out = FFI::MemoryPointer.new(:pointer)
      Libdbm.check(Native.libdbm_members_id(self, out, @store, slot), @store.context.to_ptr)
      Libdbm.take_string(out.read_pointer)
    end

    def &(other)
      combine(:libdbm_members_and, other)
    end

    def |(other)
      combine(:libdbm_members_or, other)
    end

    def -(other)
      combine(:libdbm_members_minus, other)
    end

    private

    def combine(fn, other)
      status, ptr = Handle.create(fn, self, other)
      check_status(status)
      Members.adopt_for(ptr, @store)
    end
  end
end
