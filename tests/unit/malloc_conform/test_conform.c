/*
 * The conformance suite of libakuma's malloc: one source, linked once with
 * each mode (ops.h), so both keep the same contract (akuma/malloc.h).
 *
 * Every test runs over a fresh heap and glue, checks the whole heap after
 * every step (t_check), and checks the counters against the glue's own
 * count of pages in and out.  Blocks carry a pattern derived from their
 * number, verified before they change and before they are freed, and the
 * live blocks are checked for overlap by sorting them by address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>

#include "ops.h"
#include "testglue.h"

#define KIB ((size_t)1024)
#define MIB (KIB * KIB)
#define CHUNK_LIMIT ((size_t)64512)  /* the largest request a 64 KiB chunk takes (64 KiB - 1024) */
#define LIVE_MAX 2048u
#define DENSE_MAX ((size_t)256)      /* blocks up to this size carry a pattern in every byte */
#define EDGE      ((size_t)64)       /* larger ones at both ends ... */
#define STRIDE    ((size_t)251)      /* ... and every STRIDE-th byte */

/* --- blocks and their patterns ------------------------------------------ */

typedef struct {
    unsigned char *p;
    size_t size;
    uint32_t tag;
} live_t;

static live_t live[LIVE_MAX];
static size_t nlive;
static uint32_t next_tag = 1;

static unsigned char pattern(uint32_t tag, size_t i)
{
    return (unsigned char)((tag * 131u) ^ (uint32_t)(i * 7u) ^ (uint32_t)(i >> 8));
}

/* The first byte at or after i that carries the pattern in a block of `size` bytes. */
static size_t next_marked(size_t size, size_t i)
{
    if (size <= DENSE_MAX || i < EDGE || i >= size - EDGE || i % STRIDE == 0)
        return i;
    size_t next = (i / STRIDE + 1) * STRIDE;
    return next < size - EDGE ? next : size - EDGE;
}

static void fill(unsigned char *p, size_t size, uint32_t tag)
{
    for (size_t i = 0; i < size; i = next_marked(size, i + 1))
        p[i] = pattern(tag, i);
}

/* Verifies the pattern of the first `size` bytes of a block filled for `full` bytes. */
static void verify(const unsigned char *p, size_t size, size_t full, uint32_t tag)
{
    for (size_t i = 0; i < size; i = next_marked(full, i + 1)) {
        if (p[i] != pattern(tag, i))
            fail_msg("block %p (%zu bytes, tag %u): byte %zu is %#x, expected %#x", (const void *)p,
                     full, tag, i, p[i], pattern(tag, i));
    }
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const live_t *)a)->p, y = (uintptr_t)((const live_t *)b)->p;
    return (x > y) - (x < y);
}

/* The live blocks, with their usable sizes, do not overlap. */
static void check_no_overlap(void)
{
    live_t sorted[LIVE_MAX];
    memcpy(sorted, live, nlive * sizeof live[0]);
    qsort(sorted, nlive, sizeof sorted[0], by_address);
    for (size_t i = 1; i < nlive; i++) {
        size_t usable = t_usable(sorted[i - 1].p);
        if ((uintptr_t)sorted[i - 1].p + usable > (uintptr_t)sorted[i].p)
            fail_msg("blocks %p (+%zu usable) and %p overlap", (void *)sorted[i - 1].p, usable,
                     (void *)sorted[i].p);
    }
}

/* The heap, and its page counters against the glue's. */
static void check_pages(void)
{
    t_check();
    ak_malloc_stats_t s;
    testglue_counts_t g;
    t_stats(&s);
    testglue_counts(&g);
    assert_int_equal(s.kernel_bytes_in, g.in_bytes);
    assert_int_equal(s.kernel_bytes_out, g.out_bytes);
}

/* check_pages, and the live blocks are the tracked ones. */
static void check_heap(void)
{
    check_pages();
    ak_malloc_stats_t s;
    t_stats(&s);
    assert_int_equal(s.live_blocks, nlive);
}

static void check_block(const void *p, size_t size, size_t align)
{
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % (align > AK_MALLOC_ALIGN ? align : AK_MALLOC_ALIGN), 0);
    assert_true(t_usable(p) >= size);
}

/* Records a new block: checks it, fills it, checks the heap. */
static void track(void *p, size_t size, size_t align)
{
    check_block(p, size, align);
    assert_true(nlive < LIVE_MAX);
    live[nlive] = (live_t){ p, size, next_tag++ };
    fill(live[nlive].p, size, live[nlive].tag);
    nlive++;
    check_heap();
}

static void *alloc_tracked(size_t size)
{
    void *p = NULL;
    assert_int_equal(t_malloc(size, &p), 0);
    track(p, size, 0);
    return p;
}

/* Verifies and frees live block i (the last one takes its place). */
static void free_tracked(size_t i)
{
    verify(live[i].p, live[i].size, live[i].size, live[i].tag);
    t_free(live[i].p);
    live[i] = live[--nlive];
    check_heap();
}

static void free_all(void)
{
    while (nlive > 0)
        free_tracked(nlive / 2);
}

/* After everything is freed and trimmed, every page that came in went out. */
static void check_balanced(void)
{
    free_all();
    t_trim();
    check_heap();
    ak_malloc_stats_t s;
    testglue_counts_t g;
    t_stats(&s);
    testglue_counts(&g);
    assert_int_equal(g.mapped_bytes, 0);
    assert_int_equal(s.kernel_bytes_in, s.kernel_bytes_out);
    assert_int_equal(s.user_bytes, 0);
    assert_int_equal(s.live_blocks, 0);
}

static int setup(void **state)
{
    (void)state;
    t_reset();
    nlive = 0;
    return 0;
}

/* --- sizes and alignment ------------------------------------------------- */

static const size_t sizes[] = {
    0, 1, 2, 7, 8, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 63, 64, 100, 255, 256, 257,
    511, 512, 513, 1000, 1024, 2047, 4080, 4088, 4095, 4096, 4097, 8191, 8192, 12345, 16384,
    32767, 32768, 50000, CHUNK_LIMIT - 1, CHUNK_LIMIT, CHUNK_LIMIT + 1, 65520, 65535, 65536,
    65537, 100000, 262144, MIB - 1, MIB, MIB + 1, 3 * MIB + 5,
};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static void test_sizes(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSIZES; i++)
        alloc_tracked(sizes[i]);
    check_no_overlap();
    for (size_t i = 0; i < nlive; i++)
        verify(live[i].p, live[i].size, live[i].size, live[i].tag);
    check_balanced();
}

static void test_zero_size_blocks_are_unique(void **state)
{
    (void)state;
    void *a = alloc_tracked(0);
    void *b = alloc_tracked(0);
    assert_ptr_not_equal(a, b);
    check_no_overlap();
    check_balanced();
}

static void test_alignments(void **state)
{
    (void)state;
    static const size_t asizes[] = { 0, 1, 24, 100, 4095, 4096, 5000, CHUNK_LIMIT, 70000 };
    for (size_t shift = 0; shift <= 20; shift++) {
        if (shift > 16 && shift != 20)
            continue;
        size_t align = (size_t)1 << shift;
        for (size_t i = 0; i < sizeof asizes / sizeof asizes[0]; i++) {
            void *p = NULL;
            assert_int_equal(t_memalign(align, asizes[i], &p), 0);
            track(p, asizes[i], align);
        }
        check_no_overlap();
        free_all();
    }
    check_balanced();
}

static void test_memalign_refusals(void **state)
{
    (void)state;
    static const size_t bad[] = { 0, 3, 24, 48, 100, 4097, SIZE_MAX };
    void *p = &p;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(t_memalign(bad[i], 16, &p), -AK_EINVAL);
    assert_int_equal(t_memalign((size_t)1 << 31, 16, &p), -AK_ENOMEM);
    assert_ptr_equal(p, &p);
    testglue_counts_t g;
    testglue_counts(&g);
    assert_int_equal(g.in_calls, 0);
    assert_int_equal(g.oom_reports, 0);
    check_heap();
}

/* --- calloc ---------------------------------------------------------------- */

static void assert_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            fail_msg("calloc'd byte %zu of %zu is %#x", i, n, p[i]);
}

static void test_calloc_zeroes(void **state)
{
    (void)state;
    static const size_t csizes[] = { 1, 24, 100, 1000, 4096, 5000, CHUNK_LIMIT, 70000, MIB };
    for (size_t i = 0; i < sizeof csizes / sizeof csizes[0]; i++) {
        /* Dirty the memory calloc is likely to reuse. */
        void *d = NULL;
        assert_int_equal(t_malloc(csizes[i], &d), 0);
        memset(d, 0xAA, t_usable(d));
        t_free(d);
        unsigned char *p = NULL;
        assert_int_equal(t_calloc(1, csizes[i], (void **)&p), 0);
        assert_zero(p, csizes[i]);
        track(p, csizes[i], 0);
        assert_int_equal(t_calloc(csizes[i], 3, (void **)&p), 0);
        assert_zero(p, csizes[i] * 3);
        track(p, csizes[i] * 3, 0);
    }
    void *p = NULL;
    assert_int_equal(t_calloc(0, 0, &p), 0);
    track(p, 0, 0);
    assert_int_equal(t_calloc(7, 0, &p), 0);
    track(p, 0, 0);
    check_balanced();
}

static void test_calloc_overflow(void **state)
{
    (void)state;
    void *p = &p;
    assert_int_equal(t_calloc(SIZE_MAX / 2 + 1, 2, &p), -AK_ENOMEM);
    assert_int_equal(t_calloc((size_t)1 << 32, (size_t)1 << 32, &p), -AK_ENOMEM);
    assert_int_equal(t_calloc(SIZE_MAX, SIZE_MAX, &p), -AK_ENOMEM);
    assert_int_equal(t_calloc(2, SIZE_MAX / 2 + 1, &p), -AK_ENOMEM);
    assert_ptr_equal(p, &p);
    testglue_counts_t g;
    testglue_counts(&g);
    assert_int_equal(g.in_calls, 0);
    assert_int_equal(g.oom_reports, 0);
    check_heap();
}

static void test_too_large(void **state)
{
    (void)state;
    void *p = &p;
    assert_int_equal(t_malloc(SIZE_MAX, &p), -AK_ENOMEM);
    assert_int_equal(t_malloc(AK_MALLOC_REQUEST_MAX + 1, &p), -AK_ENOMEM);
    assert_int_equal(t_memalign(4096, SIZE_MAX - 100, &p), -AK_ENOMEM);
    assert_ptr_equal(p, &p);
    void *q = alloc_tracked(100);
    assert_int_equal(t_realloc(q, SIZE_MAX, &p), -AK_ENOMEM);
    assert_ptr_equal(p, &p);
    verify(q, 100, 100, live[0].tag);
    testglue_counts_t g;
    testglue_counts(&g);
    assert_int_equal(g.oom_reports, 0);
    check_balanced();
}

/* --- realloc --------------------------------------------------------------- */

/* Reallocs live block i to size, checking the kept bytes; returns the new pointer. */
static void *realloc_tracked(size_t i, size_t size)
{
    void *q = NULL;
    size_t old = live[i].size;
    assert_int_equal(t_realloc(live[i].p, size, &q), 0);
    check_block(q, size, 0);
    verify(q, old < size ? old : size, old, live[i].tag);
    live[i] = (live_t){ q, size, next_tag++ };
    fill(q, size, live[i].tag);
    check_heap();
    return q;
}

static void test_realloc_keeps_contents(void **state)
{
    (void)state;
    static const size_t steps[] = {
        1, 100, 1000, 4096, 4097, CHUNK_LIMIT, CHUNK_LIMIT + 1, 100000, MIB, 70000,
        CHUNK_LIMIT + 1, CHUNK_LIMIT, 5000, 10, 0, 3000, 2 * MIB, 1,
    };
    alloc_tracked(7);
    alloc_tracked(5000);  /* a neighbour, so that some steps cannot stay in place */
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        realloc_tracked(0, steps[s]);
        realloc_tracked(1, steps[(s + 5) % (sizeof steps / sizeof steps[0])]);
        check_no_overlap();
    }
    check_balanced();
}

static void test_realloc_in_place(void **state)
{
    (void)state;
    void *p = alloc_tracked(3000);
    assert_ptr_equal(realloc_tracked(0, 1000), p);  /* shrinking stays */
    assert_ptr_equal(realloc_tracked(0, 1000), p);  /* the same size stays */
    assert_ptr_equal(realloc_tracked(0, 2000), p);  /* the room it had is still there */

    void *big = alloc_tracked(200000);
    assert_ptr_equal(realloc_tracked(1, 200100), big);
    testglue_counts_t before, after;
    testglue_counts(&before);
    assert_ptr_equal(realloc_tracked(1, 150000), big);
    testglue_counts(&after);
    assert_true(after.out_bytes > before.out_bytes);  /* the pages beyond the new end went out */
    assert_true(after.mapped_bytes < before.mapped_bytes);
    check_balanced();
}

static void test_realloc_null_and_zero(void **state)
{
    (void)state;
    void *p = NULL;
    assert_int_equal(t_realloc(NULL, 40, &p), 0);
    track(p, 40, 0);
    realloc_tracked(0, 0);
    ak_malloc_stats_t s;
    t_stats(&s);
    assert_int_equal(s.user_bytes, 0);
    assert_int_equal(s.live_blocks, 1);
    check_balanced();
}

static void test_realloc_across_chunk_limit(void **state)
{
    (void)state;
    alloc_tracked(CHUNK_LIMIT);
    realloc_tracked(0, CHUNK_LIMIT + 1);
    realloc_tracked(0, CHUNK_LIMIT);
    realloc_tracked(0, 300000);
    realloc_tracked(0, 64);
    realloc_tracked(0, 65536);
    check_balanced();
}

/* --- counters ---------------------------------------------------------------- */

static void expect_counts(uint64_t allocs, uint64_t user, uint64_t blocks)
{
    ak_malloc_stats_t s;
    t_stats(&s);
    assert_int_equal(s.alloc_count, allocs);
    assert_int_equal(s.user_bytes, user);
    assert_int_equal(s.live_blocks, blocks);
    check_pages();
}

static void test_counters_exact(void **state)
{
    (void)state;
    void *a, *b, *c, *d;
    expect_counts(0, 0, 0);
    assert_int_equal(t_malloc(100, &a), 0);
    expect_counts(1, 100, 1);
    assert_int_equal(t_calloc(10, 30, &b), 0);
    expect_counts(2, 400, 2);
    assert_int_equal(t_memalign(4096, 70000, &c), 0);
    expect_counts(3, 70400, 3);
    assert_int_equal(t_realloc(a, 5000, &a), 0);
    expect_counts(4, 75300, 3);
    assert_int_equal(t_realloc(c, 10, &c), 0);
    expect_counts(5, 5310, 3);
    assert_int_equal(t_realloc(NULL, 1, &d), 0);
    expect_counts(6, 5311, 4);
    t_free(b);
    expect_counts(6, 5011, 3);
    t_free(NULL);
    expect_counts(6, 5011, 3);
    t_free(a);
    t_free(c);
    t_free(d);
    expect_counts(6, 0, 0);
    t_trim();
    ak_malloc_stats_t s;
    t_stats(&s);
    assert_int_equal(s.kernel_bytes_in, s.kernel_bytes_out);
    assert_true(s.kernel_bytes_in > 0);
}

/* --- out of memory -------------------------------------------------------------- */

/* The report for the current counters and a failed request, as the allocator must print it. */
static void expect_report(size_t request, size_t align)
{
    ak_malloc_stats_t s;
    t_stats(&s);
    char want[512];
    snprintf(want, sizeof want,
             "OUT OF MEMORY!\n"
             "  Net memory: %llu bytes (%llu KB)\n"
             "  Total allocated: %llu bytes\n"
             "  Total freed: %llu bytes\n"
             "  Allocation count: %llu\n"
             "  Failed request: %zu bytes, alignment %zu\n",
             (unsigned long long)s.user_bytes, (unsigned long long)(s.user_bytes / 1024),
             (unsigned long long)s.kernel_bytes_in, (unsigned long long)s.kernel_bytes_out,
             (unsigned long long)s.alloc_count, request, align);
    assert_string_equal(testglue_oom_report(), want);
}

static void test_oom_reports_and_fails(void **state)
{
    (void)state;
    for (size_t i = 0; i < 40; i++)
        alloc_tracked(1000 + i * 3000);
    testglue_fail_after(0);
    void *p = &p;
    testglue_counts_t g;

    assert_int_equal(t_malloc(MIB, &p), -AK_ENOMEM);
    assert_ptr_equal(p, &p);
    expect_report(MIB, 16);
    check_heap();

    assert_int_equal(t_calloc(1000, 1000, &p), -AK_ENOMEM);
    expect_report(1000000, 16);
    assert_int_equal(t_memalign(65536, 200000, &p), -AK_ENOMEM);
    expect_report(200000, 65536);
    assert_int_equal(t_realloc(live[0].p, 2 * MIB, &p), -AK_ENOMEM);
    expect_report(2 * MIB, 16);
    assert_ptr_equal(p, &p);
    verify(live[0].p, live[0].size, live[0].size, live[0].tag);
    testglue_counts(&g);
    assert_int_equal(g.oom_reports, 4);
    check_heap();

    /* Exhaustion part-way: every allocation either succeeds or fails cleanly. */
    testglue_fail_after(5);
    size_t failed = 0;
    for (size_t i = 0; i < 300 && nlive < LIVE_MAX; i++) {
        size_t size = (i * 7919) % 150000;
        if (t_malloc(size, &p) == 0)
            track(p, size, 0);
        else
            failed++;
        check_heap();
    }
    assert_true(failed > 0);
    testglue_fail_never();
    alloc_tracked(MIB);
    check_balanced();
}

static void test_oom_first_allocation(void **state)
{
    (void)state;
    testglue_fail_after(0);
    void *p = NULL;
    assert_int_equal(t_malloc(24, &p), -AK_ENOMEM);
    assert_string_equal(testglue_oom_report(),
                        "OUT OF MEMORY!\n  Net memory: 0 bytes (0 KB)\n  Total allocated: 0 bytes\n"
                        "  Total freed: 0 bytes\n  Allocation count: 0\n"
                        "  Failed request: 24 bytes, alignment 16\n");
    check_heap();
    testglue_fail_never();
    alloc_tracked(24);
    check_balanced();
}

/* --- misuse ---------------------------------------------------------------------- */

static void test_double_free(void **state)
{
    (void)state;
    alloc_tracked(100);  /* keeps the chunk (chunk mode) in use */
    void *p = NULL;
    assert_int_equal(t_malloc(200, &p), 0);
    t_free(p);
    EXPECT_PANIC(t_free(p), "double free");
}

static void test_double_free_after_reuse_of_neighbours(void **state)
{
    (void)state;
    void *a, *b, *c;
    alloc_tracked(64);
    assert_int_equal(t_malloc(300, &a), 0);
    assert_int_equal(t_malloc(300, &b), 0);
    assert_int_equal(t_malloc(300, &c), 0);
    t_free(b);
    t_free(a);  /* merges with b's space */
    t_free(c);
    check_pages();
    EXPECT_PANIC(t_free(b), "double free");
}

static void test_invalid_frees(void **state)
{
    (void)state;
    unsigned char *p = alloc_tracked(5000);
    EXPECT_PANIC(t_free(p + 16), "not a pointer from malloc");
    EXPECT_PANIC(t_free(p + 1), "not a pointer from malloc");
    void *q = NULL;
    EXPECT_PANIC(t_realloc(p + 32, 10, &q), "not a pointer from malloc");
    EXPECT_PANIC(t_usable(p + 64), "not a pointer from malloc");
    static _Alignas(4096) unsigned char outside[2 * 4096];
    EXPECT_PANIC(t_free(outside + 4096), "not a");
}

/* --- stress ------------------------------------------------------------------------ */

#define STRESS_OPS   1000000u
#define STRESS_CHECK 20000u   /* whole-heap check and overlap sort every this many steps */
#define STRESS_SEED  UINT64_C(0x9E3779B97F4A7C15)

static uint64_t rng;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Mostly small, some across the chunk limit, a few of a megabyte. */
static size_t random_size(void)
{
    uint64_t r = next_random();
    unsigned kind = (unsigned)(r % 1000);
    r >>= 10;
    if (kind < 700)
        return (size_t)(r % 513);
    if (kind < 960)
        return 513 + (size_t)(r % 16000);
    if (kind < 995)
        return 16000 + (size_t)(r % 60000);
    return 60000 + (size_t)(r % MIB);
}

static void stress_check(void)
{
    check_heap();
    check_no_overlap();
}

static void test_stress(void **state)
{
    (void)state;
    rng = STRESS_SEED;
    for (unsigned op = 0; op < STRESS_OPS; op++) {
        uint64_t r = next_random();
        unsigned what = (unsigned)(r % 100);
        size_t i = nlive > 0 ? (size_t)((r >> 8) % nlive) : 0;
        void *p = NULL;
        if (nlive > 0 && (what < 38 || nlive == LIVE_MAX)) {
            verify(live[i].p, live[i].size, live[i].size, live[i].tag);
            t_free(live[i].p);
            live[i] = live[--nlive];
            continue;
        }
        size_t size = random_size();
        if (nlive > 0 && what < 50) {
            size_t old = live[i].size;
            assert_int_equal(t_realloc(live[i].p, size, &p), 0);
            verify(p, old < size ? old : size, old, live[i].tag);
            live[i] = live[--nlive];
        } else if (what < 55) {
            size_t n = 1 + size / 8;
            assert_int_equal(t_calloc(n, 8, &p), 0);
            size = n * 8;
            const unsigned char *c = p;
            assert_true(c[0] == 0 && c[size / 2] == 0 && c[size - 1] == 0);
        } else if (what < 60) {
            size_t align = (size_t)1 << (4 + (r >> 40) % 9);
            if ((r >> 50) % 16 == 0)
                align = 65536;
            assert_int_equal(t_memalign(align, size, &p), 0);
            assert_int_equal((uintptr_t)p % align, 0);
        } else {
            assert_int_equal(t_malloc(size, &p), 0);
        }
        assert_true(t_usable(p) >= size && (uintptr_t)p % AK_MALLOC_ALIGN == 0);
        live[nlive] = (live_t){ p, size, next_tag++ };
        fill(p, size, live[nlive].tag);
        nlive++;
        if (op % STRESS_CHECK == 0)
            stress_check();
    }
    stress_check();
    check_balanced();
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sizes),
        T(test_zero_size_blocks_are_unique),
        T(test_alignments),
        T(test_memalign_refusals),
        T(test_calloc_zeroes),
        T(test_calloc_overflow),
        T(test_too_large),
        T(test_realloc_keeps_contents),
        T(test_realloc_in_place),
        T(test_realloc_null_and_zero),
        T(test_realloc_across_chunk_limit),
        T(test_counters_exact),
        T(test_oom_reports_and_fails),
        T(test_oom_first_allocation),
        T(test_double_free),
        T(test_double_free_after_reuse_of_neighbours),
        T(test_invalid_frees),
        T(test_stress),
    };
    char name[64];
    snprintf(name, sizeof name, "malloc conformance (%s mode)", t_mode);
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
