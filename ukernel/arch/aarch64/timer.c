/*
 * The generic timer: the EL1 physical timer gives the scheduler tick.
 * The counter frequency is read from CNTFRQ_EL0 (62.5 MHz on QEMU 7.2),
 * never assumed.
 */
#include <ukernel/arch.h>
#include <ukernel/arch/cpu.h>
#include <ukernel/arch/sysreg.h>

static uint64_t tick_interval;

uint64_t arch_counter_freq(void)
{
    return sysreg_read(cntfrq_el0);
}

uint64_t arch_counter(void)
{
    isb();
    return sysreg_read(cntpct_el0);
}

void arch_timer_start(unsigned hz)
{
    tick_interval = arch_counter_freq() / hz;
    sysreg_write(cntp_tval_el0, tick_interval);
    sysreg_write(cntp_ctl_el0, CNT_CTL_ENABLE);
    isb();
}

void arch_timer_rearm(void)
{
    sysreg_write(cntp_tval_el0, tick_interval);
    isb();
}

void arch_pmu_init(void)
{
    sysreg_write(cntkctl_el1, CNTKCTL_EL0VCTEN);
    sysreg_write(pmccfiltr_el0, 0);
    sysreg_write(pmcr_el0, PMCR_E | PMCR_C | PMCR_LC);
    sysreg_write(pmcntenset_el0, PMCNTEN_C);
    sysreg_write(pmuserenr_el0, PMUSERENR_CR); /* read the cycle counter; write nothing */
    isb();
}

void arch_idle(void)
{
    cpu_wait_for_interrupt();
}

const char *arch_name(void)
{
    return "aarch64";
}
