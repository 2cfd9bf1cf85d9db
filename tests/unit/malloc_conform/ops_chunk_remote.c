/*
 * The conformance suite's view (ops.h) of chunk mode with two heaps, as two
 * threads would use them: blocks are made, resized and checked by one heap
 * and freed through the other (remote frees: marked, pushed on the first
 * heap's remote list, taken back when it next needs memory or is trimmed).
 * Counters and checks are of both heaps together.
 */
#include "ops.h"

#include <string.h>

#include <malloc/chunk.h>

#include "testglue.h"

const char t_mode[] = "chunk, freed through another heap";

static akm_chunk_heap_t heap, other;

void t_reset(void)
{
    memset(&heap, 0, sizeof heap);
    memset(&other, 0, sizeof other);
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
    akm_chunk_free(&other, p);
}

size_t t_usable(const void *p)
{
    return akm_chunk_usable_size(&heap, p);
}

int t_trim(void)
{
    int other_released = akm_chunk_trim(&other);
    return akm_chunk_trim(&heap) | other_released;
}

void t_stats(ak_malloc_stats_t *out)
{
    akm_chunk_stats(&heap, out);
    akm_chunk_stats_add(&other, out);
}

void t_check(void)
{
    const akm_chunk_heap_t *both[] = { &heap, &other };
    akm_chunk_check_heaps(both, 2);
}
