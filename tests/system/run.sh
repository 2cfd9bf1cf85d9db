#!/usr/bin/env bash
# Boots one system-test image and judges it.
#
# Usage: run.sh NAME KERNEL.elf EXPECT-FILE LOG-FILE
#
# The expect file lists, one per line ('#' starts a comment):
#   timeout SECONDS    hard limit for the boot (default 60)
#   exit STATUS        expected exit status: a number or 'nonzero' (default 0)
#   machine M          QEMU machine and options (default virt)
#   aktest NAME        the image must print "AKTEST PASS NAME"
#   match NAME REGEX   some line of the serial log must match the ERE
#   icount             run under -icount shift=0,sleep=off: guest time is
#                      instructions, the same on every run, whatever the host
#                      does (for tests that count instructions or ticks)
#   count NAME N REGEX exactly N lines of the serial log must match the ERE
#   input PAUSE TEXT   type TEXT (printf %b escapes) on the serial line
#                      PAUSE seconds after the previous input line
#   append TEXT        boot arguments (QEMU -append: the rest of the line)
#   input-after REGEX TEXT
#                      type TEXT as soon as a line of the serial log matches
#                      REGEX (an ERE without spaces), after the previous
#                      input line: as a person types after a prompt, also
#                      while a program runs
#
# A '#' starts a comment, except on a match or count line, whose regex runs to the
# end of the line.  Each expected name and the exit status count as one
# test.  A missing name, an "AKTEST FAIL", an AKTEST name the file does not
# list, a timeout or a crash is a failure.  The exit status passes only if
# the kernel itself halted with it ("[kernel] halt: status N" in the log):
# a QEMU that fails to start cannot pass for a system that did, and a
# kernel panic passes only where the file expects status 3.  Prints one line per judgement, then
# "RESULT NAME PASSED FAILED" as its last line; exits 0.
set -u

name=$1 kernel=$2 expect=$3 log=$4
here=$(cd "$(dirname "$0")" && pwd)
qemu="$here/../../tools/qemu.sh"

limit=60
want_exit=0
machine=virt
aktests=()
match_names=()
match_res=()
count_names=()
count_ns=()
count_res=()
inputs=()
icount=()
append=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    read -r key a b <<<"$line"
    if [ "${key:-}" != match ] && [ "${key:-}" != count ]; then
        line=${line%%#*}
        read -r key a b <<<"$line"
    fi
    case ${key:-} in
    "") ;;
    timeout) limit=$a ;;
    exit) want_exit=$a ;;
    machine) machine=$a ;;
    aktest) aktests+=("$a") ;;
    match) match_names+=("$a"); match_res+=("$b") ;;
    count) count_names+=("$a"); count_ns+=("${b%% *}"); count_res+=("${b#* }") ;;
    input) inputs+=("$a $b") ;;
    input-after) inputs+=("after $a $b") ;;
    icount) icount=(--icount) ;;
    append) append=(--append "$a${b:+ $b}") ;;
    *) echo "$expect:$lineno: unknown directive '$key'" >&2; echo "RESULT $name 0 1"; exit 0 ;;
    esac
done <"$expect"

if [ ! -f "$kernel" ]; then
    echo "  FAIL $name: image $kernel was not built"
    echo "RESULT $name 0 $((${#aktests[@]} + ${#match_names[@]} + ${#count_names[@]} + 1))"
    exit 0
fi
mkdir -p "$(dirname "$log")"
: >"$log"
status=0
input_args=()
if [ ${#inputs[@]} -gt 0 ]; then
    printf '%s\n' "${inputs[@]}" >"$log.input"
    input_args=(--input "$log.input")
fi
"$qemu" --log "$log" --timeout "$limit" --machine "$machine" "${icount[@]}" "${input_args[@]}" "${append[@]}" "$kernel" >"$log.qemu" 2>&1 || status=$?
clean="$log.txt"
tr -d '\r' <"$log" >"$clean"

passed=0 failed=0
pass() { echo "  PASS $1"; passed=$((passed + 1)); }
fail() { echo "  FAIL $1: $2"; failed=$((failed + 1)); }

why_missing="not printed"
if [ "$status" -eq 124 ]; then
    why_missing="not printed (timeout after ${limit}s)"
elif grep -q "PANIC" "$clean"; then
    why_missing="not printed (kernel panic)"
fi

declare -A listed=()
for t in "${aktests[@]}"; do
    listed[$t]=1
    failline=$(grep -m1 -E "^AKTEST FAIL $t: " "$clean" || true)
    if [ -n "$failline" ]; then
        fail "$t" "${failline#AKTEST FAIL $t: }"
    elif grep -q -x -F "AKTEST PASS $t" "$clean"; then
        pass "$t"
    else
        fail "$t" "$why_missing"
    fi
done
# An AKTEST line for a name the expect file does not list is a failure.
while IFS= read -r l; do
    t=${l#AKTEST }; t=${t#PASS }; t=${t#FAIL }; t=${t%%:*}
    [ -n "${listed[$t]:-}" ] && continue
    listed[$t]=1
    fail "$t" "not listed in $(basename "$(dirname "$expect")")/$(basename "$expect"): $l"
done < <(grep -E '^AKTEST (PASS|FAIL) ' "$clean")

for i in "${!match_names[@]}"; do
    if grep -q -E -- "${match_res[$i]}" "$clean"; then
        pass "${match_names[$i]}"
    else
        fail "${match_names[$i]}" "no line of the log matches /${match_res[$i]}/"
    fi
done

for i in "${!count_names[@]}"; do
    got=$(grep -c -E -- "${count_res[$i]}" "$clean" || true)
    if [ "$got" -eq "${count_ns[$i]}" ]; then
        pass "${count_names[$i]}"
    else
        fail "${count_names[$i]}" "$got lines of the log match /${count_res[$i]}/, not ${count_ns[$i]}"
    fi
done

exit_ok=0
case $want_exit in
nonzero) [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && exit_ok=1 ;;
*) [ "$status" -eq "$want_exit" ] && exit_ok=1 ;;
esac
halted=$(sed -n 's/^\[kernel\] halt: status \([0-9]*\)$/\1/p' "$clean" | tail -n 1)
if [ "$exit_ok" -eq 1 ] && [ "$halted" != "$status" ]; then
    fail "$name.exit-status" "QEMU exited with $status but the kernel ${halted:+halted with $halted}${halted:-never halted}; qemu said:"
    sed 's/^/      qemu: /' "$log.qemu"
elif [ "$exit_ok" -eq 1 ] && [ "$status" -eq 3 ] && [ "$want_exit" != 3 ]; then
    fail "$name.exit-status" "kernel panic; last lines of $log:"
    tail -n 12 "$clean" | sed 's/^/      | /'
elif [ "$exit_ok" -eq 1 ]; then
    pass "$name.exit-status"
elif [ "$status" -eq 124 ]; then
    fail "$name.exit-status" "timeout after ${limit}s; last lines of $log:"
    tail -n 12 "$clean" | sed 's/^/      | /'
else
    fail "$name.exit-status" "exit status $status, expected $want_exit; last lines of $log:"
    tail -n 12 "$clean" | sed 's/^/      | /'
    [ -s "$log.qemu" ] && sed 's/^/      qemu: /' "$log.qemu"
fi
echo "RESULT $name $passed $failed"
