#!/bin/sh
# Usage: check-headers.sh INCLUDE_DIR CC [CXX]
# The public header must compile on its own as C89, C99, C11 and C++ with
# -Wall -Wextra -Werror -pedantic.
set -u
inc=$1 cc=$2 cxx=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The program expands every public macro, so a non-C89 construct hiding in
# a macro body (a // comment, a C99 initializer) is compiled too.
{
    echo '#include <libdbm.h>'
    echo 'int main(void) {'
    headers=$(sed -n 's|^#include "\(libdbm/[a-z_]*\.h\)"|'"$inc"'/\1|p' "$inc/libdbm.h")
    # shellcheck disable=SC2086
    grep -ho '^#define LIBDBM_[A-Z0-9_]*_OPTIONS_INIT' $headers | sed 's/^#define //' |
        while read -r macro; do
            type=$(echo "${macro%_INIT}" | tr 'A-Z' 'a-z')
            echo "    { $type o = $macro; (void)o; }"
        done
    echo '    return libdbm_version_number() != LIBDBM_VERSION_NUMBER ||'
    echo '        LIBDBM_VERSION_MAJOR + LIBDBM_VERSION_MINOR + LIBDBM_VERSION_PATCH < 0;'
    echo '}'
} > "$tmp/t.c"
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
