/*
 * <string.h> for programs: the freestanding subset that the kernel,
 * servers and programs share (common/string.h, implemented once in
 * common/string.c).
 */
#ifndef AKUMA_LIBC_STRING_H
#define AKUMA_LIBC_STRING_H

#include <common/string.h>

#endif /* AKUMA_LIBC_STRING_H */
