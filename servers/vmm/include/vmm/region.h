/*
 * The free regions of one address space: the part of a vmm that chooses
 * virtual addresses (DESIGN.md 5).  One API, three implementations, each
 * a module of its own under servers/vmm/region/ whose module.mk names the
 * vmm program it makes; a vmm links exactly one:
 *
 *   region/tree/  (vmm)       the default: an AVL tree of holes keyed by
 *                             address, each node carrying the largest hole
 *                             of its subtree.  Lowest fit in O(log n);
 *                             coalesces on free.
 *   region/list/  (vmm-list)  the seed's post-fix design: an unsorted list
 *                             of holes, first fit in list order before
 *                             bumping, no coalescing.
 *   region/bump/  (vmm-bump)  the seed's pre-fix design: bump only; frees
 *                             are accepted and never reused.
 *
 * The set manages the page-aligned area [lo, hi).  Every byte of it is
 * either free or in use; the set records the free space (the layer knows
 * nothing of mappings, so freeing a part of an allocation splits nothing:
 * the freed pages simply become free again).  The bump pointer is the
 * lowest address never handed out: every address at or above it is free
 * and it only grows.  A hole is a free region below it.
 *
 *   variant   what alloc returns                     freed space
 *   tree      the lowest fitting address             free again, merged
 *                                                    with free neighbours
 *   list      the first fitting hole in list order   a new list entry,
 *             (oldest free first), else the bump     never merged
 *   bump      the bump pointer, aligned              in use for ever
 *
 * Memory: the set's own storage (the region_set_t) belongs to the caller;
 * its nodes come from the region_mem_t given to region_init, one
 * REGION_NODE_SIZE block at a time, and go back to it on free and on
 * region_destroy.  Every operation takes at most one node and takes it
 * before changing anything, so running out of nodes is -AK_ENOMEM with
 * the set unchanged.
 *
 * Errors are the negative AK_E* codes of akuma/abi/errno.h.  Nothing here
 * uses global state, allocates by itself or recurses; the code is
 * freestanding C11.  No operation is thread-safe: the caller serialises.
 */
#ifndef VMM_REGION_H
#define VMM_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/layout.h>

/* The granule of every address, length and alignment. */
#define REGION_PAGE_SIZE AK_PAGE_SIZE

/* The name of the vmm program the variant makes ("vmm", "vmm-list", ...). */
extern const char region_variant[];

/* Whether the variant gives freed addresses out again (false for bump only). */
extern const bool region_reuses_va;

/* Size and alignment of the blocks node_alloc must return (any variant). */
#define REGION_NODE_SIZE  48u
#define REGION_NODE_ALIGN 8u

/*
 * Where nodes come from.  node_alloc(ctx) returns REGION_NODE_SIZE bytes
 * aligned to REGION_NODE_ALIGN (contents undefined), or NULL when none is
 * left; node_free(ctx, node) takes back a block node_alloc returned.
 */
typedef struct region_mem {
    void *(*node_alloc)(void *ctx);
    void (*node_free)(void *ctx, void *node);
    void *ctx;
} region_mem_t;

/* A node of the set's structure; each variant defines it privately. */
struct region_node;

/*
 * One address space's free regions.  The caller allocates it; every field
 * belongs to the variant's code (read it only through region_stats).
 */
typedef struct region_set {
    uint64_t lo, hi;           /* the managed area [lo, hi) */
    uint64_t bump;             /* lowest address never handed out, lo..hi */
    uint64_t free_bytes;       /* free bytes in [lo, hi), including [bump, hi) */
    uint64_t nodes;            /* nodes taken from mem and not given back */
    struct region_node *root;  /* the variant's structure (NULL for bump) */
    region_mem_t mem;
} region_set_t;

/* A snapshot for statistics (the vmm's stats call) and tests. */
typedef struct region_stats {
    uint64_t holes;         /* free regions the set records below the bump */
    uint64_t largest_hole;  /* bytes of the largest, counting only below the bump */
    uint64_t bump;          /* lowest address never handed out */
    uint64_t free_bytes;    /* every free byte of [lo, hi) */
    uint64_t used_runs;     /* maximal runs of pages in use (adjacent
                               allocations make one run; for bump, space
                               freed or skipped below the bump is in use) */
    uint64_t nodes;         /* nodes in use */
} region_stats_t;

/*
 * Makes s manage the area [lo, hi), all free, with nodes from *mem (the
 * struct is copied; its ctx must outlive s).  Returns 0, or
 *   -AK_EINVAL  lo or hi not page aligned, lo >= hi, mem or one of its
 *               callbacks NULL
 *   -AK_ENOMEM  no node for the initial hole (tree only)
 */
int region_init(region_set_t *s, uint64_t lo, uint64_t hi, const region_mem_t *mem);

/* Holes the tree tries for an aligned request before settling (below). */
#define REGION_ALIGN_PROBES 16u

/*
 * Takes len bytes aligned to align and stores their address in *out.  If
 * hint is a multiple of align and [hint, hint+len) is free and inside the
 * area, that range is taken; otherwise the hint is ignored and the variant
 * chooses (table above).  The tree returns the lowest fitting address,
 * except that for alignments above a page, once the lowest
 * REGION_ALIGN_PROBES holes that are long enough have failed to fit, it
 * takes the lowest later hole that fits at any alignment, if there is one
 * (servers/vmm/region/tree/region_tree.c).  Returns 0, or
 *   -AK_EINVAL  len 0 or not a multiple of REGION_PAGE_SIZE, align not a
 *               power of two >= REGION_PAGE_SIZE
 *   -AK_ENOMEM  no free range fits (for list and bump: none that the
 *               variant can find), or no node for the remainder of a hole
 * *out is written only on success.
 */
int region_alloc(region_set_t *s, uint64_t len, uint64_t align, uint64_t hint, uint64_t *out);

/*
 * Takes exactly [addr, addr+len), which must be free (MAP_FIXED after the
 * caller has freed what was there).  Returns 0, or
 *   -AK_EINVAL  len 0, addr or len not page aligned, range not inside the area
 *   -AK_EEXIST  some page of the range is not free
 *   -AK_ENOMEM  no node for the remainder of a hole
 */
int region_reserve(region_set_t *s, uint64_t addr, uint64_t len);

/*
 * Gives back [addr, addr+len): any page-aligned range in use, whether it
 * was handed out by one call or several, whole or in part.  tree and list
 * can hand it out again; bump accepts it and never does.  Returns 0, or
 *   -AK_EINVAL  len 0, addr or len not page aligned, range not inside the
 *               area, or some page of it already free (for bump: at or
 *               above the bump pointer)
 *   -AK_ENOMEM  no node to record the range (tree: only when it touches
 *               no free neighbour; list: always needs one)
 */
int region_free(region_set_t *s, uint64_t addr, uint64_t len);

/*
 * True if len > 0, addr and len are page aligned, the range is inside the
 * area and every page of it is free.
 */
bool region_is_free(const region_set_t *s, uint64_t addr, uint64_t len);

/* Fills *st.  O(log n) for the tree, O(n^2) for the list, O(1) for bump. */
void region_stats(const region_set_t *s, region_stats_t *st);

/*
 * Calls fn(ctx, start, end) for every free region [start, end) that the
 * set records, in the order it searches them: by address for the tree
 * (each maximal, the last one ending at hi if the bump is below hi); list
 * order for the list, then [bump, hi) if not empty; [bump, hi) for bump.
 * fn must not change s.
 */
typedef void region_walk_fn(void *ctx, uint64_t start, uint64_t end);
void region_walk(const region_set_t *s, region_walk_fn *fn, void *ctx);

/* Gives every node back to the region_mem_t; s must be initialised again before use. */
void region_destroy(region_set_t *s);

/*
 * Verifies every invariant of the structure (the variant's file lists
 * them) and the counters of s.  Returns 0, or -AK_EINVAL if one is broken.
 * O(n) for the tree, O(n^2) for the list: for tests and debugging.
 */
int region_check(const region_set_t *s);

#endif /* VMM_REGION_H */
