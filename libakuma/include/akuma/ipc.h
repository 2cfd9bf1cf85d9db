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

#endif /* AKUMA_IPC_H */
