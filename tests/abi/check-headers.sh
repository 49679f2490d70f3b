#!/bin/sh
# Usage: check-headers.sh INCLUDE_DIR CC [CXX]
# The public header must compile on its own as C89, C99, C11 and C++ with
# -Wall -Wextra -Werror -pedantic.
set -u
inc=$1 cc=$2 cxx=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <libdbm.h>\nint main(void) { return libdbm_version() == 0; }\n' > "$tmp/t.c"
cp "$tmp/t.c" "$tmp/t.cpp"
fail=0
for std in c89 c99 c11; do
    if "$cc" -std=$std -Wall -Wextra -Werror -pedantic -I"$inc" -c "$tmp/t.c" -o "$tmp/t.o"; then
        echo "ok: $std"
    else
        echo "FAILED: <libdbm.h> as $std"; fail=1
    fi
done
if [ -z "$cxx" ]; then
    echo "no C++ compiler configured: the C++ check cannot run"; exit 1
fi
for std in c++98 c++11 c++17; do
    if "$cxx" -std=$std -Wall -Wextra -Werror -pedantic -I"$inc" -c "$tmp/t.cpp" -o "$tmp/t.o"; then
        echo "ok: $std"
    else
        echo "FAILED: <libdbm.h> as $std"; fail=1
    fi
done
exit $fail
