/*
 * In-kernel tests of the boot environment: the MMU set-up, the device
 * tree, the symbol table and the timer.  Translation is checked with the
 * AT instruction, which walks the live tables without faulting.
 */
#include <akuma/abi/errno.h>
#include <common/string.h>
#include <ukernel/arch.h>
#include <ukernel/arch/cpu.h>
#include <ukernel/arch/memory.h>
#include <ukernel/clock.h>
#include <ukernel/fdt.h>
#include <ukernel/ksyms.h>
#include <ukernel/ktest.h>
#include <ukernel/plat.h>
#include <ukernel/plat/virt.h>

#define PAR_F          UINT64_C(1)               /* translation failed */
#define PAR_PA_MASK    UINT64_C(0x0000FFFFFFFFF000)
#define PAR_ATTR_SHIFT 56
#define MAIR_ATTR_DEVICE_nGnRE 0x04u
#define MAIR_ATTR_NORMAL_WB    0xFFu

/* Translates va as an EL1 read; returns PAR_EL1. */
static uint64_t at_s1e1r(uint64_t va)
{
    __asm__ volatile("at s1e1r, %0" : : "r"(va));
    isb();
    return sysreg_read(par_el1);
}

KTEST(kern_el1)
{
    uint64_t el = (sysreg_read(CurrentEL) >> 2) & 3;
    if (el != 1)
        ktest_fail("kern-el1", "running at EL%lu", el);
    else
        ktest_pass("kern-el1");
}

KTEST(kern_high_half)
{
    uint64_t va = (uint64_t)(uintptr_t)&kern_high_half;
    uint64_t par = at_s1e1r(va);
    if (va < KERNEL_VA_BASE)
        ktest_fail("kern-high-half", "kernel text at 0x%lx, below the high half", va);
    else if (par & PAR_F)
        ktest_fail("kern-high-half", "AT failed for 0x%lx: PAR 0x%lx", va, par);
    else if ((par & PAR_PA_MASK) != (virt_to_phys((void *)va) & PAR_PA_MASK))
        ktest_fail("kern-high-half", "0x%lx maps to 0x%lx, not its load address", va,
                   par & PAR_PA_MASK);
    else if ((par >> PAR_ATTR_SHIFT) != MAIR_ATTR_NORMAL_WB)
        ktest_fail("kern-high-half", "kernel text attributes 0x%lx", par >> PAR_ATTR_SHIFT);
    else
        ktest_pass("kern-high-half");
}

KTEST(kern_ttbr0_off)
{
    /* The boot identity map is gone and TTBR0 walks are off until a process runs. */
    uint64_t load_pa = virt_to_phys(__kernel_start);
    uint64_t par = at_s1e1r(load_pa);
    if (!(par & PAR_F))
        ktest_fail("kern-ttbr0-off", "low address 0x%lx still translates: PAR 0x%lx", load_pa, par);
    else
        ktest_pass("kern-ttbr0-off");
}

KTEST(kern_devices_uncached)
{
    uint64_t par = at_s1e1r((uint64_t)(uintptr_t)phys_to_virt(VIRT_UART_PA));
    if (par & PAR_F)
        ktest_fail("kern-devices-uncached", "UART not mapped: PAR 0x%lx", par);
    else if ((par >> PAR_ATTR_SHIFT) != MAIR_ATTR_DEVICE_nGnRE)
        ktest_fail("kern-devices-uncached", "UART attributes 0x%lx, want Device-nGnRE",
                   par >> PAR_ATTR_SHIFT);
    else
        ktest_pass("kern-devices-uncached");
}

KTEST(kern_ram_from_dtb)
{
    paddr_t base;
    uint64_t size;
    /* tools/qemu.sh boots with -m 512M. */
    if (!plat_ram(0, &base, &size))
        ktest_fail("kern-ram-from-dtb", "no memory node found in the device tree");
    else if (base != VIRT_RAM_PA || size != (UINT64_C(512) << 20))
        ktest_fail("kern-ram-from-dtb", "RAM 0x%lx+0x%lx, want 0x40000000+512 MiB", base, size);
    else
        ktest_pass("kern-ram-from-dtb");
}

KTEST(kern_ksyms)
{
    uint64_t off = 0;
    uint64_t addr = (uint64_t)(uintptr_t)&kern_ksyms; /* this function, 4 bytes in */
    const char *name = ksym_lookup(addr + 4, &off);
    if (!name)
        ktest_fail("kern-ksyms", "no symbol for 0x%lx", addr + 4);
    else if (strcmp(name, "kern_ksyms") != 0 || off != 4)
        ktest_fail("kern-ksyms", "0x%lx resolved to %s+0x%lx", addr + 4, name, off);
    else if (ksym_lookup(UINT64_C(0x1000), &off) != NULL)
        ktest_fail("kern-ksyms", "an address outside the kernel got a symbol");
    else
        ktest_pass("kern-ksyms");
}

KTEST(kern_timer_ticks)
{
    const uint64_t want = 5;
    uint64_t freq = arch_counter_freq();
    uint64_t start_ticks = clock_ticks, start = arch_counter();
    uint64_t deadline = start + freq; /* 1 s for 5 ticks of 10 ms */
    while (clock_ticks - start_ticks < want && arch_counter() < deadline) {
        arch_idle();
        irq_poll();
    }
    uint64_t got = clock_ticks - start_ticks;
    uint64_t elapsed = arch_counter() - start;
    /* Five ticks need at least four full intervals since the first. */
    uint64_t min_elapsed = (want - 1) * (freq / CLOCK_HZ);
    if (got < want)
        ktest_fail("kern-timer-ticks", "%lu ticks in 1 s, want %lu", got, want);
    else if (elapsed < min_elapsed)
        ktest_fail("kern-timer-ticks", "%lu ticks in %lu counts, faster than %u Hz", got,
                   elapsed, CLOCK_HZ);
    else
        ktest_pass("kern-timer-ticks");
}

KTEST(kern_fdt_hostile)
{
    /* The real device tree with a header that lies about its sizes. */
    static uint8_t copy[256];
    const uint8_t *dtb = phys_to_virt(VIRT_RAM_PA);
    for (unsigned i = 0; i < sizeof copy; i++)
        copy[i] = dtb[i];
    uint64_t b, s;
    copy[4] = 0x7f; /* totalsize far beyond the buffer */
    int e1 = fdt_memory(copy, sizeof copy, &b, &s);
    copy[0] = 0;    /* bad magic */
    int e2 = fdt_memory(copy, sizeof copy, &b, &s);
    if (e1 != -AK_EINVAL || e2 != -AK_EINVAL)
        ktest_fail("kern-fdt-hostile", "fdt_memory returned %d and %d, want %d", e1, e2,
                   -AK_EINVAL);
    else
        ktest_pass("kern-fdt-hostile");
}
