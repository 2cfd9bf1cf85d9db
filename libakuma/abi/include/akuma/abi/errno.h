/*
 * The one table of error numbers, shared by the kernel, the servers,
 * libakuma and the wire.
 *
 * Numbers are Linux's errno values where Linux has the concept, so that the
 * POSIX edge of libakuma passes them through unchanged.  Inside the system
 * an error travels as a positive number in a reply label (DESIGN.md 4.1)
 * and is returned negated by every C function (`-AK_ENOMEM`).  Numbers
 * above 511 are Akuma's own and have no Linux equivalent.
 */
#ifndef AKUMA_ABI_ERRNO_H
#define AKUMA_ABI_ERRNO_H

#define AK_OK          0   /* success; a reply label of 0 */
#define AK_EPERM       1   /* the capability lacks the right for this operation */
#define AK_ENOENT      2   /* no such object (for example an unmapped address) */
#define AK_ESRCH       3   /* no such process */
#define AK_EINTR       4   /* the operation was cut short by the peer going away */
#define AK_EIO         5   /* I/O error */
#define AK_E2BIG       7   /* argument list or message too long */
#define AK_ENOEXEC     8   /* not a valid executable (a damaged or foreign ELF file) */
#define AK_EBADF       9   /* the slot is out of range or holds no capability */
#define AK_EAGAIN     11   /* try again */
#define AK_ENOMEM     12   /* out of memory (frames, bookkeeping or address space) */
#define AK_EACCES     13   /* permission denied by policy (for example W^X) */
#define AK_EFAULT     14   /* bad address: outside the user range, kernel memory */
#define AK_EBUSY      16   /* the resource is in use (for example a mapped frame) */
#define AK_EEXIST     17   /* already exists (for example a mapping at that address) */
#define AK_EINVAL     22   /* invalid argument */
#define AK_ENOSPC     28   /* no space left (a table or a region set is full) */
#define AK_ERANGE     34   /* a value is out of range */
#define AK_ENOSYS     38   /* no such system call, or a message label no method has */
#define AK_EBADMSG    74   /* malformed message: wrong length, bad info or a word out of range */
#define AK_EOVERFLOW  75   /* a value does not fit its type */
#define AK_EMSGSIZE   90   /* the message is longer than the ABI allows */
#define AK_ENOTSUP    95   /* the capability is of the wrong kind for this operation */
#define AK_ETIMEDOUT 110   /* a wait or receive reached its deadline */

/*
 * A map needs a translation table that does not exist yet.  The reply's
 * word 0 is the level of the missing table (2 or 3: the level-1 root
 * always exists) and word 1 the virtual address; the caller supplies a
 * zeroed table frame and retries (seL4's "failed lookup").
 */
#define AK_ENOTABLE  512

/* Largest error number; labels above it are method numbers, never errors. */
#define AK_ERRNO_MAX 4095

#endif /* AKUMA_ABI_ERRNO_H */
