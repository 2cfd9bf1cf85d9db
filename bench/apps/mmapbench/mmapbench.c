/*
 * The cost of one page of memory from the vmm, as a program sees it: an
 * mmap of one page, a write to it, and its munmap, in a loop.  Each
 * iteration is two IPC round trips to the vmm, which in between asks the
 * kernel to map the page (zeroing it first) and later to take it back.
 *
 * Prints, per iteration (see bench/apps/ipcbench for the method):
 *     BENCH mmap,page-touch-unmap,instructions,...
 *     BENCH mmap,page-touch-unmap,ns,...
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include <akuma/counter.h>

#define PAGE   4096u
#define WARMUP 100
#define ROUNDS 10000

static int rounds(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        volatile uint8_t *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("mmapbench: mmap %u failed\n", i);
            return -1;
        }
        if (p[PAGE - 1] != 0) {
            printf("mmapbench: page %u was not zeroed\n", i);
            return -1;
        }
        p[0] = (uint8_t)i;
        if (munmap((void *)p, PAGE) != 0) {
            printf("mmapbench: munmap %u failed\n", i);
            return -1;
        }
    }
    return 0;
}

static void report(const char *metric, uint64_t total, const char *unit)
{
    uint64_t hundredths = (total * 100 + ROUNDS / 2) / ROUNDS;
    printf("BENCH mmap,page-touch-unmap,%s,%lu.%02lu,%s\n", metric, (unsigned long)(hundredths / 100),
           (unsigned long)(hundredths % 100), unit);
}

int main(void)
{
    if (rounds(WARMUP))
        return 1;
    uint64_t i0 = ak_instructions(), t0 = ak_counter();
    if (rounds(ROUNDS))
        return 1;
    uint64_t i1 = ak_instructions(), t1 = ak_counter();
    report("instructions", i1 - i0, "guest instructions");
    report("ns", (t1 - t0) * 1000000000u / ak_counter_freq(), "host ns");
    return 0;
}
