/*
 * errno for programs: the POSIX edge.  Inside the system errors are
 * negated AK_E* codes (abi/errno.h), numbered as Linux's; the POSIX-shaped
 * functions of libakuma store the positive number here and return -1 (or
 * MAP_FAILED).  One thread per process for now, so one variable.
 */
#ifndef AKUMA_LIBC_ERRNO_H
#define AKUMA_LIBC_ERRNO_H

#include <akuma/abi/errno.h>

extern int errno;

#define EPERM     AK_EPERM
#define ENOENT    AK_ENOENT
#define ESRCH     AK_ESRCH
#define EINTR     AK_EINTR
#define EIO       AK_EIO
#define E2BIG     AK_E2BIG
#define ENOEXEC   AK_ENOEXEC
#define EBADF     AK_EBADF
#define EAGAIN    AK_EAGAIN
#define ENOMEM    AK_ENOMEM
#define EACCES    AK_EACCES
#define EFAULT    AK_EFAULT
#define EBUSY     AK_EBUSY
#define EEXIST    AK_EEXIST
#define EINVAL    AK_EINVAL
#define ENOSPC    AK_ENOSPC
#define ERANGE    AK_ERANGE
#define ENOSYS    AK_ENOSYS
#define EBADMSG   AK_EBADMSG
#define EOVERFLOW AK_EOVERFLOW
#define EMSGSIZE  AK_EMSGSIZE
#define ENOTSUP   AK_ENOTSUP

#endif /* AKUMA_LIBC_ERRNO_H */
