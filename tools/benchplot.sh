#!/usr/bin/env bash
# Plots of make bench's CSV, as SVG files any browser opens, drawn with awk
# so that they need nothing the build does not already have:
#   vmm-regions.svg    ns per alloc+free against the number of holes, log-log,
#                      one line per vmm variant (vmm-regions rows);
#   malloc-window.svg  ns per alloc+free and peak RSS over peak live bytes,
#                      one pair of bars per allocator (malloc-window rows);
#   guest-paths.svg    guest instructions per operation (rows whose metric
#                      is instructions or instructions_per_alloc).
#
# Usage: benchplot.sh RESULTS.csv OUTDIR
set -eu
csv=$1
out=$2
mkdir -p "$out"

# Shared SVG pieces: header, axis text, footer.
svg_lib='
function svg_open(w, h, title) {
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", w, h
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    printf "<text x=\"%d\" y=\"20\" font-size=\"15\" text-anchor=\"middle\">%s</text>\n", w / 2, title
}
function text(x, y, s, anchor) {
    printf "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n", x, y, anchor, s
}
function line(x1, y1, x2, y2, colour) {
    printf "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", x1, y1, x2, y2, colour
}
function bar(x, y, w, h, colour) {
    printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x, y, w, h, colour
}
function log10(v) { return log(v) / log(10) }
'

# --- vmm-regions: variant-holes -> ns_per_op, log-log ---------------------
awk -F, "$svg_lib"'
$1 == "vmm-regions" && $3 == "ns_per_op" {
    n = split($2, part, "-"); holes = part[n]; variant = substr($2, 1, length($2) - length(holes) - 1)
    if (!(variant in seen)) { seen[variant] = 1; order[++variants] = variant }
    x = log10(holes); y = log10($4 < 1 ? 1 : $4)
    px[variant, ++count[variant]] = x; py[variant, count[variant]] = y; label[variant, count[variant]] = $4
    if (!set || x < xmin) xmin = x; if (!set || x > xmax) xmax = x
    if (!set || y > ymax) ymax = y; set = 1
}
END {
    if (!set) exit
    ymin = 0; ymax = int(ymax) + 1; xmin = int(xmin + 1e-9); xmax = int(xmax + 0.999)
    if (xmax == xmin) xmax = xmin + 1
    W = 640; H = 420; L = 70; R = 150; T = 40; B = 50
    svg_open(W, H, "vmm free regions: ns per alloc+free against holes (log-log)")
    for (e = ymin; e <= ymax; e++) {
        y = T + (H - T - B) * (1 - (e - ymin) / (ymax - ymin))
        line(L, y, W - R, y, "#ddd"); text(L - 6, y + 4, "1e" e, "end")
    }
    for (e = xmin; e <= xmax; e++) {
        x = L + (W - L - R) * (e - xmin) / (xmax - xmin)
        line(x, T, x, H - B, "#ddd"); text(x, H - B + 16, "1e" e, "middle")
    }
    text((L + W - R) / 2, H - 12, "holes", "middle")
    split("#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e", colours, " ")
    for (v = 1; v <= variants; v++) {
        name = order[v]; c = colours[(v - 1) % 5 + 1]; pts = ""
        for (i = 1; i <= count[name]; i++) {
            x = L + (W - L - R) * (px[name, i] - xmin) / (xmax - xmin)
            y = T + (H - T - B) * (1 - (py[name, i] - ymin) / (ymax - ymin))
            pts = pts sprintf("%.1f,%.1f ", x, y)
            printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %s ns</title></circle>\n", x, y, c, name, label[name, i]
        }
        printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", pts, c
        bar(W - R + 12, T + 20 * v - 9, 12, 12, c); text(W - R + 30, T + 20 * v + 1, name, "start")
    }
    print "</svg>"
}' "$csv" >"$out/vmm-regions.svg"

# --- malloc-window: ns_per_op and rss_over_live per allocator -------------
awk -F, "$svg_lib"'
$1 == "malloc-window" && ($3 == "ns_per_op" || $3 == "rss_over_live") {
    if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
    v[$2, $3] = $4
    if ($3 == "ns_per_op" && $4 > nsmax) nsmax = $4
    if ($3 == "rss_over_live" && $4 > rssmax) rssmax = $4
}
END {
    if (!n) exit
    W = 640; T = 40; row = 26; H = T + 30 + n * row + 20; L = 100; mid = 370
    svg_open(W, H, "malloc-window: cost and memory, one run")
    text(L + (mid - 20 - L) / 2, T + 10, "ns per alloc+free", "middle")
    text(mid + (W - 20 - mid) / 2, T + 10, "peak RSS / peak live bytes", "middle")
    for (i = 1; i <= n; i++) {
        a = order[i]; y = T + 24 + (i - 1) * row
        c = (a ~ /^akuma/) ? "#d62728" : "#1f77b4"
        text(L - 8, y + 13, a, "end")
        w = (mid - 60 - L) * v[a, "ns_per_op"] / nsmax; bar(L, y, w, 18, c); text(L + w + 4, y + 13, v[a, "ns_per_op"], "start")
        w = (W - 70 - mid) * v[a, "rss_over_live"] / rssmax; bar(mid, y, w, 18, c); text(mid + w + 4, y + 13, v[a, "rss_over_live"], "start")
    }
    print "</svg>"
}' "$csv" >"$out/malloc-window.svg"

# --- guest paths: instructions per operation -------------------------------
awk -F, "$svg_lib"'
$3 == "instructions" || $3 == "instructions_per_alloc" {
    order[++n] = $1 " " $2; v[n] = $4; if ($4 > max) max = $4
}
END {
    if (!n) exit
    W = 640; T = 40; row = 24; H = T + 10 + n * row + 10; L = 230
    svg_open(W, H, "guest instructions per operation (QEMU -icount)")
    for (i = 1; i <= n; i++) {
        y = T + 10 + (i - 1) * row; w = (W - 80 - L) * v[i] / max
        text(L - 8, y + 13, order[i], "end"); bar(L, y, w, 17, "#2ca02c"); text(L + w + 4, y + 13, v[i], "start")
    }
    print "</svg>"
}' "$csv" >"$out/guest-paths.svg"

# An empty plot is no plot.
for f in vmm-regions malloc-window guest-paths; do
    [ -s "$out/$f.svg" ] || rm -f "$out/$f.svg"
done
