/*
 * libakuma's malloc: the C allocation functions and the allocator's
 * counters.  Programs carry two modes (DESIGN.md 6) and run one, chosen
 * once at start (ak_malloc_mode, below); the LD_PRELOAD library for Linux
 * is chunk mode alone.  Both keep every contract below.
 *
 *   page   one mapping per allocation, max(size, alignment) rounded up to
 *          4 KiB; free() unmaps it at once.  Pointers are page-aligned.
 *   chunk  size classes and a two-level segregated fit allocator (TLSF)
 *          inside 64 KiB chunks; a request with size + 1024 > 64 KiB gets
 *          a mapping of its own of round_up(size + 1024, 4 KiB) bytes.
 *
 * Every pointer returned is aligned to at least AK_MALLOC_ALIGN.  A
 * request of 0 bytes returns a unique pointer that may be freed.  On
 * failure the functions return NULL and set errno (posix_memalign returns
 * the error instead): ENOMEM when memory is exhausted (the glue first
 * reports "OUT OF MEMORY!", see glue.h) or the size is too large for any
 * address space (over AK_MALLOC_REQUEST_MAX, or calloc's product
 * overflows: no report); EINVAL for an alignment that is not a power of
 * two.  free(), realloc() and malloc_usable_size() check the block's
 * metadata and end the process (ak_malloc_panic in glue.h) on a pointer
 * they did not return, a double free, or corrupted metadata.
 */
#ifndef AKUMA_MALLOC_H
#define AKUMA_MALLOC_H

#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/procmgr.h>

/* The alignment of every block; larger alignments through the memalign family. */
#define AK_MALLOC_ALIGN ((size_t)16)

/* Larger requests can never succeed (no address space has 2^47 bytes): ENOMEM, no report. */
#define AK_MALLOC_REQUEST_MAX ((size_t)1 << 47)

/* The four counters of the original libakuma, and the number of live blocks. */
typedef struct {
    uint64_t kernel_bytes_in;   /* bytes obtained with pages in (lifetime), metadata included */
    uint64_t kernel_bytes_out;  /* bytes given back with pages out (lifetime) */
    uint64_t alloc_count;       /* successful allocating calls (lifetime): malloc, calloc,
                                   realloc (each call, in place or moved), the memalign family */
    uint64_t user_bytes;        /* sum of the sizes requested for the live blocks */
    uint64_t live_blocks;       /* blocks allocated and not yet freed */
} ak_malloc_stats_t;

void *malloc(size_t size);
/* Frees p, which is NULL or a live block of this allocator. */
void free(void *p);
/* n * size zeroed bytes; ENOMEM if the product overflows. */
void *calloc(size_t n, size_t size);
/*
 * Resizes p to size bytes, in place when possible, keeping the first
 * min(old usable size, size) bytes.  realloc(NULL, size) is malloc(size);
 * realloc(p, 0) returns a minimal block (as musl, not glibc, does).  On
 * failure returns NULL and leaves p untouched.
 */
void *realloc(void *p, size_t size);
/* size bytes aligned to align, a power of two (EINVAL otherwise). */
void *aligned_alloc(size_t align, size_t size);
void *memalign(size_t align, size_t size);
/* As aligned_alloc; align must also be a multiple of sizeof(void *).  Returns 0, EINVAL or ENOMEM. */
int posix_memalign(void **out, size_t align, size_t size);
/* Page-aligned allocations (legacy; defined so that no caller reaches another allocator). */
void *valloc(size_t size);
void *pvalloc(size_t size);
/* The bytes usable at p (at least the size requested); 0 for NULL. */
size_t malloc_usable_size(void *p);
/*
 * Gives back every page the allocator keeps without a live block in it
 * (chunk: the spare empty chunk; page: an empty lookup table).  pad is
 * ignored.  Returns 1 if pages went out, else 0.
 */
int malloc_trim(size_t pad);

/* A consistent copy of the counters. */
void ak_malloc_stats(ak_malloc_stats_t *out);

/*
 * The mode a program runs (programs only): mode is AK_PM_MALLOC_PAGE or
 * AK_PM_MALLOC_CHUNK (akuma/abi/procmgr.h, the numbers init's list()
 * reports), from says where it came from.  The C start-up chooses it once,
 * before main, by ak_malloc_choose(getenv("MALLOC")): "page" or "chunk"
 * there, else the program's pin (NAME.malloc in its module.mk), else the
 * image's default (MALLOC= of make).  Any other value of MALLOC is
 * ignored, with a line saying so on the console.
 */
#define AK_MALLOC_FROM_ENV     1u
#define AK_MALLOC_FROM_PIN     2u
#define AK_MALLOC_FROM_DEFAULT 3u
typedef struct {
    uint8_t mode;
    uint8_t from;
} ak_malloc_mode_t;

ak_malloc_mode_t ak_malloc_mode(void);
/* Chooses the mode from MALLOC's value (NULL: not set).  Before any allocation, once. */
void ak_malloc_choose(const char *value);
/* "page", "chunk"; "environment", "pin", "default"; "?" for any other number. */
const char *ak_malloc_mode_name(unsigned mode);
const char *ak_malloc_from_name(unsigned from);

#endif /* AKUMA_MALLOC_H */
