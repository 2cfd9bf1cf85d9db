/*
 * The C allocation functions of programs (akuma/malloc.h): both modes,
 * one chosen per process at start (ak_malloc_choose, called by the C
 * start-up before main) and kept for the process's life.
 *
 * The choice costs the fast path nothing: in chunk mode the start-up
 * attaches the first heap, so the glue's thread slot is never NULL, and
 * in page mode it is never set.  So "the slot is NULL" is the test for
 * page mode, and it is the same load and branch that chunk mode's fast
 * path makes anyway (chunk_api.inc); link-time optimisation folds the two
 * into one and still inlines the fast path into the caller (page mode's
 * functions are calls, so that malloc and free stay small enough to
 * inline: a call is nothing beside page mode's round trips to the vmm).
 * Programs have
 * one thread (guest glue), so no other thread can see the slot empty.
 */
#include <stdio.h>

#include <akuma/malloc.h>
#include <malloc/akm.h>
#include <malloc/page.h>

#define AKM_HEAP_T akm_page_heap_t
#define AKM_(name) akm_page_##name
#define AKM_PUB(name) page_##name
#define AKM_API static __attribute__((noinline))
#include <malloc/page_api.inc>
#undef AKM_PUB
#undef AKM_API
#define AKM_PUB(name) chunk_##name
#define AKM_API static inline
#include <malloc/chunk_api.inc>

/* The mode chosen at start; page mode, the default's, until then. */
static ak_malloc_mode_t chosen = { AK_PM_MALLOC_PAGE, AK_MALLOC_FROM_DEFAULT };

static inline bool page_mode(void)
{
    return __builtin_expect(ak_malloc_thread_get() == NULL, 0);
}

void ak_malloc_choose(const char *value)
{
    bool bad = false;
    ak_malloc_mode_t m = akm_mode_resolve(value, akm_built, &bad);
    if (m.mode == AK_PM_MALLOC_CHUNK && akm_heap_attach() == NULL)
        akm_panic("start", NULL, "no heap for chunk mode");
    chosen = m;
    if (bad)
        printf("malloc: MALLOC=%s is neither page nor chunk: %s mode (%s)\n", value,
               ak_malloc_mode_name(m.mode), ak_malloc_from_name(m.from));
}

ak_malloc_mode_t ak_malloc_mode(void)
{
    return chosen;
}

__attribute__((always_inline)) void *malloc(size_t size)
{
    return page_mode() ? page_malloc(size) : chunk_malloc(size);
}

__attribute__((always_inline)) void free(void *p)
{
    if (page_mode())
        page_free(p);
    else
        chunk_free(p);
}

void *calloc(size_t n, size_t size)
{
    return page_mode() ? page_calloc(n, size) : chunk_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return page_mode() ? page_realloc(p, size) : chunk_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
    return page_mode() ? page_memalign(align, size) : chunk_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return page_mode() ? page_aligned_alloc(align, size) : chunk_aligned_alloc(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    return page_mode() ? page_posix_memalign(out, align, size) : chunk_posix_memalign(out, align, size);
}

void *valloc(size_t size)
{
    return page_mode() ? page_valloc(size) : chunk_valloc(size);
}

void *pvalloc(size_t size)
{
    return page_mode() ? page_pvalloc(size) : chunk_pvalloc(size);
}

size_t malloc_usable_size(void *p)
{
    return page_mode() ? page_malloc_usable_size(p) : chunk_malloc_usable_size(p);
}

int malloc_trim(size_t pad)
{
    return page_mode() ? page_malloc_trim(pad) : chunk_malloc_trim(pad);
}

void ak_malloc_stats(ak_malloc_stats_t *out)
{
    if (page_mode())
        page_ak_malloc_stats(out);
    else
        chunk_ak_malloc_stats(out);
}
