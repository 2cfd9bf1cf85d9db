/*
 * The arch contract: what the portable kernel asks of the CPU
 * architecture (arch/aarch64 for now).
 */
#ifndef UKERNEL_ARCH_H
#define UKERNEL_ARCH_H

#include <ukernel/types.h>

/* Starts the periodic tick at hz; its interrupt is ARCH_TIMER_IRQ. */
void arch_timer_start(unsigned hz);
/* Acknowledges a tick and arms the next one. */
void arch_timer_rearm(void);
/* The free-running counter and its frequency in Hz. */
uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);

/*
 * Enables the PMU cycle counter and lets EL0 read it and the virtual
 * counter (benchmarks, icount, timing in tests).
 */
void arch_pmu_init(void);

/*
 * Inline parts of the contract (<ukernel/arch/inline.h>):
 *
 * void arch_vspace_activate(uint64_t ttbr)
 *     Makes ttbr (pt_ttbr(): a level-1 table and its ASID) the address
 *     space TTBR0 translates.  No TLB maintenance is needed: entries are
 *     tagged with their ASID; the exception return that follows
 *     synchronises the change (the kernel never reads user memory).
 *
 * uint64_t arch_tls_read(void), void arch_tls_write(uint64_t)
 *     The user thread pointer (TPIDR_EL0 on AArch64), which the scheduler
 *     saves and restores when it switches threads.
 */
#include <ukernel/arch/inline.h>

/* Turns TTBR0 walks on, before the first process runs, with the empty table in TTBR0. */
void arch_vspace_enable(void);

/* Points TTBR0 at an empty table (ASID 0), before the active address space is destroyed. */
void arch_vspace_idle(void);

/* Idles until an interrupt is pending (interrupts stay masked). */
void arch_idle(void);

/* The name of the architecture and CPU, for the banner. */
const char *arch_name(void);

#endif /* UKERNEL_ARCH_H */
