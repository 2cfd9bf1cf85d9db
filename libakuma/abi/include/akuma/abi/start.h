/*
 * How a program starts: the initial stack its creator (init) writes in the
 * top page of the stack, laid out as Linux does for AArch64 (System V
 * ABI).  At sp (16-byte aligned): argc; argc pointers to the arguments and
 * a NULL (argv[0] is the program's name); pointers to "KEY=VALUE" strings
 * and a NULL (the environment); the auxiliary vector, (type, value) pairs
 * ending with AK_AT_NULL.  The strings lie above, in the same page.  So
 * the arguments take nothing from the mmap area or the heap.
 */
#ifndef AKUMA_ABI_START_H
#define AKUMA_ABI_START_H

#include <akuma/abi/layout.h>

#define AK_AT_NULL   0u   /* the auxiliary vector's end */
#define AK_AT_PAGESZ 6u   /* the page size */

/* Bounds of what a creator puts there: all of it fits the stack's top page. */
#define AK_START_ARGV_MAX 64u    /* arguments, argv[0] included */
#define AK_START_ENV_MAX  32u    /* environment strings */

#endif /* AKUMA_ABI_START_H */
