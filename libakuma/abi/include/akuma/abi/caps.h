/*
 * Capability kinds and rights.  A process names a capability by its slot
 * number; the kernel checks slot, kind and rights on every use and answers
 * -AK_EBADF (empty or out-of-range slot), -AK_ENOTSUP (wrong kind) or
 * -AK_EPERM (missing right).
 */
#ifndef AKUMA_ABI_CAPS_H
#define AKUMA_ABI_CAPS_H

#define AK_CAP_SLOTS 32u   /* slots per process: 0 .. AK_CAP_SLOTS-1 */

enum ak_cap_kind {
    AK_CAP_NONE     = 0,  /* empty slot */
    AK_CAP_ENDPOINT = 1,  /* an IPC endpoint, with a badge */
    AK_CAP_ASPACE   = 2,  /* authority over one process's page tables */
    AK_CAP_PHYSMEM  = 3,  /* authority over a range of physical frames */
};

/*
 * By convention, slot 1 of every program a vmm serves holds its endpoint
 * to that vmm: libakuma's mmap() calls it there.
 */
#define AK_SLOT_VMM 1u

/* Rights, a bit mask. */
#define AK_RIGHT_SEND  1u  /* endpoint: send and call */
#define AK_RIGHT_RECV  2u  /* endpoint: receive */
#define AK_RIGHT_WRITE 4u  /* aspace: map, unmap, supply tables; physmem: hand out frames */
#define AK_RIGHTS_ALL  (AK_RIGHT_SEND | AK_RIGHT_RECV | AK_RIGHT_WRITE)

#endif /* AKUMA_ABI_CAPS_H */
