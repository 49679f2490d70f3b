# libdbm's status codes as Ruby exceptions: every failing call raises a
# Libdbm::Error subclass carrying the status (#code) and the detailed
# message libdbm recorded for the calling thread (#message).
module Libdbm
  OK = 0

  class Error < StandardError
    # The status code (a negative enum libdbm_status value) and libdbm's
    # detailed message; #message adds the status's description.
    attr_reader :code, :detail

    def initialize(code, detail = nil)
      @code = code
      @detail = detail.nil? || detail.empty? ? Libdbm.strerror(code) : detail
      super("#{@detail} (#{Libdbm.strerror(code)})")
    end
  end

  class InvalidArgument < Error; end   # -1, also: a closed object was used
  class OutOfMemory < Error; end       # -2
  class IOFailure < Error; end         # -3
  class Corrupt < Error; end           # -4
  class Locked < Error; end            # -5
  class NotFound < Error; end          # -6
  # -7; segment expressions also give the 1-based line and column.
  class SyntaxError < Error
    attr_accessor :line, :column
  end
  class Exists < Error; end            # -8
  class OutOfRange < Error; end        # -9
  class ReadOnly < Error; end          # -10
  class VersionMismatch < Error; end   # -11
  class NotSupported < Error; end      # -12
  class NoConvergence < Error; end     # -13
  class LimitExceeded < Error; end     # -14

  ERRORS = {
    -1 => InvalidArgument, -2 => OutOfMemory, -3 => IOFailure, -4 => Corrupt,
    -5 => Locked, -6 => NotFound, -7 => SyntaxError, -8 => Exists,
    -9 => OutOfRange, -10 => ReadOnly, -11 => VersionMismatch,
    -12 => NotSupported, -13 => NoConvergence, -14 => LimitExceeded
  }.freeze
  ERRORS.each { |code, cls| cls.const_set(:CODE, code) }

  def self.strerror(code)
    Native.libdbm_strerror(code).dup.force_encoding(Encoding::UTF_8)
  end

  # The exception for a status (Error itself for codes unknown here).
  def self.error_for(code, message = nil)
    ERRORS.fetch(code, Error).new(code, message)
  end

  # The calling thread's message for a failure on the context, when it is
  # the one of +status+ (not left over from an earlier failure).
  def self.context_message(ctx_ptr, status)
    return nil if ctx_ptr.nil? || Native.libdbm_context_errcode(ctx_ptr) != status
    Native.libdbm_context_errmsg(ctx_ptr).dup.force_encoding(Encoding::UTF_8)
  end

  # The exception of a failed parse of segment, policy or campaign text:
  # SyntaxError with the 1-based line and column that the C function
  # +last_error+ (*_last_error) reports, else the exception of +status+.
  def self.parse_failure(status, ctx_ptr, last_error)
    message = context_message(ctx_ptr, status)
    return error_for(status, message) unless status == SyntaxError::CODE
    line = FFI::MemoryPointer.new(:int32)
    column = FFI::MemoryPointer.new(:int32)
    Native.send(last_error, ctx_ptr, line, column)
    error = SyntaxError.new(status, message)
    error.line = line.read_int32
    error.column = column.read_int32
    error
  end

  # Raises the exception for +status+ unless it is OK.
  def self.check(status, ctx_ptr = nil, what = nil)
    return if status == OK
    message = context_message(ctx_ptr, status) || strerror(status)
    raise error_for(status, what ? "#{what}: #{message}" : message)
  end
end
