/*
 * The vmm's side of idl/vmm.idl.  Each handler works in three steps, so
 * that a request it cannot honour leaves the process exactly as it was:
 *
 *   decode   check every argument (the generated dispatch has already
 *            checked the message itself) and read the page map: no change;
 *   reserve  take from the supply everything the request may need: quota,
 *            frames (pages, tables, page-map leaves), region nodes; each
 *            can fail, and nothing has changed yet;
 *   act      change the region set, the page map and the page tables;
 *            nothing here fails for want of memory.
 *
 * Clients are known by the kernel-stamped badge, kernel messages by the
 * pid in theirs.  Memory is mapped on first touch: mmap commits pages
 * (charging the quota and promising a frame for each, see vmm.h) and a
 * fault on a committed page maps a zeroed frame from its promise.
 */
#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/pager.h>
#include <idl/kernel_client.h>

#include "handlers.h"
#include "vmm.h"

#define PROT_RWX  (AK_PROT_READ | AK_PROT_WRITE | AK_PROT_EXEC)
#define MAP_KNOWN (AK_MAP_SHARED | AK_MAP_PRIVATE | AK_MAP_FIXED | AK_MAP_ANONYMOUS | \
                   AK_MAP_FIXED_NOREPLACE | AK_MAP_POPULATE | AK_MAP_ALIGNMENT_MASK)
#define ALIGN_SHIFT_MIN 12u   /* a page */
#define ALIGN_SHIFT_MAX 30u   /* 1 GiB */

/* len (at most the area's size, so this cannot wrap) in pages. */
static uint64_t pages_of(uint64_t len)
{
    return (len + VMM_PAGE - 1) / VMM_PAGE;
}

/* [addr, addr + size) is page-aligned and inside the mmap area. */
static bool in_area(uint64_t addr, uint64_t size)
{
    return (addr & (VMM_PAGE - 1)) == 0 && addr >= vmm.lo && addr <= vmm.hi &&
           size <= vmm.hi - addr;
}

/*
 * Decodes a client's range: len is not 0 and at most the area's size
 * (longer lengths, up to 2^64 - 1, would wrap when rounded to pages),
 * and the rounded range lies in the area.  0 with *size, or -AK_EINVAL.
 */
static int range_of(uint64_t addr, uint64_t len, uint64_t *size)
{
    if (len == 0 || len > vmm.hi - vmm.lo)
        return -AK_EINVAL;
    *size = pages_of(len) * VMM_PAGE;
    return in_area(addr, *size) ? 0 : -AK_EINVAL;
}

/* The protection the vmm maps for prot: WRITE or EXEC alone imply READ, as on Linux. */
static int decode_prot(uint32_t prot, uint32_t *out)
{
    if (prot & ~PROT_RWX)
        return -AK_EINVAL;
    if ((prot & AK_PROT_WRITE) && (prot & AK_PROT_EXEC))
        return -AK_EACCES;
    *out = prot == AK_PROT_NONE ? AK_PROT_NONE : prot | AK_PROT_READ;
    return 0;
}

/* A page charged to the quota: reserved, and touchable or holding a frame. */
static bool charged(uint8_t e)
{
    return (e & PM_RESERVED) && (e & (PM_PROT | PM_PRESENT));
}

/* The client calling, or NULL if the badge names no live process. */
static vmm_proc_t *client(uint64_t badge)
{
    vmm_proc_t *p = vmm_proc_by_badge(badge);
    return p && p->live ? p : NULL;
}

/* Serving p: the seam counts its supply requests. */
static void begin(vmm_proc_t *p)
{
    vmm.current = p;
}

/* The request is over: what it reserved and did not use goes back. */
static int end(int rc)
{
    vmm_frames.reserved = 0;
    if (nodes_spare() > 1)
        nodes_end_request();
    vmm.current = NULL;
    return rc;
}

/* ---- reserve: quota, frames, nodes, each refusal said in one line ---- */

/*
 * The usual case of every request at once: the quota holds, no failure
 * is armed, the slab has the nodes and the pool the frames.  True when
 * it reserved them; false sends the caller through the steps below,
 * which say why they refuse.
 */
static bool reserve_at_once(const vmm_proc_t *p, uint64_t committed_after, uint64_t nodes, uint64_t frames)
{
    if (committed_after > p->quota || p->inject_in != 0 || nodes_free() < nodes || frames_available() < frames)
        return false;
    vmm_frames.reserved += frames;
    return true;
}

static int reserve_quota(vmm_proc_t *p, uint64_t committed_after)
{
    if (committed_after <= p->quota)
        return 0;
    return vmm_refuse(p, -AK_ENOMEM, "out of frames (quota %lu pages)", (unsigned long)p->quota);
}

static int reserve_frames(vmm_proc_t *p, uint64_t n)
{
    uint64_t before = p->inject_in;
    if (frames_reserve(n) == 0)
        return 0;
    if (before == 1)
        return vmm_refuse(p, -AK_ENOMEM, "out of frames (injected failure)");
    return vmm_refuse(p, -AK_ENOMEM, "out of frames (%lu pages wanted, %lu available)", (unsigned long)n,
                      (unsigned long)frames_available());
}

static int reserve_nodes(vmm_proc_t *p, uint64_t n)
{
    uint64_t before = p->inject_in;
    if (nodes_reserve(n) == 0)
        return 0;
    return vmm_refuse(p, -AK_ENOMEM, "out of bookkeeping (%lu region nodes%s)", (unsigned long)n,
                      before && before <= 2 ? ", injected failure" : "");
}

/* ---- the page map, walked over a range --------------------------------- */

typedef struct range_scan {
    uint64_t reserved;      /* pages reserved */
    uint64_t present;       /* ... with a frame */
    uint64_t charged;       /* ... charged to the quota */
    uint64_t free_runs;     /* maximal runs of unreserved pages */
    uint64_t used_runs;     /* maximal runs of reserved pages */
} range_scan_t;

static void scan(const vmm_proc_t *p, uint64_t addr, uint64_t size, range_scan_t *s)
{
    *s = (range_scan_t){ 0 };
    bool prev_used = false;
    for (uint64_t va = addr; va < addr + size; va += VMM_PAGE) {
        uint8_t e = pmap_get(p, va);
        bool used = e & PM_RESERVED;
        if (used) {
            s->reserved++;
            s->present += (e & PM_PRESENT) != 0;
            s->charged += charged(e);
        }
        if (va == addr || used != prev_used)
            *(used ? &s->used_runs : &s->free_runs) += 1;
        prev_used = used;
    }
}

/*
 * Calls fn(p, start, len) for each maximal run of pages of [addr,
 * addr + size) whose reservation is `used`; stops at the first non-zero
 * return and returns it.
 */
static int each_run(vmm_proc_t *p, uint64_t addr, uint64_t size, bool used,
                    int (*fn)(vmm_proc_t *p, uint64_t start, uint64_t len))
{
    uint64_t run = 0, end_va = addr + size;
    bool in_run = false;
    for (uint64_t va = addr; va <= end_va; va += VMM_PAGE) {
        bool match = va < end_va && ((pmap_get(p, va) & PM_RESERVED) != 0) == used;
        if (match && !in_run) {
            run = va;
            in_run = true;
        } else if (!match && in_run) {
            int rc = fn(p, run, va - run);
            if (rc != 0)
                return rc;
            in_run = false;
        }
    }
    return 0;
}

static int run_is_free(vmm_proc_t *p, uint64_t start, uint64_t len)
{
    return region_is_free(&p->regions, start, len) ? 0 : -AK_EEXIST;
}

static int run_reserve(vmm_proc_t *p, uint64_t start, uint64_t len)
{
    return region_reserve(&p->regions, start, len);
}

static int run_free(vmm_proc_t *p, uint64_t start, uint64_t len)
{
    return region_free(&p->regions, start, len);
}

/* ---- act ------------------------------------------------------------- */

/*
 * Takes back every reserved page of [addr, addr + size): frames to the
 * pool, promises given back, the quota uncharged, entries cleared.  The
 * region set is the caller's business.
 */
static void release_pages(vmm_proc_t *p, uint64_t addr, uint64_t size)
{
    /*
     * Frames are taken back by runs of at most AK_ASPACE_RANGE_MAX pages,
     * each starting at a page with a frame: one invocation per run.
     */
    uint64_t unpromise = 0, first = 0, n = 0;
    for (uint64_t va = addr; va < addr + size; va += VMM_PAGE) {
        uint8_t e = pmap_get(p, va);
        if (!(e & PM_RESERVED))
            continue;
        if (e & PM_PRESENT) {
            if (n && va - first >= AK_ASPACE_RANGE_MAX * VMM_PAGE) {
                space_unmap_range(p, first, n);
                n = 0;
            }
            if (!n)
                first = va;
            n = (va - first) / VMM_PAGE + 1;
        } else if (charged(e)) {
            unpromise++;
        }
        p->committed -= charged(e);
        p->reserved_pages--;
        pmap_set(p, va, 0);
    }
    if (n)
        space_unmap_range(p, first, n);
    if (unpromise) {
        frames_unpromise(unpromise);
        p->promised -= unpromise;
    }
}

/*
 * Makes [va, va + size), already taken in the region set, a mapping with
 * prot: page-map entries, a promise per touchable page, or a frame under
 * each at once if populate.  The frames were reserved by the caller.
 */
static void commit_pages(vmm_proc_t *p, uint64_t va, uint64_t size, uint32_t prot, bool populate)
{
    space_prepare(p, va, size);
    uint64_t npages = size / VMM_PAGE, promise = 0;
    for (uint64_t a = va, left = npages; left;) {
        /* Populated AK_ASPACE_RANGE_MAX pages to a kernel invocation. */
        uint64_t n = left < AK_ASPACE_RANGE_MAX ? left : AK_ASPACE_RANGE_MAX;
        uint8_t e = (uint8_t)(PM_RESERVED | prot);
        int rc = !populate ? -AK_EINVAL
                 : n == 1  ? space_map_fresh(p, a, prot, FROM_RESERVED)
                           : space_map_fresh_range(p, a, n, prot, FROM_RESERVED);
        if (rc == 0)
            e |= PM_PRESENT;
        else if (prot != AK_PROT_NONE)
            promise += n;  /* pages populate could not map (the kernel refused) are touched later */
        for (uint64_t i = 0; i < n; i++, a += VMM_PAGE)
            pmap_set(p, a, e);
        left -= n;
    }
    if (promise) {
        frames_promise(promise);
        p->promised += promise;
    }
    p->committed += prot != AK_PROT_NONE ? npages : 0;
    p->reserved_pages += npages;
}

/* ---- handlers ---------------------------------------------------------- */

/*
 * mmap of one page anywhere, the usual case of page-mode malloc, when
 * everything is at hand (the caller checked reserve_at_once's terms for
 * the worst case): mmap_anywhere's steps without the loops.
 */
static int map_one(vmm_proc_t *p, uint64_t hint, uint32_t prot, bool populate, uint64_t *out_addr)
{
    uint64_t va = 0;
    if (p->ncached && !hint) {
        /* The last page unmapped, still taken in the region set: no walk. */
        va = p->cache[--p->ncached];
        vmm_nodes.held--;
    } else {
        int rc = region_alloc(&p->regions, VMM_PAGE, VMM_PAGE, hint, &va);
        if (rc == -AK_ENOMEM)
            return vmm_refuse(p, rc, "no free region of 0x%lx bytes in 0x%lx-0x%lx", (unsigned long)VMM_PAGE,
                              (unsigned long)vmm.lo, (unsigned long)vmm.hi);
        if (rc != 0)
            return rc;
    }
    uint64_t commit = prot != AK_PROT_NONE;
    if (space_ready(p, va)) {
        vmm_frames.reserved = commit;
    } else {
        vmm_frames.reserved = space_frames_needed(p, va, VMM_PAGE) + commit;
        space_prepare(p, va, VMM_PAGE);
    }
    uint8_t e = (uint8_t)(PM_RESERVED | prot);
    if (populate && space_map_fresh(p, va, prot, FROM_RESERVED) == 0) {
        e |= PM_PRESENT;
    } else if (commit) {
        frames_promise(1);
        p->promised++;
    }
    pmap_set(p, va, e);
    p->committed += commit;
    p->reserved_pages++;
    vmm_frames.reserved = 0;
    *out_addr = va;
    return 0;
}

static inline __attribute__((always_inline)) int mmap_anywhere(vmm_proc_t *p, uint64_t hint, uint64_t size, uint64_t align, uint32_t prot,
                         bool populate, uint64_t *out_addr)
{
    uint64_t commit = prot != AK_PROT_NONE ? size / VMM_PAGE : 0;
    uint64_t frames = space_frames_bound(size) + commit;
    hint = in_area(hint, size) ? hint : 0;
    bool one = size == VMM_PAGE && align == VMM_PAGE;
    if (!one || hint)
        vmm_cache_flush(p); /* the region set decides: it must see every free page */
    if (one && p->committed + commit <= p->quota && p->inject_in == 0 && nodes_free() != 0 &&
        frames_available() >= frames)
        return map_one(p, hint, prot, populate, out_addr);
    if (!reserve_at_once(p, p->committed + commit, 1, frames)) {
        int rc = reserve_quota(p, p->committed + commit);
        if (rc == 0)
            rc = reserve_nodes(p, 1);
        if (rc == 0)
            rc = reserve_frames(p, frames);
        if (rc != 0)
            return rc;
    }
    uint64_t va = 0;
    int rc = region_alloc(&p->regions, size, align, hint, &va);
    if (rc == -AK_ENOMEM)
        return vmm_refuse(p, rc, "no free region of 0x%lx bytes in 0x%lx-0x%lx", (unsigned long)size,
                          (unsigned long)vmm.lo, (unsigned long)vmm.hi);
    if (rc != 0)
        return rc;
    commit_pages(p, va, size, prot, populate);
    *out_addr = va;
    return 0;
}

static int mmap_fixed(vmm_proc_t *p, uint64_t addr, uint64_t size, uint32_t prot, bool populate,
                      bool noreplace)
{
    vmm_cache_flush(p); /* a cached page is free to the process: the region set must say so */
    range_scan_t s;
    scan(p, addr, size, &s);
    if (noreplace && s.reserved)
        return -AK_EEXIST;
    /* What is free must be free in the region set too: vmm-bump never frees. */
    int rc = each_run(p, addr, size, false, run_is_free);
    if (rc != 0)
        return rc;
    uint64_t commit = prot != AK_PROT_NONE ? size / VMM_PAGE : 0;
    rc = reserve_quota(p, p->committed - s.charged + commit);
    if (rc == 0)
        rc = reserve_nodes(p, s.free_runs);
    if (rc == 0)
        rc = reserve_frames(p, space_frames_needed(p, addr, size) + commit);
    if (rc != 0)
        return rc;
    /*
     * Act: the free runs are taken (nodes reserved; read from the page map
     * before the old pages leave it), the old pages go, the new ones come.
     */
    each_run(p, addr, size, false, run_reserve);
    release_pages(p, addr, size);
    commit_pages(p, addr, size, prot, populate);
    return 0;
}

/*
 * The usual request of page-mode malloc, served alone: one read-write page
 * anywhere, populated, with a page of the cache at hand and everything
 * mmap_anywhere would check for it available.  A cached page was mapped
 * before, so its page-map leaf and its tables are there (space_ready
 * holds): nothing to decode, reserve or prepare.  The same result as
 * mmap_anywhere's map_one, without the steps that cannot apply.
 */
#define MMAP_PAGE_FLAGS (AK_MAP_PRIVATE | AK_MAP_ANONYMOUS | AK_MAP_POPULATE)
#define MMAP_PAGE_PROT  (AK_PROT_READ | AK_PROT_WRITE)

static bool cached_page_at_hand(const vmm_proc_t *p, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags)
{
    return addr == 0 && len - 1 < VMM_PAGE && flags == MMAP_PAGE_FLAGS && prot == MMAP_PAGE_PROT &&
           p->ncached != 0 && p->committed < p->quota && p->inject_in == 0 && nodes_free() != 0 &&
           frames_available() >= space_frames_bound(VMM_PAGE) + 1;
}

static int mmap_cached_page(vmm_proc_t *p, uint64_t *out_addr)
{
    p->mmap_calls++;
    uint64_t va = p->cache[--p->ncached];
    vmm_nodes.held--;
    vmm_frames.reserved = 1;
    uint8_t e = PM_RESERVED | MMAP_PAGE_PROT;
    if (space_map_fresh(p, va, MMAP_PAGE_PROT, FROM_RESERVED) == 0) {
        e |= PM_PRESENT;
    } else {
        frames_promise(1);
        p->promised++;
    }
    pmap_set(p, va, e);
    p->committed++;
    p->reserved_pages++;
    vmm_frames.reserved = 0;
    *out_addr = va;
    return 0;
}

static __attribute__((noinline)) int mmap_general(vmm_proc_t *p, uint64_t addr, uint64_t len, uint32_t prot,
                                                  uint32_t flags, uint64_t *out_addr)
{
    p->mmap_calls++;

    /* Decode. */
    if (len == 0 || len > vmm.hi - vmm.lo || (prot & ~PROT_RWX) || (flags & ~MAP_KNOWN))
        return -AK_EINVAL;
    if ((flags & (AK_MAP_SHARED | AK_MAP_PRIVATE)) != AK_MAP_PRIVATE || !(flags & AK_MAP_ANONYMOUS))
        return -AK_EINVAL; /* private anonymous memory is all there is */
    uint32_t mprot;
    int rc = decode_prot(prot, &mprot);
    if (rc != 0)
        return rc;
    uint64_t size = pages_of(len) * VMM_PAGE;
    unsigned shift = (flags & AK_MAP_ALIGNMENT_MASK) >> AK_MAP_ALIGNMENT_SHIFT;
    if (shift && (shift < ALIGN_SHIFT_MIN || shift > ALIGN_SHIFT_MAX))
        return -AK_EINVAL;
    uint64_t align = shift ? UINT64_C(1) << shift : VMM_PAGE;
    bool fixed = flags & (AK_MAP_FIXED | AK_MAP_FIXED_NOREPLACE);
    if (fixed && (!in_area(addr, size) || (addr & (align - 1))))
        return -AK_EINVAL;
    bool populate = (flags & AK_MAP_POPULATE) && mprot != AK_PROT_NONE;

    begin(p);
    if (fixed) {
        rc = mmap_fixed(p, addr, size, mprot, populate, flags & AK_MAP_FIXED_NOREPLACE);
        if (rc == 0)
            *out_addr = addr;
    } else {
        rc = mmap_anywhere(p, addr, size, align, mprot, populate, out_addr);
    }
    return end(rc);
}

static int on_mmap(void *ctx, uint64_t badge, uint64_t addr, uint64_t len, uint32_t prot,
                   uint32_t flags, uint64_t *out_addr)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p)
        return -AK_EPERM;
    if (cached_page_at_hand(p, addr, len, prot, flags))
        return mmap_cached_page(p, out_addr);
    return mmap_general(p, addr, len, prot, flags, out_addr);
}

/*
 * munmap of one page, the usual case of page-mode malloc: the steps of
 * on_munmap with nothing to walk.  The slab has the node region_free may
 * take, so nothing here can fail.
 */
static int unmap_one(vmm_proc_t *p, uint64_t va)
{
    uint8_t e = pmap_get(p, va);
    if (!(e & PM_RESERVED))
        return 0;
    if (region_reuses_va && p->ncached < VMM_PAGE_CACHE) {
        /* Kept for the next one-page mmap, with a node held for its region_free. */
        p->cache[p->ncached++] = va;
        vmm_nodes.held++;
    } else {
        region_free(&p->regions, va, VMM_PAGE);
        if (nodes_spare() > 1)
            nodes_end_request();  /* the node it gave back may have emptied a slab page */
    }
    bool was_charged = charged(e);
    if (e & PM_PRESENT) {
        space_unmap_page(p, va);
    } else if (was_charged) {
        frames_unpromise(1);
        p->promised--;
    }
    p->committed -= was_charged;
    p->reserved_pages--;
    pmap_set(p, va, 0);
    return 0;
}

static __attribute__((noinline)) int munmap_general(vmm_proc_t *p, uint64_t addr, uint64_t len)
{
    p->munmap_calls++;
    uint64_t size;
    int rc = range_of(addr, len, &size);
    if (rc != 0)
        return rc;
    if (size == VMM_PAGE && nodes_free() != 0 && p->inject_in == 0)
        return unmap_one(p, addr);
    begin(p);
    range_scan_t s;
    scan(p, addr, size, &s);
    if (!reserve_at_once(p, 0, s.used_runs, 0)) {
        rc = reserve_nodes(p, s.used_runs);
        if (rc != 0)
            return end(rc);
    }
    /*
     * Act: every run of it in use goes back to the free regions (nodes
     * reserved), and its pages.  Usually the range is one whole mapping.
     */
    if (s.reserved == size / VMM_PAGE)
        region_free(&p->regions, addr, size);
    else
        each_run(p, addr, size, true, run_free);
    release_pages(p, addr, size);
    return end(0);
}

static int on_munmap(void *ctx, uint64_t badge, uint64_t addr, uint64_t len)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p)
        return -AK_EPERM;
    /* One page of the area (range_of's checks for it), the usual case: served alone. */
    if (len - 1 < VMM_PAGE && (addr & (VMM_PAGE - 1)) == 0 && addr >= vmm.lo && addr < vmm.hi &&
        nodes_free() != 0 && p->inject_in == 0) {
        p->munmap_calls++;
        return unmap_one(p, addr);
    }
    return munmap_general(p, addr, len);
}

/* Applies prot to the run of pages with frames [start, start + len). */
static int protect_run(vmm_proc_t *p, uint64_t start, uint64_t len, uint32_t prot)
{
    return len ? aspace_protect(p->aspace_slot, start, len / VMM_PAGE, prot) : 0;
}

static int on_mprotect(void *ctx, uint64_t badge, uint64_t addr, uint64_t len, uint32_t prot)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p)
        return -AK_EPERM;
    uint64_t size;
    uint32_t mprot;
    int rc = range_of(addr, len, &size);
    if (rc == 0)
        rc = decode_prot(prot, &mprot);
    if (rc != 0)
        return rc;

    /* Decode: every page must be mapped; count what the quota gains and loses. */
    uint64_t gain = 0, lose = 0;
    for (uint64_t va = addr; va < addr + size; va += VMM_PAGE) {
        uint8_t e = pmap_get(p, va);
        if (!(e & PM_RESERVED))
            return -AK_ENOMEM;
        if (e & PM_PRESENT)
            continue;
        gain += (e & PM_PROT) == 0 && mprot != AK_PROT_NONE;
        lose += (e & PM_PROT) != 0 && mprot == AK_PROT_NONE;
    }
    begin(p);
    rc = reserve_quota(p, p->committed + gain);
    if (rc == 0)
        rc = reserve_frames(p, gain);
    if (rc != 0)
        return end(rc);

    /* Act: pages with frames change in the page tables, by runs; the rest only in the map. */
    uint64_t run = addr;
    for (uint64_t va = addr; va < addr + size; va += VMM_PAGE) {
        uint8_t e = pmap_get(p, va);
        if (!(e & PM_PRESENT)) {
            if (rc == 0)
                rc = protect_run(p, run, va - run, mprot);
            run = va + VMM_PAGE;
        }
        pmap_set(p, va, (uint8_t)((e & ~PM_PROT) | mprot));
    }
    if (rc == 0)
        rc = protect_run(p, run, addr + size - run, mprot);
    frames_promise(gain);
    frames_unpromise(lose);
    p->promised = p->promised + gain - lose;
    p->committed = p->committed + gain - lose;
    return end(rc);
}

static int on_stats(void *ctx, uint64_t badge, uint64_t *nodes, uint64_t *mapped_pages,
                    uint64_t *holes, uint64_t *largest_hole, uint64_t *bump,
                    uint64_t *frames_free, uint64_t *frames_total, uint64_t *mmap_calls,
                    uint64_t *munmap_calls, uint64_t *reserved_pages, uint64_t *committed,
                    uint64_t *peak, uint64_t *quota, uint64_t *tables, uint64_t *frames_in_use,
                    uint64_t *frames_vmm, uint64_t *refusals, uint64_t *frames_vmm_start)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p)
        return -AK_EPERM;
    vmm_cache_flush(p);
    region_stats_t st;
    region_stats(&p->regions, &st);
    *nodes = st.nodes;
    *mapped_pages = p->mapped_pages;
    *holes = st.holes;
    *largest_hole = st.largest_hole;
    *bump = st.bump;
    *frames_free = vmm_frames.nfree;
    *frames_total = vmm_frames.nframes;
    *mmap_calls = p->mmap_calls;
    *munmap_calls = p->munmap_calls;
    *reserved_pages = p->reserved_pages;
    *committed = p->committed;
    *peak = p->peak;
    *quota = p->quota;
    *tables = p->tables;
    *frames_vmm = vmm_frames.vmm_held;
    *frames_in_use = frames_used();
    *refusals = p->refusals;
    *frames_vmm_start = vmm.vmm_held_start;
    return 0;
}

static int on_inject(void *ctx, uint64_t badge, uint64_t after)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p || !vmm.inject_enabled)
        return -AK_EPERM;
    p->inject_in = after;
    return 0;
}

/* ---- init's calls: badge 0 is init's (vmm.idl) ---- */

/* The most frames a process could ever get from this vmm: all it did not keep for itself. */
static uint64_t quota_max(void)
{
    return vmm_frames.nframes - vmm.vmm_held_start;
}

static int on_adopt(void *ctx, uint64_t badge, uint32_t pid, uint32_t aspace_slot, uint64_t client_badge,
                    uint64_t quota, const char *name)
{
    (void)ctx;
    if (badge != 0)
        return -AK_EPERM;
    return clients_adopt(pid, aspace_slot, client_badge, quota, name, quota_max());
}

static int on_usage(void *ctx, uint64_t badge, uint32_t pid, uint64_t *frames, uint64_t *quota)
{
    (void)ctx;
    if (badge != 0)
        return -AK_EPERM;
    const vmm_proc_t *p = vmm_proc_by_pid(pid);
    if (!p)
        return -AK_ESRCH;
    *frames = p->mapped_pages + p->tables;
    *quota = p->quota;
    return 0;
}

static int on_disown(void *ctx, uint64_t badge, uint32_t pid)
{
    (void)ctx;
    return badge != 0 ? -AK_EPERM : clients_disown(pid);
}

/* The whole vmm, for init's vmms(): its frames, their peak, whom it serves and their free regions. */
static int on_totals(void *ctx, uint64_t badge, uint64_t *frames_total, uint64_t *frames_free,
                     uint64_t *frames_in_use, uint64_t *frames_vmm, uint64_t *peak, uint64_t *clients,
                     uint64_t *regions)
{
    (void)ctx;
    if (badge != 0)
        return -AK_EPERM;
    *frames_total = vmm_frames.nframes;
    *frames_free = vmm_frames.nfree;
    *frames_in_use = frames_used();
    *frames_vmm = vmm_frames.vmm_held;
    *peak = vmm_frames.peak_in_use;
    /* The processes it pages now (between START and EXIT), and their free-region structures' nodes. */
    uint64_t n = 0, nodes = 0;
    for (unsigned i = 0; i < vmm.nprocs; i++) {
        const vmm_proc_t *p = &vmm.procs[i];
        if (!p->used || !p->live)
            continue;
        region_stats_t st;
        region_stats(&p->regions, &st);
        n++;
        nodes += st.nodes;
    }
    *clients = n;
    *regions = nodes;
    return 0;
}

/* The process a kernel message is about: its badge names it, and so must the message. */
static vmm_proc_t *sender(uint64_t badge, uint64_t pid)
{
    uint64_t from = badge & ~AK_PAGER_BADGE_BIT;
    return from == pid ? vmm_proc_by_pid(pid) : NULL;
}

static int on_start(void *ctx, uint64_t badge, uint32_t pid)
{
    (void)ctx;
    vmm_proc_t *p = sender(badge, pid);
    if (!p)
        return -AK_ESRCH; /* not one of ours: it does not start */
    begin(p);
    int rc = nodes_reserve(1);
    if (rc == 0)
        rc = region_init(&p->regions, vmm.lo, vmm.hi, &vmm_region_mem);
    if (rc != 0)
        return end(rc);
    p->live = true;
    p->mapped_pages = p->mmap_calls = p->munmap_calls = p->peak = p->refusals = 0;
    return end(0);
}

static int on_fault(void *ctx, uint64_t badge, uint64_t far, uint64_t esr, uint64_t elr,
                    uint8_t access)
{
    (void)ctx;
    (void)esr;
    (void)elr;
    vmm_proc_t *p = vmm_proc_by_pid(badge & ~AK_PAGER_BADGE_BIT);
    if (!p || !p->live)
        return -AK_EFAULT;
    /*
     * A first touch of a committed page within its protection is served;
     * anything else (outside every mapping, against the protection, a page
     * that already has its frame, an exception that is not an access) is
     * refused, and the kernel kills the process with its fault line.
     */
    uint64_t va = far & ~(uint64_t)(VMM_PAGE - 1);
    if (!in_area(va, VMM_PAGE) || access == 0 || (access & ~PROT_RWX))
        return -AK_EFAULT;
    uint8_t e = pmap_get(p, va);
    if (!(e & PM_RESERVED) || (e & PM_PRESENT) || (access & ~(e & PM_PROT)))
        return -AK_EFAULT;
    begin(p);
    int rc = space_map_fresh(p, va, e & PM_PROT, FROM_PROMISED);
    if (rc != 0)
        return end(vmm_refuse(p, -AK_EFAULT, "cannot serve a fault at 0x%lx: error %d", (unsigned long)far, rc));
    pmap_set(p, va, (uint8_t)(e | PM_PRESENT));
    return end(0);
}

static int on_exit(void *ctx, uint64_t badge, uint32_t pid, uint64_t status)
{
    (void)ctx;
    (void)status;
    vmm_proc_t *p = sender(badge, pid);
    if (p && p->live) {
        vmm_refusals_summary(p);
        space_reclaim(p);
        nodes_end_request();
    }
    if (p && p->adopted)
        clients_forget(p);
    return 0;
}

const vmm_handlers_t vmm_handlers = {
    .mmap = on_mmap,
    .munmap = on_munmap,
    .mprotect = on_mprotect,
    .stats = on_stats,
    .inject = on_inject,
    .adopt = on_adopt,
    .usage = on_usage,
    .disown = on_disown,
    .totals = on_totals,
    .start = on_start,
    .fault = on_fault,
    .exit = on_exit,
};
