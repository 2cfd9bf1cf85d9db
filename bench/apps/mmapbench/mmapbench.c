/*
 * The cost of one page of memory from the vmm, as a program sees it: an
 * mmap of one page, a read and a write of it, and its munmap, in a loop.
 *
 *   page-touch-unmap      the default mmap, lazy: the first touch faults,
 *                         the vmm maps a zeroed frame and resumes the
 *                         program; three round trips to the vmm
 *   populate-touch-unmap  MAP_POPULATE: the frame is mapped by the mmap;
 *                         two round trips
 *   64k-touch-unmap       16 pages with MAP_POPULATE, each read and
 *                         written, then unmapped: two round trips, and in
 *                         the vmm one range invocation each way; the
 *                         figures are per page
 *
 * Usage: mmapbench [VARIANT]   (default page-touch-unmap)
 * Prints, per iteration (per page for 64k-touch-unmap) (see bench/apps/ipcbench for the method):
 *     BENCH mmap,VARIANT,instructions,...
 *     BENCH mmap,VARIANT,ns,...
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <akuma/counter.h>

#define PAGE   4096u
#define WARMUP 100
#define ROUNDS 10000

static const char *variant = "page-touch-unmap";
static int flags = MAP_PRIVATE | MAP_ANONYMOUS;
static size_t pages = 1;  /* per mapping */

static int rounds(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        volatile uint8_t *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);
        if (p == MAP_FAILED) {
            printf("mmapbench: mmap %u failed\n", i);
            return -1;
        }
        for (size_t k = 0; k < pages; k++) {
            if (p[k * PAGE + PAGE - 1] != 0) {
                printf("mmapbench: page %lu of mapping %u was not zeroed\n", (unsigned long)k, i);
                return -1;
            }
            p[k * PAGE] = (uint8_t)i;
        }
        if (munmap((void *)p, pages * PAGE) != 0) {
            printf("mmapbench: munmap %u failed\n", i);
            return -1;
        }
    }
    return 0;
}

static void report(const char *metric, uint64_t total, const char *unit)
{
    uint64_t per = (uint64_t)ROUNDS * pages;
    uint64_t hundredths = (total * 100 + per / 2) / per;
    printf("BENCH mmap,%s,%s,%lu.%02lu,%s\n", variant, metric, (unsigned long)(hundredths / 100),
           (unsigned long)(hundredths % 100), unit);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "populate-touch-unmap")) {
        variant = argv[1];
        flags |= MAP_POPULATE;
    } else if (argc > 1 && !strcmp(argv[1], "64k-touch-unmap")) {
        variant = argv[1];
        flags |= MAP_POPULATE;
        pages = 16;
    }
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
