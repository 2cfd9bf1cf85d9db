/*
 * Synchronous IPC on endpoints, seL4-style (DESIGN.md 4.1).
 *
 * Each operation acts for `current` with the registers it trapped with
 * (x0 slot, x1 info, x2..x5 words 0..3; words 4+ in its IPC buffer) and
 * leaves the results in the registers of the threads involved.  The badge
 * a receiver sees is the one of the sender's capability, stamped here.
 * Validation comes first: a call that fails changes nothing but x0.
 */
#ifndef UKERNEL_IPC_H
#define UKERNEL_IPC_H

#include <ukernel/proc.h>

/*
 * The system calls.  slot and info are current's x0 and x1.  A thread
 * that received a call answers it with reply_recv before it takes another
 * message: ipc_recv while a caller waits for it is refused (-AK_EBUSY).
 */
void ipc_send(uint64_t slot);
void ipc_call(uint64_t slot);
void ipc_recv(uint64_t slot);
void ipc_reply_recv(uint64_t slot);
/* Answers current's caller and lets current go on; -AK_ENOENT if it has none. */
void ipc_reply(void);

/*
 * Reply capabilities (akuma/ipc.h): save_reply moves current's caller into
 * a capability in the empty slot; reply_to answers through one and deletes
 * it.  A capability names its caller, the caller's pid and the number of
 * the save, so it answers that call only, once.
 */
void ipc_save_reply(uint64_t slot);
void ipc_reply_to(uint64_t slot);

/*
 * server's caller is gone (it was destroyed): server runs on its own
 * scheduling context again, and so do the threads serving it (sched.h).
 */
void ipc_release_caller(thread_t *server);

/* A reply capability of holder goes unused: its caller, if still waiting, gets AK_ESRCH. */
void ipc_reply_cap_dropped(const proc_t *holder, const cap_t *c);

/*
 * Tries the fastpath for system call `number` (AK_SYS_CALL or
 * AK_SYS_REPLY_RECV) of current, self: a message of at most 4 words
 * handed straight to a waiting thread; and a call of at most 4 words on
 * an address-space capability, an invocation (invoke.h), answered at once
 * (current stays).  Returns the thread now current, or NULL, having
 * changed nothing, if the slow path must handle the call.
 */
thread_t *ipc_fastpath(thread_t *self, uint64_t number);

/*
 * t is ending: a caller still waiting for t's reply gets one with label
 * AK_ESRCH (its server is gone) instead of waiting for ever; a caller
 * waiting for a kernel message's answer is killed (via proc_kmsg_replied).
 */
void ipc_abandon_caller(thread_t *t);

/*
 * Makes t call its pager with a kernel message (START, FAULT or EXIT) of
 * `len` words; t blocks until the pager replies, then kmsg_replied() acts
 * on the answer.  t must have a pager and no kernel message in flight.
 */
void ipc_kernel_call(thread_t *t, kmsg_kind_t kind, uint64_t label, const uint64_t *words,
                     unsigned len);

#endif /* UKERNEL_IPC_H */
