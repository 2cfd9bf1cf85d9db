/*
 * The region conformance suite (vmm/region.h): one source, compiled once
 * per variant (module.mk), so that tree, list and bump are held to the same
 * contract.  Where the variants legitimately differ (lowest fit, first
 * fit in list order, never reuse) the expectation comes from `variant`
 * (variant_<name>.c), and each variant adds tests of its own.
 *
 * Every refusal is checked to leave the set exactly as it was; every
 * operation is also run with no node to spare first (op_run_every_budget),
 * and region_check runs after every step.
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

#include "harness.h"

#define SMALL_PAGES 16u
#define MAX_TESTS   64u
#define ANY         1  /* expect whatever the model predicts (no error is positive) */

static pool_t pool;
static region_mem_t mem;
static region_set_t set;
static model_t model;

static int setup_area(uint64_t lo, uint64_t hi)
{
    pool = (pool_t){ .budget = -1 };
    mem = pool_mem(&pool);
    assert_int_equal(region_init(&set, lo, hi, &mem), 0);
    model_init(&model, lo, (hi - lo) / PAGE);
    return 0;
}

static int setup_default(void **state)
{
    (void)state;
    return setup_area(LO, HI);
}

static int setup_small(void **state)
{
    (void)state;
    return setup_area(LO, LO + SMALL_PAGES * PAGE);
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(region_check(&set), 0);
    region_destroy(&set);
    assert_int_equal(pool.live, 0);
    model_free_all(&model);
    return 0;
}

/*
 * One operation through the model (harness.h), which asserts the result
 * it predicts; expect (unless ANY) states it once more by hand.  Returns
 * the address taken.
 */
static uint64_t do_alloc(uint64_t len, uint64_t align, uint64_t hint, int expect)
{
    op_t op = { .kind = OP_ALLOC, .len = len, .align = align, .hint = hint };
    uint64_t x = 0;
    int err = model_step(&set, &pool, &model, &op, &x);
    if (expect != ANY)
        assert_int_equal(err, expect);
    model_assert_matches(&model, &set, &pool);
    return x;
}

static void do_reserve(uint64_t addr, uint64_t len, int expect)
{
    op_t op = { .kind = OP_RESERVE, .addr = addr, .len = len };
    int err = model_step(&set, &pool, &model, &op, NULL);
    if (expect != ANY)
        assert_int_equal(err, expect);
    model_assert_matches(&model, &set, &pool);
}

static void do_free(uint64_t addr, uint64_t len, int expect)
{
    op_t op = { .kind = OP_FREE, .addr = addr, .len = len };
    int err = model_step(&set, &pool, &model, &op, NULL);
    if (expect != ANY)
        assert_int_equal(err, expect);
    model_assert_matches(&model, &set, &pool);
}

static region_stats_t stats(void)
{
    region_stats_t st;
    region_stats(&set, &st);
    return st;
}

/* ---- init ---------------------------------------------------------------- */

/* The suite was built against the variant it believes it tests. */
static void test_variant_name(void **state)
{
    (void)state;
    assert_string_equal(region_variant, variant.name);
}

static void test_init_errors(void **state)
{
    (void)state;
    pool_t p = { .budget = -1 };
    region_mem_t m = pool_mem(&p);
    region_set_t s;
    assert_int_equal(region_init(&s, LO + 1, HI, &m), -AK_EINVAL);
    assert_int_equal(region_init(&s, LO, HI + 8, &m), -AK_EINVAL);
    assert_int_equal(region_init(&s, LO, LO, &m), -AK_EINVAL);
    assert_int_equal(region_init(&s, HI, LO, &m), -AK_EINVAL);
    assert_int_equal(region_init(&s, LO, HI, NULL), -AK_EINVAL);
    region_mem_t half = m;
    half.node_alloc = NULL;
    assert_int_equal(region_init(&s, LO, HI, &half), -AK_EINVAL);
    half = m;
    half.node_free = NULL;
    assert_int_equal(region_init(&s, LO, HI, &half), -AK_EINVAL);
    /* With no node to spare: only a variant that needs one refuses. */
    p.budget = 0;
    int err = region_init(&s, LO, HI, &m);
    assert_int_equal(err, variant.init_nodes == 0 ? 0 : -AK_ENOMEM);
    if (err == 0)
        region_destroy(&s);
    assert_int_equal(p.live, 0);
}

static void test_init_state(void **state)
{
    (void)state;
    region_stats_t st = stats();
    assert_int_equal(st.holes, 0);
    assert_int_equal(st.largest_hole, 0);
    assert_int_equal(st.bump, LO);
    assert_int_equal(st.free_bytes, HI - LO);
    assert_int_equal(st.used_runs, 0);
    assert_int_equal(st.nodes, variant.init_nodes);
    assert_int_equal(pool.live, variant.init_nodes);
    dump_t d = { 0 };
    dump_take(&set, &d);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.r[0].start, LO);
    assert_int_equal(d.r[0].end, HI);
    dump_free(&d);
    assert_true(region_is_free(&set, LO, HI - LO));
    model_assert_matches(&model, &set, &pool);
}

/* An area at the very bottom and one reaching the top page of the address space. */
static void test_init_extremes(void **state)
{
    (void)state;
    const uint64_t top = UINT64_MAX & ~(PAGE - 1);
    pool_t p = { .budget = -1 };
    region_mem_t m = pool_mem(&p);
    region_set_t s;
    uint64_t x;
    assert_int_equal(region_init(&s, 0, 4 * PAGE, &m), 0);
    assert_int_equal(region_alloc(&s, PAGE, PAGE, 0, &x), 0);
    assert_int_equal(x, 0);
    assert_int_equal(region_alloc(&s, 3 * PAGE, PAGE, 0, &x), 0);
    assert_int_equal(x, PAGE);
    assert_int_equal(region_alloc(&s, PAGE, PAGE, 0, &x), -AK_ENOMEM);
    assert_int_equal(region_free(&s, 0, 4 * PAGE), 0);
    assert_int_equal(region_check(&s), 0);
    region_destroy(&s);

    assert_int_equal(region_init(&s, top - 4 * PAGE, top, &m), 0);
    assert_int_equal(region_alloc(&s, PAGE, UINT64_C(1) << 63, 0, &x), -AK_ENOMEM);
    assert_int_equal(region_alloc(&s, 2 * PAGE, 2 * PAGE, 0, &x), 0);
    assert_int_equal(x, top - 3 * PAGE);
    assert_int_equal(region_alloc(&s, UINT64_MAX & ~(PAGE - 1), PAGE, 0, &x), -AK_ENOMEM);
    assert_int_equal(region_reserve(&s, top - PAGE, 2 * PAGE), -AK_EINVAL);
    assert_int_equal(region_reserve(&s, top - PAGE, PAGE), 0);
    assert_false(region_is_free(&s, top - PAGE, PAGE));
    assert_int_equal(region_free(&s, top - PAGE, 2 * PAGE), -AK_EINVAL);
    assert_int_equal(region_free(&s, top - PAGE, PAGE), 0);
    assert_int_equal(region_check(&s), 0);
    region_destroy(&s);
    assert_int_equal(p.live, 0);
}

/* ---- alloc ----------------------------------------------------------------- */

static void test_alloc_errors(void **state)
{
    (void)state;
    do_alloc(PAGE, PAGE, 0, 0);
    const uint64_t bad_len[] = { 0, 1, PAGE - 1, PAGE + 1, 3 * PAGE + 512 };
    for (size_t i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++)
        do_alloc(bad_len[i], PAGE, 0, -AK_EINVAL);
    const uint64_t bad_align[] = { 0, 1, 8, PAGE / 2, 3 * PAGE, PAGE + 1, 12 * PAGE, UINT64_MAX };
    for (size_t i = 0; i < sizeof bad_align / sizeof bad_align[0]; i++)
        do_alloc(PAGE, bad_align[i], 0, -AK_EINVAL);
    do_alloc(HI - LO, PAGE, 0, -AK_ENOMEM);
    do_alloc(HI - LO + PAGE, PAGE, 0, -AK_ENOMEM);
    do_alloc(UINT64_MAX & ~(PAGE - 1), PAGE, 0, -AK_ENOMEM);
    do_alloc(PAGE, UINT64_C(1) << 63, 0, -AK_ENOMEM);
    do_alloc(PAGE, UINT64_C(1) << 30, 0, -AK_ENOMEM);  /* 0x40000000 is past HI */
}

static void test_alloc_sequential(void **state)
{
    (void)state;
    for (uint64_t i = 0; i < 100; i++) {
        assert_int_equal(do_alloc(PAGE, PAGE, 0, 0), LO + i * PAGE);
        assert_false(region_is_free(&set, LO + i * PAGE, PAGE));
    }
    assert_int_equal(do_alloc(5 * PAGE, PAGE, 0, 0), LO + 100 * PAGE);
    region_stats_t st = stats();
    assert_int_equal(st.bump, LO + 105 * PAGE);
    assert_int_equal(st.free_bytes, HI - LO - 105 * PAGE);
    assert_int_equal(st.holes, 0);
    assert_true(region_is_free(&set, LO + 105 * PAGE, HI - LO - 105 * PAGE));
}

static void test_alloc_whole_area(void **state)
{
    (void)state;
    assert_int_equal(do_alloc(HI - LO, PAGE, 0, 0), LO);
    do_alloc(PAGE, PAGE, 0, -AK_ENOMEM);
    assert_int_equal(stats().free_bytes, 0);
    assert_int_equal(stats().bump, HI);
    do_free(LO, HI - LO, 0);
    if (variant.reuses) {
        assert_int_equal(do_alloc(HI - LO, PAGE, 0, 0), LO);
        do_free(LO, HI - LO, 0);
    } else {
        do_alloc(PAGE, PAGE, 0, -AK_ENOMEM);
    }
}

static void test_alignment(void **state)
{
    (void)state;
    assert_int_equal(do_alloc(PAGE, PAGE, 0, 0), LO);
    assert_int_equal(do_alloc(PAGE, 16 * PAGE, 0, 0), LO + 16 * PAGE);
    /* The space skipped for alignment is free again for tree and list. */
    assert_int_equal(do_alloc(PAGE, PAGE, 0, 0), variant.reuses ? LO + PAGE : LO + 17 * PAGE);
    assert_int_equal(do_alloc(3 * PAGE, UINT64_C(1) << 28, 0, 0), UINT64_C(0x20000000));
    do_alloc(PAGE, UINT64_C(1) << 29, 0, -AK_ENOMEM);
    uint64_t x = do_alloc(2 * PAGE, 64 * PAGE, 0, 0);
    assert_int_equal(x % (64 * PAGE), 0);
}

static void test_hint(void **state)
{
    (void)state;
    const uint64_t h = LO + 50 * PAGE;
    assert_int_equal(do_alloc(PAGE, PAGE, h, 0), h);
    assert_int_equal(stats().bump, h + PAGE);
    /* Taken: the hint is ignored. */
    assert_int_equal(do_alloc(PAGE, PAGE, h, 0), variant.reuses ? LO : h + PAGE);
    /* Misaligned, not a multiple of align, outside, or running past hi. */
    do_alloc(PAGE, PAGE, h + 3 * PAGE + 1, 0);
    do_alloc(PAGE, 16 * PAGE, LO + 72 * PAGE, 0);
    do_alloc(PAGE, PAGE, HI, 0);
    do_alloc(2 * PAGE, PAGE, HI - PAGE, 0);
    do_alloc(PAGE, PAGE, LO - PAGE, 0);
    /* A free hint is taken even in the middle of a hole. */
    assert_int_equal(do_alloc(2 * PAGE, 2 * PAGE, LO + 100 * PAGE, 0), LO + 100 * PAGE);
    assert_int_equal(do_alloc(PAGE, PAGE, HI - PAGE, 0), HI - PAGE);
    assert_int_equal(stats().bump, HI);
}

/* ---- reserve ----------------------------------------------------------------- */

static void test_reserve(void **state)
{
    (void)state;
    do_reserve(LO + 10 * PAGE, 2 * PAGE, 0);
    assert_int_equal(stats().bump, LO + 12 * PAGE);
    assert_false(region_is_free(&set, LO + 10 * PAGE, PAGE));
    do_reserve(LO + 10 * PAGE, 2 * PAGE, -AK_EEXIST);
    do_reserve(LO + 11 * PAGE, 4 * PAGE, -AK_EEXIST);
    do_reserve(LO + 8 * PAGE, 3 * PAGE, -AK_EEXIST);
    do_reserve(LO + 10 * PAGE + 1, PAGE, -AK_EINVAL);
    do_reserve(LO + 20 * PAGE, PAGE + 1, -AK_EINVAL);
    do_reserve(LO + 20 * PAGE, 0, -AK_EINVAL);
    do_reserve(LO - PAGE, 2 * PAGE, -AK_EINVAL);
    do_reserve(HI - PAGE, 2 * PAGE, -AK_EINVAL);
    do_reserve(HI, PAGE, -AK_EINVAL);
    do_reserve(UINT64_MAX & ~(PAGE - 1), 2 * PAGE, -AK_EINVAL);
    /* Below the reserved range everything is still free (but for bump). */
    assert_int_equal(do_alloc(PAGE, PAGE, 0, 0), variant.reuses ? LO : LO + 12 * PAGE);
    do_reserve(LO + 5 * PAGE, PAGE, variant.reuses ? 0 : -AK_EEXIST);
    do_reserve(HI - PAGE, PAGE, 0);
    assert_int_equal(stats().bump, HI);
    do_free(LO + 10 * PAGE, 2 * PAGE, 0);
    do_reserve(LO + 10 * PAGE, 2 * PAGE, variant.reuses ? 0 : -AK_EEXIST);
}

/* ---- free -------------------------------------------------------------------- */

static void test_free_errors(void **state)
{
    (void)state;
    assert_int_equal(do_alloc(4 * PAGE, PAGE, 0, 0), LO);
    do_free(LO, 0, -AK_EINVAL);
    do_free(LO + 1, PAGE, -AK_EINVAL);
    do_free(LO, PAGE + 1, -AK_EINVAL);
    do_free(LO - PAGE, 2 * PAGE, -AK_EINVAL);
    do_free(HI - PAGE, 2 * PAGE, -AK_EINVAL);
    do_free(HI, PAGE, -AK_EINVAL);
    do_free(UINT64_MAX & ~(PAGE - 1), 2 * PAGE, -AK_EINVAL);
    /* Never handed out, or partly: already free. */
    do_free(LO + 4 * PAGE, PAGE, -AK_EINVAL);
    do_free(LO + 3 * PAGE, 2 * PAGE, -AK_EINVAL);
    do_free(LO + 100 * PAGE, PAGE, -AK_EINVAL);
    /* Twice, or overlapping a freed page: refused by tree and list; bump never frees. */
    do_free(LO + PAGE, PAGE, 0);
    do_free(LO + PAGE, PAGE, variant.reuses ? -AK_EINVAL : 0);
    do_free(LO, 2 * PAGE, variant.reuses ? -AK_EINVAL : 0);
    do_free(LO + PAGE, 3 * PAGE, variant.reuses ? -AK_EINVAL : 0);
    do_free(LO + 2 * PAGE, 2 * PAGE, 0);
}

static void test_partial_free(void **state)
{
    (void)state;
    assert_int_equal(do_alloc(8 * PAGE, PAGE, 0, 0), LO);
    do_free(LO + 2 * PAGE, 2 * PAGE, 0);
    assert_int_equal(region_is_free(&set, LO + 2 * PAGE, 2 * PAGE), variant.reuses);
    assert_false(region_is_free(&set, LO + PAGE, 2 * PAGE));
    do_free(LO + 3 * PAGE, PAGE, variant.reuses ? -AK_EINVAL : 0);
    do_free(LO, PAGE, 0);
    do_free(LO + 7 * PAGE, PAGE, 0);
    do_free(LO + PAGE, PAGE, 0);
    region_stats_t st = stats();
    if (variant.coalesces) {
        /* [LO, LO+4p) and [LO+7p, hi), of which one page is below the bump. */
        assert_int_equal(st.holes, 2);
        assert_int_equal(st.largest_hole, 4 * PAGE);
        assert_int_equal(st.nodes, 2);
    } else if (variant.reuses) {
        assert_int_equal(st.holes, 4);
        assert_int_equal(st.largest_hole, 2 * PAGE);
        assert_int_equal(st.nodes, 4);
    } else {
        assert_int_equal(st.holes, 0);
        assert_int_equal(st.largest_hole, 0);
    }
    assert_int_equal(st.bump, LO + 8 * PAGE);
    assert_int_equal(st.used_runs, 1);  /* pages 4..6 (for bump, everything below it) */
    /* Four free pages in a row: one hole only where free space is merged. */
    assert_int_equal(do_alloc(4 * PAGE, PAGE, 0, 0), variant.coalesces ? LO : LO + 8 * PAGE);
}

/* ---- reuse ------------------------------------------------------------------- */

static void test_reuse_order(void **state)
{
    (void)state;
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(do_alloc(PAGE, PAGE, 0, 0), LO + i * PAGE);
    do_free(LO + 2 * PAGE, PAGE, 0);  /* C first, then A */
    do_free(LO, PAGE, 0);
    uint64_t first = do_alloc(PAGE, PAGE, 0, 0), second = do_alloc(PAGE, PAGE, 0, 0);
    switch (variant.fit) {
    case FIT_LOWEST:  /* the lowest address */
        assert_int_equal(first, LO);
        assert_int_equal(second, LO + 2 * PAGE);
        break;
    case FIT_LIST:    /* the first freed */
        assert_int_equal(first, LO + 2 * PAGE);
        assert_int_equal(second, LO);
        break;
    case FIT_BUMP:    /* never reused */
        assert_int_equal(first, LO + 4 * PAGE);
        assert_int_equal(second, LO + 5 * PAGE);
        break;
    }
}

static void test_exhaust_small(void **state)
{
    (void)state;
    for (uint64_t i = 0; i < SMALL_PAGES; i++)
        assert_int_equal(do_alloc(PAGE, PAGE, 0, 0), LO + i * PAGE);
    do_alloc(PAGE, PAGE, 0, -AK_ENOMEM);
    assert_int_equal(stats().free_bytes, 0);
    do_free(LO + 5 * PAGE, PAGE, 0);
    if (variant.reuses)
        assert_int_equal(do_alloc(PAGE, PAGE, 0, 0), LO + 5 * PAGE);
    else
        do_alloc(PAGE, PAGE, 0, -AK_ENOMEM);
    do_alloc(PAGE, PAGE, 0, -AK_ENOMEM);
}

/* Four 2-page allocations freed: only merged free space serves 8 pages. */
static void test_fragmentation(void **state)
{
    (void)state;
    for (uint64_t i = 0; i < SMALL_PAGES / 2; i++)
        assert_int_equal(do_alloc(2 * PAGE, PAGE, 0, 0), LO + 2 * i * PAGE);
    for (uint64_t i = 0; i < SMALL_PAGES / 2; i++)
        do_free(LO + 2 * i * PAGE, 2 * PAGE, 0);
    do_alloc(SMALL_PAGES * PAGE, PAGE, 0, variant.coalesces ? 0 : -AK_ENOMEM);
    do_alloc(3 * PAGE, PAGE, 0, -AK_ENOMEM);
    if (variant.fit == FIT_LIST)
        assert_int_equal(do_alloc(2 * PAGE, PAGE, 0, 0), LO);
}

static void test_is_free(void **state)
{
    (void)state;
    assert_true(region_is_free(&set, LO, SMALL_PAGES * PAGE));
    assert_false(region_is_free(&set, LO, 0));
    assert_false(region_is_free(&set, LO + 1, PAGE));
    assert_false(region_is_free(&set, LO, PAGE + 1));
    assert_false(region_is_free(&set, LO - PAGE, PAGE));
    assert_false(region_is_free(&set, LO, (SMALL_PAGES + 1) * PAGE));
    assert_false(region_is_free(&set, LO + SMALL_PAGES * PAGE, PAGE));
    assert_false(region_is_free(&set, UINT64_MAX & ~(PAGE - 1), 2 * PAGE));
    do_alloc(PAGE, PAGE, LO + 3 * PAGE, 0);
    assert_false(region_is_free(&set, LO, SMALL_PAGES * PAGE));
    assert_false(region_is_free(&set, LO + 3 * PAGE, PAGE));
    assert_false(region_is_free(&set, LO + 2 * PAGE, 2 * PAGE));
    assert_true(region_is_free(&set, LO + 4 * PAGE, (SMALL_PAGES - 4) * PAGE));
    assert_int_equal(region_is_free(&set, LO, 3 * PAGE), variant.reuses);
}

/* ---- no node to spare, at every step of a script ------------------------------ */

/*
 * Each kind of change the variants make: take all, the front, the back
 * or the middle of a hole; free touching no neighbour, the one below, the
 * one above, both; reserve across adjacent holes and above the bump.
 * model_step runs each with a budget of 0, 1, ... nodes.
 */
static void test_enomem_every_point(void **state)
{
    (void)state;
    for (uint64_t i = 0; i < 8; i++)
        do_alloc(PAGE, PAGE, 0, 0);
    do_free(LO + 2 * PAGE, PAGE, 0);
    do_free(LO + 4 * PAGE, PAGE, 0);
    do_free(LO + 3 * PAGE, PAGE, 0);
    do_free(LO + 5 * PAGE, PAGE, 0);
    do_free(LO + PAGE, PAGE, 0);
    do_alloc(PAGE, PAGE, LO + 3 * PAGE, 0);
    do_alloc(PAGE, 4 * PAGE, 0, 0);
    do_reserve(LO + PAGE, 2 * PAGE, variant.reuses ? 0 : -AK_EEXIST);
    do_alloc(PAGE, PAGE, 0, 0);
    do_reserve(LO + 10 * PAGE, PAGE, ANY);
    do_alloc(2 * PAGE, 2 * PAGE, 0, ANY);
    do_free(LO, 11 * PAGE, ANY);
    do_free(LO + 10 * PAGE, PAGE, ANY);
    do_free(LO + 6 * PAGE, 2 * PAGE, ANY);
    do_alloc(SMALL_PAGES * PAGE, PAGE, 0, variant.coalesces ? 0 : -AK_ENOMEM);
    do_alloc(PAGE, PAGE, 0, ANY);
    do_alloc(3 * PAGE, PAGE, LO + 6 * PAGE, ANY);
}

/* ---- the randomized run and the seed's numbers ------------------------------ */

static void test_random_model(void **state)
{
    (void)state;
    random_run(UINT64_C(0x5EED0001), 128, 100000, 1);
}

/*
 * The seed: one page mapped and unmapped in a loop over the default area.
 * Bump runs out after exactly 196,320; tree and list reach 2,000,000.
 */
static void test_seed_exhaustion(void **state)
{
    (void)state;
    const uint64_t pairs = variant.reuses ? 2000000 : AREA_PAGES;
    for (uint64_t i = 0; i < pairs; i++) {
        uint64_t x;
        int err = region_alloc(&set, PAGE, PAGE, 0, &x);
        if (err != 0)
            fail_msg("allocation %llu failed: %d", (unsigned long long)i, err);
        if (region_free(&set, x, PAGE) != 0)
            fail_msg("free %llu failed", (unsigned long long)i);
    }
    uint64_t x;
    assert_int_equal(region_alloc(&set, PAGE, PAGE, 0, &x), variant.reuses ? 0 : -AK_ENOMEM);
    assert_int_equal(region_check(&set), 0);
    assert_int_equal(stats().bump, variant.reuses ? LO + PAGE : HI);
    assert_int_equal(AREA_PAGES, 196320);
}

static const struct CMUnitTest shared_tests[] = {
    cmocka_unit_test(test_variant_name),
    cmocka_unit_test(test_init_errors),
    cmocka_unit_test_setup_teardown(test_init_state, setup_default, teardown),
    cmocka_unit_test(test_init_extremes),
    cmocka_unit_test_setup_teardown(test_alloc_errors, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_alloc_sequential, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_alloc_whole_area, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_alignment, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_hint, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_reserve, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_free_errors, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_partial_free, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_reuse_order, setup_default, teardown),
    cmocka_unit_test_setup_teardown(test_exhaust_small, setup_small, teardown),
    cmocka_unit_test_setup_teardown(test_fragmentation, setup_small, teardown),
    cmocka_unit_test_setup_teardown(test_is_free, setup_small, teardown),
    cmocka_unit_test_setup_teardown(test_enomem_every_point, setup_small, teardown),
    cmocka_unit_test(test_random_model),
    cmocka_unit_test_setup_teardown(test_seed_exhaustion, setup_default, teardown),
};

int main(void)
{
    /* One group, so that the TAP plan counts the variant's tests too. */
    enum { NSHARED = sizeof shared_tests / sizeof shared_tests[0] };
    static struct CMUnitTest all[MAX_TESTS];
    if (NSHARED + variant.ntests > MAX_TESTS)
        return 1;
    memcpy(all, shared_tests, sizeof shared_tests);
    memcpy(all + NSHARED, variant.tests, variant.ntests * sizeof all[0]);
    char name[64];
    snprintf(name, sizeof name, "region conformance: %s", variant.name);
    return _cmocka_run_group_tests(name, all, NSHARED + variant.ntests, NULL, NULL);
}
