#!/bin/sh
# Usage: check-symbols.sh LIBRARY EXPECTED_LIST
# The shared library must export exactly the committed list of symbols, all
# prefixed libdbm_, all in a LIBDBM_ version node, and carry SONAME libdbm.so.1.
set -eu
lib=$1 expected=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWi]$/ { print $3 }' | sort > "$tmp/versioned"
sed 's/@.*//' "$tmp/versioned" | sort > "$tmp/actual"

fail=0
if grep -v '^libdbm_' "$tmp/actual" | grep -q .; then
    echo "exported symbols without the libdbm_ prefix:"; grep -v '^libdbm_' "$tmp/actual"
    fail=1
fi
if grep -v '@@*LIBDBM_[0-9]' "$tmp/versioned" | grep -q .; then
    echo "exported symbols outside a LIBDBM_ version node:"
    grep -v '@@*LIBDBM_[0-9]' "$tmp/versioned"
    fail=1
fi
if ! diff -u "$expected" "$tmp/actual"; then
    echo "the exported symbols differ from $expected (- committed, + built)."
    echo "Removing a symbol breaks the ABI; a new one is added to the list on purpose"
    echo "(scripts/update-abi-baseline.sh, see docs/abi-stability.md)."
    fail=1
fi
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" != "libdbm.so.1" ]; then
    echo "SONAME is '$soname', expected libdbm.so.1"
    fail=1
fi
[ $fail -eq 0 ] && echo "$(wc -l < "$tmp/actual") exported symbols match, SONAME $soname"
exit $fail
