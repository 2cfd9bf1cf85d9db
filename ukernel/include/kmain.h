/*
 * The portable kernel's entry, called by the arch boot code on the boot
 * stack with the MMU on.  dtb_pa is the device tree's physical address as
 * the boot loader passed it (0 if none).
 */
#ifndef KERNEL_KMAIN_H
#define KERNEL_KMAIN_H

#include "types.h"

_Noreturn void kmain(paddr_t dtb_pa);

#endif /* KERNEL_KMAIN_H */
