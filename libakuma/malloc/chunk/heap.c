/*
 * Chunk mode's operations (chunk.h): the dispatch between size classes
 * (small.h, small.c), TLSF blocks cut from free blocks found by the TLSF
 * lists (tlsf.h) and merged with their free neighbours on free, and large
 * mappings; the frees of other threads' blocks and their collection.
 *
 * Where a request goes: at most AKM_SMALL_MAX bytes with the default
 * alignment, a size class; otherwise, if it fits a chunk (the seed's
 * rule), a TLSF chunk; otherwise a mapping of its own.
 *
 * TLSF chunk release: a free that leaves a chunk empty keeps it as a spare
 * if fewer than AKM_CHUNK_SPARES chunks are empty, else gives it up at
 * once (to the depot, depot.c, which any heap takes from and which gives
 * back to the system what waits too long), so a program whose working set
 * moves back and forth across a chunk boundary reuses the spare instead
 * of giving up and taking a chunk per operation.  (Small chunks keep one
 * empty chunk per class: small.c.)
 *
 * Counters: every pages in and out is added to kernel_in/out of the heap
 * that did it; made and user when a block is handed out, gone and user
 * when one is freed, by the heap of the thread that frees it; calls for
 * a realloc that makes no new block.
 */
#include <malloc/small.h>
#include <malloc/tlsf.h>

#include <akuma/abi/errno.h>
#include <common/string.h>
#include <malloc/glue.h>

/* --- chunks ------------------------------------------------------------- */

static void chunk_link(akm_chunk_heap_t *h, akm_chunk_t *c)
{
    c->magic = chunk_magic(c);
    c->heap = h;
    c->kind = CHUNK_TLSF;
    c->cls = 0;
    c->prev = NULL;
    c->next = h->chunks;
    if (h->chunks != NULL)
        h->chunks->prev = c;
    h->chunks = c;
    h->nchunks++;
}

static void chunk_unlink(akm_chunk_heap_t *h, akm_chunk_t *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        h->chunks = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->magic = 0;
    h->nchunks--;
}

static void pages_out(akm_chunk_heap_t *h, void *p, size_t len)
{
    if (ak_malloc_pages_out(p, len) != 0)
        akm_panic("pages out", p, "the system refused to unmap the allocator's own pages");
    ctr_add(&h->kernel_out, len);
}

/* A new chunk: one free block of BLOCK_MAX, not on the lists; NULL if pages in failed. */
static akm_block_t *chunk_new(akm_chunk_heap_t *h)
{
    akm_chunk_t *c = akm_depot_get(h);
    if (c == NULL) {
        if ((c = ak_malloc_pages_in(AKM_CHUNK_SIZE, AKM_CHUNK_SIZE)) == NULL)
            return NULL;
        ctr_add(&h->kernel_in, AKM_CHUNK_SIZE);
        akm_depot_mapped();
    }
    chunk_link(h, c);
    hdr_set(block_at(c, CHUNK_END), make_low(0, 0, HDR_END | HDR_PREV_FREE));
    akm_block_t *b = block_at(c, CHUNK_HDR);
    hdr_set(b, make_low(BLOCK_MAX, 0, HDR_FREE));
    *block_footer(b, BLOCK_MAX) = BLOCK_MAX;
    return b;
}

static void chunk_release(akm_chunk_heap_t *h, akm_chunk_t *c)
{
    if (c->magic != chunk_magic(c))
        akm_panic("free", c, "corrupted chunk header");
    chunk_unlink(h, c);
    akm_depot_put(h, c);
}

/* --- blocks ------------------------------------------------------------- */

/*
 * Sets or clears HDR_PREV_FREE in the header after a block, which must be
 * valid.  HDR_REMOTE may be set at once by another thread: a mark lost here
 * only weakens its double-free check (the collection still frees it once).
 */
static inline void set_prev_free(akm_block_t *b, bool prev_free)
{
    uint64_t low;
    if (!hdr_get(b, &low))
        akm_panic("block", block_payload(b), "corrupted header after a block (overflow?)");
    hdr_set(b, prev_free ? low | HDR_PREV_FREE : low & ~HDR_PREV_FREE);
}

/* Writes b as a free block of size S (its predecessor is used) and lists it. */
static inline void make_free(akm_chunk_heap_t *h, akm_block_t *b, size_t size)
{
    hdr_set(b, make_low(size, 0, HDR_FREE));
    *block_footer(b, size) = size;
    tlsf_insert(h, b, size);
}

/*
 * Makes b, a free block of `have` bytes already off the lists, the used
 * block for a request of n bytes needing `need`; gives the rest back as a
 * free block if it can stand alone.  prev_free: b's predecessor is free.
 */
static inline void *carve(akm_chunk_heap_t *h, akm_block_t *b, size_t have, size_t need, size_t n,
                          bool prev_free)
{
    if (have - need >= BLOCK_MIN) {
        make_free(h, block_next(b, need), have - need);
    } else {
        need = have;
        set_prev_free(block_next(b, have), false);
    }
    hdr_set(b, make_low(need, n, prev_free ? HDR_PREV_FREE : 0));
    return block_payload(b);
}

/* A free block of at least `need` bytes, off the lists: from the lists, else a new chunk. */
static inline akm_block_t *take_block(akm_chunk_heap_t *h, size_t need, size_t *have)
{
    akm_block_t *b = tlsf_take(h, need, have);
    if (b == NULL) {
        b = chunk_new(h);
        *have = BLOCK_MAX;
    }
    return b;
}

static akm_large_t *large_of(akm_block_t *b, uint64_t low)
{
    return (akm_large_t *)(void *)((char *)b + WORD - low_large_off(low));
}

/*
 * The block of the live pointer p, verified: its header word in *low.
 * Every check that free() does before it changes anything.  The header's
 * check, keyed by its address, is the block's magic; a TLSF chunk's own
 * magic is left to akm_chunk_check() and to the release of the chunk,
 * because reading it on every free costs a cache line per call (measured:
 * a fifth of the L1 misses of the benchmark).
 */
static akm_block_t *live_block(const void *p, const char *op, uint64_t *low)
{
    if ((akm_addr(p) & (GRANULE - 1)) != 0)
        akm_panic(op, p, "not a pointer from malloc (misaligned)");
    akm_block_t *b = block_of_payload(p);
    if (!hdr_get(b, low))
        akm_panic(op, p, "not a pointer from malloc, or its header was overwritten");
    if ((*low & HDR_GONE) == HDR_GONE)
        akm_panic(op, p, "not a pointer from malloc (the end of a chunk)");
    if (*low & HDR_GONE)
        akm_panic(op, p, "double free (the block is already free)");
    if (*low & HDR_END)
        akm_panic(op, p, "not a pointer from malloc (the end of a chunk)");
    if (*low & HDR_SMALL) {
        akm_small_check_block(b, *low, op);
        return b;
    }
    if (*low & HDR_LARGE) {
        size_t off = low_large_off(*low);
        akm_large_t *l = large_of(b, *low);
        if (off < LARGE_HDR || l->magic != large_magic(l) || l->off != off)
            akm_panic(op, p, "corrupted header of a large block");
        return b;
    }
    const akm_chunk_t *c = chunk_of(b);
    if (c->magic != chunk_magic(c))  /* 0: given up (chunk/depot.c) */
        akm_panic(op, p, c->magic == 0 ? "not a pointer from malloc (its chunk is not in use)"
                                       : "corrupted chunk header");
    size_t off = akm_addr(b) - akm_addr(c);
    if (off < CHUNK_HDR || low_size(*low) < BLOCK_MIN || off + low_size(*low) > CHUNK_END)
        akm_panic(op, p, "corrupted block size");
    return b;
}

/* The heap that owns the live block b. */
static akm_chunk_heap_t *owner_of(akm_block_t *b, uint64_t low)
{
    if (low & HDR_LARGE)
        return large_of(b, low)->heap;
    return chunk_of(b)->heap;
}

/* Frees the used TLSF block b (header low), merging it with free neighbours. */
static void block_free(akm_chunk_heap_t *h, akm_block_t *b, uint64_t low, const char *op)
{
    size_t size = low_size(low);
    akm_block_t *next = block_next(b, size);
    uint64_t next_low;
    if (!hdr_get(next, &next_low))
        akm_panic(op, block_payload(b), "corrupted header after the block (overflow?)");
    if (next_low & HDR_PREV_FREE)
        akm_panic(op, block_payload(b), "boundary tag says the block is free");

    hdr_set(b, (low & ~HDR_REMOTE) | HDR_FREE);  /* a later free of b is a double free, merged or not */
    if (low & HDR_PREV_FREE) {
        size_t psize = (size_t)*((uint64_t *)(void *)b - 1);
        if (psize < BLOCK_MIN || psize > akm_addr(b) - akm_addr(chunk_of(b)) - CHUNK_HDR)
            akm_panic(op, block_payload(b), "corrupted boundary tag of the free block before");
        akm_block_t *prev = (akm_block_t *)(void *)((char *)b - psize);
        uint64_t prev_low;
        if (!hdr_get(prev, &prev_low) || !(prev_low & HDR_FREE) || low_size(prev_low) != psize)
            akm_panic(op, block_payload(b), "corrupted header of the free block before");
        tlsf_remove(h, prev, psize);
        b = prev;
        size += psize;
    }
    if (next_low & HDR_FREE) {
        size_t nsize = low_size(next_low);
        tlsf_remove(h, next, nsize);
        size += nsize;
        next = block_next(next, nsize);
    }
    set_prev_free(next, true);
    if (size == BLOCK_MAX && h->spares >= AKM_CHUNK_SPARES) {
        chunk_release(h, chunk_of(b));
        return;
    }
    make_free(h, b, size);
}

/* Resizes the used TLSF block b in place to hold n bytes; false if it cannot. */
static bool block_resize(akm_chunk_heap_t *h, akm_block_t *b, uint64_t low, size_t n)
{
    size_t size = low_size(low);
    size_t need = block_size_for(n);
    uint64_t prev_flag = low & HDR_PREV_FREE;
    akm_block_t *next = block_next(b, size);
    uint64_t next_low;
    if (!hdr_get(next, &next_low))
        akm_panic("realloc", block_payload(b), "corrupted header after the block (overflow?)");
    size_t next_size = (next_low & HDR_FREE) ? low_size(next_low) : 0;

    if (need > size) {
        if (size + next_size < need)
            return false;
        tlsf_remove(h, next, next_size);
        size += next_size;
        next = block_next(b, size);
        if (size - need >= BLOCK_MIN) {
            make_free(h, block_next(b, need), size - need);  /* next keeps HDR_PREV_FREE */
        } else {
            set_prev_free(next, false);
            need = size;
        }
    } else if (size - need >= BLOCK_MIN) {
        size_t rest = size - need;
        if (next_size != 0) {
            tlsf_remove(h, next, next_size);
            rest += next_size;
        } else {
            set_prev_free(next, true);
        }
        make_free(h, block_next(b, need), rest);
    } else {
        need = size;
    }
    hdr_set(b, make_low(need, n, prev_flag));
    return true;
}

/* --- large mappings ------------------------------------------------------ */

/* The seed's round_up(size + 1024, 4 KiB), with room for the offset and at least one byte. */
static size_t large_len(size_t n, size_t off)
{
    size_t before = off > AKM_CHUNK_LARGE_SLACK ? off : AKM_CHUNK_LARGE_SLACK;
    return akm_round_up((n > 0 ? n : 1) + before, AKM_PAGE);
}

static void large_link(akm_chunk_heap_t *h, akm_large_t *l)
{
    l->magic = large_magic(l);
    l->prev = NULL;
    l->next = h->larges;
    if (h->larges != NULL)
        h->larges->prev = l;
    h->larges = l;
    h->nlarges++;
}

/*
 * A mapping of the cache for len bytes with the default offset: the
 * smallest that holds them, its tail beyond len given back if it is more
 * than half of len; off the cache.  NULL if none holds them.
 */
static akm_large_t *large_reuse(akm_chunk_heap_t *h, size_t len)
{
    akm_large_t **best = NULL;
    for (akm_large_t **at = &h->lcache; *at != NULL; at = &(*at)->next)
        if ((*at)->len >= len && (best == NULL || (*at)->len < (*best)->len))
            best = at;
    if (best == NULL)
        return NULL;
    akm_large_t *l = *best;
    *best = l->next;
    h->nlcache--;
    h->lcache_bytes -= l->len;
    if (l->len - len > len / 2) {
        pages_out(h, (char *)l + len, l->len - len);
        l->len = len;
    }
    return l;
}

/* A large mapping for n bytes aligned to align; zero: its payload reads zero. */
static void *large_alloc(akm_chunk_heap_t *h, size_t n, size_t align, bool zero)
{
    size_t off = align > LARGE_HDR ? align : LARGE_HDR;
    size_t len = large_len(n, off);
    akm_large_t *l = off == LARGE_HDR ? large_reuse(h, len) : NULL;
    akm_block_t *b;
    if (l != NULL) {
        if (zero)
            memset(block_payload(block_at(l, off - WORD)), 0, n);
    } else {
        l = ak_malloc_pages_in(len, align > AKM_PAGE ? align : AKM_PAGE);
        if (l == NULL)
            return NULL;
        ctr_add(&h->kernel_in, len);
        l->len = len;
        l->off = off;
    }
    l->heap = h;
    l->requested = n;
    large_link(h, l);
    b = block_at(l, off - WORD);
    hdr_set(b, make_low((size_t)__builtin_ctzll(off) << HDR_SIZE_SHIFT, 0, HDR_LARGE));
    return block_payload(b);
}

static void large_unmap(akm_chunk_heap_t *h, akm_large_t *l)
{
    l->magic = 0;
    pages_out(h, l, l->len);
}

/*
 * Gives back the large mapping l (off the heap's list): to the cache if it
 * has the default offset and fits (AKM_LARGE_CACHE mappings of at most
 * AKM_LARGE_CACHE_BYTES together, the oldest going back to the system to
 * make room), else to the system; always to the system from a heap whose
 * thread has ended, which is being drained.  A cached mapping keeps its
 * header word with HDR_FREE, so a second free of its block is a double
 * free.
 */
static void large_release(akm_chunk_heap_t *h, akm_large_t *l)
{
    if (l->off != LARGE_HDR || l->len > AKM_LARGE_CACHE_BYTES || h->state == AKM_HEAP_ABANDONED) {
        large_unmap(h, l);
        return;
    }
    while (h->nlcache >= AKM_LARGE_CACHE || h->lcache_bytes + l->len > AKM_LARGE_CACHE_BYTES) {
        akm_large_t **oldest = &h->lcache;
        while ((*oldest)->next != NULL)
            oldest = &(*oldest)->next;
        akm_large_t *o = *oldest;
        *oldest = NULL;
        h->nlcache--;
        h->lcache_bytes -= o->len;
        large_unmap(h, o);
    }
    akm_block_t *b = block_at(l, l->off - WORD);
    hdr_set(b, make_low((size_t)__builtin_ctzll(l->off) << HDR_SIZE_SHIFT, 0, HDR_LARGE | HDR_FREE));
    l->magic = 0;
    l->next = h->lcache;
    h->lcache = l;
    h->nlcache++;
    h->lcache_bytes += l->len;
}

/* Gives back every cached large mapping.  Returns how many went. */
static size_t large_trim(akm_chunk_heap_t *h)
{
    size_t n = 0;
    while (h->lcache != NULL) {
        akm_large_t *l = h->lcache;
        h->lcache = l->next;
        h->nlcache--;
        h->lcache_bytes -= l->len;
        large_unmap(h, l);
        n++;
    }
    return n;
}

static void large_free(akm_chunk_heap_t *h, akm_large_t *l)
{
    if (l->prev != NULL)
        l->prev->next = l->next;
    else
        h->larges = l->next;
    if (l->next != NULL)
        l->next->prev = l->prev;
    h->nlarges--;
    large_release(h, l);
}

/*
 * Resizes the large block in place if n fits its mapping (giving back the
 * pages no longer needed) and, unless `stay`, n still needs a mapping of
 * its own.
 */
static bool large_resize(akm_chunk_heap_t *h, akm_large_t *l, size_t n, bool stay)
{
    size_t len = large_len(n, l->off);
    if ((n <= CHUNK_REQUEST_MAX && !stay) || len > l->len)
        return false;
    if (len < l->len) {
        pages_out(h, (char *)l + len, l->len - len);
        l->len = len;
    }
    l->requested = n;
    return true;
}

/* --- operations --------------------------------------------------------- */

/* The stats of h, or of the whole process when h is in the registry, for a report. */
static __attribute__((noinline, cold)) void report_oom(akm_chunk_heap_t *h, size_t request, size_t align)
{
    ak_malloc_stats_t s;
    if (h->state == AKM_HEAP_LOOSE)
        akm_chunk_stats(h, &s);
    else if (h->state == AKM_HEAP_SHARED)
        akm_heaps_stats_locked(&s);
    else
        akm_heaps_stats(&s);
    akm_report_oom(&s, request, align);
}

/* True if a request of n bytes aligned to align goes to a chunk. */
static bool fits_chunk(size_t n, size_t align)
{
    return n <= CHUNK_REQUEST_MAX && block_size_for(n) + align + BLOCK_MIN <= BLOCK_MAX;
}

/* A TLSF block for n bytes (n <= CHUNK_REQUEST_MAX). */
static void *chunk_alloc(akm_chunk_heap_t *h, size_t n)
{
    size_t need = block_size_for(n), have;
    akm_block_t *b = take_block(h, need, &have);
    if (b == NULL)
        return NULL;
    return carve(h, b, have, need, n, false);
}

/*
 * A TLSF block for n bytes aligned to align (> GRANULE; fits_chunk).  The
 * block taken has room for the aligned block and a free block before it
 * (the gap, at least BLOCK_MIN), which goes back on the lists.
 */
static void *chunk_alloc_aligned(akm_chunk_heap_t *h, size_t n, size_t align)
{
    size_t need = block_size_for(n), have;
    akm_block_t *b = take_block(h, need + align + BLOCK_MIN, &have);
    if (b == NULL)
        return NULL;
    uintptr_t payload = akm_addr(block_payload(b));
    size_t gap = akm_round_up(payload, align) - payload;
    if (gap != 0 && gap < BLOCK_MIN)
        gap += align;
    if (gap != 0)
        make_free(h, b, gap);
    return carve(h, block_next(b, gap), have - gap, need, n, gap != 0);
}

/*
 * Allocates n bytes (at most AK_MALLOC_REQUEST_MAX) aligned to align (a
 * power of two from GRANULE to ALIGN_MAX), counted in h; NULL if pages in
 * failed (the caller reports it).
 */
static void *alloc(akm_chunk_heap_t *h, size_t n, size_t align, bool zero)
{
    if (n <= AKM_SMALL_MAX && align == GRANULE)
        return akm_small_malloc(h, n);
    akm_chunk_collect(h);
    void *p;
    if (!fits_chunk(n, align))
        p = large_alloc(h, n, align, zero);
    else if (align == GRANULE)
        p = chunk_alloc(h, n);
    else
        p = chunk_alloc_aligned(h, n, align);
    if (p == NULL)
        return NULL;
    ctr_add(&h->made, 1);
    ctr_add(&h->user, n);
    return p;
}

static size_t usable(akm_block_t *b, uint64_t low)
{
    if (low & HDR_LARGE) {
        akm_large_t *l = large_of(b, low);
        return l->len - l->off;
    }
    return low_size(low) - WORD;
}

static size_t requested(akm_block_t *b, uint64_t low)
{
    if (low & HDR_LARGE)
        return large_of(b, low)->requested;
    return low_req(low);
}

/* Takes back h's live block b (header low, checked), without counting it. */
static void take_back(akm_chunk_heap_t *h, akm_block_t *b, uint64_t low, const char *op)
{
    if (low & HDR_SMALL)
        akm_small_take_back(h, b, op);
    else if (low & HDR_LARGE)
        large_free(h, large_of(b, low));
    else
        block_free(h, b, low, op);
}

/*
 * Frees b, a live block of owner, whose thread has ended, through h: back
 * into owner at once, under the glue's lock, which guards the heaps no
 * thread owns (thread.c); so a heap left behind is drained as its blocks
 * are freed, not only when a new thread adopts it.  The header is checked
 * again under the lock (two threads may free b at once).  Counted in h.
 * Returns false, having done nothing, if owner was adopted meanwhile.
 */
static bool free_into_abandoned(akm_chunk_heap_t *h, akm_chunk_heap_t *owner, akm_block_t *b,
                                const char *op)
{
    bool lock = h->state != AKM_HEAP_SHARED;  /* the shared heap's user holds it already */
    if (lock)
        ak_malloc_lock();
    bool abandoned = owner->state == AKM_HEAP_ABANDONED;
    if (abandoned) {
        uint64_t low;
        if (!hdr_get(b, &low) || (low & HDR_GONE))
            akm_panic(op, block_payload(b), "double free (the block is already free)");
        size_t req = requested(b, low);
        take_back(owner, b, low, op);
        ctr_add(&h->gone, 1);
        ctr_add(&h->user, -(uint64_t)req);
    }
    if (lock)
        ak_malloc_unlock();
    return abandoned;
}

/*
 * Frees b, a live block of another heap, through h: marks it HDR_REMOTE (a
 * second free of it, by any thread, is then a double free) and pushes it
 * on its owner's remote list.  Counted in h.  The header after b is not
 * read here but by the owner when it takes b back (akm_chunk_collect),
 * which reports an overflow with the same message: that header was last
 * written by the owner's thread, so reading it here would be a cache
 * miss on every free from another thread, the costliest step of the path.
 */
static void remote_free(akm_chunk_heap_t *h, akm_chunk_heap_t *owner, akm_block_t *b, uint64_t low,
                        const char *op)
{
    if (__atomic_load_n(&owner->state, __ATOMIC_RELAXED) == AKM_HEAP_ABANDONED
        && free_into_abandoned(h, owner, b, op))
        return;
    size_t req = requested(b, low);
    uint64_t w = word_load(b);
    do {
        if (!hdr_valid(b, w) || (w & (HDR_FREE | HDR_REMOTE)))
            akm_panic(op, block_payload(b), "double free (the block is already free)");
    } while (!__atomic_compare_exchange_n(&b->word, &w, w | HDR_REMOTE, false, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    void **link = block_payload(b);
    void *head = __atomic_load_n(&owner->remote, __ATOMIC_RELAXED);
    do {
        *link = head;
    } while (!__atomic_compare_exchange_n(&owner->remote, &head, (void *)link, true, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
    ctr_add(&h->gone, 1);
    ctr_add(&h->user, -(uint64_t)req);
}

size_t akm_chunk_collect(akm_chunk_heap_t *h)
{
    if (__atomic_load_n(&h->remote, __ATOMIC_RELAXED) == NULL)
        return 0;
    void *list = __atomic_exchange_n(&h->remote, NULL, __ATOMIC_ACQUIRE);
    size_t n = 0;
    while (list != NULL) {
        void *p = list;
        list = *(void **)p;
        akm_block_t *b = block_of_payload(p);
        uint64_t low;
        if (!hdr_get(b, &low) || (low & (HDR_FREE | HDR_END)) || owner_of(b, low) != h)
            akm_panic("free", p, "double free (a block freed by another thread was freed again)");
        take_back(h, b, low & ~HDR_REMOTE, "free");
        n++;
    }
    return n;
}

void akm_chunk_free_slow(akm_chunk_heap_t *h, void *p)
{
    uint64_t low;
    akm_block_t *b = live_block(p, "free", &low);
    akm_chunk_heap_t *owner = owner_of(b, low);
    if (owner != h) {
        remote_free(h, owner, b, low, "free");
        return;
    }
    size_t req = requested(b, low);
    take_back(h, b, low, "free");
    ctr_add(&h->gone, 1);
    ctr_add(&h->user, -(uint64_t)req);
}

int akm_chunk_malloc(akm_chunk_heap_t *h, size_t size, void **out)
{
    if (size > AKM_SMALL_MAX)
        return akm_chunk_memalign(h, GRANULE, size, out);
    void *p = akm_small_malloc(h, size);
    if (p == NULL) {
        report_oom(h, size, GRANULE);
        return -AK_ENOMEM;
    }
    *out = p;
    return 0;
}

int akm_chunk_memalign(akm_chunk_heap_t *h, size_t align, size_t size, void **out)
{
    if (!akm_is_pow2(align))
        return -AK_EINVAL;
    if (size > AK_MALLOC_REQUEST_MAX || align > ALIGN_MAX)
        return -AK_ENOMEM;
    if (align < GRANULE)
        align = GRANULE;
    void *p = alloc(h, size, align, false);
    if (p == NULL) {
        report_oom(h, size, align);
        return -AK_ENOMEM;
    }
    *out = p;
    return 0;
}

int akm_chunk_calloc(akm_chunk_heap_t *h, size_t n, size_t size, void **out)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total) || total > AK_MALLOC_REQUEST_MAX)
        return -AK_ENOMEM;
    void *p = alloc(h, total, GRANULE, true);
    if (p == NULL) {
        report_oom(h, total, GRANULE);
        return -AK_ENOMEM;
    }
    if (fits_chunk(total, GRANULE))  /* a large mapping is fresh from pages in, or zeroed by alloc */
        memset(p, 0, total);
    *out = p;
    return 0;
}

int akm_chunk_realloc(akm_chunk_heap_t *h, void *p, size_t size, void **out)
{
    if (p == NULL)
        return akm_chunk_malloc(h, size, out);
    uint64_t low;
    akm_block_t *b = live_block(p, "realloc", &low);
    if (size > AK_MALLOC_REQUEST_MAX)
        return -AK_ENOMEM;
    size_t old = requested(b, low);
    bool mine = owner_of(b, low) == h;
    bool large = (low & HDR_LARGE) != 0;
    bool in_place = false;
    if (mine) {
        if (low & HDR_SMALL)
            in_place = akm_small_resize(b, size);
        else if (large)
            in_place = large_resize(h, large_of(b, low), size, false);
        else
            in_place = size > AKM_SMALL_MAX && fits_chunk(size, GRANULE) && block_resize(h, b, low, size);
    }
    if (in_place) {
        ctr_add(&h->user, size - old);
        ctr_add(&h->calls, 1);
        *out = p;
        return 0;
    }
    void *q = alloc(h, size, GRANULE, false);
    if (q == NULL) {
        if (mine && large && large_resize(h, large_of(b, low), size, true)) {
            ctr_add(&h->user, size - old);  /* shrinking, it could not move: it stays */
            ctr_add(&h->calls, 1);
            *out = p;
            return 0;
        }
        report_oom(h, size, GRANULE);
        return -AK_ENOMEM;
    }
    b = live_block(p, "realloc", &low);  /* alloc() may have changed HDR_PREV_FREE */
    size_t keep = usable(b, low);
    memcpy(q, p, keep < size ? keep : size);
    if (mine) {
        take_back(h, b, low, "realloc");
        ctr_add(&h->gone, 1);
        ctr_add(&h->user, -(uint64_t)old);
    } else {
        remote_free(h, owner_of(b, low), b, low, "realloc");
    }
    *out = q;
    return 0;
}

void akm_chunk_free(akm_chunk_heap_t *h, void *p)
{
    if (p == NULL)
        return;
    akm_small_free(h, p);
}

size_t akm_chunk_usable_size(akm_chunk_heap_t *h, const void *p)
{
    (void)h;
    if (p == NULL)
        return 0;
    uint64_t low;
    akm_block_t *b = live_block(p, "malloc_usable_size", &low);
    return usable(b, low);
}

int akm_chunk_trim(akm_chunk_heap_t *h)
{
    akm_chunk_collect(h);
    int released = 0;
    akm_chunk_t *c = h->chunks;
    while (c != NULL) {
        akm_chunk_t *next = c->next;
        akm_block_t *b = block_at(c, CHUNK_HDR);
        uint64_t low;
        if (hdr_get(b, &low) && (low & HDR_FREE) && low_size(low) == BLOCK_MAX) {
            tlsf_remove(h, b, BLOCK_MAX);
            chunk_release(h, c);
            released = 1;
        }
        c = next;
    }
    if (akm_small_trim(h) != 0)
        released = 1;
    if (large_trim(h) != 0)
        released = 1;
    return released;
}

void akm_chunk_stats(const akm_chunk_heap_t *h, ak_malloc_stats_t *out)
{
    *out = (ak_malloc_stats_t){ 0 };
    akm_chunk_stats_add(h, out);
}

void akm_chunk_stats_add(const akm_chunk_heap_t *h, ak_malloc_stats_t *sum)
{
    uint64_t made = ctr_get(&h->made);
    sum->kernel_bytes_in += ctr_get(&h->kernel_in);
    sum->kernel_bytes_out += ctr_get(&h->kernel_out);
    sum->alloc_count += made + ctr_get(&h->calls);
    sum->user_bytes += ctr_get(&h->user);
    sum->live_blocks += made - ctr_get(&h->gone);
}

/* --- check -------------------------------------------------------------- */

static _Noreturn void check_fail(const void *where, const char *why)
{
    akm_panic("check", where, why);
}

/* Walks one TLSF chunk's blocks; adds its used bytes and blocks, returns its free blocks. */
static size_t check_chunk(const akm_chunk_heap_t *h, const akm_chunk_t *c, uint64_t *user, uint64_t *live,
                          uint64_t *remote)
{
    if (c->magic != chunk_magic(c) || chunk_of(c) != c || c->heap != h || c->kind != CHUNK_TLSF)
        check_fail(c, "chunk header");
    size_t nfree = 0;
    size_t off = CHUNK_HDR;
    bool prev_free = false;
    for (;;) {
        akm_block_t *b = block_at((void *)(uintptr_t)c, off);
        uint64_t low;
        if (!hdr_get(b, &low))
            check_fail(b, "header word fails its check");
        if (((low & HDR_PREV_FREE) != 0) != prev_free)
            check_fail(b, "HDR_PREV_FREE disagrees with the block before");
        if (low & HDR_END) {
            if (off != CHUNK_END || low_size(low) != 0)
                check_fail(b, "end sentinel misplaced");
            return nfree;
        }
        size_t size = low_size(low);
        if (low & (HDR_LARGE | HDR_SMALL) || size < BLOCK_MIN || size % GRANULE != 0 || size > CHUNK_END - off)
            check_fail(b, "block size out of its chunk");
        if (low & HDR_FREE) {
            if (prev_free)
                check_fail(b, "two adjacent free blocks");
            if (*block_footer(b, size) != size || low_req(low) != 0 || (low & HDR_REMOTE))
                check_fail(b, "free block footer");
            nfree++;
        } else if (low & HDR_REMOTE) {
            ++*remote;
        } else {
            if (low_req(low) > size - WORD)
                check_fail(b, "request larger than the block");
            *user += low_req(low);
            ++*live;
        }
        prev_free = (low & HDR_FREE) != 0;
        off += size;
    }
}

/* One class's list, or the full list (cls < 0): links, membership, flags; walks each chunk. */
static size_t check_small_list(const akm_chunk_heap_t *h, const akm_small_t *head, const akm_small_t *tail,
                               int cls, uint64_t *user, uint64_t *live, uint64_t *remote)
{
    size_t n = 0;
    const akm_small_t *prev = NULL;
    for (const akm_small_t *s = head; s != NULL; prev = s, s = (const akm_small_t *)(const void *)s->c.next) {
        if ((const akm_chunk_t *)(const void *)prev != s->c.prev || (cls >= 0 ? s->full || s->c.cls != (unsigned)cls : !s->full))
            check_fail(s, "size class list");
        if (cls >= 0 && s->used == 0 && (s != head || s->c.next != NULL))
            check_fail(s, "an empty chunk kept beside others of its class");
        akm_small_check(h, s, user, live, remote);
        if (++n > h->nsmall)
            check_fail(h, "size class list longer than the chunks");
    }
    if (cls >= 0 && tail != prev)
        check_fail(h, "size class list tail");
    return n;
}

/* The blocks of h: adds its live blocks' requests and count, and the pages it holds. */
static void check_heap(const akm_chunk_heap_t *h, uint64_t *user, uint64_t *live, uint64_t *held)
{
    uint64_t remote = 0;
    size_t nfree = 0, n = 0;
    const akm_chunk_t *prev = NULL;
    akm_small_check_tables();
    for (const akm_chunk_t *c = h->chunks; c != NULL; prev = c, c = c->next, n++) {
        if (c->prev != prev)
            check_fail(c, "chunk list back link");
        nfree += check_chunk(h, c, user, live, &remote);
        *held += AKM_CHUNK_SIZE;
    }
    if (n != h->nchunks)
        check_fail(h, "chunk count");
    if (akm_tlsf_check(h) != nfree)
        check_fail(h, "free blocks in chunks and on the lists differ");

    n = check_small_list(h, h->full, NULL, -1, user, live, &remote);
    for (unsigned cls = 0; cls < AKM_CLASSES; cls++)
        n += check_small_list(h, h->avail[cls], h->avail_tail[cls], (int)cls, user, live, &remote);
    if (n != h->nsmall)
        check_fail(h, "small chunk count");
    *held += (n + akm_small_check_cache(h)) * AKM_CHUNK_SIZE;

    const akm_large_t *lprev = NULL;
    n = 0;
    for (const akm_large_t *l = h->larges; l != NULL; lprev = l, l = l->next, n++) {
        if (l->magic != large_magic(l) || l->heap != h || l->prev != lprev || l->len % AKM_PAGE != 0)
            check_fail(l, "large mapping header");
        uint64_t low;
        if (l->off < LARGE_HDR || l->off >= l->len || !akm_is_pow2(l->off)
            || !hdr_get(block_at((void *)(uintptr_t)l, l->off - WORD), &low)
            || (low & ~HDR_REMOTE) != make_low((size_t)__builtin_ctzll(l->off) << HDR_SIZE_SHIFT, 0, HDR_LARGE)
            || l->requested > l->len - l->off)
            check_fail(l, "large block header word");
        if (low & HDR_REMOTE) {
            remote++;
        } else {
            *user += l->requested;
            ++*live;
        }
        *held += l->len;
    }
    if (n != h->nlarges)
        check_fail(h, "large mapping count");
    n = 0;
    size_t cached = 0;
    for (const akm_large_t *l = h->lcache; l != NULL; l = l->next) {
        uint64_t low;
        if (l->magic != 0 || l->off != LARGE_HDR || l->len % AKM_PAGE != 0 || l->len > AKM_LARGE_CACHE_BYTES
            || !hdr_get(block_at((void *)(uintptr_t)l, l->off - WORD), &low)
            || low != make_low((size_t)__builtin_ctzll(l->off) << HDR_SIZE_SHIFT, 0, HDR_LARGE | HDR_FREE))
            check_fail(l, "cached large mapping");
        if (++n > AKM_LARGE_CACHE)
            check_fail(h, "large cache too long");
        cached += l->len;
    }
    if (n != h->nlcache || cached != h->lcache_bytes || cached > AKM_LARGE_CACHE_BYTES)
        check_fail(h, "large cache counts");
    *held += cached;

    /* Every block marked HDR_REMOTE is on the list; one whose mark its owner
       overwrote (set_prev_free) is on it unmarked, and counted gone. */
    n = 0;
    size_t marked = 0;
    for (const void *p = __atomic_load_n(&h->remote, __ATOMIC_ACQUIRE); p != NULL; p = *(void *const *)p) {
        akm_block_t *b = block_of_payload(p);
        uint64_t low;
        if (!hdr_get(b, &low) || (low & (HDR_FREE | HDR_END)) || owner_of(b, low) != h)
            check_fail(p, "remote list entry");
        if (++n > h->nsmall * AKM_CHUNK_SIZE / GRANULE + h->nchunks * AKM_CHUNK_SIZE + h->nlarges)
            check_fail(h, "remote list loops");
        if (low & HDR_REMOTE) {
            marked++;
        } else {
            *user -= requested(b, low);
            --*live;
        }
    }
    if (marked != remote)
        check_fail(h, "blocks marked as freed by another thread and the remote list differ");
    *held += h->self_bytes;
}

void akm_chunk_check(const akm_chunk_heap_t *h)
{
    akm_chunk_check_heaps(&h, 1);
}

void akm_chunk_check_heaps(const akm_chunk_heap_t *const *heaps, size_t count)
{
    uint64_t user = 0, live = 0, held = 0;
    ak_malloc_stats_t s = { 0 };
    for (size_t i = 0; i < count; i++) {
        check_heap(heaps[i], &user, &live, &held);
        akm_chunk_stats_add(heaps[i], &s);
    }
    size_t depot, mapped, peak;  /* the depot's chunks are still paged in, by these heaps */
    akm_depot_state(&depot, &mapped, &peak);
    held += (uint64_t)depot * AKM_CHUNK_SIZE;
    if (user != s.user_bytes || live != s.live_blocks)
        check_fail(heaps[0], "user_bytes or live_blocks disagree with the blocks");
    if (s.kernel_bytes_in - s.kernel_bytes_out != held)
        check_fail(heaps[0], "pages in minus pages out differ from the pages held");
}
