# Ownership of the C objects behind the Ruby wrappers.
#
# libdbm requires that an object is freed before the object it was made
# from (a cursor before its store, everything before its context). Ruby's
# finalizers run in no guaranteed order (and all of them at exit), so the
# order is kept here: each C object is a Resource holding its pointer, its
# free function, the resources it was made from (usually one; a campaign
# scheduler has three) and the resources made from it; closing a resource
# first closes those made from it, then frees its own object exactly once.
# A wrapper keeps its parent wrappers alive, and its finalizer refers to
# the resource only, so it never keeps the wrapper alive itself.
module Libdbm
  class Resource
    attr_reader :ptr, :children
    attr_accessor :keepalive   # FFI callbacks the C object may call

    def initialize(ptr, release, parents)
      @ptr = ptr
      @release = release
      @parents = parents
      @children = {}.compare_by_identity
      parents.each { |parent| parent.children[self] = true }
    end

    # Frees the object after the objects made from it; returns the free
    # function's status (OK when it returns nothing).
    def close
      return OK if @ptr.nil?
      @children.keys.each(&:close)
      ptr = @ptr
      @ptr = nil
      @parents.each { |parent| parent.children.delete(self) }
      status = @release.call(ptr)
      status.is_a?(Integer) ? status : OK
    end
  end

  # Base of every wrapper: #close (or the end of the block given to the
  # constructor's class method) frees the C object, and so does the GC.
  class Handle
    class << self
      # The native function that frees objects of this class.
      attr_accessor :free_function, :what

      # Wraps a pointer made by another C function than the constructor.
      def adopt(ptr, parents, context)
        obj = allocate
        obj.send(:attach, ptr, parents, context)
        obj
      end

      def finalizer(resource)
        proc { resource.close }
      end

      # Calls a C constructor fn(&out, args...); returns [status, pointer].
      def create(fn, *args)
        out = FFI::MemoryPointer.new(:pointer)
        status = Native.send(fn, out, *args)
        [status, status == OK ? out.read_pointer : nil]
      end
    end

    attr_reader :context

    def closed?
      @res.ptr.nil?
    end

    # Frees the C object (and the objects made from it). Idempotent.
    def close
      Libdbm.check(@res.close, nil, "closing the #{self.class.what}")
      nil
    end

    # The C pointer; raises InvalidArgument once closed.
    def to_ptr
      @res.ptr or raise InvalidArgument.new(-1, "the #{self.class.what} is closed")
    end

    protected

    attr_reader :res

    private

    # +parents+: the handle (or Array of handles) that must outlive this one.
    def attach(ptr, parents, context)
      @parents = parents.is_a?(Array) ? parents : [parents].compact   # not Array(): stores are Enumerable
      @res = Resource.new(ptr, self.class.free_function, @parents.map { |parent| parent.res })
      @context = context || self
      ObjectSpace.define_finalizer(self, Handle.finalizer(@res))
    end

    # Makes this wrapper's object with the C constructor fn(&out, ctx,
    # *args) in +context+ (nil: the default context), raising on failure:
    # SyntaxError with a position when +last_error+ (the C function
    # *_last_error of a text format) is given.
    def init_in_context(context, fn, *args, what: nil, last_error: nil)
      ctx = Libdbm.resolve_context(context)
      status, ptr = Handle.create(fn, ctx, *args)
      raise Libdbm.parse_failure(status, ctx.to_ptr, last_error) if status != OK && last_error
      Libdbm.check(status, ctx.to_ptr, what)
      attach(ptr, ctx, ctx)
    end

    # A string written by fn(object, &out), freed after copying.
    def string_of(fn)
      Libdbm.take_string(fetch(:pointer) { |out| Native.send(fn, self, out) })
    end

    def check_status(status, what = nil)
      Libdbm.check(status, @context.res.ptr, what)
    end

    # Runs the block with an out-parameter of +type+ (:int, :int32,
    # :int64, :double or :pointer), checks the status it returns and gives
    # the value written.
    def fetch(type, what = nil)
      buf = FFI::MemoryPointer.new(type)
      check_status(yield(buf), what)
      buf.public_send(:"read_#{type}")
    end
  end

  # Decodes a string libdbm allocated for the caller, then frees it.
  def self.take_string(ptr)
    ptr.read_string.force_encoding(Encoding::UTF_8)
  ensure
    Native.libdbm_free_string(ptr)
  end

  # Copies a blob libdbm allocated for the caller, then frees it.
  def self.take_blob(ptr, size)
    ptr.read_bytes(size)
  ensure
    Native.libdbm_free_blob(ptr)
  end

  # A C string argument: UTF-8 (nil stays NULL). Text with a NUL character
  # is refused: C would silently cut it there.
  def self.utf8(text)
    return nil if text.nil?
    text = text.to_s.encode(Encoding::UTF_8)
    raise InvalidArgument.new(-1, "#{text[0, 64].inspect} holds a NUL character") if text.include?("\0")
    text
  end

  # The C value of a name from +table+ (integers pass through).
  def self.enum_value(table, value, what)
    return value if value.is_a?(Integer)
    table.fetch(value.to_sym) do
      raise ArgumentError, "#{what}: #{value.inspect} is not one of #{table.keys.join(', ')}"
    end
  end
end
