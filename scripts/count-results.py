#!/usr/bin/env python3
"""Sums meson's JSON test logs into the closing line CI reads:
"N passed, N failed, N skipped". Exits 1 when anything failed or when no
test ran at all, else 0."""
import argparse
import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-failures", type=int, default=0)
    parser.add_argument("logs", nargs="*")
    args = parser.parse_args()
    passed = failed = skipped = 0
    failed += args.build_failures
    for path in args.logs:
        try:
            with open(path, encoding="utf-8") as log:
                for line in log:
                    if not line.strip():
                        continue
                    result = json.loads(line)["result"]
                    if result in PASSED:
                        passed += 1
                    elif result in SKIPPED:
                        skipped += 1
                        print(f"SKIP: {json.loads(line)['name']}", file=sys.stderr)
                    else:
                        failed += 1
                        print(f"FAILED: {path}: {json.loads(line)['name']} ({result})",
                              file=sys.stderr)
        except (OSError, ValueError) as err:
            print(f"unreadable test log {path}: {err}", file=sys.stderr)
            failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
