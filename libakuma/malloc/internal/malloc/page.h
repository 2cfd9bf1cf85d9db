/*
 * Page mode: one mapping per allocation, of max(size, alignment) rounded
 * up to 4 KiB (the seed's rule), returned whole by free() so that its
 * physical memory goes back at once.  The pointer returned is the start of
 * the mapping: page-aligned, no header in front of it.
 *
 * Where the sizes live: a side table, an open-addressing hash table keyed
 * by the mapping's address, in pages of its own from pages in.  A header
 * at the start of the mapping would cost a second page whenever the size
 * is within 16 bytes of a page multiple (a 4096-byte buffer would take
 * 8 KiB), would make page-aligned requests cost a whole extra page, and
 * would have free() read memory at a pointer it cannot yet trust; the
 * table costs 16 bytes per live allocation, keeps the seed's page count
 * per allocation exact, and rejects a pointer it does not know without
 * touching it.
 *
 * The heap is a plain struct: all-zero bytes are an empty heap.  It takes
 * no lock (its public functions do: page_api.inc) and reaches the system only through glue.h.
 * Errors as in chunk.h: 0, or -AK_ENOMEM (pages in failed: reported
 * through ak_malloc_oom() first; or the request is too large: no report),
 * or -AK_EINVAL (akm_page_memalign: align not a power of two).  free,
 * realloc and usable_size of a pointer that is not a live mapping of h
 * (including a double free) end in ak_malloc_panic().
 */
#ifndef AKUMA_MALLOC_PAGE_H
#define AKUMA_MALLOC_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include <akuma/malloc.h>

/* One live allocation: its address and its request (see page.c for the encoding). */
typedef struct {
    uintptr_t addr;  /* 0: an empty slot */
    uint64_t meta;
} akm_page_entry_t;

typedef struct {
    akm_page_entry_t *table;  /* NULL, or cap slots in table_bytes of pages */
    size_t cap;               /* a power of two, or 0 */
    size_t used;              /* live allocations; at most 3/4 of cap */
    ak_malloc_stats_t stats;
} akm_page_heap_t;

int akm_page_malloc(akm_page_heap_t *h, size_t size, void **out);
/* Zeroed: a fresh mapping already is, so nothing is written. */
int akm_page_calloc(akm_page_heap_t *h, size_t n, size_t size, void **out);
/* A mapping of round_up(max(size, align), 4 KiB) aligned to align (at most 2^30, else -AK_ENOMEM). */
int akm_page_memalign(akm_page_heap_t *h, size_t align, size_t size, void **out);
/*
 * In place when the page count stays or shrinks (the pages beyond the new
 * end go out at once), else a new mapping and a copy of min(old usable,
 * size) bytes.  On an error p is untouched and still live.
 */
int akm_page_realloc(akm_page_heap_t *h, void *p, size_t size, void **out);
void akm_page_free(akm_page_heap_t *h, void *p);
/* The whole mapping is usable. */
size_t akm_page_usable_size(akm_page_heap_t *h, const void *p);
/* Gives back the table when no allocation is live.  Returns 1 if pages went out, else 0. */
int akm_page_trim(akm_page_heap_t *h);
void akm_page_stats(const akm_page_heap_t *h, ak_malloc_stats_t *out);
/* Bytes of pages the table holds (counted in kernel_bytes_in like every page). */
size_t akm_page_table_bytes(const akm_page_heap_t *h);
/*
 * Verifies the table (every entry reachable from its hash slot, no
 * duplicates, the count) and the counters against it; reports the first
 * inconsistency through ak_malloc_panic().
 */
void akm_page_check(const akm_page_heap_t *h);

#endif /* AKUMA_MALLOC_PAGE_H */
