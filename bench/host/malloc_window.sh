#!/usr/bin/env bash
# The host malloc benchmark (DESIGN.md 8): malloc_window.c against each
# allocator, each in its own process, all in this one run:
#   akuma-chunk  libakuma's chunk mode linked into the program (Linux glue)
#   glibc        the system's malloc
#   mimalloc, jemalloc, tcmalloc   LD_PRELOADed (Debian's libmimalloc-dev,
#                libjemalloc-dev, libgoogle-perftools-dev: tcmalloc_minimal)
# Runs ROUNDS rounds (default 3) with the allocators interleaved, and
# prints for each allocator the median over the rounds of each metric, as
# the CSV rows of build/bench/results.csv:
#   malloc-window,<allocator>,<metric>,<value>,<unit>
# A peer whose library is not installed is skipped with a note on stderr.
# make bench builds both programs (bench/host/module.mk) and runs this.
#
# Usage: malloc_window.sh MALLOC_WINDOW MALLOC_WINDOW_AKUMA   (environment: ROUNDS, RUNS)
set -eu
[ $# -eq 2 ] || { echo "usage: malloc_window.sh MALLOC_WINDOW MALLOC_WINDOW_AKUMA" >&2; exit 2; }
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
        echo "malloc_window.sh: ${peer#*:} not installed: $name skipped" >&2
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

# The median over the rounds of each (allocator, metric), in the order first seen.
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
            print key FS s[int((m + 1) / 2)] FS unit[key]
        }
    }' "$rows"
