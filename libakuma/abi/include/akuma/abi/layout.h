/*
 * The user virtual address layout, the same in every process.
 *
 * Each process has a 39-bit address space through TTBR0 (3 levels of 4 KiB
 * tables).  The bounds of the mmap area reproduce the seed system's layout:
 * from 256 MiB up to 1 MiB below the bottom of the stack, 196,320 pages,
 * which is where the pre-fix bump allocator ran out.  A vmm chooses its own
 * limits inside [AK_USER_MMAP_MIN, AK_USER_MMAP_MAX).
 *
 *   0x0000_0000 .. 0x000F_FFFF  never mapped (null pointer guard)
 *   AK_BOOTINFO_VA              boot-info page, read-only
 *   AK_IPCBUF_VA                IPC buffer of the first thread
 *   AK_USER_IMAGE_MIN ..        program segments (ELF PT_LOAD)
 *   AK_USER_MMAP_MIN .. MAX     the mmap area
 *   1 MiB gap, then the stack guard page and the stack, ending at
 *   AK_USER_STACK_TOP
 */
#ifndef AKUMA_ABI_LAYOUT_H
#define AKUMA_ABI_LAYOUT_H

#include <stdint.h>

#define AK_PAGE_SHIFT 12u
#define AK_PAGE_SIZE  (UINT64_C(1) << AK_PAGE_SHIFT)

#define AK_USER_VA_BITS   39u
#define AK_USER_VA_END    (UINT64_C(1) << AK_USER_VA_BITS)

#define AK_BOOTINFO_VA    UINT64_C(0x00100000)
#define AK_IPCBUF_VA      UINT64_C(0x00101000)

/* Where device pages are mapped (aspace.map_device), and nothing else. */
#define AK_DEVICE_VA_MIN  UINT64_C(0x00200000)
#define AK_DEVICE_VA_MAX  UINT64_C(0x00400000)

#define AK_USER_IMAGE_MIN UINT64_C(0x00400000)
#define AK_USER_IMAGE_MAX UINT64_C(0x10000000)

#define AK_USER_STACK_TOP   UINT64_C(0x40000000)
#define AK_USER_STACK_SIZE  UINT64_C(0x00020000)  /* 128 KiB */
#define AK_USER_STACK_BOTTOM (AK_USER_STACK_TOP - AK_USER_STACK_SIZE)
#define AK_USER_STACK_GUARD (AK_USER_STACK_BOTTOM - AK_PAGE_SIZE)

#define AK_USER_MMAP_MIN  UINT64_C(0x10000000)
#define AK_USER_MMAP_MAX  (AK_USER_STACK_BOTTOM - UINT64_C(0x00100000))

_Static_assert(AK_USER_MMAP_MAX == UINT64_C(0x3FEE0000), "seed layout");
_Static_assert((AK_USER_MMAP_MAX - AK_USER_MMAP_MIN) / AK_PAGE_SIZE == 196320, "seed page budget");

#endif /* AKUMA_ABI_LAYOUT_H */
