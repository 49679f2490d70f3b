#!/bin/bash
# The main job: installs what a fresh Debian 12 machine lacks (run as root),
# builds libdbm in release mode and runs the demo on the CDNOW data, ending in
# a report. The demo grows with the library; each step says what it shows.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/lib/deps.sh

ensure_packages $BUILD_PACKAGES
build=build/demo
setup_build "$build" -Dbuildtype=release -Dtests=false
ninja -C "$build" >/dev/null
dbmtool="$build/tools/dbmtool/dbmtool"
out=${DEMO_OUT:-$top/demo-output}
mkdir -p "$out"

echo "== libdbm demo ($("$dbmtool" --version))"
echo "== a host program: examples/minimal"
"$build/examples/example-minimal"
echo "== report: $out/report.txt"
{
    echo "libdbm demo report"
    "$dbmtool" --version
} > "$out/report.txt"
cat "$out/report.txt"
