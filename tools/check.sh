#!/bin/sh
# make check: cppcheck and clang-tidy over every C source of every module,
# each with the flags it is built with (compile_commands.json).  Prints
# each finding once and a summary line; exits non-zero on any finding.
# What the tools are told to skip, and why: .clang-tidy and
# tools/cppcheck.supp.
# Usage: check.sh [COMPILE_COMMANDS]   (default compile_commands.json)
set -eu
db=${1:-compile_commands.json}
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for tool in cppcheck clang-tidy; do
    command -v $tool >/dev/null || { echo "check: $tool not found (tools/deps.sh --check installs it)" >&2; exit 1; }
done

# The C sources (assembly has nothing for either tool), once each.
sed -n 's/^ *{"directory": "[^"]*", "file": "\([^"]*\.c\)".*/\1/p' "$db" | sort -u >"$tmp/files"
nfiles=$(wc -l <"$tmp/files")

# cppcheck 2.10 ignores C11's _Noreturn (it then reads past every call to
# a function that does not return) but honours the GNU attribute.
cppcheck --project="$db" --quiet --std=c11 -j "$jobs" \
    --enable=warning,portability,performance --inline-suppr \
    --suppressions-list=tools/cppcheck.supp '-D_Noreturn=__attribute__((noreturn))' \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
    2>"$tmp/cppcheck" >/dev/null || true
grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$tmp/cppcheck" | sed "s|^$PWD/||" | sort -u >"$tmp/cppcheck.found" || true

xargs -P "$jobs" -n 8 clang-tidy -p "$(dirname "$db")" --quiet <"$tmp/files" \
    >"$tmp/tidy" 2>/dev/null || true
grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): ' "$tmp/tidy" | sed "s|^$PWD/||" | sort -u \
    >"$tmp/tidy.found" || true

cat "$tmp/cppcheck.found" "$tmp/tidy.found"
nc=$(wc -l <"$tmp/cppcheck.found")
nt=$(wc -l <"$tmp/tidy.found")
echo "check: $nfiles files; cppcheck $nc findings, clang-tidy $nt findings"
[ "$nc" -eq 0 ] && [ "$nt" -eq 0 ]
