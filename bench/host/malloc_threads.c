/*
 * The threaded malloc benchmark: threads that allocate blocks and hand
 * them to each other to free, so that nearly every free is of a block
 * another thread allocated (a producer/consumer pipeline).  Thread i
 * allocates a block (mostly 16..1024 bytes, 5% mid-sized, 4 KiB..8 KiB)
 * and writes it; every BATCH blocks it pushes the batch on the ring of
 * thread i+1 (mod THREADS), then pops a batch from its own ring, checks
 * its blocks and frees them.  Batches, as a work queue of real programs
 * would pass them, keep the ring's own cache traffic out of the figure:
 * handing over one block per slot cost every allocator more than its
 * malloc and free (mimalloc ~100 ns per operation that way against ~75
 * batched).  A ring is a bounded single-producer single-consumer queue
 * with C11 atomics, so the benchmark itself takes no lock: what
 * serialises, the allocator does.  A thread never waits for the other:
 * when the next ring is full (its consumer is behind, or not running on
 * this shared machine) it frees the batch itself, and the run reports the
 * fraction that was handed over.
 *
 * It runs the same work with one thread (its ring is its own: every free
 * is local) and with two, and prints the CSV rows of results.csv:
 *   malloc-threads,<variant>,ns_per_op,<v>,host ns      (two threads: wall time
 *                                                        per alloc+free, all threads' ops counted)
 *   malloc-threads,<variant>,ns_per_op_1thread,<v>,host ns
 *   malloc-threads,<variant>,scaling,<v>,ratio          (throughput of two / of one)
 *   malloc-threads,<variant>,cross_thread_frees,<v>,ratio (blocks freed by the other thread)
 *   malloc-threads,<variant>,peak_rss_kb,<v>,KiB
 * Each is the median of RUNS runs.
 *
 * Usage: malloc_threads VARIANT [RUNS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    OPS = 1000000,        /* allocations per thread per run */
    BATCH = 64,           /* blocks handed over at once */
    RING = 256,           /* batches; a power of two */
    THREADS_MAX = 2,
    RUNS_DEFAULT = 5,
    RUNS_MAX = 31,
};
_Static_assert(OPS % BATCH == 0, "a run ends with no batch half filled");

typedef struct {
    _Alignas(64) _Atomic size_t head;  /* written by the consumer */
    _Alignas(64) _Atomic size_t tail;  /* written by the producer */
    _Alignas(64) unsigned char *slot[RING][BATCH];
} ring_t;

typedef struct {
    _Alignas(64) unsigned id;  /* each worker on cache lines of its own: no false sharing */
    unsigned threads;
    ring_t *mine, *next;
    uint64_t rng;
    uint64_t handed;  /* blocks that went to the next thread's ring */
    unsigned char *cur[BATCH];
    unsigned ncur;
    _Alignas(64) char end[1];  /* the next worker starts on a line of its own */
} worker_t;

static ring_t rings[THREADS_MAX];

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

static void release(unsigned char *p)
{
    if (p[1] != (unsigned char)(p[0] * 7u)) {
        fprintf(stderr, "malloc_threads: a block was damaged\n");
        exit(1);
    }
    free(p);
}

/* Hands a batch to r's thread; returns 0 if r is full. */
static int push(ring_t *r, unsigned char *const *batch)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t - atomic_load_explicit(&r->head, memory_order_acquire) == RING)
        return 0;
    memcpy(r->slot[t % RING], batch, sizeof r->slot[0]);
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
    return 1;
}

/* Frees the blocks of the oldest batch of r; returns 0 if r is empty. */
static int pop(ring_t *r)
{
    size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (h == atomic_load_explicit(&r->tail, memory_order_acquire))
        return 0;
    for (unsigned i = 0; i < BATCH; i++)
        release(r->slot[h % RING][i]);
    atomic_store_explicit(&r->head, h + 1, memory_order_release);
    return 1;
}

static void *work(void *arg)
{
    worker_t *w = arg;
    for (unsigned i = 0; i < OPS; i++) {
        uint64_t r = rng_next(&w->rng);
        size_t n = r % 100 < 5 ? 4096 + (size_t)(r >> 8) % 4097 : 16 + (size_t)(r >> 8) % 1009;
        unsigned char *p = malloc(n);
        if (p == NULL) {
            fprintf(stderr, "malloc_threads: malloc(%zu) failed\n", n);
            exit(1);
        }
        p[0] = (unsigned char)r;
        p[1] = (unsigned char)(p[0] * 7u);
        p[n - 1] = 1;
        w->cur[w->ncur++] = p;
        if (w->ncur == BATCH) {
            if (push(w->next, w->cur))
                w->handed += BATCH;
            else
                for (unsigned j = 0; j < BATCH; j++)
                    release(w->cur[j]);  /* the next thread is behind (or not running): no waiting */
            w->ncur = 0;
            pop(w->mine);
        }
    }
    return NULL;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * One run with `threads` threads; returns wall ns per allocation+free, and
 * in *handed the fraction of blocks handed to another thread to free.
 */
static double run(unsigned threads, uint64_t seed, double *handed)
{
    pthread_t t[THREADS_MAX];
    worker_t w[THREADS_MAX];
    for (unsigned i = 0; i < threads; i++)
        w[i] = (worker_t){ i, threads, &rings[i], &rings[(i + 1) % threads], seed + (uint64_t)i * 7919u, 0, { 0 }, 0, { 0 } };
    double t0 = now_ns();
    for (unsigned i = 0; i < threads; i++)
        if (pthread_create(&t[i], NULL, work, &w[i]) != 0) {
            fprintf(stderr, "malloc_threads: pthread_create failed\n");
            exit(1);
        }
    for (unsigned i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double ns = (now_ns() - t0) / ((double)threads * OPS);
    uint64_t sum = 0;
    for (unsigned i = 0; i < threads; i++)
        sum += w[i].handed;
    *handed = (double)sum / ((double)threads * OPS);
    for (unsigned i = 0; i < threads; i++)
        while (pop(&rings[i]))
            ;
    return ns;
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
        fprintf(stderr, "usage: malloc_threads VARIANT [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : RUNS_DEFAULT;
    if (runs < 1 || runs > RUNS_MAX)
        runs = RUNS_DEFAULT;
    double one[RUNS_MAX] = { 0 }, two[RUNS_MAX] = { 0 }, handed[RUNS_MAX] = { 0 }, ignored;
    run(2, 1, &ignored);  /* warm-up */
    for (int r = 0; r < runs; r++) {
        one[r] = run(1, 100u + (unsigned)r, &ignored);
        two[r] = run(2, 200u + (unsigned)r, &handed[r]);
    }
    qsort(one, (size_t)runs, sizeof one[0], cmp_double);
    qsort(two, (size_t)runs, sizeof two[0], cmp_double);
    qsort(handed, (size_t)runs, sizeof handed[0], cmp_double);
    double o = one[runs / 2], t = two[runs / 2];
    printf("malloc-threads,%s,ns_per_op,%.1f,host ns\n", argv[1], t);
    printf("malloc-threads,%s,ns_per_op_1thread,%.1f,host ns\n", argv[1], o);
    printf("malloc-threads,%s,scaling,%.2f,ratio\n", argv[1], o / t);
    printf("malloc-threads,%s,cross_thread_frees,%.2f,ratio\n", argv[1], handed[runs / 2]);
    printf("malloc-threads,%s,peak_rss_kb,%ld,KiB\n", argv[1], vm_hwm_kb());
    return 0;
}
