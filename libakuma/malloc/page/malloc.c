/*
 * The C allocation functions (akuma/malloc.h) for page mode: one heap,
 * the glue's lock around every call, and errors turned into errno here, at
 * the POSIX edge.  Linking this file (and not chunk/malloc.c) chooses the
 * mode.
 */
#include "akuma/malloc.h"

#include "akuma/abi/errno.h"
#include "page.h"
#include "../glue.h"

static akm_page_heap_t heap;

/* The result of an allocating call: p, or NULL with errno set from err. */
static void *result(int err, void *p)
{
    if (err != 0) {
        ak_malloc_set_errno(-err);
        return NULL;
    }
    return p;
}

void *malloc(size_t size)
{
    void *p = NULL;
    ak_malloc_lock();
    int err = akm_page_malloc(&heap, size, &p);
    ak_malloc_unlock();
    return result(err, p);
}

void free(void *p)
{
    if (p == NULL)
        return;
    ak_malloc_lock();
    akm_page_free(&heap, p);
    ak_malloc_unlock();
}

void *calloc(size_t n, size_t size)
{
    void *p = NULL;
    ak_malloc_lock();
    int err = akm_page_calloc(&heap, n, size, &p);
    ak_malloc_unlock();
    return result(err, p);
}

void *realloc(void *p, size_t size)
{
    void *q = NULL;
    ak_malloc_lock();
    int err = akm_page_realloc(&heap, p, size, &q);
    ak_malloc_unlock();
    return result(err, q);
}

void *memalign(size_t align, size_t size)
{
    void *p = NULL;
    ak_malloc_lock();
    int err = akm_page_memalign(&heap, align, size, &p);
    ak_malloc_unlock();
    return result(err, p);
}

void *aligned_alloc(size_t align, size_t size)
{
    return memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align % sizeof(void *) != 0)
        return AK_EINVAL;
    void *p = NULL;
    ak_malloc_lock();
    int err = akm_page_memalign(&heap, align, size, &p);
    ak_malloc_unlock();
    if (err != 0)
        return -err;
    *out = p;
    return 0;
}

void *valloc(size_t size)
{
    return memalign(AK_MALLOC_PAGE_SIZE, size);
}

void *pvalloc(size_t size)
{
    size_t rounded = (size + AK_MALLOC_PAGE_SIZE - 1) & ~(AK_MALLOC_PAGE_SIZE - 1);
    return memalign(AK_MALLOC_PAGE_SIZE, rounded < size ? size : rounded);
}

size_t malloc_usable_size(void *p)
{
    if (p == NULL)
        return 0;
    ak_malloc_lock();
    size_t n = akm_page_usable_size(&heap, p);
    ak_malloc_unlock();
    return n;
}

int malloc_trim(size_t pad)
{
    (void)pad;
    ak_malloc_lock();
    int released = akm_page_trim(&heap);
    ak_malloc_unlock();
    return released;
}

void ak_malloc_stats(ak_malloc_stats_t *out)
{
    ak_malloc_lock();
    akm_page_stats(&heap, out);
    ak_malloc_unlock();
}
