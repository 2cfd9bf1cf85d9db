/*
 * The saved user context of a thread (the "trap frame").  The exception
 * entry code stores it directly into the thread, at the address SP_EL1
 * points just below while the thread runs at EL0, and restores it from
 * the frame the C handler returns.  Offsets are fixed for entry.S.
 */
#ifndef UKERNEL_ARCH_REGS_H
#define UKERNEL_ARCH_REGS_H

#define REGS_X0      0
#define REGS_X30     240
#define REGS_SP_EL0  248
#define REGS_ELR     256
#define REGS_SPSR    264
#define REGS_SIZE    272

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/msginfo.h>

typedef struct arch_regs {
    union {
        uint64_t x[31];
        /* The message a system call carries (abi/msginfo.h): info in x1, words 0..3 in x2..x5. */
        struct {
            uint64_t x0;
            ak_msg_t msg;
        };
    };
    uint64_t sp_el0;
    uint64_t elr;
    uint64_t spsr;
} arch_regs_t;

_Static_assert(offsetof(arch_regs_t, x[30]) == REGS_X30, "frame layout");
_Static_assert(offsetof(arch_regs_t, msg.info) == offsetof(arch_regs_t, x[1]) &&
               offsetof(arch_regs_t, msg.w[3]) == offsetof(arch_regs_t, x[5]), "message registers");
_Static_assert(offsetof(arch_regs_t, sp_el0) == REGS_SP_EL0, "frame layout");
_Static_assert(offsetof(arch_regs_t, elr) == REGS_ELR, "frame layout");
_Static_assert(offsetof(arch_regs_t, spsr) == REGS_SPSR, "frame layout");
_Static_assert(sizeof(arch_regs_t) == REGS_SIZE, "frame layout");

/*
 * C side of the exception entry (trap.c).  Each gets the frame just saved
 * and returns the frame of the thread to resume, which may be another
 * thread's.
 */
arch_regs_t *trap_el0_svc(arch_regs_t *regs, uint64_t number);
arch_regs_t *trap_el0_sync(arch_regs_t *regs, uint64_t esr);
arch_regs_t *trap_el0_irq(arch_regs_t *regs);
_Noreturn void trap_el1(arch_regs_t *regs, uint64_t kind);

/* Restores frame and returns to EL0; never returns. */
_Noreturn void arch_return_to_user(arch_regs_t *frame);
#endif

#endif /* UKERNEL_ARCH_REGS_H */
