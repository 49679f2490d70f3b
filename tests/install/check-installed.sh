#!/bin/sh
# Usage: check-installed.sh BUILD_DIR SOURCE_DIR CC
# Installs the build into a scratch root, then compiles and runs host
# programs against it exactly as a user would: through pkg-config.
set -eu
build=$1 src=$2 cc=$3
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

# The README's snippet, verbatim: the first ```c block after the marker.
awk '/<!-- readme-c-example/ { armed = 1; next }
     armed && /^```c/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' "$src/README.md" > "$root/readme.c"
[ -s "$root/readme.c" ] || { echo "no C example found in README.md"; exit 1; }

for prog in "$src/examples/minimal/minimal.c" "$root/readme.c"; do
    name=$(basename "$prog" .c)
    # shellcheck disable=SC2046
    "$cc" -Wall -Wextra -Werror "$prog" $(pkg-config --cflags --libs libdbm) -o "$root/$name"
    "$root/$name" > "$root/$name.out"
    echo "--- $name (shared):"; cat "$root/$name.out"
    # shellcheck disable=SC2046
    "$cc" -Wall -Wextra -Werror "$prog" $(pkg-config --cflags libdbm) \
        "$libdir/libdbm.a" $(pkg-config --static --libs-only-l libdbm | sed 's/-ldbm//') \
        -o "$root/$name-static"
    if readelf -d "$root/$name-static" | grep -q 'libdbm.so'; then
        echo "$name-static still needs libdbm.so"; exit 1
    fi
    "$root/$name-static" > "$root/$name-static.out"
    cmp "$root/$name.out" "$root/$name-static.out"
done
grep -q '^libdbm [0-9.]*, zlib' "$root/minimal.out"
echo "examples built and ran against the installed library"
