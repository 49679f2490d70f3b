# libdbm for Ruby: the libdbm C library (libdbm.so.1) through ruby-ffi.
#
#   require "libdbm"
#   Libdbm::Store.open("shop.store") { |store| ... }
#
# Every object frees its C object on #close, at the end of the block given
# to Store.open, or when garbage-collected (objects made from another are
# freed first). Failures raise Libdbm::Error subclasses carrying the status
# code and libdbm's message. See docs/bindings.md.
require "libdbm/native"
require "libdbm/errors"
require "libdbm/handle"
require "libdbm/times"
require "libdbm/context"
require "libdbm/blob"
require "libdbm/store"
require "libdbm/summary"
require "libdbm/model"
require "libdbm/rfm"
require "libdbm/scores"
require "libdbm/segment"
require "libdbm/policy"
require "libdbm/campaign"

module Libdbm
  VERSION = "0.1.0"

  # The run-time version of the C library, "MAJOR.MINOR.PATCH".
  def self.version
    Native.libdbm_version
  end

  # True when the C library was built with zlib (compressed snapshots).
  def self.zlib?
    Native.libdbm_has_feature(1) == 1
  end
end
