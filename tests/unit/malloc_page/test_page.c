/*
 * Page mode (libakuma/malloc/page/) from the inside: the seed's mapping
 * rule exactly, pages going back at once, the side table growing and
 * shrinking with hysteresis, realloc in place, and misuse found without
 * touching the pointer's memory.  The contract shared with chunk mode is
 * the conformance suite's (tests/unit/malloc_conform/).  akm_page_check()
 * runs after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <malloc/page.h>

#include "testglue.h"

#define PAGE       ((size_t)4096)
#define TABLE_MIN  (PAGE / sizeof(akm_page_entry_t))  /* slots in the first table */

static akm_page_heap_t heap;

static int setup(void **state)
{
    (void)state;
    memset(&heap, 0, sizeof heap);
    testglue_reset();
    return 0;
}

static testglue_counts_t counts(void)
{
    testglue_counts_t g;
    testglue_counts(&g);
    return g;
}

/* The heap is consistent, its page counters are the glue's, and the pages held are exactly its mappings and table. */
static void check(void)
{
    akm_page_check(&heap);
    testglue_counts_t g = counts();
    assert_int_equal(heap.stats.kernel_bytes_in, g.in_bytes);
    assert_int_equal(heap.stats.kernel_bytes_out, g.out_bytes);
}

static void *alloc_aligned(size_t align, size_t n)
{
    void *p = NULL;
    assert_int_equal(akm_page_memalign(&heap, align, n, &p), 0);
    check();
    return p;
}

static void *alloc(size_t n)
{
    return alloc_aligned(16, n);
}

static void release(void *p)
{
    akm_page_free(&heap, p);
    check();
}

static size_t round_page(size_t n)
{
    return (n + PAGE - 1) / PAGE * PAGE;
}

static void test_seed_rule(void **state)
{
    (void)state;
    static const struct {
        size_t size, align;
    } cases[] = {
        { 0, 16 }, { 1, 16 }, { 16, 1 }, { 4095, 16 }, { 4096, 16 }, { 4097, 16 }, { 100, 4096 },
        { 100, 8192 }, { 10000, 8192 }, { 100, 65536 }, { 70000, 65536 }, { 1 << 20, 16 },
        { (1 << 20) + 1, 4096 },
    };
    alloc(1);  /* the table exists from here on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t before = counts().mapped_bytes;
        char *p = alloc_aligned(cases[i].align, cases[i].size);
        size_t want = round_page(cases[i].size > cases[i].align ? cases[i].size : cases[i].align);
        assert_int_equal(counts().mapped_bytes - before, want);  /* max(size, align), rounded */
        assert_int_equal((uintptr_t)p % PAGE, 0);
        assert_int_equal((uintptr_t)p % (cases[i].align > PAGE ? cases[i].align : PAGE), 0);
        assert_int_equal(akm_page_usable_size(&heap, p), want);
        memset(p, 0x5A, want);
        release(p);
        assert_int_equal(counts().mapped_bytes, before);  /* back at once */
    }
}

static void test_table_grows_and_shrinks(void **state)
{
    (void)state;
    enum { N = 1000 };
    static void *blocks[N];
    for (size_t i = 0; i < N; i++) {
        blocks[i] = alloc(i);
        assert_int_equal(heap.stats.kernel_bytes_in - heap.stats.kernel_bytes_out,
                         (i + 1) * PAGE + akm_page_table_bytes(&heap));
    }
    assert_int_equal(akm_page_table_bytes(&heap), 2048 * sizeof(akm_page_entry_t));
    for (size_t i = 0; i < N; i++)
        release(blocks[i]);
    assert_int_equal(akm_page_table_bytes(&heap), TABLE_MIN * sizeof(akm_page_entry_t));
    assert_int_equal(akm_page_trim(&heap), 1);
    check();
    assert_int_equal(akm_page_table_bytes(&heap), 0);
    assert_int_equal(counts().mapped_bytes, 0);
    assert_int_equal(akm_page_trim(&heap), 0);
}

static void test_table_hysteresis(void **state)
{
    (void)state;
    enum { AT_GROWTH = TABLE_MIN * 3 / 4 };  /* the table grows on the next insert */
    static void *blocks[AT_GROWTH + 1];
    for (size_t i = 0; i < AT_GROWTH; i++)
        blocks[i] = alloc(8);
    size_t cap = heap.cap;
    blocks[AT_GROWTH] = alloc(8);
    assert_int_equal(heap.cap, 2 * cap);
    testglue_counts_t before = counts();
    for (int i = 0; i < 50; i++) {  /* back and forth across the growth point */
        release(blocks[AT_GROWTH]);
        blocks[AT_GROWTH] = alloc(8);
    }
    testglue_counts_t after = counts();
    assert_int_equal(heap.cap, 2 * cap);
    assert_int_equal(after.in_calls - before.in_calls, 50);  /* only the blocks themselves */
    assert_int_equal(after.out_calls - before.out_calls, 50);
    for (size_t i = 0; i <= AT_GROWTH; i++)
        release(blocks[i]);
}

static void test_table_growth_out_of_memory(void **state)
{
    (void)state;
    enum { AT_GROWTH = TABLE_MIN * 3 / 4 };
    for (size_t i = 0; i < AT_GROWTH; i++)
        alloc(8);
    testglue_fail_after(0);
    void *p = NULL;
    assert_int_equal(akm_page_malloc(&heap, 8, &p), -AK_ENOMEM);
    assert_non_null(strstr(testglue_oom_report(), "OUT OF MEMORY!\n"));
    check();
    assert_int_equal(heap.cap, TABLE_MIN);  /* the old table is intact */
    testglue_fail_never();
    alloc(8);
    assert_int_equal(heap.cap, 2 * TABLE_MIN);
}

static void test_realloc_in_place_and_moves(void **state)
{
    (void)state;
    char *p = alloc(100);
    memset(p, 'a', 100);
    testglue_counts_t before = counts();
    void *q = NULL;
    assert_int_equal(akm_page_realloc(&heap, p, 4096, &q), 0);  /* the same page */
    check();
    assert_ptr_equal(q, p);
    assert_int_equal(counts().in_calls, before.in_calls);

    assert_int_equal(akm_page_realloc(&heap, p, 5 * PAGE, &q), 0);  /* must move */
    check();
    assert_ptr_not_equal(q, p);
    assert_int_equal(((char *)q)[99], 'a');
    p = q;
    before = counts();
    assert_int_equal(akm_page_realloc(&heap, p, PAGE + 1, &q), 0);  /* shrinks in place */
    check();
    assert_ptr_equal(q, p);
    assert_int_equal(before.mapped_bytes - counts().mapped_bytes, 3 * PAGE);
    assert_int_equal(akm_page_usable_size(&heap, p), 2 * PAGE);
    assert_int_equal(heap.stats.user_bytes, PAGE + 1);
    release(p);
}

static void test_misuse_does_not_touch_memory(void **state)
{
    (void)state;
    char *keep = alloc(10);
    char *p = alloc(10);
    release(p);  /* p's page is gone (poisoned: reading it would fail under ASan) */
    EXPECT_PANIC(akm_page_free(&heap, p), "double free");
    EXPECT_PANIC(akm_page_usable_size(&heap, p), "not a live allocation");
    void *q = NULL;
    EXPECT_PANIC(akm_page_realloc(&heap, p, 10, &q), "not a live allocation");
    EXPECT_PANIC(akm_page_free(&heap, keep + 16), "page-aligned");
}

static void test_check_finds_damage(void **state)
{
    (void)state;
    char *p = alloc(10);
    alloc(20);
    size_t slot = 0;
    while (heap.table[slot].addr != (uintptr_t)p)
        slot++;
    heap.table[slot].meta += 1;
    EXPECT_PANIC(akm_page_check(&heap), "user_bytes");
    heap.table[slot].meta -= 1;
    check();
    heap.table[slot].addr += PAGE;
    EXPECT_PANIC(akm_page_check(&heap), "unreachable");
    heap.table[slot].addr -= PAGE;
    check();
    heap.used++;
    EXPECT_PANIC(akm_page_check(&heap), "live count");
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_seed_rule),
        T(test_table_grows_and_shrinks),
        T(test_table_hysteresis),
        T(test_table_growth_out_of_memory),
        T(test_realloc_in_place_and_moves),
        T(test_misuse_does_not_touch_memory),
        T(test_check_finds_damage),
    };
    return cmocka_run_group_tests_name("malloc page mode", tests, NULL, NULL);
}
