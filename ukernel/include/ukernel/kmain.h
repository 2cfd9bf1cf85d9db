/*
 * The portable kernel's entry, called by the arch boot code on the boot
 * stack with the MMU on.  dtb_pa is the device tree's physical address as
 * the boot loader passed it (0 if none).
 */
#ifndef UKERNEL_KMAIN_H
#define UKERNEL_KMAIN_H

#include <ukernel/types.h>

_Noreturn void kmain(paddr_t dtb_pa);

#endif /* UKERNEL_KMAIN_H */
