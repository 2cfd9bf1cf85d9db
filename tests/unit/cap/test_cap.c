/*
 * The capability table: insertion rules, lookup's checks and their
 * order, and that no slot number from a register can reach outside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/syscall.h>
#include <ukernel/cap.h>

static int obj_a, obj_b;

static void test_empty_table_refuses_every_slot(void **state)
{
    (void)state;
    cap_table_t t;
    cap_table_init(&t);
    int err = 0;
    for (uint64_t s = 0; s < AK_CAP_SLOTS; s++) {
        assert_null(cap_lookup(&t, s, AK_CAP_ENDPOINT, 0, &err));
        assert_int_equal(err, -AK_EBADF);
    }
    assert_true(cap_table_check(&t));
}

static void test_insert_and_lookup(void **state)
{
    (void)state;
    cap_table_t t;
    cap_table_init(&t);
    assert_int_equal(cap_insert(&t, 3, AK_CAP_ENDPOINT, AK_RIGHT_SEND, 7, 42, &obj_a), 0);
    int err = 0;
    const cap_t *c = cap_lookup(&t, 3, AK_CAP_ENDPOINT, AK_RIGHT_SEND, &err);
    assert_non_null(c);
    assert_int_equal(c->badge, 42);
    assert_int_equal(c->target, 7);
    assert_ptr_equal(c->object, &obj_a);
    /* No rights asked: any capability of the kind will do. */
    assert_non_null(cap_lookup(&t, 3, AK_CAP_ENDPOINT, 0, &err));
    assert_true(cap_table_check(&t));
}

static void test_lookup_checks_kind_then_rights(void **state)
{
    (void)state;
    cap_table_t t;
    cap_table_init(&t);
    assert_int_equal(cap_insert(&t, 1, AK_CAP_ENDPOINT, AK_RIGHT_SEND, 0, 0, &obj_a), 0);
    int err = 0;
    /* Wrong kind and missing right: the kind is reported first. */
    assert_null(cap_lookup(&t, 1, AK_CAP_ASPACE, AK_RIGHT_WRITE, &err));
    assert_int_equal(err, -AK_ENOTSUP);
    assert_null(cap_lookup(&t, 1, AK_CAP_ENDPOINT, AK_RIGHT_RECV, &err));
    assert_int_equal(err, -AK_EPERM);
    assert_null(cap_lookup(&t, 1, AK_CAP_ENDPOINT, AK_RIGHT_SEND | AK_RIGHT_RECV, &err));
    assert_int_equal(err, -AK_EPERM);
}

static void test_hostile_slot_numbers(void **state)
{
    (void)state;
    cap_table_t t;
    cap_table_init(&t);
    assert_int_equal(cap_insert(&t, AK_CAP_SLOTS - 1, AK_CAP_PHYSMEM, AK_RIGHT_WRITE, 0, 0, &obj_b), 0);
    const uint64_t bad[] = { AK_CAP_SLOTS, AK_CAP_SLOTS + 1, UINT64_C(1) << 32, UINT64_MAX,
                             (uint64_t)-AK_CAP_SLOTS, UINT64_C(0x8000000000000000) };
    int err = 0;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(cap_lookup(&t, bad[i], AK_CAP_PHYSMEM, 0, &err));
        assert_int_equal(err, -AK_EBADF);
        assert_int_equal(cap_insert(&t, bad[i], AK_CAP_ENDPOINT, 0, 0, 0, &obj_a), -AK_EBADF);
        assert_int_equal(cap_remove(&t, bad[i]), -AK_EBADF);
    }
    assert_non_null(cap_lookup(&t, AK_CAP_SLOTS - 1, AK_CAP_PHYSMEM, AK_RIGHT_WRITE, &err));
}

static void test_insert_refusals(void **state)
{
    (void)state;
    cap_table_t t;
    cap_table_init(&t);
    assert_int_equal(cap_insert(&t, 0, AK_CAP_NONE, 0, 0, 0, &obj_a), -AK_EINVAL);
    assert_int_equal(cap_insert(&t, 0, AK_CAP_KINDS, 0, 0, 0, &obj_a), -AK_EINVAL);
    assert_int_equal(cap_insert(&t, 0, AK_CAP_ENDPOINT, 0, 0, 0, NULL), -AK_EINVAL);
    assert_int_equal(cap_insert(&t, 0, AK_CAP_ENDPOINT, 0x80, 0, 0, &obj_a), -AK_EINVAL);
    /* Bit 62 marks kernel messages: no capability may carry it. */
    assert_int_equal(cap_insert(&t, 0, AK_CAP_ENDPOINT, 0, 0, UINT64_C(1) << 62, &obj_a),
                     -AK_EINVAL);
    assert_int_equal(cap_insert(&t, 0, AK_CAP_ENDPOINT, 0, 0, AK_BADGE_MAX, &obj_a), 0);
    assert_int_equal(cap_insert(&t, 0, AK_CAP_ENDPOINT, 0, 0, 1, &obj_b), -AK_EEXIST);
    assert_true(cap_table_check(&t));
}

static void test_remove(void **state)
{
    (void)state;
    cap_table_t t;
    cap_table_init(&t);
    assert_int_equal(cap_insert(&t, 5, AK_CAP_ASPACE, AK_RIGHT_WRITE, 2, 0, &obj_a), 0);
    assert_int_equal(cap_remove(&t, 5), 0);
    assert_int_equal(cap_remove(&t, 5), -AK_EBADF);
    int err = 0;
    assert_null(cap_lookup(&t, 5, AK_CAP_ASPACE, 0, &err));
    assert_int_equal(err, -AK_EBADF);
    assert_true(cap_table_check(&t));
    assert_int_equal(cap_insert(&t, 5, AK_CAP_ENDPOINT, AK_RIGHT_RECV, 0, 9, &obj_b), 0);
    assert_true(cap_table_check(&t));
}

static void test_check_detects_corruption(void **state)
{
    (void)state;
    cap_table_t t;
    cap_table_init(&t);
    t.slot[4].object = &obj_a; /* an empty slot pointing at an object */
    assert_false(cap_table_check(&t));
    cap_table_init(&t);
    assert_int_equal(cap_insert(&t, 2, AK_CAP_ENDPOINT, 0, 0, 0, &obj_a), 0);
    t.slot[2].badge = UINT64_C(1) << 62;
    assert_false(cap_table_check(&t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_table_refuses_every_slot),
        cmocka_unit_test(test_insert_and_lookup),
        cmocka_unit_test(test_lookup_checks_kind_then_rights),
        cmocka_unit_test(test_hostile_slot_numbers),
        cmocka_unit_test(test_insert_refusals),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_check_detects_corruption),
    };
    return cmocka_run_group_tests_name("cap", tests, NULL, NULL);
}
