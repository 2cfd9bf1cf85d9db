/*
 * Process lifecycle: start, faults, exit, kill, and the end of the system.
 *
 * A process with a pager tells it about its start (START, before the
 * first instruction), each fault (FAULT) and its end (EXIT), as implicit
 * calls (ipc_kernel_call); its address space is destroyed only after the
 * pager answers EXIT.  A process without a pager is killed on its first
 * fault.  The system ends when no thread can run: with status 0 if every
 * program ended as the manifest expected.
 */
#ifndef UKERNEL_PROCESS_H
#define UKERNEL_PROCESS_H

#include <ukernel/proc.h>

/* init holds the power-off capability (the target of its capability). */
extern bool proc_power_holder;

/* init, the root task the kernel starts (bootstrap.c): its end is the system's. */
extern proc_t *proc_root;

/*
 * Could anything wake a blocked thread without another thread running (a
 * deadline, an interrupt bound to a notification)?  While it could, an
 * idle CPU waits for an interrupt instead of ending the system.
 */
bool proc_may_wake(void);

/* sys_exit: ends current's process with status. */
void proc_exit(thread_t *t, int64_t status);

/*
 * A fault of t at EL0 (access is AK_ACCESS_*, or 0 for an undefined
 * instruction and the like): goes to the pager, or kills the process.
 */
void proc_fault(thread_t *t, uint64_t far, uint64_t esr, uint64_t elr, uint64_t access);

/* The pager answered t's kernel message with label (0: carry on). */
void proc_kmsg_replied(thread_t *t, uint64_t label);

/* Starts t's process: through its pager's START, or at once. */
void proc_start(proc_t *p);

/*
 * Creates a process for creator (procctl.create, idl/kernel.idl): a free
 * slot, an address space over the frame root, a thread of priority prio
 * with pager (NULL: none; a reference is taken).  Checks everything first
 * and returns 0 with *out set, or -AK_EPERM, -AK_EINVAL, -AK_ENOSPC, or
 * vspace_init's error; a failure changes nothing.
 */
int proc_create(proc_t *creator, paddr_t root, unsigned prio, endpoint_t *pager, proc_t **out);

/* process.configure: 0, -AK_EBUSY, -AK_EINVAL or -AK_ENOENT (see kernel.idl). */
int proc_configure(proc_t *p, vaddr_t entry, vaddr_t sp, const char name[AK_NAME_MAX]);

/*
 * process.destroy, by the process `by`: a process not started is freed at
 * once; a live one ends as killed (its pager hears EXIT) and its slot is
 * freed when it has ended; an ended one is freed.
 */
void proc_destroy(proc_t *p, const proc_t *by);

/*
 * No thread can run: a deadlock, since only init's power-off (or init's
 * end) ends the system.  Reports every thread's state and halts with
 * status 1; never returns.
 */
_Noreturn void proc_system_end(void);

/*
 * process.watch: when p has ended (after its pager's answer to EXIT), n is
 * signalled with bits; replaces an earlier watch.  0, -AK_ESRCH (p ended
 * or free) or -AK_EINVAL (bits 0 or above AK_BADGE_MAX).
 */
int proc_watch(proc_t *p, notification_t *n, uint64_t bits);

#endif /* UKERNEL_PROCESS_H */
