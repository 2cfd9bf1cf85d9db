/*
 * The vmm's side of idl/vmm.idl.  Each handler decodes and checks every
 * argument before it changes anything (the generated dispatch has already
 * checked the message itself), then acts; a request it cannot honour gets
 * an error and leaves the process's memory as it was.  Clients are known
 * by the kernel-stamped badge, kernel messages by the pid in theirs.
 */
#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/pager.h>
#include <idl/kernel_client.h>

#include "handlers.h"
#include "vmm.h"

#define PROT_RWX  (AK_PROT_READ | AK_PROT_WRITE | AK_PROT_EXEC)
#define MAP_KNOWN (AK_MAP_SHARED | AK_MAP_PRIVATE | AK_MAP_FIXED | AK_MAP_ANONYMOUS | \
                   AK_MAP_FIXED_NOREPLACE | AK_MAP_ALIGNMENT_MASK)
#define ALIGN_SHIFT_MIN 12u   /* a page */
#define ALIGN_SHIFT_MAX 30u   /* 1 GiB */

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

/* The client calling, or NULL if the badge names no live process. */
static vmm_proc_t *client(uint64_t badge)
{
    vmm_proc_t *p = vmm_proc_by_badge(badge);
    return p && p->live ? p : NULL;
}

/*
 * Unmaps every page of [addr, addr + size) the process holds and returns
 * those runs to its free regions; free parts are skipped.
 */
static int unmap_range(vmm_proc_t *p, uint64_t addr, uint64_t size)
{
    /*
     * Usually the whole range is in use (what one mmap returned).  Then
     * region_free, which refuses a range with a free page in it, accepts
     * it at once: one search of the free regions instead of one per page
     * and one per run.  Every page of it is then taken back (a page
     * reserved with PROT_NONE has no frame: take finds nothing).  The
     * kernel refuses take only for a range that is not a live process's
     * user memory, which an in-area range of a client is.
     */
    if (region_free(&p->regions, addr, size) == 0) {
        for (uint64_t va = addr; va < addr + size; va += VMM_PAGE) {
            int rc = space_unmap_page(p, va);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    uint64_t end = addr + size, run = 0;
    bool in_run = false;
    for (uint64_t va = addr; va <= end; va += VMM_PAGE) {
        bool used = va < end && !region_is_free(&p->regions, va, VMM_PAGE);
        if (used) {
            int rc = space_unmap_page(p, va);
            if (rc != 0)
                return rc;
            if (!in_run) {
                run = va;
                in_run = true;
            }
        } else if (in_run) {
            int rc = region_free(&p->regions, run, va - run);
            if (rc != 0)
                return rc;
            in_run = false;
        }
    }
    return 0;
}

static int on_mmap(void *ctx, uint64_t badge, uint64_t addr, uint64_t len, uint32_t prot,
                   uint32_t flags, uint64_t *out_addr)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p)
        return -AK_EPERM;
    p->mmap_calls++;

    /* Decode. */
    if (len == 0 || len > vmm.hi - vmm.lo || (prot & ~PROT_RWX) || (flags & ~MAP_KNOWN))
        return -AK_EINVAL;
    if ((flags & (AK_MAP_SHARED | AK_MAP_PRIVATE)) != AK_MAP_PRIVATE || !(flags & AK_MAP_ANONYMOUS))
        return -AK_EINVAL; /* private anonymous memory is all there is */
    if ((prot & AK_PROT_WRITE) && (prot & AK_PROT_EXEC))
        return -AK_EACCES;
    uint64_t size = pages_of(len) * VMM_PAGE;
    unsigned shift = (flags & AK_MAP_ALIGNMENT_MASK) >> AK_MAP_ALIGNMENT_SHIFT;
    if (shift && (shift < ALIGN_SHIFT_MIN || shift > ALIGN_SHIFT_MAX))
        return -AK_EINVAL;
    uint64_t align = shift ? UINT64_C(1) << shift : VMM_PAGE;
    bool fixed = flags & (AK_MAP_FIXED | AK_MAP_FIXED_NOREPLACE);
    if (fixed && (!in_area(addr, size) || (addr & (align - 1))))
        return -AK_EINVAL;

    /* Find the place. */
    uint64_t va = addr;
    int rc;
    if (fixed) {
        if (!region_is_free(&p->regions, addr, size)) {
            if (flags & AK_MAP_FIXED_NOREPLACE)
                return -AK_EEXIST;
            rc = unmap_range(p, addr, size);
            if (rc != 0)
                return rc;
        }
        rc = region_reserve(&p->regions, addr, size);
    } else {
        uint64_t hint = in_area(addr, size) ? addr : 0;
        rc = region_alloc(&p->regions, size, align, hint, &va);
    }
    if (rc != 0)
        return rc;

    /* Back it: a zeroed frame under every page (none for PROT_NONE). */
    for (uint64_t off = 0; prot != AK_PROT_NONE && off < size; off += VMM_PAGE) {
        rc = space_map_fresh(p, va + off, prot);
        if (rc != 0) {
            for (uint64_t undo = 0; undo < off; undo += VMM_PAGE)
                space_unmap_page(p, va + undo);
            region_free(&p->regions, va, size);
            return rc;
        }
    }
    *out_addr = va;
    return 0;
}

static int on_munmap(void *ctx, uint64_t badge, uint64_t addr, uint64_t len)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p)
        return -AK_EPERM;
    p->munmap_calls++;
    if (len == 0 || !in_area(addr, pages_of(len) * VMM_PAGE))
        return -AK_EINVAL;
    return unmap_range(p, addr, pages_of(len) * VMM_PAGE);
}

static int on_mprotect(void *ctx, uint64_t badge, uint64_t addr, uint64_t len, uint32_t prot)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p)
        return -AK_EPERM;
    uint64_t size = pages_of(len) * VMM_PAGE;
    if (len == 0 || !in_area(addr, size) || (prot & ~PROT_RWX))
        return -AK_EINVAL;
    if ((prot & AK_PROT_WRITE) && (prot & AK_PROT_EXEC))
        return -AK_EACCES;
    for (uint64_t va = addr; va < addr + size; va += VMM_PAGE)
        if (region_is_free(&p->regions, va, VMM_PAGE))
            return -AK_ENOMEM;
    for (uint64_t va = addr; va < addr + size; va += VMM_PAGE) {
        uint64_t pa;
        uint32_t old;
        int rc = aspace_query(p->aspace_slot, va, &pa, &old);
        if (rc == -AK_ENOENT) /* reserved with PROT_NONE: no frame until it is accessible */
            rc = prot == AK_PROT_NONE ? 0 : space_map_fresh(p, va, prot);
        else if (rc == 0) /* to PROT_NONE too: the frame, and so the contents, stay */
            rc = aspace_protect(p->aspace_slot, va, 1, prot);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int on_stats(void *ctx, uint64_t badge, uint64_t *nodes, uint64_t *mapped_pages,
                    uint64_t *holes, uint64_t *largest_hole, uint64_t *bump,
                    uint64_t *frames_free, uint64_t *frames_total, uint64_t *mmap_calls,
                    uint64_t *munmap_calls)
{
    (void)ctx;
    vmm_proc_t *p = client(badge);
    if (!p)
        return -AK_EPERM;
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
    int rc = region_init(&p->regions, vmm.lo, vmm.hi, &vmm_region_mem);
    if (rc != 0)
        return rc;
    p->live = true;
    p->mapped_pages = p->mmap_calls = p->munmap_calls = 0;
    return 0;
}

static int on_fault(void *ctx, uint64_t badge, uint64_t far, uint64_t esr, uint64_t elr,
                    uint8_t access)
{
    (void)ctx;
    (void)far;
    (void)esr;
    (void)elr;
    (void)access;
    (void)badge;
    /* Every page the vmm hands out is mapped at once: a fault is a bug of the program. */
    return -AK_EFAULT;
}

static int on_exit(void *ctx, uint64_t badge, uint32_t pid, uint64_t status)
{
    (void)ctx;
    (void)status;
    vmm_proc_t *p = sender(badge, pid);
    if (p && p->live)
        space_reclaim(p);
    return 0;
}

const vmm_handlers_t vmm_handlers = {
    .mmap = on_mmap,
    .munmap = on_munmap,
    .mprotect = on_mprotect,
    .stats = on_stats,
    .start = on_start,
    .fault = on_fault,
    .exit = on_exit,
};
