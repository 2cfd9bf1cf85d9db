/*
 * Reading the clocks a program may read directly, without a system call:
 * the generic timer's virtual counter (host time under QEMU) and the PMU
 * cycle counter, which under QEMU -icount counts guest instructions
 * exactly.  The kernel grants EL0 access to both at boot.
 */
#ifndef AKUMA_COUNTER_H
#define AKUMA_COUNTER_H

#include <stdint.h>

/* The virtual counter, in ticks of ak_counter_freq() Hz. */
static inline uint64_t ak_counter(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
}

static inline uint64_t ak_counter_freq(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
    return v;
}

/* The PMU cycle counter: guest instructions under -icount, else cycles of host time. */
static inline uint64_t ak_instructions(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, pmccntr_el0" : "=r"(v));
    return v;
}

#endif /* AKUMA_COUNTER_H */
