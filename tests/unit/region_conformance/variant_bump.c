/*
 * The seed's pre-fix bump allocator (servers/vmm/region/bump/region_bump.c) in
 * the conformance suite: nothing is ever reused, so the default area
 * lasts exactly 196,320 one-page allocations; what alignment or a hint
 * skips is lost for good.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>

#include "harness.h"

/* Map and unmap one page until the area is gone, checking the counters on the way. */
static void test_bump_exhausts_at_seed_budget(void **state)
{
    (void)state;
    pool_t pool = { .budget = 0 };  /* bump never needs a node */
    region_mem_t mem = pool_mem(&pool);
    region_set_t s;
    assert_int_equal(region_init(&s, LO, HI, &mem), 0);
    uint64_t x, n = 0;
    while (region_alloc(&s, PAGE, PAGE, 0, &x) == 0) {
        assert_int_equal(x, LO + n * PAGE);
        assert_int_equal(region_free(&s, x, PAGE), 0);
        n++;
    }
    assert_int_equal(n, 196320);
    assert_int_equal(region_check(&s), 0);
    region_stats_t st;
    region_stats(&s, &st);
    assert_int_equal(st.bump, HI);
    assert_int_equal(st.free_bytes, 0);
    assert_int_equal(st.holes, 0);
    assert_int_equal(st.nodes, 0);
    assert_int_equal(pool.refused, 0);
    region_destroy(&s);
}

/* Space skipped by alignment or a hint is in use for ever; freeing it is accepted. */
static void test_bump_skipped_space_lost(void **state)
{
    (void)state;
    pool_t pool = { .budget = -1 };
    region_mem_t mem = pool_mem(&pool);
    region_set_t s;
    uint64_t x;
    assert_int_equal(region_init(&s, LO, HI, &mem), 0);
    assert_int_equal(region_alloc(&s, PAGE, PAGE, 0, &x), 0);
    assert_int_equal(region_alloc(&s, PAGE, 16 * PAGE, 0, &x), 0);
    assert_int_equal(x, LO + 16 * PAGE);
    assert_false(region_is_free(&s, LO + PAGE, PAGE));
    assert_int_equal(region_free(&s, LO + PAGE, 15 * PAGE), 0);
    assert_int_equal(region_alloc(&s, PAGE, PAGE, LO + PAGE, &x), 0);
    assert_int_equal(x, LO + 17 * PAGE);
    assert_int_equal(region_alloc(&s, PAGE, PAGE, LO + 100 * PAGE, &x), 0);
    assert_int_equal(x, LO + 100 * PAGE);
    assert_false(region_is_free(&s, LO + 50 * PAGE, PAGE));
    assert_int_equal(region_reserve(&s, LO + 60 * PAGE, PAGE), -AK_EEXIST);
    assert_int_equal(region_check(&s), 0);
    assert_int_equal(pool.live, 0);
    region_destroy(&s);
}

static const struct CMUnitTest bump_tests[] = {
    cmocka_unit_test(test_bump_exhausts_at_seed_budget),
    cmocka_unit_test(test_bump_skipped_space_lost),
};

const variant_t variant = {
    .name = "vmm-bump",
    .fit = FIT_BUMP,
    .reuses = false,
    .coalesces = false,
    .init_nodes = 0,
    .tests = bump_tests,
    .ntests = sizeof bump_tests / sizeof bump_tests[0],
};
