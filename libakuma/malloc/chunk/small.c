/*
 * Chunk mode's size classes (small.h has the fast paths): the class
 * tables, the slow paths that give a class a chunk, extend it or move it
 * between the lists, and the walk of a small chunk for akm_chunk_check().
 *
 * Chunks of a class: the first on the class's list (avail) is the one
 * allocated from; a chunk without a free block is extended (its next
 * EXTEND_BYTES of blocks get their headers) while blocks remain unwritten,
 * so a chunk touches its pages as it fills, not when it is mapped; one
 * with neither goes to the heap's full list and comes back (at the tail)
 * when one of its blocks is freed.  A chunk that empties is given back at
 * once unless it is the only chunk of its class with room: so a program
 * whose work moves back and forth across a chunk boundary, or that frees
 * its last block of a size and allocates it again (allocstress), keeps
 * the chunk instead of mapping and unmapping one per operation.  Other
 * empty chunks go to the heap's cache (AKM_SMALL_CACHE of them), from
 * which any class takes a chunk before it maps one, and beyond it to the
 * depot (depot.c), shared by the heaps, which gives back to the system
 * what waits there too long.  So at most one empty chunk per class and
 * AKM_SMALL_CACHE more are kept by a heap (akm_chunk_trim gives them all
 * up).
 */
#include <malloc/small.h>

#include <malloc/glue.h>

const volatile uint64_t akm_hdr_key = UINT64_C(0x9E3779B97F4A7C15);

/* Bytes of blocks written per extension: a page, so that only pages in use are touched. */
#define EXTEND_BYTES ((size_t)4096)

const uint16_t akm_class_stride[AKM_CLASSES] = {
    16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192,
    208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512,
    576, 640, 704, 768, 832, 896, 960, 1024, 1088, 1152, 1216, 1280,
    1344, 1408, 1472, 1536, 1600, 1664, 1728, 1792, 1856, 1920, 1984, 2048,
    2176, 2304, 2432, 2560, 2688, 2816, 2944, 3072, 3200, 3328, 3456, 3584,
    3712, 3840, 3968, 4096, 4224,
};

/* By SMALL_INDEX(n): the first class whose stride holds n + WORD (akm_small_check_tables). */
const uint8_t akm_class_of[SMALL_INDEXES] = {
    0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 16, 17,
    17, 18, 18, 19, 19, 20, 20, 21, 21, 22, 22, 23, 23, 24, 24, 24, 24, 25, 25, 25,
    25, 26, 26, 26, 26, 27, 27, 27, 27, 28, 28, 28, 28, 29, 29, 29, 29, 30, 30, 30,
    30, 31, 31, 31, 31, 32, 32, 32, 32, 33, 33, 33, 33, 34, 34, 34, 34, 35, 35, 35,
    35, 36, 36, 36, 36, 37, 37, 37, 37, 38, 38, 38, 38, 39, 39, 39, 39, 40, 40, 40,
    40, 41, 41, 41, 41, 42, 42, 42, 42, 43, 43, 43, 43, 44, 44, 44, 44, 45, 45, 45,
    45, 46, 46, 46, 46, 47, 47, 47, 47, 48, 48, 48, 48, 48, 48, 48, 48, 49, 49, 49,
    49, 49, 49, 49, 49, 50, 50, 50, 50, 50, 50, 50, 50, 51, 51, 51, 51, 51, 51, 51,
    51, 52, 52, 52, 52, 52, 52, 52, 52, 53, 53, 53, 53, 53, 53, 53, 53, 54, 54, 54,
    54, 54, 54, 54, 54, 55, 55, 55, 55, 55, 55, 55, 55, 56, 56, 56, 56, 56, 56, 56,
    56, 57, 57, 57, 57, 57, 57, 57, 57, 58, 58, 58, 58, 58, 58, 58, 58, 59, 59, 59,
    59, 59, 59, 59, 59, 60, 60, 60, 60, 60, 60, 60, 60, 61, 61, 61, 61, 61, 61, 61,
    61, 62, 62, 62, 62, 62, 62, 62, 62, 63, 63, 63, 63, 63, 63, 63, 63, 64,
};

_Static_assert(SMALL_INDEXES == 258, "the class table covers every small request");
_Static_assert(AKM_SMALL_MAX + WORD <= 4224, "the last class holds the largest small request");

/* --- lists ---------------------------------------------------------------- */

/*
 * Doubly linked lists of small chunks through c.next and c.prev (c is the
 * first member, so a NULL link converts either way without touching it).
 */
static akm_chunk_t *as_chunk(akm_small_t *s)
{
    return (akm_chunk_t *)(void *)s;
}

static akm_small_t *as_small(akm_chunk_t *c)
{
    return (akm_small_t *)(void *)c;
}

static void list_remove(akm_small_t **head, akm_small_t **tail, akm_small_t *s)
{
    akm_small_t *next = as_small(s->c.next), *prev = as_small(s->c.prev);
    if (prev != NULL)
        prev->c.next = as_chunk(next);
    else
        *head = next;
    if (next != NULL)
        next->c.prev = as_chunk(prev);
    else if (tail != NULL)
        *tail = prev;
    s->c.next = s->c.prev = NULL;
}

static void list_push_head(akm_small_t **head, akm_small_t **tail, akm_small_t *s)
{
    s->c.prev = NULL;
    s->c.next = as_chunk(*head);
    if (*head != NULL)
        (*head)->c.prev = as_chunk(s);
    else if (tail != NULL)
        *tail = s;
    *head = s;
}

/* Keeps `alone` true exactly for the only chunk of a class's list. */
static void avail_mark(akm_chunk_heap_t *h, unsigned cls)
{
    akm_small_t *head = h->avail[cls];
    if (head != NULL) {
        head->alone = head->c.next == NULL;
        if (head->c.next != NULL)
            as_small(head->c.next)->alone = 0;
    }
}

static void avail_push_head(akm_chunk_heap_t *h, akm_small_t *s)
{
    list_push_head(&h->avail[s->c.cls], &h->avail_tail[s->c.cls], s);
    avail_mark(h, s->c.cls);
}

static void avail_push_tail(akm_chunk_heap_t *h, akm_small_t *s)
{
    akm_small_t **head = &h->avail[s->c.cls], **tail = &h->avail_tail[s->c.cls];
    s->c.next = NULL;
    s->c.prev = as_chunk(*tail);
    s->alone = 0;
    if (*tail != NULL)
        (*tail)->c.next = as_chunk(s);
    else
        *head = s;
    *tail = s;
    avail_mark(h, s->c.cls);
}

static void avail_remove(akm_chunk_heap_t *h, akm_small_t *s)
{
    list_remove(&h->avail[s->c.cls], &h->avail_tail[s->c.cls], s);
    s->alone = 0;
    avail_mark(h, s->c.cls);
}

/* --- chunks ------------------------------------------------------------- */

/*
 * A new, empty chunk of class cls at the head of its list, from the cache
 * or pages in; NULL if pages in failed.  A cached chunk of another class
 * has the headers of its old blocks wiped first: they would pass the check
 * of its new headers (both are keyed by the chunk), and a stale pointer
 * freed again must not.
 */
static akm_small_t *small_new(akm_chunk_heap_t *h, unsigned cls)
{
    akm_small_t *s = h->cache;
    if (s != NULL) {
        h->cache = as_small(s->c.next);
        h->ncache--;
        if (s->c.cls != cls) {
            char *p = (char *)s + SMALL_FIRST;
            for (uint32_t i = 0; i <= s->capacity; i++, p += s->stride)
                word_store(block_of_payload(p), 0);
        }
    } else if ((s = akm_depot_get(h)) == NULL) {
        s = ak_malloc_pages_in(AKM_CHUNK_SIZE, AKM_CHUNK_SIZE);
        if (s == NULL)
            return NULL;
        ctr_add(&h->kernel_in, AKM_CHUNK_SIZE);
        akm_depot_mapped();
    }
    size_t stride = akm_class_stride[cls];
    s->c.magic = chunk_magic(&s->c);
    s->c.heap = h;
    s->c.kind = CHUNK_SMALL;
    s->c.cls = cls;
    s->free = NULL;
    s->used = 0;
    s->capacity = 0;
    s->reserved = (uint32_t)((AKM_CHUNK_SIZE - SMALL_FIRST) / stride);
    s->full = 0;
    s->stride = (uint32_t)stride;
    avail_push_head(h, s);
    h->nsmall++;
    return s;
}

static void small_unmap(akm_chunk_heap_t *h, akm_small_t *s)
{
    s->c.magic = 0;
    akm_depot_put(h, s);
}

/* The empty chunk s leaves its class: to the cache, or to the depot if the cache is full. */
static void small_release(akm_chunk_heap_t *h, akm_small_t *s)
{
    if (s->c.magic != chunk_magic(&s->c))
        akm_panic("free", s, "corrupted chunk header");
    avail_remove(h, s);
    h->nsmall--;
    if (h->ncache < AKM_SMALL_CACHE) {
        s->c.next = as_chunk(h->cache);
        h->cache = s;
        h->ncache++;
        return;
    }
    small_unmap(h, s);
}

/* Writes the headers of the chunk's next blocks, at most a page of them, as its free list. */
static void small_extend(akm_small_t *s)
{
    size_t stride = s->stride;
    uint32_t n = (uint32_t)(EXTEND_BYTES / stride);
    if (n == 0)
        n = 1;
    if (n > s->reserved - s->capacity)
        n = s->reserved - s->capacity;
    char *first = (char *)s + SMALL_FIRST + s->capacity * stride;
    char *p = first;
    for (uint32_t i = 0; i < n; i++, p += stride) {
        hdr_set(block_of_payload(p), make_low(stride, 0, HDR_SMALL | HDR_FREE));
        *(void **)(void *)p = i + 1 < n ? p + stride : NULL;
    }
    hdr_set(block_of_payload(p), make_low(stride, 0, HDR_SMALL | HDR_GONE));  /* until the next extension */
    s->free = first;
    __atomic_store_n(&s->capacity, s->capacity + n, __ATOMIC_RELAXED);  /* read by other threads' checks */
}

void *akm_small_refill(akm_chunk_heap_t *h, unsigned cls, size_t n)
{
    if (__atomic_load_n(&h->remote, __ATOMIC_RELAXED) != NULL) {
        akm_chunk_collect(h);
        if (h->avail[cls] != NULL && h->avail[cls]->free != NULL)
            return akm_small_malloc(h, n);
    }
    akm_small_t *s;
    while ((s = h->avail[cls]) != NULL && s->free == NULL && s->capacity == s->reserved) {
        avail_remove(h, s);  /* no room: to the full list until a block comes back */
        s->full = 1;
        list_push_head(&h->full, NULL, s);
    }
    if (s == NULL && (s = small_new(h, cls)) == NULL)
        return NULL;
    if (s->free == NULL)
        small_extend(s);
    void **b = s->free;
    s->free = *b;
    s->used++;
    return small_hand_out(h, b, n);
}

void akm_small_freed(akm_chunk_heap_t *h, akm_small_t *s)
{
    if (s->full) {
        list_remove(&h->full, NULL, s);
        s->full = 0;
        avail_push_tail(h, s);
    }
    if (s->used == 0 && !s->alone)
        small_release(h, s);
}

size_t akm_small_trim(akm_chunk_heap_t *h)
{
    size_t n = 0;
    for (unsigned cls = 0; cls < AKM_CLASSES; cls++) {
        akm_small_t *s = h->avail[cls];
        if (s != NULL && s->used == 0 && s->alone) {  /* the one kept */
            if (s->c.magic != chunk_magic(&s->c))
                akm_panic("trim", s, "corrupted chunk header");
            avail_remove(h, s);
            h->nsmall--;
            small_unmap(h, s);
            n++;
        }
    }
    while (h->cache != NULL) {
        akm_small_t *s = h->cache;
        h->cache = as_small(s->c.next);
        h->ncache--;
        small_unmap(h, s);
        n++;
    }
    return n;
}

/* --- blocks --------------------------------------------------------------- */

/*
 * Takes back the live small block at hd (its header verified) of h, for
 * op: checks the next header, then frees it.  No counters.
 */
void akm_small_take_back(akm_chunk_heap_t *h, akm_block_t *hd, const char *op)
{
    akm_small_t *s = (akm_small_t *)(void *)chunk_of(hd);
    uint64_t w = word_load(hd);
    akm_block_t *next = block_next(hd, low_size(w));
    if (!hdr_valid(next, word_load(next)))
        akm_panic(op, block_payload(hd), "corrupted header after the block (overflow?)");
    word_store(hd, (w & ~(HDR_REQ_MASK | HDR_REMOTE)) | HDR_FREE);
    void *p = block_payload(hd);
    *(void **)p = s->free;
    s->free = p;
    uint32_t used = --s->used;
    if (used == 0 ? !s->alone : s->full)
        akm_small_freed(h, s);
}

/* Resizes the live small block hd in place to n bytes if its stride holds them. */
bool akm_small_resize(akm_block_t *hd, size_t n)
{
    uint64_t w = word_load(hd);
    size_t stride = low_size(w);
    if (n > AKM_SMALL_MAX || n + WORD > stride)
        return false;
    word_store(hd, (w & ~HDR_REQ_MASK) | (uint64_t)n << HDR_REQ_SHIFT);
    return true;
}

/* A live small block's checks beyond its header (free's slow path, realloc, usable size). */
void akm_small_check_block(const akm_block_t *hd, uint64_t w, const char *op)
{
    const akm_small_t *s = (const akm_small_t *)(const void *)chunk_of(hd);
    size_t stride = low_size(w);
    size_t off = akm_addr(hd) + WORD - akm_addr(s);
    if (s->c.magic != chunk_magic(&s->c) || s->c.kind != CHUNK_SMALL || s->c.cls >= AKM_CLASSES
        || akm_class_stride[s->c.cls] != stride || off < SMALL_FIRST
        || (off - SMALL_FIRST) % stride != 0
        || (off - SMALL_FIRST) / stride >= __atomic_load_n(&s->capacity, __ATOMIC_RELAXED))
        akm_panic(op, block_payload((akm_block_t *)(uintptr_t)hd), "corrupted block of a size class");
}

/* --- check ---------------------------------------------------------------- */

static _Noreturn void check_fail(const void *where, const char *why)
{
    akm_panic("check", where, why);
}

/* The cache of empty chunks: each a small chunk of h without blocks in use; adds the pages held. */
size_t akm_small_check_cache(const akm_chunk_heap_t *h)
{
    size_t n = 0;
    for (const akm_small_t *s = h->cache; s != NULL; s = (const akm_small_t *)(const void *)s->c.next) {
        if (s->c.magic != chunk_magic(&s->c) || s->c.heap != h || s->c.kind != CHUNK_SMALL || s->used != 0)
            check_fail(s, "cached empty chunk");
        if (++n > AKM_SMALL_CACHE)
            check_fail(h, "cache of empty chunks too long");
    }
    if (n != h->ncache)
        check_fail(h, "cache count");
    return n;
}

/* The class table against the strides: each index's class is the first that holds it. */
void akm_small_check_tables(void)
{
    for (size_t i = 1; i < SMALL_INDEXES; i++) {
        unsigned c = akm_class_of[i];
        if (c >= AKM_CLASSES || akm_class_stride[c] < i * GRANULE
            || (c > 0 && akm_class_stride[c - 1] >= i * GRANULE))
            check_fail(akm_class_of, "size class table");
    }
    for (unsigned c = 1; c < AKM_CLASSES; c++)
        if (akm_class_stride[c] <= akm_class_stride[c - 1] || akm_class_stride[c] % GRANULE != 0)
            check_fail(akm_class_stride, "size class strides");
}

/*
 * Walks a small chunk of h: its blocks, its free list and counts; adds its
 * live blocks and their requested bytes, and the blocks freed by other
 * threads not yet taken back to *remote.
 */
void akm_small_check(const akm_chunk_heap_t *h, const akm_small_t *s, uint64_t *user, uint64_t *live,
                     uint64_t *remote)
{
    if (s->c.magic != chunk_magic(&s->c) || chunk_of(s) != &s->c || s->c.heap != h
        || s->c.kind != CHUNK_SMALL || s->c.cls >= AKM_CLASSES)
        check_fail(s, "chunk header");
    size_t stride = akm_class_stride[s->c.cls];
    if (s->reserved != (AKM_CHUNK_SIZE - SMALL_FIRST) / stride || s->capacity > s->reserved
        || s->stride != stride)
        check_fail(s, "small chunk capacity");
    uint32_t nfree = 0;
    const char *p = (const char *)s + SMALL_FIRST;
    for (uint32_t i = 0; i < s->capacity; i++, p += stride) {
        const akm_block_t *hd = block_of_payload(p);
        uint64_t w = word_load(hd);
        if (!hdr_valid(hd, w) || (w & (HDR_PREV_FREE | HDR_LARGE | HDR_END | HDR_SMALL)) != HDR_SMALL
            || low_size(w) != stride || (w & HDR_GONE) == HDR_GONE)
            check_fail(hd, "small block header");
        if (w & HDR_FREE) {
            if (low_req(w) != 0 || (w & HDR_REMOTE))
                check_fail(hd, "free small block");
            nfree++;
        } else if (w & HDR_REMOTE) {
            ++*remote;
        } else {
            if (low_req(w) > stride - WORD)
                check_fail(hd, "request larger than the block");
            *user += low_req(w);
            ++*live;
        }
    }
    uint64_t end;
    if (!hdr_get(block_of_payload(p), &end) || end != make_low(stride, 0, HDR_SMALL | HDR_GONE))
        check_fail(p, "sentinel after the last written block");
    uint32_t listed = 0;
    for (const void *f = s->free; f != NULL; f = *(void *const *)f) {
        size_t off = akm_addr(f) - akm_addr(s);
        if (chunk_of(f) != &s->c || off < SMALL_FIRST || (off - SMALL_FIRST) % stride != 0
            || (off - SMALL_FIRST) / stride >= s->capacity || !(word_load(block_of_payload(f)) & HDR_FREE))
            check_fail(f, "free list of a size class");
        if (++listed > nfree)
            check_fail(s, "free list of a size class is longer than its free blocks");
    }
    if (listed != nfree || s->used != s->capacity - nfree)
        check_fail(s, "small chunk counts");
    if (s->full && (s->free != NULL || s->capacity != s->reserved))
        check_fail(s, "a full chunk with room");
    bool alone = !s->full && h->avail[s->c.cls] == s && s->c.next == NULL;
    if (s->alone != alone)
        check_fail(s, "alone disagrees with the class's list");
}
