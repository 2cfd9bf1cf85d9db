/*
 * The boot-info page: read-only, mapped at AK_BOOTINFO_VA in every
 * process by its creator.  It tells a process who it is and which
 * capabilities its slots hold; a pager's page also lists the physical
 * memory it owns and every process it serves.  init's carries the boot
 * arguments (QEMU's -append, the device tree's /chosen/bootargs), and init
 * copies them into the page of every program of the manifest; a program
 * spawned at run time (proc.idl) gets "".
 * Arguments and environment are on the initial stack (abi/start.h).
 */
#ifndef AKUMA_ABI_BOOTINFO_H
#define AKUMA_ABI_BOOTINFO_H

#include <stdint.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/layout.h>

#define AK_BOOTINFO_MAGIC   UINT64_C(0x4F464E49424B41)  /* "AKBINFO" */
#define AK_BOOTINFO_VERSION 2u
#define AK_NAME_MAX         16u   /* bytes, including the NUL */
#define AK_ARGS_MAX         256u  /* a manifest's argument string: bytes, including the NUL */
#define AK_BOOTINFO_PROCS   16u
#define AK_BOOTINFO_MEMS    8u
#define AK_BOOTARGS_MAX     256u  /* init's boot arguments: bytes, including the NUL */

typedef struct ak_bootinfo_cap {
    uint32_t slot;
    uint32_t kind;     /* enum ak_cap_kind */
    uint32_t rights;   /* AK_RIGHT_* */
    uint32_t target;   /* endpoint number, or pid of an aspace */
    uint64_t badge;    /* endpoints: the badge the receiver sees */
} ak_bootinfo_cap_t;

typedef struct ak_bootinfo_proc {
    uint32_t pid;
    uint32_t aspace_slot;  /* the pager's slot for its address space, or UINT32_MAX */
    uint64_t badge;        /* the badge it uses on the pager's endpoint, or 0 */
    char name[AK_NAME_MAX];
} ak_bootinfo_proc_t;

typedef struct ak_bootinfo_mem {
    uint64_t base;         /* physical, page-aligned */
    uint64_t size;         /* bytes, page multiple */
    uint32_t physmem_slot; /* the capability covering it */
    uint32_t reserved;
} ak_bootinfo_mem_t;

typedef struct ak_bootinfo {
    uint64_t magic;        /* AK_BOOTINFO_MAGIC */
    uint32_t version;      /* AK_BOOTINFO_VERSION */
    uint32_t pid;
    char name[AK_NAME_MAX];
    uint32_t ncaps, nprocs, nmems, reserved;
    ak_bootinfo_cap_t caps[AK_BOOT_CAP_SLOTS]; /* the manifest's, slots below AK_BOOT_CAP_SLOTS */
    ak_bootinfo_proc_t procs[AK_BOOTINFO_PROCS];
    ak_bootinfo_mem_t mems[AK_BOOTINFO_MEMS];
    char bootargs[AK_BOOTARGS_MAX]; /* the boot arguments: printable, NUL-terminated ("" for none) in init's
                                       and the manifest's programs'; "" in spawned ones' */
} ak_bootinfo_t;

_Static_assert(sizeof(ak_bootinfo_t) <= AK_PAGE_SIZE, "boot info fits its page");

#endif /* AKUMA_ABI_BOOTINFO_H */
