/*
 * The seed's pre-fix address allocator (vmm/region.h), kept to reproduce
 * its failure: a bump pointer that only grows.  Everything below the bump
 * is in use for ever; region_free checks its range and forgets it, so a
 * program that maps and unmaps one page in a loop runs out after
 * (hi - lo) / REGION_PAGE_SIZE iterations: 196,320 over the default area
 * (akuma/abi/layout.h), the seed's "~196,000 lifetime allocations".
 *
 * A hint or a reserved range above the bump moves the bump to its end;
 * the space skipped below it (and any alignment padding) is lost, as the
 * structure records nothing but the bump.  No nodes are ever used.
 *
 * Invariants (region_check verifies every one): lo <= bump <= hi, page
 * aligned; free_bytes = hi - bump; no nodes, no root.
 */
#include <vmm/region.h>
#include <vmm/region_args.h>

#include <akuma/abi/errno.h>

const char region_variant[] = "vmm-bump";
const bool region_reuses_va = false;

int region_init(region_set_t *s, uint64_t lo, uint64_t hi, const region_mem_t *mem)
{
    if (!region_init_args_ok(lo, hi, mem))
        return -AK_EINVAL;
    *s = (region_set_t){ .lo = lo, .hi = hi, .bump = lo, .free_bytes = hi - lo, .mem = *mem };
    return 0;
}

/* Moves the bump to the end of [x, x+len), which is at or above it. */
static void take(region_set_t *s, uint64_t x, uint64_t len)
{
    s->bump = x + len;
    s->free_bytes = s->hi - s->bump;
}

int region_alloc(region_set_t *s, uint64_t len, uint64_t align, uint64_t hint, uint64_t *out)
{
    if (!region_alloc_args_ok(len, align))
        return -AK_EINVAL;
    uint64_t x = hint;
    if (((hint & (align - 1u)) != 0 || !region_is_free(s, hint, len)) &&
        !region_fit(s->bump, s->hi, len, align, &x))
        return -AK_ENOMEM;
    take(s, x, len);
    *out = x;
    return 0;
}

int region_reserve(region_set_t *s, uint64_t addr, uint64_t len)
{
    if (!region_range_ok(s, addr, len))
        return -AK_EINVAL;
    if (addr < s->bump)
        return -AK_EEXIST;
    take(s, addr, len);
    return 0;
}

int region_free(region_set_t *s, uint64_t addr, uint64_t len)
{
    if (!region_range_ok(s, addr, len) || len > s->bump - region_min(addr, s->bump))
        return -AK_EINVAL;
    return 0;
}

bool region_is_free(const region_set_t *s, uint64_t addr, uint64_t len)
{
    return region_range_ok(s, addr, len) && addr >= s->bump;
}

void region_stats(const region_set_t *s, region_stats_t *st)
{
    *st = (region_stats_t){
        .bump = s->bump,
        .free_bytes = s->free_bytes,
        .used_runs = s->bump > s->lo,
    };
}

void region_walk(const region_set_t *s, region_walk_fn *fn, void *ctx)
{
    if (s->bump < s->hi)
        fn(ctx, s->bump, s->hi);
}

void region_destroy(region_set_t *s)
{
    s->root = NULL;
}

int region_check(const region_set_t *s)
{
    if (s->lo >= s->hi || !region_page_aligned(s->lo) || !region_page_aligned(s->hi) ||
        s->bump < s->lo || s->bump > s->hi || !region_page_aligned(s->bump) ||
        s->free_bytes != s->hi - s->bump || s->nodes != 0 || s->root != NULL)
        return -AK_EINVAL;
    return 0;
}
