#!/bin/sh
# Writes the assembly for the kernel's embedded symbol table (see
# <ukernel/ksyms.h>) from the text symbols of a linked kernel.
# Usage: mksyms.sh NM [KERNEL.elf] > ksyms.S   (no ELF: an empty table)
set -eu
nm=$1
elf=${2:-}
{
    if [ -n "$elf" ]; then
        "$nm" -n --defined-only "$elf" | awk '$2 == "t" || $2 == "T" { print $1, $3 }'
    fi
} | awk '
BEGIN { n = 0; off = 0 }
{ addr[n] = $1; name[n] = $2; noff[n] = off; off += length($2) + 1; n++ }
END {
    print "    .section .ksyms, \"a\""
    print "    .balign 8"
    print "    .global ksyms_table"
    print "ksyms_table:"
    printf "    .quad %d\n", n
    print "    .quad ksyms_names - ksyms_table"
    for (i = 0; i < n; i++)
        printf "    .quad 0x%s, %d\n", addr[i], noff[i]
    print "ksyms_names:"
    for (i = 0; i < n; i++)
        printf "    .asciz \"%s\"\n", name[i]
}'
