/*
 * Capability kinds and rights.  A process names a capability by its slot
 * number; the kernel checks slot, kind and rights on every use and answers
 * -AK_EBADF (empty or out-of-range slot), -AK_ENOTSUP (wrong kind) or
 * -AK_EPERM (missing right).
 */
#ifndef AKUMA_ABI_CAPS_H
#define AKUMA_ABI_CAPS_H

#define AK_CAP_SLOTS 128u  /* slots per process: 0 .. AK_CAP_SLOTS-1 */
/* A boot manifest fills slots below this; the boot-info page lists them. */
#define AK_BOOT_CAP_SLOTS 32u
/* "No slot", where an invocation takes an optional one (a process without a pager). */
#define AK_NO_SLOT 0xFFFFFFFFu

enum ak_cap_kind {
    AK_CAP_NONE     = 0,  /* empty slot */
    AK_CAP_ENDPOINT = 1,  /* an IPC endpoint, with a badge */
    AK_CAP_ASPACE   = 2,  /* authority over one process's page tables */
    AK_CAP_PHYSMEM  = 3,  /* authority over a range of physical frames */
    AK_CAP_PROCCTL  = 4,  /* creates processes and endpoints (the root task's) */
    AK_CAP_PROCESS  = 5,  /* one process its holder created: configure, start, destroy */
    AK_CAP_POWER    = 6,  /* ends the system with a status */
    AK_CAP_NOTIFICATION = 7,  /* a notification word, with a badge */
    AK_CAP_DEVICE   = 8,  /* a device's MMIO page, to map (aspace.map_device) */
    AK_CAP_IRQCTL   = 9,  /* claims interrupt lines (the root task's) */
    AK_CAP_IRQ      = 10, /* one claimed line: bind it to a notification, acknowledge it */
    AK_CAP_REPLY    = 11, /* the right to answer one waiting caller, once (save_reply) */
};
#define AK_CAP_KINDS 12u  /* kinds are 1 .. AK_CAP_KINDS-1 */

/*
 * By convention, slot 1 of every program a vmm serves holds its endpoint
 * to that vmm: libakuma's mmap() calls it there.
 */
#define AK_SLOT_VMM 1u

/* Rights, a bit mask. */
#define AK_RIGHT_SEND  1u  /* endpoint: send and call; notification: signal */
#define AK_RIGHT_RECV  2u  /* endpoint: receive; notification: wait, poll, bind */
#define AK_RIGHT_WRITE 4u  /* aspace: map, unmap, supply tables; physmem: hand out frames, split;
                              procctl, process, power, device, irqctl, irq: every invocation */
#define AK_RIGHTS_ALL  (AK_RIGHT_SEND | AK_RIGHT_RECV | AK_RIGHT_WRITE)

#endif /* AKUMA_ABI_CAPS_H */
