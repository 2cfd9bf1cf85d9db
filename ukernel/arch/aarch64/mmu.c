/*
 * Switching the user address space (TTBR0).  The boot code leaves TTBR0
 * walks off (TCR_EL1.EPD0) until the first process runs.  The kernel
 * never reads user memory, so a TTBR0 write needs no barrier of its own:
 * the exception return that follows is context-synchronising.
 */
#include "arch.h"
#include "arch/cpu.h"
#include "arch/sysreg.h"

void arch_vspace_enable(void)
{
    sysreg_write(tcr_el1, sysreg_read(tcr_el1) & ~TCR_EPD0);
    isb();
}
