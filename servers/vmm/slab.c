/*
 * Bookkeeping objects of one size (the region structures' nodes), carved
 * from windowed frames of the pool.  Each slab page starts with a header
 * (its free objects, how many are in use, its place in the list of pages
 * with free objects); an object finds its page by rounding its address
 * down.  A page whose objects are all free goes back to the pool at the
 * end of a request, except one spare, so the vmm's own frames shrink when
 * a process with many regions ends.
 *
 * Supply: nodes_reserve(n) grows the slab beforehand (frames reserved
 * through frames_reserve, the seam counting it as one request) so that
 * the request's region operations can take n nodes without failing.
 * Invariants: vmm_nodes.free counts the free objects of every page and
 * vmm_nodes.empty_pages the pages with none in use; a page is on the
 * partial list exactly when it has a free object.  (One slab: the
 * counts are global, so that the handlers' checks are a load.)
 */
#include <akuma/abi/errno.h>

#include "vmm.h"

typedef struct free_obj {
    struct free_obj *next;
} free_obj_t;

typedef struct slab_page {
    free_obj_t *free;
    uint64_t in_use;
    struct slab_page *next, *prev;  /* the partial list */
} slab_page_t;

typedef struct slab {
    size_t size;              /* of an object, a multiple of 8 */
    size_t per_page;
    slab_page_t *partial;     /* pages with a free object */
    uint64_t pages, in_use;   /* its free objects and empty pages: vmm_nodes */
} slab_t;

nodes_count_t vmm_nodes;

_Static_assert(sizeof(slab_page_t) <= REGION_NODE_SIZE, "the header fits in the first object's place");

static void partial_add(slab_t *s, slab_page_t *pg)
{
    pg->prev = NULL;
    pg->next = s->partial;
    if (s->partial)
        s->partial->prev = pg;
    s->partial = pg;
}

static void partial_remove(slab_t *s, slab_page_t *pg)
{
    if (pg->prev)
        pg->prev->next = pg->next;
    else
        s->partial = pg->next;
    if (pg->next)
        pg->next->prev = pg->prev;
}

/* Adds a page from a reserved frame.  False if there was none. */
static bool grow(slab_t *s)
{
    uint64_t pa = frames_alloc_zeroed(FRAME_VMM, FROM_RESERVED);
    if (!pa)
        return false;
    slab_page_t *pg = window_of(pa);
    char *base = (char *)pg;
    pg->free = NULL;
    pg->in_use = 0;
    for (size_t off = s->size; off + s->size <= VMM_PAGE; off += s->size) {
        free_obj_t *o = (free_obj_t *)(void *)(base + off);
        o->next = pg->free;
        pg->free = o;
    }
    partial_add(s, pg);
    s->pages++;
    vmm_nodes.empty_pages++;
    vmm_nodes.free += s->per_page;
    return true;
}

static int reserve(slab_t *s, uint64_t n)
{
    if (n == 0)
        return 0;
    if (supply_refuses())
        return -AK_ENOMEM;
    uint64_t have = nodes_free();
    if (have >= n)
        return 0;
    uint64_t pages = (n - have + s->per_page - 1) / s->per_page;
    int rc = frames_reserve(pages);
    if (rc != 0)
        return rc;
    while (pages--)
        if (!grow(s))
            return -AK_ENOMEM;
    return 0;
}

static void *slab_alloc(void *ctx)
{
    slab_t *s = ctx;
    if (!s->partial && (frames_reserve(1) != 0 || !grow(s)))
        return NULL;
    slab_page_t *pg = s->partial;
    free_obj_t *o = pg->free;
    pg->free = o->next;
    if (pg->in_use++ == 0)
        vmm_nodes.empty_pages--;
    if (!pg->free)
        partial_remove(s, pg);
    vmm_nodes.free--;
    s->in_use++;
    return o;  /* contents undefined, as region_mem_t allows: the region code writes every field */
}

static void slab_free(void *ctx, void *p)
{
    slab_t *s = ctx;
    free_obj_t *o = p;
    slab_page_t *pg = (slab_page_t *)(void *)((uintptr_t)p & ~(uintptr_t)(VMM_PAGE - 1));
    if (!pg->free)
        partial_add(s, pg);
    o->next = pg->free;
    pg->free = o;
    if (--pg->in_use == 0)
        vmm_nodes.empty_pages++;
    vmm_nodes.free++;
    s->in_use--;
}

/* Gives empty pages back to the pool, keeping one spare and the held nodes. */
static void shrink(slab_t *s)
{
    for (slab_page_t *pg = s->partial, *next; pg && vmm_nodes.empty_pages > 1 && nodes_free() >= s->per_page;
         pg = next) {
        next = pg->next;
        if (pg->in_use != 0)
            continue;
        partial_remove(s, pg);
        frames_free(window_pa(pg));
        s->pages--;
        vmm_nodes.empty_pages--;
        vmm_nodes.free -= s->per_page;
    }
}

static slab_t node_slab = { REGION_NODE_SIZE, VMM_PAGE / REGION_NODE_SIZE - 1, NULL, 0, 0 };

const region_mem_t vmm_region_mem = { slab_alloc, slab_free, &node_slab };

int nodes_reserve(uint64_t n)
{
    return reserve(&node_slab, n);
}

void nodes_end_request(void)
{
    if (vmm_nodes.empty_pages > 1)
        shrink(&node_slab);
}


