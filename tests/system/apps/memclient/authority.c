/*
 * Roles about authority that a process does not have.
 *
 * "forge" (memforge): mem-forged-kmsg.  A process cannot speak for the
 *   kernel: its badge on the pager's endpoint never has AK_PAGER_BADGE_BIT
 *   (mkimage refuses such a badge: tests/unit/mkimage), so START, FAULT and
 *   EXIT messages it sends by hand (deliberately not through a stub) are
 *   answered AK_EPERM by the pager's generated dispatch, no handler runs
 *   (the pager's forgery count stays 0, and no fault is recorded for it),
 *   and the pager keeps serving.  A slot number with the bit set is just a
 *   slot out of range.
 * "nocap" (memnocap):
 *   mem-nocap-empty     every aspace invocation on an empty or out-of-range
 *                       slot is -AK_EBADF
 *   mem-nocap-endpoint  on an endpoint slot an aspace "invocation" is an
 *                       ordinary call to the endpoint's server (mempager),
 *                       whose dispatch has no method with that label:
 *                       -AK_ENOSYS, and nothing is mapped or unmapped.  This
 *                       is asserted, rather than a kernel error, because the
 *                       kernel decides by the slot's kind alone: a call on
 *                       an endpoint is IPC, whatever its label.
 *   mem-nophys-eperm    with an address-space capability (for itself) but
 *                       no physical-memory capability, no frame can be
 *                       mapped or supplied as a table: -AK_EPERM, both for
 *                       a frame of its own image and for free RAM
 *
 * forge: slot 1 the memtest endpoint of mempager (its pager).
 * nocap: slot 1 the memtest endpoint of mempager, slot 2 an address-space
 *   capability for itself, no physical memory, slots 0 and 3..31 empty.
 */
#include <stdio.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/pager.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>
#include <idl/memtest_client.h>

#include "memclient.h"

#define SLOT_SELF_ASPACE 2

#define FORGED_FAR (AK_USER_MMAP_MIN + UINT64_C(0x18))
#define FORGED_ESR ((uint64_t)ESR_EC_DABT_LOWER << ESR_EC_SHIFT | ESR_FSC_TRANSLATION)
#define FORGED_ELR AK_USER_IMAGE_MIN
#define PAGER_PID  1u /* mempager is program 0 of mem-pager */

/* Free RAM that the pager owns; only the capability decides the outcome. */
#define FREE_RAM_LOW  UINT64_C(0x50000000)
#define FREE_RAM_HIGH UINT64_C(0x5FFFF000)

/* Sends a message built by hand and checks that it was refused with AK_EPERM and no words. */
static void expect_forgery_refused(test_t *t, const char *what, uint64_t label,
                                   const uint64_t *words, unsigned nwords)
{
    ak_msg_t m = { ak_msginfo(label, nwords), { 0, 0, 0, 0 } };
    for (unsigned i = 0; i < nwords && i < AK_MSG_REG_WORDS; i++)
        m.w[i] = words[i];
    int64_t r = ak_ipc_call(SLOT_PAGER, &m);
    if (r != 0)
        test_fail(t, "forged %s: the call returned %ld", what, (long)r);
    else if (ak_msginfo_label(m.info) != AK_EPERM || ak_msginfo_len(m.info) != 0)
        test_fail(t, "forged %s answered label %lu with %lu words, want AK_EPERM (%d) and none",
                  what, (unsigned long)ak_msginfo_label(m.info),
                  (unsigned long)ak_msginfo_len(m.info), AK_EPERM);
}

int role_forge(void)
{
    test_t t = { "mem-forged-kmsg", 0 };
    uint32_t pid = ak_bootinfo()->pid;
    const uint64_t start[AK_PAGER_START_WORDS] = { pid };
    uint64_t fault[AK_PAGER_FAULT_WORDS];
    fault[AK_FAULT_W_FAR] = FORGED_FAR;
    fault[AK_FAULT_W_ESR] = FORGED_ESR;
    fault[AK_FAULT_W_ELR] = FORGED_ELR;
    fault[AK_FAULT_W_ACCESS] = AK_ACCESS_READ;
    const uint64_t exit_pager[AK_PAGER_EXIT_WORDS] = { PAGER_PID, 0 };
    const uint64_t exit_self[AK_PAGER_EXIT_WORDS] = { pid, 0 };

    expect_forgery_refused(&t, "START", AK_PAGER_START, start, AK_PAGER_START_WORDS);
    expect_forgery_refused(&t, "FAULT", AK_PAGER_FAULT, fault, AK_PAGER_FAULT_WORDS);
    expect_forgery_refused(&t, "EXIT of the pager", AK_PAGER_EXIT, exit_pager, AK_PAGER_EXIT_WORDS);
    expect_forgery_refused(&t, "EXIT of itself", AK_PAGER_EXIT, exit_self, AK_PAGER_EXIT_WORDS);

    /* A one-way send gets no answer; only the pager's count can tell. */
    ak_msg_t m = { ak_msginfo(AK_PAGER_EXIT, AK_PAGER_EXIT_WORDS), { PAGER_PID, 0, 0, 0 } };
    test_expect(&t, "send of a forged EXIT", ak_ipc_send(SLOT_PAGER, &m), 0);

    m = (ak_msg_t){ ak_msginfo(AK_PAGER_FAULT, AK_PAGER_FAULT_WORDS),
                    { FORGED_FAR, FORGED_ESR, FORGED_ELR, AK_ACCESS_READ } };
    test_expect(&t, "call on a slot with the badge bit",
                ak_ipc_call(AK_PAGER_BADGE_BIT | SLOT_PAGER, &m), -AK_EBADF);

    uint64_t handled = 1;
    test_expect(&t, "memtest forgeries", memtest_forgeries(SLOT_PAGER, &handled), 0);
    if (handled != 0)
        test_fail(&t, "the pager ran a kernel-message handler %lu times for forged messages",
                  (unsigned long)handled);
    fault_record_t f;
    if (last_fault(&t, &f) && f.count != 0)
        test_fail(&t, "the pager recorded %lu faults of %s, which never faulted",
                  (unsigned long)f.count, prog_name());
    return test_end(&t) ? 0 : 1;
}

static bool test_empty_slots(void)
{
    test_t t = { "mem-nocap-empty", 0 };
    static const uint64_t slots[] = { 0, 3, AK_CAP_SLOTS - 1, AK_CAP_SLOTS, UINT64_C(1000) };
    const uint64_t va = AK_USER_MMAP_MIN;
    for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        uint64_t s = slots[i], pa;
        uint32_t prot;
        uint8_t level;
        uint64_t table_va;
        test_expect(&t, "aspace_map",
                    aspace_map(s, va, FREE_RAM_LOW, AK_PROT_READ, &level, &table_va), -AK_EBADF);
        test_expect(&t, "aspace_unmap", aspace_unmap(s, AK_USER_IMAGE_MIN, 1), -AK_EBADF);
        test_expect(&t, "aspace_query", aspace_query(s, AK_USER_IMAGE_MIN, &pa, &prot), -AK_EBADF);
        test_expect(&t, "aspace_table", aspace_table(s, va, 3, FREE_RAM_LOW), -AK_EBADF);
        test_expect(&t, "aspace_protect", aspace_protect(s, AK_USER_IMAGE_MIN, 1, AK_PROT_READ),
                    -AK_EBADF);
    }
    return test_end(&t);
}

static bool test_endpoint_slot(void)
{
    test_t t = { "mem-nocap-endpoint", 0 };
    const uint64_t va = AK_USER_MMAP_MIN;
    uint64_t pa;
    uint32_t prot;
    uint8_t level;
    uint64_t table_va;
    test_expect(&t, "aspace_map on the pager's endpoint",
                aspace_map(SLOT_PAGER, va, FREE_RAM_LOW, AK_PROT_READ, &level, &table_va),
                -AK_ENOSYS);
    test_expect(&t, "aspace_table on the pager's endpoint",
                aspace_table(SLOT_PAGER, va, 3, FREE_RAM_LOW), -AK_ENOSYS);
    test_expect(&t, "aspace_unmap of the IPC buffer on the pager's endpoint",
                aspace_unmap(SLOT_PAGER, AK_IPCBUF_VA, 1), -AK_ENOSYS);
    test_expect(&t, "aspace_query on the pager's endpoint",
                aspace_query(SLOT_PAGER, va, &pa, &prot), -AK_ENOSYS);
    /* Nothing happened to this address space. */
    test_expect(&t, "aspace_query of the page asked for",
                aspace_query(SLOT_SELF_ASPACE, va, &pa, &prot), -AK_ENOENT);
    test_expect(&t, "aspace_query of the IPC buffer",
                aspace_query(SLOT_SELF_ASPACE, AK_IPCBUF_VA, &pa, &prot), 0);
    return test_end(&t);
}

/* Read-only data of this program: its frame is boot memory. */
static const uint64_t image_word = UINT64_C(0x1A6E1A6E1A6E1A6E);

static bool test_no_physmem(void)
{
    test_t t = { "mem-nophys-eperm", 0 };
    const uint64_t va = AK_USER_MMAP_MIN;
    uint64_t image_pa = 0;
    uint32_t prot = 0;
    int rc = aspace_query(SLOT_SELF_ASPACE, (uint64_t)(uintptr_t)&image_word, &image_pa, &prot);
    test_expect(&t, "aspace_query of its own read-only data", rc, 0);
    const uint64_t frames[] = { image_pa & ~(AK_PAGE_SIZE - 1), FREE_RAM_LOW, FREE_RAM_HIGH };
    for (unsigned i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        if (i == 0 && rc != 0)
            continue;
        uint8_t level;
        uint64_t table_va;
        int got = aspace_map(SLOT_SELF_ASPACE, va, frames[i], AK_PROT_READ, &level, &table_va);
        if (got != -AK_EPERM)
            test_fail(&t, "aspace_map of frame 0x%lx returned %d, want %d",
                      (unsigned long)frames[i], got, -AK_EPERM);
        got = aspace_table(SLOT_SELF_ASPACE, va, 3, frames[i]);
        if (got != -AK_EPERM)
            test_fail(&t, "aspace_table of frame 0x%lx returned %d, want %d",
                      (unsigned long)frames[i], got, -AK_EPERM);
    }
    uint64_t pa;
    test_expect(&t, "aspace_query after the refusals",
                aspace_query(SLOT_SELF_ASPACE, va, &pa, &prot), -AK_ENOENT);
    return test_end(&t);
}

int role_nocap(void)
{
    bool passed = test_empty_slots();
    passed = test_endpoint_slot() && passed;
    passed = test_no_physmem() && passed;
    return passed ? 0 : 1;
}
