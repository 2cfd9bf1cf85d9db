#!/usr/bin/env bash
# Plots of make bench's CSV (benchmark,variant,metric,value,unit), drawn by
# gnuplot, each as OUTDIR/NAME.png and OUTDIR/NAME.svg:
#   guest-paths    guest instructions per operation (rows whose metric is
#                  instructions or instructions_per_alloc), log scale;
#   vmm-regions    ns per alloc+free against the number of holes, log-log,
#                  one line per vmm variant (vmm-regions rows);
#   malloc-window  ns per alloc+free, and peak RSS over peak live bytes,
#                  per allocator (malloc-window rows).
# A plot whose rows are absent is skipped.
#
# Usage: benchplot.sh RESULTS.csv OUTDIR
set -eu
csv=$1
out=$2
command -v gnuplot >/dev/null || {
    echo "benchplot: gnuplot not found (tools/deps.sh --bench installs gnuplot-nox)" >&2
    exit 1
}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# draw NAME SCRIPT: runs the plot commands once per output format.
draw() {
    local png=png
    gnuplot -e 'set terminal pngcairo' 2>/dev/null && png=pngcairo
    for t in "$png size 900,500 noenhanced:png" "svg size 900,500 noenhanced dynamic:svg"; do
        printf 'set terminal %s\nset output "%s/%s.%s"\n%s\n' \
            "${t%:*}" "$out" "$1" "${t##*:}" "$2" | gnuplot
    done
}

# --- guest-paths: one bar per benchmark,variant ------------------------------
awk -F, '$3 == "instructions" || $3 == "instructions_per_alloc" { print $1 "," $2, $4 }' \
    "$csv" >"$tmp/guest"
[ -s "$tmp/guest" ] && draw guest-paths "
set title 'Guest instructions per operation (exact, under -icount)'
set ylabel 'instructions'
set logscale y
set style fill solid 0.7
set boxwidth 0.6
set xtics rotate by -30
set grid ytics
unset key
plot '$tmp/guest' using 0:2:xtic(1) with boxes, '' using 0:2:(sprintf('%.0f', \$2)) with labels offset 0,0.7"

# --- vmm-regions: variant-holes -> ns_per_op, a block per variant -----------
# The variant is everything before the last '-' (names have dashes).
awk -F, '$1 == "vmm-regions" && $3 == "ns_per_op" {
    n = split($2, part, "-"); v = substr($2, 1, length($2) - length(part[n]) - 1)
    if (!(v in seen)) { seen[v] = ++nv; name[nv] = v }
    rows[v] = rows[v] part[n] " " $4 "\n"
}
END { for (i = 1; i <= nv; i++) printf "\"%s\"\n%s\n\n", name[i], rows[name[i]] }' \
    "$csv" >"$tmp/regions"
[ -s "$tmp/regions" ] && draw vmm-regions "
set title 'vmm free regions: ns per alloc+free against holes (host)'
set xlabel 'holes'
set ylabel 'ns per alloc+free'
set logscale xy
set format x '1e%T'
set format y '1e%T'
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set grid
set key outside right
plot for [i=0:*] '$tmp/regions' index i using 1:2 with linespoints title columnheader(1)"

# --- malloc-window: time and memory per allocator, side by side -------------
awk -F, '$1 == "malloc-window" && $3 == "ns_per_op" { ns[$2] = $4; order[++n] = $2 }
$1 == "malloc-window" && $3 == "rss_over_live" { rss[$2] = $4 }
END { for (i = 1; i <= n; i++) print order[i], ns[order[i]], (order[i] in rss ? rss[order[i]] : "NaN") }' \
    "$csv" >"$tmp/window"
[ -s "$tmp/window" ] && draw malloc-window "
set multiplot layout 1,2 title 'malloc-window: a window of live blocks, alloc+free (host)'
set style fill solid 0.7
set boxwidth 0.6
set xtics rotate by -30
set grid ytics
unset key
set yrange [0:*]
set title 'ns per alloc+free (lower is better)'
plot '$tmp/window' using 0:2:xtic(1) with boxes, '' using 0:2:(sprintf('%.0f', \$2)) with labels offset 0,0.7
set title 'peak RSS / peak live bytes (lower is better)'
set yrange [1:*]
plot '$tmp/window' using 0:3:xtic(1) with boxes lc 2, '' using 0:3:(sprintf('%.3f', \$3)) with labels offset 0,0.7
unset multiplot"
exit 0
