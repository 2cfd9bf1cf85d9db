/*
 * Writes the kernel's text on purpose.  With the kernel's W^X map
 * (kmap.c) the store is a permission fault and the kernel panics, naming
 * the written address.
 */
#include <ukernel/ktest.h>
#include <ukernel/types.h>

void wtext_target(void);
void __attribute__((noinline)) wtext_target(void)
{
    __asm__ volatile("");
}

KTEST(kpanic_wtext)
{
    volatile uint32_t *text = (volatile uint32_t *)(uintptr_t)wtext_target;
    *text = UINT32_C(0xD503201F); /* nop */
    ktest_fail("kpanic-wtext", "the kernel wrote its own text");
}
