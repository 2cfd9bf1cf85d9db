/*
 * The frame table (ukernel/core/frame.c): every transition of frame.h's
 * state diagram, every refusal with its error and without side effects,
 * and frame_check after every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <ukernel/frame.h>

#define BASE_PFN UINT64_C(0x40000)  /* RAM at 0x4000_0000, as on QEMU virt */
#define NFRAMES  16u
#define PA(i)    ((BASE_PFN + (i)) << PAGE_SHIFT)

static frame_t storage[NFRAMES];
static frame_table_t ft;

/* frame_check, and the totals, after every step. */
#define CHECK(nfree_, nmapped_, ntable_, nkernel_, nrefs_)     \
    do {                                                       \
        assert_int_equal(frame_check(&ft), 0);                 \
        assert_int_equal(ft.nfree, (nfree_));                  \
        assert_int_equal(ft.nmapped, (nmapped_));              \
        assert_int_equal(ft.ntable, (ntable_));                \
        assert_int_equal(ft.nkernel, (nkernel_));              \
        assert_int_equal(ft.nrefs, (nrefs_));                  \
    } while (0)

static uint32_t count_of(paddr_t pa)
{
    uint32_t c = 99;
    frame_state(&ft, pa, &c);
    return c;
}

static int setup(void **state)
{
    (void)state;
    memset(storage, 0xA5, sizeof storage);  /* frame_init must not trust its storage */
    assert_int_equal(frame_init(&ft, storage, BASE_PFN, NFRAMES), 0);
    return 0;
}

static void test_init(void **state)
{
    (void)state;
    CHECK(NFRAMES, 0, 0, 0, 0);
    for (unsigned i = 0; i < NFRAMES; i++) {
        assert_int_equal(frame_state(&ft, PA(i), NULL), FRAME_FREE);
        assert_int_equal(count_of(PA(i)), 0);
    }
    /* Any address inside a frame names it; outside the table is FRAME_NONE. */
    assert_int_equal(frame_state(&ft, PA(3) + 0xFFF, NULL), FRAME_FREE);
    assert_int_equal(frame_state(&ft, PA(0) - 1, NULL), FRAME_NONE);
    assert_int_equal(frame_state(&ft, PA(NFRAMES), NULL), FRAME_NONE);
    assert_int_equal(frame_state(&ft, 0, NULL), FRAME_NONE);
    assert_int_equal(frame_state(&ft, UINT64_MAX, NULL), FRAME_NONE);
    assert_int_equal(count_of(PA(NFRAMES)), 0);
    assert_int_equal(FRAME_STORAGE_SIZE(NFRAMES), sizeof storage);
}

static void test_init_errors(void **state)
{
    (void)state;
    frame_table_t t;
    frame_t one[1];
    assert_int_equal(frame_init(&t, NULL, BASE_PFN, 4), -AK_EINVAL);
    assert_int_equal(frame_init(&t, one, BASE_PFN, 0), -AK_EINVAL);
    /* A range whose addresses would not fit a paddr_t. */
    const pfn_t last = UINT64_MAX >> PAGE_SHIFT;
    assert_int_equal(frame_init(&t, one, last + 1, 1), -AK_EINVAL);
    assert_int_equal(frame_init(&t, one, last, 2), -AK_EINVAL);
    assert_int_equal(frame_init(&t, one, UINT64_MAX, 1), -AK_EINVAL);
    assert_int_equal(frame_init(&t, one, last - 1, 1), 0);
    assert_int_equal(frame_state(&t, (last - 1) << PAGE_SHIFT, NULL), FRAME_FREE);
    assert_int_equal(frame_check(&t), 0);
}

static void test_ref_unref(void **state)
{
    (void)state;
    assert_int_equal(frame_ref(&ft, PA(2)), 0);
    assert_int_equal(frame_state(&ft, PA(2), NULL), FRAME_MAPPED);
    assert_int_equal(count_of(PA(2)), 1);
    CHECK(NFRAMES - 1, 1, 0, 0, 1);
    assert_int_equal(frame_ref(&ft, PA(2)), 0);
    assert_int_equal(frame_ref(&ft, PA(2)), 0);
    assert_int_equal(count_of(PA(2)), 3);
    CHECK(NFRAMES - 1, 1, 0, 0, 3);
    assert_int_equal(frame_ref(&ft, PA(5)), 0);
    CHECK(NFRAMES - 2, 2, 0, 0, 4);

    assert_int_equal(frame_unref(&ft, PA(2)), 0);
    assert_int_equal(count_of(PA(2)), 2);
    CHECK(NFRAMES - 2, 2, 0, 0, 3);
    assert_int_equal(frame_unref(&ft, PA(2)), 0);
    assert_int_equal(frame_unref(&ft, PA(2)), 0);
    assert_int_equal(frame_state(&ft, PA(2), NULL), FRAME_FREE);
    assert_int_equal(count_of(PA(2)), 0);
    CHECK(NFRAMES - 1, 1, 0, 0, 1);
    /* Counts return to zero; one more unref is refused. */
    assert_int_equal(frame_unref(&ft, PA(2)), -AK_ENOENT);
    assert_int_equal(frame_unref(&ft, PA(5)), 0);
    CHECK(NFRAMES, 0, 0, 0, 0);
}

static void test_table_transitions(void **state)
{
    (void)state;
    assert_int_equal(frame_set_table(&ft, PA(7)), 0);
    assert_int_equal(frame_state(&ft, PA(7), NULL), FRAME_TABLE);
    assert_int_equal(count_of(PA(7)), 0);
    CHECK(NFRAMES - 1, 0, 1, 0, 0);
    assert_int_equal(frame_clear_table(&ft, PA(7)), 0);
    assert_int_equal(frame_state(&ft, PA(7), NULL), FRAME_FREE);
    CHECK(NFRAMES, 0, 0, 0, 0);
    /* A freed table can be mapped, an unmapped frame become a table. */
    assert_int_equal(frame_ref(&ft, PA(7)), 0);
    assert_int_equal(frame_unref(&ft, PA(7)), 0);
    assert_int_equal(frame_set_table(&ft, PA(7)), 0);
    CHECK(NFRAMES - 1, 0, 1, 0, 0);
}

static void test_kernel_frames(void **state)
{
    (void)state;
    assert_int_equal(frame_set_kernel(&ft, PA(0), PA(3)), 0);
    CHECK(NFRAMES - 3, 0, 0, 3, 0);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(frame_state(&ft, PA(i), NULL), FRAME_KERNEL);
    assert_int_equal(frame_state(&ft, PA(3), NULL), FRAME_FREE);
    /* Kernel frames are never mapped, never tables, and never leave the state. */
    assert_int_equal(frame_ref(&ft, PA(1)), -AK_EFAULT);
    assert_int_equal(frame_set_table(&ft, PA(1)), -AK_EFAULT);
    assert_int_equal(frame_unref(&ft, PA(1)), -AK_ENOENT);
    assert_int_equal(frame_clear_table(&ft, PA(1)), -AK_ENOENT);
    assert_int_equal(frame_set_kernel(&ft, PA(2), PA(4)), -AK_EBUSY);
    assert_int_equal(frame_state(&ft, PA(3), NULL), FRAME_FREE);
    CHECK(NFRAMES - 3, 0, 0, 3, 0);
}

static void test_set_kernel_errors(void **state)
{
    (void)state;
    assert_int_equal(frame_set_kernel(&ft, PA(1) + 8, PA(3)), -AK_EINVAL);
    assert_int_equal(frame_set_kernel(&ft, PA(1), PA(3) - 8), -AK_EINVAL);
    assert_int_equal(frame_set_kernel(&ft, PA(3), PA(3)), -AK_EINVAL);
    assert_int_equal(frame_set_kernel(&ft, PA(3), PA(1)), -AK_EINVAL);
    assert_int_equal(frame_set_kernel(&ft, PA(0) - PAGE_SIZE, PA(2)), -AK_EINVAL);
    assert_int_equal(frame_set_kernel(&ft, PA(NFRAMES - 1), PA(NFRAMES + 1)), -AK_EINVAL);
    assert_int_equal(frame_set_kernel(&ft, PA(0), PA(NFRAMES)), 0);
    CHECK(0, 0, 0, NFRAMES, 0);
}

static void test_set_kernel_all_or_nothing(void **state)
{
    (void)state;
    assert_int_equal(frame_ref(&ft, PA(5)), 0);
    assert_int_equal(frame_set_table(&ft, PA(9)), 0);
    assert_int_equal(frame_set_kernel(&ft, PA(3), PA(6)), -AK_EBUSY);
    assert_int_equal(frame_set_kernel(&ft, PA(8), PA(12)), -AK_EBUSY);
    assert_int_equal(frame_state(&ft, PA(3), NULL), FRAME_FREE);
    assert_int_equal(frame_state(&ft, PA(4), NULL), FRAME_FREE);
    assert_int_equal(frame_state(&ft, PA(8), NULL), FRAME_FREE);
    CHECK(NFRAMES - 2, 1, 1, 0, 1);
}

/* Every operation on every state: the error, and no change. */
static void test_refusals(void **state)
{
    (void)state;
    assert_int_equal(frame_set_kernel(&ft, PA(0), PA(1)), 0);  /* 0: KERNEL */
    assert_int_equal(frame_ref(&ft, PA(1)), 0);                 /* 1: MAPPED(1) */
    assert_int_equal(frame_set_table(&ft, PA(2)), 0);           /* 2: TABLE */
    CHECK(NFRAMES - 3, 1, 1, 1, 1);                             /* 3: FREE */

    /* A mapped frame never becomes a table; a table is never mapped. */
    assert_int_equal(frame_set_table(&ft, PA(1)), -AK_EBUSY);
    assert_int_equal(frame_ref(&ft, PA(2)), -AK_EBUSY);
    assert_int_equal(frame_set_table(&ft, PA(2)), -AK_EBUSY);
    assert_int_equal(frame_unref(&ft, PA(2)), -AK_ENOENT);
    assert_int_equal(frame_clear_table(&ft, PA(1)), -AK_ENOENT);
    assert_int_equal(frame_clear_table(&ft, PA(3)), -AK_ENOENT);
    assert_int_equal(frame_unref(&ft, PA(3)), -AK_ENOENT);
    CHECK(NFRAMES - 3, 1, 1, 1, 1);

    /* Unaligned addresses and addresses outside the table. */
    const paddr_t bad[] = { PA(3) + 1, PA(3) + PAGE_SIZE / 2 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(frame_ref(&ft, bad[i]), -AK_EINVAL);
        assert_int_equal(frame_unref(&ft, bad[i]), -AK_EINVAL);
        assert_int_equal(frame_set_table(&ft, bad[i]), -AK_EINVAL);
        assert_int_equal(frame_clear_table(&ft, bad[i]), -AK_EINVAL);
    }
    const paddr_t outside[] = { 0, PA(0) - PAGE_SIZE, PA(NFRAMES), UINT64_MAX & ~PAGE_MASK };
    for (unsigned i = 0; i < ARRAY_SIZE(outside); i++) {
        assert_int_equal(frame_ref(&ft, outside[i]), -AK_EFAULT);
        assert_int_equal(frame_unref(&ft, outside[i]), -AK_EFAULT);
        assert_int_equal(frame_set_table(&ft, outside[i]), -AK_EFAULT);
        assert_int_equal(frame_clear_table(&ft, outside[i]), -AK_EFAULT);
    }
    CHECK(NFRAMES - 3, 1, 1, 1, 1);
    assert_int_equal(frame_state(&ft, PA(0), NULL), FRAME_KERNEL);
    assert_int_equal(count_of(PA(1)), 1);
    assert_int_equal(frame_state(&ft, PA(2), NULL), FRAME_TABLE);
    assert_int_equal(frame_state(&ft, PA(3), NULL), FRAME_FREE);
}

static void test_count_overflow(void **state)
{
    (void)state;
    assert_int_equal(frame_ref(&ft, PA(4)), 0);
    /* Reach the maximum behind frame.c's back: the caller owns the storage. */
    storage[4].word = FRAME_MAP_MAX;
    assert_int_equal(frame_check(&ft), -AK_EINVAL);
    ft.nrefs = FRAME_MAP_MAX;
    CHECK(NFRAMES - 1, 1, 0, 0, FRAME_MAP_MAX);
    assert_int_equal(frame_ref(&ft, PA(4)), -AK_EOVERFLOW);
    assert_int_equal(count_of(PA(4)), FRAME_MAP_MAX);
    CHECK(NFRAMES - 1, 1, 0, 0, FRAME_MAP_MAX);
    assert_int_equal(frame_unref(&ft, PA(4)), 0);
    assert_int_equal(frame_ref(&ft, PA(4)), 0);
    assert_int_equal(frame_state(&ft, PA(4), NULL), FRAME_MAPPED);
    CHECK(NFRAMES - 1, 1, 0, 0, FRAME_MAP_MAX);
}

static void test_check_detects_corruption(void **state)
{
    (void)state;
    assert_int_equal(frame_ref(&ft, PA(1)), 0);
    assert_int_equal(frame_set_table(&ft, PA(2)), 0);
    assert_int_equal(frame_check(&ft), 0);

    frame_t saved = storage[1];
    storage[1].word = 2;  /* a count that no ref made */
    assert_int_equal(frame_check(&ft), -AK_EINVAL);
    storage[1] = saved;
    saved = storage[2];
    storage[2].word = 0;  /* a table turned free */
    assert_int_equal(frame_check(&ft), -AK_EINVAL);
    storage[2] = saved;
    ft.nfree++;
    assert_int_equal(frame_check(&ft), -AK_EINVAL);
    ft.nfree--;
    assert_int_equal(frame_check(&ft), 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init),
        T(test_init_errors),
        T(test_ref_unref),
        T(test_table_transitions),
        T(test_kernel_frames),
        T(test_set_kernel_errors),
        T(test_set_kernel_all_or_nothing),
        T(test_refusals),
        T(test_count_overflow),
        T(test_check_detects_corruption),
    };
    return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
