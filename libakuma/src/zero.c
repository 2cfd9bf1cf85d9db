/*
 * Page zeroing with DC ZVA (see akuma/zero.h).  DCZID_EL0 gives the block
 * size (4 << BS bytes) and whether the instruction is prohibited (DZP);
 * if it is, or the block is odd, memset does the work.
 */
#include <akuma/zero.h>

#include <stdint.h>

#include <akuma/abi/layout.h>
#include <common/string.h>

#define DCZID_BS_MASK 0xFu
#define DCZID_DZP     (1u << 4)

/* Blocks cleared per round of the loop: the page is a multiple of it for any block up to 256 bytes. */
#define ZVA_UNROLL 16u

static inline void zva(char *p)
{
    __asm__ volatile("dc zva, %0" : : "r"(p) : "memory");
}

void ak_zero_page(void *page)
{
    static uint64_t block; /* bytes per DC ZVA, 0 until read, 1 if unusable */
    /* A local copy: the asm clobbers memory, so the static would be reloaded every block. */
    uint64_t b = block;
    if (!b) {
        uint64_t id;
        __asm__ volatile("mrs %0, dczid_el0" : "=r"(id));
        uint64_t bytes = UINT64_C(4) << (id & DCZID_BS_MASK);
        block = b = (id & DCZID_DZP) || bytes > AK_PAGE_SIZE ? 1 : bytes;
    }
    if (b == 1) {
        memset(page, 0, AK_PAGE_SIZE);
        return;
    }
    char *p = page, *end = p + AK_PAGE_SIZE;
    if (b <= AK_PAGE_SIZE / ZVA_UNROLL) {
        /* The usual case (64-byte blocks on the Cortex-A72): about two instructions a block. */
        for (; p < end; p += ZVA_UNROLL * b) {
            char *q = p;
            for (unsigned i = 0; i < ZVA_UNROLL; i++, q += b)
                zva(q);
        }
        return;
    }
    for (; p < end; p += b)
        zva(p);
}
