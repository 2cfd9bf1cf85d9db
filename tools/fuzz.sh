#!/usr/bin/env bash
# The fuzz targets of tests/fuzz (see tests/fuzz/module.mk) run three ways.
#
#   fuzz.sh --seeds SEEDDIR OUT [ELF...]
#       gathers real inputs from the build OUT (build/<config>) into
#       SEEDDIR/<name>/: program ELF files (and the ELF files given),
#       compiled boot images, QEMU's own device trees, every manifest and
#       IDL file of the tree, and what the shell-* tests type and their
#       scripts (the shell's lines)
#   fuzz.sh --smoke NAME BIN SEEDDIR OUTDIR
#       for make test: the seeds and 3,000 more inputs from a fixed random
#       seed; prints "  PASS fuzz-NAME" or "  FAIL fuzz-NAME: why" and a
#       RESULT line as tests/system/run.sh does
#   fuzz.sh --run SECONDS FUZZDIR BINDIR NAME...
#       for make fuzz: each target for SECONDS, growing FUZZDIR/corpus/NAME;
#       a crash leaves its input in FUZZDIR/crashes/ and fails the run
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
SMOKE_RUNS=3000

seeds() { # SEEDDIR OUT [ELF...]
    local dir=$1 out=$2
    shift 2
    rm -rf "$dir"
    mkdir -p "$dir"/{elf,bootimage,fdt,manifest,idlc,malloc-page,malloc-chunk,shell}
    cp "$out"/bin/*.elf "$@" "$dir/elf/"
    for b in "$out"/tests/*/bootimage.bin; do
        cp "$b" "$dir/bootimage/$(basename "$(dirname "$b")").bin"
    done
    local m
    for m in 512M 1G; do
        timeout 30 qemu-system-aarch64 -M "virt,dumpdtb=$dir/fdt/virt-$m.dtb" -cpu cortex-a72 -m "$m" \
            -nographic -nic none >/dev/null 2>&1
    done
    timeout 30 qemu-system-aarch64 -M "virt,virtualization=on,dumpdtb=$dir/fdt/virt-el2.dtb" \
        -cpu cortex-a72 -m 512M -nographic -nic none >/dev/null 2>&1
    for m in "$dir"/fdt/*.dtb; do shrink_dtb "$m"; done
    for m in "$here"/tests/system/*/manifest "$here"/bench/*/manifest "$here"/images/*.manifest.in; do
        cp "$m" "$dir/manifest/$(basename "$(dirname "$m")")-$(basename "$m")"
    done
    find "$here/idl" "$here/bench" "$here/tests" -name '*.idl' -exec cp {} "$dir/idlc/" \;
    # The shell: the text each shell-* test types, one seed per test, and their scripts.
    local e
    cp "$here"/tests/system/shell-*/*.sh "$dir/shell/"
    for e in "$here"/tests/system/shell-*/expect; do
        sed -n -e 's/^input [^ ]* //p' -e 's/^input-after [^ ]* //p' "$e" |
            while IFS= read -r text; do printf '%b' "$text"; done >"$dir/shell/$(basename "$(dirname "$e")")"
    done
    # The allocators: a few calls of each kind (4 bytes each: op, slot, size).
    local ops='\x00\x01\x00\x10\x80\x02\xff\xff\x02\x03\x07\x20\x03\x04\x0c\x40'
    ops="$ops"'\x04\x01\x00\x30\x84\x02\x10\x00\x06\x00\x00\x00\x07\x00\x01\x00\x00\x05\x00\x08\x05\x01\x00\x00'
    printf "$ops" >"$dir/malloc-page/calls"
    printf "$ops" >"$dir/malloc-chunk/calls"
    local n
    for n in elf bootimage fdt manifest idlc shell; do
        [ -n "$(ls -A "$dir/$n")" ] || { echo "fuzz.sh: no seeds for $n in $dir/$n" >&2; exit 1; }
    done
}

# QEMU pads its device tree to 1 MiB; a seed that large slows every
# mutation, so the padding goes (totalsize becomes the end of the last block).
be32() { od -An -tu1 -j "$2" -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'; }
shrink_dtb() {
    local f=$1 s1 s2 end
    s1=$(( $(be32 "$f" 8) + $(be32 "$f" 36) ))   # off_dt_struct + size_dt_struct
    s2=$(( $(be32 "$f" 12) + $(be32 "$f" 32) ))  # off_dt_strings + size_dt_strings
    end=$(( s1 > s2 ? s1 : s2 ))
    head -c "$end" "$f" >"$f.tmp"
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((end >> 24 & 255)) $((end >> 16 & 255)) \
        $((end >> 8 & 255)) $((end & 255)))" | dd of="$f.tmp" bs=1 seek=4 conv=notrunc status=none
    mv "$f.tmp" "$f"
}

# The last "#N DONE/… cov: C" statistics of a libFuzzer log, as "N runs, coverage C".
stats() {
    awk '/^#[0-9]+/ { runs = substr($1, 2); for (i = 1; i <= NF; i++) if ($i == "cov:") cov = $(i + 1) }
         END { printf "%s runs, coverage %s", runs + 0, cov + 0 }' "$1"
}

# Why a run failed: the sanitizer's or libFuzzer's first report line, and the saved input.
why() {
    local r art
    r=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$1")
    art=$(grep -m1 -o "Test unit written to [^ ]*" "$1")
    printf '%s; %s' "${r:-exit status $2}" "${art:-no input saved}"
}

smoke() { # NAME BIN SEEDDIR OUTDIR
    local name=$1 bin=$2 seeds=$3 out st=0
    out=$4/fuzz-$name
    rm -rf "$out"
    mkdir -p "$out/corpus"
    timeout -k 5 600 "$bin" -runs="$SMOKE_RUNS" -seed=1 -artifact_prefix="$out/" "$out/corpus" "$seeds" \
        >"$out/log" 2>&1 || st=$?
    if [ "$st" -eq 0 ]; then
        echo "  PASS fuzz-$name: $(stats "$out/log")"
        echo "RESULT fuzz-$name 1 0"
    else
        echo "  FAIL fuzz-$name: $(why "$out/log" "$st") (log: $out/log)"
        echo "RESULT fuzz-$name 0 1"
    fi
}

run() { # SECONDS FUZZDIR BINDIR NAME...
    local secs=$1 dir=$2 bins=$3 failed=0 name st
    shift 3
    for name in "$@"; do
        if [ ! -x "$bins/$name" ]; then
            echo "fuzz.sh: no fuzz target $name (the targets: $(ls "$bins" | tr '\n' ' '))" >&2
            exit 2
        fi
    done
    mkdir -p "$dir/crashes"
    for name in "$@"; do
        mkdir -p "$dir/corpus/$name"
        st=0
        echo "fuzz-$name: ${secs}s"
        "$bins/$name" -max_total_time="$secs" -timeout=10 -artifact_prefix="$dir/crashes/$name-" \
            "$dir/corpus/$name" "$dir/seeds/$name" >"$dir/$name.log" 2>&1 || st=$?
        if [ "$st" -eq 0 ]; then
            echo "  PASS fuzz-$name: $(stats "$dir/$name.log"), corpus $(ls "$dir/corpus/$name" | wc -l) inputs"
        else
            echo "  FAIL fuzz-$name: $(why "$dir/$name.log" "$st") (log: $dir/$name.log)"
            failed=$((failed + 1))
        fi
    done
    echo "$(( $# - failed )) passed, $failed failed"
    [ "$failed" -eq 0 ]
}

case ${1:-} in
--seeds) [ $# -ge 3 ] || exit 125; shift; seeds "$@" ;;
--smoke) [ $# -eq 5 ] || exit 125; smoke "$2" "$3" "$4" "$5" ;;
--run)   [ $# -ge 5 ] || exit 125; shift; run "$@" ;;
*) echo "usage: fuzz.sh --seeds|--smoke|--run ... (see the comment at its top)" >&2; exit 125 ;;
esac
