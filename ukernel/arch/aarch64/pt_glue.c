/*
 * The kernel's page-table glue (see pt_glue.h): physical memory through
 * the physmap, TLB maintenance broadcast to the inner-shareable domain,
 * and instruction/data cache synchronisation by line.
 *
 * Sequences follow the Arm ARM (DDI 0487): a descriptor store is made
 * visible to the walkers with DSB ISHST; a TLBI is preceded by DSB ISHST
 * (the cleared descriptor is visible first) and completed by DSB ISH and
 * ISB; new instructions need DC CVAU, DSB ISH, IC IVAU, DSB ISH, ISB.
 */
#include <ukernel/pt_glue.h>

#include <ukernel/arch/cpu.h>
#include <ukernel/arch/memory.h>
#include <ukernel/arch/sysreg.h>

void *pt_phys_to_virt(paddr_t pa)
{
    return phys_to_virt(pa);
}

void pt_publish(void)
{
    dsb_ishst();
    isb();
}

void pt_tlb_inval_page(vaddr_t va, unsigned asid)
{
    uint64_t op = ((va >> TLBI_VA_SHIFT) & TLBI_VA_MASK) | ((uint64_t)asid << TLBI_ASID_SHIFT);
    dsb_ishst();
    __asm__ volatile("tlbi vale1is, %0" : : "r"(op) : "memory");
    dsb_ish();
    isb();
}

void pt_tlb_inval_asid(unsigned asid)
{
    uint64_t op = (uint64_t)asid << TLBI_ASID_SHIFT;
    dsb_ishst();
    __asm__ volatile("tlbi aside1is, %0" : : "r"(op) : "memory");
    dsb_ish();
    isb();
}

/* The smallest line of a cache, from a CTR_EL0 line-size field. */
static uintptr_t ctr_line(uint64_t ctr, unsigned shift)
{
    return (uintptr_t)CTR_WORD_BYTES << ((ctr >> shift) & CTR_LINE_MASK);
}

void pt_sync_exec(paddr_t pa, size_t len)
{
    uint64_t ctr = sysreg_read(ctr_el0);
    uintptr_t start = (uintptr_t)phys_to_virt(pa);
    uintptr_t end = start + len;

    if (!(ctr & CTR_IDC)) {
        uintptr_t line = ctr_line(ctr, CTR_DMINLINE_SHIFT);
        for (uintptr_t p = ALIGN_DOWN(start, line); p < end; p += line)
            __asm__ volatile("dc cvau, %0" : : "r"(p) : "memory");
    }
    dsb_ish();
    if (!(ctr & CTR_DIC)) {
        /* A non-PIPT instruction cache may hold the code under another VA alias. */
        if (((ctr >> CTR_L1IP_SHIFT) & CTR_L1IP_MASK) == CTR_L1IP_PIPT) {
            uintptr_t line = ctr_line(ctr, CTR_IMINLINE_SHIFT);
            for (uintptr_t p = ALIGN_DOWN(start, line); p < end; p += line)
                __asm__ volatile("ic ivau, %0" : : "r"(p) : "memory");
        } else {
            __asm__ volatile("ic ialluis" : : : "memory");
        }
        dsb_ish();
    }
    isb();
}
