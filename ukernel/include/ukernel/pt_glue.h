/*
 * The glue of the page-table code: the only things pt.c asks of the
 * machine.  The kernel links ukernel/arch/aarch64/pt_glue.c (the physmap,
 * TLB and cache instructions); host tests link a glue over a memory arena
 * that records every TLB and cache operation, so the same pt.c runs on
 * both.  Nothing else in the kernel calls these: page-table users go
 * through pt.h, which issues the maintenance each change needs.
 *
 * ASIDs are 8 bits (TCR_EL1.AS = 0): every asid argument is 0..PT_ASID_MAX.
 */
#ifndef UKERNEL_PT_GLUE_H
#define UKERNEL_PT_GLUE_H

#include <ukernel/types.h>

/*
 * A pointer through which the kernel reads and writes the physical page
 * at pa.  pa lies in a frame that the caller has checked is RAM the
 * kernel may touch (a translation table or a frame being synchronised);
 * the pointer is valid for the rest of that frame.  Never fails.
 */
void *pt_phys_to_virt(paddr_t pa);

/*
 * Makes earlier descriptor (and table-zeroing) stores visible to the
 * translation table walkers of every CPU before anything that follows.
 * Called between zeroing a table and linking it in, and after every new
 * valid descriptor.  Creating a valid descriptor where an invalid one was
 * needs no TLB invalidation: entries that fault are never held in a TLB.
 */
void pt_publish(void);

/*
 * Removes every CPU's cached translation of the page at va (page aligned,
 * below 2^39) tagged with asid, after its descriptor was cleared.  On
 * return the old translation can no longer be used, by any CPU.
 */
void pt_tlb_inval_page(vaddr_t va, unsigned asid);

/*
 * Removes every CPU's cached translations (and walk-cache entries) tagged
 * with asid.  Used after unmapping many pages at once and when an address
 * space is destroyed, so that its ASID and tables can be reused.
 */
void pt_tlb_inval_asid(unsigned asid);

/*
 * Makes the instructions stored in [pa, pa + len) (one frame) visible to
 * instruction fetch: cleans the data cache to the point of unification
 * and invalidates the instruction cache for the range.  Called before an
 * executable mapping of the frame becomes valid.
 */
void pt_sync_exec(paddr_t pa, size_t len);

#endif /* UKERNEL_PT_GLUE_H */
