# Sourced by scripts/test.sh and scripts/demo.sh: installs the Debian
# packages a command needs when they are missing (as root through apt-get;
# otherwise it says what to install and stops).

# ensure_packages PKG... : installs the packages that are not installed yet.
ensure_packages() {
    missing=""
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing="$missing $pkg"
        fi
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
        return 1
    fi
    echo "installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || return 1
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >&2
}

# The build needs these; the tests add their own to the list.
BUILD_PACKAGES="meson ninja-build gcc g++ pkg-config zlib1g-dev binutils"

# setup_build DIR MESON_OPTIONS... : configures DIR, or reconfigures it when
# it already exists (so a developer's tree is reused).
setup_build() {
    dir=$1; shift
    if [ -f "$dir/build.ninja" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}
