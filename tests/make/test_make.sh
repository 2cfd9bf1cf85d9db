#!/usr/bin/env bash
# The Makefile's own promises, as TAP for tools/test-all.sh (--unit): a
# configuration value it does not know is a clear make error that names
# the choices, a known one is accepted, and reading the Makefile twice
# changes no file (a stamp rewritten on every read would rebuild
# everything that depends on it on every make).
set -u
cd "$(dirname "$0")/../.."
unset MAKEFLAGS MAKELEVEL MFLAGS  # a make of its own, not the caller's jobserver
n=0
fails=0
out=$(mktemp)
trap 'rm -f "$out" "$out.marker"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; echo "# $2"; }

# refused NAME MESSAGE ARGS...: make fails, saying MESSAGE.
refused() {
    local name=$1 msg=$2
    shift 2
    if make -n help "$@" >"$out" 2>&1; then
        not_ok "$name" "make $* succeeded"
    elif grep -qF -- "$msg" "$out"; then
        ok "$name"
    else
        not_ok "$name" "make $* said: $(tail -n 1 "$out")"
    fi
}

echo "1..10"
refused "make-vmm-unknown" "VMM=nope is not a vmm: choose one of" VMM=nope
refused "make-vmm-two-words" "VMM=vmm junk is not a vmm" "VMM=vmm junk"
refused "make-vmm-empty" "VMM= is not a vmm" VMM=
refused "make-malloc-two-words" "MALLOC=page chunk is not an allocator" "MALLOC=page chunk"
refused "make-app-unknown" "APP=nope is not a program: choose one of" APP=nope
refused "make-args-quote" "ARGS must not contain a double quote" 'ARGS=a"b'
refused "make-fuzz-unknown" "FUZZ=nope: the fuzz targets are" FUZZ=nope
refused "make-soak-vmm" "SOAK_VMMS=vmm-bump: the soak runs on" SOAK_VMMS=vmm-bump

if make -n help VMM=vmm-list MALLOC=chunk APP=hello 'ARGS=a b' >"$out" 2>&1 &&
    grep -q 'one of: vmm' "$out"; then
    ok "make-config-accepted"
else
    not_ok "make-config-accepted" "make -n help with a valid configuration: $(tail -n 1 "$out")"
fi

# Read once (which may create this configuration's stamps), then twice more.
make -n help >/dev/null 2>&1
touch "$out.marker"
sleep 1
make -n help >/dev/null 2>&1
make -n help >/dev/null 2>&1
# (Test results are written meanwhile by the suites running beside this one.)
changed=$(find build -newer "$out.marker" -type f -not -path '*-results/*' 2>/dev/null | head -n 3)
if [ -z "$changed" ]; then
    ok "make-read-changes-nothing"
else
    not_ok "make-read-changes-nothing" "reading the Makefile rewrote: $changed"
fi
[ "$fails" -eq 0 ]
