/*
 * Bookkeeping objects of one size (the region structures' nodes), carved
 * from windowed frames of the pool.  Freed objects go on a free list and
 * are reused; their frames stay with the vmm (the peak is small: a node
 * per free region).  Running out of frames is a NULL, which the region
 * code turns into -AK_ENOMEM before it changes anything.
 */
#include "vmm.h"

typedef struct free_obj {
    struct free_obj *next;
} free_obj_t;

typedef struct slab {
    size_t size;
    free_obj_t *free;
    uint64_t in_use, capacity;
} slab_t;

static void *slab_alloc(void *ctx)
{
    slab_t *s = ctx;
    if (!s->free) {
        uint64_t pa = frames_alloc_zeroed(FRAME_VMM);
        if (!pa)
            return NULL;
        char *page = window_of(pa);
        size_t off = 0;
        do {  /* an object is at most a page: at least one per page */
            free_obj_t *o = (free_obj_t *)(void *)(page + off);
            o->next = s->free;
            s->free = o;
            s->capacity++;
            off += s->size;
        } while (off + s->size <= VMM_PAGE);
    }
    free_obj_t *o = s->free;
    s->free = o->next;
    s->in_use++;
    return o;  /* contents undefined, as region_mem_t allows: the region code writes every field */
}

static void slab_free(void *ctx, void *p)
{
    slab_t *s = ctx;
    free_obj_t *o = p;
    o->next = s->free;
    s->free = o;
    s->in_use--;
}

static slab_t node_slab = { REGION_NODE_SIZE, NULL, 0, 0 };

const region_mem_t vmm_region_mem = { slab_alloc, slab_free, &node_slab };
