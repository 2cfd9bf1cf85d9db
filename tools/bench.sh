#!/usr/bin/env bash
# The benchmark driver.  Boots each benchmark image twice: under
# -icount shift=0,sleep=off, where PMCCNTR_EL0 counts guest instructions
# exactly (the run's "instructions" lines are kept), and without it, for
# host time (its "ns" and "ms" lines are kept).  Writes the CSV of DESIGN.md 9:
#     benchmark,variant,metric,value,unit
#
# Usage: bench.sh OUT.csv KERNEL.elf...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1; shift
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "benchmark,variant,metric,value,unit" >"$out.tmp"
for kernel in "$@"; do
    name=$(basename "$(dirname "$kernel")")
    for mode in icount wall; do
        log="$tmp/$name.$mode.log"
        flags=""
        [ "$mode" = icount ] && flags="--icount"
        status=0
        # shellcheck disable=SC2086
        "$here/qemu.sh" $flags --timeout 600 --log "$log" "$kernel" >/dev/null 2>&1 || status=$?
        if [ "$status" -ne 0 ]; then
            echo "bench: $name ($mode) exited with status $status; its log:" >&2
            tr -d '\r' <"$log" | tail -n 20 >&2
            exit 1
        fi
        if [ "$mode" = icount ]; then keep='instructions'; else keep='(ns|ms)'; fi
        tr -d '\r' <"$log" | sed -n 's/^BENCH //p' |
            awk -F, -v keep="$keep" '$3 ~ "^" keep { print }' >>"$out.tmp"
    done
done
mv "$out.tmp" "$out"
column -s, -t <"$out"
