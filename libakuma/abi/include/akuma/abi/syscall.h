/*
 * System call numbers and the trap convention (DESIGN.md 4.1).
 *
 * Usable from assembly.  Trap with `svc #0`, the number in x7.  In: x0 a capability slot (where
 * the call takes one), x1 the message info, x2..x5 message words 0..3.
 * Out: x0 >= 0 is the badge of the sender (0 for a reply to `call`),
 * x0 < 0 a negated AK_E* error; x1 the received message info, x2..x5
 * words 0..3.  Registers other than x0..x5 are preserved.
 */
#ifndef AKUMA_ABI_SYSCALL_H
#define AKUMA_ABI_SYSCALL_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define AK_SYS_NULL       0  /* does nothing; returns 0 (measures the trap) */
#define AK_SYS_CALL       1  /* send on slot x0, then wait for the reply */
#define AK_SYS_REPLY_RECV 2  /* reply to the last caller, then receive on slot x0 */
#define AK_SYS_SEND       3  /* send on slot x0; blocks until a receiver takes it */
#define AK_SYS_RECV       4  /* receive on slot x0 */
#define AK_SYS_YIELD      5  /* give up the rest of the time slice */
#define AK_SYS_EXIT       6  /* end the process with status x0; never returns */
#define AK_SYS_CONSOLE    7  /* write x1 bytes (<= AK_CONSOLE_MAX) from the console area */
#define AK_SYS_REPLY      8  /* reply to the last caller and go on (-AK_ENOENT if none waits) */
#define AK_SYS_DROP       9  /* empty the caller's own slot x0 (-AK_EBADF if empty or out of range) */
#define AK_SYS_SIGNAL    10  /* signal the notification in slot x0 (send right) */
#define AK_SYS_WAIT      11  /* wait on the notification in slot x0 (recv right), x1 ms (0: no limit) */
#define AK_SYS_POLL      12  /* the notification's bits in slot x0 (recv right), or 0; never blocks */
#define AK_SYS_BIND      13  /* bind the notification in slot x0 (recv right) to the caller; AK_NO_SLOT unbinds */
#define AK_SYS_RECV_TIMED 14 /* recv on slot x0 for at most x1 ms (0: no limit) */
#define AK_SYS_SLEEP     15  /* sleep x0 ms (at most AK_TIMEOUT_MAX_MS) */
#define AK_SYS_SIGNAL_WAIT 16 /* signal slot x0 (send), then wait on slot x1 (recv): one round of a ping-pong */
#define AK_SYS_SAVE_REPLY 17 /* keep the right to answer the current caller, in the empty slot x0 */
#define AK_SYS_REPLY_TO  18  /* answer through the reply capability in slot x0 (x1 info, words), once */
#define AK_SYS_COUNT     19

/*
 * Longest console write; one write is never interleaved with another.
 * The bytes are at AK_CONSOLE_OFFSET in the IPC buffer's page, clear of
 * the message words.
 */
#define AK_CONSOLE_MAX    256
#define AK_CONSOLE_OFFSET 2048

#ifndef __ASSEMBLER__
/* Badges are below 2^62; the bit above is reserved for kernel messages. */
#define AK_BADGE_MAX ((UINT64_C(1) << 62) - 1u)
#endif

#endif /* AKUMA_ABI_SYSCALL_H */
