/*
 * In-kernel tests of user page tables on the real MMU (image kmem): an
 * address space built with vspace.h over a private frame table is put in
 * TTBR0 and accessed from EL1 through its user addresses, so the TLB is in
 * play.  Each test first reads an address, so that its translation is
 * cached, then changes the mapping and reads again: without the TLB
 * invalidation of pt_unmap (one page, or the whole ASID beyond
 * PT_PAGE_INVAL_MAX pages), of pt_take or of vspace_destroy, the second
 * read would still see the old frame.
 *
 * The frames are an array in the kernel's .bss, tracked by a frame table
 * of their own: nothing else uses them, and the kernel's own frame table
 * (built only with a boot image, which this image has not) is untouched.
 * Every test leaves every frame FREE and TTBR0 as it found it.
 */
#include <akuma/abi/errno.h>
#include <common/string.h>
#include <ukernel/arch/cpu.h>
#include <ukernel/arch/memory.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/frame.h>
#include <ukernel/ktest.h>
#include <ukernel/vspace.h>

#define ARENA_FRAMES 32u
#define TABLE_FRAMES 8u   /* frames 0..7 serve as tables, the rest as data */
#define TEST_ASID    200u /* no process exists in this image */
#define TEST_VA      UINT64_C(0x10000000)

static uint8_t arena[ARENA_FRAMES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static frame_t arena_storage[ARENA_FRAMES];

/* One test's address space over the arena, and the TTBR0 state it replaced. */
typedef struct space {
    frame_table_t ft;
    vspace_t vs;
    frame_range_t allowed; /* the data and table frames (not the root) */
    unsigned next_table;
    uint64_t saved_ttbr0, saved_tcr;
    unsigned tables_back; /* tables vspace_destroy handed back */
} space_t;

static paddr_t arena_frame(unsigned i)
{
    return virt_to_phys(arena) + (paddr_t)i * PAGE_SIZE;
}

/* Fills the frame at pa with value in every word. */
static void fill(paddr_t pa, uint64_t value)
{
    uint64_t *w = phys_to_virt(pa);
    for (unsigned i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++)
        w[i] = value;
}

static uint64_t read_user(vaddr_t va)
{
    return *(const volatile uint64_t *)(uintptr_t)va;
}

/* A fresh address space (root: arena frame 0) in TTBR0.  Returns 0 or an error. */
static int space_open(space_t *s)
{
    memset(s, 0, sizeof *s);
    int err = frame_init(&s->ft, arena_storage, arena_frame(0) >> PAGE_SHIFT, ARENA_FRAMES);
    if (err == 0)
        err = vspace_init(&s->vs, &s->ft, arena_frame(0), TEST_ASID);
    if (err != 0)
        return err;
    s->allowed = (frame_range_t){ arena_frame(1), arena_frame(ARENA_FRAMES) };
    s->next_table = 1;
    s->saved_ttbr0 = sysreg_read(ttbr0_el1);
    s->saved_tcr = sysreg_read(tcr_el1);
    sysreg_write(ttbr0_el1, s->vs.ttbr);
    sysreg_write(tcr_el1, s->saved_tcr & ~TCR_EPD0);
    isb();
    return 0;
}

/* Maps pa at va, supplying table frames as asked.  Returns 0 or an error. */
static int space_map(space_t *s, vaddr_t va, paddr_t pa, unsigned perms)
{
    for (;;) {
        unsigned level = 0;
        int err = vspace_map(&s->vs, &s->allowed, va, pa, perms, &level);
        if (err != -AK_ENOTABLE)
            return err;
        if (s->next_table == TABLE_FRAMES)
            return -AK_ENOMEM;
        err = vspace_supply_table(&s->vs, &s->allowed, va, level, arena_frame(s->next_table++));
        if (err != 0)
            return err;
    }
}

static void count_table(void *ctx, paddr_t table, unsigned level)
{
    (void)table;
    (void)level;
    ((space_t *)ctx)->tables_back++;
}

/* Restores TTBR0, destroys the space; returns 0 if every frame is FREE again. */
static int space_close(space_t *s)
{
    size_t ntables = s->vs.ntables;
    vspace_destroy(&s->vs, count_table, s);
    sysreg_write(tcr_el1, s->saved_tcr);
    sysreg_write(ttbr0_el1, s->saved_ttbr0);
    isb();
    if (s->tables_back != ntables || frame_check(&s->ft) != 0 || s->ft.nfree != ARENA_FRAMES)
        return -AK_EINVAL;
    return 0;
}

/* A remapped page shows its new frame: the single-page invalidation of pt_unmap. */
KTEST(mem_k_remap_page)
{
    const char *name = "mem-k-remap-page";
    space_t s;
    const paddr_t old_frame = arena_frame(TABLE_FRAMES), new_frame = arena_frame(TABLE_FRAMES + 1);
    fill(old_frame, 0x1111);
    fill(new_frame, 0x2222);
    if (space_open(&s) != 0) {
        ktest_fail(name, "cannot build an address space");
        return;
    }
    int m1 = space_map(&s, TEST_VA, old_frame, PT_READ | PT_WRITE);
    uint64_t before = m1 == 0 ? read_user(TEST_VA) : 0;
    if (m1 == 0)
        *(volatile uint64_t *)(uintptr_t)(TEST_VA + 8) = 0x3333;
    int u = vspace_unmap(&s.vs, TEST_VA, 1);
    int m2 = space_map(&s, TEST_VA, new_frame, PT_READ);
    uint64_t after = m2 == 0 ? read_user(TEST_VA) : 0;
    uint64_t written = ((const uint64_t *)phys_to_virt(old_frame))[1];
    int closed = space_close(&s);
    if (m1 != 0 || u != 1 || m2 != 0)
        ktest_fail(name, "map %d, unmap %d (want 1 page), map again %d", m1, u, m2);
    else if (before != 0x1111 || written != 0x3333)
        ktest_fail(name, "first mapping read 0x%lx (want 0x1111), wrote 0x%lx (want 0x3333)",
                   before, written);
    else if (after != 0x2222)
        ktest_fail(name, "after the remap 0x%lx reads 0x%lx, want 0x2222: a stale TLB entry",
                   TEST_VA, after);
    else if (closed != 0)
        ktest_fail(name, "destroy handed back %u tables, not every frame FREE", s.tables_back);
    else
        ktest_pass(name);
}

/* A page taken back and mapped again shows its new frame: the invalidation of pt_take. */
KTEST(mem_k_take_page)
{
    const char *name = "mem-k-take-page";
    space_t s;
    const paddr_t old_frame = arena_frame(TABLE_FRAMES), new_frame = arena_frame(TABLE_FRAMES + 1);
    paddr_t taken = 0;
    fill(old_frame, 0x8888);
    fill(new_frame, 0x9999);
    if (space_open(&s) != 0) {
        ktest_fail(name, "cannot build an address space");
        return;
    }
    int m1 = space_map(&s, TEST_VA, old_frame, PT_READ);
    uint64_t before = m1 == 0 ? read_user(TEST_VA) : 0;
    int t = vspace_take(&s.vs, TEST_VA, &taken);
    int m2 = space_map(&s, TEST_VA, new_frame, PT_READ);
    uint64_t after = m2 == 0 ? read_user(TEST_VA) : 0;
    int closed = space_close(&s);
    if (m1 != 0 || t != 0 || m2 != 0)
        ktest_fail(name, "map %d, take %d, map again %d", m1, t, m2);
    else if (taken != old_frame || before != 0x8888)
        ktest_fail(name, "take returned 0x%lx (want 0x%lx); the first mapping read 0x%lx",
                   taken, old_frame, before);
    else if (after != 0x9999)
        ktest_fail(name, "after the take 0x%lx reads 0x%lx, want 0x9999: a stale TLB entry",
                   TEST_VA, after);
    else if (closed != 0)
        ktest_fail(name, "destroy handed back %u tables, not every frame FREE", s.tables_back);
    else
        ktest_pass(name);
}

/* An unmap of more than PT_PAGE_INVAL_MAX pages invalidates the whole ASID. */
KTEST(mem_k_unmap_many)
{
    const char *name = "mem-k-unmap-many";
    space_t s;
    const paddr_t f1 = arena_frame(TABLE_FRAMES), f2 = arena_frame(TABLE_FRAMES + 1);
    const size_t npages = PT_PAGE_INVAL_MAX + 36;
    fill(f1, 0x4444);
    fill(f2, 0x5555);
    if (space_open(&s) != 0) {
        ktest_fail(name, "cannot build an address space");
        return;
    }
    const vaddr_t far_va = TEST_VA + (npages - 1) * PAGE_SIZE;
    int m1 = space_map(&s, TEST_VA, f1, PT_READ);
    int m2 = space_map(&s, far_va, f2, PT_READ);
    uint64_t first = m1 == 0 ? read_user(TEST_VA) : 0;
    uint64_t last = m2 == 0 ? read_user(far_va) : 0;
    int u = vspace_unmap(&s.vs, TEST_VA, npages);
    int m3 = space_map(&s, TEST_VA, f2, PT_READ);
    int m4 = space_map(&s, far_va, f1, PT_READ);
    uint64_t first_after = m3 == 0 ? read_user(TEST_VA) : 0;
    uint64_t last_after = m4 == 0 ? read_user(far_va) : 0;
    int closed = space_close(&s);
    if (m1 != 0 || m2 != 0 || u != 2 || m3 != 0 || m4 != 0)
        ktest_fail(name, "maps %d %d, unmap %d (want 2 pages), maps again %d %d", m1, m2, u, m3,
                   m4);
    else if (first != 0x4444 || last != 0x5555)
        ktest_fail(name, "before: 0x%lx and 0x%lx, want 0x4444 and 0x5555", first, last);
    else if (first_after != 0x5555 || last_after != 0x4444)
        ktest_fail(name,
                   "after the %zu-page unmap and the swap: 0x%lx and 0x%lx, want 0x5555 and "
                   "0x4444: a stale TLB entry",
                   npages, first_after, last_after);
    else if (closed != 0)
        ktest_fail(name, "destroy handed back %u tables, not every frame FREE", s.tables_back);
    else
        ktest_pass(name);
}

/*
 * After vspace_destroy the ASID may serve a new address space with no trace
 * of the old one.  TTBR0 keeps the same value throughout (same ASID, same
 * root frame), so only the destroy's ASID invalidation can drop the old
 * translation: a context switch would flush it on QEMU anyway.
 */
KTEST(mem_k_asid_reuse)
{
    const char *name = "mem-k-asid-reuse";
    space_t s;
    const paddr_t f1 = arena_frame(TABLE_FRAMES), f2 = arena_frame(TABLE_FRAMES + 1);
    fill(f1, 0x6666);
    fill(f2, 0x7777);
    if (space_open(&s) != 0) {
        ktest_fail(name, "cannot build the first address space");
        return;
    }
    int m1 = space_map(&s, TEST_VA, f1, PT_READ);
    uint64_t first = m1 == 0 ? read_user(TEST_VA) : 0;
    size_t ntables = s.vs.ntables;
    vspace_destroy(&s.vs, count_table, &s);
    unsigned first_back = s.tables_back;
    /* The same ASID and root frame; other table frames, another data frame. */
    int again = vspace_init(&s.vs, &s.ft, arena_frame(0), TEST_ASID);
    s.next_table = TABLE_FRAMES / 2;
    s.tables_back = 0;
    int m2 = again == 0 ? space_map(&s, TEST_VA, f2, PT_READ) : again;
    uint64_t second = m2 == 0 ? read_user(TEST_VA) : 0;
    int closed = space_close(&s);
    if (m1 != 0 || m2 != 0)
        ktest_fail(name, "maps %d and %d", m1, m2);
    else if (first != 0x6666)
        ktest_fail(name, "the first space reads 0x%lx, want 0x6666", first);
    else if (second != 0x7777)
        ktest_fail(name,
                   "the second space with ASID %u reads 0x%lx, want 0x7777: the destroyed "
                   "space's TLB entries survived",
                   TEST_ASID, second);
    else if (first_back != ntables || closed != 0)
        ktest_fail(name, "destroys handed back %u of %zu tables, then left frames in use (%d)",
                   first_back, ntables, closed);
    else
        ktest_pass(name);
}
