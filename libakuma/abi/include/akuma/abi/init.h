/*
 * init, the root task: what the kernel gives it.
 *
 * The kernel starts one program, init (pid 1), from the ELF file the boot
 * archive names, at priority AK_INIT_PRIORITY, with all the initial
 * authority in fixed slots of its capability table, and with a read-only
 * copy of the whole boot archive mapped at AK_ARCHIVE_VA (its size is the
 * archive header's total_size).  Its boot-info page lists these slots, like
 * any process's, and its one physical-memory range: all RAM the kernel did
 * not keep.  init builds every other process from there (servers/init/).
 */
#ifndef AKUMA_ABI_INIT_H
#define AKUMA_ABI_INIT_H

#include <stdint.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/layout.h>

#define AK_INIT_PID      1u
#define AK_INIT_NAME     "init"
#define AK_INIT_PRIORITY 255u   /* the highest: every process it creates may have any priority */

/* init's capability slots. */
#define AK_INIT_SLOT_PROCCTL 1u   /* AK_CAP_PROCCTL */
#define AK_INIT_SLOT_PHYSMEM 2u   /* AK_CAP_PHYSMEM: all RAM the kernel did not keep */
#define AK_INIT_SLOT_ASPACE  3u   /* AK_CAP_ASPACE: its own address space */
#define AK_INIT_SLOT_POWER   4u   /* AK_CAP_POWER */
#define AK_INIT_SLOT_IRQCTL  5u   /* AK_CAP_IRQCTL */
#define AK_INIT_SLOT_DEVICE0 6u   /* AK_CAP_DEVICE: device i of AK_DEVICE_NAMES in slot 6 + i, if present */

/* The devices a manifest may grant, by number (the kernel finds them in the device tree). */
#define AK_DEVICE_NAMES { "pl011" }
#define AK_NDEVICES     1u

/* The first slot init may use for itself. */
#define AK_INIT_SLOT_FIRST_FREE (AK_INIT_SLOT_DEVICE0 + AK_NDEVICES)

/* Where init sees the boot archive, read-only, and the most it may span. */
#define AK_ARCHIVE_VA      UINT64_C(0x0000004000000000)
#define AK_ARCHIVE_MAX     UINT64_C(0x0000000040000000)  /* 1 GiB */

_Static_assert(AK_INIT_SLOT_FIRST_FREE <= AK_BOOT_CAP_SLOTS, "init's slots are boot slots");
_Static_assert(AK_ARCHIVE_VA >= AK_USER_STACK_TOP && AK_ARCHIVE_VA + AK_ARCHIVE_MAX <= AK_USER_VA_END,
               "the archive sits above the stack, inside the user address space");

#endif /* AKUMA_ABI_INIT_H */
