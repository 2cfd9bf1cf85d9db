/*
 * The helpers every memclient role shares (see memclient.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include <akuma/abi/pager.h>
#include <akuma/sys.h>
#include <idl/memtest_client.h>

#include "memclient.h"

void test_fail(test_t *t, const char *why_fmt, ...)
{
    va_list ap;
    va_start(ap, why_fmt);
    printf("AKTEST FAIL %s: ", t->name);
    vprintf(why_fmt, ap);
    printf("\n");
    va_end(ap);
    t->failures++;
}

void test_expect(test_t *t, const char *what, int64_t got, int64_t want)
{
    if (got != want)
        test_fail(t, "%s returned %ld, want %ld", what, (long)got, (long)want);
}

bool test_end(const test_t *t)
{
    if (t->failures == 0)
        printf("AKTEST PASS %s\n", t->name);
    return t->failures == 0;
}

void expect_pattern(test_t *t, uint64_t va, uint64_t pattern)
{
    const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)va;
    for (unsigned i = 0; i < PAGE_WORDS; i++) {
        uint64_t v = w[i];
        if (v != pattern + i) {
            test_fail(t, "word %u of the page at 0x%lx holds 0x%lx, want 0x%lx", i,
                      (unsigned long)va, (unsigned long)v, (unsigned long)(pattern + i));
            return;
        }
    }
}

uint64_t load_word(uint64_t va, uint64_t *pc)
{
    uint64_t value, at;
    __asm__ volatile("adr %1, 1f\n"
                     "1: ldr %0, [%2]"
                     : "=&r"(value), "=&r"(at)
                     : "r"(va)
                     : "memory");
    *pc = at;
    return value;
}

void store_word(uint64_t va, uint64_t value, uint64_t *pc)
{
    uint64_t at;
    __asm__ volatile("adr %0, 1f\n"
                     "1: str %1, [%2]"
                     : "=&r"(at)
                     : "r"(value), "r"(va)
                     : "memory");
    *pc = at;
}

bool last_fault(test_t *t, fault_record_t *f)
{
    int rc = memtest_last_fault(SLOT_PAGER, &f->far, &f->esr, &f->elr, &f->access, &f->count);
    if (rc != 0) {
        test_fail(t, "memtest last_fault returned %d", rc);
        return false;
    }
    return true;
}

void expect_fault(test_t *t, const fault_record_t *f, uint64_t count, uint64_t far, uint64_t elr,
                  uint8_t access, unsigned fsc)
{
    if (f->count != count) {
        test_fail(t, "the pager received %lu faults from %s, want %lu", (unsigned long)f->count,
                  prog_name(), (unsigned long)count);
        return;
    }
    unsigned ec = (unsigned)(f->esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
    unsigned want_ec = access == AK_ACCESS_EXEC ? ESR_EC_IABT_LOWER : ESR_EC_DABT_LOWER;
    bool wnr = (f->esr & ESR_ISS_WNR) != 0;
    if (f->far != far)
        test_fail(t, "fault address 0x%lx, want 0x%lx", (unsigned long)f->far, (unsigned long)far);
    if (f->elr != elr)
        test_fail(t, "fault pc 0x%lx, want 0x%lx", (unsigned long)f->elr, (unsigned long)elr);
    if (f->access != access)
        test_fail(t, "fault access %u, want %u", f->access, access);
    if (ec != want_ec)
        test_fail(t, "ESR 0x%lx: exception class 0x%x, want 0x%x", (unsigned long)f->esr, ec,
                  want_ec);
    else if (ec == ESR_EC_DABT_LOWER && wnr != (access == AK_ACCESS_WRITE))
        test_fail(t, "ESR 0x%lx: write bit %d for access %u", (unsigned long)f->esr, wnr, access);
    if ((f->esr & ESR_FSC_MASK) != fsc)
        test_fail(t, "ESR 0x%lx: fault status 0x%lx, want 0x%x", (unsigned long)f->esr,
                  (unsigned long)(f->esr & ESR_FSC_MASK), fsc);
}

const char *prog_name(void)
{
    return ak_bootinfo()->name;
}
