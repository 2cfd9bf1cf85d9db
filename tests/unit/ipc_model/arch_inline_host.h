/*
 * Host stand-in for the inline part of the arch contract
 * (<ukernel/arch/inline.h>): TTBR0_EL1 and TPIDR_EL0 are two variables
 * (kernel_host.c) that the tests read to see which address space and
 * which user thread pointer the next return to EL0 would use.
 *
 * The suite compiles every file with `-include` of this header, which
 * defines the real header's include guard first: the kernel's sources
 * keep including <ukernel/arch/inline.h> by its one name, and on the
 * host that include is empty.
 */
#ifndef UKERNEL_ARCH_INLINE_H
#define UKERNEL_ARCH_INLINE_H

#include <stdint.h>

extern uint64_t host_ttbr0;
extern uint64_t host_tpidr_el0;

static inline void arch_vspace_activate(uint64_t ttbr)
{
    host_ttbr0 = ttbr;
}

static inline uint64_t arch_tls_read(void)
{
    return host_tpidr_el0;
}

static inline void arch_tls_write(uint64_t v)
{
    host_tpidr_el0 = v;
}

#endif /* UKERNEL_ARCH_INLINE_H */
