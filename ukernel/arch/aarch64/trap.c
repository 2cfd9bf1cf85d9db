/*
 * Exception handling in C.  Exceptions from EL1 are kernel bugs: they
 * print a full report (class decoded from ESR, FAR, ELR with its symbol,
 * SPSR, every register) and halt with HALT_PANIC.  Exceptions from EL0
 * go to the portable kernel: system calls, faults, interrupts.
 */
#include <ukernel/arch/cpu.h>
#include <ukernel/arch/esr.h>
#include <ukernel/arch/regs.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/halt.h>
#include <ukernel/klog.h>
#include <ukernel/kprintf.h>
#include <ukernel/ksyms.h>

static const char *const el1_kinds[] = {
    "synchronous exception",  /* KIND_EL1_SYNC */
    "IRQ",                    /* KIND_EL1_IRQ: the kernel runs masked */
    "FIQ",
    "SError",
    "exception on SP_EL0",
    "FIQ from EL0",
    "SError from EL0",
    "exception from AArch32",
};

static void print_addr(const char *label, uint64_t addr)
{
    uint64_t off;
    const char *sym = ksym_lookup(addr, &off);
    if (sym)
        kprintf("  %-4s 0x%016lx <%s+0x%lx>\n", label, addr, sym, off);
    else
        kprintf("  %-4s 0x%016lx\n", label, addr);
}

_Noreturn void trap_el1(arch_regs_t *regs, uint64_t kind)
{
    static int nested;
    if (nested++)
        halt(HALT_PANIC); /* a fault while reporting a fault: just stop */

    uint64_t esr = sysreg_read(esr_el1);
    uint64_t far = sysreg_read(far_el1);
    const char *what = kind < sizeof el1_kinds / sizeof el1_kinds[0] ? el1_kinds[kind] : "?";

    klog_flush(); /* the lines a console had not taken, then the report, polled */
    kprintf("\n[kernel] PANIC: %s in the kernel: %s\n", what, esr_class_name(esr));
    char fs[64];
    const char *status = esr_fault_status(esr, fs, sizeof fs);
    kprintf("  ESR  0x%08lx  EC 0x%02lx IL %lu ISS 0x%07lx%s%s\n", esr,
            (esr >> ESR_EC_SHIFT) & ESR_EC_MASK, (esr & ESR_IL) ? 1ul : 0ul, esr & ESR_ISS_MASK,
            status ? "  " : "", status ? status : "");
    kprintf("  FAR  0x%016lx\n", far);
    print_addr("ELR", regs->elr);
    print_addr("LR", regs->x[30]);
    kprintf("  SPSR 0x%08lx  SP 0x%016lx\n", regs->spsr, (uint64_t)(uintptr_t)(regs + 1));
    for (int i = 0; i < 30; i += 3)
        kprintf("  x%-2d 0x%016lx  x%-2d 0x%016lx  x%-2d 0x%016lx\n", i, regs->x[i], i + 1,
                regs->x[i + 1], i + 2, regs->x[i + 2]);
    kprintf("  x30 0x%016lx\n", regs->x[30]);
    halt(HALT_PANIC);
}
