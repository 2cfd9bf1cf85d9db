/*
 * Messages the kernel originates (DESIGN.md 4.1).
 *
 * A thread "calls" its pager implicitly: before its process's first
 * instruction (START), when it faults (FAULT) and when its process ends
 * (EXIT).  The badge of such a message is `pid | AK_PAGER_BADGE_BIT`; no
 * manifest can grant a badge with that bit, so no process can forge one.
 * A reply with label 0 resumes the thread; any other label kills it.
 */
#ifndef AKUMA_ABI_PAGER_H
#define AKUMA_ABI_PAGER_H

#include <stdint.h>

#define AK_PAGER_BADGE_BIT (UINT64_C(1) << 62)

/* Labels, far above any method number an interface would pick by hand. */
#define AK_PAGER_START UINT64_C(0xA0001)  /* words: pid */
#define AK_PAGER_FAULT UINT64_C(0xA0002)  /* words: FAR, ESR, ELR, access */
#define AK_PAGER_EXIT  UINT64_C(0xA0003)  /* words: pid, status (AK_EXIT_KILLED if killed) */

#define AK_PAGER_START_WORDS 1u
#define AK_PAGER_FAULT_WORDS 4u
#define AK_PAGER_EXIT_WORDS  2u

/* Word indices of a START message. */
#define AK_START_W_PID 0u

/* Word indices of an EXIT message. */
#define AK_EXIT_W_PID    0u
#define AK_EXIT_W_STATUS 1u

/* Word indices of a FAULT message. */
#define AK_FAULT_W_FAR    0u
#define AK_FAULT_W_ESR    1u
#define AK_FAULT_W_ELR    2u
#define AK_FAULT_W_ACCESS 3u

/* The access that faulted (word AK_FAULT_W_ACCESS). */
#define AK_ACCESS_READ  1u
#define AK_ACCESS_WRITE 2u
#define AK_ACCESS_EXEC  4u

/*
 * The status word of EXIT: the program's exit status, a 32-bit int
 * sign-extended to 64 bits, or AK_EXIT_KILLED, which no sign-extended
 * 32-bit value can be, for a process that was killed.
 */
#define AK_EXIT_KILLED  (UINT64_C(1) << 32)

#endif /* AKUMA_ABI_PAGER_H */
