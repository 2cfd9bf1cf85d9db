/*
 * allocstress: the test that exposed the seed system's virtual-address
 * exhaustion.  It makes a long run of small allocations, each touched and
 * freed soon after (a few stay live, as strings and vectors do in a real
 * program), and reports progress every 10,000.  With a vmm that never
 * reuses address space and one page per allocation (VMM=vmm-bump
 * MALLOC=page), it runs out after 196,320; with free regions recycled, or
 * with the chunk allocator, it reaches 2,000,000.
 *
 * Two workloads: `mixed` (the default) as above, sizes 16..2048 with 8
 * live; `strings`, as the original ran it: one short string, "stress",
 * allocated, written and freed at once, COUNT times.
 *
 * Usage: allocstress [COUNT [LABEL [mixed|strings]]]   (default 2,000,000; LABEL - prints no BENCH line)
 * With a LABEL it also prints, for make bench, the cost per allocation as
 * "BENCH allocstress,LABEL,instructions_per_alloc,..." (the PMU cycle
 * counter: guest instructions under QEMU -icount) and ns_per_alloc.
 * Prints "Allocations: <n> (actual count: <m>)" every 10,000, where n is
 * the allocations made by this loop and m the allocator's own count of
 * allocating calls; an allocator that runs out prints OUT OF MEMORY! with
 * its counters and ends the program with status -1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/counter.h>
#include <akuma/malloc.h>

#define DEFAULT_COUNT  2000000u
#define REPORT_EVERY   10000u
#define LIVE           8u      /* allocations alive at once, oldest freed first */
#define MIN_SIZE       16u
#define MAX_SIZE       2048u
#define STRING         "stress"
#define STRING_LEN     (sizeof STRING - 1)

/* The string's bytes, aligned as malloc's blocks are, so that copying them takes two stores. */
static const _Alignas(16) char string_bytes[] = STRING;

/* Where each string goes before it is freed, so that the compiler keeps the allocation. */
static char *volatile last_string;

static uint64_t parse(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

/* Groups digits by thousands: 2000000 -> "2,000,000". */
static const char *grouped(uint64_t v, char *buf, size_t n)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%lu", (unsigned long)v);
    size_t o = 0;
    for (int i = 0; i < len && o + 1 < n; i++) {
        if (i && (len - i) % 3 == 0 && o + 2 < n)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static void report(uint64_t n)
{
    ak_malloc_stats_t st;
    ak_malloc_stats(&st);
    printf("Allocations: %lu (actual count: %lu)\n", (unsigned long)n, (unsigned long)st.alloc_count);
}

/* The original's loop: a short string made and dropped.  Returns 0, or 1 if malloc failed. */
static int strings(uint64_t count)
{
    for (uint64_t n = 1; n <= count; n++) {
        char *p = malloc(STRING_LEN);
        if (!p) {
            printf("allocstress: allocation %lu of a string failed\n", (unsigned long)n);
            return 1;
        }
        __builtin_memcpy(__builtin_assume_aligned(p, 16), string_bytes, STRING_LEN);
        last_string = p;
        free(p);
        if (n % REPORT_EVERY == 0)
            report(n);
    }
    return 0;
}

/*
 * The mixed workload: sizes 16..2048, each touched at both ends, LIVE
 * alive at once, the oldest freed first.  Returns 0, or 1 if malloc failed.
 */
static int mixed(uint64_t count)
{
    char *live[LIVE] = { 0 };
    uint32_t seed = 12345;
    int failed = 0;
    for (uint64_t n = 1; n <= count; n++) {
        seed = seed * 1103515245u + 12345u;
        size_t size = MIN_SIZE + (seed >> 8) % (MAX_SIZE - MIN_SIZE + 1);
        char *p = malloc(size);
        if (!p) {
            printf("allocstress: allocation %lu of %lu bytes failed\n", (unsigned long)n,
                   (unsigned long)size);
            failed = 1;
            break;
        }
        p[0] = (char)n;
        p[size - 1] = (char)(n >> 8);
        unsigned slot = (unsigned)(n % LIVE);
        free(live[slot]);
        live[slot] = p;
        if (n % REPORT_EVERY == 0)
            report(n);
    }
    for (unsigned i = 0; i < LIVE; i++)
        free(live[i]);
    return failed;
}

int main(int argc, char **argv)
{
    uint64_t count = argc > 1 ? parse(argv[1]) : DEFAULT_COUNT;
    const char *label = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    const char *workload = argc > 3 ? argv[3] : "mixed";
    int (*run)(uint64_t);
    if (strcmp(workload, "mixed") == 0) {
        run = mixed;
    } else if (strcmp(workload, "strings") == 0) {
        run = strings;
    } else {
        printf("allocstress: unknown workload %s (mixed or strings)\n", workload);
        return 2;
    }

    printf("allocstress: starting virtual address exhaustion test\n");
    uint64_t i0 = ak_instructions(), t0 = ak_counter();
    if (run(count) != 0)
        return 1;
    uint64_t i1 = ak_instructions(), t1 = ak_counter();
    if (label != NULL && count) {
        uint64_t per = (i1 - i0) / count;
        uint64_t ns = (t1 - t0) * 1000 / (ak_counter_freq() / 1000000) / count;
        printf("BENCH allocstress,%s,instructions_per_alloc,%lu,guest instructions\n", label,
               (unsigned long)per);
        printf("BENCH allocstress,%s,ns_per_alloc,%lu,host ns\n", label, (unsigned long)ns);
    }
    char buf[32];
    printf("allocstress: reached %s allocations without failure!\n", grouped(count, buf, sizeof buf));
    printf("allocstress: done\n");
    return 0;
}
