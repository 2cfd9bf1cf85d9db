/*
 * Chunk mode: a two-level segregated fit allocator (TLSF, Masmano et al.
 * 2004) inside 64 KiB chunks obtained with pages in, and a mapping of its
 * own for every request too big for a chunk.  Every operation is O(1)
 * except the walk of akm_chunk_check() and akm_chunk_trim().
 *
 * The heap is a plain struct: all-zero bytes are an empty heap, so a static
 * one needs no initialisation.  It takes no lock (the public wrappers in
 * chunk/malloc.c do) and reaches the system only through glue.h.
 *
 * Errors: every allocating function returns 0 with the block in *out, or
 *   -AK_ENOMEM  pages in failed (reported through ak_malloc_oom() first),
 *               or the request exceeds AK_MALLOC_REQUEST_MAX or overflows
 *               (no report); *out is untouched;
 *   -AK_EINVAL  (akm_chunk_memalign) align is not a power of two.
 * A pointer that is not a live block of h, a double free, and corrupted
 * metadata are found by the checks on every free and realloc and end in
 * ak_malloc_panic().  The checks read the block's header, so a pointer
 * whose memory is no longer mapped (a second free of a large block, or of
 * a block whose chunk went back) faults instead, as in musl's mallocng.
 */
#ifndef AKUMA_MALLOC_CHUNK_H
#define AKUMA_MALLOC_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include <akuma/malloc.h>

/* TLSF parameters: 16-byte granules, 2^5 second-level lists per power of two. */
#define AKM_TLSF_ALIGN_SHIFT 4u
#define AKM_TLSF_SL_SHIFT    5u
#define AKM_TLSF_SL_COUNT    (1u << AKM_TLSF_SL_SHIFT)
/* First level 0 holds the sizes below 512 in 16-byte steps; levels 1..8 a power of two each. */
#define AKM_TLSF_FL_COUNT    9u

/* The chunk: the unit of pages in, aligned to its size so that a block finds its chunk by masking. */
#define AKM_CHUNK_SIZE       ((size_t)64 * 1024)
/* The seed's rule: size + AKM_CHUNK_LARGE_SLACK > AKM_CHUNK_SIZE gets its own mapping. */
#define AKM_CHUNK_LARGE_SLACK ((size_t)1024)
/* Wholly free chunks kept (not given back) so that work at a chunk boundary does not thrash. */
#define AKM_CHUNK_SPARES     1u

typedef struct akm_free akm_free_t;    /* a free block's list links */
typedef struct akm_chunk akm_chunk_t;  /* the header at the start of a chunk */
typedef struct akm_large akm_large_t;  /* the header at the start of a large mapping */

typedef struct {
    /* TLSF: bit f of fl_bitmap is set iff sl_bitmap[f] != 0; bit s of
       sl_bitmap[f] is set iff lists[f][s] is not empty. */
    uint32_t fl_bitmap;
    uint32_t sl_bitmap[AKM_TLSF_FL_COUNT];
    akm_free_t *lists[AKM_TLSF_FL_COUNT][AKM_TLSF_SL_COUNT];

    akm_chunk_t *chunks;   /* every chunk, doubly linked */
    akm_large_t *larges;   /* every large mapping, doubly linked */
    size_t nchunks;
    size_t nlarges;
    size_t spares;         /* chunks that are one free block; at most AKM_CHUNK_SPARES */
    ak_malloc_stats_t stats;
} akm_chunk_heap_t;

/* Allocation (see the errors above).  A zero size gets a minimal block. */
int akm_chunk_malloc(akm_chunk_heap_t *h, size_t size, void **out);
/* n * size zeroed bytes; an overflowing product is -AK_ENOMEM without a report. */
int akm_chunk_calloc(akm_chunk_heap_t *h, size_t n, size_t size, void **out);
/* size bytes aligned to align (a power of two; at most 2^30, else -AK_ENOMEM). */
int akm_chunk_memalign(akm_chunk_heap_t *h, size_t align, size_t size, void **out);
/*
 * Resizes p (NULL: allocates) in place when the block or its mapping can
 * hold size bytes, else moves it, keeping min(old usable, size) bytes.  On
 * an error p is untouched and still live.
 */
int akm_chunk_realloc(akm_chunk_heap_t *h, void *p, size_t size, void **out);
/* Frees p (NULL: nothing), returning empty chunks beyond the spares and large mappings at once. */
void akm_chunk_free(akm_chunk_heap_t *h, void *p);
/* The usable bytes of the live block p; 0 for NULL. */
size_t akm_chunk_usable_size(akm_chunk_heap_t *h, const void *p);
/* Gives back the spare chunks.  Returns 1 if pages went out, else 0. */
int akm_chunk_trim(akm_chunk_heap_t *h);
void akm_chunk_stats(const akm_chunk_heap_t *h, ak_malloc_stats_t *out);
/*
 * Walks and verifies the whole heap: every chunk and block header, the
 * boundary tags, coalescing, the free lists and bitmaps against the blocks,
 * the large mappings, and the counters against all of them.  Reports the
 * first inconsistency through ak_malloc_panic(); returns if there is none.
 */
void akm_chunk_check(const akm_chunk_heap_t *h);

#endif /* AKUMA_MALLOC_CHUNK_H */
