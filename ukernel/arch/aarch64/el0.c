/*
 * Exceptions from EL0: system calls, faults and interrupts (entry.S sorts
 * them).  The frame is current's saved registers; each path returns the
 * frame to resume: the fastpath's, or sched_return()'s choice.
 */
#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>
#include <ukernel/arch/cpu.h>
#include <ukernel/arch/regs.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/clock.h>
#include <ukernel/process.h>
#include <ukernel/sched.h>
#include <ukernel/syscall.h>

#define REG_SYSNO 7

/* A system call the fastpath (tried first by entry.S) did not take. */
arch_regs_t *trap_el0_svc(arch_regs_t *regs, uint64_t number)
{
    thread_t *t = (thread_t *)regs; /* the frame is current's, first in thread_t */
    syscall_dispatch(t, number);
    return sched_return();
}

arch_regs_t *trap_el0_sync(arch_regs_t *regs, uint64_t esr)
{
    thread_t *t = (thread_t *)regs;
    unsigned ec = (unsigned)((esr >> ESR_EC_SHIFT) & ESR_EC_MASK);
    uint64_t far = sysreg_read(far_el1), access = 0;
    if (ec == EC_DABT_LOWER)
        access = (esr & ESR_ISS_WNR) ? AK_ACCESS_WRITE : AK_ACCESS_READ;
    else if (ec == EC_IABT_LOWER)
        access = AK_ACCESS_EXEC;
    else
        far = regs->elr; /* no fault address: report the instruction's */
    proc_fault(t, far, esr, regs->elr, access);
    return sched_return();
}

arch_regs_t *trap_el0_irq(arch_regs_t *regs)
{
    (void)regs;
    if (irq_poll())
        sched_tick();
    return sched_return();
}
