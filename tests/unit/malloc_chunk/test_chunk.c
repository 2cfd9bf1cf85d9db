/*
 * Chunk mode (libakuma/malloc/chunk/) from the inside: the size classes
 * (their chunks' layout, extension, full list and the empty chunk a class
 * keeps), the TLSF chunks of mid sizes (layout, the spare-chunk policy,
 * coalescing, in-place realloc, aligned blocks), the seed's
 * large-allocation rule, frees through another thread's heap, the depot
 * of empty chunks that heaps share (its age, its bound, zeroing), and every
 * corruption the checks on free and akm_chunk_check() must catch.  The contract shared
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
#include <malloc/small.h>

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
    ak_malloc_stats_t s;
    akm_chunk_stats(&heap, &s);
    assert_int_equal(s.kernel_bytes_in, g.in_bytes);
    assert_int_equal(s.kernel_bytes_out, g.out_bytes);
}

static ak_malloc_stats_t stats(void)
{
    ak_malloc_stats_t s;
    akm_chunk_stats(&heap, &s);
    return s;
}

/* TLSF sizes: above the size classes. */
#define MID ((size_t)5000)

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
    char *p = alloc(100);  /* the class of 112-byte blocks */
    akm_chunk_t *c = chunk_base(p);
    assert_ptr_equal(p, (char *)c + SMALL_FIRST);  /* the first block of a small chunk */
    assert_int_equal(akm_chunk_usable_size(&heap, p), 112 - WORD);
    assert_int_equal(mapped(), AKM_CHUNK_SIZE);
    char *q = alloc(97);
    assert_ptr_equal(q, p + 112);  /* the next block of the class follows */
    char *z = alloc(0);
    assert_int_equal(akm_chunk_usable_size(&heap, z), 16 - WORD);  /* the 16-byte class */
    assert_ptr_not_equal(chunk_base(z), c);  /* a chunk per class */
    assert_int_equal(heap.nsmall, 2);
    assert_int_equal(heap.nchunks, 0);

    char *m = alloc(MID);  /* a TLSF chunk */
    akm_chunk_t *t = chunk_base(m);
    assert_ptr_equal(m, (char *)t + CHUNK_HDR + WORD);
    assert_int_equal(akm_chunk_usable_size(&heap, m), MID);
    char *n = alloc(MID);
    assert_ptr_equal(n, m + MID + WORD);
    assert_int_equal(heap.nchunks, 1);
}

static void test_size_classes(void **state)
{
    (void)state;
    for (size_t n = 0; n <= AKM_SMALL_MAX; n += (n < 300 ? 1 : 7)) {
        void *p = alloc(n);
        size_t usable = akm_chunk_usable_size(&heap, p);
        unsigned cls = akm_class_of[SMALL_INDEX(n)];
        assert_int_equal(usable, akm_class_stride[cls] - WORD);
        assert_true(usable >= n);
        assert_true(cls == 0 || akm_class_stride[cls - 1] - WORD < n);  /* the smallest that holds n */
        assert_true(n < 1024 ? usable - n < n / 8 + GRANULE : usable - n <= 128);
        release(p);
    }
    assert_int_equal(stats().live_blocks, 0);
}

/* A chunk's blocks are written a page at a time; a full chunk leaves its class's list and comes back. */
static void test_small_extension_and_full_list(void **state)
{
    (void)state;
    void *first = alloc(16);
    akm_small_t *s = (akm_small_t *)(void *)chunk_base(first);
    assert_int_equal(s->capacity, 4096 / 32);
    assert_int_equal(s->reserved, (AKM_CHUNK_SIZE - SMALL_FIRST) / 32);
    static void *blocks[2048];
    blocks[0] = first;
    for (size_t i = 1; i < s->reserved; i++) {
        void *p = NULL;
        assert_int_equal(akm_chunk_malloc(&heap, 16, &p), 0);
        assert_ptr_equal(chunk_base(p), s);
        blocks[i] = p;
    }
    check();
    assert_int_equal(s->capacity, s->reserved);
    void *next = alloc(20);  /* the chunk is full: a second one */
    assert_ptr_not_equal(chunk_base(next), s);
    assert_int_equal(s->full, 1);
    assert_ptr_equal(heap.full, s);
    release(blocks[7]);  /* room again: back on the list, after the current one */
    assert_int_equal(s->full, 0);
    assert_ptr_equal(heap.avail_tail[1], s);
    size_t reserved = s->reserved;
    for (size_t i = 0; i < reserved; i++)
        if (i != 7)
            akm_chunk_free(&heap, blocks[i]);
    check();
    assert_int_equal(heap.nsmall, 1);  /* empty, beside another of its class: to the cache */
    assert_int_equal(heap.ncache, 1);
    release(next);
    assert_int_equal(heap.nsmall, 1);  /* the last of its class: kept */
    assert_int_equal(mapped(), 2 * AKM_CHUNK_SIZE);
    void *again = alloc(3000);  /* another class takes the cached chunk */
    assert_ptr_equal(chunk_base(again), s);
    assert_int_equal(heap.ncache, 0);
    assert_int_equal(mapped(), 2 * AKM_CHUNK_SIZE);
    EXPECT_PANIC(akm_chunk_free(&heap, blocks[3]), "not a pointer");  /* its old blocks' headers are gone */
    release(again);
    assert_int_equal(akm_chunk_trim(&heap), 1);
    check();
    assert_int_equal(mapped(), 0);
}

/* Freeing a class's last block and allocating it again maps nothing (allocstress's pattern). */
static void test_small_class_keeps_its_chunk(void **state)
{
    (void)state;
    void *p = alloc(300);
    testglue_counts_t before, after;
    testglue_counts(&before);
    for (int i = 0; i < 100; i++) {
        release(p);
        p = alloc(290 + (size_t)i % 20);
    }
    testglue_counts(&after);
    assert_int_equal(after.in_calls, before.in_calls);
    assert_int_equal(after.out_calls, before.out_calls);
    release(p);
}

static void test_small_realloc_in_place(void **state)
{
    (void)state;
    char *p = alloc(100);
    memset(p, 'p', 100);
    void *q = NULL;
    assert_int_equal(akm_chunk_realloc(&heap, p, 104, &q), 0);  /* the stride holds it */
    check();
    assert_ptr_equal(q, p);
    assert_int_equal(akm_chunk_realloc(&heap, p, 10, &q), 0);  /* shrinking stays */
    check();
    assert_ptr_equal(q, p);
    assert_int_equal(stats().user_bytes, 10);
    assert_int_equal(akm_chunk_realloc(&heap, p, 105, &q), 0);  /* the next class: moves */
    check();
    assert_ptr_not_equal(q, p);
    assert_int_equal(((char *)q)[9], 'p');
    release(q);
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
        assert_int_equal(heap.nlcache, 1);  /* kept for the next large request */
        assert_int_equal(akm_chunk_trim(&heap), 1);
        assert_int_equal(mapped(), before);
    }
    assert_int_equal(heap.nchunks, 0);
}

/* Freed large mappings are kept (AKM_LARGE_CACHE, AKM_LARGE_CACHE_BYTES together), reused by the smallest fit. */
static void test_large_cache(void **state)
{
    (void)state;
    char *p = alloc(200000);
    uint64_t held = mapped();
    memset(p, 0x5A, 200000);
    release(p);
    assert_int_equal(mapped(), held);
    EXPECT_PANIC(akm_chunk_free(&heap, p), "double free");
    char *q = alloc(190000);  /* fits the kept mapping: no pages in */
    assert_ptr_equal(q, p);
    assert_int_equal(mapped(), held);
    assert_int_equal(heap.nlcache, 0);
    release(q);
    void *z = NULL;  /* calloc of a kept mapping reads zero */
    assert_int_equal(akm_chunk_calloc(&heap, 1, 199000, &z), 0);
    check();
    assert_ptr_equal(z, p);
    for (size_t i = 0; i < 199000; i++)
        assert_int_equal(((unsigned char *)z)[i], 0);
    release(z);
    char *small = alloc(70000);  /* less than half the mapping: its tail goes back */
    assert_ptr_equal(small, p);
    assert_int_equal(mapped(), akm_round_up(70000 + AKM_CHUNK_LARGE_SLACK, AKM_PAGE));
    release(small);
    void *big[AKM_LARGE_CACHE + 1];
    for (size_t i = 0; i <= AKM_LARGE_CACHE; i++)
        big[i] = alloc(200000);
    for (size_t i = 0; i <= AKM_LARGE_CACHE; i++)
        release(big[i]);
    assert_true(heap.nlcache <= AKM_LARGE_CACHE);  /* the oldest went back */
    assert_true(heap.lcache_bytes <= AKM_LARGE_CACHE_BYTES);
    void *huge = alloc(AKM_LARGE_CACHE_BYTES + 1);  /* more than the cache holds: never kept */
    uint64_t before = mapped();
    release(huge);
    assert_true(mapped() < before);
    assert_int_equal(akm_chunk_trim(&heap), 1);
    assert_int_equal(mapped(), 0);
    /* A heap whose thread ended is drained: it keeps no mapping. */
    char *last = alloc(200000);
    heap.state = AKM_HEAP_ABANDONED;
    release(last);
    heap.state = AKM_HEAP_LOOSE;
    assert_int_equal(heap.nlcache, 0);
    assert_int_equal(mapped(), 0);
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

/* Fills the first TLSF chunk with MID-byte blocks; returns how many fit. */
static size_t fill_chunk(void **blocks, size_t max)
{
    size_t n = 0;
    while (n < max) {
        blocks[n] = alloc(MID);
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
    assert_int_equal(n, BLOCK_MAX / (MID + WORD));
    void *boundary = blocks[n];  /* the first block of the second chunk */
    assert_int_equal(heap.nchunks, 2);

    testglue_counts_t before, after;
    testglue_counts(&before);
    for (int i = 0; i < 100; i++) {  /* back and forth across the chunk boundary */
        release(boundary);
        assert_int_equal(heap.spares, 1);
        boundary = alloc(MID);
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
    char *a = alloc(MID);
    char *b = alloc(MID);
    char *c = alloc(MID);
    char *guard = alloc(MID);
    release(a);
    release(c);
    release(b);  /* merges with both neighbours */
    char *d = alloc(3 * MID - 300);  /* more than two: its good-fit class is the merged block's */
    assert_ptr_equal(d, a);  /* the three blocks are one again */
    release(d);
    release(guard);
    assert_int_equal(heap.spares, 1);  /* and the chunk is one free block */
}

static void test_realloc_in_place(void **state)
{
    (void)state;
    char *p = alloc(MID);
    char *q = alloc(MID);
    char *guard = alloc(MID);
    memset(p, 'p', MID);
    release(q);
    void *r = NULL;
    assert_int_equal(akm_chunk_realloc(&heap, p, 2 * MID, &r), 0);  /* into the free neighbour */
    check();
    assert_ptr_equal(r, p);
    assert_int_equal(p[MID - 1], 'p');
    assert_int_equal(akm_chunk_realloc(&heap, p, MID, &r), 0);  /* shrink: the tail is freed */
    check();
    assert_ptr_equal(r, p);
    char *s = alloc(MID - 100);  /* fits in the tail just freed */
    assert_true(s > p && s < guard);
    assert_int_equal(akm_chunk_realloc(&heap, p, MID + 1000, &r), 0);  /* no room now: moves */
    check();
    assert_ptr_not_equal(r, p);
    assert_int_equal(((char *)r)[MID - 1], 'p');
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
    assert_int_equal(heap.nsmall, 1);
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
    assert_int_equal(stats().user_bytes, 100);
    assert_int_equal(mapped(), AKM_PAGE);  /* all but one page went out */
    assert_string_equal(testglue_oom_report(), "");  /* and nothing was reported */
    testglue_fail_never();
    release(q);
}

static void test_aligned_inside_a_chunk(void **state)
{
    (void)state;
    void *first = alloc(MID);
    void *p = NULL;
    assert_int_equal(akm_chunk_memalign(&heap, 16384, 100, &p), 0);
    check();
    assert_int_equal((uintptr_t)p % 16384, 0);
    assert_ptr_equal(chunk_base(p), chunk_base(first));
    assert_int_equal(heap.nlarges, 0);
    void *gap = alloc(MID);  /* the space before the aligned block is reusable */
    assert_true((char *)gap < (char *)p);
    release(p);
    release(gap);
    release(first);
}

/* --- corruption ---------------------------------------------------------------- */

static void test_overflow_into_next_header(void **state)
{
    (void)state;
    static const size_t sizes[] = { 100, MID };
    for (size_t i = 0; i < 2; i++) {
        char *p = alloc(sizes[i]);
        char *q = alloc(sizes[i]);
        memset(p, 'x', akm_chunk_usable_size(&heap, p) + 1);  /* one byte too many */
        EXPECT_PANIC(akm_chunk_free(&heap, p), "overflow");
        memset(&heap, 0, sizeof heap);
        testglue_reset();
        (void)q;
    }
}

static void test_overwritten_header(void **state)
{
    (void)state;
    char *p = alloc(100);
    memset(p - WORD, 0, WORD);
    EXPECT_PANIC(akm_chunk_free(&heap, p), "header was overwritten");
    memset(&heap, 0, sizeof heap);
    testglue_reset();
    char *m = alloc(MID);
    memset(m - WORD, 0, 1);  /* the low byte, as an overflow would */
    EXPECT_PANIC(akm_chunk_free(&heap, m), "header was overwritten");
}

static void test_overwritten_chunk_header(void **state)
{
    (void)state;
    char *p = alloc(MID);
    char *x = alloc(40000);  /* in p's chunk */
    char *y = alloc(40000);  /* a second chunk */
    release(y);              /* which stays as the spare */
    release(x);
    chunk_base(p)->magic ^= 1;
    EXPECT_PANIC(akm_chunk_check(&heap), "chunk header");
    EXPECT_PANIC(akm_chunk_free(&heap, p), "corrupted chunk header");  /* empties it: released */
}

static void test_overwritten_small_chunk_header(void **state)
{
    (void)state;
    char *p = alloc(100);
    chunk_base(p)->magic ^= 1;
    EXPECT_PANIC(akm_chunk_check(&heap), "chunk header");
    EXPECT_PANIC(akm_chunk_usable_size(&heap, p), "corrupted block of a size class");
}

static void test_write_after_free_breaks_links(void **state)
{
    (void)state;
    char *p = alloc(100);
    char *guard = alloc(100);
    release(p);
    memset(p, 0x41, 16);  /* the freed block's list link */
    void *q = NULL;
    EXPECT_PANIC(akm_chunk_malloc(&heap, 100, &q), "written after free");
    (void)guard;

    memset(&heap, 0, sizeof heap);
    testglue_reset();
    char *m = alloc(MID);
    char *mguard = alloc(MID);  /* so m stays a block of its own when freed */
    release(m);
    memset(m, 0x41, 16);  /* the TLSF links */
    EXPECT_PANIC(akm_chunk_malloc(&heap, MID - 300, &q), "corrupted links");  /* m is the good fit */
    (void)mguard;
}

static void test_double_free_small(void **state)
{
    (void)state;
    char *p = alloc(100);
    char *keep = alloc(100);
    release(p);
    EXPECT_PANIC(akm_chunk_free(&heap, p), "double free");
    size_t capacity = ((akm_small_t *)(void *)chunk_base(p))->capacity;
    EXPECT_PANIC(akm_chunk_free(&heap, p + 112 * capacity), "end of a chunk");  /* past the blocks written */
    (void)keep;
}

static void test_bad_boundary_tag(void **state)
{
    (void)state;
    char *a = alloc(MID);
    char *b = alloc(MID);
    char *guard = alloc(MID);
    release(a);
    *((uint64_t *)(void *)(b - WORD) - 1) = 48;  /* a's footer: the wrong size */
    EXPECT_PANIC(akm_chunk_free(&heap, b), "free block before");
    (void)guard;
}

static void test_check_finds_damage(void **state)
{
    (void)state;
    char *a = alloc(MID);
    char *b = alloc(MID);
    char *guard = alloc(MID);
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

    heap.user++;
    EXPECT_PANIC(akm_chunk_check(&heap), "user_bytes");
    heap.user--;

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
    assert_int_equal(stats().kernel_bytes_in, heap.nsmall * AKM_CHUNK_SIZE);
    assert_int_equal(heap.nsmall, 4);  /* 200 blocks of 1024 bytes, 63 per chunk */
    void *big = alloc(70000);
    assert_int_equal(stats().kernel_bytes_in, 4 * AKM_CHUNK_SIZE + 73728);
    release(big);
    assert_int_equal(stats().kernel_bytes_out, 0);  /* kept for the next large request */
    for (size_t i = 0; i < 200; i++)
        release(blocks[i]);
    assert_int_equal(stats().kernel_bytes_out, 0);  /* one kept by the class, three cached */
    assert_int_equal(heap.ncache, 3);
    assert_int_equal(akm_chunk_trim(&heap), 1);
    check();
    assert_int_equal(stats().kernel_bytes_out, 73728 + 4 * AKM_CHUNK_SIZE);
    assert_int_equal(stats().alloc_count, 201);
    assert_int_equal(stats().user_bytes, 0);
}

/* --- another thread's heap ------------------------------------------------------ */

static akm_chunk_heap_t other;

static void check_both(void)
{
    const akm_chunk_heap_t *both[] = { &heap, &other };
    akm_chunk_check_heaps(both, 2);
}

static void test_remote_free(void **state)
{
    (void)state;
    memset(&other, 0, sizeof other);
    char *p = alloc(100), *m = alloc(MID), *l = alloc(100000);
    akm_chunk_free(&other, p);  /* through the other heap: to heap's remote list */
    akm_chunk_free(&other, m);
    akm_chunk_free(&other, l);
    check_both();
    ak_malloc_stats_t a, b;
    akm_chunk_stats(&heap, &a);
    akm_chunk_stats(&other, &b);
    assert_int_equal(a.live_blocks + b.live_blocks, 0);  /* gone in the heap that freed them */
    assert_int_equal(a.user_bytes + b.user_bytes, 0);
    assert_int_equal(b.live_blocks, (uint64_t)-3);
    assert_int_equal(heap.nlarges, 1);  /* not yet taken back */
    EXPECT_PANIC(akm_chunk_free(&other, p), "double free");
    EXPECT_PANIC(akm_chunk_free(&heap, m), "double free");
    assert_int_equal(akm_chunk_collect(&heap), 3);
    check_both();
    assert_int_equal(heap.nlarges, 0);
    assert_int_equal(akm_chunk_collect(&heap), 0);
    EXPECT_PANIC(akm_chunk_free(&heap, p), "double free");
}

static void test_remote_realloc(void **state)
{
    (void)state;
    memset(&other, 0, sizeof other);
    char *p = alloc(100);
    memset(p, 'r', 100);
    void *q = NULL;
    assert_int_equal(akm_chunk_realloc(&other, p, 50, &q), 0);  /* not its heap's: moves */
    assert_ptr_not_equal(q, p);
    assert_ptr_equal(chunk_base(q)->heap, &other);
    assert_int_equal(((char *)q)[49], 'r');
    check_both();
    akm_chunk_free(&heap, q);  /* and back */
    assert_int_equal(akm_chunk_collect(&heap), 1);
    assert_int_equal(akm_chunk_collect(&other), 1);
    check_both();
    assert_int_equal(akm_chunk_trim(&other), 1);
    check_both();
}

/* --- the depot of empty chunks (chunk/depot.c) ------------------------------------ */

static size_t depot_count(void)
{
    size_t count, now, peak;
    akm_depot_state(&count, &now, &peak);
    return count;
}

/* Empties the depot through the heap (counted there) and turns it off, as the other tests expect it. */
static void depot_off(void)
{
    akm_depot_flush(&heap);
    check();
    assert_int_equal(depot_count(), 0);
    testglue_set_clock(AK_MALLOC_NO_CLOCK);
}

static void test_depot_off_without_a_clock(void **state)
{
    (void)state;
    char *x = alloc(40000), *y = alloc(40000);  /* a chunk each */
    release(x);                                  /* the spare */
    testglue_counts_t before, after;
    testglue_counts(&before);
    release(y);  /* beyond the spare, and no clock: unmapped at once, as before the depot */
    testglue_counts(&after);
    assert_int_equal(after.out_calls, before.out_calls + 1);
    assert_int_equal(depot_count(), 0);
}

static void test_depot_keeps_and_reuses_zeroed(void **state)
{
    (void)state;
    testglue_set_clock(1000);
    char *x = alloc(40000), *y = alloc(40000);
    memset(y, 'y', 40000);
    release(x);
    testglue_counts_t before, after;
    testglue_counts(&before);
    release(y);  /* into the depot: still mapped, still counted in */
    testglue_counts(&after);
    assert_int_equal(after.out_calls, before.out_calls);
    assert_int_equal(depot_count(), 1);
    assert_int_equal(heap.nchunks, 1);
    char *s = alloc(100);  /* a size class's first chunk comes from the depot, not the system */
    assert_ptr_equal(chunk_base(s), chunk_base(y));
    testglue_counts(&after);
    assert_int_equal(after.in_calls, before.in_calls);
    assert_int_equal(depot_count(), 0);
    for (size_t i = 8192; i < 40000; i++)  /* past the blocks written so far: zero, as a new mapping */
        if (y[i] != 0)
            fail_msg("byte %zu of a chunk from the depot is %d", i, y[i]);
    release(s);
    depot_off();
}

static void test_depot_stale_free_is_refused(void **state)
{
    (void)state;
    testglue_set_clock(1000);
    char *x = alloc(40000), *y = alloc(40000);
    uint64_t live_header = *(uint64_t *)(void *)(y - 8);
    release(x);
    release(y);  /* y's chunk waits in the depot */
    assert_int_equal(depot_count(), 1);
    EXPECT_PANIC(akm_chunk_free(&heap, y), "double free");
    *(uint64_t *)(void *)(y - 8) = live_header;  /* a write after free that brings the header back */
    EXPECT_PANIC(akm_chunk_free(&heap, y), "its chunk is not in use");
    char *big = NULL;
    EXPECT_PANIC(akm_chunk_realloc(&heap, y, 50000, (void **)&big), "its chunk is not in use");
    assert_null(big);
    assert_int_equal(depot_count(), 1);  /* the refused calls changed nothing */
    depot_off();
}

static void test_depot_ages_out(void **state)
{
    (void)state;
    testglue_set_clock(1000);
    char *x = alloc(40000), *y = alloc(40000), *z = alloc(40000);
    release(x);  /* the spare */
    release(y);  /* in the depot at 1000 */
    testglue_counts_t before, after;
    testglue_counts(&before);
    testglue_set_clock(1000 + AKM_DEPOT_AGE_MS);  /* not older than the age yet */
    char *w = alloc(40000);                      /* takes the spare */
    release(w);
    assert_int_equal(depot_count(), 1);
    testglue_set_clock(1000 + AKM_DEPOT_AGE_MS + 1);
    release(z);  /* z's chunk goes in; y's, now too old, goes back to the system */
    testglue_counts(&after);
    assert_int_equal(after.out_calls, before.out_calls + 1);
    assert_int_equal(depot_count(), 1);
    char *again = alloc(100);
    assert_ptr_equal(chunk_base(again), chunk_base(z));  /* what stayed is z's */
    release(again);
    depot_off();
}

static void test_depot_holds_at_most_half_the_peak(void **state)
{
    (void)state;
    testglue_set_clock(1000);
    size_t count, now, peak;
    akm_depot_state(&count, &now, &peak);
    size_t n = now + 40;  /* enough that half the new peak is fewer than n - 1 */
    void **p = test_malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = alloc(40000);
    akm_depot_state(&count, &now, &peak);
    size_t limit = peak / 2 > AKM_DEPOT_MIN ? peak / 2 : AKM_DEPOT_MIN;
    assert_true(limit < n - 1);
    for (size_t i = 0; i < n; i++)
        release(p[i]);
    assert_int_equal(heap.spares, 1);
    assert_int_equal(depot_count(), limit);  /* the rest went back to the system */
    assert_int_equal(mapped(), (1 + limit) * AKM_CHUNK_SIZE);
    test_free(p);
    assert_int_equal(akm_depot_flush(&heap), limit);
    check();
    depot_off();
}

/* After a failed depot test, what it left in the depot goes while the arena still holds it. */
static int teardown(void **state)
{
    (void)state;
    if (depot_count() != 0)
        akm_depot_flush(&heap);
    return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_first_block_layout),
        T(test_size_classes),
        T(test_small_extension_and_full_list),
        T(test_small_class_keeps_its_chunk),
        T(test_small_realloc_in_place),
        T(test_whole_chunk_request),
        T(test_large_rule),
        T(test_large_cache),
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
        T(test_overwritten_small_chunk_header),
        T(test_double_free_small),
        T(test_write_after_free_breaks_links),
        T(test_bad_boundary_tag),
        T(test_check_finds_damage),
        T(test_large_header_damage),
        T(test_kernel_bytes),
        T(test_remote_free),
        T(test_remote_realloc),
        T(test_depot_off_without_a_clock),
        T(test_depot_keeps_and_reuses_zeroed),
        T(test_depot_stale_free_is_refused),
        T(test_depot_ages_out),
        T(test_depot_holds_at_most_half_the_peak),
    };
    return cmocka_run_group_tests_name("malloc chunk mode", tests, NULL, NULL);
}
