/*
 * The vmm's table of processes (servers/vmm/clients.c): the manifest's
 * entries, those init adopts at run time, every refusal of adopt and
 * disown (each leaving the table exactly as it was), and entries reused
 * with their owner numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>

#include "vmm.h"

#define MAX_QUOTA 1000u
#define SLOT      AK_BOOT_CAP_SLOTS

static vmm_t before;

static int setup(void **state)
{
    (void)state;
    memset(&vmm, 0, sizeof vmm);
    vmm.default_quota = 300;
    /* Two processes of the manifest, as main.c records them from the boot info. */
    assert_non_null(clients_add(10, 4, 1, 0, "hog"));
    assert_non_null(clients_add(11, 5, 2, 50, "contract"));
    vmm.procs[1].live = true;
    return 0;
}

static void snapshot(void)
{
    memcpy(&before, &vmm, sizeof vmm);
}

static void unchanged(void)
{
    assert_memory_equal(&before, &vmm, sizeof vmm);
}

static int adopt(uint32_t pid, uint32_t slot, uint64_t badge, uint64_t quota, const char *name)
{
    return clients_adopt(pid, slot, badge, quota, name, MAX_QUOTA);
}

static void test_lookup(void **state)
{
    (void)state;
    assert_ptr_equal(vmm_proc_by_badge(1), &vmm.procs[0]);
    assert_ptr_equal(vmm_proc_by_badge(2), &vmm.procs[1]);
    assert_null(vmm_proc_by_badge(0));      /* init's badge names no client */
    assert_null(vmm_proc_by_badge(3));
    assert_ptr_equal(vmm_proc_by_pid(11), &vmm.procs[1]);
    assert_null(vmm_proc_by_pid(12));
    assert_null(vmm_proc_by_pid(11 | (UINT64_C(1) << 32)));  /* the whole value is compared */
    assert_int_equal(vmm_proc_owner(&vmm.procs[1]), 2);
    assert_string_equal(vmm.procs[1].name, "contract");
    assert_int_equal(vmm.procs[0].quota, 0);  /* main.c fills the manifest's quotas from its arguments */
}

static void test_adopt(void **state)
{
    (void)state;
    assert_int_equal(adopt(40, SLOT, 77, 0, "hello"), 0);
    vmm_proc_t *p = vmm_proc_by_badge(77);
    assert_non_null(p);
    assert_ptr_equal(p, &vmm.procs[2]);
    assert_ptr_equal(vmm_proc_by_pid(40), p);
    assert_true(p->used && p->adopted && !p->live);
    assert_int_equal(p->aspace_slot, SLOT);
    assert_int_equal(p->quota, 300);          /* 0: the default */
    assert_string_equal(p->name, "hello");
    assert_int_equal(vmm.nprocs, 3);
    assert_int_equal(adopt(41, AK_CAP_SLOTS - 1, AK_BADGE_MAX, MAX_QUOTA, "a-name-of-15-ch"), 0);
    assert_int_equal(vmm_proc_by_pid(41)->quota, MAX_QUOTA);
    assert_string_equal(vmm_proc_by_pid(41)->name, "a-name-of-15-ch");
}

static void test_adopt_refusals_change_nothing(void **state)
{
    (void)state;
    assert_int_equal(adopt(40, SLOT + 1, 77, 0, "hello"), 0);
    snapshot();
    static const struct {
        uint32_t pid, slot;
        uint64_t badge, quota;
        const char *name;
        int want;
    } bad[] = {
        { 50, 0, 90, 0, "x", -AK_EINVAL },                    /* a boot slot */
        { 50, SLOT - 1, 90, 0, "x", -AK_EINVAL },
        { 50, AK_CAP_SLOTS, 90, 0, "x", -AK_EINVAL },         /* past the table */
        { 50, AK_NO_SLOT, 90, 0, "x", -AK_EINVAL },
        { 50, SLOT, 0, 0, "x", -AK_EINVAL },                  /* badge 0 is init's */
        { 50, SLOT, AK_BADGE_MAX + 1, 0, "x", -AK_EINVAL },
        { 50, SLOT, AK_PAGER_BADGE_BIT | 90, 0, "x", -AK_EINVAL },
        { 50, SLOT, UINT64_MAX, 0, "x", -AK_EINVAL },
        { 50, SLOT, 90, 0, "", -AK_EINVAL },
        { 40, SLOT, 90, 0, "x", -AK_EEXIST },                 /* pid served: the adopted one */
        { 11, SLOT, 90, 0, "x", -AK_EEXIST },                 /* ... a manifest one */
        { 50, SLOT, 77, 0, "x", -AK_EEXIST },                 /* badge in use */
        { 50, SLOT, 2, 0, "x", -AK_EEXIST },
        { 50, SLOT + 1, 90, 0, "x", -AK_EEXIST },             /* slot in use */
        { 50, SLOT, 90, MAX_QUOTA + 1, "x", -AK_ENOMEM },     /* more than it could ever give */
        { 50, SLOT, 90, UINT64_MAX, "x", -AK_ENOMEM },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int rc = adopt(bad[k].pid, bad[k].slot, bad[k].badge, bad[k].quota, bad[k].name);
        if (rc != bad[k].want)
            fail_msg("case %zu: %d, want %d", k, rc, bad[k].want);
        unchanged();
    }
}

static void test_table_full(void **state)
{
    (void)state;
    _Static_assert(VMM_MAX_PROCS - 2 <= AK_CAP_SLOTS - SLOT, "a slot for each adopted process");
    for (unsigned n = 0; n < VMM_MAX_PROCS - 2; n++)
        assert_int_equal(adopt(100 + n, SLOT + n, 1000 + n, 0, "p"), 0);
    assert_int_equal(vmm.nprocs, VMM_MAX_PROCS);
    snapshot();
    assert_int_equal(adopt(999, AK_CAP_SLOTS - 1, 5000, 0, "late"), -AK_ENOSPC);
    unchanged();
    /* One leaves: its entry, and so its owner number, is the next adopted one's. */
    vmm_proc_t *p = vmm_proc_by_pid(105);
    frame_owner_t owner = vmm_proc_owner(p);
    assert_int_equal(clients_disown(105), 0);
    assert_int_equal(adopt(999, AK_CAP_SLOTS - 1, 5000, 0, "late"), 0);
    assert_ptr_equal(vmm_proc_by_pid(999), p);
    assert_int_equal(vmm_proc_owner(vmm_proc_by_pid(999)), owner);
}

static void test_disown(void **state)
{
    (void)state;
    assert_int_equal(adopt(40, SLOT, 77, 0, "hello"), 0);
    assert_int_equal(adopt(41, SLOT + 1, 78, 0, "world"), 0);
    snapshot();
    assert_int_equal(clients_disown(12), -AK_ESRCH);      /* nobody */
    assert_int_equal(clients_disown(10), -AK_ESRCH);      /* a manifest process is not init's to take away */
    vmm_proc_by_pid(41)->live = true;
    assert_int_equal(clients_disown(41), -AK_EBUSY);      /* started: its EXIT ends it */
    vmm_proc_by_pid(41)->live = false;
    unchanged();
    assert_int_equal(clients_disown(40), 0);
    assert_null(vmm_proc_by_pid(40));
    assert_null(vmm_proc_by_badge(77));
    assert_int_equal(vmm.nprocs, 4);                       /* a hole below the last entry stays */
    assert_int_equal(clients_disown(40), -AK_ESRCH);
    assert_int_equal(clients_disown(41), 0);
    assert_int_equal(vmm.nprocs, 2);                       /* the table shrinks to its last entry */
    /* The slot, the badge and the pid can be adopted again. */
    assert_int_equal(adopt(40, SLOT, 77, 0, "again"), 0);
    assert_ptr_equal(vmm_proc_by_pid(40), &vmm.procs[2]);
}

static void test_forget_after_exit(void **state)
{
    (void)state;
    assert_int_equal(adopt(40, SLOT, 77, 0, "hello"), 0);
    vmm_proc_t *p = vmm_proc_by_pid(40);
    p->live = true;
    p->mapped_pages = 9;
    /* What on_exit does once space_reclaim has taken everything back. */
    p->live = false;
    clients_forget(p);
    assert_null(vmm_proc_by_pid(40));
    assert_int_equal(adopt(41, SLOT, 78, 0, "next"), 0);
    assert_int_equal(vmm_proc_by_pid(41)->mapped_pages, 0);  /* a fresh entry */
    assert_false(vmm_proc_by_pid(41)->live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_lookup, setup),
        cmocka_unit_test_setup(test_adopt, setup),
        cmocka_unit_test_setup(test_adopt_refusals_change_nothing, setup),
        cmocka_unit_test_setup(test_table_full, setup),
        cmocka_unit_test_setup(test_disown, setup),
        cmocka_unit_test_setup(test_forget_after_exit, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
