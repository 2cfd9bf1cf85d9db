/*
 * Chunk mode alone, under the C library's names (chunk_api.inc): the
 * LD_PRELOAD library and the host benchmarks link this file.  Programs
 * link run/malloc.c instead, which carries both modes.
 */
#include <malloc/chunk_api.inc>
