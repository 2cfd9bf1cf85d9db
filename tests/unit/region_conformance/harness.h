/*
 * The harness of the region conformance suite (vmm/region.h): a node pool
 * that can refuse on demand, snapshots that prove a refused operation
 * changed nothing, a reference model (one flag per page) and the
 * description of the variant under test.  The same test source is
 * compiled once per variant; each variant_<name>.c supplies `variant`.
 */
#ifndef REGION_HARNESS_H
#define REGION_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmm/region.h>

#define PAGE REGION_PAGE_SIZE
#define LO   AK_USER_MMAP_MIN
#define HI   AK_USER_MMAP_MAX
#define AREA_PAGES ((HI - LO) / PAGE)  /* 196,320: the seed's budget */

/* How a variant chooses an address (region.h's table). */
typedef enum fit_rule {
    FIT_LOWEST,  /* tree: the lowest fit (with REGION_ALIGN_PROBES) */
    FIT_LIST,    /* list: the first entry in list order, then the bump */
    FIT_BUMP,    /* bump: the bump pointer, aligned */
} fit_rule_t;

struct CMUnitTest;

typedef struct variant {
    const char *name;                 /* the folder: vmm, vmm-list, vmm-bump */
    fit_rule_t fit;
    bool reuses;                      /* freed space is free again */
    bool coalesces;                   /* adjacent free space is one region */
    uint64_t init_nodes;              /* nodes in use right after region_init */
    const struct CMUnitTest *tests;   /* the variant's own tests */
    size_t ntests;
} variant_t;

extern const variant_t variant;

/* ---- node pool ---------------------------------------------------------- */

/*
 * Hands out REGION_NODE_SIZE blocks from malloc (so that ASan sees every
 * misuse), filled with junk.  budget >= 0 is the number of blocks it will
 * still hand out before refusing; < 0 is no limit.
 */
typedef struct pool {
    uint64_t live;     /* handed out and not given back */
    uint64_t refused;  /* node_alloc calls answered NULL */
    int64_t budget;
} pool_t;

region_mem_t pool_mem(pool_t *p);

/* ---- snapshots ---------------------------------------------------------- */

typedef struct region_range {
    uint64_t start, end;
} region_range_t;

/* The free regions region_walk reports, in its order. */
typedef struct dump {
    region_range_t *r;
    size_t n, cap;
} dump_t;

/* Fills d (zeroed the first time; its buffer is reused after that). */
void dump_take(const region_set_t *s, dump_t *d);
void dump_free(dump_t *d);

/* Everything observable about a set: its fields, stats and regions. */
typedef struct snapshot {
    region_set_t set;
    region_stats_t st;
    dump_t d;
} snapshot_t;

/* Fills out, whose dump is reused as dump_take's. */
void snap_take(const region_set_t *s, snapshot_t *out);
/* Asserts region_check and that s is exactly as in before. */
void snap_assert_same(const region_set_t *s, const snapshot_t *before);

/* ---- operations --------------------------------------------------------- */

typedef enum op_kind { OP_ALLOC, OP_RESERVE, OP_FREE } op_kind_t;

typedef struct op {
    op_kind_t kind;
    uint64_t addr;   /* OP_RESERVE, OP_FREE */
    uint64_t len;
    uint64_t align;  /* OP_ALLOC */
    uint64_t hint;   /* OP_ALLOC */
} op_t;

int op_run(region_set_t *s, const op_t *op, uint64_t *out);

/*
 * Runs op with a node budget of 0, 1, 2, ... until it no longer fails
 * for want of a node; asserts that every refusal left s unchanged and
 * that no operation needs more than one node.  Returns op's result, with
 * the pool unlimited again.
 */
int op_run_every_budget(region_set_t *s, pool_t *p, const op_t *op, uint64_t *out);

/* ---- the reference model ------------------------------------------------ */

/*
 * One flag per page of [lo, lo + npages * PAGE): in use or free, as the
 * variant defines it (for bump, space skipped below the bump is in use).
 */
typedef struct model {
    uint64_t lo;
    size_t npages;
    uint8_t *used;
    uint64_t bump;
    uint8_t *seen;  /* scratch for model_assert_matches */
} model_t;

void model_init(model_t *m, uint64_t lo, size_t npages);
void model_free_all(model_t *m);
bool model_range_ok(const model_t *m, uint64_t addr, uint64_t len);
/* Pages of a valid range that are free. */
uint64_t model_free_pages(const model_t *m, uint64_t addr, uint64_t len);
/* Applies a successful take of [x, x+len) (alloc or reserve). */
void model_take(model_t *m, uint64_t x, uint64_t len);
/* Applies a successful free. */
void model_release(model_t *m, uint64_t addr, uint64_t len);
/*
 * The address the variant must return for alloc(len, align, hint) given
 * the set's regions before the call (before, for the list's order);
 * false if it must fail with -AK_ENOMEM.
 */
bool model_expect_alloc(const model_t *m, const dump_t *before, uint64_t len, uint64_t align,
                        uint64_t hint, uint64_t *x);
/* The plain lowest fit, with no probe limit. */
bool model_lowest_fit(const model_t *m, uint64_t len, uint64_t align, uint64_t *x);
/*
 * Runs op with op_run_every_budget, asserts that the result (error or
 * address) is the one the model predicts and applies it to the model.
 * *out (if not NULL) is the address taken.  Returns op's result.
 */
int model_step(region_set_t *s, pool_t *p, model_t *m, const op_t *op, uint64_t *out);
/* Asserts region_check, the counters and that s's free space is the model's. */
void model_assert_matches(const model_t *m, const region_set_t *s, const pool_t *p);

/* ---- randomness ---------------------------------------------------------- */

/* xorshift64*: the same sequence on every host. */
uint64_t rng_next(uint64_t *state);
uint64_t rng_below(uint64_t *state, uint64_t n);

/* A randomized run against the model: steps operations over npages pages. */
void random_run(uint64_t seed, size_t npages, unsigned steps, unsigned check_every);

#endif /* REGION_HARNESS_H */
