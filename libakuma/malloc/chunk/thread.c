/*
 * Chunk mode's threads: the registry of heaps (chunk.h), one per thread,
 * found through the glue's thread slot (glue.h).
 *
 * The first thread to allocate gets the static heap, so a process with one
 * thread (every guest program) never maps one; a later thread adopts a
 * heap whose thread ended (akm_thread_exit: trimmed, then ABANDONED), or
 * maps a new one.  Until then the abandoned heap is drained: a block freed
 * into it goes back at once, under the lock (heap.c), so its chunks empty
 * and go to the depot (depot.c) instead of waiting on a remote list.  A heap is never unmapped: its chunks and large mappings
 * may hold blocks that other threads still free into it, and its counters
 * stay part of the process's sums.  After fork(), the heaps of the threads
 * that did not cross into the child become DEAD: their state may be half
 * changed, so they are never adopted; blocks freed into them stay there.
 *
 * Locking: the glue's lock guards the registry (the list of heaps and their
 * states) and the heaps no thread owns; a thread changes its own heap
 * without it.  If no heap can be had (pages in failed), the call uses the
 * shared heap with the lock held: slower, but the program goes on.
 */
#include <malloc/block.h>

#include <malloc/glue.h>

#define HEAP_BYTES akm_round_up(sizeof(akm_chunk_heap_t), AKM_PAGE)

static akm_chunk_heap_t main_heap;    /* the first thread's */
static akm_chunk_heap_t shared_heap;  /* used under the lock when a thread has no heap */
static akm_chunk_heap_t *heaps;       /* every heap in use, linked through next_heap */

/* States are written under the lock and read without it by remote frees (heap.c). */
static void set_state(akm_chunk_heap_t *h, int state)
{
    __atomic_store_n(&h->state, state, __ATOMIC_RELAXED);
}

static void registry_add(akm_chunk_heap_t *h)
{
    h->next_heap = heaps;
    heaps = h;
}

akm_chunk_heap_t *akm_heap_attach(void)
{
    akm_chunk_heap_t *h = NULL;
    bool adopted = false;
    ak_malloc_lock();
    if (main_heap.state == AKM_HEAP_LOOSE) {
        h = &main_heap;
        registry_add(h);
    } else {
        for (h = heaps; h != NULL && h->state != AKM_HEAP_ABANDONED; h = h->next_heap)
            ;
        adopted = h != NULL;
        if (h == NULL && (h = ak_malloc_pages_in(HEAP_BYTES, AKM_PAGE)) != NULL) {
            h->self_bytes = HEAP_BYTES;
            ctr_add(&h->kernel_in, HEAP_BYTES);
            registry_add(h);
        }
    }
    if (h != NULL)
        set_state(h, AKM_HEAP_OWNED);
    ak_malloc_unlock();
    if (h == NULL)
        return NULL;
    ak_malloc_thread_set(h);
    if (adopted)
        akm_chunk_collect(h);
    return h;
}

akm_chunk_heap_t *akm_heap_shared_lock(void)
{
    ak_malloc_lock();
    if (shared_heap.state == AKM_HEAP_LOOSE) {
        set_state(&shared_heap, AKM_HEAP_SHARED);
        registry_add(&shared_heap);
    }
    return &shared_heap;
}

void akm_heap_shared_unlock(void)
{
    ak_malloc_unlock();
}

void akm_thread_exit(void *heap)
{
    akm_chunk_heap_t *h = heap;
    akm_chunk_trim(h);
    ak_malloc_lock();
    if (h->state == AKM_HEAP_OWNED) {
        set_state(h, AKM_HEAP_ABANDONED);
        akm_chunk_collect(h);  /* what other threads freed into it since the trim */
    }
    ak_malloc_unlock();
}

void akm_fork_child(void)
{
    akm_chunk_heap_t *mine = ak_malloc_thread_get();
    akm_depot_fork_child();
    for (akm_chunk_heap_t *h = heaps; h != NULL; h = h->next_heap)
        if (h != mine && h->state == AKM_HEAP_OWNED)
            set_state(h, AKM_HEAP_DEAD);
}

void akm_heaps_stats_locked(ak_malloc_stats_t *out)
{
    *out = (ak_malloc_stats_t){ 0 };
    for (akm_chunk_heap_t *h = heaps; h != NULL; h = h->next_heap)
        akm_chunk_stats_add(h, out);
}

void akm_heaps_stats(ak_malloc_stats_t *out)
{
    ak_malloc_lock();
    akm_heaps_stats_locked(out);
    ak_malloc_unlock();
}

int akm_heaps_trim(akm_chunk_heap_t *mine)
{
    int released = mine != NULL ? akm_chunk_trim(mine) : 0;
    ak_malloc_lock();
    for (akm_chunk_heap_t *h = heaps; h != NULL; h = h->next_heap)
        if ((h->state == AKM_HEAP_ABANDONED || h->state == AKM_HEAP_SHARED) && akm_chunk_trim(h) != 0)
            released = 1;
    ak_malloc_unlock();
    if (mine != NULL && akm_depot_flush(mine) != 0)  /* counted by the caller's heap, its owner */
        released = 1;
    return released;
}

size_t akm_heaps_list(akm_chunk_heap_t **out, size_t max)
{
    size_t n = 0;
    ak_malloc_lock();
    for (akm_chunk_heap_t *h = heaps; h != NULL; h = h->next_heap, n++)
        if (n < max)
            out[n] = h;
    ak_malloc_unlock();
    return n;
}
