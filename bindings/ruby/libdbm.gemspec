# The libdbm Ruby binding: pure Ruby over ruby-ffi. The C library itself
# (libdbm.so.1) must be installed or named by LIBDBM_LIBRARY.
Gem::Specification.new do |spec|
  spec.name = "libdbm"
  spec.version = "0.1.0"
  spec.summary = "Ruby binding of libdbm: customer profiles, BTYD and RFM scores, segments, " \
                 "contact policies, campaigns"
  spec.authors = ["libdbm authors"]
  spec.license = "MIT"
  spec.required_ruby_version = ">= 2.7"
  spec.files = Dir[File.join(__dir__, "lib", "**", "*.rb")].map { |f| f.delete_prefix("#{__dir__}/") }
  spec.require_paths = ["lib"]
  spec.add_dependency "ffi", ">= 1.12"
  spec.add_development_dependency "minitest", ">= 5"
end
