/*
 * Host benchmark of the vmm region variants (vmm/region.h; DESIGN.md 8
 * and 9): the cost of one mmap+munmap's worth of region work, one page
 * allocated and freed again, in a set that already has many holes.
 *
 * Built once per variant (bench/host/module.mk), since each variant
 * defines the same functions; region_variant names it.  For each hole
 * count it builds the set (allocate 2n pages one at a time, free every
 * other one: n one-page holes), then times batches of alloc+free pairs:
 * the median of RUNS runs of about RUN_NS each.  Prints, on stdout,
 *
 *     vmm-regions,<variant>-<holes>,ns_per_op,<ns>,host ns
 *
 * and on stderr how long each build took and how many pairs were timed.
 *
 * What each variant does per pair: the tree takes the lowest hole and
 * puts it back (O(log n)); the list takes its first entry and, to free,
 * searches every entry for overlap before appending (O(n)); bump moves
 * its pointer and forgets the page, so it has no holes and its cost
 * does not depend on n (it is measured all the same, over an area big
 * enough for every page it consumes).
 *
 * Usage: vmm_regions [MAX_HOLES]  (hole counts above MAX_HOLES are skipped)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <vmm/region.h>

#define PAGE       REGION_PAGE_SIZE
#define AREA_LO    AK_USER_MMAP_MIN
#define AREA_BYTES (UINT64_C(1) << 40)  /* 2^28 pages: bump consumes one per pair */
#define RUNS       7
#define RUN_NS     20000000.0            /* about 20 ms per run */
#define CHUNK_NODES 16384                /* nodes per slab chunk */

static const uint64_t hole_counts[] = { 1000, 10000, 100000, 1000000 };

/*
 * Nodes from malloc'd chunks with a LIFO free list, as the vmm carves them
 * from pages it maps into itself.  Chunks are freed at the end.
 */
typedef struct slab {
    void *free;               /* free list, linked through the first word */
    unsigned char *chunk;     /* the current chunk */
    size_t used;              /* nodes handed out from it */
    unsigned char **chunks;
    size_t nchunks, cap;
} slab_t;

static void *slab_alloc(void *ctx)
{
    slab_t *sl = ctx;
    if (sl->free != NULL) {
        void *n = sl->free;
        sl->free = *(void **)n;
        return n;
    }
    if (sl->chunk == NULL || sl->used == CHUNK_NODES) {
        if (sl->nchunks == sl->cap) {
            sl->cap = sl->cap != 0 ? 2 * sl->cap : 16;
            sl->chunks = realloc(sl->chunks, sl->cap * sizeof sl->chunks[0]);
            if (sl->chunks == NULL)
                return NULL;
        }
        sl->chunk = aligned_alloc(4096, (size_t)CHUNK_NODES * REGION_NODE_SIZE);
        if (sl->chunk == NULL)
            return NULL;
        sl->chunks[sl->nchunks++] = sl->chunk;
        sl->used = 0;
    }
    return sl->chunk + REGION_NODE_SIZE * sl->used++;
}

static void slab_free(void *ctx, void *node)
{
    slab_t *sl = ctx;
    *(void **)node = sl->free;
    sl->free = node;
}

static void slab_destroy(slab_t *sl)
{
    for (size_t i = 0; i < sl->nchunks; i++)
        free(sl->chunks[i]);
    free(sl->chunks);
    *sl = (slab_t){ 0 };
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, uint64_t i, int err)
{
    fprintf(stderr, "vmm_regions %s: %s failed at %llu: %d\n", region_variant, what,
            (unsigned long long)i, err);
    exit(1);
}

/* pairs alloc+free pairs; returns the ns they took. */
static double time_pairs(region_set_t *s, uint64_t pairs)
{
    double t0 = now_ns();
    for (uint64_t i = 0; i < pairs; i++) {
        uint64_t x;
        int err = region_alloc(s, PAGE, PAGE, 0, &x);
        if (err != 0)
            die("alloc", i, err);
        err = region_free(s, x, PAGE);
        if (err != 0)
            die("free", i, err);
    }
    return now_ns() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median ns per pair over RUNS runs at `holes` holes. */
static double measure(uint64_t holes)
{
    slab_t slab = { 0 };
    region_mem_t mem = { .node_alloc = slab_alloc, .node_free = slab_free, .ctx = &slab };
    region_set_t s;
    int err = region_init(&s, AREA_LO, AREA_LO + AREA_BYTES, &mem);
    if (err != 0)
        die("init", 0, err);

    double t0 = now_ns();
    for (uint64_t i = 0; i < 2 * holes; i++) {
        uint64_t x;
        err = region_alloc(&s, PAGE, PAGE, 0, &x);
        if (err != 0)
            die("build alloc", i, err);
    }
    for (uint64_t i = 0; i < holes; i++) {
        err = region_free(&s, AREA_LO + 2 * i * PAGE, PAGE);
        if (err != 0)
            die("build free", i, err);
    }
    double build_ns = now_ns() - t0;
    region_stats_t st;
    region_stats(&s, &st);

    /* Calibrate: double the batch until it takes a tenth of a run. */
    uint64_t pairs = 1;
    double t;
    while ((t = time_pairs(&s, pairs)) < RUN_NS / 10)
        pairs *= 2;
    pairs = (uint64_t)((double)pairs * RUN_NS / t) + 1;

    double ns[RUNS];
    for (int r = 0; r < RUNS; r++)
        ns[r] = time_pairs(&s, pairs) / (double)pairs;
    qsort(ns, RUNS, sizeof ns[0], cmp_double);
    fprintf(stderr, "vmm_regions %s: %llu holes (stats: %llu holes, %llu nodes) built in %.0f ms; "
            "%d runs of %llu pairs: min %.1f median %.1f max %.1f ns\n",
            region_variant, (unsigned long long)holes, (unsigned long long)st.holes,
            (unsigned long long)st.nodes, build_ns / 1e6, RUNS, (unsigned long long)pairs, ns[0],
            ns[RUNS / 2], ns[RUNS - 1]);
    region_destroy(&s);
    slab_destroy(&slab);
    return ns[RUNS / 2];
}

int main(int argc, char **argv)
{
    uint64_t max_holes = argc > 1 ? strtoull(argv[1], NULL, 10) : UINT64_MAX;
    for (size_t i = 0; i < sizeof hole_counts / sizeof hole_counts[0]; i++) {
        uint64_t holes = hole_counts[i];
        if (holes > max_holes) {
            fprintf(stderr, "vmm_regions %s: %llu holes skipped (limit %llu)\n", region_variant,
                    (unsigned long long)holes, (unsigned long long)max_holes);
            continue;
        }
        printf("vmm-regions,%s-%llu,ns_per_op,%.1f,host ns\n", region_variant,
               (unsigned long long)holes, measure(holes));
        fflush(stdout);
    }
    return 0;
}
