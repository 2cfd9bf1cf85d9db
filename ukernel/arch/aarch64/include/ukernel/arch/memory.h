/*
 * The kernel's view of memory on AArch64.
 *
 * Translation: 4 KiB granule, 39-bit virtual addresses, three levels.
 * TTBR1 maps all physical memory linearly at KERNEL_VA_BASE + pa (the
 * "physmap"); the kernel image is linked at its physmap address, so one
 * offset converts every kernel pointer.  TTBR0 belongs to the current
 * process.
 */
#ifndef UKERNEL_ARCH_MEMORY_H
#define UKERNEL_ARCH_MEMORY_H

#include <ukernel/types.h>

#define KERNEL_VA_BASE UINT64_C(0xFFFFFF8000000000)

static inline void *phys_to_virt(paddr_t pa)
{
    return (void *)(uintptr_t)(pa + KERNEL_VA_BASE);
}

static inline paddr_t virt_to_phys(const void *va)
{
    return (paddr_t)(uintptr_t)va - KERNEL_VA_BASE;
}

/* Linker-script symbols: the kernel image in its physmap addresses. */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __data_start[]; /* page aligned: where the permissions change */
extern char __bss_start[], __bss_end[];

#endif /* UKERNEL_ARCH_MEMORY_H */
