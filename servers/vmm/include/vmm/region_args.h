/*
 * Argument checks, address arithmetic and node accounting shared by the
 * region variants
 * (region.h), so that all three accept and refuse exactly the same
 * requests.  Private to the variants: a vmm includes region.h only.
 *
 * Every function here is overflow-safe for any uint64_t input.
 */
#ifndef VMM_REGION_ARGS_H
#define VMM_REGION_ARGS_H

#include <vmm/region.h>

#define REGION_PAGE_MASK (REGION_PAGE_SIZE - 1u)

/* A node from the set's allocator, counted; NULL if there is none. */
static inline void *region_node_get(region_set_t *s)
{
    void *n = s->mem.node_alloc(s->mem.ctx);
    if (n != NULL)
        s->nodes++;
    return n;
}

/* Gives a node back to the set's allocator. */
static inline void region_node_put(region_set_t *s, void *n)
{
    s->nodes--;
    s->mem.node_free(s->mem.ctx, n);
}

static inline bool region_page_aligned(uint64_t x)
{
    return (x & REGION_PAGE_MASK) == 0;
}

/* region_init's arguments: a nonempty page-aligned area and a complete mem. */
static inline bool region_init_args_ok(uint64_t lo, uint64_t hi, const region_mem_t *mem)
{
    return region_page_aligned(lo) && region_page_aligned(hi) && lo < hi && mem != NULL &&
           mem->node_alloc != NULL && mem->node_free != NULL;
}

/*
 * x is a power of two: shifted up to bit 63, it is that bit alone.
 * (Written with clz because clang turns x & (x - 1) == 0 into a
 * population count, a dozen instructions without SIMD.)
 */
static inline bool region_pow2(uint64_t x)
{
    return x != 0 && (x << __builtin_clzll(x)) == UINT64_C(1) << 63;
}

/* region_alloc's len and align: whole pages, a power-of-two alignment of at least a page. */
static inline bool region_alloc_args_ok(uint64_t len, uint64_t align)
{
    return len != 0 && region_page_aligned(len) && align >= REGION_PAGE_SIZE && region_pow2(align);
}

/* A nonempty page-aligned range [addr, addr+len) inside the area of s. */
static inline bool region_range_ok(const region_set_t *s, uint64_t addr, uint64_t len)
{
    return len != 0 && region_page_aligned(addr) && region_page_aligned(len) && addr >= s->lo &&
           addr <= s->hi && len <= s->hi - addr;
}

/*
 * The lowest x >= start, a multiple of align (a power of two), such that
 * [x, x+len) ends at or below end; false if there is none.
 * Precondition: start <= end.
 */
static inline bool region_fit(uint64_t start, uint64_t end, uint64_t len, uint64_t align, uint64_t *x)
{
    uint64_t pad = (align - (start & (align - 1u))) & (align - 1u);
    if (pad > end - start || len > end - start - pad)
        return false;
    *x = start + pad;
    return true;
}

static inline uint64_t region_min(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static inline uint64_t region_max(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

#endif /* VMM_REGION_ARGS_H */
