/*
 * The C allocation functions for chunk mode (libakuma/malloc/api.inc):
 * linking this file, and not the other mode's, chooses the mode.
 */
#include <malloc/chunk.h>

#define AKM_HEAP_T akm_chunk_heap_t
#define AKM_(name) akm_chunk_##name

#include <malloc/api.inc>
