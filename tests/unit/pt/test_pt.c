/*
 * The user page-table code (ukernel/arch/aarch64/pt.c) over a host arena.
 *
 * Descriptors are read back from the arena by an independent walk and
 * checked bit by bit against the architecture's definition, written here
 * from the Arm ARM (DDI 0487, D8.3 "Translation table descriptor formats")
 * rather than from the kernel's constants.  The glue records every TLB,
 * cache and publish operation, so each test also checks the maintenance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/pt.h>

#include "pt_host.h"

/* VMSAv8-64, 4 KiB granule, from the Arm ARM. */
#define ARM_VALID          (UINT64_C(1) << 0)
#define ARM_TYPE_MASK      UINT64_C(0x3)           /* bits [1:0] */
#define ARM_TYPE_TABLE     UINT64_C(0x3)           /* levels 1-2: table */
#define ARM_TYPE_PAGE      UINT64_C(0x3)           /* level 3: page */
#define ARM_ATTRINDX_SHIFT 2                       /* AttrIndx, bits [4:2] */
#define ARM_ATTRINDX_MASK  UINT64_C(0x7)
#define ARM_NS             (UINT64_C(1) << 5)
#define ARM_AP_SHIFT       6                       /* AP[2:1], bits [7:6] */
#define ARM_AP_MASK        UINT64_C(0x3)
#define ARM_AP_EL0_RW      UINT64_C(0x1)           /* AP[2:1] = 0b01: EL1 and EL0 read/write */
#define ARM_AP_EL0_RO      UINT64_C(0x3)           /* AP[2:1] = 0b11: EL1 and EL0 read-only */
#define ARM_AP_EL0_NONE    UINT64_C(0x2)           /* AP[2:1] = 0b10: EL1 read-only, EL0 no access */
#define ARM_SH_SHIFT       8                       /* SH[1:0], bits [9:8] */
#define ARM_SH_MASK        UINT64_C(0x3)
#define ARM_SH_INNER       UINT64_C(0x3)
#define ARM_AF             (UINT64_C(1) << 10)
#define ARM_NG             (UINT64_C(1) << 11)
#define ARM_OA_MASK        UINT64_C(0x0000FFFFFFFFF000)  /* output address, bits [47:12] */
#define ARM_DBM            (UINT64_C(1) << 51)
#define ARM_CONTIG         (UINT64_C(1) << 52)
#define ARM_PXN            (UINT64_C(1) << 53)
#define ARM_UXN            (UINT64_C(1) << 54)
#define ARM_SW_MASK        (UINT64_C(0xF) << 55)   /* software use, bits [58:55] */
#define ARM_TABLE_ATTRS    (UINT64_C(0x1F) << 59)  /* NSTable, APTable, XNTable, PXNTable */
#define ARM_MAIR_NORMAL_WB UINT64_C(0xFF)          /* Normal, inner/outer write-back, RW-allocate */
#define GIB                (UINT64_C(1) << 30)
#define MIB2               (UINT64_C(1) << 21)

#define ARENA_FRAMES 64u
#define ROOT host_frame(0)
#define ASID 7u

static int setup(void **state)
{
    (void)state;
    host_arena_init(ARENA_FRAMES);
    pt_init_root(ROOT);
    host_events_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    host_arena_free();
    return 0;
}

/* The raw descriptor of va at level, found by our own walk; NULL if a table is missing. */
static uint64_t *raw(vaddr_t va, unsigned level)
{
    uint64_t *t = host_virt(ROOT);
    for (unsigned l = 1; l <= 3; l++) {
        uint64_t *e = &t[(va >> (12 + 9 * (3 - l))) & 0x1FF];
        if (l == level)
            return e;
        if ((*e & ARM_TYPE_MASK) != ARM_TYPE_TABLE)
            return NULL;
        t = host_virt(*e & ARM_OA_MASK);
    }
    return NULL;
}

/* Installs both tables for va from the given frames. */
static void tables_for(vaddr_t va, size_t l2_frame, size_t l3_frame)
{
    int r = pt_install_table(ROOT, va, 2, host_frame(l2_frame));
    assert_true(r == 0 || r == -AK_EEXIST);
    assert_int_equal(pt_install_table(ROOT, va, 3, host_frame(l3_frame)), 0);
}

static void test_init_root_zeroes(void **state)
{
    (void)state;
    host_dirty(host_frame(1));
    pt_init_root(host_frame(1));
    assert_true(host_is_zero(host_frame(1)));
    assert_int_equal(host_count(HOST_PUBLISH), 1);
}

static void test_missing_tables_by_level(void **state)
{
    (void)state;
    const vaddr_t va = 3 * GIB + 5 * MIB2 + 7 * PAGE_SIZE;
    const paddr_t pa = host_frame(10);
    unsigned level = 0;

    assert_int_equal(pt_map(ROOT, va, pa, PT_READ, &level), -AK_ENOTABLE);
    assert_int_equal(level, 2);
    assert_int_equal(pt_map(ROOT, va, pa, PT_READ, NULL), -AK_ENOTABLE);
    assert_int_equal(pt_install_table(ROOT, va, 2, host_frame(1)), 0);

    level = 0;
    assert_int_equal(pt_map(ROOT, va, pa, PT_READ, &level), -AK_ENOTABLE);
    assert_int_equal(level, 3);
    /* Another 2 MiB of the same GiB misses its level-3 table, another GiB its level 2. */
    assert_int_equal(pt_map(ROOT, va + MIB2, pa, PT_READ, &level), -AK_ENOTABLE);
    assert_int_equal(level, 3);
    assert_int_equal(pt_map(ROOT, va + GIB, pa, PT_READ, &level), -AK_ENOTABLE);
    assert_int_equal(level, 2);

    assert_int_equal(pt_install_table(ROOT, va, 3, host_frame(2)), 0);
    assert_int_equal(pt_map(ROOT, va, pa, PT_READ, &level), 0);
    assert_int_equal(host_count(HOST_INVAL_PAGE) + host_count(HOST_INVAL_ASID), 0);
}

static void test_table_descriptors(void **state)
{
    (void)state;
    const vaddr_t va = 2 * GIB + 3 * MIB2;
    host_events_clear();
    assert_int_equal(pt_install_table(ROOT, va, 2, host_frame(4)), 0);
    assert_int_equal(pt_install_table(ROOT, va, 3, host_frame(5)), 0);
    uint64_t l1 = *raw(va, 1), l2 = *raw(va, 2);
    assert_int_equal(l1 & ARM_TYPE_MASK, ARM_TYPE_TABLE);
    assert_int_equal(l1 & ARM_OA_MASK, host_frame(4));
    assert_int_equal(l1 & ARM_TABLE_ATTRS, 0);
    assert_int_equal(l1, host_frame(4) | ARM_TYPE_TABLE);
    assert_int_equal(l2, host_frame(5) | ARM_TYPE_TABLE);
    /* Only the entries for va are set; new tables are zeroed (the arena was junk). */
    uint64_t *root = host_virt(ROOT);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(root[i], i == 2 ? l1 : 0);
    const uint64_t *t2 = host_virt(host_frame(4));
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(t2[i], i == 3 ? l2 : 0);
    assert_true(host_is_zero(host_frame(5)));
    /* Zeroing is published before the link, the link after: two per table. */
    assert_int_equal(host_count(HOST_PUBLISH), 4);
}

static void test_install_table_errors(void **state)
{
    (void)state;
    const vaddr_t va = 5 * GIB;
    host_events_clear();
    assert_int_equal(pt_install_table(ROOT, va, 1, host_frame(1)), -AK_EINVAL);
    assert_int_equal(pt_install_table(ROOT, va, 0, host_frame(1)), -AK_EINVAL);
    assert_int_equal(pt_install_table(ROOT, va, 4, host_frame(1)), -AK_EINVAL);
    assert_int_equal(pt_install_table(ROOT, PT_VA_END, 2, host_frame(1)), -AK_EINVAL);
    assert_int_equal(pt_install_table(ROOT, UINT64_MAX, 2, host_frame(1)), -AK_EINVAL);
    assert_int_equal(pt_install_table(ROOT, va, 2, host_frame(1) + 8), -AK_EINVAL);
    assert_int_equal(pt_install_table(ROOT, va, 2, UINT64_C(1) << 48), -AK_EINVAL);
    /* A level-3 table before its level 2. */
    assert_int_equal(pt_install_table(ROOT, va, 3, host_frame(1)), -AK_ENOTABLE);
    /* Failed installs touch nothing: the frame is still junk, no events. */
    assert_true(host_is_junk(host_frame(1)));
    assert_int_equal(host_nevents, 0);

    assert_int_equal(pt_install_table(ROOT, va, 2, host_frame(1)), 0);
    host_dirty(host_frame(2));
    /* Any address of the GiB names the same level-2 table. */
    assert_int_equal(pt_install_table(ROOT, va + GIB - 1, 2, host_frame(2)), -AK_EEXIST);
    assert_int_equal(pt_install_table(ROOT, va + 123, 3, host_frame(2)), 0);
    assert_int_equal(pt_install_table(ROOT, va + MIB2 - 1, 3, host_frame(3)), -AK_EEXIST);
    assert_true(host_is_junk(host_frame(3)));
    assert_int_equal(*raw(va, 1), host_frame(1) | ARM_TYPE_TABLE);
    assert_int_equal(*raw(va, 2), host_frame(2) | ARM_TYPE_TABLE);
}

/* Checks every field of the page descriptor for va against the Arm ARM; ap is AP[2:1]. */
static void check_desc(vaddr_t va, paddr_t pa, uint64_t ap, bool exec)
{
    uint64_t d = *raw(va, 3);
    assert_int_equal(d & ARM_VALID, ARM_VALID);
    assert_int_equal(d & ARM_TYPE_MASK, ARM_TYPE_PAGE);
    unsigned attr = (unsigned)((d >> ARM_ATTRINDX_SHIFT) & ARM_ATTRINDX_MASK);
    assert_int_equal(attr, 1);
    assert_int_equal((MAIR_EL1_VALUE >> (8 * attr)) & 0xFF, ARM_MAIR_NORMAL_WB);
    assert_int_equal(d & ARM_NS, 0);
    assert_int_equal((d >> ARM_AP_SHIFT) & ARM_AP_MASK, ap);
    assert_int_equal((d >> ARM_SH_SHIFT) & ARM_SH_MASK, ARM_SH_INNER);
    assert_int_equal(d & ARM_AF, ARM_AF);
    assert_int_equal(d & ARM_NG, ARM_NG);
    assert_int_equal(d & ARM_OA_MASK, pa);
    assert_int_equal(d & ARM_DBM, 0);
    assert_int_equal(d & ARM_CONTIG, 0);
    assert_int_equal(d & ARM_PXN, ARM_PXN);
    assert_int_equal(d & ARM_UXN, exec ? 0 : ARM_UXN);
    assert_int_equal(d & ARM_SW_MASK, 0);
    /* Bits 50:48 (reserved / GP with 4 KiB pages) and 63:59 (ignored). */
    assert_int_equal(d & (UINT64_C(0x7) << 48), 0);
    assert_int_equal(d & (UINT64_C(0x1F) << 59), 0);
    /* And as one value. */
    uint64_t expect = pa | ARM_TYPE_PAGE | (UINT64_C(1) << ARM_ATTRINDX_SHIFT) |
                      (ap << ARM_AP_SHIFT) | (ARM_SH_INNER << ARM_SH_SHIFT) | ARM_AF | ARM_NG |
                      ARM_PXN | (exec ? 0 : ARM_UXN);
    assert_int_equal(d, expect);
}

/* An accessible page: EL0 reads it, may write or execute it. */
static void check_page_desc(vaddr_t va, paddr_t pa, bool writable, bool exec)
{
    check_desc(va, pa, writable ? ARM_AP_EL0_RW : ARM_AP_EL0_RO, exec);
}

/* A page EL0 may not touch (perms 0): no EL0 access, never executable. */
static void check_none_desc(vaddr_t va, paddr_t pa)
{
    check_desc(va, pa, ARM_AP_EL0_NONE, false);
}

static void test_page_descriptor_bits(void **state)
{
    (void)state;
    const vaddr_t va = GIB;
    tables_for(va, 1, 2);
    assert_int_equal(pt_map(ROOT, va, host_frame(10), PT_READ, NULL), 0);
    assert_int_equal(pt_map(ROOT, va + PAGE_SIZE, host_frame(11), PT_READ | PT_WRITE, NULL), 0);
    assert_int_equal(pt_map(ROOT, va + 2 * PAGE_SIZE, host_frame(12), PT_READ | PT_EXEC, NULL), 0);
    check_page_desc(va, host_frame(10), false, false);
    check_page_desc(va + PAGE_SIZE, host_frame(11), true, false);
    check_page_desc(va + 2 * PAGE_SIZE, host_frame(12), false, true);
    /* The highest output address a descriptor holds. */
    const paddr_t top = (UINT64_C(1) << 48) - PAGE_SIZE;
    assert_int_equal(pt_map(ROOT, va + 3 * PAGE_SIZE, top, PT_READ | PT_WRITE, NULL), 0);
    check_page_desc(va + 3 * PAGE_SIZE, top, true, false);
}

/*
 * perms 0 (PROT_NONE): the frame stays mapped behind a descriptor EL0 may
 * not use, and a protect makes it accessible again with the same frame.
 */
static void test_no_access_pages(void **state)
{
    (void)state;
    const vaddr_t va = GIB;
    tables_for(va, 1, 2);
    assert_int_equal(pt_map(ROOT, va, host_frame(10), 0, NULL), 0);
    check_none_desc(va, host_frame(10));
    paddr_t pa = 0;
    unsigned perms = 99;
    assert_int_equal(pt_query(ROOT, va, &pa, &perms), 0);
    assert_int_equal(pa, host_frame(10));
    assert_int_equal(perms, 0);

    /* Accessible again: the same frame, the old TLB entry invalidated. */
    host_events_clear();
    assert_int_equal(pt_protect(ROOT, ASID, va, 1, PT_READ | PT_WRITE), 1);
    check_page_desc(va, host_frame(10), true, false);
    assert_int_equal(host_count(HOST_INVAL_PAGE), 1);
    /* And inaccessible again, from writable. */
    host_events_clear();
    assert_int_equal(pt_protect(ROOT, ASID, va, 1, 0), 1);
    check_none_desc(va, host_frame(10));
    assert_int_equal(host_count(HOST_INVAL_PAGE), 1);
    assert_int_equal(host_count(HOST_SYNC_EXEC), 0);
    /* To executable: the contents are made visible to instruction fetch. */
    host_events_clear();
    assert_int_equal(pt_protect(ROOT, ASID, va, 1, PT_READ | PT_EXEC), 1);
    check_page_desc(va, host_frame(10), false, true);
    assert_int_equal(host_count(HOST_SYNC_EXEC), 1);
    /* Taking it back returns the frame whatever its permissions were. */
    assert_int_equal(pt_protect(ROOT, ASID, va, 1, 0), 1);
    assert_int_equal(pt_take(ROOT, ASID, va, &pa), 0);
    assert_int_equal(pa, host_frame(10));
    assert_int_equal(*raw(va, 3), 0);
}

static void test_query(void **state)
{
    (void)state;
    const vaddr_t va = 7 * GIB + 9 * MIB2;
    paddr_t pa = 0;
    unsigned perms = 0;
    assert_int_equal(pt_query(ROOT, va, &pa, &perms), -AK_ENOENT);
    assert_int_equal(pt_install_table(ROOT, va, 2, host_frame(1)), 0);
    assert_int_equal(pt_query(ROOT, va, &pa, &perms), -AK_ENOENT);
    assert_int_equal(pt_install_table(ROOT, va, 3, host_frame(2)), 0);
    assert_int_equal(pt_query(ROOT, va, &pa, &perms), -AK_ENOENT);
    assert_int_equal(pt_query(ROOT, PT_VA_END, &pa, &perms), -AK_EINVAL);

    const unsigned cases[] = { PT_READ, PT_READ | PT_WRITE, PT_READ | PT_EXEC, 0 };
    for (unsigned i = 0; i < 4; i++) {
        vaddr_t v = va + i * PAGE_SIZE;
        assert_int_equal(pt_map(ROOT, v, host_frame(20 + i), cases[i], NULL), 0);
        assert_int_equal(pt_query(ROOT, v, &pa, &perms), 0);
        assert_int_equal(pa, host_frame(20 + i));
        assert_int_equal(perms, cases[i]);
        /* Any byte of the page; the offset carries over. */
        assert_int_equal(pt_query(ROOT, v + 0xABC, &pa, NULL), 0);
        assert_int_equal(pa, host_frame(20 + i) + 0xABC);
        assert_int_equal(pt_query(ROOT, v + PAGE_SIZE - 1, NULL, &perms), 0);
        assert_int_equal(perms, cases[i]);
    }
    assert_int_equal(pt_query(ROOT, va + 4 * PAGE_SIZE, &pa, &perms), -AK_ENOENT);
}

static void test_map_eexist(void **state)
{
    (void)state;
    const vaddr_t va = 0x10000000;
    tables_for(va, 1, 2);
    assert_int_equal(pt_map(ROOT, va, host_frame(10), PT_READ | PT_WRITE, NULL), 0);
    uint64_t before = *raw(va, 3);
    host_events_clear();
    assert_int_equal(pt_map(ROOT, va, host_frame(11), PT_READ, NULL), -AK_EEXIST);
    assert_int_equal(pt_map(ROOT, va, host_frame(10), PT_READ | PT_WRITE, NULL), -AK_EEXIST);
    assert_int_equal(pt_map(ROOT, va, host_frame(11), PT_READ | PT_EXEC, NULL), -AK_EEXIST);
    assert_int_equal(*raw(va, 3), before);
    assert_int_equal(host_nevents, 0);
}

static void test_map_bad_arguments(void **state)
{
    (void)state;
    const vaddr_t va = 0x10000000;
    const paddr_t pa = host_frame(10);
    tables_for(va, 1, 2);
    host_events_clear();
    /* Addresses. */
    assert_int_equal(pt_map(ROOT, va + 1, pa, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va + PAGE_SIZE / 2, pa, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, PT_VA_END, pa, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, AK_USER_VA_END + va, pa, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, UINT64_C(0xFFFFFF8000000000), pa, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, UINT64_MAX & ~PAGE_MASK, pa, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va, pa + 8, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va, UINT64_C(1) << 48, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va, UINT64_MAX & ~PAGE_MASK, PT_READ, NULL), -AK_EINVAL);
    /* Permissions: none or readable, known bits only, never W and X. */
    assert_int_equal(pt_map(ROOT, va, pa, PT_WRITE, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va, pa, PT_EXEC, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va, pa, PT_READ | 16u, NULL), -AK_EINVAL);
    /* A device page: readable, never executable (only the kernel asks for one). */
    assert_int_equal(pt_map(ROOT, va, pa, PT_DEVICE, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va, pa, PT_READ | PT_EXEC | PT_DEVICE, NULL), -AK_EACCES);
    assert_int_equal(pt_map(ROOT, va, pa, PT_READ | 0x80000000u, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va, pa, PT_READ | PT_WRITE | PT_EXEC, NULL), -AK_EACCES);
    assert_int_equal(pt_map(ROOT, va, pa, PT_WRITE | PT_EXEC, NULL), -AK_EINVAL);
    /* The same through the decode half alone. */
    assert_int_equal(pt_map_check(va, pa, PT_READ | PT_WRITE | PT_EXEC), -AK_EACCES);
    assert_int_equal(pt_map_check(va + 1, pa, PT_READ), -AK_EINVAL);
    assert_int_equal(pt_map_check(va, pa, PT_READ | PT_WRITE), 0);
    assert_int_equal(pt_map_check(va, pa, PT_READ | PT_EXEC), 0);
    assert_int_equal(pt_map_check(va, pa, 0), 0);
    /* Argument errors come before the table walk. */
    assert_int_equal(pt_map(ROOT, 9 * GIB + 1, pa, PT_READ, NULL), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, 9 * GIB, pa, PT_READ | PT_WRITE | PT_EXEC, NULL), -AK_EACCES);
    assert_int_equal(*raw(va, 3), 0);
    assert_int_equal(host_nevents, 0);
}

static void test_va_boundaries(void **state)
{
    (void)state;
    const vaddr_t last = PT_VA_END - PAGE_SIZE;
    tables_for(0, 1, 2);
    tables_for(last, 3, 4);
    assert_int_equal(pt_map(ROOT, 0, host_frame(10), PT_READ, NULL), 0);
    assert_int_equal(pt_map(ROOT, last, host_frame(11), PT_READ | PT_WRITE, NULL), 0);
    assert_int_equal(((uint64_t *)host_virt(ROOT))[511], host_frame(3) | ARM_TYPE_TABLE);
    assert_int_equal(((uint64_t *)host_virt(host_frame(4)))[511] & ARM_OA_MASK, host_frame(11));
    paddr_t pa;
    assert_int_equal(pt_query(ROOT, PT_VA_END - 1, &pa, NULL), 0);
    assert_int_equal(pa, host_frame(11) + PAGE_SIZE - 1);
    assert_int_equal(pt_unmap(ROOT, ASID, last, 1, NULL, NULL), 1);
    assert_int_equal(pt_unmap(ROOT, ASID, 0, 1, NULL, NULL), 1);
}

/* Records pt_unmap / pt_walk page callbacks. */
typedef struct seen {
    size_t n;
    vaddr_t va[64];
    paddr_t pa[64];
    unsigned perms[64];
} seen_t;

static void record_page(void *ctx, vaddr_t va, paddr_t pa, unsigned perms)
{
    seen_t *s = ctx;
    assert_true(s->n < 64);
    s->va[s->n] = va;
    s->pa[s->n] = pa;
    s->perms[s->n] = perms;
    s->n++;
}

static void test_unmap_one(void **state)
{
    (void)state;
    const vaddr_t va = 4 * GIB + 17 * MIB2 + 33 * PAGE_SIZE;
    tables_for(va, 1, 2);
    assert_int_equal(pt_map(ROOT, va, host_frame(10), PT_READ | PT_WRITE, NULL), 0);
    host_events_clear();

    seen_t s = { 0 };
    assert_int_equal(pt_unmap(ROOT, ASID, va, 1, record_page, &s), 1);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.va[0], va);
    assert_int_equal(s.pa[0], host_frame(10));
    assert_int_equal(s.perms[0], PT_READ | PT_WRITE);
    assert_int_equal(*raw(va, 3), 0);
    assert_int_equal(pt_query(ROOT, va, NULL, NULL), -AK_ENOENT);
    /* Exactly one TLB invalidation, of that VA with that ASID. */
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].kind, HOST_INVAL_PAGE);
    assert_int_equal(host_events[0].va, va);
    assert_int_equal(host_events[0].asid, ASID);

    /* Nothing mapped there any more: 0 pages, no invalidation. */
    host_events_clear();
    assert_int_equal(pt_unmap(ROOT, ASID, va, 1, record_page, &s), 0);
    assert_int_equal(pt_unmap(ROOT, ASID, 100 * GIB, 1, record_page, &s), 0);
    assert_int_equal(pt_unmap(ROOT, ASID, va + MIB2, 1, record_page, &s), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(host_nevents, 0);

    /* The tables stay: the page can be mapped again. */
    assert_int_equal(pt_map(ROOT, va, host_frame(11), PT_READ, NULL), 0);
    assert_int_equal(pt_unmap(ROOT, 0, va, 1, NULL, NULL), 1);
    assert_int_equal(host_events[host_nevents - 1].asid, 0);
}

/* Checks that the page descriptor is already clear when its invalidation is issued. */
static void check_cleared_before_inval(const host_event_t *e)
{
    if (e->kind == HOST_INVAL_PAGE)
        assert_int_equal(*raw(e->va, 3), 0);
}

static void test_take(void **state)
{
    (void)state;
    const vaddr_t va = 4 * GIB + 17 * MIB2 + 33 * PAGE_SIZE;
    paddr_t pa = 0;
    tables_for(va, 1, 2);
    assert_int_equal(pt_map(ROOT, va, host_frame(10), PT_READ | PT_WRITE, NULL), 0);
    host_events_clear();
    host_event_hook = check_cleared_before_inval;

    /* One walk: the frame, the descriptor cleared, then one invalidation of that page. */
    size_t walks = host_ntranslations;
    assert_int_equal(pt_take(ROOT, ASID, va, &pa), 0);
    assert_int_equal(host_ntranslations - walks, 3);
    assert_int_equal(pa, host_frame(10));
    assert_int_equal(*raw(va, 3), 0);
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].kind, HOST_INVAL_PAGE);
    assert_int_equal(host_events[0].va, va);
    assert_int_equal(host_events[0].asid, ASID);

    /* Not mapped, or a table missing: -AK_ENOENT, no invalidation, pa untouched. */
    host_events_clear();
    pa = 1;
    assert_int_equal(pt_take(ROOT, ASID, va, &pa), -AK_ENOENT);
    assert_int_equal(pt_take(ROOT, ASID, va + MIB2, &pa), -AK_ENOENT);
    assert_int_equal(pt_take(ROOT, ASID, 100 * GIB, &pa), -AK_ENOENT);
    assert_int_equal(pt_take(ROOT, ASID, va + 8, &pa), -AK_EINVAL);
    assert_int_equal(pt_take(ROOT, ASID, PT_VA_END, &pa), -AK_EINVAL);
    assert_int_equal(pt_map(ROOT, va, host_frame(11), PT_READ, NULL), 0);
    assert_int_equal(pt_take(ROOT, PT_ASID_MAX + 1, va, &pa), -AK_EINVAL);
    assert_int_equal(pa, 1);
    assert_int_equal(host_count(HOST_INVAL_PAGE), 0);
    assert_int_equal(pt_take(ROOT, ASID, va, &pa), 0);
    assert_int_equal(pa, host_frame(11));
}

static void test_unmap_range(void **state)
{
    (void)state;
    const vaddr_t va = 6 * GIB + 511 * MIB2 + 510 * PAGE_SIZE;  /* crosses into the next GiB */
    tables_for(va, 1, 2);
    tables_for(7 * GIB, 3, 4);
    for (unsigned i = 0; i < 5; i++)
        if (i != 2)
            assert_int_equal(pt_map(ROOT, va + i * PAGE_SIZE, host_frame(10 + i), PT_READ, NULL), 0);
    host_events_clear();
    host_event_hook = check_cleared_before_inval;

    seen_t s = { 0 };
    assert_int_equal(pt_unmap(ROOT, 42, va, 5, record_page, &s), 4);
    const unsigned mapped[] = { 0, 1, 3, 4 };
    assert_int_equal(s.n, 4);
    assert_int_equal(host_nevents, 4);
    for (unsigned k = 0; k < 4; k++) {
        vaddr_t v = va + mapped[k] * PAGE_SIZE;
        assert_int_equal(s.va[k], v);
        assert_int_equal(s.pa[k], host_frame(10 + mapped[k]));
        assert_int_equal(host_events[k].kind, HOST_INVAL_PAGE);
        assert_int_equal(host_events[k].va, v);
        assert_int_equal(host_events[k].asid, 42);
    }
}

static void test_unmap_many_invalidates_asid(void **state)
{
    (void)state;
    const vaddr_t va = 0x10000000;
    const size_t max = PT_PAGE_INVAL_MAX;
    tables_for(va, 1, 2);
    for (size_t i = 0; i <= max; i++)
        assert_int_equal(pt_map(ROOT, va + i * PAGE_SIZE, host_frame(3 + (i % 40)), PT_READ, NULL), 0);

    /* Up to the threshold: one invalidation per page. */
    host_events_clear();
    assert_int_equal(pt_unmap(ROOT, ASID, va, max, NULL, NULL), (int)max);
    assert_int_equal(host_count(HOST_INVAL_PAGE), max);
    assert_int_equal(host_count(HOST_INVAL_ASID), 0);
    for (size_t i = 0; i < max; i++)
        assert_int_equal(host_events[i].va, va + i * PAGE_SIZE);

    /* Beyond it: one ASID invalidation after the descriptors are cleared. */
    for (size_t i = 0; i < max; i++)
        assert_int_equal(pt_map(ROOT, va + i * PAGE_SIZE, host_frame(3), PT_READ, NULL), 0);
    host_events_clear();
    assert_int_equal(pt_unmap(ROOT, ASID, va, max + 1, NULL, NULL), (int)max + 1);
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].kind, HOST_INVAL_ASID);
    assert_int_equal(host_events[0].asid, ASID);

    /* Nothing unmapped: no invalidation at all. */
    host_events_clear();
    assert_int_equal(pt_unmap(ROOT, ASID, va, max + 1, NULL, NULL), 0);
    assert_int_equal(host_nevents, 0);
}

static void test_unmap_whole_space_skips_missing_tables(void **state)
{
    (void)state;
    const vaddr_t vas[] = { 0, 5 * GIB + 3 * MIB2, 5 * GIB + 300 * MIB2 + 9 * PAGE_SIZE,
                            PT_VA_END - PAGE_SIZE };
    tables_for(vas[0], 1, 2);
    tables_for(vas[1], 3, 4);
    tables_for(vas[2], 3, 5);
    tables_for(vas[3], 6, 7);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(pt_map(ROOT, vas[i], host_frame(10 + i), PT_READ | PT_EXEC, NULL), 0);
    host_events_clear();
    host_ntranslations = 0;
    seen_t s = { 0 };
    /*
     * 2^27 pages, but a walk that skips missing tables costs at most one
     * translation per root entry and three per level-2 entry of the three
     * GiBs that have a level-2 table.
     */
    assert_int_equal(pt_unmap(ROOT, ASID, 0, PT_VA_END >> PAGE_SHIFT, record_page, &s), 4);
    assert_true(host_ntranslations <= 512 + 3 * 512 * 3);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(s.va[i], vas[i]);
        assert_int_equal(s.perms[i], PT_READ | PT_EXEC);
        assert_int_equal(pt_query(ROOT, vas[i], NULL, NULL), -AK_ENOENT);
    }
    assert_int_equal(host_count(HOST_INVAL_ASID), 1);
    assert_int_equal(host_count(HOST_INVAL_PAGE), 0);
}

static void test_unmap_bad_arguments(void **state)
{
    (void)state;
    const vaddr_t va = 0x10000000;
    tables_for(va, 1, 2);
    assert_int_equal(pt_map(ROOT, va, host_frame(10), PT_READ, NULL), 0);
    host_events_clear();
    assert_int_equal(pt_unmap(ROOT, ASID, va + 1, 1, NULL, NULL), -AK_EINVAL);
    assert_int_equal(pt_unmap(ROOT, ASID, va, 0, NULL, NULL), -AK_EINVAL);
    assert_int_equal(pt_unmap(ROOT, ASID, PT_VA_END, 1, NULL, NULL), -AK_EINVAL);
    assert_int_equal(pt_unmap(ROOT, ASID, PT_VA_END - PAGE_SIZE, 2, NULL, NULL), -AK_EINVAL);
    assert_int_equal(pt_unmap(ROOT, ASID, va, SIZE_MAX, NULL, NULL), -AK_EINVAL);
    assert_int_equal(pt_unmap(ROOT, ASID, va, (SIZE_MAX >> PAGE_SHIFT) + 2, NULL, NULL), -AK_EINVAL);
    assert_int_equal(pt_unmap(ROOT, PT_ASID_MAX + 1, va, 1, NULL, NULL), -AK_EINVAL);
    assert_int_equal(host_nevents, 0);
    assert_int_equal(pt_query(ROOT, va, NULL, NULL), 0);
}

/* Checks that the descriptor is still invalid when the caches are synchronised. */
static vaddr_t sync_va;
static void check_sync_before_valid(const host_event_t *e)
{
    if (e->kind == HOST_SYNC_EXEC)
        assert_int_equal(*raw(sync_va, 3), 0);
}

static void test_exec_mapping_syncs_caches(void **state)
{
    (void)state;
    const vaddr_t va = AK_USER_IMAGE_MIN;
    tables_for(va, 1, 2);
    host_events_clear();
    assert_int_equal(pt_map(ROOT, va, host_frame(10), PT_READ, NULL), 0);
    assert_int_equal(pt_map(ROOT, va + PAGE_SIZE, host_frame(11), PT_READ | PT_WRITE, NULL), 0);
    assert_int_equal(host_count(HOST_SYNC_EXEC), 0);
    assert_int_equal(host_count(HOST_PUBLISH), 2);

    host_events_clear();
    sync_va = va + 2 * PAGE_SIZE;
    host_event_hook = check_sync_before_valid;
    assert_int_equal(pt_map(ROOT, sync_va, host_frame(12), PT_READ | PT_EXEC, NULL), 0);
    assert_int_equal(host_nevents, 2);
    assert_int_equal(host_events[0].kind, HOST_SYNC_EXEC);
    assert_int_equal(host_events[0].pa, host_frame(12));
    assert_int_equal(host_events[0].len, PAGE_SIZE);
    assert_int_equal(host_events[1].kind, HOST_PUBLISH);
}

/* Checks that a page is not yet executable when its caches are synchronised. */
static void check_sync_before_exec(const host_event_t *e)
{
    if (e->kind == HOST_SYNC_EXEC)
        assert_int_equal(*raw(sync_va, 3) & ARM_UXN, ARM_UXN);
}

static void test_protect(void **state)
{
    (void)state;
    const vaddr_t va = 0x10000000;
    tables_for(va, 1, 2);
    assert_int_equal(pt_map(ROOT, va, host_frame(10), PT_READ | PT_WRITE, NULL), 0);
    assert_int_equal(pt_map(ROOT, va + PAGE_SIZE, host_frame(11), PT_READ, NULL), 0);
    assert_int_equal(pt_map(ROOT, va + 3 * PAGE_SIZE, host_frame(12), PT_READ | PT_EXEC, NULL), 0);

    /* Read-only everywhere: two pages change, each invalidated; the hole is skipped. */
    host_events_clear();
    assert_int_equal(pt_protect(ROOT, ASID, va, 4, PT_READ), 3);
    check_page_desc(va, host_frame(10), false, false);
    check_page_desc(va + PAGE_SIZE, host_frame(11), false, false);
    check_page_desc(va + 3 * PAGE_SIZE, host_frame(12), false, false);
    assert_int_equal(*raw(va + 2 * PAGE_SIZE, 3), 0);
    assert_int_equal(host_nevents, 2);
    assert_int_equal(host_events[0].kind, HOST_INVAL_PAGE);
    assert_int_equal(host_events[0].va, va);
    assert_int_equal(host_events[0].asid, ASID);
    assert_int_equal(host_events[1].kind, HOST_INVAL_PAGE);
    assert_int_equal(host_events[1].va, va + 3 * PAGE_SIZE);

    /* Becoming executable: caches first, while the page cannot run yet. */
    host_events_clear();
    sync_va = va + PAGE_SIZE;
    host_event_hook = check_sync_before_exec;
    assert_int_equal(pt_protect(ROOT, ASID, va + PAGE_SIZE, 1, PT_READ | PT_EXEC), 1);
    host_event_hook = NULL;
    check_page_desc(va + PAGE_SIZE, host_frame(11), false, true);
    assert_int_equal(host_nevents, 2);
    assert_int_equal(host_events[0].kind, HOST_SYNC_EXEC);
    assert_int_equal(host_events[0].pa, host_frame(11));
    assert_int_equal(host_events[1].kind, HOST_INVAL_PAGE);
    assert_int_equal(host_events[1].va, va + PAGE_SIZE);

    /* No change, no maintenance. */
    host_events_clear();
    assert_int_equal(pt_protect(ROOT, ASID, va + PAGE_SIZE, 1, PT_READ | PT_EXEC), 1);
    assert_int_equal(pt_protect(ROOT, ASID, va + 2 * PAGE_SIZE, 1, PT_READ | PT_WRITE), 0);
    assert_int_equal(pt_protect(ROOT, ASID, 9 * GIB, 512, PT_READ | PT_WRITE), 0);
    assert_int_equal(host_nevents, 0);

    /* Executable to writable: no cache work. */
    assert_int_equal(pt_protect(ROOT, ASID, va + PAGE_SIZE, 1, PT_READ | PT_WRITE), 1);
    check_page_desc(va + PAGE_SIZE, host_frame(11), true, false);
    assert_int_equal(host_count(HOST_SYNC_EXEC), 0);
    assert_int_equal(host_count(HOST_INVAL_PAGE), 1);

    /* Refusals change nothing. */
    host_events_clear();
    assert_int_equal(pt_protect(ROOT, ASID, va, 4, PT_PERMS_ALL), -AK_EACCES);
    assert_int_equal(pt_protect(ROOT, ASID, va, 4, PT_WRITE), -AK_EINVAL);
    assert_int_equal(pt_protect(ROOT, ASID, va, 4, PT_READ | 16u), -AK_EINVAL);
    assert_int_equal(pt_protect(ROOT, ASID, va, 4, PT_READ | PT_DEVICE), -AK_EINVAL); /* never turns memory into a device */
    assert_int_equal(pt_protect(ROOT, ASID, va, 0, PT_READ), -AK_EINVAL);
    assert_int_equal(pt_protect(ROOT, ASID, va + 8, 1, PT_READ), -AK_EINVAL);
    assert_int_equal(pt_protect(ROOT, ASID, PT_VA_END - PAGE_SIZE, 2, PT_READ), -AK_EINVAL);
    assert_int_equal(pt_protect(ROOT, PT_ASID_MAX + 1, va, 1, PT_READ), -AK_EINVAL);
    assert_int_equal(host_nevents, 0);
    check_page_desc(va + PAGE_SIZE, host_frame(11), true, false);

    /* A long range: one ASID invalidation. */
    assert_int_equal(pt_protect(ROOT, ASID, va, PT_PAGE_INVAL_MAX + 1, PT_READ | PT_WRITE), 3);
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].kind, HOST_INVAL_ASID);
    assert_int_equal(host_events[0].asid, ASID);
    check_page_desc(va, host_frame(10), true, false);
    check_page_desc(va + 3 * PAGE_SIZE, host_frame(12), true, false);
}

/* Records pt_walk table callbacks, with the number of pages seen before each. */
typedef struct walk_rec {
    seen_t pages;
    size_t ntables;
    vaddr_t tva[16];
    unsigned tlevel[16];
    paddr_t tpa[16];
    size_t pages_before[16];
} walk_rec_t;

static void walk_page(void *ctx, vaddr_t va, paddr_t pa, unsigned perms)
{
    walk_rec_t *w = ctx;
    record_page(&w->pages, va, pa, perms);
}

static void walk_table(void *ctx, vaddr_t va, unsigned level, paddr_t table)
{
    walk_rec_t *w = ctx;
    assert_true(w->ntables < 16);
    w->tva[w->ntables] = va;
    w->tlevel[w->ntables] = level;
    w->tpa[w->ntables] = table;
    w->pages_before[w->ntables] = w->pages.n;
    w->ntables++;
}

static void test_walk_enumerates_everything(void **state)
{
    (void)state;
    /* Two level-2 tables, three level-3 tables, six pages. */
    const vaddr_t l3a = 0, l3b = 3 * MIB2, l3c = 9 * GIB + 511 * MIB2;
    tables_for(l3a, 1, 2);
    tables_for(l3b, 1, 3);
    tables_for(l3c, 4, 5);
    const vaddr_t pages[] = { l3a + PAGE_SIZE, l3a + 511 * PAGE_SIZE, l3b, l3b + 8 * PAGE_SIZE,
                              l3c + 100 * PAGE_SIZE, l3c + 511 * PAGE_SIZE };
    const unsigned perms[] = { PT_READ, PT_READ | PT_WRITE, PT_READ | PT_EXEC, PT_READ,
                               PT_READ | PT_WRITE, PT_READ | PT_EXEC };
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(pt_map(ROOT, pages[i], host_frame(20 + i), perms[i], NULL), 0);
    host_events_clear();

    walk_rec_t w = { 0 };
    assert_int_equal(pt_walk(ROOT, walk_page, walk_table, &w), 0);
    assert_int_equal(host_nevents, 0);
    /* Pages in address order with their frames and permissions. */
    assert_int_equal(w.pages.n, 6);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(w.pages.va[i], pages[i]);
        assert_int_equal(w.pages.pa[i], host_frame(20 + i));
        assert_int_equal(w.pages.perms[i], perms[i]);
    }
    /* Tables after everything under them, the root last. */
    const struct { vaddr_t va; unsigned level; size_t frame; size_t pages_before; } expect[] = {
        { l3a, 3, 2, 2 }, { l3b, 3, 3, 4 }, { 0, 2, 1, 4 },
        { l3c, 3, 5, 6 }, { 9 * GIB, 2, 4, 6 }, { 0, 1, 0, 6 },
    };
    assert_int_equal(w.ntables, 6);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(w.tva[i], expect[i].va);
        assert_int_equal(w.tlevel[i], expect[i].level);
        assert_int_equal(w.tpa[i], host_frame(expect[i].frame));
        assert_int_equal(w.pages_before[i], expect[i].pages_before);
    }
    /* Either callback may be absent; the tables are unchanged. */
    assert_int_equal(pt_walk(ROOT, NULL, NULL, NULL), 0);
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(pt_query(ROOT, pages[i], NULL, NULL), 0);
}

static void test_walk_reports_malformed(void **state)
{
    (void)state;
    tables_for(0, 1, 2);
    assert_int_equal(pt_map(ROOT, 0, host_frame(10), PT_READ, NULL), 0);
    walk_rec_t w = { 0 };

    /* A level-3 entry that is writable and executable. */
    uint64_t *e = raw(PAGE_SIZE, 3);
    *e = *raw(0, 3) & ~(ARM_AP_MASK << ARM_AP_SHIFT | ARM_UXN);
    *e |= ARM_AP_EL0_RW << ARM_AP_SHIFT;
    assert_int_equal(pt_walk(ROOT, walk_page, walk_table, &w), -AK_EINVAL);
    assert_int_equal(w.pages.n, 1);
    assert_int_equal(w.ntables, 3);
    *e = 0;

    /* An invalid but non-zero level-3 entry, and a global page. */
    *e = *raw(0, 3) & ~ARM_VALID;
    assert_int_equal(pt_walk(ROOT, NULL, NULL, NULL), -AK_EINVAL);
    *e = *raw(0, 3) & ~ARM_NG;
    assert_int_equal(pt_walk(ROOT, NULL, NULL, NULL), -AK_EINVAL);
    *e = 0;
    assert_int_equal(pt_walk(ROOT, NULL, NULL, NULL), 0);

    /* A 1 GiB block in the root and a table descriptor with attributes. */
    uint64_t *root = host_virt(ROOT);
    root[1] = GIB | ARM_VALID | ARM_AF;
    memset(&w, 0, sizeof w);
    assert_int_equal(pt_walk(ROOT, walk_page, walk_table, &w), -AK_EINVAL);
    assert_int_equal(w.pages.n, 1);
    assert_int_equal(w.ntables, 3);
    root[1] = host_frame(3) | ARM_TYPE_TABLE | ARM_TABLE_ATTRS;
    assert_int_equal(pt_walk(ROOT, NULL, NULL, NULL), -AK_EINVAL);
    root[1] = 0;
    assert_int_equal(pt_walk(ROOT, NULL, NULL, NULL), 0);
}

static void test_ttbr_and_asid_invalidation(void **state)
{
    (void)state;
    assert_int_equal(pt_ttbr(ROOT, 0), ROOT);
    assert_int_equal(pt_ttbr(ROOT, 5), ROOT | (UINT64_C(5) << 48));
    assert_int_equal(pt_ttbr(ROOT, PT_ASID_MAX), ROOT | (UINT64_C(0xFF) << 48));
    host_events_clear();
    pt_inval_asid(9);
    assert_int_equal(host_nevents, 1);
    assert_int_equal(host_events[0].kind, HOST_INVAL_ASID);
    assert_int_equal(host_events[0].asid, 9);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_root_zeroes),
        T(test_missing_tables_by_level),
        T(test_table_descriptors),
        T(test_install_table_errors),
        T(test_page_descriptor_bits),
        T(test_no_access_pages),
        T(test_query),
        T(test_map_eexist),
        T(test_map_bad_arguments),
        T(test_va_boundaries),
        T(test_unmap_one),
        T(test_take),
        T(test_unmap_range),
        T(test_unmap_many_invalidates_asid),
        T(test_unmap_whole_space_skips_missing_tables),
        T(test_unmap_bad_arguments),
        T(test_exec_mapping_syncs_caches),
        T(test_protect),
        T(test_walk_enumerates_everything),
        T(test_walk_reports_malformed),
        T(test_ttbr_and_asid_invalidation),
    };
    return cmocka_run_group_tests_name("pt", tests, NULL, NULL);
}
