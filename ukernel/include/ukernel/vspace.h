/*
 * Address spaces: what the kernel's address-space invocations do, with no
 * policy of their own.  A vspace ties a user page table (pt.h) and its ASID
 * to the frame table (frame.h), so that every mapping is counted on its
 * frame and every table frame is marked as one:
 *
 * - a frame is mapped only if the caller's physical-memory capability
 *   covers it and it is neither a translation table nor kernel memory;
 * - a frame becomes a table only if it is FREE (no mapping, no table) and
 *   covered by the capability; the kernel zeroes it itself;
 * - destroying a vspace drops every mapping and hands every table frame
 *   back (FREE again), after the ASID's TLB entries are gone.
 *
 * Each call validates everything before it changes anything, and either
 * succeeds or leaves the vspace and the frame table as they were.
 * Choosing virtual addresses, frames and permissions is the vmm's job.
 *
 * Pinned range: the pages the kernel itself relies on (the boot-info page
 * and the IPC buffer, DESIGN.md 4) are mapped at creation and then
 * pinned; no invocation may map, unmap or protect inside the pinned range.
 */
#ifndef UKERNEL_VSPACE_H
#define UKERNEL_VSPACE_H

#include <ukernel/frame.h>
#include <ukernel/pt.h>
#include <ukernel/types.h>

/*
 * One address space.  The kernel allocates it (inside its process
 * object); its fields belong to vspace.c.
 */
typedef struct vspace {
    frame_table_t *frames;  /* the kernel's frame table, shared by every vspace */
    paddr_t root;           /* the level-1 table, a TABLE frame */
    unsigned asid;          /* 1..PT_ASID_MAX, unique among live vspaces */
    uint64_t ttbr;          /* pt_ttbr(root, asid): what TTBR0 holds while it runs */
    bool live;              /* false once destroyed: every call but vspace_check fails */
    vaddr_t pin_start;      /* [pin_start, pin_end): no map, unmap, protect (empty by default) */
    vaddr_t pin_end;
    size_t npages;          /* pages mapped */
    size_t ntables;         /* tables installed, the root included */
} vspace_t;

/* Receives each table frame of a destroyed vspace: its address and level (1 for the root). */
typedef void vspace_table_fn(void *ctx, paddr_t table, unsigned level);

/*
 * Creates an empty address space over the frame at root, which must be
 * FREE; the kernel chooses it (at boot, from memory outside any physical-
 * memory capability), zeroes it and marks it TABLE.  asid (1..PT_ASID_MAX;
 * 0 is reserved for no process) must not be used by another live vspace.
 * Returns 0, or
 *   -AK_EINVAL  asid out of range, root not page aligned
 *   -AK_EFAULT  root is not RAM in the frame table, or is kernel memory
 *   -AK_EBUSY   root is mapped or already a table
 */
int vspace_init(vspace_t *vs, frame_table_t *frames, paddr_t root, unsigned asid);

/*
 * Maps the device page pa at va, which must lie in the device window
 * [AK_DEVICE_VA_MIN, AK_DEVICE_VA_MAX), with perms PT_READ or PT_READ |
 * PT_WRITE: device memory, never executable, counted on no frame.  The
 * window is closed to every other call (map, unmap, protect, take refuse
 * it with -AK_EPERM).  Whether pa is a device the caller may map is the
 * caller's check.  Returns 0, -AK_ESRCH, -AK_EINVAL, -AK_EEXIST or
 * -AK_ENOTABLE (with *missing_level).
 */
int vspace_map_device(vspace_t *vs, vaddr_t va, paddr_t pa, unsigned perms, unsigned *missing_level);

/* Unmaps the device page at va; its address in *pa.  0, -AK_ESRCH, -AK_EINVAL, -AK_ENOENT. */
int vspace_unmap_device(vspace_t *vs, vaddr_t va, paddr_t *pa);

/*
 * Pins [start, end) (page aligned, start < end, below PT_VA_END) once its
 * pages are mapped: from now on vspace_map, vspace_unmap and
 * vspace_protect refuse to touch it.  A vspace has one pinned range; pinning again replaces it.
 * Returns 0, or
 *   -AK_ESRCH   the vspace was destroyed
 *   -AK_EINVAL  the range is empty, unaligned or outside the user range
 */
int vspace_pin(vspace_t *vs, vaddr_t start, vaddr_t end);

/*
 * Maps the frame at pa at va with perms (PT_READ with PT_WRITE or PT_EXEC
 * or neither, or 0 for a page EL0 may not touch) and counts the mapping on
 * the frame.
 * allowed (not NULL) is the range of the caller's physical-memory
 * capability.  Returns 0, or, in this order of checking:
 *   -AK_ESRCH     the vspace was destroyed
 *   -AK_EINVAL    va or pa unaligned, va not below PT_VA_END, bad perms
 *   -AK_EACCES    PT_WRITE with PT_EXEC (W^X)
 *   -AK_EPERM     the frame is outside allowed, or va is pinned
 *   -AK_EFAULT    the frame is not RAM in the frame table, or is kernel memory
 *   -AK_EBUSY     the frame is a translation table
 *   -AK_EOVERFLOW the frame already has FRAME_MAP_MAX mappings
 *   -AK_ENOTABLE  the table of level *missing_level (2 or 3; set if not
 *                 NULL) is missing: supply it and retry
 *   -AK_EEXIST    va is already mapped
 */
int vspace_map(vspace_t *vs, const frame_range_t *allowed, vaddr_t va, paddr_t pa,
               unsigned perms, unsigned *missing_level);

/*
 * Maps pa[i] at va + i * PAGE_SIZE for every i below n, all with perms:
 * vspace_map for a range, all-or-nothing.  The pages are mapped in order,
 * each checked as vspace_map checks it; at the first that fails, the
 * pages mapped before it are unmapped again (their TLB entries
 * invalidated, their frames' counts given back), so a failure changes
 * nothing.  Returns 0, or -AK_ESRCH, -AK_EINVAL if n is 0 or the range is
 * not inside [0, PT_VA_END), else the error of the first page that
 * failed, as vspace_map's; for -AK_ENOTABLE, *missing_level and
 * *missing_va (if not NULL) name the table and that page.
 */
int vspace_map_range(vspace_t *vs, const frame_range_t *allowed, vaddr_t va, const paddr_t *pa,
                     size_t n, unsigned perms, unsigned *missing_level, vaddr_t *missing_va);

/*
 * Unmaps every mapped page in [va, va + npages * PAGE_SIZE), invalidates
 * their TLB entries and counts one mapping fewer on each frame (a frame
 * whose count drops to 0 is FREE again).  Pages not mapped are skipped.
 * Returns the number of pages unmapped (0 if none was), or
 *   -AK_ESRCH   the vspace was destroyed
 *   -AK_EINVAL  va unaligned, npages 0, or the range not inside [0, PT_VA_END)
 *   -AK_EPERM   the range overlaps the pinned range
 */
int vspace_unmap(vspace_t *vs, vaddr_t va, size_t npages);

/*
 * Unmaps the page at va as vspace_unmap does and stores in *pa the frame
 * that was mapped there (take: the pager reuses it without a record of
 * its own), walking the page table once.  Returns 0, or, in this order
 * of checking:
 *   -AK_ESRCH   the vspace was destroyed
 *   -AK_EINVAL  va unaligned or not below PT_VA_END
 *   -AK_EPERM   va is pinned
 *   -AK_ENOENT  va is not mapped
 */
int vspace_take(vspace_t *vs, vaddr_t va, paddr_t *pa);

/*
 * Unmaps the n pages from va as vspace_unmap does and stores in pa[i] the
 * frame that was mapped at va + i * PAGE_SIZE, or 0 where none was (take
 * for a range).  Returns the number of pages unmapped, or, changing
 * nothing, the errors of vspace_unmap.
 */
int vspace_take_range(vspace_t *vs, vaddr_t va, size_t n, paddr_t *pa);

/*
 * Sets the permissions of every mapped page in [va, va + npages * PAGE_SIZE)
 * to perms (as vspace_map: 0, or PT_READ and not PT_WRITE with PT_EXEC); pages not mapped
 * are skipped, frames and their counts are unchanged.  Returns the number
 * of mapped pages in the range, or
 *   -AK_ESRCH   the vspace was destroyed
 *   -AK_EINVAL  va unaligned, npages 0, the range not inside [0, PT_VA_END),
 *               bad perms
 *   -AK_EACCES  PT_WRITE with PT_EXEC (W^X)
 *   -AK_EPERM   the range overlaps the pinned range
 */
int vspace_protect(vspace_t *vs, vaddr_t va, size_t npages, unsigned perms);

/*
 * The translation of va (any byte address): *pa (if not NULL) the physical
 * address it maps to, *perms (if not NULL) its permissions.  Returns 0, or
 *   -AK_ESRCH   the vspace was destroyed
 *   -AK_EINVAL  va not below PT_VA_END
 *   -AK_ENOENT  va is not mapped
 */
int vspace_query(const vspace_t *vs, vaddr_t va, paddr_t *pa, unsigned *perms);

/*
 * Makes the frame at pa the level-2 or level-3 table that translates va
 * (any address in the table's range): the frame must be FREE and inside
 * allowed (not NULL, the caller's physical-memory capability); the kernel
 * zeroes it (whatever it held) and marks it TABLE.
 * The vmm gets it back only through vspace_destroy.  Returns 0, or, in
 * this order of checking:
 *   -AK_ESRCH     the vspace was destroyed
 *   -AK_EINVAL    level not 2 or 3, va not below PT_VA_END, pa unaligned
 *   -AK_EPERM     the frame is outside allowed
 *   -AK_EFAULT    the frame is not RAM in the frame table, or is kernel memory
 *   -AK_EBUSY     the frame is mapped or already a table
 *   -AK_ENOTABLE  a level-3 table was offered before the level-2 table above it
 *   -AK_EEXIST    that table is already installed
 */
int vspace_supply_table(vspace_t *vs, const frame_range_t *allowed, vaddr_t va, unsigned level,
                        paddr_t pa);

/*
 * Tears the address space down: drops every mapping (one count fewer on
 * each frame), invalidates the ASID's TLB entries, then marks every table
 * frame FREE and passes it to cb (if not NULL), each exactly once, the
 * root last.  Afterwards the ASID may be reused and every other call on vs
 * fails with -AK_ESRCH.  Destroying a destroyed vspace does nothing.
 */
void vspace_destroy(vspace_t *vs, vspace_table_fn *cb, void *ctx);

/*
 * Verifies a live vspace against its page table and the frame table:
 * every descriptor well formed, every table frame TABLE, every mapped
 * frame MAPPED, and the page and table totals right.  Returns 0 (also for
 * a destroyed vspace), or -AK_EINVAL if an invariant is broken.  Walks
 * the whole table: for tests and debugging.
 */
int vspace_check(const vspace_t *vs);

#endif /* UKERNEL_VSPACE_H */
