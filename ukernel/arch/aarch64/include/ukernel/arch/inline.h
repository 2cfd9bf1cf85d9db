/*
 * The parts of the arch contract (arch.h) that sit on the IPC fastpath
 * and are therefore inline.
 */
#ifndef UKERNEL_ARCH_INLINE_H
#define UKERNEL_ARCH_INLINE_H

#include <stdint.h>

static inline void arch_vspace_activate(uint64_t ttbr)
{
    __asm__ volatile("msr ttbr0_el1, %0" : : "r"(ttbr) : "memory");
}

/* The thread pointer of EL0 (TPIDR_EL0), part of a thread's context. */
static inline uint64_t arch_tls_read(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
    return v;
}

static inline void arch_tls_write(uint64_t v)
{
    __asm__ volatile("msr tpidr_el0, %0" : : "r"(v));
}

#endif /* UKERNEL_ARCH_INLINE_H */
