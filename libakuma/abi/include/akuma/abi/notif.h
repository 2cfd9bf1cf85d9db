/*
 * Notifications and time (DESIGN.md 10): the message a bound notification
 * delivers to a thread blocked in `recv`, and the limits of timeouts.
 *
 * A notification is a word of bits.  `signal` ORs the badge of the
 * capability used (1 for an unbadged one) into it; `wait` blocks until it
 * is non-zero, then returns it (x0) and clears it; `poll` returns it (or 0)
 * without blocking.  A thread may bind one notification: its `recv` on any
 * endpoint then also returns when the notification is signalled, with the
 * badge AK_NOTIFY_BADGE (which no capability can carry, so no process can
 * forge it), label AK_NOTIFY_LABEL and the bits in word 0.
 */
#ifndef AKUMA_ABI_NOTIF_H
#define AKUMA_ABI_NOTIF_H

#include <akuma/abi/pager.h>

#define AK_NOTIFY_BADGE  AK_PAGER_BADGE_BIT   /* the kernel's own bit */
#define AK_NOTIFY_LABEL  UINT64_C(0xA0010)    /* words: the notification's bits */
#define AK_NOTIFY_WORDS  1u

/* Longest timeout or sleep, in milliseconds (about 49 days); 0 means none. */
#define AK_TIMEOUT_MAX_MS UINT64_C(0xFFFFFFFF)

#endif /* AKUMA_ABI_NOTIF_H */
