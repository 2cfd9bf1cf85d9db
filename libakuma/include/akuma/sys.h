/*
 * System calls other than IPC (akuma/ipc.h), and the process's view of
 * itself.  Trap wrappers live in arch/aarch64/syscall.S.
 */
#ifndef AKUMA_SYS_H
#define AKUMA_SYS_H

#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/bootinfo.h>

/* Does nothing in the kernel; returns 0.  Measures the cost of a trap. */
int64_t ak_sys_null(void);

/* Gives up the rest of the time slice; returns 0. */
int64_t ak_yield(void);

/*
 * Ends the process at once with status (as an int: the kernel keeps the
 * low 32 bits); never returns.  exit() flushes output first.
 */
_Noreturn void ak_exit(int64_t status);

/*
 * Writes n bytes to the console atomically: no other process's output
 * appears inside them.  Longer output is split into AK_CONSOLE_MAX
 * pieces.  Returns 0 or a negated AK_E* error.
 */
int ak_console_write(const char *s, size_t n);

/* The raw console trap: writes n bytes already at AK_CONSOLE_OFFSET in the IPC buffer page. */
int64_t ak_sys_console(uint64_t unused, uint64_t n);

/*
 * Traps with x0..x5 as given and number in x7, returns x0.  For tests
 * that must send the kernel garbage; programs use the typed wrappers.
 */
int64_t ak_sys_raw(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t x4, uint64_t x5,
                   uint64_t number);

/* This process's boot-info page (read-only). */
static inline const ak_bootinfo_t *ak_bootinfo(void)
{
    return (const ak_bootinfo_t *)(uintptr_t)AK_BOOTINFO_VA;
}

/*
 * Finds this process's capability of kind whose target is `target`
 * (any target if target is UINT32_MAX); returns its slot or -AK_ENOENT.
 */
int ak_cap_find(uint32_t kind, uint32_t target);

/* Sleeps at least ms milliseconds (at most AK_TIMEOUT_MAX_MS: else -AK_EINVAL); 0. */
int64_t ak_sleep(uint64_t ms);

/* Empties the caller's own slot: 0, or -AK_EBADF if it is empty or out of range. */
int64_t ak_cap_drop(uint64_t slot);

#endif /* AKUMA_SYS_H */
