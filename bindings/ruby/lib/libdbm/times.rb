# Times: libdbm's are Integer seconds since the Unix epoch, UTC. Arguments
# that are times accept an Integer, a Time, a Date (its midnight UTC) or a
# String in any form libdbm_time_parse reads ("2024-03-01", "19970930",
# "2024-03-01T09:30:00+01:00").
require "date"

module Libdbm
  def self.parse_time(text)
    out = FFI::MemoryPointer.new(:int64)
    status = Native.libdbm_time_parse(out, utf8(text))
    check(status, nil, "not a time: #{text.inspect}")
    out.read_int64
  end

  def self.format_time(time)
    format_with(:libdbm_time_format, 21, time)
  end

  def self.format_date(time)
    format_with(:libdbm_time_format_date, 11, time)
  end

  def self.format_with(fn, size, time)
    buf = FFI::MemoryPointer.new(:char, size)
    check(Native.send(fn, buf, size, to_time(time)))
    buf.read_string
  end
  private_class_method :format_with

  # Epoch seconds of an Integer, Time, Date/DateTime or time String.
  def self.to_time(value)
    case value
    when Integer then value
    when Time then value.to_i
    when DateTime then value.to_time.to_i
    when Date then Time.utc(value.year, value.month, value.day).to_i
    when String then parse_time(value)
    else raise TypeError, "not a time: #{value.inspect}"
    end
  end
end
