# The README's Ruby tour runs verbatim (the first ```ruby block after the
# readme-ruby-example marker), from the top of the source tree.
require_relative "helper"
require "open3"
require "rbconfig"

class TestReadme < Minitest::Test
  def readme_block(marker, language)
    lines = File.read(File.join(TestHelper::SOURCE_ROOT, "README.md"), encoding: "UTF-8").split("\n")
    start = lines.index { |line| line.start_with?("<!-- #{marker}") }
    opening = (start...lines.size).find { |i| lines[i] == "```#{language}" }
    closing = (opening + 1...lines.size).find { |i| lines[i].start_with?("```") }
    "#{lines[opening + 1...closing].join("\n")}\n"
  end

  def test_ruby_tour_runs
    code = readme_block("readme-ruby-example", "ruby")
    assert_includes code, 'require "libdbm"'
    lib = File.expand_path("../lib", __dir__)
    out, err, status = Open3.capture3(RbConfig.ruby, "-I", lib, "-e", code, chdir: TestHelper::SOURCE_ROOT)
    assert status.success?, err
    lines = out.lines(chomp: true)
    assert_equal "2357 customers", lines[0]
    assert_equal "r=0.243 alpha=4.414 a=0.793 b=2.426", lines[1]
    assert_includes lines, "Champions"
    assert_includes lines, "-6 no profile 'nobody'"
  end
end
