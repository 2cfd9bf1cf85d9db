/*
 * The message-info word and the register convention of a message
 * (DESIGN.md 4.1).
 *
 *   bits [6:0]   length in words, 0..AK_MSG_MAX_WORDS
 *   bits [11:7]  zero (a message with any of them set is malformed)
 *   bits [63:12] label: the method of a request, the result of a reply
 *
 * Words 0..3 travel in x2..x5.  Word i >= 4 travels in the sender's IPC
 * buffer at words[i] and arrives in the receiver's IPC buffer at the same
 * index; words[0..3] of the buffer are never read or written by the kernel.
 */
#ifndef AKUMA_ABI_MSGINFO_H
#define AKUMA_ABI_MSGINFO_H

#include <stdint.h>

#define AK_MSG_MAX_WORDS   64u  /* longest message, in 64-bit words */
#define AK_MSG_REG_WORDS    4u  /* words carried in registers (x2..x5) */

#define AK_MSGINFO_LEN_BITS    7u
#define AK_MSGINFO_LEN_MASK    ((UINT64_C(1) << AK_MSGINFO_LEN_BITS) - 1u)
#define AK_MSGINFO_ZERO_MASK   UINT64_C(0xf80)   /* bits [11:7] */
#define AK_MSGINFO_LABEL_SHIFT 12u
#define AK_MSGINFO_LABEL_MAX   ((UINT64_C(1) << (64u - AK_MSGINFO_LABEL_SHIFT)) - 1u)

typedef uint64_t ak_msginfo_t;

/* Builds an info word.  Precondition: len <= AK_MSG_MAX_WORDS, label <= AK_MSGINFO_LABEL_MAX. */
static inline ak_msginfo_t ak_msginfo(uint64_t label, uint64_t len)
{
    return (label << AK_MSGINFO_LABEL_SHIFT) | (len & AK_MSGINFO_LEN_MASK);
}

static inline uint64_t ak_msginfo_label(ak_msginfo_t info)
{
    return info >> AK_MSGINFO_LABEL_SHIFT;
}

static inline uint64_t ak_msginfo_len(ak_msginfo_t info)
{
    return info & AK_MSGINFO_LEN_MASK;
}

/* True if the info word is well formed: reserved bits zero, length in range. */
static inline int ak_msginfo_valid(ak_msginfo_t info)
{
    return (info & AK_MSGINFO_ZERO_MASK) == 0 && ak_msginfo_len(info) <= AK_MSG_MAX_WORDS;
}

/*
 * A message as it crosses the trap: the info word and the words carried
 * in registers.  Words 4 and up are in the IPC buffer.
 */
typedef struct ak_msg {
    ak_msginfo_t info;
    uint64_t w[AK_MSG_REG_WORDS];
} ak_msg_t;

/*
 * The per-thread IPC buffer: one page, mapped read-write at AK_IPCBUF_VA
 * at boot and never unmappable.  Message words fill its start; the console
 * syscall reads its bytes from AK_CONSOLE_OFFSET (abi/syscall.h), past them.
 */
typedef struct ak_ipcbuf {
    uint64_t words[AK_MSG_MAX_WORDS];
} ak_ipcbuf_t;

#endif /* AKUMA_ABI_MSGINFO_H */
