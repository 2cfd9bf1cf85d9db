/*
 * User page tables on AArch64 (see pt.h): VMSAv8-64 descriptors, 4 KiB
 * granule, 39-bit VAs, levels 1 to 3.
 *
 * Invariants of every table this file writes:
 * - An entry is either 0 or valid.  Entries of levels 1 and 2 are table
 *   descriptors (PTE_TYPE_TABLE and an address, nothing else); entries of
 *   level 3 are user pages: PT_PAGE_FIXED, an address, and either
 *   PTE_AP_EL0 with PTE_AP_RO or PTE_UXN or both, never neither (W^X), or
 *   without PTE_AP_EL0 (no access from EL0) with both.
 * - A valid descriptor is replaced by another valid one only to change
 *   its permissions (pt_protect), which needs no break-before-make; a
 *   page's frame changes only by an unmap, with its TLB invalidation,
 *   and a new map.
 * - A table is zeroed and published before it is linked in.
 *
 * Memory is reached only through pt_phys_to_virt, and every descriptor is
 * read and written with a single 64-bit access, as the walkers require.
 */
#include <ukernel/pt.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <common/string.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/pt_glue.h>

#define PT_INDEX_BITS 9u
#define PT_ENTRIES    (1u << PT_INDEX_BITS)

/* Every user page: normal write-back memory, never global, never run by EL1. */
#define PT_PAGE_FIXED (PTE_TYPE_PAGE | PTE_ATTRIDX(MAIR_IDX_NORMAL) | PTE_SH_INNER | PTE_AF | \
                       PTE_NG | PTE_PXN)
/* The bits that differ between user pages. */
#define PT_PAGE_VARIABLE (PTE_ADDR_MASK | PTE_AP_EL0 | PTE_AP_RO | PTE_UXN)
/*
 * A page EL0 may not touch (perms 0, PROT_NONE): AP[2:1] = 0b10, read-only
 * for EL1 and no access for EL0, and never executable.  The frame stays
 * mapped, so its contents survive until the page is made accessible again.
 */
#define PT_PAGE_NONE (PTE_AP_RO | PTE_UXN)
/* The memory-type field, and its value for a device page. */
#define PT_ATTR_MASK   PTE_ATTRIDX(7)
#define PT_ATTR_DEVICE PTE_ATTRIDX(MAIR_IDX_DEVICE)

_Static_assert(PT_VA_END == AK_USER_VA_END, "the user VA range is what TTBR0 translates");
_Static_assert(PAGE_SHIFT + PT_INDEX_BITS * PT_LEVEL_LEAF == PT_VA_BITS, "3 levels cover the VA");

/* The VA bit where the index of a level's table starts: 30, 21 or 12. */
static unsigned level_shift(unsigned level)
{
    return PAGE_SHIFT + PT_INDEX_BITS * (PT_LEVEL_LEAF - level);
}

/* How much VA one entry of a level's table translates. */
static vaddr_t entry_span(unsigned level)
{
    return (vaddr_t)1 << level_shift(level);
}

static unsigned level_index(vaddr_t va, unsigned level)
{
    return (unsigned)(va >> level_shift(level)) & (PT_ENTRIES - 1u);
}

static uint64_t pte_read(const uint64_t *e)
{
    return *(const volatile uint64_t *)e;
}

static void pte_write(uint64_t *e, uint64_t d)
{
    *(volatile uint64_t *)e = d;
}

/* A frame address fits a descriptor's output address: aligned, below 2^48. */
static bool frame_addr_ok(paddr_t pa)
{
    return (pa & ~PTE_ADDR_MASK) == 0;
}

static uint64_t page_desc(paddr_t pa, unsigned perms)
{
    uint64_t d = PT_PAGE_FIXED | pa;
    if (perms & PT_DEVICE)
        d = (d & ~PT_ATTR_MASK) | PT_ATTR_DEVICE | PTE_UXN;
    if (perms == 0)
        return d | PT_PAGE_NONE;
    d |= PTE_AP_EL0;
    if (!(perms & PT_WRITE))
        d |= PTE_AP_RO;
    if (!(perms & PT_EXEC))
        d |= PTE_UXN;
    return d;
}

static unsigned page_perms(uint64_t d)
{
    if (!(d & PTE_AP_EL0))
        return 0;
    unsigned perms = PT_READ;
    if ((d & PT_ATTR_MASK) == PT_ATTR_DEVICE)
        perms |= PT_DEVICE;
    if (!(d & PTE_AP_RO))
        perms |= PT_WRITE;
    if (!(d & PTE_UXN))
        perms |= PT_EXEC;
    return perms;
}

static bool page_desc_ok(uint64_t d)
{
    /* A device page is a normal one but for its memory type, and is always EL0-only data. */
    if ((d & PT_ATTR_MASK) == PT_ATTR_DEVICE) {
        if (!(d & PTE_AP_EL0) || !(d & PTE_UXN))
            return false;
        d = (d & ~PT_ATTR_MASK) | PTE_ATTRIDX(MAIR_IDX_NORMAL);
    }
    if ((d & ~PT_PAGE_VARIABLE) != PT_PAGE_FIXED)
        return false;
    if (d & PTE_AP_EL0)
        return (d & (PTE_AP_RO | PTE_UXN)) != 0;
    return (d & PT_PAGE_NONE) == PT_PAGE_NONE;
}

static bool table_desc_ok(uint64_t d)
{
    return (d & ~PTE_ADDR_MASK) == PTE_TYPE_TABLE;
}

/*
 * The entry for va in its table of the given level, following table
 * descriptors down from the root; NULL if a table on the way is missing,
 * with *missing set to the level of the first missing table (0 otherwise).
 */
static uint64_t *find_entry(paddr_t root, vaddr_t va, unsigned level, unsigned *missing)
{
    uint64_t *table = pt_phys_to_virt(root);
    *missing = 0;
    for (unsigned l = PT_LEVEL_ROOT; l < level; l++) {
        uint64_t d = pte_read(&table[level_index(va, l)]);
        if (!table_desc_ok(d)) {
            *missing = l + 1u;
            return NULL;
        }
        table = pt_phys_to_virt(d & PTE_ADDR_MASK);
    }
    return &table[level_index(va, level)];
}

int pt_map_check(vaddr_t va, paddr_t pa, unsigned perms)
{
    if ((va & PAGE_MASK) != 0 || va >= PT_VA_END || !frame_addr_ok(pa))
        return -AK_EINVAL;
    if ((perms & ~(PT_PERMS_ALL | PT_DEVICE)) != 0 || (perms != 0 && !(perms & PT_READ)))
        return -AK_EINVAL;
    if ((perms & PT_WRITE) && (perms & PT_EXEC))
        return -AK_EACCES;
    if ((perms & PT_DEVICE) && (perms & PT_EXEC))
        return -AK_EACCES;
    return 0;
}

void pt_init_root(paddr_t root)
{
    memset(pt_phys_to_virt(root), 0, PAGE_SIZE);
    pt_publish();
}

/* Always inlined where visible: it is on every map's path (vspace_map). */
__attribute__((always_inline)) int pt_map(paddr_t root, vaddr_t va, paddr_t pa, unsigned perms,
                                          unsigned *missing_level)
{
    int err = pt_map_check(va, pa, perms);
    if (err != 0)
        return err;
    unsigned missing;
    uint64_t *e = find_entry(root, va, PT_LEVEL_LEAF, &missing);
    if (e == NULL) {
        if (missing_level != NULL)
            *missing_level = missing;
        return -AK_ENOTABLE;
    }
    if (pte_read(e) & PTE_VALID)
        return -AK_EEXIST;
    if (perms & PT_EXEC)
        pt_sync_exec(pa, PAGE_SIZE);
    pte_write(e, page_desc(pa, perms));
    pt_publish();
    return 0;
}

/* Whether [va, va + npages pages) is a non-empty aligned user range. */
static bool range_ok(vaddr_t va, size_t npages)
{
    return (va & PAGE_MASK) == 0 && va < PT_VA_END && npages != 0 &&
           npages <= (PT_VA_END - va) >> PAGE_SHIFT;
}

/* Changes one valid level-3 entry e (holding d) of a range operation. */
typedef void page_op_fn(void *ctx, uint64_t *e, vaddr_t va, uint64_t d);

/*
 * Calls op for every valid level-3 entry of a valid range, in address
 * order; whole missing tables are skipped without visiting their entries.
 */
static void for_each_page(paddr_t root, vaddr_t va, size_t npages, page_op_fn *op, void *ctx)
{
    const vaddr_t end = va + ((vaddr_t)npages << PAGE_SHIFT);
    while (va < end) {
        unsigned missing;
        uint64_t *e = find_entry(root, va, PT_LEVEL_LEAF, &missing);
        /* A missing table: skip all the VA it would translate. */
        vaddr_t span = entry_span(e == NULL ? missing - 1u : PT_LEVEL_MID);
        vaddr_t stop = ALIGN_DOWN(va, span) + span;
        if (e == NULL) {
            va = stop;
            continue;
        }
        if (stop > end)
            stop = end;
        for (; va < stop; va += PAGE_SIZE, e++) {
            uint64_t d = pte_read(e);
            if (d & PTE_VALID)
                op(ctx, e, va, d);
        }
    }
}

/* The state of pt_unmap and pt_protect over their range. */
typedef struct range_op {
    unsigned asid;
    bool per_page;      /* invalidate each changed page, else the ASID once */
    int npages;         /* pages visited (unmapped, or now with perms) */
    int nchanged;       /* descriptors changed */
    unsigned perms;     /* pt_protect */
    pt_page_fn *cb;     /* pt_unmap */
    void *ctx;
} range_op_t;

static void unmap_op(void *ctx, uint64_t *e, vaddr_t va, uint64_t d)
{
    range_op_t *r = ctx;
    pte_write(e, 0);
    if (r->per_page)
        pt_tlb_inval_page(va, r->asid);
    r->npages++;
    r->nchanged++;
    if (r->cb != NULL)
        r->cb(r->ctx, va, d & PTE_ADDR_MASK, page_perms(d));
}

/*
 * Only the permission bits change, and the output address, memory type
 * and shareability stay: the Arm ARM requires no break-before-make for
 * that, only the TLB invalidation that follows.
 */
static void protect_op(void *ctx, uint64_t *e, vaddr_t va, uint64_t d)
{
    range_op_t *r = ctx;
    paddr_t pa = d & PTE_ADDR_MASK;
    uint64_t nd = page_desc(pa, r->perms);
    r->npages++;
    if (nd == d)
        return;
    if ((r->perms & PT_EXEC) && !(page_perms(d) & PT_EXEC))
        pt_sync_exec(pa, PAGE_SIZE);
    pte_write(e, nd);
    if (r->per_page)
        pt_tlb_inval_page(va, r->asid);
    r->nchanged++;
}

int pt_unmap(paddr_t root, unsigned asid, vaddr_t va, size_t npages, pt_page_fn *cb, void *ctx)
{
    if (!range_ok(va, npages) || asid > PT_ASID_MAX)
        return -AK_EINVAL;
    range_op_t r = { .asid = asid, .per_page = npages <= PT_PAGE_INVAL_MAX, .cb = cb, .ctx = ctx };
    for_each_page(root, va, npages, unmap_op, &r);
    if (!r.per_page && r.nchanged > 0)
        pt_tlb_inval_asid(asid);
    return r.npages;
}

int pt_take(paddr_t root, unsigned asid, vaddr_t va, paddr_t *pa)
{
    if ((va & PAGE_MASK) != 0 || va >= PT_VA_END || asid > PT_ASID_MAX)
        return -AK_EINVAL;
    unsigned missing;
    uint64_t *e = find_entry(root, va, PT_LEVEL_LEAF, &missing);
    uint64_t d = e != NULL ? pte_read(e) : 0;
    if (!(d & PTE_VALID))
        return -AK_ENOENT;
    pte_write(e, 0);
    pt_tlb_inval_page(va, asid);
    *pa = d & PTE_ADDR_MASK;
    return 0;
}

int pt_protect(paddr_t root, unsigned asid, vaddr_t va, size_t npages, unsigned perms)
{
    if (!range_ok(va, npages) || asid > PT_ASID_MAX)
        return -AK_EINVAL;
    int err = pt_map_check(va, 0, perms);
    if (err != 0)
        return err;
    if (perms & PT_DEVICE)
        return -AK_EINVAL; /* a memory type is chosen when a page is mapped, never changed */
    range_op_t r = { .asid = asid, .per_page = npages <= PT_PAGE_INVAL_MAX, .perms = perms };
    for_each_page(root, va, npages, protect_op, &r);
    if (!r.per_page && r.nchanged > 0)
        pt_tlb_inval_asid(asid);
    return r.npages;
}

int pt_query(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *perms)
{
    if (va >= PT_VA_END)
        return -AK_EINVAL;
    unsigned missing;
    const uint64_t *e = find_entry(root, va, PT_LEVEL_LEAF, &missing);
    if (e == NULL)
        return -AK_ENOENT;
    uint64_t d = pte_read(e);
    if (!(d & PTE_VALID))
        return -AK_ENOENT;
    if (pa != NULL)
        *pa = (d & PTE_ADDR_MASK) | (va & PAGE_MASK);
    if (perms != NULL)
        *perms = page_perms(d);
    return 0;
}

int pt_install_table(paddr_t root, vaddr_t va, unsigned level, paddr_t table)
{
    if ((level != PT_LEVEL_MID && level != PT_LEVEL_LEAF) || va >= PT_VA_END ||
        !frame_addr_ok(table))
        return -AK_EINVAL;
    unsigned missing;
    uint64_t *e = find_entry(root, va, level - 1u, &missing);
    if (e == NULL)
        return -AK_ENOTABLE;
    if (pte_read(e) & PTE_VALID)
        return -AK_EEXIST;
    memset(pt_phys_to_virt(table), 0, PAGE_SIZE);
    pt_publish();
    pte_write(e, PTE_TYPE_TABLE | table);
    pt_publish();
    return 0;
}

/* Walks the table at `table` (of `level`, translating from `base`), post-order. */
static int walk_table(paddr_t table, unsigned level, vaddr_t base, pt_page_fn *page,
                      pt_table_fn *tablefn, void *ctx)
{
    const uint64_t *t = pt_phys_to_virt(table);
    int err = 0;
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        uint64_t d = pte_read(&t[i]);
        if (d == 0)
            continue;
        vaddr_t va = base + ((vaddr_t)i << level_shift(level));
        if (level == PT_LEVEL_LEAF) {
            if (!page_desc_ok(d))
                err = -AK_EINVAL;
            else if (page != NULL)
                page(ctx, va, d & PTE_ADDR_MASK, page_perms(d));
        } else if (!table_desc_ok(d) ||
                   walk_table(d & PTE_ADDR_MASK, level + 1u, va, page, tablefn, ctx) != 0) {
            err = -AK_EINVAL;
        }
    }
    if (tablefn != NULL)
        tablefn(ctx, base, level, table);
    return err;
}

int pt_walk(paddr_t root, pt_page_fn *page, pt_table_fn *table, void *ctx)
{
    return walk_table(root, PT_LEVEL_ROOT, 0, page, table, ctx);
}

void pt_inval_asid(unsigned asid)
{
    pt_tlb_inval_asid(asid);
}

uint64_t pt_ttbr(paddr_t root, unsigned asid)
{
    return root | ((uint64_t)asid << TTBR_ASID_SHIFT);
}
