/*
 * The kernel's final map of physical memory (TTBR1), with W^X.
 *
 * boot.S turns the MMU on with 1 GiB blocks that are readable, writable
 * and executable, because building anything finer in assembly is not
 * worth it.  Its first act in the high half is to call kmap_build(), which
 * builds this map, and to install it with kmap_switch (boot.S):
 *
 *   PA 0-1 GiB      device memory, never executable (as at boot)
 *   kernel text     read-only, executable
 *   kernel rodata   read-only (the boot image and in-kernel tests too)
 *   everything else RAM up to 4 GiB: read-write, never executable
 *
 * The GiB that holds the kernel gets a level-2 table of 2 MiB blocks, and
 * the blocks that hold the kernel image get level-3 tables of pages, so
 * that each section has its own permissions.  EL0 has no access to any
 * of it (AP[1] clear), and nothing here is executable by EL0 (UXN).
 */
#include <ukernel/arch/kmap.h>

#include <ukernel/arch/memory.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/kprintf.h>

#define ENTRIES        (PAGE_SIZE / sizeof(uint64_t))
#define L2_BLOCK_SHIFT 21u  /* a level-2 block: 2 MiB */
#define L1_BLOCK_SHIFT 30u  /* a level-1 block: 1 GiB */
#define KMAP_GIBS      4u   /* the physical addresses mapped: 0-4 GiB, as at boot */
#define KMAP_L3_TABLES 4u   /* 2 MiB blocks the kernel image may span */

/* Normal memory, EL1 only, never run by EL0. */
#define KMAP_NORMAL   (PTE_VALID | PTE_ATTRIDX(MAIR_IDX_NORMAL) | PTE_AF | PTE_SH_INNER | PTE_UXN)
#define KMAP_BLOCK_RW (KMAP_NORMAL | PTE_BLOCK | PTE_PXN)
#define KMAP_PAGE_RW  (KMAP_NORMAL | PTE_PAGE | PTE_PXN)
#define KMAP_PAGE_RO  (KMAP_NORMAL | PTE_PAGE | PTE_PXN | PTE_AP_RO)
#define KMAP_PAGE_RX  (KMAP_NORMAL | PTE_PAGE | PTE_AP_RO)

static uint64_t kmap_l1[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t kmap_l2[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t kmap_l3[KMAP_L3_TABLES][ENTRIES] __attribute__((aligned(PAGE_SIZE)));

/* The permissions of the kernel's page at pa, by the section it lies in. */
static uint64_t page_attrs(paddr_t pa)
{
    if (pa >= virt_to_phys(__text_start) && pa < virt_to_phys(__rodata_start))
        return KMAP_PAGE_RX;
    if (pa >= virt_to_phys(__rodata_start) && pa < virt_to_phys(__data_start))
        return KMAP_PAGE_RO;
    return KMAP_PAGE_RW;
}

paddr_t kmap_build(void)
{
    const paddr_t start = virt_to_phys(__kernel_start), end = virt_to_phys(__kernel_end);
    const uint64_t gib = start >> L1_BLOCK_SHIFT;
    const uint64_t first = start >> L2_BLOCK_SHIFT, last = (end - 1) >> L2_BLOCK_SHIFT;
    if ((end - 1) >> L1_BLOCK_SHIFT != gib || gib == 0 || gib >= KMAP_GIBS ||
        last - first >= KMAP_L3_TABLES)
        panic("kmap: the kernel image 0x%lx-0x%lx does not fit the map (at most %u blocks of 2 MiB "
              "inside one GiB of RAM)", start, end, KMAP_L3_TABLES);

    kmap_l1[0] = BOOT_BLOCK_DEVICE;
    for (uint64_t g = 1; g < KMAP_GIBS; g++)
        kmap_l1[g] = g == gib ? PTE_TYPE_TABLE | virt_to_phys(kmap_l2)
                              : (g << L1_BLOCK_SHIFT) | KMAP_BLOCK_RW;
    for (uint64_t i = 0; i < ENTRIES; i++) {
        const uint64_t block = (gib << L1_BLOCK_SHIFT) | (i << L2_BLOCK_SHIFT);
        const uint64_t b = block >> L2_BLOCK_SHIFT;
        if (b < first || b > last) {
            kmap_l2[i] = block | KMAP_BLOCK_RW;
            continue;
        }
        uint64_t *l3 = kmap_l3[b - first];
        for (uint64_t j = 0; j < ENTRIES; j++) {
            const paddr_t pa = block + j * PAGE_SIZE;
            l3[j] = pa | page_attrs(pa);
        }
        kmap_l2[i] = PTE_TYPE_TABLE | virt_to_phys(l3);
    }
    /* The tables are complete in memory before any walk can see them. */
    __asm__ volatile("dsb ishst" ::: "memory");
    return virt_to_phys(kmap_l1);
}
