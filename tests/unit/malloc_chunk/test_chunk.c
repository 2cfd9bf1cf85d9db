/*
 * Chunk mode (libakuma/malloc/chunk/) from the inside: the chunk layout,
 * the seed's large-allocation rule, the spare-chunk policy, coalescing,
 * in-place realloc, aligned blocks inside chunks, and every corruption the
 * checks on free and akm_chunk_check() must catch.  The contract shared
 * with page mode is the conformance suite's (tests/unit/malloc_conform/).
 * White-box: it includes the private layout (block.h) to damage blocks on
 * purpose.  akm_chunk_check() runs after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <malloc/block.h>

#include "testglue.h"

static akm_chunk_heap_t heap;

static int setup(void **state)
{
    (void)state;
    memset(&heap, 0, sizeof heap);
    testglue_reset();
    return 0;
}

/* The heap is consistent and its page counters are the glue's. */
static void check(void)
{
    akm_chunk_check(&heap);
    testglue_counts_t g;
    testglue_counts(&g);
    assert_int_equal(heap.stats.kernel_bytes_in, g.in_bytes);
    assert_int_equal(heap.stats.kernel_bytes_out, g.out_bytes);
}

static void *alloc(size_t n)
{
    void *p = NULL;
    assert_int_equal(akm_chunk_malloc(&heap, n, &p), 0);
    check();
    return p;
}

static void release(void *p)
{
    akm_chunk_free(&heap, p);
    check();
}

static uint64_t mapped(void)
{
    testglue_counts_t g;
    testglue_counts(&g);
    return g.mapped_bytes;
}

static akm_chunk_t *chunk_base(const void *p)
{
    return (akm_chunk_t *)((uintptr_t)p & ~(uintptr_t)(AKM_CHUNK_SIZE - 1));
}

/* --- layout ---------------------------------------------------------------- */

static void test_first_block_layout(void **state)
{
    (void)state;
    char *p = alloc(100);
    akm_chunk_t *c = chunk_base(p);
    assert_ptr_equal(p, (char *)c + CHUNK_HDR + WORD);  /* at the start of the chunk */
    assert_int_equal(akm_chunk_usable_size(&heap, p), 112 - WORD);  /* a 112-byte block */
    assert_int_equal(mapped(), AKM_CHUNK_SIZE);
    char *q = alloc(0);
    assert_ptr_equal(q, p + 112);  /* the next block follows */
    assert_int_equal(akm_chunk_usable_size(&heap, q), BLOCK_MIN - WORD);
    assert_int_equal(heap.nchunks, 1);
}

static void test_whole_chunk_request(void **state)
{
    (void)state;
    char *p = alloc(CHUNK_REQUEST_MAX);  /* 64 KiB - 1024: the largest a chunk takes */
    assert_int_equal(heap.nchunks, 1);
    assert_int_equal(heap.nlarges, 0);
    assert_int_equal(mapped(), AKM_CHUNK_SIZE);
    assert_true(akm_chunk_usable_size(&heap, p) >= CHUNK_REQUEST_MAX);
    release(p);
    assert_int_equal(heap.spares, 1);  /* the chunk stays, as the spare */
    assert_int_equal(mapped(), AKM_CHUNK_SIZE);
}

/* --- the large rule ---------------------------------------------------------- */

static void test_large_rule(void **state)
{
    (void)state;
    static const size_t sizes[] = {
        CHUNK_REQUEST_MAX + 1, 65536, 65537, 69632 - 1024, 69632 - 1023, 100000, 1 << 20,
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint64_t before = mapped();
        void *p = alloc(sizes[i]);
        size_t len = akm_round_up(sizes[i] + AKM_CHUNK_LARGE_SLACK, AKM_PAGE);
        assert_int_equal(mapped() - before, len);  /* round_up(size + 1024, 4 KiB) */
        assert_int_equal(akm_chunk_usable_size(&heap, p), len - LARGE_HDR);
        assert_int_equal((uintptr_t)p % AKM_PAGE, LARGE_HDR);
        release(p);
        assert_int_equal(mapped(), before);  /* given back at once */
    }
    assert_int_equal(heap.nchunks, 0);
}

static void test_large_aligned(void **state)
{
    (void)state;
    void *p = NULL;
    assert_int_equal(akm_chunk_memalign(&heap, 65536, 100, &p), 0);  /* too aligned for a chunk */
    check();
    assert_int_equal((uintptr_t)p % 65536, 0);
    assert_int_equal(heap.nlarges, 1);
    assert_int_equal(mapped(), akm_round_up(65536 + 100, AKM_PAGE));
    release(p);
    assert_int_equal(mapped(), 0);
}

/* --- chunk release ------------------------------------------------------------- */

/* Fills the first chunk with 1000-byte blocks; returns how many fit. */
static size_t fill_chunk(void **blocks, size_t max)
{
    size_t n = 0;
    while (n < max) {
        blocks[n] = alloc(1000);
        if (heap.nchunks > 1)
            break;
        n++;
    }
    return n;
}

static void test_spare_chunk_hysteresis(void **state)
{
    (void)state;
    void *blocks[80];
    size_t n = fill_chunk(blocks, 80);
    assert_true(n > 60 && n < 70);
    void *boundary = blocks[n];  /* the first block of the second chunk */
    assert_int_equal(heap.nchunks, 2);

    testglue_counts_t before, after;
    testglue_counts(&before);
    for (int i = 0; i < 100; i++) {  /* back and forth across the chunk boundary */
        release(boundary);
        assert_int_equal(heap.spares, 1);
        boundary = alloc(1000);
    }
    testglue_counts(&after);
    assert_int_equal(after.in_calls, before.in_calls);  /* no thrash: the spare is reused */
    assert_int_equal(after.out_calls, before.out_calls);

    release(boundary);  /* chunk 2 is the spare */
    for (size_t i = 0; i < n; i++)
        release(blocks[i]);  /* chunk 1 empties too: one spare is enough, it goes */
    assert_int_equal(heap.nchunks, 1);
    assert_int_equal(heap.spares, 1);
    assert_int_equal(mapped(), AKM_CHUNK_SIZE);
    assert_int_equal(akm_chunk_trim(&heap), 1);
    check();
    assert_int_equal(mapped(), 0);
    assert_int_equal(akm_chunk_trim(&heap), 0);
}

static void test_spare_is_used_first(void **state)
{
    (void)state;
    void *a = alloc(40000);
    void *b = alloc(40000);  /* a second chunk */
    release(b);
    assert_int_equal(heap.spares, 1);
    void *c = alloc(30000);  /* from the spare, not a third chunk */
    assert_ptr_equal(chunk_base(c), chunk_base(b));
    assert_int_equal(heap.nchunks, 2);
    assert_int_equal(heap.spares, 0);
    release(a);
    release(c);
}

/* --- coalescing and realloc ------------------------------------------------------ */

static void test_coalescing(void **state)
{
    (void)state;
    char *a = alloc(300);
    char *b = alloc(300);
    char *c = alloc(300);
    char *guard = alloc(16);
    release(a);
    release(c);
    release(b);  /* merges with both neighbours */
    char *d = alloc(3 * (size_t)300 + 2 * WORD);
    assert_ptr_equal(d, a);  /* the three blocks are one again */
    release(d);
    release(guard);
    assert_int_equal(heap.spares, 1);  /* and the chunk is one free block */
}

static void test_realloc_in_place(void **state)
{
    (void)state;
    char *p = alloc(100);
    char *q = alloc(100);
    char *guard = alloc(100);
    memset(p, 'p', 100);
    release(q);
    void *r = NULL;
    assert_int_equal(akm_chunk_realloc(&heap, p, 200, &r), 0);  /* into the free neighbour */
    check();
    assert_ptr_equal(r, p);
    assert_int_equal(p[99], 'p');
    assert_int_equal(akm_chunk_realloc(&heap, p, 20, &r), 0);  /* shrink: the tail is freed */
    check();
    assert_ptr_equal(r, p);
    char *s = alloc(150);  /* fits in the tail just freed */
    assert_true(s > p && s < guard);
    assert_int_equal(akm_chunk_realloc(&heap, p, 100, &r), 0);  /* no room now: moves */
    check();
    assert_ptr_not_equal(r, p);
    assert_int_equal(((char *)r)[19], 'p');
    release(r);
    release(s);
    release(guard);
}

static void test_realloc_large_to_small_moves_into_a_chunk(void **state)
{
    (void)state;
    void *p = alloc(200000);
    void *q = NULL;
    assert_int_equal(akm_chunk_realloc(&heap, p, 100, &q), 0);
    check();
    assert_int_equal(heap.nlarges, 0);  /* the mapping went back */
    assert_int_equal(heap.nchunks, 1);
    release(q);
}

static void test_realloc_large_shrink_stays_when_memory_is_out(void **state)
{
    (void)state;
    void *p = alloc(200000);
    testglue_fail_after(0);
    void *q = NULL;
    assert_int_equal(akm_chunk_realloc(&heap, p, 100, &q), 0);  /* no chunk: it stays */
    check();
    assert_ptr_equal(q, p);
    assert_int_equal(heap.stats.user_bytes, 100);
    assert_int_equal(mapped(), AKM_PAGE);  /* all but one page went out */
    assert_string_equal(testglue_oom_report(), "");  /* and nothing was reported */
    testglue_fail_never();
    release(q);
}

static void test_aligned_inside_a_chunk(void **state)
{
    (void)state;
    void *first = alloc(24);
    void *p = NULL;
    assert_int_equal(akm_chunk_memalign(&heap, 4096, 100, &p), 0);
    check();
    assert_int_equal((uintptr_t)p % 4096, 0);
    assert_ptr_equal(chunk_base(p), chunk_base(first));
    assert_int_equal(heap.nlarges, 0);
    void *gap = alloc(2000);  /* the space before the aligned block is reusable */
    assert_true((char *)gap < (char *)p);
    release(p);
    release(gap);
    release(first);
}

/* --- corruption ---------------------------------------------------------------- */

static void test_overflow_into_next_header(void **state)
{
    (void)state;
    char *p = alloc(100);
    char *q = alloc(100);
    memset(p, 'x', akm_chunk_usable_size(&heap, p) + WORD);  /* one word too many */
    EXPECT_PANIC(akm_chunk_free(&heap, p), "overflow");
    (void)q;
}

static void test_overwritten_header(void **state)
{
    (void)state;
    char *p = alloc(100);
    memset(p - WORD, 0, WORD);
    EXPECT_PANIC(akm_chunk_free(&heap, p), "header was overwritten");
}

static void test_overwritten_chunk_header(void **state)
{
    (void)state;
    char *p = alloc(100);
    char *x = alloc(40000);
    char *y = alloc(40000);  /* a second chunk */
    release(y);              /* which stays as the spare */
    release(x);
    chunk_base(p)->magic ^= 1;
    EXPECT_PANIC(akm_chunk_check(&heap), "chunk header");
    EXPECT_PANIC(akm_chunk_free(&heap, p), "corrupted chunk header");  /* empties it: released */
}

static void test_write_after_free_breaks_links(void **state)
{
    (void)state;
    char *p = alloc(100);
    char *guard = alloc(100);  /* so p stays a block of its own when freed */
    release(p);
    memset(p, 0x41, 16);  /* the freed block's list links */
    void *q = NULL;
    EXPECT_PANIC(akm_chunk_malloc(&heap, 100, &q), "corrupted links");
    (void)guard;
}

static void test_bad_boundary_tag(void **state)
{
    (void)state;
    char *a = alloc(100);
    char *b = alloc(100);
    char *guard = alloc(100);
    release(a);
    *((uint64_t *)(void *)(b - WORD) - 1) = 48;  /* a's footer: the wrong size */
    EXPECT_PANIC(akm_chunk_free(&heap, b), "free block before");
    (void)guard;
}

static void test_check_finds_damage(void **state)
{
    (void)state;
    char *a = alloc(100);
    char *b = alloc(100);
    char *guard = alloc(100);
    release(a);
    check();
    uint64_t *footer = (uint64_t *)(void *)(b - WORD) - 1;
    *footer += GRANULE;
    EXPECT_PANIC(akm_chunk_check(&heap), "footer");
    *footer -= GRANULE;
    check();

    akm_block_t *hb = block_of_payload(b);
    uint64_t saved = hb->word;
    hdr_set(hb, (saved & HDR_LOW_MASK) & ~HDR_PREV_FREE);  /* a valid word, wrong flag */
    EXPECT_PANIC(akm_chunk_check(&heap), "HDR_PREV_FREE");
    hb->word = saved;
    check();

    heap.stats.user_bytes++;
    EXPECT_PANIC(akm_chunk_check(&heap), "user_bytes");
    heap.stats.user_bytes--;

    heap.spares++;
    EXPECT_PANIC(akm_chunk_check(&heap), "empty chunks");
    heap.spares--;

    block_links(block_of_payload(a))->next = NULL;
    block_links(block_of_payload(a))->prev = (akm_free_t *)(void *)guard;
    EXPECT_PANIC(akm_chunk_check(&heap), "link");
    (void)guard;
}

static void test_large_header_damage(void **state)
{
    (void)state;
    char *p = alloc(100000);
    akm_large_t *l = (akm_large_t *)(void *)(p - LARGE_HDR);
    l->magic ^= 1;
    EXPECT_PANIC(akm_chunk_free(&heap, p), "large block");
}

/* --- counters ---------------------------------------------------------------------- */

static void test_kernel_bytes(void **state)
{
    (void)state;
    void *blocks[200];
    for (size_t i = 0; i < 200; i++)
        blocks[i] = alloc(1000);
    assert_int_equal(heap.stats.kernel_bytes_in, heap.nchunks * AKM_CHUNK_SIZE);
    assert_int_equal(heap.nchunks, 4);  /* 200 blocks of 1008 bytes, 64 per chunk */
    void *big = alloc(70000);
    assert_int_equal(heap.stats.kernel_bytes_in, 4 * AKM_CHUNK_SIZE + 73728);
    release(big);
    assert_int_equal(heap.stats.kernel_bytes_out, 73728);
    for (size_t i = 0; i < 200; i++)
        release(blocks[i]);
    assert_int_equal(heap.stats.kernel_bytes_out, 73728 + 3 * AKM_CHUNK_SIZE);
    assert_int_equal(heap.stats.alloc_count, 201);
    assert_int_equal(heap.stats.user_bytes, 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_first_block_layout),
        T(test_whole_chunk_request),
        T(test_large_rule),
        T(test_large_aligned),
        T(test_spare_chunk_hysteresis),
        T(test_spare_is_used_first),
        T(test_coalescing),
        T(test_realloc_in_place),
        T(test_realloc_large_to_small_moves_into_a_chunk),
        T(test_realloc_large_shrink_stays_when_memory_is_out),
        T(test_aligned_inside_a_chunk),
        T(test_overflow_into_next_header),
        T(test_overwritten_header),
        T(test_overwritten_chunk_header),
        T(test_write_after_free_breaks_links),
        T(test_bad_boundary_tag),
        T(test_check_finds_damage),
        T(test_large_header_damage),
        T(test_kernel_bytes),
    };
    return cmocka_run_group_tests_name("malloc chunk mode", tests, NULL, NULL);
}
