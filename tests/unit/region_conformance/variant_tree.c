/*
 * The default vmm's region tree (servers/vmm/region/tree/region_tree.c) in the
 * conformance suite: lowest fit, merged free space, and the tests only a
 * tree needs: coalescing in any order, the alignment probes, a
 * large tree staying balanced, a randomized run over a larger area.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>

#include "harness.h"

/* A set over [LO, LO + pages) with a model beside it. */
typedef struct fixture {
    pool_t pool;
    region_mem_t mem;
    region_set_t set;
    model_t model;
} fixture_t;

static void fx_init(fixture_t *f, size_t pages)
{
    f->pool = (pool_t){ .budget = -1 };
    f->mem = pool_mem(&f->pool);
    assert_int_equal(region_init(&f->set, LO, LO + pages * PAGE, &f->mem), 0);
    model_init(&f->model, LO, pages);
}

static void fx_fini(fixture_t *f)
{
    assert_int_equal(region_check(&f->set), 0);
    region_destroy(&f->set);
    assert_int_equal(f->pool.live, 0);
    model_free_all(&f->model);
}

static uint64_t fx_alloc(fixture_t *f, uint64_t len, uint64_t align)
{
    op_t op = { .kind = OP_ALLOC, .len = len, .align = align };
    uint64_t x;
    assert_int_equal(model_step(&f->set, &f->pool, &f->model, &op, &x), 0);
    return x;
}

static void fx_free(fixture_t *f, uint64_t addr, uint64_t len)
{
    op_t op = { .kind = OP_FREE, .addr = addr, .len = len };
    assert_int_equal(model_step(&f->set, &f->pool, &f->model, &op, NULL), 0);
    model_assert_matches(&f->model, &f->set, &f->pool);
}

static void fx_reserve(fixture_t *f, uint64_t addr, uint64_t len)
{
    op_t op = { .kind = OP_RESERVE, .addr = addr, .len = len };
    assert_int_equal(model_step(&f->set, &f->pool, &f->model, &op, NULL), 0);
    model_assert_matches(&f->model, &f->set, &f->pool);
}

/* Frees 64 pages in a scrambled order: one node per run of free pages, one at the end. */
static void test_tree_coalesce_any_order(void **state)
{
    (void)state;
    enum { N = 64 };
    fixture_t f;
    fx_init(&f, N);
    for (uint64_t i = 0; i < N; i++)
        assert_int_equal(fx_alloc(&f, PAGE, PAGE), LO + i * PAGE);
    assert_int_equal(f.set.nodes, 0);
    for (uint64_t i = 0; i < N; i++)
        fx_free(&f, LO + (i * 37 % N) * PAGE, PAGE);  /* 37 is prime to 64: a permutation */
    region_stats_t st;
    region_stats(&f.set, &st);
    assert_int_equal(st.nodes, 1);
    assert_int_equal(st.holes, 1);
    assert_int_equal(st.largest_hole, N * PAGE);
    assert_int_equal(st.bump, LO + N * PAGE);
    fx_fini(&f);
}

/* The lowest hole that fits, not the first freed or the best fitting. */
static void test_tree_lowest_fit(void **state)
{
    (void)state;
    fixture_t f;
    fx_init(&f, 64);
    fx_alloc(&f, 20 * PAGE, PAGE);
    fx_free(&f, LO + 12 * PAGE, 5 * PAGE);  /* holes of 5, 1, 3 pages, freed from the top */
    fx_free(&f, LO + 8 * PAGE, PAGE);
    fx_free(&f, LO + 2 * PAGE, 3 * PAGE);
    assert_int_equal(fx_alloc(&f, PAGE, PAGE), LO + 2 * PAGE);
    assert_int_equal(fx_alloc(&f, 2 * PAGE, PAGE), LO + 3 * PAGE);
    assert_int_equal(fx_alloc(&f, 4 * PAGE, PAGE), LO + 12 * PAGE);
    assert_int_equal(fx_alloc(&f, PAGE, PAGE), LO + 8 * PAGE);
    assert_int_equal(fx_alloc(&f, 2 * PAGE, PAGE), LO + 20 * PAGE);
    assert_int_equal(fx_alloc(&f, PAGE, PAGE), LO + 16 * PAGE);
    fx_fini(&f);
}

/*
 * len 2 pages aligned to 4: holes of exactly 2 pages starting 1 page past
 * a multiple of 4 never fit.  After `misfits` of them comes one that fits
 * exactly (2 pages, aligned), then, if `long_hole`, one long enough for
 * any alignment.  Returns what the tree chose; *exact is the true lowest
 * fit and *any the aligned address in the long hole.
 */
static uint64_t probe_case(unsigned misfits, bool long_hole, uint64_t *exact, uint64_t *any)
{
    const size_t pages = 4 * ((size_t)misfits + 4);
    fixture_t f;
    fx_init(&f, pages);
    fx_alloc(&f, pages * PAGE, PAGE);
    for (unsigned i = 0; i < misfits; i++)
        fx_free(&f, LO + (4 * (uint64_t)i + 1) * PAGE, 2 * PAGE);
    uint64_t e = LO + 4 * (uint64_t)misfits * PAGE, g = e + 5 * PAGE;
    fx_free(&f, e, 2 * PAGE);
    if (long_hole)
        fx_free(&f, g, 6 * PAGE);
    assert_true(model_lowest_fit(&f.model, 2 * PAGE, 4 * PAGE, exact));
    *any = g + 3 * PAGE;
    uint64_t x = fx_alloc(&f, 2 * PAGE, 4 * PAGE);
    /* Without the exactly fitting hole, only the misfits are left. */
    fx_free(&f, x, 2 * PAGE);
    fx_reserve(&f, e, 2 * PAGE);
    if (long_hole)
        fx_reserve(&f, g, 6 * PAGE);
    op_t op = { .kind = OP_ALLOC, .len = 2 * PAGE, .align = 4 * PAGE };
    uint64_t none;
    assert_int_equal(model_step(&f.set, &f.pool, &f.model, &op, &none), -AK_ENOMEM);
    fx_fini(&f);
    return x;
}

static void test_tree_align_probes(void **state)
{
    (void)state;
    uint64_t exact, any;
    /* Up to REGION_ALIGN_PROBES holes tried: the exact lowest fit. */
    assert_int_equal(probe_case(REGION_ALIGN_PROBES - 1, true, &exact, &any), exact);
    assert_int_equal(exact, LO + (uint64_t)(REGION_ALIGN_PROBES - 1) * 4 * PAGE);
    /* One misfit more: the lowest hole that fits at any alignment... */
    assert_int_equal(probe_case(REGION_ALIGN_PROBES, true, &exact, &any), any);
    assert_int_equal(exact, LO + (uint64_t)REGION_ALIGN_PROBES * 4 * PAGE);
    /* ...and without one, every hole in turn: the exact fit again. */
    assert_int_equal(probe_case(3 * REGION_ALIGN_PROBES, false, &exact, &any), exact);
    assert_int_equal(exact, LO + (uint64_t)REGION_ALIGN_PROBES * 12 * PAGE);
}

/* 50,000 holes: balanced (region_check), lowest fit still the lowest, all merged at the end. */
static void test_tree_many_holes(void **state)
{
    (void)state;
    enum { PAGES = 100000 };
    pool_t pool = { .budget = -1 };
    region_mem_t mem = pool_mem(&pool);
    region_set_t s;
    uint64_t x;
    assert_int_equal(region_init(&s, LO, HI, &mem), 0);
    for (uint64_t i = 0; i < PAGES; i++)
        assert_int_equal(region_alloc(&s, PAGE, PAGE, 0, &x), 0);
    for (uint64_t i = 0; i < PAGES; i += 2)
        assert_int_equal(region_free(&s, LO + i * PAGE, PAGE), 0);
    assert_int_equal(region_check(&s), 0);
    region_stats_t st;
    region_stats(&s, &st);
    assert_int_equal(st.holes, PAGES / 2);
    assert_int_equal(st.largest_hole, PAGE);
    assert_int_equal(st.nodes, PAGES / 2 + 1);
    assert_int_equal(region_alloc(&s, PAGE, PAGE, 0, &x), 0);
    assert_int_equal(x, LO);
    assert_int_equal(region_alloc(&s, 2 * PAGE, PAGE, 0, &x), 0);
    assert_int_equal(x, LO + PAGES * PAGE);
    assert_int_equal(region_free(&s, LO, PAGE), 0);
    for (uint64_t i = 1; i < PAGES; i += 2)
        assert_int_equal(region_free(&s, LO + i * PAGE, PAGE), 0);
    assert_int_equal(region_free(&s, LO + PAGES * PAGE, 2 * PAGE), 0);
    assert_int_equal(region_check(&s), 0);
    region_stats(&s, &st);
    assert_int_equal(st.nodes, 1);
    assert_int_equal(st.free_bytes, HI - LO);
    region_destroy(&s);
    assert_int_equal(pool.live, 0);
}

/* The last hole counts as a hole only below the bump. */
static void test_tree_stats_top_hole(void **state)
{
    (void)state;
    fixture_t f;
    fx_init(&f, 64);
    fx_alloc(&f, PAGE, PAGE);
    fx_alloc(&f, 2 * PAGE, PAGE);
    region_stats_t st;
    region_stats(&f.set, &st);
    assert_int_equal(st.holes, 0);
    assert_int_equal(st.largest_hole, 0);
    fx_free(&f, LO + PAGE, 2 * PAGE);
    region_stats(&f.set, &st);
    assert_int_equal(st.holes, 1);
    assert_int_equal(st.largest_hole, 2 * PAGE);
    assert_int_equal(st.bump, LO + 3 * PAGE);
    fx_free(&f, LO, PAGE);
    region_stats(&f.set, &st);
    assert_int_equal(st.holes, 1);
    assert_int_equal(st.largest_hole, 3 * PAGE);
    assert_int_equal(st.nodes, 1);
    fx_fini(&f);
}

static void test_tree_random_large(void **state)
{
    (void)state;
    random_run(UINT64_C(0x5EED0002), 4096, 100000, 97);
}

static const struct CMUnitTest tree_tests[] = {
    cmocka_unit_test(test_tree_coalesce_any_order),
    cmocka_unit_test(test_tree_lowest_fit),
    cmocka_unit_test(test_tree_align_probes),
    cmocka_unit_test(test_tree_many_holes),
    cmocka_unit_test(test_tree_stats_top_hole),
    cmocka_unit_test(test_tree_random_large),
};

const variant_t variant = {
    .name = "vmm",
    .fit = FIT_LOWEST,
    .reuses = true,
    .coalesces = true,
    .init_nodes = 1,
    .tests = tree_tests,
    .ntests = sizeof tree_tests / sizeof tree_tests[0],
};
