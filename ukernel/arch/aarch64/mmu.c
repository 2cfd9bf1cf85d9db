/*
 * Switching the user address space (TTBR0).  The boot code leaves TTBR0
 * walks off (TCR_EL1.EPD0) until the first process runs.  The kernel
 * never reads user memory, so a TTBR0 write needs no barrier of its own:
 * the exception return that follows is context-synchronising.
 *
 * When no process's tables may be walked (before the first process, and
 * while an address space is torn down) TTBR0 holds an empty table with
 * ASID 0, which no process uses: even a speculative walk finds nothing.
 */
#include <ukernel/arch.h>
#include <ukernel/arch/cpu.h>
#include <ukernel/arch/memory.h>
#include <ukernel/arch/sysreg.h>

static uint64_t empty_l1[PAGE_SIZE / sizeof(uint64_t)] __attribute__((aligned(PAGE_SIZE)));

void arch_vspace_idle(void)
{
    sysreg_write(ttbr0_el1, virt_to_phys(empty_l1));
    isb();
}

void arch_vspace_enable(void)
{
    arch_vspace_idle();
    sysreg_write(tcr_el1, sysreg_read(tcr_el1) & ~TCR_EPD0);
    isb();
}
