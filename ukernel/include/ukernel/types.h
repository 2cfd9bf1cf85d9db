/*
 * Basic kernel types.  Virtual and physical addresses and page numbers
 * have distinct names so that a signature says which one it takes.
 */
#ifndef UKERNEL_TYPES_H
#define UKERNEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t vaddr_t;  /* a virtual address (kernel or user) */
typedef uint64_t paddr_t;  /* a physical address */
typedef uint64_t pfn_t;    /* a physical frame number: paddr >> PAGE_SHIFT */

#define PAGE_SHIFT 12u
#define PAGE_SIZE  (UINT64_C(1) << PAGE_SHIFT)
#define PAGE_MASK  (PAGE_SIZE - 1u)

#define ALIGN_UP(x, a)   (((x) + ((a) - 1u)) & ~((uint64_t)(a) - 1u))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1u))
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))

#endif /* UKERNEL_TYPES_H */
