/*
 * The sliding-window malloc benchmark (DESIGN.md 8): 2,000,000 allocations
 * of 8..4096 bytes, 10,000 live at a time (each new allocation frees the
 * oldest), each touched at its first and last byte.  Whatever malloc the
 * process has is measured: glibc's, one LD_PRELOADed, or one linked in.
 *
 * Sizes are uniform over [8, 4096] (mean 2052 bytes) from a fixed-seed
 * xorshift64* stream, the same in every process, so peak live bytes are
 * identical for all allocators.  A warm-up run of TOTAL allocations fills
 * the window, which then stays full: the RUNS timed runs of TOTAL
 * allocations each measure the steady state (page faults of the ramp-up
 * and the final frees are outside them), and their median is reported.  Prints the CSV rows of build/bench/results.csv:
 *   malloc-window,<variant>,ns_per_op,<v>,host ns        (one alloc + free, thread CPU time)
 *   malloc-window,<variant>,peak_rss_kb,<v>,KiB          (VmHWM of this process)
 *   malloc-window,<variant>,peak_live_kb,<v>,KiB         (requested bytes live at the peak)
 *   malloc-window,<variant>,rss_over_live,<v>,ratio
 *
 * Usage: malloc_window VARIANT [RUNS]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    TOTAL    = 2000000,
    WINDOW   = 10000,
    SIZE_MIN = 8,
    SIZE_MAX_ = 4096,
    RUNS_DEFAULT = 5,
    RUNS_MAX = 31,
};

#define SEED UINT64_C(0x853C49E6748FEA9B)

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

static void *ring[WINDOW];
static size_t ring_size[WINDOW];

/*
 * The CPU time of this thread, its page faults and system calls included:
 * time it spends descheduled (other load on a shared machine) does not
 * count, so runs agree far better than with wall time.
 */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t live_bytes, peak_bytes;
static unsigned next_slot;

/* One allocation in the window: frees the oldest block, allocates and touches a new one. */
static void step(unsigned i)
{
    unsigned slot = next_slot;
    next_slot = next_slot + 1 == WINDOW ? 0 : next_slot + 1;
    if (ring[slot] != NULL) {
        free(ring[slot]);
        live_bytes -= ring_size[slot];
    }
    size_t size = SIZE_MIN + (size_t)(rng_next() % (SIZE_MAX_ - SIZE_MIN + 1));
    unsigned char *p = malloc(size);
    if (p == NULL) {
        fprintf(stderr, "malloc_window: malloc(%zu) failed\n", size);
        exit(1);
    }
    p[0] = (unsigned char)i;
    p[size - 1] = (unsigned char)i;
    ring[slot] = p;
    ring_size[slot] = size;
    live_bytes += size;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
}

/* TOTAL allocations, each freeing the oldest of the window; returns ns per alloc+free. */
static double run(void)
{
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < TOTAL; i++)
        step(i);
    return (double)(now_ns() - t0) / TOTAL;
}

static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f != NULL)
        fclose(f);
    return kb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: malloc_window VARIANT [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : RUNS_DEFAULT;
    if (runs < 1 || runs > RUNS_MAX)
        runs = RUNS_DEFAULT;
    double ns[RUNS_MAX] = { 0 };
    rng_state = SEED;
    run();  /* warm-up: fills the window, which then stays full */
    for (int r = 0; r < runs; r++)
        ns[r] = run();
    for (unsigned i = 0; i < WINDOW; i++)
        free(ring[i]);
    qsort(ns, (size_t)runs, sizeof ns[0], cmp_double);
    long rss = vm_hwm_kb();
    double live_kb = (double)peak_bytes / 1024.0;
    printf("malloc-window,%s,ns_per_op,%.1f,host ns\n", argv[1], ns[runs / 2]);
    printf("malloc-window,%s,peak_rss_kb,%ld,KiB\n", argv[1], rss);
    printf("malloc-window,%s,peak_live_kb,%.0f,KiB\n", argv[1], live_kb);
    printf("malloc-window,%s,rss_over_live,%.3f,ratio\n", argv[1], (double)rss / live_kb);
    return 0;
}
