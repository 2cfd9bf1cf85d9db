#!/bin/sh
# Boots a kernel image on QEMU virt (cortex-a72) under a hard timeout and
# returns the system's exit status (semihosting SYS_EXIT), 124 when the
# timeout ran out, or 125 when this script was called wrongly.
#
# Usage: qemu.sh [options] KERNEL.elf
#   --log FILE      serial output to FILE instead of the terminal
#   --timeout SEC   hard limit (default 120; 0: none, for make run from a
#                   terminal, which Ctrl-A x ends)
#   --icount        deterministic instruction counting (-icount shift=0,sleep=off)
#   --gdb           start halted with a gdb server on :1234 (timeout 1 hour)
#   --mem SIZE      guest RAM (default 512M)
#   --machine M     machine and options (default virt; virt,virtualization=on
#                   starts the kernel at EL2)
#   --append TEXT   boot arguments (the device tree's /chosen/bootargs, which
#                   the kernel hands to init)
#   --input FILE    type text on the serial line (with --log): each line of
#                   FILE is "PAUSE TEXT", PAUSE seconds (decimals allowed)
#                   after the previous line, TEXT with printf %b escapes
#                   (\n, \r); a line "after REGEX TEXT" types TEXT once a
#                   line of the log matches the ERE REGEX (no spaces in it)
set -eu

qemu=${QEMU:-qemu-system-aarch64}
log=""
limit=120
icount=""
gdb=""
mem=512M
machine=virt
input=""
append=""
while [ $# -gt 1 ]; do
    case $1 in
    --log) log=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --icount) icount="-icount shift=0,sleep=off"; shift ;;
    --gdb) gdb="-s -S"; shift ;;
    --mem) mem=$2; shift 2 ;;
    --machine) machine=$2; shift 2 ;;
    --input) input=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    *) echo "qemu.sh: unknown option $1" >&2; exit 125 ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: qemu.sh [options] KERNEL.elf" >&2; exit 125; }
kernel=$1
[ -f "$kernel" ] || { echo "qemu.sh: no such image: $kernel" >&2; exit 125; }

# -nic none: the default NIC's ROM is not installed without recommends.
# shellcheck disable=SC2086
set -- "$qemu" -M "$machine" -cpu cortex-a72 -m "$mem" -nic none -no-reboot -semihosting \
    $icount $gdb -kernel "$kernel"
[ -n "$append" ] && set -- "$@" -append "$append"
if [ -n "$input" ]; then
    [ -n "$log" ] && [ -f "$input" ] || { echo "qemu.sh: --input needs --log and a file" >&2; exit 125; }
    set -- "$@" -display none -monitor none -chardev stdio,id=ser0,signal=off -serial chardev:ser0
elif [ -n "$log" ]; then
    set -- "$@" -display none -monitor none -serial "file:$log"
else
    set -- "$@" -nographic
fi
[ -n "$gdb" ] && limit=3600
status=0
if [ -n "$input" ]; then
    # QEMU reads the serial line from a FIFO that the typist below keeps
    # open until QEMU ends (an end of file would close the line).
    fifo=$(mktemp -u)
    mkfifo "$fifo"
    (
        while read -r pause text; do
            if [ "$pause" = after ]; then
                re=${text%% *}
                text=${text#"$re"}; text=${text# }
                until tr -d '\r' <"$log" | grep -q -E -- "$re"; do sleep 0.05; done
            else
                sleep "$pause"
            fi
            printf '%b' "$text"
        done <"$input"
        exec sleep "$limit"
    ) >"$fifo" &
    typist=$!
    timeout -k 5 "$limit" "$@" <"$fifo" >"$log" 2>/dev/null || status=$?
    kill "$typist" 2>/dev/null
    wait "$typist" 2>/dev/null || true
    rm -f "$fifo"
else
    timeout --foreground -k 5 "$limit" "$@" || status=$?
fi
exit $status
