# Objects saved as and loaded from libdbm's portable blobs (binary Strings),
# and Marshal support through them.
module Libdbm
  module Blob
    # Class methods: load(blob, context: nil) and Marshal's _load.
    module Loadable
      def load(blob, context: nil)
        bytes = FFI::MemoryPointer.from_string(blob.b)
        obj = allocate
        obj.send(:init_in_context, context, self::LOAD_FUNCTION, bytes, blob.bytesize, what: "loading the #{what}")
        obj
      end

      def _load(blob)
        load(blob)
      end
    end

    def self.included(base)
      base.extend(Loadable)
    end

    # The object as a portable blob (a binary String).
    def save
      blob = FFI::MemoryPointer.new(:pointer)
      size = FFI::MemoryPointer.new(:size_t)
      check_status(Native.send(self.class::SAVE_FUNCTION, self, blob, size))
      Libdbm.take_blob(blob.read_pointer, size.read(:size_t))
    end

    def _dump(_level)
      save
    end
  end
end
