/*
 * User page tables: the arch mechanism behind every process's TTBR0.
 *
 * Geometry (AArch64, 4 KiB granule, 39-bit VAs): three levels of
 * 512-entry tables.  The root (level 1) translates 512 GiB in 1 GiB
 * entries, a level-2 table 1 GiB in 2 MiB entries, a level-3 table 2 MiB
 * in 4 KiB pages.  User memory is mapped with 4 KiB pages only, never
 * blocks, so that a single-page TLB invalidation is always exact.
 *
 * The kernel allocates nothing: the caller owns every table frame.  A map
 * whose table is missing fails with -AK_ENOTABLE and the level of the
 * missing table; the caller installs a frame (pt_install_table) and
 * retries.  Tables are never removed one by one: an address space's
 * tables live until it is destroyed (pt_walk enumerates them).
 *
 * Permissions are abstract (PT_READ, PT_WRITE, PT_EXEC) and always for
 * EL0; every mapping is readable or has no permission at all (0: EL0 may
 * not touch it, PROT_NONE), is never writable and executable at once
 * (W^X), and never executable by the kernel (PXN).  Each function performs
 * the TLB and cache maintenance its change needs (through pt_glue.h), so
 * no caller can forget it.
 *
 * Every function either succeeds or changes nothing.  Physical addresses
 * of tables are trusted (the caller checked them); everything else is
 * validated and refused with an error.
 */
#ifndef UKERNEL_PT_H
#define UKERNEL_PT_H

#include <ukernel/types.h>

/* Abstract permissions of a user mapping. */
#define PT_READ      1u
#define PT_WRITE     2u
#define PT_EXEC      4u
#define PT_PERMS_ALL (PT_READ | PT_WRITE | PT_EXEC)
/*
 * With PT_READ (and PT_WRITE), a device page: device-nGnRE memory, never
 * executable.  Only the kernel asks for it (vspace_map_device).
 */
#define PT_DEVICE    8u

/* Translation table levels; the root is level 1. */
#define PT_LEVEL_ROOT 1u
#define PT_LEVEL_MID  2u
#define PT_LEVEL_LEAF 3u

/* Virtual addresses a user page table translates: [0, PT_VA_END). */
#define PT_VA_BITS 39u
#define PT_VA_END  (UINT64_C(1) << PT_VA_BITS)

/* ASIDs are 8 bits wide (TCR_EL1.AS = 0). */
#define PT_ASID_MAX 255u

/*
 * pt_unmap and pt_protect invalidate each changed page's TLB entry when
 * the range has at most this many pages, and the whole ASID once
 * otherwise (as Linux does above a threshold): one ASID invalidation
 * costs less than many page ones.
 */
#define PT_PAGE_INVAL_MAX 64u

/* Called for each mapped page: its VA, frame and permissions. */
typedef void pt_page_fn(void *ctx, vaddr_t va, paddr_t pa, unsigned perms);
/* Called for each table: the base of the VA range it translates, its level, its frame. */
typedef void pt_table_fn(void *ctx, vaddr_t va, unsigned level, paddr_t table);

/*
 * The argument checks of pt_map alone, without touching any table (the
 * decode half of a map; callers use it to refuse bad requests before
 * acting).  Returns 0, or
 *   -AK_EINVAL  va not page aligned or not below PT_VA_END; pa not page
 *               aligned or above the 48-bit output address; perms with
 *               unknown bits, or not 0 and without PT_READ
 *   -AK_EACCES  PT_WRITE and PT_EXEC together (W^X)
 */
int pt_map_check(vaddr_t va, paddr_t pa, unsigned perms);

/*
 * Zeroes the frame at root so that it can serve as an empty level-1
 * table.  root is a page-aligned frame the caller owns.
 */
void pt_init_root(paddr_t root);

/*
 * Maps the 4 KiB page at va to the frame at pa with perms.  An executable
 * mapping first makes the frame's contents visible to instruction fetch.
 * Returns 0, or
 *   -AK_EINVAL, -AK_EACCES  as pt_map_check
 *   -AK_ENOTABLE  the level-2 or level-3 table for va is missing;
 *                 *missing_level (if not NULL) is set to 2 or 3
 *   -AK_EEXIST    va is already mapped
 */
int pt_map(paddr_t root, vaddr_t va, paddr_t pa, unsigned perms, unsigned *missing_level);

/*
 * Unmaps every mapped page in [va, va + npages * PAGE_SIZE) and removes
 * their translations from every TLB (tagged with asid); pages that are
 * not mapped are skipped, as are whole missing tables.  cb (if not NULL)
 * is called once for each page unmapped, in address order, after its
 * descriptor is cleared; the TLB may hold the old translation until
 * pt_unmap returns, so the caller must not reuse a frame before then.
 * Returns the number of pages unmapped (0 if none was mapped), or
 *   -AK_EINVAL  va not page aligned, npages 0, the range not inside
 *               [0, PT_VA_END), or asid above PT_ASID_MAX
 */
int pt_unmap(paddr_t root, unsigned asid, vaddr_t va, size_t npages, pt_page_fn *cb, void *ctx);

/*
 * Unmaps the one page at va and stores in *pa the frame that was mapped
 * there, with a single walk of the table (pt_query and pt_unmap of one
 * page in one), and removes its translation from every TLB (tagged with
 * asid) before returning.  Returns 0, or
 *   -AK_EINVAL  va not page aligned or not below PT_VA_END, or asid
 *               above PT_ASID_MAX
 *   -AK_ENOENT  va is not mapped (its page or one of its tables is missing)
 */
int pt_take(paddr_t root, unsigned asid, vaddr_t va, paddr_t *pa);

/*
 * Sets the permissions of every mapped page in [va, va + npages * PAGE_SIZE)
 * to perms (as pt_map: 0 or with PT_READ, not PT_WRITE with PT_EXEC) and
 * removes the old permissions from every TLB (tagged with asid); pages not
 * mapped are skipped.  Pages that become executable first have their
 * contents made visible to instruction fetch.  Returns the number of
 * mapped pages in the range (all now with perms), or
 *   -AK_EINVAL  as pt_unmap; perms with unknown bits, or not 0 and without PT_READ
 *   -AK_EACCES  PT_WRITE and PT_EXEC together (W^X)
 */
int pt_protect(paddr_t root, unsigned asid, vaddr_t va, size_t npages, unsigned perms);

/*
 * Looks up the translation of va (any byte address): *pa (if not NULL)
 * is the physical address va translates to, *perms (if not NULL) the
 * mapping's permissions.  Returns 0, or
 *   -AK_EINVAL  va not below PT_VA_END
 *   -AK_ENOENT  va is not mapped (its page or one of its tables is missing)
 */
int pt_query(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *perms);

/*
 * Zeroes the frame at table and installs it as the level-2 or level-3
 * table that translates va (any address in the table's range: 1 GiB for
 * level 2, 2 MiB for level 3).  The caller owns table and gives it to
 * this page table until pt_walk hands it back.  Returns 0, or
 *   -AK_EINVAL    level not 2 or 3, va not below PT_VA_END, table not page
 *                 aligned or above the 48-bit output address
 *   -AK_ENOTABLE  a level-3 table was offered but the level-2 table above it is missing
 *   -AK_EEXIST    that table is already installed
 * Nothing is zeroed unless the table is installed.
 */
int pt_install_table(paddr_t root, vaddr_t va, unsigned level, paddr_t table);

/*
 * Enumerates a page table for its destruction or a check: page (if not
 * NULL) for every mapped page, table (if not NULL) for every table,
 * including the root (level 1, va 0), each table after everything under
 * it.  Tables and mappings are left as they are.  Returns 0, or
 *   -AK_EINVAL  a descriptor was malformed (neither empty nor one that
 *               this code writes); it was skipped and the walk went on
 */
int pt_walk(paddr_t root, pt_page_fn *page, pt_table_fn *table, void *ctx);

/*
 * Removes every TLB and walk-cache entry tagged with asid (0..PT_ASID_MAX),
 * after the address space that used it was torn down; the ASID and the
 * old tables may then be reused.
 */
void pt_inval_asid(unsigned asid);

/* The TTBR0_EL1 value that selects the table at root with asid. */
uint64_t pt_ttbr(paddr_t root, unsigned asid);

#endif /* UKERNEL_PT_H */
