/*
 * Small inline accessors for system registers and barriers.
 */
#ifndef UKERNEL_ARCH_CPU_H
#define UKERNEL_ARCH_CPU_H

#include <stdint.h>

#define sysreg_read(name) ({                                \
    uint64_t v_;                                            \
    __asm__ volatile("mrs %0, " #name : "=r"(v_));          \
    v_; })

#define sysreg_write(name, v) \
    __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }

/* Waits for an interrupt with interrupts masked: a pending one still wakes. */
static inline void cpu_wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

#endif /* UKERNEL_ARCH_CPU_H */
