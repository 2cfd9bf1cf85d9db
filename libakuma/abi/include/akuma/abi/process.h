/*
 * Processes created at run time (idl/kernel.idl, interfaces procctl and
 * process): the states process.status() reports.
 */
#ifndef AKUMA_ABI_PROCESS_H
#define AKUMA_ABI_PROCESS_H

enum ak_proc_state {
    AK_PROC_CREATED = 1,  /* its address space is being built; not started */
    AK_PROC_LIVE    = 2,  /* started: running, runnable or blocked */
    AK_PROC_EXITING = 3,  /* ended; its pager has not yet answered EXIT */
    AK_PROC_ENDED   = 4,  /* ended; its address space and capabilities are gone */
};

/*
 * The power-off statuses the system uses (QEMU's exit status): 0 every
 * program ended as expected, 1 not, 2 a boot image or manifest refused,
 * 3 a kernel panic.  3 is the kernel's alone: power.poweroff(3) is AK_EINVAL.
 */
#define AK_POWEROFF_OK       0u
#define AK_POWEROFF_MISMATCH 1u
#define AK_POWEROFF_REFUSED  2u
#define AK_POWEROFF_PANIC    3u
#define AK_POWEROFF_MAX      255u

#endif /* AKUMA_ABI_PROCESS_H */
