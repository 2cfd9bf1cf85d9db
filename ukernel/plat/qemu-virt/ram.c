/*
 * Finding RAM on QEMU virt.  With an ELF kernel QEMU puts the device tree
 * at the start of RAM when it fits below the image and passes x0 = 0, so
 * we look there; with a raw image x0 holds its address.
 */
#include <ukernel/arch/memory.h>
#include <ukernel/fdt.h>
#include <ukernel/plat.h>
#include <ukernel/plat/virt.h>

bool plat_ram(paddr_t dtb_pa, paddr_t *base, uint64_t *size)
{
    paddr_t kernel_pa = virt_to_phys(__kernel_start);
    if (dtb_pa == 0)
        dtb_pa = VIRT_RAM_PA;
    *base = VIRT_RAM_PA;
    *size = VIRT_RAM_DEFAULT_SIZE;
    if (dtb_pa < VIRT_RAM_PA || dtb_pa >= kernel_pa)
        return false;
    uint64_t b, s;
    if (fdt_memory(phys_to_virt(dtb_pa), kernel_pa - dtb_pa, &b, &s) != 0)
        return false;
    *base = b;
    *size = s;
    return true;
}
