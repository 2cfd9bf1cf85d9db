/*
 * Runs data on purpose: a `ret` instruction copied into .data and called.
 * With the kernel's W^X map (kmap.c) the fetch is a permission fault and
 * the kernel panics; without it the call would return.
 */
#include <ukernel/ktest.h>
#include <ukernel/types.h>

#define A64_RET UINT32_C(0xD65F03C0)

static uint32_t code_in_data[4] __attribute__((aligned(16))) = { A64_RET };

KTEST(kpanic_exec)
{
    void (*fn)(void) = (void (*)(void))(uintptr_t)code_in_data;
    __asm__ volatile("" : "+r"(fn)); /* the compiler may not see through it */
    fn();
    ktest_fail("kpanic-exec", "the kernel ran an instruction from its .data");
}
