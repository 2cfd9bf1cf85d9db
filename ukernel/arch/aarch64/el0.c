/*
 * Exceptions from EL0.  No process runs yet in this kernel, so reaching
 * these is a kernel bug.
 */
#include "arch/regs.h"
#include "kprintf.h"

arch_regs_t *trap_el0_sync(arch_regs_t *regs)
{
    panic("exception from EL0 at 0x%lx but no process exists", regs->elr);
}

arch_regs_t *trap_el0_irq(arch_regs_t *regs)
{
    panic("interrupt from EL0 at 0x%lx but no process exists", regs->elr);
}
