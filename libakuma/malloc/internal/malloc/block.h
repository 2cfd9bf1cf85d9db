/*
 * Chunk mode's memory layout (private to chunk/): chunks of two kinds,
 * large mappings, and the checked header word every block carries.
 *
 * Every chunk (AKM_CHUNK_SIZE bytes, aligned to its size, so that a block
 * finds its chunk by masking) starts with akm_chunk_t: magic, owner heap,
 * list links, kind.  Its kind decides the rest:
 *
 * A TLSF chunk (mid sizes, aligned requests):
 *   0      akm_chunk_t                                       (40 bytes)
 *   40     header word of the first block; its payload at 48
 *   ...    blocks, back to back
 *   65528  the end sentinel: a header word with HDR_END and size 0
 *   A block is addressed by its header word (akm_block_t *); its size S is
 *   the distance to the next header word, a multiple of 16, at least
 *   BLOCK_MIN; the payload starts 8 bytes after the header, 16-aligned, and
 *   S - 8 bytes are usable.  A free block keeps its list links at the start
 *   of its payload and its size again in its last 8 bytes (the footer, the
 *   boundary tag), and the block after it has HDR_PREV_FREE set: so a block
 *   being freed finds a free predecessor in O(1).  Two free blocks are never
 *   adjacent (they are merged on free).  A chunk that is one free block of
 *   BLOCK_MAX bytes is empty.
 *
 * A small chunk (one size class, small.h):
 *   0      akm_small_t: akm_chunk_t, then the class's free list and counts (72)
 *   72     header word of block 0; its payload at SMALL_FIRST (80)
 *   80+k*S payload of block k, k < reserved, all of the class's stride S;
 *          the header word of block k+1 is its last 8 bytes' neighbour,
 *          so a write past the usable S - 8 bytes lands on a header
 *   blocks below `capacity` have their headers written (free or used); the
 *   word after the last of them is a sentinel (a header with both HDR_FREE
 *   and HDR_REMOTE: no block), moved up as the chunk is extended, so
 *   untouched pages of a chunk stay untouched.
 *
 * The header word (the fields a free changes are the low ones, outside the
 * hash, so that neither malloc nor free of a small block recomputes it):
 *   bits  0..3   HDR_LARGE, HDR_END, HDR_SMALL (a block of a small chunk),
 *                HDR_PREV_FREE
 *   bits  4..15  S, a multiple of 16 (for HDR_LARGE: 16 x log2 of the
 *                payload's offset)
 *   bit   16     HDR_FREE
 *   bit   17     HDR_REMOTE: freed by another thread, on its owner's remote
 *                list, not yet taken back
 *   bits 18..33  the request of a used chunk block, in bytes (0 when free):
 *                what free subtracts from user_bytes
 *   bits 40..63  check: a hash of bits 0..15 and the address of the chunk
 *                (the 64 KiB-aligned region) holding the word
 * so a pointer into the middle of a block or an overwritten header fails
 * its check with probability 1 - 2^-24, and so does an overflow, which
 * writes the word's low (hashed) byte first.  Keyed by the chunk, not the
 * word's own address, the hashed bits and the check of every header of a
 * small chunk are the same, so free checks the next block's header by
 * comparing it with its own.  The masks these checks take (the hashed bits
 * with HDR_FREE and HDR_REMOTE; the hashed bits with the check, which wrap
 * around bit 63) are single immediates of AArch64's logical instructions.  The chunk's magic (its address xor
 * a cookie) is a second, independent check, made when the chunk is
 * released and by akm_chunk_check().
 *
 * Header words are read and written with relaxed atomics (plain loads and
 * stores on every target): another thread freeing a block marks it
 * HDR_REMOTE with a compare-and-swap while its owner may read it as a
 * neighbour.
 *
 * A large mapping (one per request too big for a chunk):
 *   0      akm_large_t: magic, owner, links, length, offset, request (56 bytes)
 *   off-8  header word with HDR_LARGE and log2(off)
 *   off    payload, off = max(LARGE_HDR, align), to the end of the mapping
 */
#ifndef AKUMA_MALLOC_CHUNK_BLOCK_H
#define AKUMA_MALLOC_CHUNK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <malloc/akm.h>
#include <malloc/chunk.h>

#define HDR_LARGE     UINT64_C(0x1)
#define HDR_END       UINT64_C(0x2)
#define HDR_SMALL     UINT64_C(0x4)
#define HDR_PREV_FREE UINT64_C(0x8)
#define HDR_SIZE_MASK UINT64_C(0xFFF0)
#define HDR_SIZE_SHIFT 4u               /* of a large block's log2 offset */
#define HDR_HASHED    UINT64_C(0xFFFF)  /* bits 0..15 */
#define HDR_FREE      (UINT64_C(1) << 16)
#define HDR_REMOTE    (UINT64_C(1) << 17)
#define HDR_REQ_SHIFT 18u
#define HDR_REQ_MAX   UINT64_C(0xFFFF)
#define HDR_REQ_MASK  (HDR_REQ_MAX << HDR_REQ_SHIFT)
#define HDR_CHECK_SHIFT 40u
#define HDR_LOW_MASK    ((UINT64_C(1) << HDR_CHECK_SHIFT) - 1)
/* The bits every header of one small chunk shares: the hashed ones and the check. */
#define HDR_SHARED    (~(HDR_FREE | HDR_REMOTE | HDR_REQ_MASK))
/* Not live: free, or freed by another thread and not yet taken back; both: no block. */
#define HDR_GONE      (HDR_FREE | HDR_REMOTE)

/*
 * Mixes a word's chunk into its check: any odd 64-bit constant with good
 * high bits (small.c), read from memory because that is one load where the
 * constant takes four instructions.  Volatile, because link-time
 * optimisation would otherwise fold the constant back in.
 */
extern const volatile uint64_t akm_hdr_key;

static inline uint64_t hdr_key(void)
{
    return akm_hdr_key;
}
#define CHUNK_COOKIE UINT64_C(0xC4A0C4A0A11C0C4A)
#define LARGE_COOKIE UINT64_C(0x1A49E1A49E1A49E5)

#define GRANULE      ((size_t)16)
#define WORD         ((size_t)8)
#define CHUNK_HDR    ((size_t)40)                   /* offset of a TLSF chunk's first header word */
#define CHUNK_END    (AKM_CHUNK_SIZE - WORD)          /* offset of the end sentinel */
#define BLOCK_MIN    ((size_t)32)                   /* header, two links, footer */
#define BLOCK_MAX    (CHUNK_END - CHUNK_HDR)          /* the one block of an empty chunk */
#define LARGE_HDR    ((size_t)64)
#define ALIGN_MAX    ((size_t)1 << 30)
/* The largest request served inside a chunk (the seed's rule). */
#define CHUNK_REQUEST_MAX (AKM_CHUNK_SIZE - AKM_CHUNK_LARGE_SLACK)

/* What a chunk holds (akm_chunk_t.kind). */
#define CHUNK_TLSF  1u
#define CHUNK_SMALL 2u

typedef struct akm_block {
    uint64_t word;
} akm_block_t;

struct akm_free {
    akm_free_t *next;
    akm_free_t *prev;
};

struct akm_chunk {
    uint64_t magic;          /* address ^ CHUNK_COOKIE */
    akm_chunk_heap_t *heap;  /* the owner: only its thread changes the chunk */
    akm_chunk_t *next;       /* TLSF: the heap's chunk list; small: its class's */
    akm_chunk_t *prev;       /*   list of chunks with room, or the full list */
    uint32_t kind;           /* CHUNK_TLSF or CHUNK_SMALL */
    uint32_t cls;            /* small: the size class */
};

/*
 * A small chunk.  Invariants (akm_chunk_check): the free list holds
 * exactly the blocks below `capacity` whose header has HDR_FREE, all of
 * this chunk; used = capacity - (blocks on the free list), remotely freed
 * blocks not yet taken back included; full is set exactly when the chunk
 * is on the heap's full list, and then free is NULL and capacity ==
 * reserved; otherwise it is on its class's list of chunks with room, and
 * alone is set exactly when it is the only one there (the chunk a class
 * keeps when it empties, so free's fast path need not look at the list).
 */
struct akm_small {
    akm_chunk_t c;
    void *free;         /* payloads, linked through their first word */
    uint32_t used;      /* blocks handed out and not taken back */
    uint32_t capacity;  /* blocks whose headers are written */
    uint32_t reserved;  /* blocks that fit */
    uint32_t full;
    uint32_t stride;    /* the class's stride */
    uint32_t alone;
};

struct akm_large {
    uint64_t magic;  /* address ^ LARGE_COOKIE */
    akm_chunk_heap_t *heap;
    akm_large_t *next;
    akm_large_t *prev;
    size_t len;        /* bytes mapped */
    size_t off;        /* payload offset: max(LARGE_HDR, alignment), a power of two */
    size_t requested;  /* bytes asked for */
};

#define SMALL_FIRST  ((size_t)80)  /* payload of a small chunk's first block */

_Static_assert(sizeof(akm_chunk_t) == CHUNK_HDR, "the first header word follows the chunk header");
_Static_assert(sizeof(akm_small_t) + WORD == SMALL_FIRST, "the first small block follows its header");
_Static_assert(sizeof(akm_large_t) + WORD <= LARGE_HDR, "the large header fits before its word");
_Static_assert(BLOCK_MAX % GRANULE == 0 && CHUNK_HDR % GRANULE == WORD, "payloads are 16-aligned");
_Static_assert(SMALL_FIRST % GRANULE == 0, "small payloads are 16-aligned");
_Static_assert(CHUNK_REQUEST_MAX + WORD <= BLOCK_MAX, "a chunk holds every request the rule gives it");
_Static_assert(BLOCK_MAX <= HDR_SIZE_MASK, "every block size fits its field");
_Static_assert(CHUNK_REQUEST_MAX <= HDR_REQ_MAX, "every request in a chunk fits its field");

static inline uint64_t word_load(const akm_block_t *b)
{
    return __atomic_load_n(&b->word, __ATOMIC_RELAXED);
}

static inline void word_store(akm_block_t *b, uint64_t w)
{
    __atomic_store_n(&b->word, w, __ATOMIC_RELAXED);
}

/* The check of a header word with the low bits low, in the chunk (64 KiB region) at `chunk`. */
static inline uint64_t hdr_check_in(uintptr_t chunk, uint64_t low)
{
    return ((chunk ^ (low & HDR_HASHED)) * hdr_key()) >> HDR_CHECK_SHIFT;
}

static inline uint64_t hdr_check(const akm_block_t *b, uint64_t low)
{
    return hdr_check_in(akm_addr(b) & ~(uintptr_t)(AKM_CHUNK_SIZE - 1), low);
}

/*
 * v, with what the compiler knows of its bits forgotten; no code.  For
 * (w & M) | B where M is a mask an AArch64 instruction encodes (a run of
 * ones): knowing that B's bits end up set, the compiler narrows M to
 * M & ~B, which no instruction encodes, and builds it in two more
 * (allocstress,chunk: 4 instructions of 105 per allocation and free).
 */
static inline uint64_t akm_opaque(uint64_t v)
{
    __asm__("" : "+r"(v));
    return v;
}

/* The word w, read at b, passes its check. */
static inline bool hdr_valid(const akm_block_t *b, uint64_t w)
{
    return (w >> HDR_CHECK_SHIFT) == hdr_check(b, w);
}

/*
 * The word w, read in the 64 KiB region c (not dereferenced), is the
 * header of a live small block: its check passes with HDR_SMALL set and
 * HDR_FREE and HDR_REMOTE clear (they are next to the hashed bits, so one
 * mask takes them in and a free or other block fails the check).
 */
static inline bool hdr_small_live_in(const akm_chunk_t *c, uint64_t w)
{
    uint64_t in = akm_opaque(w & (HDR_HASHED | HDR_GONE)) | HDR_SMALL;
    return (w >> HDR_CHECK_SHIFT) == ((akm_addr(c) ^ in) * hdr_key()) >> HDR_CHECK_SHIFT;
}

/* The whole word for b with the low 40 bits low. */
static inline uint64_t hdr_word(const akm_block_t *b, uint64_t low)
{
    return low | (hdr_check(b, low) << HDR_CHECK_SHIFT);
}

/* Writes b's header word from its low 40 bits. */
static inline void hdr_set(akm_block_t *b, uint64_t low)
{
    word_store(b, hdr_word(b, low));
}

/* b's low 40 bits in *low; false if the check does not match. */
static inline bool hdr_get(const akm_block_t *b, uint64_t *low)
{
    uint64_t w = word_load(b);
    *low = w & HDR_LOW_MASK;
    return hdr_valid(b, w);
}

static inline size_t low_size(uint64_t low)
{
    return (size_t)(low & HDR_SIZE_MASK);
}

/* The request of a used chunk block. */
static inline size_t low_req(uint64_t low)
{
    return (size_t)(low >> HDR_REQ_SHIFT) & HDR_REQ_MAX;
}

static inline uint64_t make_low(size_t size, size_t req, uint64_t flags)
{
    return (uint64_t)size | ((uint64_t)req << HDR_REQ_SHIFT) | flags;
}

/* A large block's payload offset, from its header. */
static inline size_t low_large_off(uint64_t low)
{
    return (size_t)1 << (low_size(low) >> HDR_SIZE_SHIFT);
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

/* The TLSF block size for a request of n bytes (n <= CHUNK_REQUEST_MAX). */
static inline size_t block_size_for(size_t n)
{
    size_t s = akm_round_up(n + WORD, GRANULE);
    return s < BLOCK_MIN ? BLOCK_MIN : s;
}

/* Relaxed counter updates: only the owner writes, anyone may sum (akm_heaps_stats). */
static inline void ctr_add(uint64_t *c, uint64_t v)
{
    __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static inline uint64_t ctr_get(const uint64_t *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif /* AKUMA_MALLOC_CHUNK_BLOCK_H */
