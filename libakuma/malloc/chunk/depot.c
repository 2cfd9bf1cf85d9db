/*
 * Chunk mode's depot: empty 64 KiB chunks that heaps gave up, kept for a
 * while for any heap of the process to take before it maps a new one.
 *
 * Why: a heap keeps only a few empty chunks of its own (one per class,
 * AKM_SMALL_CACHE, AKM_CHUNK_SPARES), which is right for one thread but not
 * for a threaded program, whose heaps swing by megabytes as blocks travel
 * between threads and come back in bursts, and whose threads end (their
 * heaps trimmed) and start again.  Without the depot each swing unmapped
 * chunks, interrupting the other threads to flush their TLBs, and mapped
 * and faulted fresh ones in (malloc-threads: 76,000 page faults in a run
 * where mimalloc took 6,000, and a third of the time in the kernel).
 *
 * Policy: a chunk that waits in the depot longer than AKM_DEPOT_AGE_MS
 * goes back to the system at the next depot operation, and the depot holds
 * at most half of the most chunks the process has had mapped at once (at
 * least AKM_DEPOT_MIN): so what it keeps is what the program used recently,
 * bounded by its own peak.  malloc_trim empties it.  A chunk taken from the
 * depot is zeroed first, as a new mapping would be: headers of its old
 * blocks, keyed by the chunk's address, would otherwise pass the checks of
 * a stale pointer freed into its new life.
 *
 * Counting: a chunk in the depot is still paged in; the heap that unmaps it
 * (the one whose operation found it too old) counts the pages out, so the
 * counters summed over heaps stay exact.
 *
 * Where the glue has no clock (the guest: one thread per program, whose
 * heap's own caches suffice) the depot is off: a chunk put is unmapped at
 * once, as before it existed, and get finds nothing without taking a lock.
 *
 * Locking: a spin lock of its own, held for a few list operations only and
 * never across a system call, since heaps put chunks while holding the
 * glue's lock (free_into_abandoned) and without it.  A fork() while another
 * thread holds it leaves the child an empty depot (akm_depot_fork_child):
 * those chunks stay mapped, unused.
 */
#include <malloc/block.h>

#include <common/string.h>
#include <malloc/glue.h>

/* An empty chunk in the depot: its first bytes, the rest unused. */
typedef struct entry {
    uint64_t magic;  /* 0: not a live chunk (stale frees into it are refused) */
    struct entry *newer, *older;
    uint64_t since;  /* ak_malloc_clock_ms() when it came in */
} entry_t;

_Static_assert(sizeof(entry_t) <= AKM_CHUNK_SIZE, "an entry fits a chunk");

static struct {
    int lock;
    entry_t *newest, *oldest;
    size_t count;
    size_t mapped, peak;  /* chunks of 64 KiB mapped by all heaps, depot included */
} depot;

static void lock(void)
{
    while (__atomic_exchange_n(&depot.lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&depot.lock, __ATOMIC_RELAXED))
            ;
}

static void unlock(void)
{
    __atomic_store_n(&depot.lock, 0, __ATOMIC_RELEASE);
}

/* count is read without the lock (akm_depot_get's first look): written atomically. */
static void set_count(size_t n)
{
    __atomic_store_n(&depot.count, n, __ATOMIC_RELAXED);
}

static void unlink_entry(entry_t *e)
{
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        depot.newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        depot.oldest = e->newer;
    set_count(depot.count - 1);
}

static size_t limit(void)
{
    size_t half = depot.peak / 2;
    return half > AKM_DEPOT_MIN ? half : AKM_DEPOT_MIN;
}

/*
 * Takes off the entries too old at `now`, or past the limit (the oldest
 * first), linked through `older` into a list the caller unmaps unlocked.
 */
static entry_t *take_expired(uint64_t now)
{
    entry_t *out = NULL;
    while (depot.oldest != NULL
           && (depot.count > limit() || now - depot.oldest->since > AKM_DEPOT_AGE_MS)) {
        entry_t *e = depot.oldest;
        unlink_entry(e);
        e->older = out;
        out = e;
    }
    return out;
}

static void unmap_list(akm_chunk_heap_t *h, entry_t *e)
{
    size_t n = 0;
    while (e != NULL) {
        entry_t *next = e->older;
        if (ak_malloc_pages_out(e, AKM_CHUNK_SIZE) != 0)
            akm_panic("pages out", e, "the system refused to unmap the allocator's own pages");
        ctr_add(&h->kernel_out, AKM_CHUNK_SIZE);
        e = next;
        n++;
    }
    if (n != 0) {
        lock();
        depot.mapped -= n;
        unlock();
    }
}

void akm_depot_mapped(void)
{
    lock();
    if (++depot.mapped > depot.peak)
        depot.peak = depot.mapped;
    unlock();
}

void *akm_depot_get(akm_chunk_heap_t *h)
{
    if (__atomic_load_n(&depot.count, __ATOMIC_RELAXED) == 0)
        return NULL;
    uint64_t now = ak_malloc_clock_ms();
    lock();
    entry_t *old = take_expired(now);
    entry_t *e = depot.newest;
    if (e != NULL)
        unlink_entry(e);
    unlock();
    unmap_list(h, old);
    if (e != NULL)
        memset(e, 0, AKM_CHUNK_SIZE);
    return e;
}

void akm_depot_put(akm_chunk_heap_t *h, void *chunk)
{
    uint64_t now = ak_malloc_clock_ms();
    entry_t *e = chunk;
    if (now == AK_MALLOC_NO_CLOCK) {
        e->magic = 0;
        e->older = NULL;
        unmap_list(h, e);
        return;
    }
    e->magic = 0;
    e->since = now;
    lock();
    e->newer = NULL;
    e->older = depot.newest;
    if (depot.newest != NULL)
        depot.newest->newer = e;
    else
        depot.oldest = e;
    depot.newest = e;
    set_count(depot.count + 1);
    entry_t *old = take_expired(now);
    unlock();
    unmap_list(h, old);
}

size_t akm_depot_flush(akm_chunk_heap_t *h)
{
    lock();
    entry_t *all = depot.newest;
    size_t n = depot.count;
    depot.newest = depot.oldest = NULL;
    set_count(0);
    unlock();
    unmap_list(h, all);
    return n;
}

void akm_depot_state(size_t *count, size_t *mapped, size_t *peak)
{
    lock();
    *count = depot.count;
    *mapped = depot.mapped;
    *peak = depot.peak;
    unlock();
}

void akm_depot_fork_child(void)
{
    if (__atomic_load_n(&depot.lock, __ATOMIC_RELAXED)) {
        depot.newest = depot.oldest = NULL;
        set_count(0);
        unlock();
    }
}
