/*
 * Roles about address-space isolation: process A (spy) cannot read, write
 * or unmap the memory of process B (secret).
 *
 * "secret" (memsecret, a server): has the pager map a page holding a secret
 *   pattern at SECRET_VA, then serves memsecret (memtest.idl): where the
 *   page is, and whether it is intact.  It answers only once the secret is
 *   in place, so a client's first call orders it after that.
 * "spy" (memspy):
 *   mem-isolation-read   touching B's secret VA faults in A's own address
 *                        space (its pager records the fault from A) and A
 *                        reads its pager's fresh zero page, never the secret
 *   mem-isolation-write  A fills the page at that VA, then has the pager
 *                        both share unmap that VA: B's secret is intact
 *   mem-isolation-nocap  A holds no address-space capability: every aspace
 *                        invocation on an empty slot is -AK_EBADF; on the
 *                        slot of B's endpoint it is ordinary IPC, which B's
 *                        dispatch answers -AK_ENOSYS; B's secret is intact
 *
 * secret: slot 1 the memtest endpoint of mempager (its pager), slot 2 the
 *   memsecret endpoint it receives on.
 * spy: slot 1 the memtest endpoint of mempager (its pager), slot 2 the
 *   memsecret endpoint (send), slot 3 empty.
 */
#include <stdio.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/pager.h>
#include <akuma/ipc.h>
#include <idl/kernel_client.h>
#include <idl/memtest_client.h>
#include <idl/memtest_server.h>

#include "memclient.h"

#define SLOT_SECRET 2
#define SLOT_EMPTY  3

#define SECRET_VA AK_USER_MMAP_MIN
#define SECRET    UINT64_C(0x5EC2E75EC2E70000)
#define SPY_VALUE UINT64_C(0x5B15B15B15B10000)

/* A frame address that exists (RAM); only the capability decides the outcome. */
#define SOME_FRAME UINT64_C(0x50000000)

static int on_where(void *ctx, uint64_t badge, uint64_t *out_va)
{
    (void)ctx;
    (void)badge;
    *out_va = SECRET_VA;
    return 0;
}

static int on_check(void *ctx, uint64_t badge, uint64_t *out_intact)
{
    (void)ctx;
    (void)badge;
    const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)SECRET_VA;
    uint64_t intact = 0;
    for (unsigned i = 0; i < PAGE_WORDS; i++)
        intact += w[i] == SECRET + i;
    *out_intact = intact;
    return 0;
}

static const memsecret_handlers_t secret_handlers = {
    .where = on_where,
    .check = on_check,
};

int role_secret(void)
{
    test_t t = { "mem-isolation-read", 0 };
    uint64_t tables = 0;
    int rc =
        memtest_map_pattern(SLOT_PAGER, SECRET_VA, SECRET, AK_PROT_READ | AK_PROT_WRITE, &tables);
    if (rc != 0) {
        test_fail(&t, "%s cannot have its secret mapped: map_pattern returned %d", prog_name(), rc);
        return 1;
    }
    expect_pattern(&t, SECRET_VA, SECRET);
    if (t.failures)
        return 1;
    ak_msg_t m;
    int64_t badge = ak_ipc_recv(SLOT_SECRET, &m);
    while (badge >= 0) {
        memsecret_dispatch(&secret_handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        badge = ak_ipc_reply_recv(SLOT_SECRET, &m);
    }
    printf("%s: receive failed: %ld\n", prog_name(), (long)badge);
    return 1;
}

/* Fails t unless the secret page of B is entirely intact. */
static void expect_secret_intact(test_t *t, const char *after)
{
    uint64_t intact = 0;
    int rc = memsecret_check(SLOT_SECRET, &intact);
    if (rc != 0)
        test_fail(t, "memsecret check returned %d", rc);
    else if (intact != PAGE_WORDS)
        test_fail(t, "after %s, %lu of %lu words of the secret are intact", after,
                  (unsigned long)intact, (unsigned long)PAGE_WORDS);
}

static bool test_read(uint64_t va)
{
    test_t t = { "mem-isolation-read", 0 };
    fault_record_t before, after;
    if (last_fault(&t, &before)) {
        static const unsigned probes[] = { 0, 7, PAGE_WORDS - 1 };
        uint64_t first_pc = 0;
        for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++) {
            uint64_t pc;
            uint64_t v = load_word(va + probes[i] * sizeof(uint64_t), &pc);
            if (i == 0)
                first_pc = pc;
            if (v == SECRET + probes[i])
                test_fail(&t, "read the secret 0x%lx at 0x%lx", (unsigned long)v,
                          (unsigned long)(va + probes[i] * sizeof(uint64_t)));
            else if (v != 0)
                test_fail(&t, "read 0x%lx at 0x%lx, want 0 from its own fresh page",
                          (unsigned long)v, (unsigned long)(va + probes[i] * sizeof(uint64_t)));
        }
        if (last_fault(&t, &after))
            expect_fault(&t, &after, before.count + 1, va, first_pc, AK_ACCESS_READ,
                         ESR_FSC_TRANSLATION);
    }
    return test_end(&t);
}

static bool test_write(uint64_t va)
{
    test_t t = { "mem-isolation-write", 0 };
    volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)va;
    for (unsigned i = 0; i < PAGE_WORDS; i++)
        w[i] = SPY_VALUE + i;
    expect_pattern(&t, va, SPY_VALUE);
    expect_secret_intact(&t, "the spy wrote its own page at the same address");
    /* The pager both share acts on its caller's address space, known by badge. */
    test_expect(&t, "memtest unmap of that VA through the shared pager",
                memtest_unmap(SLOT_PAGER, va, 1), 0);
    expect_secret_intact(&t, "the spy had the pager both share unmap that VA");
    return test_end(&t);
}

static bool test_no_capability(uint64_t va)
{
    test_t t = { "mem-isolation-nocap", 0 };
    static const uint64_t empty[] = { SLOT_EMPTY, AK_CAP_SLOTS - 1, AK_CAP_SLOTS };
    for (unsigned i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        uint64_t s = empty[i], pa;
        uint32_t prot;
        uint8_t level;
        uint64_t table_va;
        test_expect(&t, "aspace_query on an empty slot", aspace_query(s, va, &pa, &prot),
                    -AK_EBADF);
        test_expect(&t, "aspace_unmap on an empty slot", aspace_unmap(s, va, 1), -AK_EBADF);
        test_expect(&t, "aspace_protect on an empty slot",
                    aspace_protect(s, va, 1, AK_PROT_READ | AK_PROT_WRITE), -AK_EBADF);
        test_expect(&t, "aspace_map on an empty slot",
                    aspace_map(s, va, SOME_FRAME, AK_PROT_READ, &level, &table_va), -AK_EBADF);
        test_expect(&t, "aspace_table on an empty slot", aspace_table(s, va, 3, SOME_FRAME),
                    -AK_EBADF);
    }
    /* B's endpoint is no address space: the call is a message to B, which has no such method. */
    uint64_t pa;
    uint32_t prot;
    test_expect(&t, "aspace_unmap on the secret's endpoint", aspace_unmap(SLOT_SECRET, va, 1),
                -AK_ENOSYS);
    test_expect(&t, "aspace_query on the secret's endpoint",
                aspace_query(SLOT_SECRET, va, &pa, &prot), -AK_ENOSYS);
    expect_secret_intact(&t, "the spy's aspace invocations");
    return test_end(&t);
}

int role_spy(void)
{
    uint64_t va = 0;
    int rc = memsecret_where(SLOT_SECRET, &va);
    if (rc != 0) {
        printf("AKTEST FAIL mem-isolation-read: memsecret where returned %d\n", rc);
        return 1;
    }
    bool passed = test_read(va);
    passed = test_write(va) && passed;
    passed = test_no_capability(va) && passed;
    return passed ? 0 : 1;
}
