/*
 * The kernel's final map of physical memory, with W^X (kmap.c).
 */
#ifndef UKERNEL_ARCH_KMAP_H
#define UKERNEL_ARCH_KMAP_H

#include <ukernel/types.h>

/*
 * Builds the map in tables of the kernel's .bss and returns the physical
 * address of its root, for TTBR1.  Called once by boot.S in the high half
 * before anything else; boot.S then installs it (kmap_switch).  Panics if
 * the kernel image is too large for the tables set aside.
 */
paddr_t kmap_build(void);

#endif /* UKERNEL_ARCH_KMAP_H */
