/*
 * Role "refuse" (memrefuse of mem-refuse): a process with real authority
 * (an address-space capability for itself and the physical-memory
 * capability) asks the kernel for what it must refuse, on its own address
 * space, and checks each refusal's error and that it changed nothing.
 *
 *   mem-refuse-outside      frames outside the physical-memory capability:
 *                           the kernel image, RAM below it, boot memory (its
 *                           own image, stack, IPC buffer and boot-info
 *                           frames, the last frame before the capability),
 *                           devices (UART, GIC), beyond RAM: -AK_EPERM to map
 *                           or to supply as a table; the capability's first
 *                           and last frames map
 *   mem-refuse-table-frame  a table frame cannot be mapped or supplied
 *                           again, a mapped frame cannot be supplied as a
 *                           table (-AK_EBUSY); once unmapped it can
 *   mem-refuse-wx           writable and executable at once: -AK_EACCES, to
 *                           map or to protect; the perms stay as they were
 *   mem-refuse-unaligned    unaligned va or pa: -AK_EINVAL
 *   mem-refuse-pinned       the boot-info page and the IPC buffer cannot be
 *                           unmapped, remapped or reprotected (-AK_EPERM)
 *                           and still work afterwards
 *   mem-refuse-args         bad levels, prot, addresses beyond 39 bits or
 *                           48 bits, empty or wrapping ranges (-AK_EINVAL),
 *                           an existing mapping or table (-AK_EEXIST), an
 *                           unmapped page (-AK_ENOENT)
 *   mem-map-count           one frame mapped at two addresses shows the same
 *                           contents at both; it is busy until both
 *                           mappings are gone, then FREE again
 *   mem-take                take unmaps a page and returns its frame, which
 *                           is then free; an unmapped page gives -AK_ENOENT,
 *                           a pinned one -AK_EPERM, an unaligned -AK_EINVAL
 *
 * Slot 1: an address-space capability for itself; slot 2: the physical-
 * memory capability.  No pager: an unexpected fault kills it.
 */
#include <stdio.h>

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

#include "memclient.h"

#define SLOT_SELF 1

/* Fresh 2 MiB regions of the mmap area: each has no level-3 table at first. */
#define REGION(n) (AK_USER_MMAP_MIN + (uint64_t)(n) * UINT64_C(0x200000))

#define RW  (AK_PROT_READ | AK_PROT_WRITE)
#define RX  (AK_PROT_READ | AK_PROT_EXEC)
#define RWX (AK_PROT_READ | AK_PROT_WRITE | AK_PROT_EXEC)

/* The physical memory of QEMU virt as tools/qemu.sh runs it, and its devices. */
#define RAM_BASE     UINT64_C(0x40000000)
#define KERNEL_LOAD  UINT64_C(0x40100000)
#define UART_PL011   UINT64_C(0x09000000)
#define GIC_DIST     UINT64_C(0x08000000)
#define FOUR_GIB     UINT64_C(0x100000000)
#define PA_48BIT_TOP UINT64_C(0xFFFFFFFFF000) /* the last frame a descriptor can name */
#define PA_BEYOND_48 (UINT64_C(1) << 48)
#define VA_BEYOND_39 (UINT64_C(1) << 39)

static uint64_t mem_base, mem_end, next_frame;

/* A frame of the capability never used before (the first and last are kept for tests). */
static uint64_t frame_alloc(void)
{
    uint64_t pa = next_frame;
    next_frame += AK_PAGE_SIZE;
    return pa;
}

/* Maps pa at va, supplying fresh tables as asked.  Returns 0 or the kernel's error. */
static int map_page(uint64_t va, uint64_t pa, uint32_t prot)
{
    for (unsigned tries = 0; tries < 3; tries++) {
        uint8_t level = 0;
        uint64_t table_va = 0;
        int rc = aspace_map(SLOT_SELF, va, pa, prot, &level, &table_va);
        if (rc != -AK_ENOTABLE)
            return rc;
        rc = aspace_table(SLOT_SELF, table_va, level, frame_alloc());
        if (rc != 0)
            return rc;
    }
    return -AK_EIO;
}

/* aspace_map without table handling, for the cases that must fail before any walk. */
static int map_raw(uint64_t va, uint64_t pa, uint32_t prot)
{
    uint8_t level;
    uint64_t table_va;
    return aspace_map(SLOT_SELF, va, pa, prot, &level, &table_va);
}

/* The frame that va (any byte) of this process is mapped to, or 0. */
static uint64_t frame_of(test_t *t, uint64_t va)
{
    uint64_t pa = 0;
    uint32_t prot;
    int rc = aspace_query(SLOT_SELF, va, &pa, &prot);
    if (rc != 0) {
        test_fail(t, "aspace_query of its own 0x%lx returned %d", (unsigned long)va, rc);
        return 0;
    }
    return pa & ~(AK_PAGE_SIZE - 1);
}

static void expect_unmapped(test_t *t, uint64_t va)
{
    uint64_t pa;
    uint32_t prot;
    int rc = aspace_query(SLOT_SELF, va, &pa, &prot);
    if (rc != -AK_ENOENT)
        test_fail(t, "0x%lx: aspace_query returned %d (frame 0x%lx) after a refusal, want %d",
                  (unsigned long)va, rc, (unsigned long)pa, -AK_ENOENT);
}

static void expect_perms(test_t *t, uint64_t va, uint32_t want)
{
    uint64_t pa;
    uint32_t prot = 0;
    int rc = aspace_query(SLOT_SELF, va, &pa, &prot);
    if (rc != 0 || prot != want)
        test_fail(t, "0x%lx: aspace_query returned %d with prot 0x%x, want 0 with 0x%x",
                  (unsigned long)va, rc, prot, want);
}

static const uint64_t rodata_word = UINT64_C(0x0123456789ABCDEF);

static bool test_outside(void)
{
    test_t t = { "mem-refuse-outside", 0 };
    uint64_t stack_word = 0;
    const struct {
        const char *what;
        uint64_t pa;
    } outside[] = {
        { "RAM below the kernel", RAM_BASE },
        { "the kernel image", KERNEL_LOAD },
        { "its own read-only data", frame_of(&t, (uint64_t)(uintptr_t)&rodata_word) },
        { "its own stack", frame_of(&t, (uint64_t)(uintptr_t)&stack_word) },
        { "its own IPC buffer", frame_of(&t, AK_IPCBUF_VA) },
        { "its own boot-info page", frame_of(&t, AK_BOOTINFO_VA) },
        { "the last frame of boot memory", mem_base - AK_PAGE_SIZE },
        { "the UART", UART_PL011 },
        { "the GIC", GIC_DIST },
        { "the first frame beyond RAM", mem_end },
        { "4 GiB", FOUR_GIB },
        { "the top of the 48-bit physical space", PA_48BIT_TOP },
    };
    const uint64_t va = REGION(0);
    for (unsigned i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        if (outside[i].pa == 0)
            continue; /* frame_of failed, already reported */
        int rc = map_raw(va, outside[i].pa, AK_PROT_READ);
        if (rc != -AK_EPERM)
            test_fail(&t, "map of %s (0x%lx) returned %d, want %d", outside[i].what,
                      (unsigned long)outside[i].pa, rc, -AK_EPERM);
        rc = aspace_table(SLOT_SELF, va, 3, outside[i].pa);
        if (rc != -AK_EPERM)
            test_fail(&t, "%s (0x%lx) supplied as a table: %d, want %d", outside[i].what,
                      (unsigned long)outside[i].pa, rc, -AK_EPERM);
    }
    expect_unmapped(&t, va);
    /* The capability's own edges are fine. */
    const uint64_t edges[] = { mem_base, mem_end - AK_PAGE_SIZE };
    for (unsigned i = 0; i < 2; i++) {
        int rc = map_page(va, edges[i], AK_PROT_READ);
        if (rc != 0)
            test_fail(&t, "map of the capability's frame 0x%lx returned %d",
                      (unsigned long)edges[i], rc);
        else if (frame_of(&t, va) != edges[i])
            test_fail(&t, "0x%lx maps frame 0x%lx, want 0x%lx", (unsigned long)va,
                      (unsigned long)frame_of(&t, va), (unsigned long)edges[i]);
        test_expect(&t, "unmap", aspace_unmap(SLOT_SELF, va, 1), 0);
    }
    return test_end(&t);
}

static bool test_table_frame(void)
{
    test_t t = { "mem-refuse-table-frame", 0 };
    const uint64_t table = frame_alloc(), mapped = frame_alloc();
    test_expect(&t, "supplying a free frame as a table",
                aspace_table(SLOT_SELF, REGION(1), 3, table), 0);
    test_expect(&t, "map of a table frame", map_raw(REGION(0) + AK_PAGE_SIZE, table, AK_PROT_READ),
                -AK_EBUSY);
    expect_unmapped(&t, REGION(0) + AK_PAGE_SIZE);
    test_expect(&t, "supplying a table frame again", aspace_table(SLOT_SELF, REGION(2), 3, table),
                -AK_EBUSY);
    test_expect(&t, "map of a free frame", map_page(REGION(1), mapped, RW), 0);
    test_expect(&t, "supplying a mapped frame as a table",
                aspace_table(SLOT_SELF, REGION(2), 3, mapped), -AK_EBUSY);
    test_expect(&t, "unmap", aspace_unmap(SLOT_SELF, REGION(1), 1), 0);
    test_expect(&t, "supplying the frame once unmapped",
                aspace_table(SLOT_SELF, REGION(2), 3, mapped), 0);
    /* Both tables serve: maps in their regions need no other table. */
    test_expect(&t, "map under the first table", map_raw(REGION(1), frame_alloc(), AK_PROT_READ),
                0);
    test_expect(&t, "map under the second table", map_raw(REGION(2), frame_alloc(), AK_PROT_READ),
                0);
    return test_end(&t);
}

static bool test_wx(void)
{
    test_t t = { "mem-refuse-wx", 0 };
    const uint64_t va = REGION(1) + AK_PAGE_SIZE, pa = frame_alloc();
    test_expect(&t, "map with write and exec", map_raw(va, pa, RWX), -AK_EACCES);
    expect_unmapped(&t, va);
    test_expect(&t, "map read-write", map_page(va, pa, RW), 0);
    test_expect(&t, "protect to write and exec", aspace_protect(SLOT_SELF, va, 1, RWX), -AK_EACCES);
    expect_perms(&t, va, RW);
    test_expect(&t, "protect to read-exec", aspace_protect(SLOT_SELF, va, 1, RX), 0);
    expect_perms(&t, va, RX);
    return test_end(&t);
}

static bool test_unaligned(void)
{
    test_t t = { "mem-refuse-unaligned", 0 };
    const uint64_t va = REGION(1) + 2 * AK_PAGE_SIZE, pa = frame_alloc();
    test_expect(&t, "map at an unaligned va", map_raw(va + 8, pa, AK_PROT_READ), -AK_EINVAL);
    test_expect(&t, "map of an unaligned pa", map_raw(va, pa + 8, AK_PROT_READ), -AK_EINVAL);
    test_expect(&t, "map of a pa in mid-page", map_raw(va, pa + AK_PAGE_SIZE / 2, AK_PROT_READ),
                -AK_EINVAL);
    test_expect(&t, "table of an unaligned pa", aspace_table(SLOT_SELF, REGION(3), 3, pa + 0x800),
                -AK_EINVAL);
    expect_unmapped(&t, va);
    test_expect(&t, "map read-write", map_page(va, pa, RW), 0);
    test_expect(&t, "unmap at an unaligned va", aspace_unmap(SLOT_SELF, va + 1, 1), -AK_EINVAL);
    test_expect(&t, "protect at an unaligned va",
                aspace_protect(SLOT_SELF, va + 0x10, 1, AK_PROT_READ), -AK_EINVAL);
    expect_perms(&t, va, RW);
    return test_end(&t);
}

static bool test_pinned(void)
{
    test_t t = { "mem-refuse-pinned", 0 };
    const uint64_t pa = frame_alloc();
    test_expect(&t, "unmap of the IPC buffer", aspace_unmap(SLOT_SELF, AK_IPCBUF_VA, 1), -AK_EPERM);
    test_expect(&t, "unmap of the boot-info page", aspace_unmap(SLOT_SELF, AK_BOOTINFO_VA, 1),
                -AK_EPERM);
    test_expect(&t, "unmap of a range ending in the boot-info page",
                aspace_unmap(SLOT_SELF, AK_BOOTINFO_VA - AK_PAGE_SIZE, 2), -AK_EPERM);
    test_expect(&t, "unmap of a range starting at the IPC buffer",
                aspace_unmap(SLOT_SELF, AK_IPCBUF_VA, 16), -AK_EPERM);
    test_expect(&t, "protect of the IPC buffer",
                aspace_protect(SLOT_SELF, AK_IPCBUF_VA, 1, AK_PROT_READ), -AK_EPERM);
    test_expect(&t, "protect of the boot-info page",
                aspace_protect(SLOT_SELF, AK_BOOTINFO_VA, 1, RW), -AK_EPERM);
    test_expect(&t, "map over the boot-info page", map_raw(AK_BOOTINFO_VA, pa, RW), -AK_EPERM);
    test_expect(&t, "map over the IPC buffer", map_raw(AK_IPCBUF_VA, pa, RW), -AK_EPERM);
    expect_perms(&t, AK_IPCBUF_VA, RW);
    expect_perms(&t, AK_BOOTINFO_VA, AK_PROT_READ);
    if (ak_bootinfo()->magic != AK_BOOTINFO_MAGIC)
        test_fail(&t, "the boot-info page lost its magic");
    return test_end(&t); /* printing the verdict uses the IPC buffer's console area */
}

static bool test_args(void)
{
    test_t t = { "mem-refuse-args", 0 };
    const uint64_t va = REGION(1) + 3 * AK_PAGE_SIZE, pa = frame_alloc(), other = frame_alloc();
    static const uint8_t bad_levels[] = { 0, 1, 4, 255 };
    for (unsigned i = 0; i < sizeof bad_levels / sizeof bad_levels[0]; i++)
        test_expect(&t, "table of a bad level",
                    aspace_table(SLOT_SELF, REGION(4), bad_levels[i], pa), -AK_EINVAL);
    test_expect(&t, "map execute-only", map_raw(va, pa, AK_PROT_EXEC), -AK_EINVAL);
    test_expect(&t, "map write-only", map_raw(va, pa, AK_PROT_WRITE), -AK_EINVAL);
    test_expect(&t, "map with an unknown prot bit", map_raw(va, pa, AK_PROT_READ | 0x8u),
                -AK_EINVAL);
    test_expect(&t, "map beyond 39 bits", map_raw(VA_BEYOND_39, pa, AK_PROT_READ), -AK_EINVAL);
    test_expect(&t, "table beyond 39 bits", aspace_table(SLOT_SELF, VA_BEYOND_39, 2, pa),
                -AK_EINVAL);
    test_expect(&t, "unmap beyond 39 bits", aspace_unmap(SLOT_SELF, VA_BEYOND_39, 1), -AK_EINVAL);
    test_expect(&t, "map of a pa beyond 48 bits", map_raw(va, PA_BEYOND_48, AK_PROT_READ),
                -AK_EINVAL);
    test_expect(&t, "unmap of 0 pages", aspace_unmap(SLOT_SELF, va, 0), -AK_EINVAL);
    test_expect(&t, "unmap of a range past the 39-bit end",
                aspace_unmap(SLOT_SELF, va, UINT64_MAX / AK_PAGE_SIZE), -AK_EINVAL);
    test_expect(&t, "unmap of a range that wraps", aspace_unmap(SLOT_SELF, va, UINT64_MAX),
                -AK_EINVAL);
    test_expect(&t, "protect of 0 pages", aspace_protect(SLOT_SELF, va, 0, AK_PROT_READ),
                -AK_EINVAL);
    expect_unmapped(&t, va);
    test_expect(&t, "map", map_page(va, pa, AK_PROT_READ), 0);
    test_expect(&t, "map over a mapping", map_raw(va, other, AK_PROT_READ), -AK_EEXIST);
    test_expect(&t, "table where one exists", aspace_table(SLOT_SELF, REGION(1), 3, other),
                -AK_EEXIST);
    if (frame_of(&t, va) != pa)
        test_fail(&t, "0x%lx no longer maps frame 0x%lx", (unsigned long)va, (unsigned long)pa);
    uint64_t got_pa;
    uint32_t prot;
    test_expect(&t, "query of an unmapped page",
                aspace_query(SLOT_SELF, va + AK_PAGE_SIZE, &got_pa, &prot), -AK_ENOENT);
    test_expect(&t, "unmap of an unmapped page", aspace_unmap(SLOT_SELF, va + AK_PAGE_SIZE, 1), 0);
    /* other was refused twice and is still FREE: it can become a table. */
    test_expect(&t, "table of the refused frame", aspace_table(SLOT_SELF, REGION(4), 3, other), 0);
    return test_end(&t);
}

static bool test_count(void)
{
    test_t t = { "mem-map-count", 0 };
    const uint64_t a = REGION(5), b = REGION(5) + AK_PAGE_SIZE, pa = frame_alloc();
    const uint64_t value = UINT64_C(0xC0C0C0C0C0C0C0C0);
    int rc = map_page(a, pa, RW);
    test_expect(&t, "map at the first address", rc, 0);
    test_expect(&t, "map at the second address", map_page(b, pa, AK_PROT_READ), 0);
    if (rc == 0 && frame_of(&t, b) == pa) {
        *(volatile uint64_t *)(uintptr_t)a = value;
        uint64_t seen = *(const volatile uint64_t *)(uintptr_t)b;
        if (seen != value)
            test_fail(&t, "wrote 0x%lx at 0x%lx, read 0x%lx at 0x%lx", (unsigned long)value,
                      (unsigned long)a, (unsigned long)seen, (unsigned long)b);
        /* PROT_NONE keeps the frame (and its count) behind a page out of reach. */
        test_expect(&t, "protect to none", aspace_protect(SLOT_SELF, a, 1, AK_PROT_NONE), 0);
        expect_perms(&t, a, AK_PROT_NONE);
        if (frame_of(&t, a) != pa)
            test_fail(&t, "0x%lx lost its frame when made inaccessible", (unsigned long)a);
        test_expect(&t, "protect back to read-write", aspace_protect(SLOT_SELF, a, 1, RW), 0);
        seen = *(const volatile uint64_t *)(uintptr_t)a;
        if (seen != value)
            test_fail(&t, "0x%lx reads 0x%lx after none and back, want 0x%lx", (unsigned long)a,
                      (unsigned long)seen, (unsigned long)value);
        test_expect(&t, "unmap of the first", aspace_unmap(SLOT_SELF, a, 1), 0);
        seen = *(const volatile uint64_t *)(uintptr_t)b;
        if (seen != value)
            test_fail(&t, "after unmapping 0x%lx, 0x%lx reads 0x%lx", (unsigned long)a,
                      (unsigned long)b, (unsigned long)seen);
        test_expect(&t, "supplying the frame mapped once as a table",
                    aspace_table(SLOT_SELF, REGION(6), 3, pa), -AK_EBUSY);
        test_expect(&t, "unmap of the second", aspace_unmap(SLOT_SELF, b, 1), 0);
        test_expect(&t, "supplying the frame mapped nowhere as a table",
                    aspace_table(SLOT_SELF, REGION(6), 3, pa), 0);
    }
    return test_end(&t);
}

static bool test_take(void)
{
    test_t t = { "mem-take", 0 };
    const uint64_t va = REGION(7), pa = frame_alloc();
    uint64_t got = 0;
    test_expect(&t, "map", map_page(va, pa, RW), 0);
    test_expect(&t, "take of the mapped page", aspace_take(SLOT_SELF, va, &got), 0);
    if (got != pa)
        test_fail(&t, "take returned frame 0x%lx, mapped 0x%lx", (unsigned long)got,
                  (unsigned long)pa);
    expect_unmapped(&t, va);
    test_expect(&t, "take of the same page again", aspace_take(SLOT_SELF, va, &got), -AK_ENOENT);
    test_expect(&t, "take of the IPC buffer", aspace_take(SLOT_SELF, AK_IPCBUF_VA, &got), -AK_EPERM);
    test_expect(&t, "take of an unaligned address", aspace_take(SLOT_SELF, va + 8, &got), -AK_EINVAL);
    /* Mapped nowhere any more, the frame can become a table. */
    test_expect(&t, "the taken frame as a table", aspace_table(SLOT_SELF, REGION(8), 3, pa), 0);
    return test_end(&t);
}

int role_refuse(void)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    if (bi->nmems < 1 || bi->mems[0].size < 64 * AK_PAGE_SIZE) {
        printf("AKTEST FAIL mem-refuse-outside: no physical memory in the boot-info page\n");
        return 1;
    }
    mem_base = bi->mems[0].base;
    mem_end = mem_base + bi->mems[0].size;
    next_frame = mem_base + AK_PAGE_SIZE;
    bool passed = test_outside();
    passed = test_table_frame() && passed;
    passed = test_wx() && passed;
    passed = test_unaligned() && passed;
    passed = test_pinned() && passed;
    passed = test_args() && passed;
    passed = test_count() && passed;
    passed = test_take() && passed;
    return passed ? 0 : 1;
}
