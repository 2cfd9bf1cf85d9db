/*
 * Driving a process's page tables through its address-space capability
 * (see vmm.h): the page map of its mmap area, fresh zeroed frames under
 * pages, translation tables when the kernel asks for one (from frames
 * promised when the pages were committed), frames taken back on unmap,
 * and every frame of a process reclaimed at its exit (the frame pool
 * remembers the owner of each frame, so no list of mappings is kept).
 *
 * The page map is a directory of leaves, each a frame of PMAP_LEAF_PAGES
 * one-byte entries (PM_*), made when a range in it is first reserved and
 * kept until the process ends: at most PMAP_LEAVES (48) frames a process.
 */
#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <idl/kernel_client.h>

#include "vmm.h"

_Static_assert(AK_USER_MMAP_MIN % VMM_SPAN == 0, "spans start at the area's start");
_Static_assert((AK_USER_MMAP_MIN >> 30) == ((AK_USER_MMAP_MAX - 1) >> 30),
               "one upper-level table covers the whole area");

void vmm_cache_flush(vmm_proc_t *p)
{
    while (p->ncached) {
        uint64_t va = p->cache[--p->ncached];
        vmm_nodes.held--;
        (void)region_free(&p->regions, va, VMM_PAGE);  /* at most the node just released */
    }
}

static uint64_t page_no(uint64_t va)
{
    return (va - AK_USER_MMAP_MIN) / VMM_PAGE;
}

static uint64_t span_no(uint64_t va)
{
    return (va - AK_USER_MMAP_MIN) / VMM_SPAN;
}

static bool bit(const uint64_t *bits, uint64_t i)
{
    return (bits[i / 64] >> (i % 64)) & 1;
}

static void set_bit(uint64_t *bits, uint64_t i)
{
    bits[i / 64] |= UINT64_C(1) << (i % 64);
}

uint64_t space_frames_needed(const vmm_proc_t *p, uint64_t va, uint64_t size)
{
    uint64_t n = 0, last = va + size - 1;
    for (uint64_t l = page_no(va) / PMAP_LEAF_PAGES; l <= page_no(last) / PMAP_LEAF_PAGES; l++)
        n += p->pmap[l] == NULL;
    for (uint64_t s = span_no(va); s <= span_no(last); s++)
        n += !bit(p->span_acct, s);
    return n + !p->upper_acct;
}

uint64_t space_frames_bound(uint64_t size)
{
    uint64_t pages = size / VMM_PAGE;
    return pages / PMAP_LEAF_PAGES + 2 + pages / (VMM_SPAN / VMM_PAGE) + 2 + 1;
}

void space_prepare(vmm_proc_t *p, uint64_t va, uint64_t size)
{
    uint64_t last = va + size - 1;
    for (uint64_t l = page_no(va) / PMAP_LEAF_PAGES; l <= page_no(last) / PMAP_LEAF_PAGES; l++) {
        if (p->pmap[l])
            continue;
        uint64_t pa = frames_alloc_zeroed(FRAME_VMM, FROM_RESERVED);
        p->pmap[l] = pa ? window_of(pa) : NULL;
        p->leaves += pa != 0;
    }
    uint64_t promises = 0;
    for (uint64_t s = span_no(va); s <= span_no(last); s++) {
        if (!bit(p->span_acct, s)) {
            set_bit(p->span_acct, s);
            promises++;
        }
    }
    if (!p->upper_acct) {
        p->upper_acct = true;
        promises++;
    }
    frames_promise(promises);
    p->promised += promises;
}

/* Widens the span of frames p was given (what space_reclaim scans) to pa, if a frame. */
static void note_frame(vmm_proc_t *p, uint64_t pa)
{
    if (!pa)
        return;
    if (p->frame_hi == 0 || pa < p->frame_lo)
        p->frame_lo = pa;
    if (pa > p->frame_hi)
        p->frame_hi = pa;
}

/*
 * A table the kernel asked for, at level for va: from its promise, made
 * when the pages it serves were committed.  0 if there is none (a table
 * nothing accounted for: taken from what is available, if anything is).
 */
static uint64_t table_for(vmm_proc_t *p, uint64_t va, uint8_t level)
{
    bool last_level = level == 3;
    uint64_t s = span_no(va);
    bool promised = last_level ? bit(p->span_acct, s) && !bit(p->span_made, s)
                               : p->upper_acct && !p->upper_made;
    uint64_t pa;
    if (promised) {
        pa = frames_alloc_table(vmm_proc_owner(p), FROM_PROMISED);
        if (pa) {
            p->promised--;
            if (last_level)
                set_bit(p->span_made, s);
            else
                p->upper_made = true;
        }
    } else {
        pa = frames_reserve(1) == 0 ? frames_alloc_table(vmm_proc_owner(p), FROM_RESERVED) : 0;
    }
    p->tables += pa != 0;
    note_frame(p, pa);
    return pa;
}

/* Always inlined (programs are built for link-time optimisation): it is on every page's path. */
__attribute__((always_inline)) int space_map_fresh(vmm_proc_t *p, uint64_t va, uint32_t prot, frame_src_t src)
{
    uint64_t pa = frames_alloc_zeroed(vmm_proc_owner(p), src);
    if (!pa)
        return -AK_ENOMEM;
    note_frame(p, pa);
    for (;;) {
        uint8_t level = 0;
        uint64_t where = 0;
        int rc = aspace_map(p->aspace_slot, va, pa, prot, &level, &where);
        if (rc == 0) {
            if (src == FROM_PROMISED)
                p->promised--;
            if (++p->mapped_pages > p->peak)
                p->peak = p->mapped_pages;
            return 0;
        }
        if (rc == -AK_ENOTABLE) {
            uint64_t table = table_for(p, va, level);
            if (table) {
                rc = aspace_table(p->aspace_slot, va, level, table);
                if (rc == 0)
                    continue;
                frames_free(table);
                p->tables--;
            } else {
                rc = -AK_ENOMEM;
            }
        }
        frames_free(pa);
        *(src == FROM_RESERVED ? &vmm_frames.reserved : &vmm_frames.promised) += 1;
        return rc;
    }
}

int space_map_fresh_range(vmm_proc_t *p, uint64_t va, uint64_t npages, uint32_t prot, frame_src_t src)
{
    aspace_frame_t frames[AK_ASPACE_RANGE_MAX];
    uint64_t n = 0;
    int rc = 0;
    while (n < npages) {
        frames[n].pa = frames_alloc_zeroed(vmm_proc_owner(p), src);
        if (!frames[n].pa) {
            rc = -AK_ENOMEM;
            break;
        }
        note_frame(p, frames[n].pa);
        n++;
    }
    while (rc == 0) {
        uint8_t level = 0;
        uint64_t where = 0;
        rc = aspace_map_range(p->aspace_slot, va, prot, frames, npages, &level, &where);
        if (rc == 0) {
            if (src == FROM_PROMISED)
                p->promised -= npages;
            p->mapped_pages += npages;
            if (p->mapped_pages > p->peak)
                p->peak = p->mapped_pages;
            return 0;
        }
        if (rc != -AK_ENOTABLE)
            break;
        /* Nothing was mapped: supply the table the kernel named and send it again. */
        uint64_t table = table_for(p, where, level);
        if (!table) {
            rc = -AK_ENOMEM;
            break;
        }
        rc = aspace_table(p->aspace_slot, where, level, table);
        if (rc != 0) {
            frames_free(table);
            p->tables--;
        }
    }
    while (n) {
        frames_free(frames[--n].pa);
        *(src == FROM_RESERVED ? &vmm_frames.reserved : &vmm_frames.promised) += 1;
    }
    return rc;
}

int space_unmap_range(vmm_proc_t *p, uint64_t va, uint64_t npages)
{
    aspace_frame_t frames[AK_ASPACE_RANGE_MAX];
    while (npages) {
        uint64_t n = npages < AK_ASPACE_RANGE_MAX ? npages : AK_ASPACE_RANGE_MAX, count = 0;
        int rc = aspace_take_range(p->aspace_slot, va, n, frames, &count);
        if (rc != 0)
            return rc;
        for (uint64_t i = 0; i < count; i++) {
            if (!frames[i].pa)
                continue;
            if (frames_owns(frames[i].pa))
                frames_free(frames[i].pa);
            p->mapped_pages--;
        }
        va += n * VMM_PAGE;
        npages -= n;
    }
    return 0;
}

/* Always inlined, as space_map_fresh. */
__attribute__((always_inline)) int space_unmap_page(vmm_proc_t *p, uint64_t va)
{
    uint64_t pa = 0;
    int rc = aspace_take(p->aspace_slot, va, &pa);
    if (rc == -AK_ENOENT)
        return 0;
    if (rc != 0)
        return rc;
    if (frames_owns(pa))
        frames_free(pa);
    p->mapped_pages--;
    return 0;
}

void space_reclaim(vmm_proc_t *p)
{
    /*
     * The kernel destroys the address space when this EXIT is answered,
     * before the vmm runs again: its frames can go back to the pool now.
     */
    uint64_t back = frames_free_owner(vmm_proc_owner(p), p->frame_lo, p->frame_hi);
    p->frame_lo = p->frame_hi = 0;
    if (back != p->mapped_pages + p->tables)
        vmm_say(p, "accounting error: %lu frames back, %lu pages and %lu tables counted", (unsigned long)back,
                (unsigned long)p->mapped_pages, (unsigned long)p->tables);
    for (unsigned l = 0; l < PMAP_LEAVES; l++) {
        if (p->pmap[l])
            frames_free(window_pa(p->pmap[l]));
        p->pmap[l] = NULL;
    }
    for (unsigned w = 0; w < SPAN_WORDS; w++)
        p->span_acct[w] = p->span_made[w] = 0;
    p->upper_acct = p->upper_made = false;
    frames_unpromise(p->promised);
    vmm_nodes.held -= p->ncached;
    p->ncached = 0;
    region_destroy(&p->regions);
    p->leaves = p->reserved_pages = p->mapped_pages = p->committed = p->promised = p->tables = 0;
    p->live = false;
    p->inject_in = 0;
}
