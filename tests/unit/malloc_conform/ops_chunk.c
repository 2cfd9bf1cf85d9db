/* The conformance suite's view (ops.h) of chunk mode: akm_chunk_* on one heap. */
#include "ops.h"

#include <string.h>

#include <malloc/chunk.h>

#include "testglue.h"

const char t_mode[] = "chunk";

static akm_chunk_heap_t heap;

void t_reset(void)
{
    memset(&heap, 0, sizeof heap);
    testglue_reset();
}

int t_malloc(size_t size, void **out)
{
    return akm_chunk_malloc(&heap, size, out);
}

int t_calloc(size_t n, size_t size, void **out)
{
    return akm_chunk_calloc(&heap, n, size, out);
}

int t_memalign(size_t align, size_t size, void **out)
{
    return akm_chunk_memalign(&heap, align, size, out);
}

int t_realloc(void *p, size_t size, void **out)
{
    return akm_chunk_realloc(&heap, p, size, out);
}

void t_free(void *p)
{
    akm_chunk_free(&heap, p);
}

size_t t_usable(const void *p)
{
    return akm_chunk_usable_size(&heap, p);
}

int t_trim(void)
{
    return akm_chunk_trim(&heap);
}

void t_stats(ak_malloc_stats_t *out)
{
    akm_chunk_stats(&heap, out);
}

void t_check(void)
{
    akm_chunk_check(&heap);
}
