#!/usr/bin/env bash
# The build's own promises, as TAP for tools/test-all.sh (--unit): a
# configuration value it does not know is a clear make error that names
# the choices, a known one is accepted, reading the Makefile twice
# changes no file (a stamp rewritten on every read would rebuild
# everything that depends on it on every make), every wall between
# modules holds (make-wall-FROM-TO: a source of FROM that includes a
# header of TO does not compile), headers have one name each, V=1 shows
# the commands and compile_commands.json lists every source.
set -u
cd "$(dirname "$0")/../.."
unset MAKEFLAGS MAKELEVEL MFLAGS  # a make of its own, not the caller's jobserver
n=0
fails=0
out=$(mktemp)
probe=$(mktemp --suffix=.c)
trap 'rm -f "$out" "$out.marker" "$probe"' EXIT

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

echo "1..44"
refused "make-vmm-unknown" "VMM=nope is not a vmm: choose one of" VMM=nope
refused "make-vmm-two-words" "VMM=vmm junk is not a vmm" "VMM=vmm junk"
refused "make-vmm-empty" "VMM= is not a vmm" VMM=
refused "make-malloc-two-words" "MALLOC=page chunk is not an allocator" "MALLOC=page chunk"
refused "make-app-unknown" "APP=nope is not a program: choose one of" APP=nope
refused "make-app-shell" "APP=shell: the shell needs the console and init" APP=shell
refused "make-args-quote" "ARGS must not contain a double quote" 'ARGS=a"b'
refused "make-fuzz-unknown" "FUZZ=nope: the fuzz targets are" FUZZ=nope
refused "make-soak-vmm" "SOAK_VMMS=vmm-bump: the soak runs on" SOAK_VMMS=vmm-bump
refused "make-soak-concurrent-vmm" "SOAK_CONCURRENT_VMMS=nope: the concurrent soak runs on" SOAK_CONCURRENT_VMMS=nope

if make -n help VMM=vmm-list MALLOC=chunk APP=hello 'ARGS=a b' >"$out" 2>&1 &&
    grep -q 'one of: vmm' "$out"; then
    ok "make-config-accepted"
else
    not_ok "make-config-accepted" "make -n help with a valid configuration: $(tail -n 1 "$out")"
fi

# `make` alone builds everything, whatever rule a module.mk defines first.
if make -n -p -f Makefile 2>/dev/null | grep -qx '.DEFAULT_GOAL := all'; then
    ok "make-default-goal-all"
else
    not_ok "make-default-goal-all" "make without a target builds $(make -n -p 2>/dev/null | sed -n 's/^.DEFAULT_GOAL := //p')"
fi

# make run ends with the system's status and exits 0 exactly when it is 0
# (the power-off images of the system tests end with 0, 1, 2; built by
# make test before this suite runs).
for st in 0 1 2; do
    img=$(ls build/*/tests/poweroff-$st/kernel.elf 2>/dev/null | head -n 1)
    if [ -z "$img" ]; then
        not_ok "make-run-status-$st" "no poweroff-$st image built"
        continue
    fi
    make -s run IMAGE="$img" >"$out" 2>&1
    rc=$?
    last=$(tail -n 1 "$out")
    if [ "$last" != "make run: system status $st" ]; then
        not_ok "make-run-status-$st" "last line: $last"
    elif { [ "$st" -eq 0 ] && [ "$rc" -ne 0 ]; } || { [ "$st" -ne 0 ] && [ "$rc" -eq 0 ]; }; then
        not_ok "make-run-status-$st" "make exited $rc for system status $st"
    else
        ok "make-run-status-$st"
    fi
done
if make -s run IMAGE=nope.elf >"$out" 2>&1; then
    not_ok "make-run-image-missing" "make run IMAGE=nope.elf succeeded"
elif grep -qF "IMAGE=nope.elf does not exist" "$out"; then
    ok "make-run-image-missing"
else
    not_ok "make-run-image-missing" "it said: $(tail -n 1 "$out")"
fi

# make run boots the story image unless APP, ARGS, VMM or MALLOC is given;
# SCRIPT= becomes a boot argument.  Outside a terminal it keeps its time limit.
runs() { make -n run "$@" 2>&1; }
if runs | grep -q "limit=300" && runs | grep -q "qemu.sh .*/story/kernel.elf" && runs | grep -q "args=''"; then
    ok "make-run-story"
else
    not_ok "make-run-story" "make -n run: $(runs | grep -F qemu.sh)"
fi
if runs SCRIPT=none | grep -q "args='script=none'" && runs SCRIPT=none | grep -q "qemu.sh .*/story/kernel.elf"; then
    ok "make-run-script"
else
    not_ok "make-run-script" "make -n run SCRIPT=none: $(runs SCRIPT=none | grep -F "args=")"
fi
if runs APP=hello | grep -q "qemu.sh .*/default-hello/kernel.elf" &&
    runs VMM=vmm-list | grep -q "qemu.sh .*/default-allocstress/kernel.elf"; then
    ok "make-run-app"
else
    not_ok "make-run-app" "make -n run APP=hello: $(runs APP=hello | grep -F qemu.sh)"
fi

# make run SCRIPT=none reads piped input as typed commands; the status the
# shell powers off with is make run's last line.
printf 'echo piped in\npoweroff 2\n' | make -s run SCRIPT=none >"$out" 2>&1
rc=$?
if grep -q "^piped in" "$out" && [ "$(tail -n 1 "$out")" = "make run: system status 2" ] && [ $rc -ne 0 ]; then
    ok "make-run-piped"
else
    not_ok "make-run-piped" "exit $rc, last line: $(tail -n 1 "$out")"
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
# wall NAME MODULE ALLOWED FORBIDDEN [PROBE-TAIL]: a source of MODULE may
# include ALLOWED (the control, which proves the probe compiles at all)
# and may not include FORBIDDEN: that fails with "file not found", or
# with PROBE-TAIL (C code after the include) refused.
wall() {
    local name=$1 module=$2 allowed=$3 forbidden=$4 tail=${5:-} why
    printf '#include <%s>\n' "$allowed" >"$probe"
    if ! make -s probe MODULE="$module" SRC="$probe" >"$out" 2>&1; then
        not_ok "$name" "control <$allowed> does not compile in $module: $(head -n 1 "$out")"
        return
    fi
    printf '#include <%s>\n%s\n' "$forbidden" "$tail" >"$probe"
    if make -s probe MODULE="$module" SRC="$probe" >"$out" 2>&1; then
        not_ok "$name" "$module can include <$forbidden>"
        return
    fi
    if [ -n "$tail" ]; then why=error; else why="'$forbidden' file not found"; fi
    if grep -qF -- "$why" "$out"; then
        ok "$name"
    else
        not_ok "$name" "$module refused <$forbidden> for another reason: $(head -n 1 "$out")"
    fi
}
# The kernel sees the ABI, never the runtime, the C library or a server.
wall make-wall-kernel-libakuma ukernel akuma/abi/syscall.h akuma/sys.h
wall make-wall-kernel-libc     ukernel akuma/abi/syscall.h stdio.h
wall make-wall-kernel-vmm      ukernel akuma/abi/syscall.h vmm/region.h
wall make-wall-kernel-malloc   ukernel akuma/abi/syscall.h malloc/glue.h
# Programs see libakuma, the C library and client stubs, never a server's
# headers, the kernel's or the allocator's internals.
wall make-wall-app-kernel hello stdio.h ukernel/proc.h
wall make-wall-app-vmm    hello idl/vmm_client.h vmm/region.h
wall make-wall-app-malloc hello akuma/malloc.h malloc/glue.h
# A vmm sees the region interface and the kernel's stubs, nothing of the
# allocator or the kernel.
wall make-wall-vmm-malloc vmm-core idl/kernel_client.h malloc/glue.h
wall make-wall-vmm-kernel vmm-core vmm/region.h ukernel/proc.h
# The runtime knows no server and no C library; the generated dispatch
# sees only the ABI (so the kernel can use it).
wall make-wall-libakuma-vmm  libakuma akuma/abi/errno.h vmm/region.h
wall make-wall-libakuma-libc libakuma akuma/abi/errno.h stdio.h
wall make-wall-idlserver-libakuma idl-vmm-server akuma/abi/errno.h akuma/ipc.h
# The portable allocator and the free-region structures are freestanding:
# their one contract with the world is their glue or interface.
wall make-wall-malloc-libakuma malloc-core malloc/glue.h akuma/sys.h
wall make-wall-malloc-libc     malloc-page malloc/page.h stdio.h
wall make-wall-region-libc     region-tree vmm/region.h stdio.h
wall make-wall-region-libakuma region-tree vmm/region.h akuma/sys.h
# The shared readers and the host tools know nothing of the kernel, and a
# host tool gets the host's C library, never the programs' (whose stdio.h
# declares fflush_stdout).
wall make-wall-bootfmt-kernel bootfmt bootfmt/elf.h ukernel/types.h
wall make-wall-mkimage-kernel mkimage bootfmt/bootimage.h ukernel/proc.h
wall make-wall-mkimage-libc mkimage stdio.h stdio.h 'int probe(void); int probe(void) { return fflush_stdout(); }' \
    2>/dev/null

# Every header of the project has an include name of its own: its path
# under an include/ folder (<component/name.h>), or its file name when it
# is private (beside the .c that includes it).  The programs' C library
# (libakuma/libc/include) is the one exception, and only for C's names.
dups=$(git ls-files '*.h' '*.inc' | grep -v '^libakuma/libc/include/' |
    sed -E 's#^(.*/)?include/##; s#^(.*/internal/)##; t; s#.*/##' | sort | uniq -d)
if [ -z "$dups" ]; then ok "make-header-names-unique"; else not_ok "make-header-names-unique" "shared: $dups"; fi

# No include reaches into another folder by a relative path, around the walls.
rel=$(git grep -nE '^\s*#\s*include\s+"[^"]*(\.\./|/)' -- '*.c' '*.h' '*.S' '*.inc' | head -n 3)
if [ -z "$rel" ]; then ok "make-no-relative-includes"; else not_ok "make-no-relative-includes" "$rel"; fi

# V=1 shows each command; without it a step is one short line.
printf '#include <stdio.h>\n' >"$probe"
if make V=1 probe MODULE=hello SRC="$probe" 2>&1 | grep -q -- "-fsyntax-only $probe" &&
    [ -z "$(make probe MODULE=hello SRC="$probe" 2>&1)" ]; then
    ok "make-v1-shows-commands"
else
    not_ok "make-v1-shows-commands" "make V=1 probe did not show the compiler's command, or make without it did"
fi

# compile_commands.json is valid JSON and names every C source of the tree
# that the build compiles (fixtures such as tests/unit/elf/sample.c aside).
cc_json=$(mktemp -d)
if make -s -C "$PWD" compile_commands.json >"$out" 2>&1 &&
    python3 -c 'import json, sys; print("\n".join(e["file"] for e in json.load(open(sys.argv[1]))))' \
        compile_commands.json >"$cc_json/files" 2>>"$out"; then
    missing=$(git ls-files '*.c' | grep -v -e '^tests/unit/elf/sample.c$' -e '^tests/unit/ipc_model/sched_host.c$' |
        sort | comm -23 - <(sort -u "$cc_json/files") | head -n 3)
    if [ -z "$missing" ]; then ok "make-compile-commands"; else not_ok "make-compile-commands" "no entry for: $missing"; fi
else
    not_ok "make-compile-commands" "$(tail -n 2 "$out")"
fi
rm -rf "$cc_json"
[ "$fails" -eq 0 ]
