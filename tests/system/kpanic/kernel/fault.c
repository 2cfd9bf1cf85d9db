/*
 * Faults on purpose: a write through an address that no table maps.
 * The report must name fault_on_purpose as the faulting function and
 * kpanic_write as the caller.
 */
#include <ukernel/ktest.h>
#include <ukernel/types.h>

void fault_on_purpose(volatile uint64_t *p, uint64_t v);
void __attribute__((noinline)) fault_on_purpose(volatile uint64_t *p, uint64_t v)
{
    p[1] = v;
    __asm__ volatile("" ::: "memory");
}

KTEST(kpanic_write)
{
    fault_on_purpose((volatile uint64_t *)UINT64_C(0xdead0000), 0x123);
    ktest_fail("kpanic-write", "the write to an unmapped address did not fault");
}
