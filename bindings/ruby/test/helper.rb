# Shared setup of the minitest suite: the source tree, this build's
# dbmtool, and the CDNOW sample loaded into a store through the binding.
require "minitest/autorun"
require "libdbm"

module TestHelper
  SOURCE_ROOT = File.expand_path("../../..", __dir__)
  CDNOW_SAMPLE = File.join(SOURCE_ROOT, "examples", "data", "cdnow_sample.txt")
  CALIBRATION_END = "1997-09-30"
  HOLDOUT_END = "1998-06-30"

  # Adds the purchases of a CDNOW log as `dbmtool import --format cdnow`
  # does (docs/import.md): `master_id sample_id YYYYMMDD cds dollars` (or
  # 4 columns with the master id), the id without leading zeros, one
  # purchase per line at midnight UTC, in one batch.
  def self.load_cdnow(store, path = CDNOW_SAMPLE)
    store.batch do
      File.foreach(path) do |line|
        fields = line.split
        next if fields.empty? || fields[0] !~ /\A\d+\z/
        id = fields[-4].sub(/\A0+(?=.)/, "")
        store.add_purchase(id, fields[-3], Float(fields[-1]))
      end
    end
  end

  # One in-memory store with the sample, shared by the tests (read only).
  def self.cdnow_store
    @cdnow_store ||= Libdbm::Store.new.tap { |store| load_cdnow(store) }
  end

  def self.dbmtool
    ENV["DBMTOOL"] || `command -v dbmtool`.strip
  end
end
