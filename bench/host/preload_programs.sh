#!/usr/bin/env bash
# Real programs with chunk mode's LD_PRELOAD library (libakuma_malloc.so)
# against glibc's malloc and mimalloc, in one run: an interpreter
# (python3), a database (sqlite3), a compiler (gcc, whose cc1 does the
# work), a compressor (xz) and a version-control tool (git), each on a
# workload generated here, the same for every allocator.  Each program's
# output under the library and under mimalloc must be byte for byte what
# it is under glibc (else this fails); its wall time is the median of
# RUNS runs (default 3).  Prints the CSV rows of build/bench/results.csv:
#   preload,<program>,seconds_glibc,<s>,s
#   preload,<program>,time_vs_glibc,<akuma / glibc>,ratio
#   preload,<program>,time_vs_mimalloc,<akuma / mimalloc>,ratio
# The programs come from Debian (tools/deps.sh --bench).
#
# Usage: preload_programs.sh LIBAKUMA_MALLOC.so
set -eu
[ $# -eq 1 ] || { echo "usage: preload_programs.sh LIBAKUMA_MALLOC.so" >&2; exit 2; }
akuma=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
runs=${RUNS:-3}
mimalloc=$(/sbin/ldconfig -p | awk '$1 == "libmimalloc.so.2" { print $NF; exit }')
[ -n "$mimalloc" ] || { echo "preload_programs.sh: libmimalloc.so.2 not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# --- the workloads -------------------------------------------------------------
cat >work.py <<'PY'
import json, hashlib
d = {}
for i in range(100000):
    d["key%d" % i] = [i, str(i) * (i % 7), {"n": i % 13}]
s = json.dumps(d, sort_keys=True)
back = json.loads(s)
words = sorted(back.keys(), key=lambda k: (len(back[k][1]), k))
text = " ".join(w.upper() for w in words[:20000])
print(len(s), len(back), hashlib.sha256(text.encode()).hexdigest())
PY
cat >work.sql <<'SQL'
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, val REAL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO t SELECT x, 'name' || (x * 7919 % 100003), x % 97, (x * 31 % 1000) / 7.0 FROM c;
CREATE INDEX t_name ON t(name);
SELECT grp, count(*), round(sum(val), 3), min(name), max(name) FROM t GROUP BY grp ORDER BY grp LIMIT 10;
SELECT count(DISTINCT name) FROM t;
SELECT name, count(*) AS k FROM t GROUP BY name ORDER BY k DESC, name LIMIT 5;
SQL
{
    for i in $(seq 1 600); do
        echo "struct s$i { int a[$((i % 17 + 1))]; double b; struct s$i *next; };"
        echo "static int f$i(struct s$i *p, int n) { int t = 0; for (int i = 0; i < n; i++) { t += p->a[i % $((i % 17 + 1))] * $i; if (t > $((i * 3))) t ^= n; p = p->next ? p->next : p; } return t; }"
    done
    echo "int main(void) { return 0"
    for i in $(seq 1 600); do echo " + f$i(0, 0)"; done
    echo "; }"
} >work.c
seq 1 500000 | awk '{ print $1, $1 * 7919 % 1000003, "line", $1 % 97 }' >work.txt
mkdir -p repo-src
for i in $(seq 1 600); do seq "$i" $((i + 200)) >"repo-src/f$i.txt"; done

run_git() {
    rm -rf repo && cp -r repo-src repo && cd repo
    export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@b GIT_AUTHOR_DATE='2020-01-01T00:00:00Z'
    export GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@b GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
    export GIT_CONFIG_NOSYSTEM=1 HOME="$work"
    git init -q -b main . && git add . && git commit -q -m one
    for i in $(seq 1 600 | awk 'NR % 3 == 0'); do echo change >>"f$i.txt"; done
    git commit -q -am two && git gc -q && git log --stat --format='%H %s' | sha256sum
    cd ..
}

# name: the command (run by bash -c, its stdout is the output compared)
declare -A command=(
    [python3]="/usr/bin/python3 work.py"
    [sqlite3]="sqlite3 :memory: <work.sql"
    [gcc]="gcc -O2 -S -o - work.c | sha256sum"
    [xz]="xz -6 -T1 -c work.txt | sha256sum"
    [git]="run_git"
)
export -f run_git
export work

# The median of RUNS wall times of the command under LD_PRELOAD=$1; its output in out.$2.
measure() {
    local lib=$1 tag=$2 name=$3 times=()
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N)
        LD_PRELOAD=$lib bash -c "${command[$name]}" >"out.$tag" 2>"err.$tag" || {
            echo "preload_programs.sh: $name failed under ${tag}:" >&2; cat "err.$tag" >&2; exit 1; }
        t1=$(date +%s%N)
        times+=($((t1 - t0)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v m=$(((runs + 1) / 2)) 'NR == m { print $1 / 1e9 }'
}

for name in python3 sqlite3 gcc xz git; do
    g=$(measure "" glibc "$name")
    a=$(measure "$akuma" akuma "$name")
    m=$(measure "$mimalloc" mimalloc "$name")
    for tag in akuma mimalloc; do
        cmp -s out.glibc "out.$tag" || { echo "preload_programs.sh: $name's output under $tag differs from glibc's" >&2
            diff out.glibc "out.$tag" | head -5 >&2; exit 1; }
    done
    echo "preload,$name,seconds_glibc,$g,s"
    awk -v a="$a" -v g="$g" -v m="$m" -v n="$name" 'BEGIN {
        printf "preload,%s,time_vs_glibc,%.2f,ratio\n", n, a / g
        printf "preload,%s,time_vs_mimalloc,%.2f,ratio\n", n, a / m }'
done
