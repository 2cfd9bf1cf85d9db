/*
 * Role "range" (memrange of the range image): a process with an
 * address-space capability for itself and the physical memory uses the
 * kernel's range invocations (idl/kernel.idl aspace map_range,
 * take_range) on its own address space, and checks every refusal's error
 * and that it changed nothing.
 *
 *   range-map           60 frames (the most a request carries) mapped in
 *                       one invocation, each at its page, written and read
 *                       back; one frame listed twice shows the same bytes
 *   range-count-zero    no frames, or npages 0: -AK_EINVAL
 *   range-past-buffer   61 frames: the stub refuses (-AK_E2BIG); sent by
 *                       hand, the kernel refuses a count past the bound
 *                       or a length that disagrees with the count, and
 *                       a message past 64 words (-AK_EBADMSG, as every
 *                       malformed invocation); take_range of 61 pages
 *                       -AK_EINVAL
 *   range-outside       a frame outside the physical-memory capability in
 *                       the middle (-AK_EPERM), kernel memory: nothing
 *                       mapped, the frames before it map again afterwards
 *   range-wrap          ranges past 2^39 or wrapping past 2^64, unaligned
 *                       addresses: -AK_EINVAL
 *   range-table-missing a range across two 2 MiB spans, the second
 *                       without its table: -AK_ENOTABLE naming level 3 and
 *                       the span's first page, nothing mapped; supplied,
 *                       the same request maps all of it
 *   range-slot          an empty slot (-AK_EBADF), a slot out of range, a
 *                       capability of another kind (physmem: -AK_ENOSYS)
 *   range-reserved      unknown perms bits, W+X, an unaligned frame, the
 *                       pinned IPC buffer in the range: refused, nothing
 *                       mapped
 *   range-take          take_range returns each page's frame in order and
 *                       0 for pages not mapped, and unmaps them
 *
 * (An address-space capability without the write right cannot be made:
 * mkimage and cap_copy refuse it, so there is no such slot to try.)
 * Slot 1: an address-space capability for itself; slot 2: the physical-
 * memory capability.  No pager: an unexpected fault kills it.
 */
#include <stdio.h>

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

#include "memclient.h"

#define SLOT_SELF    1
#define SLOT_PHYSMEM 2
#define SLOT_EMPTY   9
#define RW           (AK_PROT_READ | AK_PROT_WRITE)
#define N            AK_ASPACE_RANGE_MAX

/* Fresh 2 MiB spans of the mmap area: each has no level-3 table at first. */
#define SPAN(n) (AK_USER_MMAP_MIN + (uint64_t)(n) * UINT64_C(0x200000))

static uint64_t mem_base, next_frame;

static uint64_t frame_alloc(void)
{
    uint64_t pa = next_frame;
    next_frame += AK_PAGE_SIZE;
    return pa;
}

/* n fresh frames into f. */
static void frames_fresh(aspace_frame_t *f, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        f[i].pa = frame_alloc();
}

/* The level-2 and level-3 tables of span s, supplied. */
static void span_tables(test_t *t, unsigned s)
{
    int rc = aspace_table(SLOT_SELF, SPAN(s), 2, frame_alloc());
    if (rc != 0 && rc != -AK_EEXIST)
        test_fail(t, "level-2 table of span %u: %d", s, rc);
    test_expect(t, "level-3 table", aspace_table(SLOT_SELF, SPAN(s), 3, frame_alloc()), 0);
}

static int map_range(uint64_t va, uint32_t prot, const aspace_frame_t *f, uint64_t n)
{
    uint8_t level = 0;
    uint64_t where = 0;
    return aspace_map_range(SLOT_SELF, va, prot, f, n, &level, &where);
}

/* Fails t unless none of the n pages from va is mapped. */
static void expect_none(test_t *t, uint64_t va, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t pa;
        uint32_t prot;
        int rc = aspace_query(SLOT_SELF, va + i * AK_PAGE_SIZE, &pa, &prot);
        if (rc != -AK_ENOENT) {
            test_fail(t, "page %u of 0x%lx is mapped (%d) after a refusal", i, (unsigned long)va, rc);
            return;
        }
    }
}

static bool test_map(void)
{
    test_t t = { "range-map", 0 };
    aspace_frame_t f[N];
    frames_fresh(f, N);
    f[N - 1] = f[0]; /* the last page shows the first page's frame */
    span_tables(&t, 0);
    test_expect(&t, "map_range of 60 frames", map_range(SPAN(0), RW, f, N), 0);
    for (unsigned i = 0; i < N; i++) {
        uint64_t pa = 0;
        uint32_t prot = 0;
        int rc = aspace_query(SLOT_SELF, SPAN(0) + i * AK_PAGE_SIZE, &pa, &prot);
        if (rc != 0 || pa != f[i].pa || prot != RW)
            test_fail(&t, "page %u: query %d, frame 0x%lx prot 0x%x, want 0x%lx 0x%x", i, rc, (unsigned long)pa,
                      prot, (unsigned long)f[i].pa, RW);
    }
    for (unsigned i = 0; i < N - 1; i++)
        *(volatile uint64_t *)(uintptr_t)(SPAN(0) + i * AK_PAGE_SIZE + 8) = 0x5A00u + i;
    for (unsigned i = 0; i < N - 1; i++) {
        uint64_t got = *(volatile uint64_t *)(uintptr_t)(SPAN(0) + i * AK_PAGE_SIZE + 8);
        if (got != 0x5A00u + i)
            test_fail(&t, "page %u holds 0x%lx", i, (unsigned long)got);
    }
    uint64_t last = *(volatile uint64_t *)(uintptr_t)(SPAN(0) + (N - 1) * AK_PAGE_SIZE + 8);
    test_expect(&t, "the last page, the first page's frame", (int64_t)last, 0x5A00);
    test_expect(&t, "unmap", aspace_unmap(SLOT_SELF, SPAN(0), N), 0);
    return test_end(&t);
}

static bool test_count_zero(void)
{
    test_t t = { "range-count-zero", 0 };
    aspace_frame_t f[1] = { { frame_alloc() } }, out[1];
    uint64_t count = 7;
    test_expect(&t, "map_range of no frames", map_range(SPAN(0), RW, f, 0), -AK_EINVAL);
    test_expect(&t, "take_range of 0 pages", aspace_take_range(SLOT_SELF, SPAN(0), 0, out, &count), -AK_EINVAL);
    test_expect(&t, "count untouched", (int64_t)count, 7);
    expect_none(&t, SPAN(0), 1);
    return test_end(&t);
}

/* A raw map_range of count frames in len words: what the stub would never send. */
static int64_t raw_map_range(uint64_t count, uint64_t len)
{
    ak_ipcbuf_t *b = ak_ipc_buffer();
    ak_msg_t m = { .info = ak_msginfo(ASPACE_LABEL_MAP_RANGE, len) };
    m.w[0] = SPAN(0);
    m.w[1] = RW;
    m.w[2] = count;
    m.w[3] = mem_base + AK_PAGE_SIZE;
    for (uint64_t i = 4; i < AK_MSG_MAX_WORDS; i++)
        b->words[i] = mem_base + AK_PAGE_SIZE;
    int64_t rc = ak_ipc_call(SLOT_SELF, &m);
    return rc < 0 ? rc : -(int64_t)ak_msginfo_label(m.info);
}

static bool test_past_buffer(void)
{
    test_t t = { "range-past-buffer", 0 };
    aspace_frame_t f[N + 1], out[N + 1];
    frames_fresh(f, N + 1);
    uint64_t count = 7;
    test_expect(&t, "map_range of 61 frames (stub)", map_range(SPAN(0), RW, f, N + 1), -AK_E2BIG);
    test_expect(&t, "raw count 61 in 64 words", raw_map_range(N + 1, AK_MSG_MAX_WORDS), -AK_EBADMSG);
    test_expect(&t, "raw count 2^64-1", raw_map_range(UINT64_MAX, AK_MSG_MAX_WORDS), -AK_EBADMSG);
    test_expect(&t, "raw count 2^61 (wraps in bytes)", raw_map_range(UINT64_C(1) << 61, 3), -AK_EBADMSG);
    test_expect(&t, "raw count 4 in 6 words", raw_map_range(4, 6), -AK_EBADMSG);
    test_expect(&t, "raw count 4 in 8 words", raw_map_range(4, 8), -AK_EBADMSG);
    test_expect(&t, "raw 65 words", raw_map_range(N, AK_MSG_MAX_WORDS + 1), -AK_EBADMSG);
    test_expect(&t, "take_range of 61 pages", aspace_take_range(SLOT_SELF, SPAN(0), N + 1, out, &count),
                -AK_EINVAL);
    expect_none(&t, SPAN(0), N);
    return test_end(&t);
}

static bool test_outside(void)
{
    test_t t = { "range-outside", 0 };
    aspace_frame_t f[4];
    frames_fresh(f, 4);
    const uint64_t bad[] = { mem_base - AK_PAGE_SIZE, UINT64_C(0x40100000) /* the kernel */,
                             UINT64_C(0x09000000) /* the UART */ };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        aspace_frame_t g[4] = { f[0], f[1], { bad[i] }, f[3] };
        test_expect(&t, "map_range with a frame outside", map_range(SPAN(0), RW, g, 4), -AK_EPERM);
        expect_none(&t, SPAN(0), 4);
    }
    /* The frames mapped before the refusal were given back: they map again. */
    test_expect(&t, "map_range of the good frames", map_range(SPAN(0), RW, f, 4), 0);
    test_expect(&t, "unmap", aspace_unmap(SLOT_SELF, SPAN(0), 4), 0);
    return test_end(&t);
}

static bool test_wrap(void)
{
    test_t t = { "range-wrap", 0 };
    aspace_frame_t f[2], out[2];
    frames_fresh(f, 2);
    uint64_t count;
    const uint64_t end39 = UINT64_C(1) << 39;
    test_expect(&t, "past 2^39", map_range(end39 - AK_PAGE_SIZE, RW, f, 2), -AK_EINVAL);
    test_expect(&t, "at 2^39", map_range(end39, RW, f, 1), -AK_EINVAL);
    test_expect(&t, "wrapping 2^64", map_range(UINT64_MAX - AK_PAGE_SIZE + 1, RW, f, 2), -AK_EINVAL);
    test_expect(&t, "unaligned", map_range(SPAN(0) + 8, RW, f, 2), -AK_EINVAL);
    test_expect(&t, "take past 2^39", aspace_take_range(SLOT_SELF, end39 - AK_PAGE_SIZE, 2, out, &count),
                -AK_EINVAL);
    test_expect(&t, "take wrapping 2^64",
                aspace_take_range(SLOT_SELF, UINT64_MAX - AK_PAGE_SIZE + 1, 2, out, &count), -AK_EINVAL);
    test_expect(&t, "take unaligned", aspace_take_range(SLOT_SELF, SPAN(0) + 8, 2, out, &count), -AK_EINVAL);
    expect_none(&t, SPAN(0), 2);
    return test_end(&t);
}

static bool test_table_missing(void)
{
    test_t t = { "range-table-missing", 0 };
    aspace_frame_t f[6];
    frames_fresh(f, 6);
    /* Span 0 has its tables (range-map); span 1 has none. */
    const uint64_t va = SPAN(1) - 3 * AK_PAGE_SIZE;
    uint8_t level = 0;
    uint64_t where = 0;
    test_expect(&t, "map_range across a missing table", aspace_map_range(SLOT_SELF, va, RW, f, 6, &level, &where),
                -AK_ENOTABLE);
    test_expect(&t, "the missing level", level, 3);
    test_expect(&t, "the page it names", (int64_t)where, (int64_t)SPAN(1));
    expect_none(&t, va, 6);
    test_expect(&t, "supplying it", aspace_table(SLOT_SELF, where, level, frame_alloc()), 0);
    test_expect(&t, "map_range again", aspace_map_range(SLOT_SELF, va, RW, f, 6, &level, &where), 0);
    for (unsigned i = 0; i < 6; i++)
        *(volatile uint64_t *)(uintptr_t)(va + i * AK_PAGE_SIZE) = i;
    test_expect(&t, "unmap", aspace_unmap(SLOT_SELF, va, 6), 0);
    return test_end(&t);
}

static bool test_slot(void)
{
    test_t t = { "range-slot", 0 };
    aspace_frame_t f[2], out[2];
    frames_fresh(f, 2);
    uint8_t level;
    uint64_t where, count;
    test_expect(&t, "an empty slot", aspace_map_range(SLOT_EMPTY, SPAN(0), RW, f, 2, &level, &where), -AK_EBADF);
    test_expect(&t, "a slot out of range", aspace_map_range(AK_CAP_SLOTS, SPAN(0), RW, f, 2, &level, &where),
                -AK_EBADF);
    test_expect(&t, "a physmem slot", aspace_map_range(SLOT_PHYSMEM, SPAN(0), RW, f, 2, &level, &where),
                -AK_ENOSYS);
    test_expect(&t, "take on an empty slot", aspace_take_range(SLOT_EMPTY, SPAN(0), 2, out, &count), -AK_EBADF);
    test_expect(&t, "take on a physmem slot", aspace_take_range(SLOT_PHYSMEM, SPAN(0), 2, out, &count),
                -AK_ENOSYS);
    expect_none(&t, SPAN(0), 2);
    return test_end(&t);
}

static bool test_reserved(void)
{
    test_t t = { "range-reserved", 0 };
    aspace_frame_t f[3];
    frames_fresh(f, 3);
    test_expect(&t, "unknown perms bits", map_range(SPAN(0), RW | 0x8, f, 3), -AK_EINVAL);
    test_expect(&t, "W+X", map_range(SPAN(0), RW | AK_PROT_EXEC, f, 3), -AK_EACCES);
    test_expect(&t, "write alone", map_range(SPAN(0), AK_PROT_WRITE, f, 3), -AK_EINVAL);
    aspace_frame_t g[3] = { f[0], { f[1].pa | 0x800 }, f[2] };
    test_expect(&t, "an unaligned frame", map_range(SPAN(0), RW, g, 3), -AK_EINVAL);
    expect_none(&t, SPAN(0), 3);
    /* The IPC buffer, pinned, third in the range. */
    test_expect(&t, "over the pinned IPC buffer", map_range(AK_IPCBUF_VA - 2 * AK_PAGE_SIZE, RW, f, 3), -AK_EPERM);
    expect_none(&t, AK_IPCBUF_VA - 2 * AK_PAGE_SIZE, 1);
    aspace_frame_t out[3];
    uint64_t count;
    test_expect(&t, "take over the IPC buffer", aspace_take_range(SLOT_SELF, AK_IPCBUF_VA, 1, out, &count),
                -AK_EPERM);
    *(volatile uint64_t *)(uintptr_t)(AK_IPCBUF_VA + 2048) = 1; /* still mapped */
    return test_end(&t);
}

static bool test_take(void)
{
    test_t t = { "range-take", 0 };
    aspace_frame_t f[5], out[N];
    frames_fresh(f, 5);
    test_expect(&t, "map_range", map_range(SPAN(0), RW, f, 3), 0);
    test_expect(&t, "map_range", map_range(SPAN(0) + 4 * AK_PAGE_SIZE, RW, f + 3, 2), 0);
    uint64_t count = 0;
    test_expect(&t, "take_range of 8 pages", aspace_take_range(SLOT_SELF, SPAN(0), 8, out, &count), 0);
    test_expect(&t, "count", (int64_t)count, 8);
    const uint64_t want[8] = { f[0].pa, f[1].pa, f[2].pa, 0, f[3].pa, f[4].pa, 0, 0 };
    for (unsigned i = 0; i < 8 && count == 8; i++)
        if (out[i].pa != want[i])
            test_fail(&t, "page %u: frame 0x%lx, want 0x%lx", i, (unsigned long)out[i].pa, (unsigned long)want[i]);
    expect_none(&t, SPAN(0), 8);
    /* Taken, the frames are free: they map again. */
    test_expect(&t, "map_range of the taken frames", map_range(SPAN(0), RW, f, 5), 0);
    test_expect(&t, "take_range of 60", aspace_take_range(SLOT_SELF, SPAN(0), N, out, &count), 0);
    test_expect(&t, "count", (int64_t)count, N);
    return test_end(&t);
}

int role_range(void)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    if (bi->nmems < 1 || bi->mems[0].size < 512 * AK_PAGE_SIZE) {
        printf("AKTEST FAIL range-map: no physical memory in the boot-info page\n");
        return 1;
    }
    mem_base = bi->mems[0].base;
    next_frame = mem_base;
    bool passed = test_map();
    passed = test_count_zero() && passed;
    passed = test_past_buffer() && passed;
    passed = test_outside() && passed;
    passed = test_wrap() && passed;
    passed = test_table_missing() && passed;
    passed = test_slot() && passed;
    passed = test_reserved() && passed;
    passed = test_take() && passed;
    return passed ? 0 : 1;
}
