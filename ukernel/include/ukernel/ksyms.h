/*
 * The kernel's own symbol table, embedded in the image so that a panic can
 * name the function at an address (QEMU loads no .symtab).  The build
 * links the kernel once, extracts its text symbols with llvm-nm
 * (tools/mksyms.sh) and links again with the table in section .ksyms,
 * which the linker script places last so that no address moves.
 *
 * Layout: a header, `count` entries sorted by address, then the names.
 */
#ifndef UKERNEL_KSYMS_H
#define UKERNEL_KSYMS_H

#include <ukernel/types.h>

typedef struct ksyms_header {
    uint64_t count;
    uint64_t names_offset;   /* from the start of the header */
} ksyms_header_t;

typedef struct ksym {
    uint64_t addr;
    uint64_t name_offset;    /* from the start of the names */
} ksym_t;

/*
 * Returns the name of the function containing addr and its offset in
 * *offset, or NULL if addr is outside the kernel's text.
 */
const char *ksym_lookup(vaddr_t addr, uint64_t *offset);

#endif /* UKERNEL_KSYMS_H */
