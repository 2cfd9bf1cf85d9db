/*
 * Chunk mode's memory layout (private to chunk/): blocks, chunks and large
 * mappings, and the checked header word every block carries.
 *
 * A chunk (AKM_CHUNK_SIZE bytes, aligned to its size):
 *
 *   0      akm_chunk_t: magic, links                        (24 bytes)
 *   24     header word of the first block; its payload at 32
 *   ...    blocks, back to back
 *   65528  the end sentinel: a header word with HDR_END and size 0
 *
 * A block is addressed by its header word (akm_block_t *); its size S is
 * the distance to the next header word, a multiple of 16, at least
 * BLOCK_MIN; the payload starts 8 bytes after the header, 16-aligned, and
 * S - 8 bytes are usable.  A free block keeps its list links at the start
 * of its payload and its size again in its last 8 bytes (the footer, the
 * boundary tag), and the block after it has HDR_PREV_FREE set: so a block
 * being freed finds a free predecessor in O(1).  Two free blocks are never
 * adjacent (they are merged on free).  A chunk that is one free block of
 * BLOCK_MAX bytes is empty.
 *
 * The header word:
 *   bits  0..3   flags HDR_FREE, HDR_PREV_FREE, HDR_LARGE, HDR_END
 *   bits  4..31  S (for HDR_LARGE: the payload's offset from the mapping)
 *   bits 32..39  slack: usable bytes beyond the request (S - 8 - request)
 *   bits 40..63  check: a hash of the other 40 bits and the word's address
 * so a pointer into the middle of a block, a stale copy, or an overwritten
 * header fails its check with probability 1 - 2^-24.  The chunk's magic
 * (its address xor a cookie) is a second, independent check, made when the
 * chunk is released and by akm_chunk_check().
 *
 * A large mapping (one per request too big for a chunk):
 *   0      akm_large_t: magic, links, length, offset, request (48 bytes)
 *   off-8  header word with HDR_LARGE and off
 *   off    payload, off = max(LARGE_HDR, align), to the end of the mapping
 */
#ifndef AKUMA_MALLOC_CHUNK_BLOCK_H
#define AKUMA_MALLOC_CHUNK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <malloc/akm.h>
#include <malloc/chunk.h>

#define HDR_FREE      UINT64_C(0x1)
#define HDR_PREV_FREE UINT64_C(0x2)
#define HDR_LARGE     UINT64_C(0x4)
#define HDR_END       UINT64_C(0x8)
#define HDR_FLAGS     UINT64_C(0xF)
#define HDR_SIZE_MASK UINT64_C(0xFFFFFFF0)
#define HDR_SLACK_SHIFT 32u
#define HDR_SLACK_MAX   UINT64_C(0xFF)
#define HDR_CHECK_SHIFT 40u
#define HDR_LOW_MASK    ((UINT64_C(1) << HDR_CHECK_SHIFT) - 1)

/* Mixes a word's address into its check; any odd 64-bit constant with good high bits. */
#define HDR_KEY    UINT64_C(0x9E3779B97F4A7C15)
#define HDR_SECRET UINT64_C(0x5851F42D4C957F2D)
#define CHUNK_COOKIE UINT64_C(0xC4A0C4A0A11C0C4A)
#define LARGE_COOKIE UINT64_C(0x1A49E1A49E1A49E5)

#define GRANULE      ((size_t)16)
#define WORD         ((size_t)8)
#define CHUNK_HDR    ((size_t)24)                   /* offset of the first header word */
#define CHUNK_END    (AKM_CHUNK_SIZE - WORD)          /* offset of the end sentinel */
#define BLOCK_MIN    ((size_t)32)                   /* header, two links, footer */
#define BLOCK_MAX    (CHUNK_END - CHUNK_HDR)          /* the one block of an empty chunk */
#define LARGE_HDR    ((size_t)64)
#define ALIGN_MAX    ((size_t)1 << 30)
/* The largest request served inside a chunk (the seed's rule). */
#define CHUNK_REQUEST_MAX (AKM_CHUNK_SIZE - AKM_CHUNK_LARGE_SLACK)

typedef struct akm_block {
    uint64_t word;
} akm_block_t;

struct akm_free {
    akm_free_t *next;
    akm_free_t *prev;
};

struct akm_chunk {
    uint64_t magic;  /* address ^ CHUNK_COOKIE */
    akm_chunk_t *next;
    akm_chunk_t *prev;
};

struct akm_large {
    uint64_t magic;  /* address ^ LARGE_COOKIE */
    akm_large_t *next;
    akm_large_t *prev;
    size_t len;        /* bytes mapped */
    size_t off;        /* payload offset: max(LARGE_HDR, alignment) */
    size_t requested;  /* bytes asked for */
};

_Static_assert(sizeof(akm_chunk_t) == CHUNK_HDR, "the first header word follows the chunk header");
_Static_assert(sizeof(akm_large_t) + WORD <= LARGE_HDR, "the large header fits before its word");
_Static_assert(BLOCK_MAX % GRANULE == 0 && CHUNK_HDR % GRANULE == WORD, "payloads are 16-aligned");
_Static_assert(CHUNK_REQUEST_MAX + WORD <= BLOCK_MAX, "a chunk holds every request the rule gives it");

static inline uint64_t hdr_check(const akm_block_t *b, uint64_t low)
{
    return ((akm_addr(b) ^ low ^ HDR_SECRET) * HDR_KEY) >> HDR_CHECK_SHIFT;
}

/* Writes b's header word from its low 40 bits. */
static inline void hdr_set(akm_block_t *b, uint64_t low)
{
    b->word = low | (hdr_check(b, low) << HDR_CHECK_SHIFT);
}

/* b's low 40 bits in *low; false if the check does not match. */
static inline bool hdr_get(const akm_block_t *b, uint64_t *low)
{
    uint64_t w = b->word;
    *low = w & HDR_LOW_MASK;
    return (w >> HDR_CHECK_SHIFT) == hdr_check(b, *low);
}

static inline size_t low_size(uint64_t low)
{
    return (size_t)(low & HDR_SIZE_MASK);
}

static inline size_t low_slack(uint64_t low)
{
    return (size_t)(low >> HDR_SLACK_SHIFT) & HDR_SLACK_MAX;
}

static inline uint64_t make_low(size_t size, size_t slack, uint64_t flags)
{
    return (uint64_t)size | ((uint64_t)slack << HDR_SLACK_SHIFT) | flags;
}

static inline akm_block_t *block_at(void *base, size_t off)
{
    return (akm_block_t *)(void *)((char *)base + off);
}

static inline akm_block_t *block_next(akm_block_t *b, size_t size)
{
    return block_at(b, size);
}

static inline void *block_payload(akm_block_t *b)
{
    return (char *)b + WORD;
}

static inline akm_block_t *block_of_payload(const void *p)
{
    return (akm_block_t *)(void *)((char *)(uintptr_t)p - WORD);
}

static inline akm_free_t *block_links(akm_block_t *b)
{
    return (akm_free_t *)block_payload(b);
}

static inline akm_block_t *links_block(akm_free_t *f)
{
    return block_of_payload(f);
}

/* The footer of a free block of size S: its last word. */
static inline uint64_t *block_footer(akm_block_t *b, size_t size)
{
    return (uint64_t *)(void *)((char *)b + size - WORD);
}

static inline akm_chunk_t *chunk_of(const void *p)
{
    return (akm_chunk_t *)(akm_addr(p) & ~(uintptr_t)(AKM_CHUNK_SIZE - 1));
}

static inline uint64_t chunk_magic(const akm_chunk_t *c)
{
    return akm_addr(c) ^ CHUNK_COOKIE;
}

static inline uint64_t large_magic(const akm_large_t *l)
{
    return akm_addr(l) ^ LARGE_COOKIE;
}

/* The block size for a request of n bytes (n <= CHUNK_REQUEST_MAX). */
static inline size_t block_size_for(size_t n)
{
    size_t s = akm_round_up(n + WORD, GRANULE);
    return s < BLOCK_MIN ? BLOCK_MIN : s;
}

#endif /* AKUMA_MALLOC_CHUNK_BLOCK_H */
