/*
 * The default vmm's free regions (vmm/region.h): the holes of the area in
 * an AVL tree keyed by start address, each node also carrying the length
 * of the longest hole in its subtree (max_len), as Linux's maple/rb trees,
 * the BSDs' vm_map and Zircon's VMAR do.  A search for the lowest hole of
 * at least len bytes goes left whenever the left subtree's max_len allows
 * and so finds it in one descent: O(log n) for n holes.
 *
 * Why AVL.  Every mmap descends the tree to find a hole and every munmap
 * searches for both neighbours, so the depth of the tree is what costs;
 * AVL trees are the shallowest of the classic balanced trees (height at
 * most 1.44 log2 n, red-black 2 log2 n).  Red-black trees rotate less on
 * update, but the augmentation must be refreshed on the path to the root
 * after every change anyway, and AVL rebalancing rides on that same
 * upward walk.  Unlike a treap there is no random source and the bound is
 * a worst case, which matters when clients choose the addresses.  WAVL
 * would only save rotations that are not the cost here.  Balance and
 * max_len are both local properties, so region_check verifies them node
 * by node.
 *
 * Nodes have no parent pointer: an update records its path from the root
 * (at most TREE_MAX_HEIGHT links) and walks back up it, rebalancing and
 * refreshing height and max_len, stopping early once a node comes out
 * unchanged.  Nothing here recurses.
 *
 * The bump pointer is a high-water mark: every address the set has
 * handed out is below it, so [bump, hi) is free and is the tail of the
 * last hole.  The tree itself needs no bump: "first fit before bumping"
 * is just the lowest fit, since the never-used space is the highest hole.
 * Statistics count that last hole as a hole only if it starts below the
 * bump (something below was freed again) and only its part below the bump.
 *
 * Invariants (region_check verifies every one):
 *   - each node is a hole [start, end): page aligned, start < end, inside
 *     [lo, hi);
 *   - in address order each hole ends strictly before the next starts: no
 *     overlap and no adjacency (free neighbours are always merged);
 *   - height = 1 + the taller child's, the children's heights differ by
 *     at most 1, and the tree is at most TREE_MAX_HEIGHT high;
 *   - max_len = the longest end - start of the node's subtree;
 *   - nodes counts the nodes, free_bytes sums their lengths;
 *   - lo <= bump <= hi, page aligned; if bump < hi the last hole is
 *     [x, hi) with x <= bump.
 */
#include <vmm/region.h>
#include <vmm/region_args.h>

#include <akuma/abi/errno.h>

const char region_variant[] = "vmm";
const bool region_reuses_va = true;

/*
 * Holes are separated by pages in use, so an area of at most 2^52 pages
 * holds at most 2^51 + 1 of them; an AVL tree of height h has at least
 * F(h+2) - 1 nodes (F: Fibonacci), and F(76) - 1 > 2^51 + 1, so 73 levels
 * always suffice.  Paths and traversal stacks are sized by it.
 */
#define TREE_MAX_HEIGHT 73

enum { LEFT = 0, RIGHT = 1 };

typedef struct region_node node_t;

struct region_node {
    uint64_t start, end;  /* the hole [start, end) */
    uint64_t max_len;     /* longest end - start in this subtree */
    node_t *child[2];     /* LEFT: lower addresses, RIGHT: higher */
    int32_t height;       /* 1 for a leaf */
};

_Static_assert(sizeof(node_t) <= REGION_NODE_SIZE, "a tree node fits REGION_NODE_SIZE");
_Static_assert(_Alignof(node_t) <= REGION_NODE_ALIGN, "a tree node fits REGION_NODE_ALIGN");

/*
 * The links from the root to a node (or to the null link where a node
 * would go): link[0] is &root, link[i + 1] is a child field of *link[i].
 * One more than the height, for the null link below the deepest leaf.
 */
typedef struct tree_path {
    node_t **link[TREE_MAX_HEIGHT + 1];
    unsigned depth;
} tree_path_t;

/* ---- nodes -------------------------------------------------------------- */

static int32_t height(const node_t *n)
{
    return n != NULL ? n->height : 0;
}

static uint64_t max_len(const node_t *n)
{
    return n != NULL ? n->max_len : 0;
}

static uint64_t len_of(const node_t *n)
{
    return n->end - n->start;
}

/* Recomputes n's height and max_len from its children's. */
static void update(node_t *n)
{
    int32_t hl = height(n->child[LEFT]), hr = height(n->child[RIGHT]);
    n->height = 1 + (hl > hr ? hl : hr);
    n->max_len = region_max(len_of(n), region_max(max_len(n->child[LEFT]), max_len(n->child[RIGHT])));
}

/*
 * Lifts n->child[side] above n; returns the new root of the subtree.
 * Always inlined: then fixup, the walk every update ends with, calls
 * nothing and needs no registers saved.
 */
static inline __attribute__((always_inline)) node_t *rotate_up(node_t *n, int side)
{
    node_t *c = n->child[side];
    n->child[side] = c->child[side ^ 1];
    c->child[side ^ 1] = n;
    update(n);
    update(c);
    return c;
}

/*
 * Updates n and, if its children's heights differ by 2, restores the
 * balance with a single or double rotation.  Returns the subtree's root.
 */
static node_t *rebalance(node_t *n)
{
    /* update(n), with the children read before n is written (their fields could alias n's). */
    const node_t *l = n->child[LEFT], *r = n->child[RIGHT];
    int32_t hl = height(l), hr = height(r);
    uint64_t m = region_max(len_of(n), region_max(max_len(l), max_len(r)));
    n->height = 1 + (hl > hr ? hl : hr);
    n->max_len = m;
    int32_t bal = hr - hl;
    if (bal >= -1 && bal <= 1)
        return n;
    int side = bal > 0 ? RIGHT : LEFT;  /* the taller side */
    node_t *c = n->child[side];
    if (height(c->child[side ^ 1]) > height(c->child[side]))
        n->child[side] = rotate_up(c, side ^ 1);
    return rotate_up(n, side);
}

/*
 * Walks p back to the root, rebalancing and updating every node.  Levels
 * at or below floor changed and are always redone; above it the walk
 * stops at the first node that comes out unchanged (then no ancestor can
 * change either).
 */
static void fixup(tree_path_t *p, unsigned floor)
{
    for (unsigned i = p->depth; i-- > 0;) {
        node_t *n = *p->link[i];
        if (n == NULL)
            continue;
        int32_t h = n->height;
        uint64_t m = n->max_len;
        node_t *top = rebalance(n);
        *p->link[i] = top;
        if (i < floor && top == n && n->height == h && n->max_len == m)
            return;
    }
}

/*
 * Records in p the path from the root to the hole starting at key and
 * returns that hole, or records the path to the null link where it would
 * be inserted and returns NULL.
 */
static node_t *descend(region_set_t *s, uint64_t key, tree_path_t *p)
{
    node_t **link = &s->root;
    p->depth = 0;
    for (;;) {
        p->link[p->depth++] = link;
        node_t *n = *link;
        if (n == NULL || n->start == key)
            return n;
        link = &n->child[key > n->start ? RIGHT : LEFT];
    }
}

/*
 * Records in p the path to the null link where a hole starting at addr
 * would be linked, and the levels on it of the nearest holes around addr:
 * *below the greatest start <= addr (the last node where the path turns
 * right), *above the least start > addr (where it last turns left); -1
 * where there is none.
 */
static void descend_gap(region_set_t *s, uint64_t addr, tree_path_t *p, int *below, int *above)
{
    node_t **link = &s->root;
    p->depth = 0;
    *below = *above = -1;
    for (;;) {
        p->link[p->depth++] = link;
        node_t *n = *link;
        if (n == NULL)
            return;
        if (addr < n->start) {
            *above = (int)p->depth - 1;
            link = &n->child[LEFT];
        } else {
            *below = (int)p->depth - 1;
            link = &n->child[RIGHT];
        }
    }
}

/* ---- the three updates: insert, resize, delete ------------------------- */

/*
 * Makes n the leaf [start, end) at the null link that p ends with, and
 * updates its ancestors: the leaf itself is complete, so the walk starts
 * at its parent (which always changes).
 */
static void link_leaf(tree_path_t *p, node_t *n, uint64_t start, uint64_t end)
{
    *n = (node_t){ .start = start, .end = end, .max_len = end - start, .height = 1 };
    *p->link[--p->depth] = n;
    if (p->depth > 0)
        fixup(p, p->depth - 1);
}

/* Links n as the hole [start, end), which touches no other hole. */
static void tree_insert(region_set_t *s, node_t *n, uint64_t start, uint64_t end)
{
    tree_path_t p;
    descend(s, start, &p);
    link_leaf(&p, n, start, end);
}

/* Makes the hole starting at key [start, end); the order must not change. */
static void tree_resize(region_set_t *s, uint64_t key, uint64_t start, uint64_t end)
{
    tree_path_t p;
    node_t *n = descend(s, key, &p);
    n->start = start;
    n->end = end;
    fixup(&p, p.depth - 1);
}

/*
 * Removes the hole starting at key.  A node with two children takes over
 * its successor's hole and the successor's node is unlinked instead.
 */
static void tree_delete(region_set_t *s, uint64_t key)
{
    tree_path_t p;
    node_t *n = descend(s, key, &p);
    unsigned floor = p.depth - 1;
    node_t *gone = n;
    if (n->child[LEFT] != NULL && n->child[RIGHT] != NULL) {
        node_t **link = &n->child[RIGHT];
        p.link[p.depth++] = link;
        while ((*link)->child[LEFT] != NULL) {
            link = &(*link)->child[LEFT];
            p.link[p.depth++] = link;
        }
        gone = *link;
        n->start = gone->start;
        n->end = gone->end;
        *link = gone->child[RIGHT];
    } else {
        *p.link[floor] = n->child[LEFT] != NULL ? n->child[LEFT] : n->child[RIGHT];
    }
    region_node_put(s, gone);
    fixup(&p, floor);
}

/* ---- searches ------------------------------------------------------------ */

/* The hole with the greatest start <= addr, or NULL. */
static const node_t *floor_hole(const node_t *n, uint64_t addr)
{
    const node_t *best = NULL;
    while (n != NULL) {
        if (n->start <= addr) {
            best = n;
            n = n->child[RIGHT];
        } else {
            n = n->child[LEFT];
        }
    }
    return best;
}

/* The hole containing [addr, addr+len), or NULL if a page of it is not free. */
static const node_t *hole_containing(const node_t *root, uint64_t addr, uint64_t len)
{
    const node_t *h = floor_hole(root, addr);
    return h != NULL && h->end > addr && h->end - addr >= len ? h : NULL;
}

/* The lowest hole of subtree n at least need long.  Precondition: max_len(n) >= need. */
static const node_t *leftmost_long(const node_t *n, uint64_t need)
{
    for (;;) {
        if (max_len(n->child[LEFT]) >= need)
            n = n->child[LEFT];
        else if (len_of(n) >= need)
            return n;
        else
            n = n->child[RIGHT];
    }
}

/*
 * The lowest hole starting at or above key and at least need long, or
 * NULL.  The holes at or above key are the nodes where the search path
 * for key turns left, each with its right subtree, deepest first; max_len
 * then finds the answer in the first subtree that has one.  O(log n).
 */
static const node_t *lowest_long_from(const node_t *n, uint64_t key, uint64_t need)
{
    const node_t *turns[TREE_MAX_HEIGHT];
    unsigned k = 0;
    while (n != NULL) {
        if (n->start >= key) {
            turns[k++] = n;
            n = n->child[LEFT];
        } else {
            n = n->child[RIGHT];
        }
    }
    while (k > 0) {
        /* turns[0, k) were written above; cppcheck loses count of k. */
        // cppcheck-suppress uninitvar
        const node_t *t = turns[--k];
        if (len_of(t) >= need)
            return t;
        if (max_len(t->child[RIGHT]) >= need)
            return leftmost_long(t->child[RIGHT], need);
    }
    return NULL;
}

/*
 * The hole to take len bytes aligned to align from, with the address in
 * *x; NULL if none fits.  With page alignment the lowest hole at least
 * len long always fits: one descent.  With a larger alignment such a
 * hole may be too short once aligned, and trying every hole in turn (as
 * the BSDs do) costs O(n log n) when a client has made many of them; so
 * the lowest REGION_ALIGN_PROBES long-enough holes are tried, then the
 * lowest later hole long enough for any alignment (len + align - page),
 * which is one more descent.  Only when there is no such hole are the
 * remaining ones tried in turn, so that NULL always means nothing fits.
 */
static const node_t *find_fit(const region_set_t *s, uint64_t len, uint64_t align, uint64_t *x)
{
    if (max_len(s->root) < len)
        return NULL;
    const node_t *h = leftmost_long(s->root, len);
    for (unsigned probe = 1;; probe++) {
        if (region_fit(h->start, h->end, len, align, x))
            return h;
        if (probe == REGION_ALIGN_PROBES)
            break;
        h = lowest_long_from(s->root, h->start + 1, len);
        if (h == NULL)
            return NULL;
    }
    uint64_t key = h->start + 1, slack = align - REGION_PAGE_SIZE;
    const node_t *any = len <= UINT64_MAX - slack ? lowest_long_from(s->root, key, len + slack) : NULL;
    if (any != NULL && region_fit(any->start, any->end, len, align, x))
        return any;
    for (h = lowest_long_from(s->root, key, len); h != NULL; h = lowest_long_from(s->root, h->start + 1, len)) {
        if (region_fit(h->start, h->end, len, align, x))
            return h;
    }
    return NULL;
}

/*
 * Takes [x, x+len) out of the hole [hs, he) that contains it.  Only a
 * range strictly inside the hole needs a node (for the part above it),
 * and it is taken before anything changes.
 */
static int carve(region_set_t *s, uint64_t hs, uint64_t he, uint64_t x, uint64_t len)
{
    uint64_t xe = x + len;
    if (x > hs && xe < he) {
        node_t *above = region_node_get(s);
        if (above == NULL)
            return -AK_ENOMEM;
        tree_resize(s, hs, hs, x);
        tree_insert(s, above, xe, he);
    } else if (x > hs) {
        tree_resize(s, hs, hs, x);
    } else if (xe < he) {
        tree_resize(s, hs, xe, he);
    } else {
        tree_delete(s, hs);
    }
    s->free_bytes -= len;
    s->bump = region_max(s->bump, xe);
    return 0;
}

/* ---- the API ------------------------------------------------------------ */

int region_init(region_set_t *s, uint64_t lo, uint64_t hi, const region_mem_t *mem)
{
    if (!region_init_args_ok(lo, hi, mem))
        return -AK_EINVAL;
    *s = (region_set_t){ .lo = lo, .hi = hi, .bump = lo, .free_bytes = hi - lo, .mem = *mem };
    node_t *all = region_node_get(s);
    if (all == NULL)
        return -AK_ENOMEM;
    tree_insert(s, all, lo, hi);
    return 0;
}

int region_alloc(region_set_t *s, uint64_t len, uint64_t align, uint64_t hint, uint64_t *out)
{
    if (!region_alloc_args_ok(len, align))
        return -AK_EINVAL;
    uint64_t x = hint;
    const node_t *h = NULL;
    if ((hint & (align - 1u)) == 0 && region_range_ok(s, hint, len))
        h = hole_containing(s->root, hint, len);
    if (h == NULL)
        h = find_fit(s, len, align, &x);
    if (h == NULL)
        return -AK_ENOMEM;
    int err = carve(s, h->start, h->end, x, len);
    if (err == 0)
        *out = x;
    return err;
}

int region_reserve(region_set_t *s, uint64_t addr, uint64_t len)
{
    if (!region_range_ok(s, addr, len))
        return -AK_EINVAL;
    const node_t *h = hole_containing(s->root, addr, len);
    if (h == NULL)
        return -AK_EEXIST;
    return carve(s, h->start, h->end, addr, len);
}

int region_free(region_set_t *s, uint64_t addr, uint64_t len)
{
    if (!region_range_ok(s, addr, len))
        return -AK_EINVAL;
    uint64_t end = addr + len;
    /* One descent finds both neighbours and where a new hole would go. */
    tree_path_t p;
    int below, above;
    descend_gap(s, addr, &p, &below, &above);
    node_t *prev = below >= 0 ? *p.link[below] : NULL;
    node_t *next = above >= 0 ? *p.link[above] : NULL;
    if ((prev != NULL && prev->end > addr) || (next != NULL && next->start < end))
        return -AK_EINVAL;
    bool join_prev = prev != NULL && prev->end == addr;
    bool join_next = next != NULL && next->start == end;
    if (join_prev && join_next) {
        uint64_t start = prev->start, stop = next->end;
        tree_delete(s, next->start);
        tree_resize(s, start, start, stop);
    } else if (join_prev) {
        prev->end = end;
        p.depth = (unsigned)below + 1;
        fixup(&p, p.depth - 1);
    } else if (join_next) {
        next->start = addr;
        p.depth = (unsigned)above + 1;
        fixup(&p, p.depth - 1);
    } else {
        node_t *n = region_node_get(s);
        if (n == NULL)
            return -AK_ENOMEM;
        link_leaf(&p, n, addr, end);
    }
    s->free_bytes += len;
    return 0;
}

bool region_is_free(const region_set_t *s, uint64_t addr, uint64_t len)
{
    return region_range_ok(s, addr, len) && hole_containing(s->root, addr, len) != NULL;
}

void region_stats(const region_set_t *s, region_stats_t *st)
{
    /*
     * Down the right spine: every hole but the last is below the bump.
     * Pages in use run between consecutive holes, and before the first
     * and after the last hole unless those reach the ends of the area.
     */
    uint64_t holes = s->nodes, largest = 0, runs = 1;
    for (const node_t *n = s->root; n != NULL; n = n->child[RIGHT]) {
        largest = region_max(largest, max_len(n->child[LEFT]));
        if (n->child[RIGHT] != NULL) {
            largest = region_max(largest, len_of(n));
            continue;
        }
        if (n->start >= s->bump)
            holes--;
        else
            largest = region_max(largest, region_min(n->end, s->bump) - n->start);
        const node_t *first = s->root;
        while (first->child[LEFT] != NULL)
            first = first->child[LEFT];
        runs = s->nodes - 1 + (first->start > s->lo) + (n->end < s->hi);
    }
    *st = (region_stats_t){
        .holes = holes,
        .largest_hole = largest,
        .bump = s->bump,
        .free_bytes = s->free_bytes,
        .used_runs = runs,
        .nodes = s->nodes,
    };
}

void region_walk(const region_set_t *s, region_walk_fn *fn, void *ctx)
{
    const node_t *stack[TREE_MAX_HEIGHT];
    unsigned depth = 0;
    const node_t *n = s->root;
    while (n != NULL || depth > 0) {
        for (; n != NULL; n = n->child[LEFT])
            stack[depth++] = n;
        n = stack[--depth];
        fn(ctx, n->start, n->end);
        n = n->child[RIGHT];
    }
}

void region_destroy(region_set_t *s)
{
    /* Rotate left children up until the root has none, then free it. */
    node_t *n = s->root;
    while (n != NULL) {
        node_t *l = n->child[LEFT];
        if (l != NULL) {
            n->child[LEFT] = l->child[RIGHT];
            l->child[RIGHT] = n;
            n = l;
        } else {
            node_t *r = n->child[RIGHT];
            region_node_put(s, n);
            n = r;
        }
    }
    s->root = NULL;
}

/* The invariants of one node, given correct children. */
static bool node_ok(const region_set_t *s, const node_t *n)
{
    const node_t *l = n->child[LEFT], *r = n->child[RIGHT];
    int32_t hl = height(l), hr = height(r);
    return n->start < n->end && region_page_aligned(n->start) && region_page_aligned(n->end) &&
           n->start >= s->lo && n->end <= s->hi && hl - hr <= 1 && hr - hl <= 1 &&
           n->height == 1 + (hl > hr ? hl : hr) &&
           n->max_len == region_max(len_of(n), region_max(max_len(l), max_len(r)));
}

int region_check(const region_set_t *s)
{
    if (s->lo >= s->hi || !region_page_aligned(s->lo) || !region_page_aligned(s->hi) ||
        s->bump < s->lo || s->bump > s->hi || !region_page_aligned(s->bump))
        return -AK_EINVAL;
    const node_t *stack[TREE_MAX_HEIGHT];
    unsigned depth = 0;
    const node_t *n = s->root, *prev = NULL;
    uint64_t count = 0, bytes = 0;
    while (n != NULL || depth > 0) {
        for (; n != NULL; n = n->child[LEFT]) {
            if (depth == TREE_MAX_HEIGHT)
                return -AK_EINVAL;
            stack[depth++] = n;
        }
        n = stack[--depth];
        if (!node_ok(s, n) || (prev != NULL && prev->end >= n->start) || ++count > s->nodes)
            return -AK_EINVAL;
        bytes += len_of(n);
        prev = n;
        n = n->child[RIGHT];
    }
    if (count != s->nodes || bytes != s->free_bytes)
        return -AK_EINVAL;
    if (s->bump < s->hi && (prev == NULL || prev->end != s->hi || prev->start > s->bump))
        return -AK_EINVAL;
    return 0;
}
