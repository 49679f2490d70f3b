#!/bin/sh
# Usage: check-abidiff.sh LIBRARY BASELINE.abi PUBLIC_HEADERS_DIR
# Compares the built library with the committed ABI baseline. Any change to
# an existing function or type, or a removed one, fails; a purely added
# function is allowed here (the symbol-list check makes it deliberate).
set -u
lib=$1 baseline=$2 headers=$3
if ! command -v abidiff >/dev/null 2>&1; then
    echo "abidiff not found (Debian package abigail-tools)"; exit 1
fi
abidiff --no-added-syms --headers-dir2 "$headers" "$baseline" "$lib"
rc=$?
# abidiff's exit status is a bit field: 1 error, 2 usage, 4 ABI change,
# 8 incompatible ABI change.
if [ $rc -ne 0 ]; then
    echo "abidiff reported an ABI difference from $baseline (exit $rc)."
    exit 1
fi
echo "ABI matches $baseline"
