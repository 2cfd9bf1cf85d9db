/*
 * kmain: the kernel's C entry, on the boot stack with the MMU on and the
 * kernel in the high half.  It prints the banner, finds RAM, starts the
 * tick, runs any linked in-kernel tests, then builds the processes of the
 * boot image and enters the first one.
 */
#include <ukernel/arch.h>
#include <ukernel/arch/memory.h>
#include <ukernel/arch/regs.h>
#include <ukernel/bootstrap.h>
#include <ukernel/clock.h>
#include <ukernel/device.h>
#include <ukernel/fdt.h>
#include <ukernel/halt.h>
#include <ukernel/kmain.h>
#include <ukernel/kprintf.h>
#include <ukernel/ktest.h>
#include <ukernel/plat.h>
#include <ukernel/sched.h>

/* The exception level the boot loader entered the kernel at (boot.S). */
extern const uint32_t boot_entry_el;

/* The boot map covers physical addresses below 4 GiB (boot.S). */
#define BOOT_MAP_END UINT64_C(0x100000000)

_Noreturn void kmain(paddr_t dtb_pa)
{
    plat_console_init();
    kprintf("\nAkuma-C ukernel (%s, QEMU virt) - %s\n", arch_name(), bootstrap_config());
    kprintf("[kernel] entered at EL%u, running at EL1\n", boot_entry_el);

    paddr_t ram_base;
    uint64_t ram_size;
    if (!plat_ram(dtb_pa, &ram_base, &ram_size))
        kprintf("[kernel] no readable device tree; assuming %lu MiB of RAM\n", ram_size >> 20);
    paddr_t ram_end = ram_base + ram_size;
    if (ram_end > BOOT_MAP_END) {
        kprintf("[kernel] using RAM below 4 GiB only\n");
        ram_end = BOOT_MAP_END;
    }
    kprintf("[kernel] RAM 0x%lx-0x%lx (%lu MiB), kernel 0x%lx-0x%lx\n", ram_base, ram_end,
            (ram_end - ram_base) >> 20, virt_to_phys(__kernel_start), virt_to_phys(__kernel_end));

    devices_init(dtb_pa);
    arch_pmu_init();
    clock_init();
    kprintf("[kernel] timer: %lu Hz counter, %u Hz tick\n", arch_counter_freq(), CLOCK_HZ);

    ktest_run_all();
    if (!bootstrap_has_image()) {
        kprintf("[kernel] no boot image: nothing to run\n");
        halt(HALT_OK);
    }
    /* The boot arguments (QEMU's -append), for init. */
    const char *args = "";
    size_t args_len = 0, avail = 0;
    const void *dtb = plat_dtb(dtb_pa, &avail);
    if (!dtb || fdt_bootargs(dtb, avail, &args, &args_len) != 0)
        args_len = 0;
    bootstrap(ram_base, ram_end, args, args_len);
    arch_return_to_user(sched_return());
}
