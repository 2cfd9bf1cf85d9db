/*
 * The seed's post-fix free regions (vmm/region.h), kept faithfully for
 * comparison: an unsorted list of holes searched first-fit in list order
 * before bumping.  As the seed's `free_regions` vector did:
 *
 *   - a freed range becomes a new entry at the tail, never merged with its
 *     neighbours (two adjacent one-page holes cannot serve a two-page
 *     request);
 *   - a request takes the first entry in list order where it fits, from
 *     the entry's start (or its first aligned address); what is left of
 *     the entry stays in its place, an entry used up is removed;
 *   - if no entry fits, the bump pointer moves up.  Where alignment skips
 *     space above the bump, the gap becomes an entry rather than being
 *     lost.
 *
 * Costs: alloc O(n) (O(1) when the first entry fits), free O(n) (the
 * list must be searched to refuse a range that is already free),
 * is_free and reserve O(n), stats and check O(n^2).  This is the cost the default
 * tree (servers/vmm/) removes.
 *
 * The list is circular and singly linked and s->root points to its tail,
 * so that both the head (tail->next) and the tail are at hand; NULL when
 * empty.  Every node is an entry.
 *
 * Invariants (region_check verifies every one):
 *   - each entry [start, end) is page aligned, start < end, inside
 *     [lo, bump);
 *   - no two entries overlap (adjacent ones are allowed);
 *   - the list holds exactly s->nodes entries and closes on itself;
 *   - free_bytes = the entries' lengths + (hi - bump);
 *   - lo <= bump <= hi, page aligned.
 */
#include <vmm/region.h>
#include <vmm/region_args.h>

#include <akuma/abi/errno.h>

const char region_variant[] = "vmm-list";
const bool region_reuses_va = true;

typedef struct region_node node_t;

struct region_node {
    uint64_t start, end;  /* the hole [start, end) */
    node_t *next;         /* the next entry in list order; the tail's is the head */
};

_Static_assert(sizeof(node_t) <= REGION_NODE_SIZE, "a list node fits REGION_NODE_SIZE");
_Static_assert(_Alignof(node_t) <= REGION_NODE_ALIGN, "a list node fits REGION_NODE_ALIGN");


/* Appends n as the entry [start, end) at the tail. */
static void list_append(region_set_t *s, node_t *n, uint64_t start, uint64_t end)
{
    n->start = start;
    n->end = end;
    if (s->root == NULL) {
        n->next = n;
    } else {
        n->next = s->root->next;
        s->root->next = n;
    }
    s->root = n;
}

/* Inserts n as the entry [start, end) right after entry e. */
static void list_insert_after(region_set_t *s, node_t *e, node_t *n, uint64_t start, uint64_t end)
{
    /* n is never NULL: carve_entry's callers take a spare whenever a range splits an entry. */
    // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
    n->start = start;
    n->end = end;
    n->next = e->next;
    e->next = n;
    if (s->root == e)
        s->root = n;
}

/* Removes entry e, whose predecessor in the circle is prev, and frees it. */
static void list_remove(region_set_t *s, node_t *prev, node_t *e)
{
    if (prev == e) {
        s->root = NULL;
    } else {
        prev->next = e->next;
        if (s->root == e)
            s->root = prev;
    }
    region_node_put(s, e);
}

/* Bytes of [a, b) that are free: in some entry or at or above the bump. */
static uint64_t free_in(const region_set_t *s, uint64_t a, uint64_t b)
{
    uint64_t bytes = b > s->bump ? b - region_max(a, s->bump) : 0;
    const node_t *e = s->root;
    for (uint64_t i = 0; i < s->nodes; i++) {
        e = e->next;
        uint64_t lo = region_max(a, e->start), hi = region_min(b, e->end);
        if (lo < hi)
            bytes += hi - lo;
    }
    return bytes;
}

/*
 * Takes [x, xe) out of entry e, whose predecessor is prev: trims e, or
 * removes it when used up.  A range strictly inside e splits it, and
 * spare (taken by the caller) becomes the part above, right after e.
 */
static void carve_entry(region_set_t *s, node_t *prev, node_t *e, uint64_t x, uint64_t xe, node_t *spare)
{
    if (x > e->start && xe < e->end) {
        list_insert_after(s, e, spare, xe, e->end);
        e->end = x;
    } else if (x > e->start) {
        e->end = x;
    } else if (xe < e->end) {
        e->start = xe;
    } else {
        list_remove(s, prev, e);
    }
}

/*
 * Takes [x, x+len) at or above the bump and moves the bump above it.  A
 * gap left below x by alignment becomes an entry: that needs a node,
 * taken first.
 */
static int take_above_bump(region_set_t *s, uint64_t x, uint64_t len)
{
    if (x > s->bump) {
        node_t *gap = region_node_get(s);
        if (gap == NULL)
            return -AK_ENOMEM;
        list_append(s, gap, s->bump, x);
    }
    s->bump = x + len;
    s->free_bytes -= len;
    return 0;
}

/*
 * Takes [a, a+len), which is free, wherever it lies: it may span adjacent
 * entries and the space above the bump.  One node is needed when a single
 * entry contains the range with space on both sides, or when the range
 * starts above the bump (the gap becomes an entry); never both, since an
 * entry ends at or below the bump.  It is taken before anything changes.
 */
static int take(region_set_t *s, uint64_t a, uint64_t len)
{
    uint64_t b = a + len, entries = s->nodes;
    bool split = false;
    const node_t *e = s->root;
    for (uint64_t i = 0; i < entries && !split; i++) {
        e = e->next;
        split = e->start < a && e->end > b;
    }
    node_t *spare = NULL;
    if (split || a > s->bump) {
        spare = region_node_get(s);
        if (spare == NULL)
            return -AK_ENOMEM;
    }
    node_t *prev = s->root;
    for (uint64_t i = 0; i < entries; i++) {
        node_t *cur = prev->next;
        if (cur->end <= a || cur->start >= b) {
            prev = cur;
            continue;
        }
        bool used_up = cur->start >= a && cur->end <= b;
        carve_entry(s, prev, cur, region_max(a, cur->start), region_min(b, cur->end), spare);
        if (split)
            break;
        if (!used_up)
            prev = cur;
    }
    if (b > s->bump) {
        if (a > s->bump)
            list_append(s, spare, s->bump, a);
        s->bump = b;
    }
    s->free_bytes -= len;
    return 0;
}

int region_init(region_set_t *s, uint64_t lo, uint64_t hi, const region_mem_t *mem)
{
    if (!region_init_args_ok(lo, hi, mem))
        return -AK_EINVAL;
    *s = (region_set_t){ .lo = lo, .hi = hi, .bump = lo, .free_bytes = hi - lo, .mem = *mem };
    return 0;
}

int region_alloc(region_set_t *s, uint64_t len, uint64_t align, uint64_t hint, uint64_t *out)
{
    if (!region_alloc_args_ok(len, align))
        return -AK_EINVAL;
    uint64_t x = hint;
    int err;
    if ((hint & (align - 1u)) == 0 && region_is_free(s, hint, len)) {
        err = take(s, hint, len);
    } else {
        node_t *prev = s->root, *hit = NULL;
        for (uint64_t i = 0; i < s->nodes && hit == NULL; i++) {
            node_t *e = prev->next;
            if (region_fit(e->start, e->end, len, align, &x))
                hit = e;
            else
                prev = e;
        }
        if (hit != NULL) {
            node_t *spare = NULL;
            if (x > hit->start && x + len < hit->end && (spare = region_node_get(s)) == NULL)
                return -AK_ENOMEM;
            carve_entry(s, prev, hit, x, x + len, spare);
            s->free_bytes -= len;
            err = 0;
        } else if (region_fit(s->bump, s->hi, len, align, &x)) {
            err = take_above_bump(s, x, len);
        } else {
            err = -AK_ENOMEM;
        }
    }
    if (err == 0)
        *out = x;
    return err;
}

int region_reserve(region_set_t *s, uint64_t addr, uint64_t len)
{
    if (!region_range_ok(s, addr, len))
        return -AK_EINVAL;
    if (free_in(s, addr, addr + len) != len)
        return -AK_EEXIST;
    return take(s, addr, len);
}

int region_free(region_set_t *s, uint64_t addr, uint64_t len)
{
    if (!region_range_ok(s, addr, len) || free_in(s, addr, addr + len) != 0)
        return -AK_EINVAL;
    node_t *n = region_node_get(s);
    if (n == NULL)
        return -AK_ENOMEM;
    list_append(s, n, addr, addr + len);
    s->free_bytes += len;
    return 0;
}

bool region_is_free(const region_set_t *s, uint64_t addr, uint64_t len)
{
    return region_range_ok(s, addr, len) && free_in(s, addr, addr + len) == len;
}

/* True if some entry starts at addr. */
static bool entry_starts_at(const region_set_t *s, uint64_t addr)
{
    const node_t *e = s->root;
    for (uint64_t i = 0; i < s->nodes; i++) {
        e = e->next;
        if (e->start == addr)
            return true;
    }
    return false;
}

/*
 * Runs of pages in use start at lo or right after a hole.  Below the
 * bump, a page at lo or right after an entry is free only if an entry
 * starts there, which only a search of the list can tell: O(n^2).
 */
static uint64_t used_runs(const region_set_t *s)
{
    uint64_t runs = s->lo < s->bump && !entry_starts_at(s, s->lo);
    const node_t *e = s->root;
    for (uint64_t i = 0; i < s->nodes; i++) {
        e = e->next;
        runs += e->end < s->bump && !entry_starts_at(s, e->end);
    }
    return runs;
}

void region_stats(const region_set_t *s, region_stats_t *st)
{
    uint64_t largest = 0;
    const node_t *e = s->root;
    for (uint64_t i = 0; i < s->nodes; i++) {
        e = e->next;
        largest = region_max(largest, e->end - e->start);
    }
    *st = (region_stats_t){
        .holes = s->nodes,
        .largest_hole = largest,
        .bump = s->bump,
        .free_bytes = s->free_bytes,
        .used_runs = used_runs(s),
        .nodes = s->nodes,
    };
}

void region_walk(const region_set_t *s, region_walk_fn *fn, void *ctx)
{
    const node_t *e = s->root;
    for (uint64_t i = 0; i < s->nodes; i++) {
        e = e->next;
        fn(ctx, e->start, e->end);
    }
    if (s->bump < s->hi)
        fn(ctx, s->bump, s->hi);
}

void region_destroy(region_set_t *s)
{
    while (s->root != NULL)
        list_remove(s, s->root, s->root->next);
}

int region_check(const region_set_t *s)
{
    if (s->lo >= s->hi || !region_page_aligned(s->lo) || !region_page_aligned(s->hi) ||
        s->bump < s->lo || s->bump > s->hi || !region_page_aligned(s->bump) ||
        (s->root == NULL) != (s->nodes == 0))
        return -AK_EINVAL;
    uint64_t bytes = s->hi - s->bump;
    const node_t *e = s->root;
    for (uint64_t i = 0; i < s->nodes; i++) {
        e = e->next;
        if (e == NULL || (e == s->root) != (i + 1 == s->nodes) || e->start >= e->end ||
            !region_page_aligned(e->start) || !region_page_aligned(e->end) || e->start < s->lo ||
            e->end > s->bump)
            return -AK_EINVAL;
        bytes += e->end - e->start;
        const node_t *f = e;
        for (uint64_t j = i + 1; j < s->nodes; j++) {
            f = f->next;
            if (f == NULL || (f->start < e->end && e->start < f->end))
                return -AK_EINVAL;
        }
    }
    return bytes == s->free_bytes ? 0 : -AK_EINVAL;
}
