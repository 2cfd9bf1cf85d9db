/*
 * Finding RAM on QEMU virt.  With an ELF kernel QEMU puts the device tree
 * at the start of RAM when it fits below the image and passes x0 = 0, so
 * we look there; with a raw image x0 holds its address.
 */
#include <ukernel/arch/memory.h>
#include <ukernel/fdt.h>
#include <ukernel/plat.h>
#include <ukernel/plat/virt.h>

const void *plat_dtb(paddr_t dtb_pa, size_t *avail)
{
    paddr_t kernel_pa = virt_to_phys(__kernel_start);
    if (dtb_pa == 0)
        dtb_pa = VIRT_RAM_PA;
    if (dtb_pa < VIRT_RAM_PA || dtb_pa >= kernel_pa)
        return NULL;
    *avail = kernel_pa - dtb_pa;
    return phys_to_virt(dtb_pa);
}

bool plat_ram(paddr_t dtb_pa, paddr_t *base, uint64_t *size)
{
    *base = VIRT_RAM_PA;
    *size = VIRT_RAM_DEFAULT_SIZE;
    size_t avail;
    const void *dtb = plat_dtb(dtb_pa, &avail);
    uint64_t b, s;
    if (!dtb || fdt_memory(dtb, avail, &b, &s) != 0)
        return false;
    *base = b;
    *size = s;
    return true;
}
