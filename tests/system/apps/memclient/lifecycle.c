/*
 * Roles about how a process ends and what happens to its memory then.
 *
 * "readonly" (memkill of mem-pager, expect killed): mem-map-readonly, a
 *   read-only page the pager filled reads back its pattern; then it writes
 *   to that page, a permission fault that its pager refuses, so the kernel
 *   kills it (the image's `match mem-fault-refused`; the pager checks the
 *   EXIT status in mem-exit-killed).
 * "nopager" (memnopager, pager none, expect killed): reads an unmapped page
 *   and is killed by the kernel at once (`match mem-nopager-killed`).
 * "tmp" (memtmp): has two pages mapped, which take three translation tables,
 *   then exits 0.  Its pager checks in mem-reclaim-busy that those five
 *   frames stay busy until it answers the EXIT.
 * "reuse" (memreuse): mem-reclaim-reuse, once tmp's EXIT is answered the
 *   pager hands tmp's five frames to this process (as its tables and as
 *   pages holding a pattern), which the kernel allows only if each is FREE
 *   again; this process reads the pattern through them.
 *
 * Slot 1 (all but nopager): the memtest endpoint of mempager, their pager.
 */
#include <stdio.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/sys.h>
#include <idl/memtest_client.h>

#include "memclient.h"

#define RO_VA           AK_USER_MMAP_MIN
#define RO_PATTERN      UINT64_C(0x0D0D000000000000)
#define RO_WRITE_OFFSET UINT64_C(0x18)

#define NOPAGER_READ_VA (AK_USER_MMAP_MIN + UINT64_C(8))

#define TMP_LOW     AK_USER_MMAP_MIN       /* one level-3 table */
#define TMP_HIGH    UINT64_C(0x2000000000) /* 128 GiB: level-2 and level-3 tables */
#define TMP_PATTERN UINT64_C(0x7E7E000000000000)

#define REUSE_LOW     AK_USER_MMAP_MIN
#define REUSE_HIGH    UINT64_C(0x3000000000) /* 192 GiB */
#define REUSE_PATTERN UINT64_C(0xAEAE000000000000)

/* Has the pager map a page of pattern at va; checks the tables it supplied and the contents. */
static void map_and_check(test_t *t, uint64_t va, uint64_t pattern, uint32_t prot,
                          uint64_t want_tables)
{
    uint64_t tables = 0;
    int rc = memtest_map_pattern(SLOT_PAGER, va, pattern, prot, &tables);
    if (rc != 0) {
        test_fail(t, "map_pattern at 0x%lx returned %d", (unsigned long)va, rc);
        return;
    }
    if (tables != want_tables)
        test_fail(t, "the pager supplied %lu tables for 0x%lx, want %lu", (unsigned long)tables,
                  (unsigned long)va, (unsigned long)want_tables);
    expect_pattern(t, va, pattern);
}

int role_readonly(void)
{
    test_t t = { "mem-map-readonly", 0 };
    map_and_check(&t, RO_VA, RO_PATTERN, AK_PROT_READ, 1);
    if (!test_end(&t))
        return 1;
    printf("%s: writing to its read-only page at 0x%lx; its pager must refuse the fault\n",
           prog_name(), (unsigned long)(RO_VA + RO_WRITE_OFFSET));
    uint64_t pc;
    store_word(RO_VA + RO_WRITE_OFFSET, 0, &pc);
    printf("AKTEST FAIL mem-map-readonly: the write to the read-only page at 0x%lx went on\n",
           (unsigned long)(RO_VA + RO_WRITE_OFFSET));
    return 1;
}

int role_nopager(void)
{
    printf("%s: reading unmapped 0x%lx without a pager; the kernel must kill it\n", prog_name(),
           (unsigned long)NOPAGER_READ_VA);
    uint64_t pc;
    uint64_t v = load_word(NOPAGER_READ_VA, &pc);
    printf("AKTEST FAIL mem-nopager-killed: read 0x%lx from unmapped 0x%lx and lived\n",
           (unsigned long)v, (unsigned long)NOPAGER_READ_VA);
    return 1;
}

int role_tmp(void)
{
    /* Failures here also fail the pager's check of this process's exit. */
    test_t t = { "mem-reclaim-busy", 0 };
    map_and_check(&t, TMP_LOW, TMP_PATTERN, AK_PROT_READ | AK_PROT_WRITE, 1);
    map_and_check(&t, TMP_HIGH, TMP_PATTERN, AK_PROT_READ | AK_PROT_WRITE, 2);
    return t.failures == 0 ? 0 : 1;
}

int role_reuse(void)
{
    test_t t = { "mem-reclaim-reuse", 0 };
    /* Waits for a state, not for time: tmp's EXIT answered. */
    int rc;
    while ((rc = memtest_reclaim(SLOT_PAGER, REUSE_LOW, REUSE_HIGH, REUSE_PATTERN)) == -AK_EAGAIN)
        ak_yield();
    test_expect(&t, "reclaim", rc, 0);
    if (rc == 0) {
        expect_pattern(&t, REUSE_LOW, REUSE_PATTERN);
        expect_pattern(&t, REUSE_HIGH, REUSE_PATTERN);
    }
    return test_end(&t) ? 0 : 1;
}
