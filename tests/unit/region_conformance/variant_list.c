/*
 * The seed's list (servers/vmm/region/list/region_list.c) in the conformance
 * suite: first fit in list order (oldest free first), no coalescing, and
 * the tests only a list needs: adjacent holes stay apart, a used entry's
 * remainder keeps its place, a reserve may span several entries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>

#include "harness.h"

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

static uint64_t fx_alloc(fixture_t *f, uint64_t len)
{
    op_t op = { .kind = OP_ALLOC, .len = len, .align = PAGE };
    uint64_t x;
    assert_int_equal(model_step(&f->set, &f->pool, &f->model, &op, &x), 0);
    model_assert_matches(&f->model, &f->set, &f->pool);
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

/* Four adjacent free pages are four entries; two pages come from the bump. */
static void test_list_no_coalescing(void **state)
{
    (void)state;
    fixture_t f;
    fx_init(&f, 64);
    for (uint64_t i = 0; i < 4; i++)
        fx_alloc(&f, PAGE);
    for (uint64_t i = 0; i < 4; i++)
        fx_free(&f, LO + i * PAGE, PAGE);
    assert_int_equal(f.set.nodes, 4);
    assert_int_equal(fx_alloc(&f, 2 * PAGE), LO + 4 * PAGE);
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(fx_alloc(&f, PAGE), LO + i * PAGE);
    assert_int_equal(f.set.nodes, 0);
    fx_fini(&f);
}

/* Entries are used in the order they were freed. */
static void test_list_fifo_order(void **state)
{
    (void)state;
    fixture_t f;
    fx_init(&f, 64);
    for (uint64_t i = 0; i < 6; i++)
        fx_alloc(&f, PAGE);
    const uint64_t order[] = { 3, 0, 5, 1 };
    for (size_t i = 0; i < 4; i++)
        fx_free(&f, LO + order[i] * PAGE, PAGE);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(fx_alloc(&f, PAGE), LO + order[i] * PAGE);
    fx_fini(&f);
}

/* What is left of a used entry stays first in the list. */
static void test_list_entry_remainder(void **state)
{
    (void)state;
    fixture_t f;
    fx_init(&f, 64);
    assert_int_equal(fx_alloc(&f, 4 * PAGE), LO);
    assert_int_equal(fx_alloc(&f, PAGE), LO + 4 * PAGE);
    fx_free(&f, LO, 4 * PAGE);
    fx_free(&f, LO + 4 * PAGE, PAGE);
    assert_int_equal(fx_alloc(&f, PAGE), LO);
    assert_int_equal(fx_alloc(&f, PAGE), LO + PAGE);
    assert_int_equal(fx_alloc(&f, 3 * PAGE), LO + 5 * PAGE);
    assert_int_equal(fx_alloc(&f, 2 * PAGE), LO + 2 * PAGE);
    assert_int_equal(fx_alloc(&f, PAGE), LO + 4 * PAGE);
    assert_int_equal(f.set.nodes, 0);
    fx_fini(&f);
}

/* MAP_FIXED over adjacent entries and the space above the bump. */
static void test_list_reserve_spans_entries(void **state)
{
    (void)state;
    fixture_t f;
    fx_init(&f, 64);
    for (uint64_t i = 0; i < 6; i++)
        fx_alloc(&f, PAGE);
    for (uint64_t i = 0; i < 6; i++)
        fx_free(&f, LO + i * PAGE, PAGE);
    assert_int_equal(f.set.nodes, 6);
    fx_reserve(&f, LO + PAGE, 3 * PAGE);  /* three entries used up */
    assert_int_equal(f.set.nodes, 3);
    fx_reserve(&f, LO + 5 * PAGE, 3 * PAGE);  /* an entry and the bump */
    assert_int_equal(f.set.nodes, 2);
    assert_int_equal(f.set.bump, LO + 8 * PAGE);
    fx_reserve(&f, LO + 10 * PAGE, PAGE);  /* above the bump: the gap is an entry */
    assert_int_equal(f.set.nodes, 3);
    fx_free(&f, LO + PAGE, 3 * PAGE);
    fx_reserve(&f, LO + 2 * PAGE, PAGE);  /* inside one entry: split */
    assert_int_equal(f.set.nodes, 5);
    fx_fini(&f);
}

/* An alignment gap above the bump is recorded, not lost. */
static void test_list_alignment_gap(void **state)
{
    (void)state;
    fixture_t f;
    fx_init(&f, 64);
    fx_alloc(&f, PAGE);
    op_t op = { .kind = OP_ALLOC, .len = PAGE, .align = 8 * PAGE };
    uint64_t x;
    assert_int_equal(model_step(&f.set, &f.pool, &f.model, &op, &x), 0);
    assert_int_equal(x, LO + 8 * PAGE);
    assert_int_equal(f.set.nodes, 1);
    assert_true(region_is_free(&f.set, LO + PAGE, 7 * PAGE));
    assert_int_equal(fx_alloc(&f, 7 * PAGE), LO + PAGE);
    fx_fini(&f);
}

static const struct CMUnitTest list_tests[] = {
    cmocka_unit_test(test_list_no_coalescing),
    cmocka_unit_test(test_list_fifo_order),
    cmocka_unit_test(test_list_entry_remainder),
    cmocka_unit_test(test_list_reserve_spans_entries),
    cmocka_unit_test(test_list_alignment_gap),
};

const variant_t variant = {
    .name = "vmm-list",
    .fit = FIT_LIST,
    .reuses = true,
    .coalesces = false,
    .init_nodes = 0,
    .tests = list_tests,
    .ntests = sizeof list_tests / sizeof list_tests[0],
};
