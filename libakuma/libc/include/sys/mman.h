/*
 * mmap, munmap and mprotect: POSIX-shaped calls to the vmm (idl/vmm.idl)
 * on the endpoint in slot AK_SLOT_VMM.  Only private anonymous memory
 * exists; a page gets a zeroed frame when it is first touched, or at once
 * with MAP_POPULATE.  PROT_WRITE alone means read and write, PROT_EXEC
 * alone read and execute, as on Linux.  On failure they set errno
 * (errno.h) and return MAP_FAILED or -1; a failed call changes nothing.
 *
 *   EINVAL  length 0 or past the mmap area, bad flags, a fixed address
 *           outside the mmap area
 *   ENOMEM  no hole large enough, the process's frame quota or the vmm's
 *           frames exhausted, or (mprotect) a page not mapped
 *   EEXIST  MAP_FIXED_NOREPLACE over a mapping
 *   EACCES  writable and executable at once
 *   EPERM   the process has no vmm
 */
#ifndef AKUMA_LIBC_SYS_MMAN_H
#define AKUMA_LIBC_SYS_MMAN_H

#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/mman.h>

#define PROT_NONE  AK_PROT_NONE
#define PROT_READ  AK_PROT_READ
#define PROT_WRITE AK_PROT_WRITE
#define PROT_EXEC  AK_PROT_EXEC

#define MAP_SHARED          AK_MAP_SHARED
#define MAP_PRIVATE         AK_MAP_PRIVATE
#define MAP_FIXED           AK_MAP_FIXED
#define MAP_ANONYMOUS       AK_MAP_ANONYMOUS
#define MAP_ANON            AK_MAP_ANONYMOUS
#define MAP_POPULATE        AK_MAP_POPULATE
#define MAP_FIXED_NOREPLACE AK_MAP_FIXED_NOREPLACE
#define MAP_ALIGNED(n)      ((int)AK_MAP_ALIGNED(n))

#define MAP_FAILED ((void *)-1)

typedef int64_t off_t;

/* fd must be -1 and off 0: there are no files. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

#endif /* AKUMA_LIBC_SYS_MMAN_H */
