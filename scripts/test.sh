#!/bin/bash
# The whole test suite, as CI runs it (.ci/run calls this script):
#   - installs what a fresh Debian 12 machine lacks (run as root);
#   - builds with -Dwerror=true with zlib enabled and with zlib disabled and
#     runs every suite in both;
#   - runs every suite again in an AddressSanitizer + UBSan build;
#   - runs the api suite under valgrind;
#   - fuzzes every parser and loader with clang's libFuzzer for a bounded
#     time (in the zlib build; tests/fuzz/libfuzzer.sh);
#   - prints "N passed, N failed, N skipped" summed from meson's test logs
#     and exits non-zero when anything failed.
# Long fuzzing and soak runs are separate commands (README.md).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
. scripts/lib/deps.sh

ensure_packages $BUILD_PACKAGES abigail-tools valgrind python3 python3-numpy python3-mpmath python3-scipy python3-pandas python3-dill tzdata python3-pytest ruby ruby-ffi || exit 2
# the report page is rendered in headless Chromium; without it that test skips
ensure_packages chromium || echo "SKIP: chromium could not be installed: tools-report-chromium will skip" >&2
# clang's libFuzzer drives the bounded coverage-guided fuzzing run; without it that test skips
ensure_packages clang || echo "SKIP: clang could not be installed: fuzz-libfuzzer will skip" >&2

logs=()
build_failures=0

# run_suite BUILD_DIR LOGBASE [meson test options...]
run_suite() {
    dir=$1 logbase=$2; shift 2
    echo "=== meson test -C $dir $*" >&2
    rm -f "$dir/meson-logs/$logbase"*.json
    meson test -C "$dir" --no-rebuild --print-errorlogs --logbase "$logbase" "$@" >&2
    # meson appends the wrapper's name to the log's name when --wrap is used.
    found=("$dir/meson-logs/$logbase"*.json)
    logs+=("${found[@]}")
}

# build NAME MESON_OPTIONS... : configures and compiles build/ci-NAME;
# a failed build counts as one failed test.
build() {
    name=$1; shift
    dir=build/ci-$name
    echo "=== building $dir ($*)" >&2
    if setup_build "$dir" -Dwerror=true "$@" && ninja -C "$dir" >&2; then
        return 0
    fi
    echo "BUILD FAILED: $dir" >&2
    build_failures=$((build_failures + 1))
    return 1
}

if build zlib -Dzlib=enabled; then
    run_suite build/ci-zlib zlib
    run_suite build/ci-zlib valgrind --suite api \
        --wrap='valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --quiet'
fi
if build nozlib -Dzlib=disabled; then
    run_suite build/ci-nozlib nozlib
fi
if build asan -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fno-sanitize-recover=all -Dcpp_args=-fno-sanitize-recover=all; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        run_suite build/ci-asan asan
fi

python3 scripts/count-results.py --build-failures "$build_failures" "${logs[@]}"
