#!/bin/sh
# Coverage-guided fuzzing in the default test run (meson test 'fuzz-libfuzzer'):
# builds the library and each fuzz target with clang's libFuzzer, AddressSanitizer
# and UBSan, then runs every target for a bounded time from its seed corpus.
# A crash, a sanitizer report, a leak or a timeout fails the test and leaves the
# input in BUILD_DIR/libfuzzer/artifacts/. Exits 77 (skip) without clang.
#
# Usage: libfuzzer.sh CLANG SOURCE_ROOT BUILD_ROOT LINK_ZLIB TARGET...
#   TARGET is NAME:SECONDS:SOURCE[,SOURCE...] (sources relative to SOURCE_ROOT;
#   the first defines LLVMFuzzerTestOneInput); its corpus is tests/fuzz/corpus/NAME.
set -eu
clang=$1 src=$2 build=$3 link_zlib=$4
shift 4
if [ -z "$clang" ] || ! command -v "$clang" >/dev/null 2>&1; then
    echo "SKIP: clang not found: libFuzzer runs need it (apt-get install clang)"
    exit 77
fi
work=$build/libfuzzer
rm -rf "$work"
mkdir -p "$work/obj" "$work/artifacts"
flags="-g -O1 -std=c11 -D_GNU_SOURCE -DDBMI_NO_CLONES -fno-sanitize-recover=all -fno-omit-frame-pointer"
includes="-I$src/include -I$build"
for d in "$src"/lib "$src"/lib/*/; do includes="$includes -I$d"; done
libs="-lm -lpthread"
[ "$link_zlib" = yes ] && libs="$libs -lz"

# The library, instrumented for coverage but without libFuzzer's main, two
# compilers at a time (the machine has two cores).
ls "$src"/lib/*/*.c | xargs -P 2 -I{} sh -c '
    out="$0/obj/$(echo "{}" | sed "s|.*/lib/||; s|/|_|g").o"
    '"$clang"' '"$flags"' -fsanitize=fuzzer-no-link,address,undefined '"$includes"' -c "{}" -o "$out"' "$work"
ar rcs "$work/libdbm-fuzz.a" "$work"/obj/*.o

failed=0
for target in "$@"; do
    name=${target%%:*}
    rest=${target#*:}
    seconds=${rest%%:*}
    sources=$(echo "${rest#*:}" | tr ',' ' ')
    paths=""
    dirs=""
    for s in $sources; do
        paths="$paths $src/$s"
        dirs="$dirs -I$(dirname "$src/$s")"
    done
    exe=$work/fuzz-$name
    # shellcheck disable=SC2086
    "$clang" $flags -fsanitize=fuzzer,address,undefined $includes $dirs $paths \
        "$work/libdbm-fuzz.a" $libs -o "$exe"
    corpus=$work/corpus-$name
    mkdir -p "$corpus"
    echo "== libFuzzer $name: ${seconds}s from tests/fuzz/corpus/$name"
    # New inputs go to the scratch corpus; the seed corpus is only read.
    if ASAN_OPTIONS=detect_leaks=1 "$exe" -max_total_time="$seconds" -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" \
            "$corpus" "$src/tests/fuzz/corpus/$name" > "$work/$name.log" 2>&1; then
        grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$work/$name.log" |
            sed "s/^/   /"
    else
        echo "FAILED: libFuzzer $name (log: $work/$name.log)"
        tail -n 40 "$work/$name.log"
        failed=1
    fi
done
exit $failed
