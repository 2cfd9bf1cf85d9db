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

/* No thread can run: report and halt.  Never returns. */
_Noreturn void proc_system_end(void);

#endif /* UKERNEL_PROCESS_H */
