#!/usr/bin/env bash
# Runs every test suite given and prints one summary line last:
# "N passed, N failed".  Exits non-zero if anything failed.
#
# Usage: test-all.sh OUTDIR [--unit BIN]... [--system NAME KERNEL EXPECT]...
#                           [--fuzz NAME BIN SEEDDIR]...
#   --unit    a CMocka binary; each case counts once (run with TAP output).
#             A binary that crashes or reports fewer cases than it planned
#             counts the missing ones as failed.
#   --system  a QEMU image judged by tests/system/run.sh.
#   --fuzz    a libFuzzer target run briefly over its seeds (tools/fuzz.sh --smoke).
# Suites run two at a time (the machines have two cores); their output is
# printed in the order given.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$1; shift
mkdir -p "$out"
rm -f "$out"/*.out

jobs=()
n=0
UNIT_TIMEOUT=600 # seconds for one CMocka binary: a hang is a failure, not a stuck run
run_unit() { # BIN OUTFILE
    local bin=$1 o=$2 st=0
    CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 5 "$UNIT_TIMEOUT" "$bin" >"$o.raw" 2>&1 || st=$?
    [ "$st" -eq 124 ] && echo "timed out after ${UNIT_TIMEOUT}s" >>"$o.raw"
    awk -v suite="$(basename "$bin")" -v st="$st" '
        /^1\.\.[0-9]+/ && !seen_plan { split($0, a, "."); plan = a[3] + 0; seen_plan = 1 }
        /^ok [0-9]+ - / { sub(/^ok [0-9]+ - /, ""); print "  PASS " $0; p++; next }
        /^not ok [0-9]+ - / { sub(/^not ok [0-9]+ - /, ""); print "  FAIL " $0; f++; next }
        /^#/ { print "      " $0; next }
        NF { print "      | " $0 }
        END {
            if (p + f < plan) { print "  FAIL " suite ": " plan - p - f " case(s) never reported (crash? exit status " st ")"; f += plan - p - f }
            if (plan == 0 && p + f == 0) { print "  FAIL " suite ": no test ran (exit status " st ")"; f++ }
            if (st != 0 && f == 0) { print "  FAIL " suite ": exit status " st " with every case passing"; f++ }
            print "RESULT " suite " " p + 0 " " f + 0
        }' "$o.raw" >"$o"
}

while [ $# -gt 0 ]; do
    n=$((n + 1))
    o=$(printf '%s/%03d.out' "$out" "$n")
    case $1 in
    --unit)
        echo "unit $(basename "$2")" >"$o.head"
        run_unit "$2" "$o" &
        shift 2 ;;
    --system)
        echo "system $2" >"$o.head"
        "$here/../tests/system/run.sh" "$2" "$3" "$4" "$out/$2/serial.log" >"$o" 2>&1 &
        shift 4 ;;
    --fuzz)
        echo "fuzz $2" >"$o.head"
        "$here/fuzz.sh" --smoke "$2" "$3" "$4" "$out" >"$o" 2>&1 &
        shift 4 ;;
    *) echo "test-all.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    jobs+=($!)
    if [ ${#jobs[@]} -ge 2 ]; then wait "${jobs[0]}"; jobs=("${jobs[@]:1}"); fi
done
wait

total_p=0 total_f=0
for o in "$out"/*.out; do
    [ -e "$o" ] || continue
    cat "$o.head"
    grep -v '^RESULT ' "$o"
    read -r _ _ p f < <(grep '^RESULT ' "$o" | tail -n 1)
    total_p=$((total_p + ${p:-0}))
    total_f=$((total_f + ${f:-1}))
done
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
