#!/bin/sh
# Usage: run-tests.sh python|ruby SOURCE_ROOT
# Runs one binding's test suite against the library named by $LIBDBM_LIBRARY
# (the build tree's libdbm.so.1, set by bindings/meson.build); $DBMTOOL is
# the same build's dbmtool. Exits 77 (skipped) with a message when the
# language or its test tools are not installed.
set -u
lang=$1 src=$2
cd "$src" || exit 2
skip() { echo "SKIP: $*"; exit 77; }

case "$lang" in
python)
    py=/usr/bin/python3
    [ -x "$py" ] || skip "no $py"
    "$py" -c 'import pytest, numpy' 2>/dev/null ||
        skip "python3-pytest and python3-numpy are needed (apt-get install python3-pytest python3-numpy)"
    # -p no:cacheprovider: nothing is written into the source tree.
    PYTHONPATH="$src/bindings/python" PYTHONDONTWRITEBYTECODE=1 \
        exec "$py" -m pytest -q -p no:cacheprovider "$src/bindings/python/tests"
    ;;
ruby)
    command -v ruby >/dev/null 2>&1 || skip "ruby is not installed (apt-get install ruby ruby-ffi)"
    ruby -e 'require "ffi"; require "minitest"' 2>/dev/null ||
        skip "ruby-ffi and minitest are needed (apt-get install ruby-ffi ruby-minitest)"
    exec ruby -I "$src/bindings/ruby/lib" -I "$src/bindings/ruby/test" \
        -e 'files = ARGV.dup; ARGV.clear; files.each { |f| require File.expand_path(f) }' \
        "$src"/bindings/ruby/test/test_*.rb
    ;;
*)
    echo "usage: $0 python|ruby SOURCE_ROOT" >&2
    exit 2
    ;;
esac
