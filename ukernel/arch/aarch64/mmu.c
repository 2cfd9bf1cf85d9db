/*
 * Switching the user address space (TTBR0).  The boot code leaves TTBR0
 * walks off (TCR_EL1.EPD0) until the first process runs.
 */
#include "arch.h"
#include "arch/cpu.h"
#include "arch/sysreg.h"
#include "pt.h"

void arch_vspace_activate(paddr_t root, unsigned asid)
{
    static bool walks_on;
    sysreg_write(ttbr0_el1, pt_ttbr(root, asid));
    if (!walks_on) {
        sysreg_write(tcr_el1, sysreg_read(tcr_el1) & ~TCR_EPD0);
        walks_on = true;
    }
    isb();
}
