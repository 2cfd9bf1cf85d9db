/*
 * Memory protection and mapping flags, numbered as Linux's so that the
 * POSIX edge passes them through.  MAP_ALIGNED(n) asks for 2^n alignment,
 * as NetBSD's does, carried in the high byte of the flags.
 */
#ifndef AKUMA_ABI_MMAN_H
#define AKUMA_ABI_MMAN_H

#define AK_PROT_NONE  0x0u
#define AK_PROT_READ  0x1u
#define AK_PROT_WRITE 0x2u
#define AK_PROT_EXEC  0x4u

#define AK_MAP_SHARED    0x01u
#define AK_MAP_PRIVATE   0x02u
#define AK_MAP_FIXED     0x10u
#define AK_MAP_ANONYMOUS 0x20u
#define AK_MAP_POPULATE  0x8000u   /* map every page at once instead of on first touch */
#define AK_MAP_FIXED_NOREPLACE 0x100000u

#define AK_MAP_ALIGNMENT_SHIFT 24u
#define AK_MAP_ALIGNMENT_MASK  (0xFFu << AK_MAP_ALIGNMENT_SHIFT)
#define AK_MAP_ALIGNED(n)      ((unsigned)(n) << AK_MAP_ALIGNMENT_SHIFT)

/*
 * The most pages one range invocation of an address space maps or takes
 * (idl/kernel.idl aspace map_range, take_range): their frames fill the
 * message words after the fixed ones (3 + 60 <= 64).
 */
#define AK_ASPACE_RANGE_MAX 60u

#endif /* AKUMA_ABI_MMAN_H */
