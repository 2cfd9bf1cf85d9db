/*
 * Page zeroing with DC ZVA (see akuma/zero.h).  DCZID_EL0 gives the block
 * size (4 << BS bytes) and whether the instruction is prohibited (DZP);
 * if it is, or the block is odd, memset does the work.
 */
#include "akuma/zero.h"

#include <stdint.h>

#include "akuma/abi/layout.h"
#include "string.h"

#define DCZID_BS_MASK 0xFu
#define DCZID_DZP     (1u << 4)

void ak_zero_page(void *page)
{
    static uint64_t block; /* bytes per DC ZVA, 0 until read, 1 if unusable */
    if (!block) {
        uint64_t id;
        __asm__ volatile("mrs %0, dczid_el0" : "=r"(id));
        uint64_t bytes = UINT64_C(4) << (id & DCZID_BS_MASK);
        block = (id & DCZID_DZP) || bytes > AK_PAGE_SIZE ? 1 : bytes;
    }
    if (block == 1) {
        memset(page, 0, AK_PAGE_SIZE);
        return;
    }
    for (char *p = page, *end = p + AK_PAGE_SIZE; p < end; p += block)
        __asm__ volatile("dc zva, %0" : : "r"(p) : "memory");
}
