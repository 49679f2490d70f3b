#!/bin/sh
# Usage: scripts/update-abi-baseline.sh [BUILD_DIR]
# Regenerates the committed ABI baseline (tests/abi/exported-symbols.txt and
# tests/abi/libdbm.abi) from a plain (unsanitized) build. Run it only when
# adding API on purpose, and review the diff: a removed or changed line is an
# ABI break and is never committed (docs/abi-stability.md).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build/dev}
ninja -C "$build" >/dev/null
lib=$(find "$build/lib" -maxdepth 1 -name 'libdbm.so.1.*' -type f | head -n 1)
[ -n "$lib" ] || { echo "no libdbm.so.1.* in $build/lib"; exit 1; }
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWi]$/ { print $3 }' | sed 's/@.*//' | sort \
    > "$top/tests/abi/exported-symbols.txt"
abidw --no-corpus-path --headers-dir "$top/include" --out-file "$top/tests/abi/libdbm.abi" "$lib"
# The baseline must not depend on where the tree was checked out.
sed -i "s|$top/||g; s|$build/||g" "$top/tests/abi/libdbm.abi"
echo "updated: $(wc -l < "$top/tests/abi/exported-symbols.txt") symbols; review 'git diff tests/abi'"
