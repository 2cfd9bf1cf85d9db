/*
 * Address spaces (see vspace.h): the page table and the frame table kept
 * in step.
 *
 * Invariants of a live vspace, checked by vspace_check:
 * - every frame the page table maps is MAPPED, with one count per mapping
 *   in any vspace; every table frame (the root included) is TABLE and
 *   belongs to this vspace alone;
 * - npages and ntables count the mapped pages and the tables.
 * Each call checks its arguments first; a step that can still fail after
 * the frame table changed (pt_map, pt_install_table) is undone exactly.
 * Frames may turn FREE before the TLB invalidation that covers them has
 * been issued (pt_unmap of many pages, vspace_destroy), but always before
 * the call returns: the kernel is not preemptible and nothing can hand a
 * frame out again in between.  A count or state that cannot be undone is
 * a broken kernel invariant: panic.
 */
#include <ukernel/vspace.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <ukernel/kprintf.h>

/* Whether the whole frame at pa (page aligned) lies inside the range. */
static bool range_covers(const frame_range_t *r, paddr_t pa)
{
    return pa >= r->base && pa < r->end && r->end - pa >= PAGE_SIZE;
}

/* Whether [va, va + npages pages) is a non-empty aligned user range. */
static bool va_range_ok(vaddr_t va, size_t npages)
{
    return (va & PAGE_MASK) == 0 && va < PT_VA_END && npages != 0 &&
           npages <= (PT_VA_END - va) >> PAGE_SHIFT;
}

/* Whether [va, va + len) meets the pinned range or the device window, which only the kernel's own calls touch. */
static bool overlaps_pin(const vspace_t *vs, vaddr_t va, vaddr_t len)
{
    return (va < vs->pin_end && vs->pin_start < va + len) ||
           (va < AK_DEVICE_VA_MAX && AK_DEVICE_VA_MIN < va + len);
}

static bool in_device_window(vaddr_t va)
{
    return va >= AK_DEVICE_VA_MIN && va < AK_DEVICE_VA_MAX;
}

int vspace_init(vspace_t *vs, frame_table_t *frames, paddr_t root, unsigned asid)
{
    if (asid == 0 || asid > PT_ASID_MAX)
        return -AK_EINVAL;
    int err = frame_set_table(frames, root);
    if (err != 0)
        return err;
    pt_init_root(root);
    *vs = (vspace_t){
        .frames = frames,
        .root = root,
        .asid = asid,
        .ttbr = pt_ttbr(root, asid),
        .live = true,
        .ntables = 1,
    };
    return 0;
}

int vspace_map_device(vspace_t *vs, vaddr_t va, paddr_t pa, unsigned perms, unsigned *missing_level)
{
    if (!vs->live)
        return -AK_ESRCH;
    if (!in_device_window(va) || (perms != PT_READ && perms != (PT_READ | PT_WRITE)))
        return -AK_EINVAL;
    int err = pt_map(vs->root, va, pa, perms | PT_DEVICE, missing_level);
    if (err == 0)
        vs->npages++;
    return err;
}

int vspace_unmap_device(vspace_t *vs, vaddr_t va, paddr_t *pa)
{
    if (!vs->live)
        return -AK_ESRCH;
    if (!in_device_window(va) || (va & PAGE_MASK) != 0)
        return -AK_EINVAL;
    int err = pt_take(vs->root, vs->asid, va, pa);
    if (err == 0)
        vs->npages--;
    return err;
}

int vspace_pin(vspace_t *vs, vaddr_t start, vaddr_t end)
{
    if (!vs->live)
        return -AK_ESRCH;
    if (end <= start || !va_range_ok(start, (end - start) >> PAGE_SHIFT) ||
        (end & PAGE_MASK) != 0)
        return -AK_EINVAL;
    vs->pin_start = start;
    vs->pin_end = end;
    return 0;
}

/* vspace_map of a live vspace: one page, checked, all or nothing. */
static inline __attribute__((always_inline)) int map_page(vspace_t *vs, const frame_range_t *allowed, vaddr_t va,
                                                         paddr_t pa, unsigned perms, unsigned *missing_level)
{
    if (perms & PT_DEVICE)
        return -AK_EINVAL; /* device pages go through vspace_map_device alone */
    int err = pt_map_check(va, pa, perms);
    if (err != 0)
        return err;
    if (!range_covers(allowed, pa) || overlaps_pin(vs, va, PAGE_SIZE))
        return -AK_EPERM;
    err = frame_ref(vs->frames, pa);
    if (err != 0)
        return err;
    err = pt_map(vs->root, va, pa, perms, missing_level);
    if (err != 0) {
        if (frame_unref(vs->frames, pa) != 0)
            panic("vspace_map: frame 0x%lx lost the count just taken", pa);
        return err;
    }
    vs->npages++;
    return 0;
}

/*
 * Always inlined where its definition is visible: on the invocation path
 * (built for link-time optimisation, ukernel/module.mk) a map is then one
 * function with the frame table's and the page table's steps.
 */
__attribute__((always_inline)) int vspace_map(vspace_t *vs, const frame_range_t *allowed, vaddr_t va, paddr_t pa,
                                        unsigned perms, unsigned *missing_level)
{
    if (!vs->live)
        return -AK_ESRCH;
    return map_page(vs, allowed, va, pa, perms, missing_level);
}

/* pt_unmap callback: one mapping fewer on the frame. */
static void unmap_page(void *ctx, vaddr_t va, paddr_t pa, unsigned perms)
{
    vspace_t *vs = ctx;
    (void)perms;
    if (frame_unref(vs->frames, pa) != 0)
        panic("vspace_unmap: frame 0x%lx mapped at 0x%lx is not MAPPED", pa, va);
    vs->npages--;
}

int vspace_unmap(vspace_t *vs, vaddr_t va, size_t npages)
{
    if (!vs->live)
        return -AK_ESRCH;
    if (!va_range_ok(va, npages))
        return -AK_EINVAL;
    if (overlaps_pin(vs, va, (vaddr_t)npages << PAGE_SHIFT))
        return -AK_EPERM;
    return pt_unmap(vs->root, vs->asid, va, npages, unmap_page, vs);
}

int vspace_map_range(vspace_t *vs, const frame_range_t *allowed, vaddr_t va, const paddr_t *pa,
                     size_t n, unsigned perms, unsigned *missing_level, vaddr_t *missing_va)
{
    if (!vs->live)
        return -AK_ESRCH;
    if (!va_range_ok(va, n))
        return -AK_EINVAL;
    for (size_t i = 0; i < n; i++) {
        vaddr_t page = va + ((vaddr_t)i << PAGE_SHIFT);
        int err = map_page(vs, allowed, page, pa[i], perms, missing_level);
        if (err == 0)
            continue;
        /* Undo: the pages before this one were mapped by this call alone. */
        if (i != 0 && pt_unmap(vs->root, vs->asid, va, i, unmap_page, vs) != (int)i)
            panic("vspace_map_range: %lu pages from 0x%lx could not be unmapped again", (unsigned long)i, va);
        if (err == -AK_ENOTABLE && missing_va != NULL)
            *missing_va = page;
        return err;
    }
    return 0;
}

/* What vspace_take_range's unmap records. */
typedef struct take_ctx {
    vspace_t *vs;
    vaddr_t va;
    paddr_t *pa;
} take_ctx_t;

/* pt_unmap callback of vspace_take_range: the frame recorded, then one mapping fewer. */
static void take_page(void *ctx, vaddr_t va, paddr_t pa, unsigned perms)
{
    const take_ctx_t *c = ctx;
    c->pa[(va - c->va) >> PAGE_SHIFT] = pa;
    unmap_page(c->vs, va, pa, perms);
}

int vspace_take_range(vspace_t *vs, vaddr_t va, size_t n, paddr_t *pa)
{
    if (!vs->live)
        return -AK_ESRCH;
    if (!va_range_ok(va, n))
        return -AK_EINVAL;
    if (overlaps_pin(vs, va, (vaddr_t)n << PAGE_SHIFT))
        return -AK_EPERM;
    for (size_t i = 0; i < n; i++)
        pa[i] = 0;
    take_ctx_t c = { vs, va, pa };
    return pt_unmap(vs->root, vs->asid, va, n, take_page, &c);
}

int vspace_take(vspace_t *vs, vaddr_t va, paddr_t *pa)
{
    if (!vs->live)
        return -AK_ESRCH;
    if (!va_range_ok(va, 1))
        return -AK_EINVAL;
    if (overlaps_pin(vs, va, PAGE_SIZE))
        return -AK_EPERM;
    paddr_t frame;
    int err = pt_take(vs->root, vs->asid, va, &frame);
    if (err != 0)
        return err;
    /* The TLB no longer holds the page: the frame may be counted down now. */
    unmap_page(vs, va, frame, 0);
    *pa = frame;
    return 0;
}

int vspace_protect(vspace_t *vs, vaddr_t va, size_t npages, unsigned perms)
{
    if (!vs->live)
        return -AK_ESRCH;
    if (!va_range_ok(va, npages) || (perms & PT_DEVICE))
        return -AK_EINVAL;
    int err = pt_map_check(va, 0, perms);
    if (err != 0)
        return err;
    if (overlaps_pin(vs, va, (vaddr_t)npages << PAGE_SHIFT))
        return -AK_EPERM;
    return pt_protect(vs->root, vs->asid, va, npages, perms);
}

int vspace_query(const vspace_t *vs, vaddr_t va, paddr_t *pa, unsigned *perms)
{
    if (!vs->live)
        return -AK_ESRCH;
    return pt_query(vs->root, va, pa, perms);
}

int vspace_supply_table(vspace_t *vs, const frame_range_t *allowed, vaddr_t va, unsigned level,
                        paddr_t pa)
{
    if (!vs->live)
        return -AK_ESRCH;
    if ((level != PT_LEVEL_MID && level != PT_LEVEL_LEAF) || va >= PT_VA_END ||
        (pa & PAGE_MASK) != 0)
        return -AK_EINVAL;
    if (!range_covers(allowed, pa))
        return -AK_EPERM;
    int err = frame_set_table(vs->frames, pa);
    if (err != 0)
        return err;
    err = pt_install_table(vs->root, va, level, pa);
    if (err != 0) {
        if (frame_clear_table(vs->frames, pa) != 0)
            panic("vspace_supply_table: frame 0x%lx lost the state just set", pa);
        return err;
    }
    vs->ntables++;
    return 0;
}

/* What vspace_destroy's table walk needs. */
typedef struct destroy_ctx {
    vspace_t *vs;
    vspace_table_fn *cb;
    void *ctx;
} destroy_ctx_t;

/* pt_walk callback of vspace_destroy's first pass: drop the mapping's count. */
static void destroy_page(void *ctx, vaddr_t va, paddr_t pa, unsigned perms)
{
    const destroy_ctx_t *d = ctx;
    if (perms & PT_DEVICE)
        return; /* no RAM frame: the device's owner forgets the mapping (device.h) */
    if (frame_unref(d->vs->frames, pa) != 0)
        panic("vspace_destroy: frame 0x%lx mapped at 0x%lx is not MAPPED", pa, va);
}

/* pt_walk callback of vspace_destroy's second pass: hand the table back. */
static void destroy_table(void *ctx, vaddr_t va, unsigned level, paddr_t table)
{
    const destroy_ctx_t *d = ctx;
    if (frame_clear_table(d->vs->frames, table) != 0)
        panic("vspace_destroy: table 0x%lx for 0x%lx is not a TABLE frame", table, va);
    if (d->cb != NULL)
        d->cb(d->ctx, table, level);
}

void vspace_destroy(vspace_t *vs, vspace_table_fn *cb, void *ctx)
{
    if (!vs->live)
        return;
    destroy_ctx_t d = { .vs = vs, .cb = cb, .ctx = ctx };
    /* Tables are released only after the ASID's translations are gone. */
    if (pt_walk(vs->root, destroy_page, NULL, &d) != 0)
        panic("vspace_destroy: malformed page table at 0x%lx", vs->root);
    pt_inval_asid(vs->asid);
    pt_walk(vs->root, NULL, destroy_table, &d);
    vs->live = false;
    vs->npages = 0;
    vs->ntables = 0;
}

/* Totals and verdict of vspace_check's walk. */
typedef struct check_ctx {
    const frame_table_t *frames;
    size_t npages, ntables;
    bool ok;
} check_ctx_t;

static void check_page(void *ctx, vaddr_t va, paddr_t pa, unsigned perms)
{
    check_ctx_t *c = ctx;
    c->npages++;
    /* A device page: in the window, device memory, and no RAM frame. */
    if (in_device_window(va) || (perms & PT_DEVICE)) {
        if (!in_device_window(va) || !(perms & PT_DEVICE) || frame_state(c->frames, pa, NULL) != FRAME_NONE)
            c->ok = false;
        return;
    }
    if (frame_state(c->frames, pa, NULL) != FRAME_MAPPED)
        c->ok = false;
}

static void check_table(void *ctx, vaddr_t va, unsigned level, paddr_t table)
{
    check_ctx_t *c = ctx;
    (void)va;
    (void)level;
    c->ntables++;
    if (frame_state(c->frames, table, NULL) != FRAME_TABLE)
        c->ok = false;
}

int vspace_check(const vspace_t *vs)
{
    if (!vs->live)
        return 0;
    if (vs->asid == 0 || vs->asid > PT_ASID_MAX || vs->pin_end < vs->pin_start)
        return -AK_EINVAL;
    check_ctx_t c = { .frames = vs->frames, .ok = true };
    if (pt_walk(vs->root, check_page, check_table, &c) != 0 || !c.ok ||
        c.npages != vs->npages || c.ntables != vs->ntables)
        return -AK_EINVAL;
    return 0;
}
