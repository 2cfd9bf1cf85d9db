/*
 * Role "faults" (program memapp of mem-pager): the pager maps and unmaps
 * pages at this process's request, and each fault reaches the pager with
 * the right address, instruction, kind and fault status.
 *
 *   mem-map-pattern  a frame the pager filled appears at the address asked,
 *                    with the translation tables the kernel asked for
 *                    (one table in the mmap area, two at 64 GiB)
 *   mem-unmap-gone   after an unmap request the page is gone: reading it
 *                    faults, and the page the pager then maps is fresh
 *   mem-fault-read   that fault as the pager saw it: FAR, ELR, read
 *   mem-fault-write  a write to an unmapped page faults as a write, and is
 *                    retried into the page the pager maps
 *   mem-fault-exec   a call into an unmapped page faults as an exec, and
 *                    runs the code page the pager maps
 *
 * Slot 1: the memtest endpoint of mempager, which is also its pager.
 */
#include <stdio.h>

#include <akuma/abi/mman.h>
#include <akuma/abi/pager.h>
#include <idl/memtest_client.h>

#include "memclient.h"

#define VA_PATTERN   AK_USER_MMAP_MIN       /* needs a level-3 table */
#define VA_HIGH      UINT64_C(0x1000000000) /* 64 GiB: needs level-2 and level-3 tables */
#define VA_WRITE     (AK_USER_MMAP_MIN + UINT64_C(0x200000))
#define VA_EXEC      (AK_USER_MMAP_MIN + UINT64_C(0x400000))
#define READ_OFFSET  UINT64_C(0x18) /* faults are reported at the byte, not the page */
#define WRITE_OFFSET UINT64_C(0x20)

#define PATTERN_LOW  UINT64_C(0x1111000000000000)
#define PATTERN_HIGH UINT64_C(0x2222000000000000)
#define WRITTEN      UINT64_C(0x5EED5EED5EED5EED)

static bool test_map_pattern(void)
{
    test_t t = { "mem-map-pattern", 0 };
    uint64_t tables = 0;
    int rc = memtest_map_pattern(SLOT_PAGER, VA_PATTERN, PATTERN_LOW, AK_PROT_READ | AK_PROT_WRITE,
                                 &tables);
    test_expect(&t, "map_pattern in the mmap area", rc, 0);
    if (rc == 0) {
        test_expect(&t, "tables supplied for the mmap area", (int64_t)tables, 1);
        expect_pattern(&t, VA_PATTERN, PATTERN_LOW);
    }
    tables = 0;
    rc = memtest_map_pattern(SLOT_PAGER, VA_HIGH, PATTERN_HIGH, AK_PROT_READ, &tables);
    test_expect(&t, "map_pattern at 64 GiB", rc, 0);
    if (rc == 0) {
        test_expect(&t, "tables supplied at 64 GiB", (int64_t)tables, 2);
        expect_pattern(&t, VA_HIGH, PATTERN_HIGH);
    }
    return test_end(&t);
}

static bool test_unmap_then_read(void)
{
    test_t gone = { "mem-unmap-gone", 0 }, fault = { "mem-fault-read", 0 };
    fault_record_t before, after;
    int rc = memtest_unmap(SLOT_PAGER, VA_PATTERN, 1);
    test_expect(&gone, "unmap", rc, 0);
    if (rc != 0 || !last_fault(&gone, &before)) {
        test_fail(&fault, "no read fault could be made (unmap returned %d)", rc);
    } else {
        uint64_t pc;
        uint64_t v = load_word(VA_PATTERN + READ_OFFSET, &pc);
        if (v == PATTERN_LOW + READ_OFFSET / sizeof(uint64_t))
            test_fail(&gone, "read the old pattern 0x%lx after the unmap: a stale translation",
                      (unsigned long)v);
        else if (v != 0)
            test_fail(&gone, "read 0x%lx from the pager's fresh page, want 0", (unsigned long)v);
        if (!last_fault(&gone, &after)) {
            test_fail(&fault, "no fault record from the pager");
        } else {
            if (after.count != before.count + 1)
                test_fail(&gone, "the read of the unmapped page did not fault (faults %lu -> %lu)",
                          (unsigned long)before.count, (unsigned long)after.count);
            expect_fault(&fault, &after, before.count + 1, VA_PATTERN + READ_OFFSET, pc,
                         AK_ACCESS_READ, ESR_FSC_TRANSLATION);
        }
    }
    bool passed = test_end(&gone);
    return test_end(&fault) && passed;
}

static bool test_write_fault(void)
{
    test_t t = { "mem-fault-write", 0 };
    fault_record_t before, after;
    if (last_fault(&t, &before)) {
        uint64_t pc;
        store_word(VA_WRITE + WRITE_OFFSET, WRITTEN, &pc);
        const volatile uint64_t *page = (const volatile uint64_t *)(uintptr_t)VA_WRITE;
        uint64_t back = page[WRITE_OFFSET / sizeof(uint64_t)];
        if (back != WRITTEN)
            test_fail(&t, "read back 0x%lx after the write, want 0x%lx", (unsigned long)back,
                      (unsigned long)WRITTEN);
        for (unsigned i = 0; i < PAGE_WORDS; i++) {
            if (i != WRITE_OFFSET / sizeof(uint64_t) && page[i] != 0) {
                test_fail(&t, "the pager's fresh page holds 0x%lx at 0x%lx, want 0",
                          (unsigned long)page[i], (unsigned long)(VA_WRITE + i * sizeof(uint64_t)));
                break;
            }
        }
        if (last_fault(&t, &after))
            expect_fault(&t, &after, before.count + 1, VA_WRITE + WRITE_OFFSET, pc, AK_ACCESS_WRITE,
                         ESR_FSC_TRANSLATION);
    }
    return test_end(&t);
}

typedef unsigned stub_fn(void);

static bool test_exec_fault(void)
{
    test_t t = { "mem-fault-exec", 0 };
    fault_record_t before, after;
    if (last_fault(&t, &before)) {
        stub_fn *stub = (stub_fn *)(uintptr_t)VA_EXEC;
        unsigned r = stub();
        if (r != STUB_RESULT)
            test_fail(&t, "the pager's code page returned %u, want %u", r, STUB_RESULT);
        if (last_fault(&t, &after))
            expect_fault(&t, &after, before.count + 1, VA_EXEC, VA_EXEC, AK_ACCESS_EXEC,
                         ESR_FSC_TRANSLATION);
    }
    return test_end(&t);
}

int role_faults(void)
{
    bool passed = test_map_pattern();
    passed = test_unmap_then_read() && passed;
    passed = test_write_fault() && passed;
    passed = test_exec_fault() && passed;
    return passed ? 0 : 1;
}
