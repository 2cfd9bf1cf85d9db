#!/bin/sh
# Installs the Debian packages the build and the tests need, and only those
# that are missing.  Idempotent; quiet when everything is present.
# Usage: deps.sh [--debug] [--bench] [--check]
#   --debug adds gdb-multiarch (make debug); --bench the allocators that
#   make bench measures libakuma's against (mimalloc, jemalloc, tcmalloc)
#   and gnuplot for its plots, and the real programs it runs on the
#   LD_PRELOAD library (bench/host/preload_programs.sh: python3, sqlite3,
#   gcc, xz, git);
#   --check the static analysers of make check (cppcheck, clang-tidy)
set -eu

missing=""
need() { # need PACKAGE CHECK-COMMAND...
    pkg=$1; shift
    if ! "$@" >/dev/null 2>&1; then
        case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
    fi
}
have() { command -v "$1"; }

need clang        have clang
need lld          have ld.lld
need llvm         have llvm-objcopy
need llvm         have llvm-nm
need llvm         have llvm-ar
need make         have make
need pkg-config   have pkg-config
need qemu-system-arm have qemu-system-aarch64
need libcmocka-dev pkg-config --exists cmocka
# tests/make reads compile_commands.json with python3's json module.
need python3      have python3
# The host tests link clang's sanitizer runtimes, packaged per clang major
# version (libclang-rt-14-dev on Debian 12).
clang_major=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p;q')
need "libclang-rt-${clang_major:-14}-dev" sh -c 'echo "int main(void){return 0;}" | clang -x c -fsanitize=address,undefined -o /dev/null - '
# ldconfig lives in /sbin, which a non-root PATH often lacks.
lib() { /sbin/ldconfig -p | grep -q "$1"; }
for opt in "$@"; do
    case $opt in
    --debug) need gdb-multiarch have gdb-multiarch ;;
    --bench)
        need libmimalloc-dev lib libmimalloc.so.2
        need libjemalloc-dev lib libjemalloc.so.2
        need libgoogle-perftools-dev lib libtcmalloc_minimal.so.4
        need bsdextrautils have column
        need gnuplot-nox have gnuplot
        need python3 test -x /usr/bin/python3
        need sqlite3 have sqlite3
        need gcc have gcc
        need xz-utils have xz
        need git have git ;;
    --check)
        need cppcheck have cppcheck
        need clang-tidy have clang-tidy ;;
    *) echo "deps.sh: unknown option $opt" >&2; exit 2 ;;
    esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "deps: missing packages and no root or sudo; run as root:" >&2
    echo "    apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# qemu without recommends: they would pull in about 165 packages.
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
