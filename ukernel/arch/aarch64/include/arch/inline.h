/*
 * The parts of the arch contract (arch.h) that sit on the IPC fastpath
 * and are therefore inline.
 */
#ifndef ARCH_INLINE_H
#define ARCH_INLINE_H

#include <stdint.h>

static inline void arch_vspace_activate(uint64_t ttbr)
{
    __asm__ volatile("msr ttbr0_el1, %0" : : "r"(ttbr) : "memory");
}

#endif /* ARCH_INLINE_H */
