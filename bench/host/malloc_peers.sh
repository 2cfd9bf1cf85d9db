#!/usr/bin/env bash
# A host malloc benchmark (malloc_window.c, malloc_churn.c, malloc_threads.c;
# DESIGN.md 8) against each allocator, each in its own process, all in
# this one run:
#   akuma-chunk  libakuma's chunk mode linked into the program (Linux glue,
#                link-time optimised as guest programs are)
#   glibc        the system's malloc
#   mimalloc, jemalloc, tcmalloc   LD_PRELOADed (Debian's libmimalloc-dev,
#                libjemalloc-dev, libgoogle-perftools-dev: tcmalloc_minimal)
# Runs ROUNDS rounds (default 3) with the allocators interleaved, and
# prints for each allocator the median over the rounds of each metric, as
# the CSV rows of build/bench/results.csv:
#   <benchmark>,<allocator>,<metric>,<value>,<unit>
# A peer whose library is not installed is skipped with a note on stderr.
# make bench builds the programs (bench/host/module.mk) and runs this.
#
# Usage: malloc_peers.sh PROGRAM PROGRAM_AKUMA   (environment: ROUNDS, RUNS)
set -eu
[ $# -eq 2 ] || { echo "usage: malloc_peers.sh PROGRAM PROGRAM_AKUMA" >&2; exit 2; }
plain=$1
akuma=$2
rounds=${ROUNDS:-3}
runs=${RUNS:-5}

# The shared object of a library, as the dynamic linker knows it, or nothing.
library() {
    /sbin/ldconfig -p | awk -v name="$1" '$1 == name { print $NF; exit }'
}

allocators="akuma-chunk glibc"
declare -A preload=([glibc]="")
for peer in mimalloc:libmimalloc.so.2 jemalloc:libjemalloc.so.2 tcmalloc:libtcmalloc_minimal.so.4; do
    name=${peer%%:*}
    lib=$(library "${peer#*:}")
    if [ -z "$lib" ]; then
        echo "malloc_peers.sh: ${peer#*:} not installed: $name skipped" >&2
        continue
    fi
    allocators="$allocators $name"
    preload[$name]=$lib
done

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for _ in $(seq "$rounds"); do
    for a in $allocators; do
        if [ "$a" = akuma-chunk ]; then
            "$akuma" "$a" "$runs" >>"$rows"
        else
            LD_PRELOAD=${preload[$a]} "$plain" "$a" "$runs" >>"$rows"
        fi
    done
done

# The median over the rounds of each (allocator, metric), in the order
# first seen; then akuma-chunk's medians against the peers' of the same
# run: ns_per_op against mimalloc's (<metric>_vs_mimalloc), peak_rss_kb
# against glibc's (peak_rss_vs_glibc).
awk -F, '
    { key = $1 FS $2 FS $3; if (!(key in n)) { order[++keys] = key; unit[key] = $5 }
      v[key, ++n[key]] = $4 }
    END {
        for (k = 1; k <= keys; k++) {
            key = order[k]; m = n[key]
            for (i = 1; i <= m; i++) s[i] = v[key, i]
            for (i = 2; i <= m; i++) for (j = i; j > 1 && s[j - 1] + 0 > s[j] + 0; j--) {
                t = s[j]; s[j] = s[j - 1]; s[j - 1] = t
            }
            med[key] = s[int((m + 1) / 2)]
            print key FS med[key] FS unit[key]
            split(key, f, FS); bench = f[1]
        }
        for (k = 1; k <= keys; k++) {
            split(order[k], f, FS)
            if (f[2] != "akuma-chunk") continue
            if (f[3] ~ /^ns_per_op/ && (bench FS "mimalloc" FS f[3]) in med && med[bench FS "mimalloc" FS f[3]] > 0)
                printf "%s,akuma-chunk,%s_vs_mimalloc,%.2f,ratio\n", bench, f[3], med[order[k]] / med[bench FS "mimalloc" FS f[3]]
            if (f[3] == "peak_rss_kb" && (bench FS "glibc" FS f[3]) in med && med[bench FS "glibc" FS f[3]] > 0)
                printf "%s,akuma-chunk,peak_rss_vs_glibc,%.2f,ratio\n", bench, med[order[k]] / med[bench FS "glibc" FS f[3]]
        }
    }' "$rows"
