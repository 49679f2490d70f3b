#!/bin/sh
# Usage: check-cli.sh DBMTOOL
# dbmtool's exit-code and output conventions: results on stdout, messages on
# stderr, 0 success, 1 usage error, 2 I/O or store error.
set -u
tool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect WANTED_EXIT DESCRIPTION -- ARGS...
    want=$1 what=$2; shift 3
    "$tool" "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAILED: $what: exit $got, expected $want"; cat "$tmp/err"; fail=1
    else
        echo "ok: $what (exit $got)"
    fi
}
expect 0 "--help" -- --help
grep -q '^usage: dbmtool' "$tmp/out" || { echo "FAILED: --help prints no usage on stdout"; fail=1; }
[ -s "$tmp/err" ] && { echo "FAILED: --help wrote to stderr"; fail=1; }

expect 0 "--version" -- --version
grep -Eq '^dbmtool [0-9]+\.[0-9]+\.[0-9]+ ' "$tmp/out" || { echo "FAILED: --version output"; cat "$tmp/out"; fail=1; }

expect 1 "no arguments" --
grep -q 'usage' "$tmp/err" || { echo "FAILED: no usage on stderr without arguments"; fail=1; }
[ -s "$tmp/out" ] && { echo "FAILED: usage error wrote to stdout"; fail=1; }

expect 1 "unknown verb" -- frobnicate
grep -q "unknown verb 'frobnicate'" "$tmp/err" || { echo "FAILED: unknown verb message"; cat "$tmp/err"; fail=1; }
[ -s "$tmp/out" ] && { echo "FAILED: unknown verb wrote to stdout"; fail=1; }
exit $fail
