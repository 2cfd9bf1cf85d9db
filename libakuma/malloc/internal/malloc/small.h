/*
 * Chunk mode's size classes (private to chunk/): the fast paths of malloc
 * and free, inline because they are the hot path of every program.
 *
 * A request of at most AKM_SMALL_MAX bytes goes to the class whose stride
 * S (block.h: a header word and S - 8 usable bytes) is the smallest that
 * holds it: 16-byte steps to 256, then 8 classes per power of two to 1024
 * and 16 to 4096 (a request wastes at most 1/8 of itself, 1/32 above 1 KiB
 * on average).  Each class of a heap allocates from the first chunk on its
 * list (avail), popping the chunk's free list: malloc is a table look-up,
 * a pop and a header write; free checks the block's header and the next
 * one (an overflow) and pushes the block back on its chunk's list.  Both
 * leave the fast path only when the list runs dry, the chunk empties or
 * was full, or the block belongs to another thread's heap (small.c).
 *
 * The header check is the same as every block's (block.h); HDR_FREE and
 * the request are outside the hash, so neither path recomputes it: the hash
 * of a small block's header is written once, when its chunk is extended.
 */
#ifndef AKUMA_MALLOC_CHUNK_SMALL_H
#define AKUMA_MALLOC_CHUNK_SMALL_H

#include <malloc/block.h>

/* The class of a request of n bytes (n <= AKM_SMALL_MAX) is akm_class_of[SMALL_INDEX(n)]. */
#define SMALL_INDEX(n) (((n) + WORD + GRANULE - 1) >> 4)
#define SMALL_INDEXES  (SMALL_INDEX(AKM_SMALL_MAX) + 1)
extern const uint8_t akm_class_of[SMALL_INDEXES];
extern const uint16_t akm_class_stride[AKM_CLASSES];

/* Slow paths (small.c): a class ran dry; a chunk emptied or was full; another heap's block. */
void *akm_small_refill(akm_chunk_heap_t *h, unsigned cls, size_t n);
void akm_small_freed(akm_chunk_heap_t *h, akm_small_t *s);
void akm_chunk_free_slow(akm_chunk_heap_t *h, void *p);
/* Gives back the empty chunk each class keeps.  Returns how many went. */
size_t akm_small_trim(akm_chunk_heap_t *h);
/* Takes back h's live small block hd (header checked): its neighbour checked, no counters. */
void akm_small_take_back(akm_chunk_heap_t *h, akm_block_t *hd, const char *op);
/* Resizes h's live small block in place to n bytes if its stride holds them (the request only). */
bool akm_small_resize(akm_block_t *hd, size_t n);
/* The checks of a small block's place in its chunk, beyond its header (slower paths). */
void akm_small_check_block(const akm_block_t *hd, uint64_t w, const char *op);
/* akm_chunk_check's parts: the class tables, and one small chunk of h (adds its blocks). */
void akm_small_check_tables(void);
size_t akm_small_check_cache(const akm_chunk_heap_t *h);
void akm_small_check(const akm_chunk_heap_t *h, const akm_small_t *s, uint64_t *user, uint64_t *live,
                     uint64_t *remote);

/*
 * Makes the free block b (a payload of small chunk s, off s's free list)
 * the block for a request of n bytes, counted in h.
 */
static inline void *small_hand_out(akm_chunk_heap_t *h, void *b, size_t n)
{
    akm_block_t *hd = block_of_payload(b);
    uint64_t w = word_load(hd);
    if (!(w & HDR_FREE))
        akm_panic("malloc", b, "corrupted free list of a size class (written after free?)");
    word_store(hd, (w ^ HDR_FREE) | (uint64_t)n << HDR_REQ_SHIFT);
    ctr_add(&h->made, 1);
    ctr_add(&h->user, n);
    return b;
}

/* Pops the first block of s's free list (not empty) for n bytes, counted in h. */
static inline void *small_pop(akm_chunk_heap_t *h, akm_small_t *s, void **b, size_t n)
{
    void *next = *b;
    if (next != NULL && chunk_of(next) != &s->c)
        akm_panic("malloc", b, "corrupted free list of a size class (written after free?)");
    s->free = next;
    s->used++;
    return small_hand_out(h, b, n);
}

/*
 * The fast path of malloc: a block of h's size classes for n bytes, or
 * NULL if it takes more, a damaged free list included (the slow path,
 * akm_small_malloc, finds it again and reports it): so the fast path
 * calls nothing and needs no stack frame.
 */
static inline void *akm_small_try_malloc(akm_chunk_heap_t *h, size_t n)
{
    if (n > AKM_SMALL_MAX)
        return NULL;
    akm_small_t *s = h->avail[akm_class_of[SMALL_INDEX(n)]];
    void **b;
    if (__builtin_expect(s == NULL || (b = s->free) == NULL, 0))
        return NULL;
    akm_block_t *hd = block_of_payload(b);
    uint64_t w = word_load(hd);
    void *next = *b;
    if (__builtin_expect((next != NULL && chunk_of(next) != &s->c) || !(w & HDR_FREE), 0))
        return NULL;
    s->free = next;
    s->used++;
    word_store(hd, (w ^ HDR_FREE) | (uint64_t)n << HDR_REQ_SHIFT);
    ctr_add(&h->made, 1);
    ctr_add(&h->user, n);
    return b;
}

/* A block for n <= AKM_SMALL_MAX bytes from h's size classes; NULL if pages in failed. */
static inline void *akm_small_malloc(akm_chunk_heap_t *h, size_t n)
{
    unsigned cls = akm_class_of[SMALL_INDEX(n)];
    akm_small_t *s = h->avail[cls];
    void **b;
    if (__builtin_expect(s == NULL || (b = s->free) == NULL, 0))
        return akm_small_refill(h, cls, n);
    return small_pop(h, s, b, n);
}

/*
 * Frees p through h: the fast path for a live small block of h, the
 * general one (akm_chunk_free_slow) for everything else, including every
 * error.  Decodes and checks everything before it changes anything.
 */
static inline void akm_small_free(akm_chunk_heap_t *h, void *p)
{
    if (__builtin_expect((akm_addr(p) & (GRANULE - 1)) != 0, 0)) {
        akm_chunk_free_slow(h, p);
        return;
    }
    akm_block_t *hd = block_of_payload(p);
    uint64_t w = word_load(hd);
    akm_small_t *s = (akm_small_t *)(void *)chunk_of(p);
    if (__builtin_expect(!hdr_small_live_in(&s->c, w) || s->c.heap != h, 0)) {
        akm_chunk_free_slow(h, p);
        return;
    }
    akm_block_t *next = block_next(hd, low_size(w));
    if (__builtin_expect(((word_load(next) ^ w) & HDR_SHARED) != 0, 0)) {
        akm_chunk_free_slow(h, p);  /* reports the overflow */
        return;
    }
    word_store(hd, akm_opaque(w & ~HDR_REQ_MASK) | HDR_FREE);
    *(void **)p = s->free;
    s->free = p;
    uint32_t used = --s->used;
    ctr_add(&h->gone, 1);
    ctr_add(&h->user, -(uint64_t)low_req(w));
    if (used == 0) {
        if (__builtin_expect(!s->alone, 0))
            akm_small_freed(h, s);
    } else if (__builtin_expect(s->full, 0)) {
        akm_small_freed(h, s);
    }
}

#endif /* AKUMA_MALLOC_CHUNK_SMALL_H */
