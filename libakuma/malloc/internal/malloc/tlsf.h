/*
 * The TLSF free lists (private to chunk/), inline because they are the
 * hot path of every malloc and free.  A free block (block.h) of size S
 * lives on the list of its class (fl, sl), where fl is S's power of two (sizes below 512
 * share level 0) and sl the next AKM_TLSF_SL_SHIFT bits of S, so a class
 * spans 1/32 of its power of two and the lists of one level cover it
 * exactly.  Two bitmaps say which lists are non-empty; finding a fitting
 * class is two find-first-set operations.
 *
 * A request is rounded up to the next class boundary before the search
 * (good fit): every block in the class found is then big enough, so the
 * head of the list is taken without looking at the others.  The price is
 * at most 1/32 of the request in unused space per search; when the rounded
 * search finds nothing, a bounded scan of the request's own class avoids
 * asking for a new chunk while a block that fits exists.
 *
 * Every unlink checks the neighbours' links before following them (both
 * 16-aligned, next->prev == self and prev->next == self, as glibc does),
 * so a write to a freed block that damaged its links is reported instead
 * of followed in most cases (a link overwritten with another valid-looking
 * address can still fault).
 */
#ifndef AKUMA_MALLOC_CHUNK_TLSF_H
#define AKUMA_MALLOC_CHUNK_TLSF_H

#include <malloc/block.h>

/* Blocks examined in the request's own class when the good-fit search fails. */
#define FIT_SCAN_MAX 8u
#define SMALL_LIMIT  ((size_t)1 << (AKM_TLSF_SL_SHIFT + AKM_TLSF_ALIGN_SHIFT))  /* 512 */
/* Level of the sizes in [2^f, 2^(f+1)) for f >= log2(SMALL_LIMIT). */
#define FL_OFFSET    (AKM_TLSF_SL_SHIFT + AKM_TLSF_ALIGN_SHIFT - 1u)

_Static_assert(AKM_TLSF_SL_COUNT <= 32, "sl_bitmap is 32 bits");
_Static_assert(AKM_TLSF_FL_COUNT <= 32, "fl_bitmap is 32 bits");

static inline unsigned tlsf_fls(size_t x)
{
    return (unsigned)(sizeof(unsigned long long) * 8u - 1u) - (unsigned)__builtin_clzll(x);
}

static inline void tlsf_mapping(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < SMALL_LIMIT) {
        *fl = 0;
        *sl = (unsigned)(size >> AKM_TLSF_ALIGN_SHIFT);
        return;
    }
    unsigned f = tlsf_fls(size);
    *sl = (unsigned)(size >> (f - AKM_TLSF_SL_SHIFT)) ^ AKM_TLSF_SL_COUNT;
    *fl = f - FL_OFFSET;
}

/* The size rounded up to the first size of the next class (unless it starts one). */
static inline size_t tlsf_round_to_class(size_t size)
{
    if (size < SMALL_LIMIT)
        return size;
    return size + ((size_t)1 << (tlsf_fls(size) - AKM_TLSF_SL_SHIFT)) - 1;
}

static inline _Noreturn void tlsf_list_corrupt(const akm_block_t *b)
{
    akm_panic("free list", b, "corrupted links of a free block (written after free?)");
}

/* Adds the free block b of size S (its header and footer already written). */
static inline void tlsf_insert(akm_chunk_heap_t *h, akm_block_t *b, size_t size)
{
    unsigned fl, sl;
    tlsf_mapping(size, &fl, &sl);
    akm_free_t *f = block_links(b);
    akm_free_t *head = h->lists[fl][sl];
    f->next = head;
    f->prev = NULL;
    if (head != NULL)
        head->prev = f;
    h->lists[fl][sl] = f;
    h->sl_bitmap[fl] |= UINT32_C(1) << sl;
    h->fl_bitmap |= UINT32_C(1) << fl;
    if (size == BLOCK_MAX)
        h->spares++;
}

/* Unlinks the free block b of size S, checking its neighbours' links. */
static inline void tlsf_remove(akm_chunk_heap_t *h, akm_block_t *b, size_t size)
{
    unsigned fl, sl;
    tlsf_mapping(size, &fl, &sl);
    akm_free_t *f = block_links(b);
    akm_free_t *next = f->next;
    akm_free_t *prev = f->prev;
    if (((akm_addr(next) | akm_addr(prev)) & (GRANULE - 1)) != 0)
        tlsf_list_corrupt(b);
    if (next != NULL && next->prev != f)
        tlsf_list_corrupt(b);
    if (prev != NULL ? prev->next != f : h->lists[fl][sl] != f)
        tlsf_list_corrupt(b);
    if (next != NULL)
        next->prev = prev;
    if (prev != NULL) {
        prev->next = next;
    } else {
        h->lists[fl][sl] = next;
        if (next == NULL) {
            h->sl_bitmap[fl] &= ~(UINT32_C(1) << sl);
            if (h->sl_bitmap[fl] == 0)
                h->fl_bitmap &= ~(UINT32_C(1) << fl);
        }
    }
    if (size == BLOCK_MAX)
        h->spares--;
}

/* The free block behind list entry f, its header verified; its size in *size. */
static inline akm_block_t *tlsf_listed_block(akm_free_t *f, size_t *size)
{
    akm_block_t *b = links_block(f);
    uint64_t low;
    if (!hdr_get(b, &low) || !(low & HDR_FREE))
        akm_panic("free list", b, "corrupted header of a free block");
    *size = low_size(low);
    return b;
}

/* Unlinks f, the head of list (fl, sl), checking the link it follows. */
static inline void tlsf_pop(akm_chunk_heap_t *h, akm_free_t *f, unsigned fl, unsigned sl)
{
    akm_free_t *next = f->next;
    if ((akm_addr(next) & (GRANULE - 1)) != 0 || f->prev != NULL || (next != NULL && next->prev != f))
        tlsf_list_corrupt(links_block(f));
    h->lists[fl][sl] = next;
    if (next != NULL) {
        next->prev = NULL;
    } else {
        h->sl_bitmap[fl] &= ~(UINT32_C(1) << sl);
        if (h->sl_bitmap[fl] == 0)
            h->fl_bitmap &= ~(UINT32_C(1) << fl);
    }
}

/*
 * Unlinks and returns a free block of at least S bytes, its size in *got:
 * good fit, the head of the smallest non-empty class whose every block
 * fits; else the first fit in a bounded scan of S's own class; else NULL.
 */
static inline akm_block_t *tlsf_take(akm_chunk_heap_t *h, size_t size, size_t *got)
{
    unsigned fl, sl;
    tlsf_mapping(tlsf_round_to_class(size), &fl, &sl);
    uint32_t sl_map = fl < AKM_TLSF_FL_COUNT ? h->sl_bitmap[fl] & (~UINT32_C(0) << sl) : 0;
    if (sl_map == 0) {
        uint32_t fl_map = fl + 1 < AKM_TLSF_FL_COUNT ? h->fl_bitmap & (~UINT32_C(0) << (fl + 1)) : 0;
        if (fl_map != 0) {
            fl = (unsigned)__builtin_ctz(fl_map);
            sl_map = h->sl_bitmap[fl];
        }
    }
    if (sl_map != 0) {
        sl = (unsigned)__builtin_ctz(sl_map);
        akm_free_t *f = h->lists[fl][sl];
        akm_block_t *b = tlsf_listed_block(f, got);
        tlsf_pop(h, f, fl, sl);
        if (*got == BLOCK_MAX)
            h->spares--;
        return b;
    }
    tlsf_mapping(size, &fl, &sl);
    akm_free_t *f = h->lists[fl][sl];
    for (unsigned i = 0; f != NULL && i < FIT_SCAN_MAX; i++, f = f->next) {
        akm_block_t *b = tlsf_listed_block(f, got);
        if (*got >= size) {
            tlsf_remove(h, b, *got);
            return b;
        }
    }
    return NULL;
}

/* Verifies the lists and bitmaps (tlsf.c); returns the number of free blocks on them. */
size_t akm_tlsf_check(const akm_chunk_heap_t *h);

#endif /* AKUMA_MALLOC_CHUNK_TLSF_H */
