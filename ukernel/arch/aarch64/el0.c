/*
 * Exceptions from EL0: system calls, faults and interrupts.  The frame is
 * current's saved registers; each path ends in sched_return(), which picks
 * the frame to resume.
 */
#include "akuma/abi/errno.h"
#include "akuma/abi/pager.h"
#include "akuma/abi/syscall.h"
#include "arch/cpu.h"
#include "arch/regs.h"
#include "arch/sysreg.h"
#include "clock.h"
#include "process.h"
#include "sched.h"
#include "syscall.h"

#define REG_SYSNO 7

arch_regs_t *trap_el0_sync(arch_regs_t *regs)
{
    uint64_t esr = sysreg_read(esr_el1);
    unsigned ec = (unsigned)((esr >> ESR_EC_SHIFT) & ESR_EC_MASK);
    thread_t *t = current;

    if (ec == EC_SVC64) {
        syscall_dispatch(t, regs->x[REG_SYSNO]);
        return sched_return();
    }
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
