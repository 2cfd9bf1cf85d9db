/*
 * Invocations of kernel objects: a `call` on a slot holding an address-
 * space capability is a request to the kernel itself (idl/kernel.idl),
 * decoded by the generated aspace_dispatch and answered at once, with
 * the caller's registers as the reply.
 */
#ifndef UKERNEL_INVOKE_H
#define UKERNEL_INVOKE_H

#include <ukernel/proc.h>

/*
 * If slot names an address-space capability of t's, performs the
 * invocation in t's registers, replies and returns true; otherwise
 * returns false and changes nothing (the call is IPC).  The capability
 * must carry AK_RIGHT_WRITE (else x0 = -AK_EPERM).  Frames must lie in
 * the range of t's physical-memory capability.
 */
bool invoke_kernel_object(thread_t *t, uint64_t slot);

/*
 * The same for a capability the caller has already found in a slot of
 * t's and checked to be of kind AK_CAP_ASPACE (the fastpath's entry,
 * ipc.h): checks AK_RIGHT_WRITE, performs the invocation and replies.
 * Returns t, the thread to resume.
 */
thread_t *invoke_aspace(thread_t *t, const cap_t *cap);

/*
 * An invocation of the process table, a process, a physical-memory range
 * or the machine (invoke_control.c), on t's slot, which holds one of them:
 * the procctl, process, physmem and power interfaces of idl/kernel.idl.
 * The answer is left in t's registers.
 */
void invoke_control(thread_t *t, uint64_t slot);

#endif /* UKERNEL_INVOKE_H */
