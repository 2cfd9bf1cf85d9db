/*
 * Chunk mode: size classes for small requests, served from free lists
 * local to a 64 KiB chunk (free-list sharding, as mimalloc's pages), a
 * two-level segregated fit allocator (TLSF, Masmano et al. 2004) for mid
 * sizes and aligned requests inside chunks of their own, and a mapping of
 * its own for every request too big for a chunk (the seed's rule).
 *
 * A heap (akm_chunk_heap_t) owns its chunks and large mappings, and only
 * the thread that owns the heap changes them: every operation here takes
 * the caller's heap h and no lock.  A block of another heap given to free
 * or realloc is marked HDR_REMOTE with one compare-and-swap and pushed on
 * its owner's remote list, which the owner takes back with one atomic
 * exchange (akm_chunk_collect) when a size class runs dry, on its slower
 * paths, and when it checks.  Counters are per heap and additive: a block
 * freed through heap h counts as gone in h, so the process's counters are
 * the sum over its heaps (thread.c), exact whenever no heap is mid-call.
 *
 * The heap is a plain struct: all-zero bytes are an empty heap, so a static
 * one needs no initialisation.  It reaches the system only through glue.h.
 * Every operation is O(1) except the walks of akm_chunk_check(),
 * akm_chunk_trim() and the collection of remote frees (one step each).
 *
 * Errors: every allocating function returns 0 with the block in *out, or
 *   -AK_ENOMEM  pages in failed (reported through ak_malloc_oom() first),
 *               or the request exceeds AK_MALLOC_REQUEST_MAX or overflows
 *               (no report); *out is untouched;
 *   -AK_EINVAL  (akm_chunk_memalign) align is not a power of two.
 * A pointer that is not a live block, a double free, and corrupted
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
/* Wholly free TLSF chunks kept (not given back) so that work at a chunk boundary does not thrash. */
#define AKM_CHUNK_SPARES     1u
/* Empty small chunks a heap keeps for any class, so that classes whose counts rise and fall do not map and unmap. */
#define AKM_SMALL_CACHE      4u
/*
 * Freed large mappings a heap keeps for its next large requests (each
 * still a mapping of its own, the seed's rule), so that a program that
 * allocates and frees big buffers in turn neither maps nor faults its
 * pages again; at most this many, of this many bytes together.
 */
#define AKM_LARGE_CACHE       16u
#define AKM_LARGE_CACHE_BYTES ((size_t)4 * 1024 * 1024)
/*
 * The depot (chunk/depot.c): empty chunks of all heaps kept for any heap
 * to take, each for at most AKM_DEPOT_AGE_MS, at most half the process's
 * peak of chunks mapped but always AKM_DEPOT_MIN.  Off where the glue has
 * no clock.
 */
#define AKM_DEPOT_AGE_MS     500u
#define AKM_DEPOT_MIN        16u
/* The largest request served by a size class; 65 classes, 16 to 4224 bytes a block. */
#define AKM_SMALL_MAX        ((size_t)4096)
#define AKM_CLASSES          65u

typedef struct akm_free akm_free_t;    /* a free block's list links */
typedef struct akm_chunk akm_chunk_t;  /* the header at the start of a chunk */
typedef struct akm_small akm_small_t;  /* the header of a chunk of one size class */
typedef struct akm_large akm_large_t;  /* the header at the start of a large mapping */
typedef struct akm_chunk_heap akm_chunk_heap_t;

/*
 * A heap's life (thread.c): LOOSE, not in the registry (a test's heap);
 * OWNED by a live thread; ABANDONED by a thread that ended, to be adopted;
 * DEAD, owned by a thread that did not cross a fork(); SHARED, the heap of
 * threads that could not get one, used under the glue's lock.
 */
enum { AKM_HEAP_LOOSE, AKM_HEAP_OWNED, AKM_HEAP_ABANDONED, AKM_HEAP_DEAD, AKM_HEAP_SHARED };

struct akm_chunk_heap {
    /* Size classes: avail[c] lists the chunks of class c with room (a free
       block, or blocks not yet written), the one to allocate from first;
       chunks without room are on `full`. */
    akm_small_t *avail[AKM_CLASSES];
    akm_small_t *avail_tail[AKM_CLASSES];
    akm_small_t *full;
    akm_small_t *cache;    /* empty small chunks kept for any class, at most AKM_SMALL_CACHE */
    size_t ncache;

    /* TLSF: bit f of fl_bitmap is set iff sl_bitmap[f] != 0; bit s of
       sl_bitmap[f] is set iff lists[f][s] is not empty. */
    uint32_t fl_bitmap;
    uint32_t sl_bitmap[AKM_TLSF_FL_COUNT];
    akm_free_t *lists[AKM_TLSF_FL_COUNT][AKM_TLSF_SL_COUNT];

    akm_chunk_t *chunks;   /* every TLSF chunk, doubly linked */
    akm_large_t *larges;   /* every large mapping, doubly linked */
    size_t nchunks;        /* TLSF chunks */
    size_t nsmall;         /* small chunks */
    size_t nlarges;
    size_t spares;         /* TLSF chunks that are one free block; at most AKM_CHUNK_SPARES */
    akm_large_t *lcache;   /* freed large mappings kept for reuse, newest first (next only) */
    size_t nlcache;        /* at most AKM_LARGE_CACHE */
    size_t lcache_bytes;   /* at most AKM_LARGE_CACHE_BYTES */

    /* Blocks of this heap freed by other threads: payloads linked through
       their first word, pushed with compare-and-swap, taken whole.  With
       the state, which remote frees read, on a cache line of its own:
       the owner writes the counters below on every call. */
    _Alignas(64) void *remote;
    int state;             /* AKM_HEAP_*: written under the lock, read without it by remote frees */

    /* The registry (thread.c), under the glue's lock. */
    akm_chunk_heap_t *next_heap;
    size_t self_bytes;     /* pages in of the heap itself (0: static) */

    /* Counters, written by the owner only (relaxed atomics, block.h), summed
       over heaps by akm_chunk_stats_add().  Differences are mod 2^64. */
    _Alignas(64) uint64_t kernel_in, kernel_out;  /* bytes of pages in and out */
    uint64_t made;   /* blocks handed out (each also an allocating call) */
    uint64_t calls;  /* allocating calls that made no block (realloc in place) */
    uint64_t gone;   /* blocks taken back through this heap */
    uint64_t user;   /* bytes requested: + when made, - when taken back */
};

/* Allocation (see the errors above).  A zero size gets a minimal block. */
int akm_chunk_malloc(akm_chunk_heap_t *h, size_t size, void **out);
/* n * size zeroed bytes; an overflowing product is -AK_ENOMEM without a report. */
int akm_chunk_calloc(akm_chunk_heap_t *h, size_t n, size_t size, void **out);
/* size bytes aligned to align (a power of two; at most 2^30, else -AK_ENOMEM). */
int akm_chunk_memalign(akm_chunk_heap_t *h, size_t align, size_t size, void **out);
/*
 * Resizes p (NULL: allocates) in place when h owns it and its block or
 * mapping can hold size bytes, else moves it into h, keeping min(old
 * usable, size) bytes.  On an error p is untouched and still live.
 */
int akm_chunk_realloc(akm_chunk_heap_t *h, void *p, size_t size, void **out);
/*
 * Frees p (NULL: nothing): a block of h at once, returning empty chunks
 * beyond those kept and large mappings; a block of another heap to its
 * owner's remote list.  Either way it counts as gone in h.
 */
void akm_chunk_free(akm_chunk_heap_t *h, void *p);
/* The usable bytes of the live block p (of any heap); 0 for NULL. */
size_t akm_chunk_usable_size(akm_chunk_heap_t *h, const void *p);
/* Takes back the blocks other threads freed into h.  Returns how many. */
size_t akm_chunk_collect(akm_chunk_heap_t *h);
/*
 * Collects, then gives up every empty chunk kept (to the depot, which
 * akm_heaps_trim then empties) and every large mapping kept.  Returns 1 if
 * it gave up anything, else 0.
 */
int akm_chunk_trim(akm_chunk_heap_t *h);
/* h's own counters (without other heaps). */
void akm_chunk_stats(const akm_chunk_heap_t *h, ak_malloc_stats_t *out);
/* Adds h's counters to *sum. */
void akm_chunk_stats_add(const akm_chunk_heap_t *h, ak_malloc_stats_t *sum);
/*
 * Walks and verifies the whole heap: every chunk and block header, the
 * boundary tags, coalescing, the free lists and bitmaps against the blocks,
 * the size classes' lists, the remote list, the large mappings, and the
 * counters against all of them and the depot's chunks (so the heaps
 * checked must be every heap that pages in).  Reports the first inconsistency through
 * ak_malloc_panic(); returns if there is none.  Only when no other thread
 * uses h; and blocks freed through other heaps make h's own counters
 * differ from its blocks: use akm_chunk_check_heaps then.
 */
void akm_chunk_check(const akm_chunk_heap_t *h);
/* As akm_chunk_check for each of n heaps, with the counters compared as sums. */
void akm_chunk_check_heaps(const akm_chunk_heap_t *const *heaps, size_t n);

/*
 * The thread registry (thread.c): the heap of the calling thread, made or
 * adopted on its first call (the first thread gets a static heap, later
 * ones a heap of their own or one a finished thread left); NULL when
 * pages in failed (reported as out of memory).
 */
akm_chunk_heap_t *akm_heap_attach(void);
/* The shared heap, with the glue's lock taken; for a thread akm_heap_attach failed. */
akm_chunk_heap_t *akm_heap_shared_lock(void);
void akm_heap_shared_unlock(void);
/* The counters summed over every heap of the process (_locked: the caller holds the lock). */
void akm_heaps_stats(ak_malloc_stats_t *out);
void akm_heaps_stats_locked(ak_malloc_stats_t *out);
/* Trims the caller's heap h (if not NULL) and every heap no thread owns, then empties the depot through h. */
int akm_heaps_trim(akm_chunk_heap_t *h);
/* Up to max heaps of the registry in out; returns how many there are (tests). */
size_t akm_heaps_list(akm_chunk_heap_t **out, size_t max);

/*
 * The depot (depot.c), called by the heap h that owns the chunk at hand
 * (or holds the glue's lock for an abandoned one); pages out it does are
 * counted in h.  get: an empty chunk, zeroed as a new mapping, or NULL
 * (then the heap maps one and calls akm_depot_mapped).  put: a chunk h
 * gives up, its magic cleared, instead of unmapping it.  flush: unmaps
 * every chunk held; returns how many.  state: the chunks held, the chunks
 * of all heaps mapped now and at most, the depot's included (tests).
 * fork_child: in the child of fork(), before it allocates.
 */
void *akm_depot_get(akm_chunk_heap_t *h);
void akm_depot_mapped(void);
void akm_depot_put(akm_chunk_heap_t *h, void *chunk);
size_t akm_depot_flush(akm_chunk_heap_t *h);
void akm_depot_state(size_t *count, size_t *mapped, size_t *peak);
void akm_depot_fork_child(void);

#endif /* AKUMA_MALLOC_CHUNK_H */
