/*
 * One allocator mode as the conformance suite sees it: the same calls for
 * page mode (ops_page.c) and chunk mode (ops_chunk.c), each over one heap
 * of that mode that t_reset() makes new.  Errors as in chunk.h and page.h.
 */
#ifndef MALLOC_OPS_H
#define MALLOC_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include <akuma/malloc.h>

/* "page" or "chunk". */
extern const char t_mode[];

/* A new, empty heap over a reset glue (testglue_reset). */
void t_reset(void);
int t_malloc(size_t size, void **out);
int t_calloc(size_t n, size_t size, void **out);
int t_memalign(size_t align, size_t size, void **out);
int t_realloc(void *p, size_t size, void **out);
void t_free(void *p);
size_t t_usable(const void *p);
int t_trim(void);
void t_stats(ak_malloc_stats_t *out);
/* The mode's whole-heap check; panics (through the glue) on an inconsistency. */
void t_check(void);

#endif /* MALLOC_OPS_H */
