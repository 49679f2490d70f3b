#!/bin/sh
# Usage: check-installed.sh BUILD_DIR SOURCE_DIR CC [CXX]
# Installs the build into a scratch root, then compiles and runs host
# programs against it exactly as a user would: through pkg-config. CXX
# (empty or absent: skipped) builds the C++ example.
set -eu
build=$1 src=$2 cc=$3 cxx=${4:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

meson install -C "$build" --destdir "$root" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$root" -name libdbm.pc | head -n 1)")
[ -f "$pcdir/libdbm.pc" ] || { echo "libdbm.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$root"
# pkgconf prefixes PKG_CONFIG_SYSROOT_DIR to the paths it prints.
libdir=$(pkg-config --variable=libdir libdbm)
incdir=$(pkg-config --variable=includedir libdbm)
case "$libdir" in "$root"/*) ;; *) echo "pkg-config ignored the sysroot: $libdir"; exit 1 ;; esac
export LD_LIBRARY_PATH="$libdir"

for f in libdbm.h libdbm/common.h libdbm/context.h; do
    [ -f "$incdir/$f" ] || { echo "header $f not installed"; exit 1; }
done
for f in libdbm.so.1 libdbm.a; do
    [ -e "$libdir/$f" ] || { echo "$f not installed"; exit 1; }
done
find "$root" -path '*/bin/dbmtool' | grep -q . || { echo "dbmtool not installed"; exit 1; }
find "$root" -path '*/doc/libdbm/*.md' | grep -q . || { echo "docs not installed"; exit 1; }

# readme_block MARKER OUT: the first ```c block after the marker comment in
# README.md, verbatim (the snippets are tested as a reader would copy them).
readme_block() {
    awk -v marker="<!-- $1" 'index($0, marker) == 1 { armed = 1; next }
         armed && /^```c$/ { inside = 1; next }
         inside && /^```/ { exit }
         inside { print }' "$src/README.md" > "$2"
    [ -s "$2" ] || { echo "no C block after <!-- $1 in README.md"; exit 1; }
}
readme_block readme-c-example "$root/readme.c"
readme_block readme-c-host-tour "$root/readme-host-tour.c"
readme_block readme-c-pos-tour "$root/readme-pos-tour.c"

# run NAME DIR: runs the program built as $root/NAME in DIR (the C host
# tour reads examples/data from the top of the source tree; the POS tour
# creates its store in a fresh directory).
run() {
    (cd "$2" && "$root/$1") > "$root/$1.out"
}

for prog in "$src/examples/minimal/minimal.c" "$root/readme.c" "$root/readme-host-tour.c" \
            "$root/readme-pos-tour.c"; do
    name=$(basename "$prog" .c)
    case $name in
        readme-host-tour) dir=$src ;;
        *) dir=$root/run-$name; mkdir -p "$dir" "$dir-static" ;;
    esac
    # shellcheck disable=SC2046
    "$cc" -Wall -Wextra -Werror "$prog" $(pkg-config --cflags --libs libdbm) -o "$root/$name"
    run "$name" "$dir"
    echo "--- $name (shared):"; cat "$root/$name.out"
    # shellcheck disable=SC2046
    "$cc" -Wall -Wextra -Werror "$prog" $(pkg-config --cflags libdbm) \
        "$libdir/libdbm.a" $(pkg-config --static --libs-only-l libdbm | sed 's/-ldbm//') \
        -o "$root/$name-static"
    if readelf -d "$root/$name-static" | grep -q 'libdbm.so'; then
        echo "$name-static still needs libdbm.so"; exit 1
    fi
    case $name in readme-host-tour) ;; *) dir=$dir-static ;; esac
    run "$name-static" "$dir"
    cmp "$root/$name.out" "$root/$name-static.out"
done
grep -q '^libdbm [0-9.]*, zlib' "$root/minimal.out"

# expect NAME LINE: the program's output holds exactly this line.
expect() {
    grep -q -x -F -e "$2" "$root/$1.out" || { echo "$1: no line '$2'"; exit 1; }
}
# The C host tour reproduces the published CDNOW fit and a policy deferral.
expect readme-host-tour "2357 customers"
expect readme-host-tour "r=0.243 alpha=4.414 a=0.793 b=2.426"
grep -q -x 'customer 1: P(alive) 0\.[0-9]*' "$root/readme-host-tour.out" ||
    { echo "readme-host-tour: no P(alive) of customer 1"; exit 1; }
grep -q -x '[1-9][0-9]* likely champions' "$root/readme-host-tour.out" ||
    { echo "readme-host-tour: no segment count"; exit 1; }
expect readme-host-tour "email: defer 1997-09-30T08:00:00Z (quiet hours 21:00-08:00 in UTC)"
# The POS tour: the retried receipt counts once, the coupon is allowed and
# recorded; a second run on the same (durable) store finds the customer,
# counts nothing new and defers the next coupon by the 3-day gap.
expect readme-pos-tour "C0001: signed up"
expect readme-pos-tour "R-0001 counted 1, retry counted 0, purchases 1"
expect readme-pos-tour "coupon: yes (recorded in the contact history)"
expect readme-pos-tour "receipt: send"
run readme-pos-tour "$root/run-readme-pos-tour"
echo "--- readme-pos-tour (shared, second run on the same store):"; cat "$root/readme-pos-tour.out"
expect readme-pos-tour "C0001: a known customer"
expect readme-pos-tour "R-0001 counted 0, retry counted 0, purchases 1"
expect readme-pos-tour "coupon: not now, gap until 2026-03-05T15:00:00Z"
expect readme-pos-tour "receipt: send"

# The C++ nightly batch, built as a C++ host would: only <libdbm.h> and
# pkg-config. Its own checks fail it (exit 3) when an invariant breaks.
if [ -n "$cxx" ]; then
    nightly=$src/examples/crm-nightly
    # shellcheck disable=SC2046
    "$cxx" -std=c++17 -Wall -Wextra -Werror "$nightly/crm_nightly.cpp" \
        $(pkg-config --cflags --libs libdbm) -o "$root/crm-nightly"
    # shellcheck disable=SC2046
    "$cxx" -std=c++17 -Wall -Wextra -Werror "$nightly/crm_nightly.cpp" $(pkg-config --cflags libdbm) \
        "$libdir/libdbm.a" $(pkg-config --static --libs-only-l libdbm | sed 's/-ldbm//') \
        -o "$root/crm-nightly-static"
    if readelf -d "$root/crm-nightly-static" | grep -q 'libdbm.so'; then
        echo "crm-nightly-static still needs libdbm.so"; exit 1
    fi
    for flavour in crm-nightly crm-nightly-static; do
        "$root/$flavour" "$root/$flavour.store" "$nightly/day_feed.csv" --now 1998-07-02T13:00:00Z \
            --history "$src/examples/data/cdnow_sample.txt" --policy "$src/examples/cruise/cruise.policy" \
            --campaign "$nightly/winback.campaign" > "$root/$flavour.out"
        grep -q ', 0 failed$' "$root/$flavour.out" || { cat "$root/$flavour.out"; exit 1; }
    done
    echo "--- crm-nightly (shared):"; sed -n '/^summary/,$p' "$root/crm-nightly.out"
    # The same night gives the same figures whatever the linking (timings aside).
    for flavour in crm-nightly crm-nightly-static; do
        sed -e '/^summary/,/^  seconds/!d' -e "s|$root/$flavour.store|STORE|" "$root/$flavour.out" \
            > "$root/$flavour.figures"
    done
    cmp "$root/crm-nightly.figures" "$root/crm-nightly-static.figures"
else
    echo "--- crm-nightly: skipped (no C++ compiler configured)"
fi
echo "examples built and ran against the installed library"
