/*
 * A larson-like malloc benchmark (the second host workload beside
 * malloc_window.c): a table of SLOTS blocks in which each step frees a
 * block chosen at random and puts a new one in its place, so lifetimes are
 * geometric (most blocks die young, some live for millions of steps) and
 * blocks die in no particular order.  Sizes are a mix: 80% small (8..256
 * bytes, skewed towards the smallest, as strings and nodes are), 18% mid
 * (257..16384), 2% large (16 KiB..256 KiB, past the chunk limit for some).
 * Every block is written at its first and last byte, and at every 4 KiB
 * between (so that its pages are resident, as a program's would be, and
 * peak RSS is comparable), and checked when it is freed.  The same fixed-seed stream drives every process, so live bytes
 * are identical for all allocators.
 *
 * A warm-up of STEPS steps fills the table; RUNS timed runs of STEPS steps
 * follow and their median is reported (thread CPU time, as malloc_window
 * does).  Prints the CSV rows of build/bench/results.csv:
 *   malloc-churn,<variant>,ns_per_op,<v>,host ns        (one free + malloc)
 *   malloc-churn,<variant>,peak_rss_kb,<v>,KiB
 *   malloc-churn,<variant>,peak_live_kb,<v>,KiB
 *   malloc-churn,<variant>,rss_over_live,<v>,ratio
 *
 * Usage: malloc_churn VARIANT [RUNS]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    SLOTS = 20000,
    STEPS = 2000000,
    RUNS_DEFAULT = 5,
    RUNS_MAX = 31,
};

#define SEED UINT64_C(0x9E3779B97F4A7C15)

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

static unsigned char *slot_p[SLOTS];
static size_t slot_size[SLOTS];
static size_t live_bytes, peak_bytes;

static size_t random_size(uint64_t r)
{
    unsigned kind = (unsigned)(r % 100);
    r >>= 8;
    if (kind < 80) {
        /* 8..256, the product of two uniforms: small sizes are the most frequent */
        size_t a = 1 + (size_t)(r % 16), b = 1 + (size_t)((r >> 8) % 16);
        return 8 + (a * b - 1) * 248 / 255;
    }
    if (kind < 98)
        return 257 + (size_t)(r % (16384 - 257 + 1));
    return 16384 + (size_t)(r % (262144 - 16384 + 1));
}

static void step(uint64_t i)
{
    uint64_t r = rng_next();
    size_t k = (size_t)(r % SLOTS);
    unsigned char *old = slot_p[k];
    if (old != NULL) {
        size_t n = slot_size[k];
        if (old[0] != (unsigned char)n || old[n - 1] != (unsigned char)(n >> 3)) {
            fprintf(stderr, "malloc_churn: block of %zu bytes damaged\n", n);
            exit(1);
        }
        free(old);
        live_bytes -= n;
    }
    size_t n = random_size(rng_next());
    unsigned char *p = malloc(n);
    if (p == NULL) {
        fprintf(stderr, "malloc_churn: malloc(%zu) failed at step %llu\n", n, (unsigned long long)i);
        exit(1);
    }
    for (size_t at = 4096; at < n; at += 4096)
        p[at] = 1;
    p[0] = (unsigned char)n;
    p[n - 1] = (unsigned char)(n >> 3);
    slot_p[k] = p;
    slot_size[k] = n;
    live_bytes += n;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double run(void)
{
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < STEPS; i++)
        step(i);
    return (double)(now_ns() - t0) / STEPS;
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
        fprintf(stderr, "usage: malloc_churn VARIANT [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : RUNS_DEFAULT;
    if (runs < 1 || runs > RUNS_MAX)
        runs = RUNS_DEFAULT;
    double ns[RUNS_MAX] = { 0 };
    rng_state = SEED;
    run();  /* warm-up: fills the table */
    for (int r = 0; r < runs; r++)
        ns[r] = run();
    for (size_t k = 0; k < SLOTS; k++)
        free(slot_p[k]);
    qsort(ns, (size_t)runs, sizeof ns[0], cmp_double);
    long rss = vm_hwm_kb();
    double live_kb = (double)peak_bytes / 1024.0;
    printf("malloc-churn,%s,ns_per_op,%.1f,host ns\n", argv[1], ns[runs / 2]);
    printf("malloc-churn,%s,peak_rss_kb,%ld,KiB\n", argv[1], rss);
    printf("malloc-churn,%s,peak_live_kb,%.0f,KiB\n", argv[1], live_kb);
    printf("malloc-churn,%s,rss_over_live,%.3f,ratio\n", argv[1], (double)rss / live_kb);
    return 0;
}
