/*
 * Address spaces (ukernel/core/vspace.c) over the real page-table code and
 * frame table, on a host arena: the vmm's map / supply-table / retry
 * loop, every refusal (with the frame table unchanged), table zeroing,
 * mapping counts, permission changes, TLB maintenance, destruction, and
 * a randomized run against a reference model.  frame_check and
 * vspace_check run after every step.
 *
 * Arena frames (physical address HOST_PA_BASE + i pages):
 *   0..3     kernel memory
 *   4..7     free, outside the vmm's range: roots of address spaces
 *   8..119   the vmm's range (ALLOWED)
 *   120..127 free, outside the vmm's range
 * WIDE is a range that also covers kernel frames and addresses that are
 * not RAM, as a misconfigured capability could.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <ukernel/frame.h>
#include <ukernel/vspace.h>

#include "pt_host.h"

#define NFRAMES     128u
#define KERNEL_END  4u
#define ROOTS_END   8u
#define ALLOWED_END 120u
#define NONRAM      (HOST_PA_BASE + 200 * PAGE_SIZE)
#define GIB         (UINT64_C(1) << 30)
#define MIB2        (UINT64_C(1) << 21)
#define F(i)        host_frame(i)

static frame_t storage[NFRAMES];
static frame_table_t ft;
static const frame_range_t ALLOWED = { HOST_PA_BASE + ROOTS_END * PAGE_SIZE,
                                       HOST_PA_BASE + ALLOWED_END * PAGE_SIZE };
static const frame_range_t WIDE = { HOST_PA_BASE - 16 * PAGE_SIZE, HOST_PA_BASE + 256 * PAGE_SIZE };

static int setup(void **state)
{
    (void)state;
    host_arena_init(NFRAMES);
    assert_int_equal(frame_init(&ft, storage, HOST_PA_BASE >> PAGE_SHIFT, NFRAMES), 0);
    assert_int_equal(frame_set_kernel(&ft, F(0), F(KERNEL_END)), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    host_arena_free();
    return 0;
}

static void check(const vspace_t *vs)
{
    assert_int_equal(frame_check(&ft), 0);
    if (vs != NULL)
        assert_int_equal(vspace_check(vs), 0);
}

static frame_state_t state_of(paddr_t pa)
{
    return frame_state(&ft, pa, NULL);
}

static uint32_t count_of(paddr_t pa)
{
    uint32_t c;
    frame_state(&ft, pa, &c);
    return c;
}

/* Maps va as the vmm does: supply missing tables from *next_table and retry. */
static void vmm_map(vspace_t *vs, vaddr_t va, paddr_t pa, unsigned perms, size_t *next_table)
{
    for (int tries = 0; tries < 3; tries++) {
        unsigned level = 0;
        int r = vspace_map(vs, &ALLOWED, va, pa, perms, &level);
        check(vs);
        if (r == 0)
            return;
        assert_int_equal(r, -AK_ENOTABLE);
        assert_int_equal(vspace_supply_table(vs, &ALLOWED, va, level, F((*next_table)++)), 0);
        check(vs);
    }
    fail_msg("map did not succeed after supplying two tables");
}

static void test_init(void **state)
{
    (void)state;
    vspace_t vs, other;
    host_dirty(F(4));
    assert_int_equal(vspace_init(&vs, &ft, F(4), 1), 0);
    check(&vs);
    assert_true(host_is_zero(F(4)));
    assert_int_equal(state_of(F(4)), FRAME_TABLE);
    assert_int_equal(vs.ntables, 1);
    assert_int_equal(vs.npages, 0);

    assert_int_equal(vspace_init(&other, &ft, F(5), 0), -AK_EINVAL);
    assert_int_equal(vspace_init(&other, &ft, F(5), PT_ASID_MAX + 1), -AK_EINVAL);
    assert_int_equal(vspace_init(&other, &ft, F(5) + 8, 2), -AK_EINVAL);
    assert_int_equal(vspace_init(&other, &ft, F(1), 2), -AK_EFAULT);
    assert_int_equal(vspace_init(&other, &ft, NONRAM, 2), -AK_EFAULT);
    assert_int_equal(vspace_init(&other, &ft, F(4), 2), -AK_EBUSY);
    assert_int_equal(frame_ref(&ft, F(5)), 0);
    assert_int_equal(vspace_init(&other, &ft, F(5), 2), -AK_EBUSY);
    assert_true(host_is_junk(F(5)));
    assert_int_equal(frame_unref(&ft, F(5)), 0);
    assert_int_equal(vspace_init(&other, &ft, F(5), PT_ASID_MAX), 0);
    check(&other);
    assert_int_equal(pt_ttbr(other.root, other.asid), F(5) | (UINT64_C(0xFF) << 48));
}

static void test_map_supply_retry(void **state)
{
    (void)state;
    vspace_t vs;
    const vaddr_t va = AK_USER_MMAP_MIN + 5 * PAGE_SIZE;
    const paddr_t pa = F(50);
    unsigned level = 0;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 3), 0);

    assert_int_equal(vspace_map(&vs, &ALLOWED, va, pa, PT_READ | PT_WRITE, &level), -AK_ENOTABLE);
    assert_int_equal(level, 2);
    assert_int_equal(state_of(pa), FRAME_FREE);
    check(&vs);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, va, level, F(10)), 0);
    assert_int_equal(state_of(F(10)), FRAME_TABLE);
    check(&vs);

    assert_int_equal(vspace_map(&vs, &ALLOWED, va, pa, PT_READ | PT_WRITE, &level), -AK_ENOTABLE);
    assert_int_equal(level, 3);
    assert_int_equal(state_of(pa), FRAME_FREE);
    check(&vs);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, va, level, F(11)), 0);
    check(&vs);

    assert_int_equal(vspace_map(&vs, &ALLOWED, va, pa, PT_READ | PT_WRITE, &level), 0);
    check(&vs);
    assert_int_equal(state_of(pa), FRAME_MAPPED);
    assert_int_equal(count_of(pa), 1);
    assert_int_equal(vs.npages, 1);
    assert_int_equal(vs.ntables, 3);

    paddr_t got;
    unsigned perms;
    assert_int_equal(vspace_query(&vs, va + 12, &got, &perms), 0);
    assert_int_equal(got, pa + 12);
    assert_int_equal(perms, PT_READ | PT_WRITE);
    assert_int_equal(vspace_query(&vs, va + PAGE_SIZE, &got, &perms), -AK_ENOENT);
    assert_int_equal(vspace_query(&vs, PT_VA_END, &got, &perms), -AK_EINVAL);
}

static void test_supplied_tables_are_zeroed(void **state)
{
    (void)state;
    vspace_t vs;
    size_t next = 10;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 3), 0);
    /* A frame that held data in a mapping, then was unmapped: still dirty. */
    vmm_map(&vs, 0x600000, F(12), PT_READ | PT_WRITE, &next);
    host_dirty(F(12));
    assert_int_equal(vspace_unmap(&vs, 0x600000, 1), 1);
    assert_int_equal(state_of(F(12)), FRAME_FREE);
    assert_true(host_is_junk(F(12)));
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 5 * GIB, 2, F(12)), 0);
    assert_true(host_is_zero(F(12)));
    check(&vs);
    /* And a junk frame never used. */
    assert_true(host_is_junk(F(13)));
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 5 * GIB + 7, 3, F(13)), 0);
    assert_true(host_is_zero(F(13)));
    check(&vs);
}

static void test_map_refusals(void **state)
{
    (void)state;
    vspace_t vs, other;
    size_t next = 10;
    const vaddr_t va = AK_USER_MMAP_MIN;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 3), 0);
    assert_int_equal(vspace_init(&other, &ft, F(5), 4), 0);
    vmm_map(&vs, va, F(40), PT_READ, &next);  /* tables in F(10), F(11) */
    const size_t nfree = ft.nfree, nmapped = ft.nmapped, ntable = ft.ntable;
    host_events_clear();

    /* Translation tables: this space's, another space's root. */
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(10), PT_READ, NULL), -AK_EBUSY);
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(11), PT_READ, NULL), -AK_EBUSY);
    assert_int_equal(vspace_map(&vs, &WIDE, va + PAGE_SIZE, F(5), PT_READ, NULL), -AK_EBUSY);
    /* Kernel memory and addresses that are not RAM, even when the range covers them. */
    assert_int_equal(vspace_map(&vs, &WIDE, va + PAGE_SIZE, F(0), PT_READ, NULL), -AK_EFAULT);
    assert_int_equal(vspace_map(&vs, &WIDE, va + PAGE_SIZE, F(3), PT_READ, NULL), -AK_EFAULT);
    assert_int_equal(vspace_map(&vs, &WIDE, va + PAGE_SIZE, NONRAM, PT_READ, NULL), -AK_EFAULT);
    assert_int_equal(vspace_map(&vs, &WIDE, va + PAGE_SIZE, HOST_PA_BASE - PAGE_SIZE, PT_READ, NULL),
                     -AK_EFAULT);
    /* Outside the capability's range, at both ends. */
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(7), PT_READ, NULL), -AK_EPERM);
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(ALLOWED_END), PT_READ, NULL),
                     -AK_EPERM);
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(0), PT_READ, NULL), -AK_EPERM);
    const frame_range_t partial = { F(20), F(21) - 8 };
    assert_int_equal(vspace_map(&vs, &partial, va + PAGE_SIZE, F(20), PT_READ, NULL), -AK_EPERM);
    const frame_range_t empty = { F(20), F(20) };
    assert_int_equal(vspace_map(&vs, &empty, va + PAGE_SIZE, F(20), PT_READ, NULL), -AK_EPERM);
    /* Permissions and addresses. */
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(41), PT_READ | PT_WRITE | PT_EXEC, NULL),
                     -AK_EACCES);
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(41), PT_WRITE, NULL), -AK_EINVAL);
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(41), PT_EXEC, NULL), -AK_EINVAL);
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + 1, F(41), PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + PAGE_SIZE, F(41) + 1, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(vspace_map(&vs, &ALLOWED, PT_VA_END, F(41), PT_READ, NULL), -AK_EINVAL);
    /* Argument errors come before authority errors. */
    assert_int_equal(vspace_map(&vs, &ALLOWED, va + 1, F(0), PT_READ, NULL), -AK_EINVAL);
    /* Already mapped, with the same or another frame. */
    assert_int_equal(vspace_map(&vs, &ALLOWED, va, F(40), PT_READ, NULL), -AK_EEXIST);
    assert_int_equal(vspace_map(&vs, &ALLOWED, va, F(41), PT_READ, NULL), -AK_EEXIST);

    /* Nothing changed anywhere. */
    check(&vs);
    check(&other);
    assert_int_equal(ft.nfree, nfree);
    assert_int_equal(ft.nmapped, nmapped);
    assert_int_equal(ft.ntable, ntable);
    assert_int_equal(count_of(F(40)), 1);
    assert_int_equal(state_of(F(41)), FRAME_FREE);
    assert_int_equal(vs.npages, 1);
    assert_int_equal(host_nevents, 0);
}

static void test_supply_refusals(void **state)
{
    (void)state;
    vspace_t vs, other;
    size_t next = 10;
    const vaddr_t va = AK_USER_MMAP_MIN;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 3), 0);
    assert_int_equal(vspace_init(&other, &ft, F(5), 4), 0);
    vmm_map(&vs, va, F(40), PT_READ, &next);  /* tables in F(10), F(11) */
    const size_t nfree = ft.nfree, ntable = ft.ntable;
    host_events_clear();

    /* A mapped frame never becomes a table, nor does a table twice. */
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 3 * GIB, 2, F(40)), -AK_EBUSY);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 3 * GIB, 2, F(10)), -AK_EBUSY);
    assert_int_equal(vspace_supply_table(&vs, &WIDE, 3 * GIB, 2, F(5)), -AK_EBUSY);
    assert_int_equal(vspace_supply_table(&vs, &WIDE, 3 * GIB, 2, F(0)), -AK_EFAULT);
    assert_int_equal(vspace_supply_table(&vs, &WIDE, 3 * GIB, 2, NONRAM), -AK_EFAULT);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 3 * GIB, 2, F(6)), -AK_EPERM);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 3 * GIB, 2, F(125)), -AK_EPERM);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 3 * GIB, 1, F(20)), -AK_EINVAL);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 3 * GIB, 4, F(20)), -AK_EINVAL);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, PT_VA_END, 2, F(20)), -AK_EINVAL);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 3 * GIB, 2, F(20) + 8), -AK_EINVAL);
    /* Out of order and already there: the frame stays FREE and untouched. */
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 3 * GIB, 3, F(20)), -AK_ENOTABLE);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, va + 100, 2, F(20)), -AK_EEXIST);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, va + MIB2 - 1, 3, F(20)), -AK_EEXIST);
    assert_int_equal(state_of(F(20)), FRAME_FREE);
    assert_true(host_is_junk(F(20)));

    check(&vs);
    check(&other);
    assert_int_equal(ft.nfree, nfree);
    assert_int_equal(ft.ntable, ntable);
    assert_int_equal(vs.ntables, 3);
    assert_int_equal(host_nevents, 0);
}

static void test_counts_and_tlb(void **state)
{
    (void)state;
    vspace_t vs;
    size_t next = 10;
    const vaddr_t va = AK_USER_MMAP_MIN;
    const paddr_t pa = F(60);
    assert_int_equal(vspace_init(&vs, &ft, F(4), 9), 0);
    /* One frame at three addresses: three counts. */
    vmm_map(&vs, va, pa, PT_READ | PT_WRITE, &next);
    vmm_map(&vs, va + PAGE_SIZE, pa, PT_READ, &next);
    vmm_map(&vs, va + 3 * GIB, pa, PT_READ, &next);
    assert_int_equal(count_of(pa), 3);
    assert_int_equal(vs.npages, 3);

    host_events_clear();
    assert_int_equal(vspace_unmap(&vs, va, 1), 1);
    check(&vs);
    assert_int_equal(count_of(pa), 2);
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].kind, HOST_INVAL_PAGE);
    assert_int_equal(host_events[0].va, va);
    assert_int_equal(host_events[0].asid, 9);

    /* A range with one mapped page of two. */
    host_events_clear();
    assert_int_equal(vspace_unmap(&vs, va, 2), 1);
    check(&vs);
    assert_int_equal(count_of(pa), 1);
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].va, va + PAGE_SIZE);
    assert_int_equal(host_events[0].asid, 9);

    /* Nothing mapped: 0, no invalidation. */
    host_events_clear();
    assert_int_equal(vspace_unmap(&vs, va, 2), 0);
    assert_int_equal(vspace_unmap(&vs, 100 * GIB, 1), 0);
    assert_int_equal(host_nevents, 0);

    assert_int_equal(vspace_unmap(&vs, va + 3 * GIB, 1), 1);
    check(&vs);
    assert_int_equal(state_of(pa), FRAME_FREE);
    assert_int_equal(count_of(pa), 0);
    assert_int_equal(vs.npages, 0);
    assert_int_equal(ft.nrefs, 0);

    assert_int_equal(vspace_unmap(&vs, va + 1, 1), -AK_EINVAL);
    assert_int_equal(vspace_unmap(&vs, va, 0), -AK_EINVAL);
    assert_int_equal(vspace_unmap(&vs, PT_VA_END - PAGE_SIZE, 2), -AK_EINVAL);
    assert_int_equal(vspace_unmap(&vs, PT_VA_END, 1), -AK_EINVAL);
}

static void test_take(void **state)
{
    (void)state;
    vspace_t vs;
    size_t next = 10;
    const vaddr_t va = AK_USER_MMAP_MIN;
    const paddr_t pa = F(60);
    paddr_t got = 0;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 9), 0);
    vmm_map(&vs, va, pa, PT_READ | PT_WRITE, &next);
    vmm_map(&vs, va + PAGE_SIZE, pa, PT_READ, &next);
    assert_int_equal(vspace_pin(&vs, AK_BOOTINFO_VA, AK_BOOTINFO_VA + PAGE_SIZE), 0);

    /* The frame comes back, its count drops, one invalidation of that page. */
    host_events_clear();
    assert_int_equal(vspace_take(&vs, va, &got), 0);
    check(&vs);
    assert_int_equal(got, pa);
    assert_int_equal(count_of(pa), 1);
    assert_int_equal(vs.npages, 1);
    assert_int_equal(vspace_query(&vs, va, NULL, NULL), -AK_ENOENT);
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].kind, HOST_INVAL_PAGE);
    assert_int_equal(host_events[0].va, va);
    assert_int_equal(host_events[0].asid, 9);

    /* Refusals change nothing and invalidate nothing. */
    host_events_clear();
    got = 0;
    assert_int_equal(vspace_take(&vs, va, &got), -AK_ENOENT);
    assert_int_equal(vspace_take(&vs, 100 * GIB, &got), -AK_ENOENT);
    assert_int_equal(vspace_take(&vs, va + PAGE_SIZE + 8, &got), -AK_EINVAL);
    assert_int_equal(vspace_take(&vs, PT_VA_END, &got), -AK_EINVAL);
    assert_int_equal(vspace_take(&vs, AK_BOOTINFO_VA, &got), -AK_EPERM);
    assert_int_equal(host_nevents, 0);
    assert_int_equal(got, 0);
    check(&vs);

    /* The last mapping taken: the frame is free again. */
    assert_int_equal(vspace_take(&vs, va + PAGE_SIZE, &got), 0);
    check(&vs);
    assert_int_equal(got, pa);
    assert_int_equal(state_of(pa), FRAME_FREE);
    assert_int_equal(vs.npages, 0);

    vspace_destroy(&vs, NULL, NULL);
    assert_int_equal(vspace_take(&vs, va, &got), -AK_ESRCH);
    check(NULL);
}

static void test_exec_mapping_syncs_caches(void **state)
{
    (void)state;
    vspace_t vs;
    size_t next = 10;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 3), 0);
    vmm_map(&vs, AK_USER_IMAGE_MIN, F(30), PT_READ, &next);
    host_events_clear();
    assert_int_equal(vspace_map(&vs, &ALLOWED, AK_USER_IMAGE_MIN + PAGE_SIZE, F(31), PT_READ | PT_EXEC,
                                NULL), 0);
    assert_int_equal(host_count(HOST_SYNC_EXEC), 1);
    assert_int_equal(host_events[0].kind, HOST_SYNC_EXEC);
    assert_int_equal(host_events[0].pa, F(31));
    assert_int_equal(host_events[0].len, PAGE_SIZE);
    check(&vs);
}

static void test_protect(void **state)
{
    (void)state;
    vspace_t vs;
    size_t next = 10;
    const vaddr_t va = AK_USER_MMAP_MIN;
    unsigned perms;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 6), 0);
    vmm_map(&vs, va, F(30), PT_READ | PT_WRITE, &next);
    vmm_map(&vs, va + 2 * PAGE_SIZE, F(30), PT_READ, &next);
    const size_t nrefs = ft.nrefs;

    host_events_clear();
    assert_int_equal(vspace_protect(&vs, va, 3, PT_READ | PT_EXEC), 2);
    check(&vs);
    assert_int_equal(vspace_query(&vs, va, NULL, &perms), 0);
    assert_int_equal(perms, PT_READ | PT_EXEC);
    assert_int_equal(vspace_query(&vs, va + 2 * PAGE_SIZE, NULL, &perms), 0);
    assert_int_equal(perms, PT_READ | PT_EXEC);
    assert_int_equal(vspace_query(&vs, va + PAGE_SIZE, NULL, &perms), -AK_ENOENT);
    assert_int_equal(host_count(HOST_SYNC_EXEC), 2);
    assert_int_equal(host_count(HOST_INVAL_PAGE), 2);
    assert_int_equal(ft.nrefs, nrefs);
    assert_int_equal(count_of(F(30)), 2);

    host_events_clear();
    assert_int_equal(vspace_protect(&vs, va, 3, PT_PERMS_ALL), -AK_EACCES);
    assert_int_equal(vspace_protect(&vs, va, 3, PT_WRITE), -AK_EINVAL);
    assert_int_equal(vspace_protect(&vs, va, 0, PT_READ), -AK_EINVAL);
    assert_int_equal(vspace_protect(&vs, va + 1, 1, PT_READ), -AK_EINVAL);
    assert_int_equal(vspace_protect(&vs, PT_VA_END - PAGE_SIZE, 2, PT_READ), -AK_EINVAL);
    assert_int_equal(host_nevents, 0);
    check(&vs);
}

/* Collects the tables vspace_destroy hands back, checking the ASID is gone first. */
typedef struct handback {
    size_t n;
    paddr_t pa[NFRAMES];
    unsigned level[NFRAMES];
    unsigned asid;
    paddr_t data[8];  /* frames that must be FREE before any table comes back */
    size_t ndata;
} handback_t;

static void collect_table(void *ctx, paddr_t table, unsigned level)
{
    handback_t *h = ctx;
    assert_true(h->n < NFRAMES);
    if (h->n == 0) {
        assert_int_equal(host_count(HOST_INVAL_ASID), 1);
        assert_int_equal(host_events[host_nevents - 1].kind, HOST_INVAL_ASID);
        assert_int_equal(host_events[host_nevents - 1].asid, h->asid);
        for (size_t i = 0; i < h->ndata; i++)
            assert_int_equal(state_of(h->data[i]), FRAME_FREE);
    }
    /* Already FREE when handed back. */
    assert_int_equal(state_of(table), FRAME_FREE);
    h->pa[h->n] = table;
    h->level[h->n] = level;
    h->n++;
}

static void test_destroy(void **state)
{
    (void)state;
    vspace_t vs, other;
    size_t next = 10;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 11), 0);
    assert_int_equal(vspace_init(&other, &ft, F(5), 12), 0);
    /* Tables: L2 F(10), L3 F(11) | L3 F(12) | L2 F(13), L3 F(14). */
    vmm_map(&vs, 0x600000, F(40), PT_READ, &next);
    vmm_map(&vs, 0x601000, F(41), PT_READ | PT_WRITE, &next);
    vmm_map(&vs, 0x400000, F(42), PT_READ | PT_EXEC, &next);
    vmm_map(&vs, PT_VA_END - PAGE_SIZE, F(43), PT_READ, &next);
    vmm_map(&vs, PT_VA_END - 2 * PAGE_SIZE, F(44), PT_READ, &next);
    assert_int_equal(next, 15);
    /* A frame shared with another space keeps that space's count. */
    size_t onext = 20;
    vmm_map(&other, 0x600000, F(44), PT_READ, &onext);
    assert_int_equal(count_of(F(44)), 2);
    assert_int_equal(vs.ntables, 6);

    handback_t h = { .asid = 11, .data = { F(40), F(41), F(42), F(43) }, .ndata = 4 };
    host_events_clear();
    vspace_destroy(&vs, collect_table, &h);
    check(&vs);
    check(&other);

    /* Every table exactly once, with its level, the root last. */
    assert_int_equal(h.n, 6);
    const unsigned expect_level[] = { 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 3, 3, 2, 3 };
    bool seen[15] = { false };
    for (size_t i = 0; i < h.n; i++) {
        size_t idx = (h.pa[i] - HOST_PA_BASE) >> PAGE_SHIFT;
        assert_true(idx < 15);
        assert_false(seen[idx]);
        seen[idx] = true;
        assert_int_equal(h.level[i], expect_level[idx]);
        assert_int_equal(state_of(h.pa[i]), FRAME_FREE);
    }
    assert_int_equal(h.pa[h.n - 1], F(4));
    assert_int_equal(h.level[h.n - 1], 1);
    for (size_t i = 40; i < 44; i++)
        assert_int_equal(state_of(F(i)), FRAME_FREE);
    assert_int_equal(count_of(F(44)), 1);
    /* One ASID invalidation, no per-page ones. */
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_count(HOST_INVAL_ASID), 1);

    /* A destroyed space refuses everything; destroying it again does nothing. */
    assert_int_equal(vspace_map(&vs, &ALLOWED, 0x600000, F(40), PT_READ, NULL), -AK_ESRCH);
    assert_int_equal(vspace_unmap(&vs, 0x600000, 1), -AK_ESRCH);
    assert_int_equal(vspace_query(&vs, 0x600000, NULL, NULL), -AK_ESRCH);
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, 0, 2, F(10)), -AK_ESRCH);
    assert_int_equal(vspace_pin(&vs, 0, PAGE_SIZE), -AK_ESRCH);
    assert_int_equal(vspace_protect(&vs, 0x600000, 1, PT_READ), -AK_ESRCH);
    h.n = 0;
    vspace_destroy(&vs, collect_table, &h);
    assert_int_equal(h.n, 0);

    /* The handed-back frames serve again: as another space's tables and pages. */
    assert_int_equal(vspace_supply_table(&other, &ALLOWED, 7 * GIB, 2, F(10)), 0);
    assert_int_equal(vspace_map(&other, &ALLOWED, 0x601000, F(11), PT_READ, NULL), 0);
    assert_int_equal(vspace_init(&vs, &ft, F(4), 11), 0);
    check(&vs);
    check(&other);
    /* Destroy without a callback. */
    vspace_destroy(&other, NULL, NULL);
    check(&other);
    assert_int_equal(ft.ntable, 1);
    assert_int_equal(ft.nmapped, 0);
    assert_int_equal(ft.nrefs, 0);
}

static void test_pinned_range(void **state)
{
    (void)state;
    vspace_t vs;
    size_t next = 10;
    unsigned perms;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 3), 0);
    vmm_map(&vs, AK_BOOTINFO_VA, F(30), PT_READ, &next);
    vmm_map(&vs, AK_IPCBUF_VA, F(31), PT_READ | PT_WRITE, &next);
    /* Pinning again replaces the range. */
    assert_int_equal(vspace_pin(&vs, AK_BOOTINFO_VA, AK_BOOTINFO_VA + PAGE_SIZE), 0);
    assert_int_equal(vspace_pin(&vs, AK_BOOTINFO_VA, AK_IPCBUF_VA + PAGE_SIZE), 0);

    assert_int_equal(vspace_pin(&vs, AK_IPCBUF_VA, AK_IPCBUF_VA), -AK_EINVAL);
    assert_int_equal(vspace_pin(&vs, AK_IPCBUF_VA + PAGE_SIZE, AK_IPCBUF_VA), -AK_EINVAL);
    assert_int_equal(vspace_pin(&vs, AK_IPCBUF_VA + 1, AK_IPCBUF_VA + PAGE_SIZE), -AK_EINVAL);
    assert_int_equal(vspace_pin(&vs, AK_IPCBUF_VA, AK_IPCBUF_VA + 1), -AK_EINVAL);
    assert_int_equal(vspace_pin(&vs, PT_VA_END - PAGE_SIZE, PT_VA_END + PAGE_SIZE), -AK_EINVAL);

    host_events_clear();
    assert_int_equal(vspace_unmap(&vs, AK_IPCBUF_VA, 1), -AK_EPERM);
    assert_int_equal(vspace_unmap(&vs, AK_BOOTINFO_VA, 1), -AK_EPERM);
    assert_int_equal(vspace_unmap(&vs, 0, (AK_BOOTINFO_VA >> PAGE_SHIFT) + 1), -AK_EPERM);
    assert_int_equal(vspace_unmap(&vs, AK_IPCBUF_VA, 2), -AK_EPERM);
    assert_int_equal(vspace_unmap(&vs, 0, PT_VA_END >> PAGE_SHIFT), -AK_EPERM);
    assert_int_equal(vspace_map(&vs, &ALLOWED, AK_IPCBUF_VA, F(32), PT_READ, NULL), -AK_EPERM);
    assert_int_equal(vspace_protect(&vs, AK_IPCBUF_VA, 1, PT_READ), -AK_EPERM);
    assert_int_equal(vspace_protect(&vs, 0, 512, PT_READ), -AK_EPERM);
    assert_int_equal(host_nevents, 0);
    assert_int_equal(vspace_query(&vs, AK_IPCBUF_VA, NULL, &perms), 0);
    assert_int_equal(perms, PT_READ | PT_WRITE);
    assert_int_equal(vs.npages, 2);
    /* Next to the pinned range is fine. */
    assert_int_equal(vspace_map(&vs, &ALLOWED, AK_IPCBUF_VA + PAGE_SIZE, F(32), PT_READ, NULL), 0);
    assert_int_equal(vspace_unmap(&vs, AK_IPCBUF_VA + PAGE_SIZE, 1), 1);
    assert_int_equal(vspace_unmap(&vs, 0, AK_BOOTINFO_VA >> PAGE_SHIFT), 0);
    check(&vs);
    /* Destruction unmaps pinned pages too. */
    vspace_destroy(&vs, NULL, NULL);
    assert_int_equal(state_of(F(30)), FRAME_FREE);
    assert_int_equal(state_of(F(31)), FRAME_FREE);
    check(NULL);
}

static void test_check_detects_inconsistency(void **state)
{
    (void)state;
    vspace_t vs;
    size_t next = 10;
    assert_int_equal(vspace_init(&vs, &ft, F(4), 3), 0);
    vmm_map(&vs, AK_USER_MMAP_MIN, F(30), PT_READ, &next);
    /* A mapped frame the frame table thinks is free. */
    assert_int_equal(frame_unref(&ft, F(30)), 0);
    assert_int_equal(vspace_check(&vs), -AK_EINVAL);
    assert_int_equal(frame_ref(&ft, F(30)), 0);
    assert_int_equal(vspace_check(&vs), 0);
    /* A table frame the frame table thinks is free. */
    assert_int_equal(frame_clear_table(&ft, F(11)), 0);
    assert_int_equal(vspace_check(&vs), -AK_EINVAL);
    assert_int_equal(frame_set_table(&ft, F(11)), 0);
    /* A malformed descriptor, and a wrong total. */
    uint64_t *l3 = host_virt(F(11));
    l3[300] = 0xDEAD;
    assert_int_equal(vspace_check(&vs), -AK_EINVAL);
    l3[300] = 0;
    vs.npages++;
    assert_int_equal(vspace_check(&vs), -AK_EINVAL);
    vs.npages--;
    check(&vs);
}

/* --- randomized run against a reference model --------------------------- */

#define NVS      2u
#define NG       4u   /* GiB choices */
#define NM       3u   /* 2 MiB choices in a GiB */
#define NP       4u   /* page choices in 2 MiB */
#define NVA      (NG * NM * NP)
#define STEPS    20000u
#define NO_FRAME (-1)
#define PIN_VA   UINT64_C(0x1000)

static const unsigned gib_choice[NG] = { 0, 1, 2, 511 };
static const unsigned mid_choice[NM] = { 0, 3, 511 }; /* not 1: 2-4 MiB is the device window */
static const unsigned page_choice[NP] = { 0, 1, 255, 511 };

typedef struct mframe {
    frame_state_t state;
    uint32_t count;
} mframe_t;

typedef struct mspace {
    vspace_t vs;
    bool live;
    unsigned asid;
    int root;
    int l2[NG];
    int l3[NG][NM];
    bool mapped[NVA];
    int frame[NVA];
    unsigned perms[NVA];
} mspace_t;

static mframe_t mf[NFRAMES];
/* How often each result (negated) was expected, to show the run reached them all. */
static unsigned outcomes_map[AK_ENOTABLE + 1], outcomes_supply[AK_ENOTABLE + 1];
static mspace_t ms[NVS];
static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(rng() % n);
}

static vaddr_t pool_va(unsigned i)
{
    unsigned g = i / (NM * NP), m = i / NP % NM, p = i % NP;
    return ((vaddr_t)gib_choice[g] << 30) | ((vaddr_t)mid_choice[m] << 21) |
           ((vaddr_t)page_choice[p] << 12);
}

/* A frame index (or NFRAMES for an address that is not RAM) and its address. */
static paddr_t frame_pa(unsigned f)
{
    return f < NFRAMES ? F(f) : NONRAM;
}

static bool covers(const frame_range_t *r, paddr_t pa)
{
    return pa >= r->base && pa + PAGE_SIZE <= r->end;
}

static void model_init(void)
{
    for (unsigned i = 0; i < NFRAMES; i++)
        mf[i] = (mframe_t){ i < KERNEL_END ? FRAME_KERNEL : FRAME_FREE, 0 };
    memset(ms, 0, sizeof ms);
}

static void model_create(unsigned s)
{
    mspace_t *m = &ms[s];
    for (unsigned f = KERNEL_END; f < ROOTS_END; f++) {
        if (mf[f].state != FRAME_FREE)
            continue;
        unsigned asid = 1 + s + 2 * pick(100);
        assert_int_equal(vspace_init(&m->vs, &ft, F(f), asid), 0);
        mf[f].state = FRAME_TABLE;
        m->live = true;
        m->asid = asid;
        m->root = (int)f;
        for (unsigned g = 0; g < NG; g++) {
            m->l2[g] = NO_FRAME;
            for (unsigned k = 0; k < NM; k++)
                m->l3[g][k] = NO_FRAME;
        }
        memset(m->mapped, 0, sizeof m->mapped);
        assert_int_equal(vspace_pin(&m->vs, PIN_VA, PIN_VA + PAGE_SIZE), 0);
        return;
    }
}

static void step_map(unsigned s)
{
    mspace_t *m = &ms[s];
    static const unsigned good[] = { PT_READ, PT_READ | PT_WRITE, PT_READ | PT_EXEC, 0 };
    static const unsigned bad[] = { PT_WRITE, PT_EXEC, PT_PERMS_ALL, PT_WRITE | PT_EXEC, PT_READ | 8u };
    unsigned i = pick(NVA), f = pick(NFRAMES + 1);
    unsigned perms = pick(10) ? good[pick(4)] : bad[pick(5)];
    const frame_range_t *r = pick(4) ? &ALLOWED : &WIDE;
    vaddr_t va = pool_va(i) + (pick(50) ? 0 : 8);
    paddr_t pa = frame_pa(f);
    unsigned g = i / (NM * NP), k = i / NP % NM;

    int expect = 0;
    unsigned expect_level = 0;
    if (!m->live)
        expect = -AK_ESRCH;
    else if ((va & PAGE_MASK) || (perms & ~PT_PERMS_ALL) || (perms && !(perms & PT_READ)))
        expect = -AK_EINVAL;
    else if ((perms & PT_WRITE) && (perms & PT_EXEC))
        expect = -AK_EACCES;
    else if (!covers(r, pa) || va == PIN_VA)
        expect = -AK_EPERM;
    else if (f == NFRAMES || mf[f].state == FRAME_KERNEL)
        expect = -AK_EFAULT;
    else if (mf[f].state == FRAME_TABLE)
        expect = -AK_EBUSY;
    else if (m->l2[g] == NO_FRAME)
        expect = -AK_ENOTABLE, expect_level = 2;
    else if (m->l3[g][k] == NO_FRAME)
        expect = -AK_ENOTABLE, expect_level = 3;
    else if (m->mapped[i])
        expect = -AK_EEXIST;

    unsigned level = 0;
    outcomes_map[-expect]++;
    host_events_clear();
    assert_int_equal(vspace_map(&m->vs, r, va, pa, perms, &level), expect);
    if (expect == -AK_ENOTABLE)
        assert_int_equal(level, expect_level);
    if (expect != 0) {
        assert_int_equal(host_nevents, 0);
        return;
    }
    assert_int_equal(host_count(HOST_SYNC_EXEC), (perms & PT_EXEC) ? 1 : 0);
    m->mapped[i] = true;
    m->frame[i] = (int)f;
    m->perms[i] = perms;
    mf[f].state = FRAME_MAPPED;
    mf[f].count++;
}

static void step_supply(unsigned s)
{
    mspace_t *m = &ms[s];
    unsigned i = pick(NVA), f = pick(NFRAMES + 1);
    unsigned level = pick(10) ? 2 + pick(2) : pick(2) ? 1 : 4;
    const frame_range_t *r = pick(4) ? &ALLOWED : &WIDE;
    vaddr_t va = pool_va(i) + pick(PAGE_SIZE);  /* any address of the range */
    paddr_t pa = frame_pa(f);
    unsigned g = i / (NM * NP), k = i / NP % NM;

    int expect = 0;
    if (!m->live)
        expect = -AK_ESRCH;
    else if (level != 2 && level != 3)
        expect = -AK_EINVAL;
    else if (!covers(r, pa))
        expect = -AK_EPERM;
    else if (f == NFRAMES || mf[f].state == FRAME_KERNEL)
        expect = -AK_EFAULT;
    else if (mf[f].state != FRAME_FREE)
        expect = -AK_EBUSY;
    else if (level == 3 && m->l2[g] == NO_FRAME)
        expect = -AK_ENOTABLE;
    else if (level == 2 ? m->l2[g] != NO_FRAME : m->l3[g][k] != NO_FRAME)
        expect = -AK_EEXIST;

    outcomes_supply[-expect]++;
    /* The vmm's leftovers in a free frame: the kernel must zero them. */
    bool dirtied = f < NFRAMES && mf[f].state == FRAME_FREE;
    if (dirtied)
        host_dirty(pa);
    assert_int_equal(vspace_supply_table(&m->vs, r, va, level, pa), expect);
    if (expect != 0) {
        if (dirtied)
            assert_true(host_is_junk(pa));
        return;
    }
    assert_true(host_is_zero(pa));
    mf[f].state = FRAME_TABLE;
    if (level == 2)
        m->l2[g] = (int)f;
    else
        m->l3[g][k] = (int)f;
}

static void step_unmap(unsigned s)
{
    mspace_t *m = &ms[s];
    static const size_t lengths[] = { 1, 2, 3, 256, 512, 513, (1u << 18) + 1, 1u << 27 };
    unsigned i = pick(NVA);
    vaddr_t va = pick(8) ? pool_va(i) : 0;
    size_t n = lengths[pick(ARRAY_SIZE(lengths))];
    vaddr_t end = va + n * PAGE_SIZE;

    int expect = 0;
    if (!m->live)
        expect = -AK_ESRCH;
    else if (end > PT_VA_END)
        expect = -AK_EINVAL;
    else if ((va <= PIN_VA && PIN_VA < end) || (va < AK_DEVICE_VA_MAX && AK_DEVICE_VA_MIN < end))
        expect = -AK_EPERM;
    else
        for (unsigned j = 0; j < NVA; j++)
            expect += m->mapped[j] && pool_va(j) >= va && pool_va(j) < end;

    host_events_clear();
    assert_int_equal(vspace_unmap(&m->vs, va, n), expect);
    if (expect <= 0) {
        assert_int_equal(host_nevents, 0);
        return;
    }
    if (n <= PT_PAGE_INVAL_MAX) {
        assert_int_equal(host_count(HOST_INVAL_PAGE), (size_t)expect);
        assert_int_equal(host_nevents, (size_t)expect);
    } else {
        assert_int_equal(host_count(HOST_INVAL_ASID), 1);
        assert_int_equal(host_nevents, 1);
    }
    for (size_t e = 0; e < host_nevents; e++)
        assert_int_equal(host_events[e].asid, m->asid);
    for (unsigned j = 0; j < NVA; j++) {
        if (!m->mapped[j] || pool_va(j) < va || pool_va(j) >= end)
            continue;
        m->mapped[j] = false;
        mframe_t *x = &mf[m->frame[j]];
        if (--x->count == 0)
            x->state = FRAME_FREE;
    }
}

static void step_take(unsigned s)
{
    mspace_t *m = &ms[s];
    unsigned i = pick(NVA);
    vaddr_t va = pick(8) ? pool_va(i) + (pick(50) ? 0 : 8) : PIN_VA;
    int expect = 0;
    if (!m->live)
        expect = -AK_ESRCH;
    else if (va & PAGE_MASK)
        expect = -AK_EINVAL;
    else if (va == PIN_VA)
        expect = -AK_EPERM;
    else if (!m->mapped[i])
        expect = -AK_ENOENT;

    paddr_t pa = 0;
    host_events_clear();
    assert_int_equal(vspace_take(&m->vs, va, &pa), expect);
    if (expect != 0) {
        assert_int_equal(host_nevents, 0);
        return;
    }
    assert_int_equal(pa, F(m->frame[i]));
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].kind, HOST_INVAL_PAGE);
    assert_int_equal(host_events[0].va, va);
    assert_int_equal(host_events[0].asid, m->asid);
    m->mapped[i] = false;
    mframe_t *x = &mf[m->frame[i]];
    if (--x->count == 0)
        x->state = FRAME_FREE;
}

static void step_protect(unsigned s)
{
    mspace_t *m = &ms[s];
    static const size_t lengths[] = { 1, 2, 3, 256, 512, 513, (1u << 18) + 1, 1u << 27 };
    static const unsigned good[] = { PT_READ, PT_READ | PT_WRITE, PT_READ | PT_EXEC, 0 };
    static const unsigned bad[] = { PT_WRITE, PT_PERMS_ALL, PT_READ | 8u, PT_EXEC };
    unsigned i = pick(NVA);
    vaddr_t va = pick(8) ? pool_va(i) : 0;
    size_t n = lengths[pick(ARRAY_SIZE(lengths))];
    unsigned perms = pick(10) ? good[pick(4)] : bad[pick(4)];
    vaddr_t end = va + n * PAGE_SIZE;

    int expect = 0;
    size_t nchanged = 0, nexec = 0;
    if (!m->live)
        expect = -AK_ESRCH;
    else if (end > PT_VA_END || (perms & ~PT_PERMS_ALL) || (perms && !(perms & PT_READ)))
        expect = -AK_EINVAL;
    else if ((perms & PT_WRITE) && (perms & PT_EXEC))
        expect = -AK_EACCES;
    else if ((va <= PIN_VA && PIN_VA < end) || (va < AK_DEVICE_VA_MAX && AK_DEVICE_VA_MIN < end))
        expect = -AK_EPERM;
    else
        for (unsigned j = 0; j < NVA; j++) {
            if (!m->mapped[j] || pool_va(j) < va || pool_va(j) >= end)
                continue;
            expect++;
            nchanged += m->perms[j] != perms;
            nexec += (perms & PT_EXEC) && !(m->perms[j] & PT_EXEC);
        }

    host_events_clear();
    assert_int_equal(vspace_protect(&m->vs, va, n, perms), expect);
    if (expect <= 0) {
        assert_int_equal(host_nevents, 0);
        return;
    }
    assert_int_equal(host_count(HOST_SYNC_EXEC), nexec);
    if (n <= PT_PAGE_INVAL_MAX)
        assert_int_equal(host_count(HOST_INVAL_PAGE), nchanged);
    else
        assert_int_equal(host_count(HOST_INVAL_ASID), nchanged > 0);
    for (size_t e = 0; e < host_nevents; e++)
        if (host_events[e].kind != HOST_SYNC_EXEC)
            assert_int_equal(host_events[e].asid, m->asid);
    for (unsigned j = 0; j < NVA; j++)
        if (m->mapped[j] && pool_va(j) >= va && pool_va(j) < end)
            m->perms[j] = perms;
}

static void step_query(unsigned s)
{
    mspace_t *m = &ms[s];
    unsigned i = pick(NVA);
    vaddr_t off = pick(PAGE_SIZE);
    paddr_t pa;
    unsigned perms;
    int r = vspace_query(&m->vs, pool_va(i) + off, &pa, &perms);
    if (!m->live) {
        assert_int_equal(r, -AK_ESRCH);
    } else if (!m->mapped[i]) {
        assert_int_equal(r, -AK_ENOENT);
    } else {
        assert_int_equal(r, 0);
        assert_int_equal(pa, F(m->frame[i]) + off);
        assert_int_equal(perms, m->perms[i]);
    }
}

static void step_destroy(unsigned s)
{
    mspace_t *m = &ms[s];
    handback_t h = { .asid = m->asid };
    bool expect[NFRAMES] = { false };
    size_t nexpect = 0;
    if (m->live) {
        expect[m->root] = true;
        nexpect++;
        for (unsigned g = 0; g < NG; g++) {
            if (m->l2[g] != NO_FRAME)
                expect[m->l2[g]] = true, nexpect++;
            for (unsigned k = 0; k < NM; k++)
                if (m->l3[g][k] != NO_FRAME)
                    expect[m->l3[g][k]] = true, nexpect++;
        }
    }
    host_events_clear();
    vspace_destroy(&m->vs, collect_table, &h);
    assert_int_equal(h.n, nexpect);
    for (size_t j = 0; j < h.n; j++) {
        size_t f = (h.pa[j] - HOST_PA_BASE) >> PAGE_SHIFT;
        assert_true(f < NFRAMES);
        assert_true(expect[f]);  /* expected, and not seen before */
        expect[f] = false;
        mf[f].state = FRAME_FREE;
    }
    if (!m->live)
        return;
    assert_int_equal(h.pa[h.n - 1], F(m->root));
    for (unsigned j = 0; j < NVA; j++) {
        if (!m->mapped[j])
            continue;
        mframe_t *x = &mf[m->frame[j]];
        if (--x->count == 0)
            x->state = FRAME_FREE;
    }
    m->live = false;
}

static void compare_model(void)
{
    assert_int_equal(frame_check(&ft), 0);
    for (unsigned f = 0; f < NFRAMES; f++) {
        uint32_t c;
        assert_int_equal(frame_state(&ft, F(f), &c), mf[f].state);
        assert_int_equal(c, mf[f].count);
    }
    for (unsigned s = 0; s < NVS; s++)
        assert_int_equal(vspace_check(&ms[s].vs), 0);
}

static void test_random_against_model(void **state)
{
    (void)state;
    rng_state = UINT64_C(0x9E3779B97F4A7C15);
    model_init();
    for (unsigned s = 0; s < NVS; s++)
        model_create(s);
    size_t ndestroy = 0;
    memset(outcomes_map, 0, sizeof outcomes_map);
    memset(outcomes_supply, 0, sizeof outcomes_supply);
    for (unsigned step = 0; step < STEPS; step++) {
        unsigned s = pick(NVS), op = pick(1000);
        if (op >= 925 && !ms[s].live)
            model_create(s);
        else if (op < 400 || op >= 925)
            step_map(s);
        else if (op < 600)
            step_supply(s);
        else if (op < 750)
            pick(4) ? step_unmap(s) : step_take(s);
        else if (op < 850)
            step_protect(s);
        else if (op < 920)
            step_query(s);
        else if (op < 925)
            step_destroy(s), ndestroy++;
        compare_model();
    }
    /* The run reached every result of both calls, and many destructions. */
    static const int map_results[] = { 0, AK_ESRCH, AK_EINVAL, AK_EACCES, AK_EPERM,
                                       AK_EFAULT, AK_EBUSY, AK_ENOTABLE, AK_EEXIST };
    for (unsigned j = 0; j < ARRAY_SIZE(map_results); j++)
        assert_true(outcomes_map[map_results[j]] >= 50);
    static const int supply_results[] = { 0, AK_ESRCH, AK_EINVAL, AK_EPERM, AK_EFAULT,
                                          AK_EBUSY, AK_ENOTABLE, AK_EEXIST };
    for (unsigned j = 0; j < ARRAY_SIZE(supply_results); j++)
        assert_true(outcomes_supply[supply_results[j]] >= 30);
    assert_true(ndestroy >= 50);
    for (unsigned s = 0; s < NVS; s++)
        step_destroy(s);
    compare_model();
    assert_int_equal(ft.nrefs, 0);
    assert_int_equal(ft.ntable, 0);
    assert_int_equal(ft.nfree, NFRAMES - KERNEL_END);
}

/* ---- range invocations: vspace_map_range, vspace_take_range ---- */

/* The frame table's totals and a space's page count, to show a refusal changed nothing. */
typedef struct snapshot {
    size_t nfree, nmapped, ntable, npages;
} snapshot_t;

static snapshot_t snap(const vspace_t *vs)
{
    return (snapshot_t){ ft.nfree, ft.nmapped, ft.ntable, vs->npages };
}

static void expect_same(const vspace_t *vs, snapshot_t before)
{
    check(vs);
    assert_int_equal(ft.nfree, before.nfree);
    assert_int_equal(ft.nmapped, before.nmapped);
    assert_int_equal(ft.ntable, before.ntable);
    assert_int_equal(vs->npages, before.npages);
}

/* A space with the tables of the first 2 MiB of the mmap area (F(10), F(11)) and nothing mapped. */
static void range_space(vspace_t *vs)
{
    assert_int_equal(vspace_init(vs, &ft, F(4), 5), 0);
    assert_int_equal(vspace_supply_table(vs, &ALLOWED, AK_USER_MMAP_MIN, PT_LEVEL_MID, F(10)), 0);
    assert_int_equal(vspace_supply_table(vs, &ALLOWED, AK_USER_MMAP_MIN, PT_LEVEL_LEAF, F(11)), 0);
    check(vs);
}

static void expect_unmapped_range(const vspace_t *vs, vaddr_t va, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(vspace_query(vs, va + i * PAGE_SIZE, NULL, NULL), -AK_ENOENT);
}

static void test_range_map(void **state)
{
    (void)state;
    vspace_t vs;
    range_space(&vs);
    const vaddr_t va = AK_USER_MMAP_MIN + 3 * PAGE_SIZE;
    /* Any frames, in any order, one of them twice. */
    const paddr_t pa[5] = { F(40), F(45), F(41), F(40), F(50) };
    unsigned level = 0;
    vaddr_t where = 0;
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, pa, 5, PT_READ | PT_WRITE, &level, &where), 0);
    check(&vs);
    assert_int_equal(vs.npages, 5);
    for (size_t i = 0; i < 5; i++) {
        paddr_t got = 0;
        unsigned perms = 0;
        assert_int_equal(vspace_query(&vs, va + i * PAGE_SIZE, &got, &perms), 0);
        assert_int_equal(got, pa[i]);
        assert_int_equal(perms, PT_READ | PT_WRITE);
    }
    assert_int_equal(count_of(F(40)), 2);
    assert_int_equal(count_of(F(45)), 1);
    /* The neighbours are untouched. */
    assert_int_equal(vspace_query(&vs, va - PAGE_SIZE, NULL, NULL), -AK_ENOENT);
    assert_int_equal(vspace_query(&vs, va + 5 * PAGE_SIZE, NULL, NULL), -AK_ENOENT);
}

static void test_range_count_zero(void **state)
{
    (void)state;
    vspace_t vs;
    range_space(&vs);
    const paddr_t pa[1] = { F(40) };
    paddr_t out[1] = { 0 };
    snapshot_t before = snap(&vs);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, AK_USER_MMAP_MIN, pa, 0, PT_READ, NULL, NULL), -AK_EINVAL);
    assert_int_equal(vspace_take_range(&vs, AK_USER_MMAP_MIN, 0, out), -AK_EINVAL);
    expect_same(&vs, before);
}

static void test_range_wrap(void **state)
{
    (void)state;
    vspace_t vs;
    range_space(&vs);
    paddr_t pa[4] = { F(40), F(41), F(42), F(43) };
    paddr_t out[4];
    snapshot_t before = snap(&vs);
    host_events_clear();
    /* Past the end of the user range, and past 2^64. */
    const vaddr_t last = PT_VA_END - PAGE_SIZE;
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, last, pa, 2, PT_READ, NULL, NULL), -AK_EINVAL);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, UINT64_MAX - PAGE_SIZE + 1, pa, 2, PT_READ, NULL, NULL),
                     -AK_EINVAL);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, PT_VA_END, pa, 1, PT_READ, NULL, NULL), -AK_EINVAL);
    assert_int_equal(vspace_take_range(&vs, last, 2, out), -AK_EINVAL);
    assert_int_equal(vspace_take_range(&vs, UINT64_MAX - PAGE_SIZE + 1, 2, out), -AK_EINVAL);
    assert_int_equal(vspace_take_range(&vs, AK_USER_MMAP_MIN, SIZE_MAX, out), -AK_EINVAL);
    /* Unaligned addresses. */
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, AK_USER_MMAP_MIN + 8, pa, 2, PT_READ, NULL, NULL), -AK_EINVAL);
    assert_int_equal(vspace_take_range(&vs, AK_USER_MMAP_MIN + 8, 2, out), -AK_EINVAL);
    assert_int_equal(host_nevents, 0);
    expect_same(&vs, before);
}

/* Each bad frame or page at index 2 of 4: the two before it are mapped, then undone. */
static void test_range_undone(void **state)
{
    (void)state;
    vspace_t vs;
    range_space(&vs);
    const vaddr_t va = AK_USER_MMAP_MIN;
    size_t next = 12;
    vmm_map(&vs, va + 10 * PAGE_SIZE, F(60), PT_READ, &next); /* a page in the way */
    assert_int_equal(vspace_pin(&vs, va + 20 * PAGE_SIZE, va + 21 * PAGE_SIZE), 0);
    const struct {
        const char *what;
        vaddr_t va;
        paddr_t bad;
        const frame_range_t *allowed;
        unsigned perms;
        int err;
    } cases[] = {
        { "outside the caller's memory", va, F(ALLOWED_END), &ALLOWED, PT_READ, -AK_EPERM },
        { "below the caller's memory", va, F(7), &ALLOWED, PT_READ, -AK_EPERM },
        { "kernel memory", va, F(1), &WIDE, PT_READ, -AK_EFAULT },
        { "not RAM", va, NONRAM, &WIDE, PT_READ, -AK_EFAULT },
        { "a table frame", va, F(11), &ALLOWED, PT_READ, -AK_EBUSY },
        { "reserved bits in the frame", va, F(42) | 0x10, &ALLOWED, PT_READ, -AK_EINVAL },
        { "a frame above 48 bits", va, UINT64_C(1) << 48, &WIDE, PT_READ, -AK_EINVAL },
        { "a page mapped already", va + 8 * PAGE_SIZE, F(42), &ALLOWED, PT_READ, -AK_EEXIST },
        { "a pinned page", va + 18 * PAGE_SIZE, F(42), &ALLOWED, PT_READ, -AK_EPERM },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const paddr_t pa[4] = { F(40), F(41), cases[c].bad, F(43) };
        snapshot_t before = snap(&vs);
        unsigned level = 99;
        vaddr_t where = 1;
        int rc = vspace_map_range(&vs, cases[c].allowed, cases[c].va, pa, 4, cases[c].perms, &level, &where);
        if (rc != cases[c].err)
            fail_msg("%s: %d, want %d", cases[c].what, rc, cases[c].err);
        expect_same(&vs, before);
        assert_int_equal(state_of(F(40)), FRAME_FREE);
        assert_int_equal(state_of(F(41)), FRAME_FREE);
        assert_int_equal(level, 99);
        assert_int_equal(where, 1);
        assert_int_equal(vspace_query(&vs, cases[c].va, NULL, NULL), -AK_ENOENT);
        assert_int_equal(vspace_query(&vs, cases[c].va + PAGE_SIZE, NULL, NULL), -AK_ENOENT);
    }
    /* Reserved permission bits and W^X refuse the whole range before any page. */
    const paddr_t ok[2] = { F(40), F(41) };
    snapshot_t before = snap(&vs);
    host_events_clear();
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, ok, 2, PT_READ | PT_WRITE | PT_EXEC, NULL, NULL),
                     -AK_EACCES);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, ok, 2, PT_WRITE, NULL, NULL), -AK_EINVAL);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, ok, 2, PT_READ | 0x100, NULL, NULL), -AK_EINVAL);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, ok, 2, PT_READ | PT_DEVICE, NULL, NULL), -AK_EINVAL);
    assert_int_equal(host_nevents, 0);
    expect_same(&vs, before);
}

static void test_range_table_missing(void **state)
{
    (void)state;
    vspace_t vs;
    range_space(&vs);
    /* 6 pages across the end of the first 2 MiB: the second span has no table. */
    const vaddr_t va = AK_USER_MMAP_MIN + MIB2 - 3 * PAGE_SIZE;
    const paddr_t pa[6] = { F(40), F(41), F(42), F(43), F(44), F(45) };
    snapshot_t before = snap(&vs);
    unsigned level = 0;
    vaddr_t where = 0;
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, pa, 6, PT_READ, &level, &where), -AK_ENOTABLE);
    assert_int_equal(level, PT_LEVEL_LEAF);
    assert_int_equal(where, AK_USER_MMAP_MIN + MIB2);
    expect_same(&vs, before);
    expect_unmapped_range(&vs, va, 6);
    /* Supplied, the same request succeeds. */
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, where, level, F(12)), 0);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, pa, 6, PT_READ, &level, &where), 0);
    check(&vs);
    assert_int_equal(vs.npages, 6);
    /* A missing level-2 table, in the middle of the range: named at that level. */
    const vaddr_t gib = GIB - 2 * PAGE_SIZE; /* the level-2 table of the first GiB exists */
    const paddr_t pb[4] = { F(50), F(51), F(52), F(53) };
    assert_int_equal(vspace_supply_table(&vs, &ALLOWED, gib, PT_LEVEL_LEAF, F(13)), 0);
    before = snap(&vs);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, gib, pb, 4, PT_READ, &level, &where), -AK_ENOTABLE);
    assert_int_equal(level, PT_LEVEL_MID);
    assert_int_equal(where, GIB);
    expect_same(&vs, before);
    expect_unmapped_range(&vs, gib, 4);
}

static void test_range_take(void **state)
{
    (void)state;
    vspace_t vs;
    range_space(&vs);
    const vaddr_t va = AK_USER_MMAP_MIN;
    const paddr_t pa[3] = { F(40), F(41), F(40) };
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, pa, 3, PT_READ, NULL, NULL), 0);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va + 4 * PAGE_SIZE, pa + 1, 1, PT_READ, NULL, NULL), 0);
    assert_int_equal(vspace_pin(&vs, va + 9 * PAGE_SIZE, va + 10 * PAGE_SIZE), 0);
    check(&vs);

    /* Refusals: the pinned page, the device window; nothing changes. */
    paddr_t out[8];
    for (size_t i = 0; i < 8; i++)
        out[i] = 7;
    snapshot_t before = snap(&vs);
    host_events_clear();
    assert_int_equal(vspace_take_range(&vs, va + 5 * PAGE_SIZE, 5, out), -AK_EPERM);
    assert_int_equal(vspace_take_range(&vs, AK_DEVICE_VA_MIN, 1, out), -AK_EPERM);
    assert_int_equal(host_nevents, 0);
    assert_int_equal(out[0], 7);
    expect_same(&vs, before);

    /* Every frame in order, 0 for the holes (page 3, pages 5..7 have no table entry). */
    assert_int_equal(vspace_take_range(&vs, va, 8, out), 4);
    check(&vs);
    const paddr_t want[8] = { F(40), F(41), F(40), 0, F(41), 0, 0, 0 };
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(out[i], want[i]);
    assert_int_equal(vs.npages, 0);
    assert_int_equal(state_of(F(40)), FRAME_FREE);
    assert_int_equal(state_of(F(41)), FRAME_FREE);
    assert_int_equal(host_count(HOST_INVAL_PAGE), 4);

    /* Nothing left: all zeros; a range whose tables are missing too. */
    assert_int_equal(vspace_take_range(&vs, va, 8, out), 0);
    assert_int_equal(vspace_take_range(&vs, va + GIB, 8, out), 0);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(out[i], 0);
    vspace_destroy(&vs, NULL, NULL);
    assert_int_equal(vspace_take_range(&vs, va, 1, out), -AK_ESRCH);
    assert_int_equal(vspace_map_range(&vs, &ALLOWED, va, pa, 1, PT_READ, NULL, NULL), -AK_ESRCH);
    check(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define NAMED(name, fn) { name, fn, setup, teardown, NULL }

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init),
        T(test_map_supply_retry),
        T(test_supplied_tables_are_zeroed),
        T(test_map_refusals),
        T(test_supply_refusals),
        T(test_counts_and_tlb),
        T(test_take),
        T(test_exec_mapping_syncs_caches),
        T(test_protect),
        T(test_destroy),
        T(test_pinned_range),
        T(test_check_detects_inconsistency),
        T(test_random_against_model),
        NAMED("range-map", test_range_map),
        NAMED("range-count-zero", test_range_count_zero),
        NAMED("range-wrap", test_range_wrap),
        NAMED("range-undone", test_range_undone),
        NAMED("range-table-missing", test_range_table_missing),
        NAMED("range-take", test_range_take),
    };
    return cmocka_run_group_tests_name("vspace", tests, NULL, NULL);
}
