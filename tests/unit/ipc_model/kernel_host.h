/*
 * Host stand-ins for what ipc.c, sched.c and process.c call outside
 * themselves (kernel_host.c): the console, halt, address-space
 * destruction, ESR names and the arch accessors.  What they record is
 * here for the tests to read.
 */
#ifndef IPC_MODEL_KERNEL_HOST_H
#define IPC_MODEL_KERNEL_HOST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include <ukernel/proc.h>

/* What TTBR0 holds when no process's address space is active (arch_vspace_idle). */
#define HOST_TTBR_IDLE 0u

/*
 * halt() jumps here with longjmp(host_halt_env, 1) after recording its
 * status in host_halt_status; while host_halt_armed is false a halt fails
 * the running test instead.
 */
extern jmp_buf host_halt_env;
extern bool host_halt_armed;
extern int host_halt_status;

/* Times vspace_destroy() was called on procs[i].vs. */
extern unsigned host_vspace_destroyed[PROC_MAX];

/* Everything kprintf printed since host_reset(), NUL-terminated (truncated if long). */
const char *host_log(void);

/* Forgets the log, the halt status and the destruction counts; TTBR0 and TPIDR_EL0 become 0. */
void host_reset(void);

#endif /* IPC_MODEL_KERNEL_HOST_H */
