/*
 * libFuzzer: an allocator mode (built once per mode, over ops.h and the
 * checked test glue) driven by any sequence of malloc, calloc, memalign,
 * realloc and free, with pages in made to fail on demand.  Every block is
 * filled with a pattern of its own and checked when it is resized or
 * freed; the whole heap is checked along the way and at the end.  A block
 * that overlaps another, loses bytes or is misaligned, an allocation that
 * fails without a failure injected, or an inconsistent heap, aborts.
 *
 * Each op is 4 bytes: what, which of 32 slots, and two bytes of size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "testglue.h"

#define SLOTS 32u

typedef struct {
    unsigned char *p;
    size_t size;
    unsigned char fill;
} block_t;

static block_t blocks[SLOTS];
static bool failing; /* a pages-in failure is injected: allocations may fail */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pattern of b's byte i: a word per 8 bytes, so that a 1 MiB block is quick to fill. */
static uint64_t pattern_word(const block_t *b, size_t word)
{
    return (word + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ b->fill;
}

static unsigned char pattern_byte(const block_t *b, size_t i)
{
    return (unsigned char)(pattern_word(b, i / 8) >> (8 * (i % 8)));
}

/* The first n bytes of b hold its pattern. */
static void check_fill(const block_t *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b->p + i, 8);
        if (w != pattern_word(b, i / 8))
            abort();
    }
    for (; i < n; i++)
        if (b->p[i] != pattern_byte(b, i))
            abort();
}

/* Writes b's pattern from byte `from` on. */
static void fill(block_t *b, size_t from)
{
    size_t i = from;
    for (; i < b->size && i % 8 != 0; i++)
        b->p[i] = pattern_byte(b, i);
    for (; i + 8 <= b->size; i += 8) {
        uint64_t w = pattern_word(b, i / 8);
        memcpy(b->p + i, &w, 8);
    }
    for (; i < b->size; i++)
        b->p[i] = pattern_byte(b, i);
}

/* A new block in b from an allocation that returned rc and p. */
static void take(block_t *b, int rc, void *p, size_t size, size_t align, unsigned char tag)
{
    if (rc != 0) {
        if (!failing || p != NULL)
            abort();
        return;
    }
    if (p == NULL || ((uintptr_t)p & (align - 1)) != 0 || t_usable(p) < size)
        abort();
    *b = (block_t){ p, size, tag };
    fill(b, 0);
}

static void release(block_t *b)
{
    if (b->p == NULL)
        return;
    check_fill(b, b->size);
    t_free(b->p);
    *b = (block_t){ 0 };
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    t_reset();
    failing = false;
    memset(blocks, 0, sizeof blocks);
    for (size_t at = 0; at + 4 <= size; at += 4) {
        const uint8_t op = data[at], which = data[at + 1];
        block_t *b = &blocks[which % SLOTS];
        size_t n = (size_t)data[at + 2] | (size_t)data[at + 3] << 8;
        if (op & 0x80)
            n <<= 4; /* up to 1 MiB: chunk mode's large path */
        unsigned char tag = (unsigned char)(at * 7 + 1);
        void *p = NULL;
        switch (op & 7u) {
        case 0:
        case 1:
            release(b);
            take(b, t_malloc(n, &p), p, n, AK_MALLOC_ALIGN, tag);
            break;
        case 2: {
            release(b);
            size_t count = (size_t)data[at + 2] % 16u + 1u, each = data[at + 3];
            int rc = t_calloc(count, each, &p);
            if (rc == 0)
                for (size_t i = 0; i < count * each; i++)
                    if (((unsigned char *)p)[i] != 0)
                        abort();
            take(b, rc, p, count * each, AK_MALLOC_ALIGN, tag);
            break;
        }
        case 3: {
            release(b);
            size_t align = (size_t)1 << (data[at + 2] % 17u); /* 1 .. 64 KiB */
            size_t want = (size_t)data[at + 3] * 16u;
            take(b, t_memalign(align, want, &p), p, want, align < AK_MALLOC_ALIGN ? AK_MALLOC_ALIGN : align, tag);
            break;
        }
        case 4: {
            int rc = t_realloc(b->p, n, &p);
            if (rc != 0) {
                if (!failing)
                    abort();
                if (b->p != NULL)
                    check_fill(b, b->size); /* untouched and still live */
                break;
            }
            if (p == NULL || ((uintptr_t)p & (AK_MALLOC_ALIGN - 1)) != 0 || t_usable(p) < n)
                abort();
            /* The first min(old, new) bytes came along; the rest is filled anew. */
            size_t kept = b->p == NULL ? 0 : b->size < n ? b->size : n;
            block_t moved = { p, n, b->p == NULL ? tag : b->fill };
            check_fill(&moved, kept);
            *b = moved;
            fill(b, kept);
            break;
        }
        case 5:
            release(b);
            break;
        case 6:
            t_check();
            break;
        case 7:
            if (data[at + 2] & 1) {
                testglue_fail_after(data[at + 3] % 4u);
                failing = true;
            } else {
                testglue_fail_never();
                failing = false;
            }
            break;
        }
    }
    testglue_fail_never();
    t_check();
    for (unsigned i = 0; i < SLOTS; i++)
        release(&blocks[i]);
    t_check();
    return 0;
}
