/*
 * IPC from userspace: thin, out-of-line wrappers around the trap
 * (libakuma/arch/aarch64/syscall.S).  They are real functions so that tests
 * can replace them (contract tests mock ak_ipc_call).
 *
 * Each takes a capability slot and an ak_msg_t: info and words 0..3 go
 * out, and the received info and words 0..3 come back in the same struct.
 * Words 4 and up travel through ak_ipc_buffer().  Each returns the badge
 * of the message received (>= 0; 0 for the reply to a call) or a negated
 * AK_E* error from the kernel, in which case *m is unchanged.
 */
#ifndef AKUMA_IPC_H
#define AKUMA_IPC_H

#include <stdint.h>

#include <akuma/abi/msginfo.h>

/* Sends m on the endpoint in slot and waits for the reply, into m. */
int64_t ak_ipc_call(uint64_t slot, ak_msg_t *m);

/*
 * Replies m to the last caller and returns at once: 0, or -AK_ENOENT if
 * no caller waits for an answer (a server that must go on, such as a
 * process manager answering its child's EXIT).
 */
int64_t ak_ipc_reply(const ak_msg_t *m);

/* Replies m to the last caller (if any), then waits for the next message on slot, into m. */
int64_t ak_ipc_reply_recv(uint64_t slot, ak_msg_t *m);

/* Waits for a message on slot, into m. */
int64_t ak_ipc_recv(uint64_t slot, ak_msg_t *m);

/* Sends m on slot; blocks until a receiver takes it.  Returns 0 or an error. */
int64_t ak_ipc_send(uint64_t slot, const ak_msg_t *m);

/* This thread's IPC buffer. */
ak_ipcbuf_t *ak_ipc_buffer(void);

/*
 * As ak_ipc_recv, for at most ms milliseconds (0: no limit): -AK_ETIMEDOUT
 * when the time runs out first.
 */
int64_t ak_ipc_recv_timed(uint64_t slot, ak_msg_t *m, uint64_t ms);

/*
 * Notifications (abi/notif.h).  ak_signal ORs the capability's badge (1
 * if it has none) into the notification in slot (send right); ak_wait
 * returns its bits (> 0) once it has any and clears them, or -AK_ETIMEDOUT
 * after ms milliseconds (0: no limit); ak_poll returns them, or 0, without
 * blocking; ak_bind makes the notification in slot (recv right) wake the
 * caller's ak_ipc_recv too (AK_NO_SLOT unbinds; -AK_EBUSY if either is
 * bound already).  Errors as for IPC: -AK_EBADF, -AK_ENOTSUP, -AK_EPERM.
 */
int64_t ak_signal(uint64_t slot);
int64_t ak_wait(uint64_t slot, uint64_t ms);
int64_t ak_poll(uint64_t slot);
int64_t ak_bind(uint64_t slot);

/*
 * Signals the notification in signal_slot, then waits on the one in
 * wait_slot (no time limit): one system call for a round of a ping-pong,
 * which takes a fastpath when the other side already waits.  Returns as
 * ak_wait; an error of the signal comes back before anything is done.
 */
int64_t ak_signal_wait(uint64_t signal_slot, uint64_t wait_slot);

/*
 * Reply capabilities: a server that cannot answer its caller now keeps
 * the right to answer it in an empty slot (ak_save_reply) and may then
 * receive other messages; ak_reply_to answers through that slot later,
 * once (the capability goes).  If the capability goes unused (dropped,
 * or its holder ends) the caller gets a reply with label AK_ESRCH; if the
 * caller is gone, ak_reply_to returns -AK_ESRCH.  Errors: -AK_ENOENT (no
 * caller to save), -AK_EBADF, -AK_EEXIST (the slot), -AK_ENOTSUP (not a
 * reply capability), and the message checks of IPC.
 */
int64_t ak_save_reply(uint64_t slot);
int64_t ak_reply_to(uint64_t slot, const ak_msg_t *m);

#endif /* AKUMA_IPC_H */
