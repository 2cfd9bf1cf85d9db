/*
 * Page mode (page.h): a mapping per allocation and the side table that
 * finds it again.
 *
 * The table: open addressing with linear probing over a power-of-two
 * number of slots, hashed by Fibonacci hashing of the page number, deleted
 * by backward shift (no tombstones, so lookups never slow down with age).
 * It grows to twice its size above 3/4 full and shrinks to half below 1/8
 * full, so a size that goes back and forth never resizes on every call.
 * Invariant: every entry is reachable from its home slot through occupied
 * slots only.
 *
 * An entry's meta holds the request (bits 0..55) and log2 of the
 * alignment (bits 56..63); the mapping's length is derived from both by
 * the seed's rule, map_len(), so it is never stored twice.
 */
#include <malloc/page.h>

#include <stdbool.h>

#include <akuma/abi/errno.h>
#include <common/string.h>
#include <malloc/akm.h>

#define META_ALIGN_SHIFT 56u
#define META_SIZE_MASK   ((UINT64_C(1) << META_ALIGN_SHIFT) - 1)
#define HASH_KEY         UINT64_C(0x9E3779B97F4A7C15)
#define TABLE_MIN        (AKM_PAGE / sizeof(akm_page_entry_t))  /* one page of slots */
#define ALIGN_MIN        ((size_t)AK_MALLOC_ALIGN)
#define ALIGN_MAX        ((size_t)1 << 30)

_Static_assert(AK_MALLOC_REQUEST_MAX <= META_SIZE_MASK, "a request fits its field");

/* --- mappings ----------------------------------------------------------- */

/* The seed's rule: max(size, align) rounded up to a page (at least one page, as align >= 16). */
static size_t map_len(size_t n, size_t align)
{
    return akm_round_up(n > align ? n : align, AKM_PAGE);
}

static unsigned log2_of(size_t pow2)
{
    return (unsigned)__builtin_ctzll(pow2);
}

static uint64_t make_meta(size_t n, size_t align)
{
    return (uint64_t)n | ((uint64_t)log2_of(align) << META_ALIGN_SHIFT);
}

static size_t meta_size(uint64_t meta)
{
    return (size_t)(meta & META_SIZE_MASK);
}

static size_t meta_len(uint64_t meta)
{
    return map_len(meta_size(meta), (size_t)1 << (meta >> META_ALIGN_SHIFT));
}

static void pages_out(akm_page_heap_t *h, void *p, size_t len)
{
    if (ak_malloc_pages_out(p, len) != 0)
        akm_panic("pages out", p, "the system refused to unmap the allocator's own pages");
    h->stats.kernel_bytes_out += len;
}

/* --- the table ---------------------------------------------------------- */

static size_t home(const akm_page_heap_t *h, uintptr_t addr)
{
    return (size_t)(((uint64_t)(addr / AKM_PAGE) * HASH_KEY) >> (64u - log2_of(h->cap)));
}

/* The slot holding addr, or h->cap if there is none. */
static size_t lookup(const akm_page_heap_t *h, uintptr_t addr)
{
    if (h->cap == 0)
        return 0;
    size_t mask = h->cap - 1;
    for (size_t i = home(h, addr);; i = (i + 1) & mask) {
        if (h->table[i].addr == addr)
            return i;
        if (h->table[i].addr == 0)
            return h->cap;
    }
}

/* Adds an entry; there is a free slot (the load stays at most 3/4). */
static void insert(akm_page_heap_t *h, uintptr_t addr, uint64_t meta)
{
    size_t mask = h->cap - 1;
    size_t i = home(h, addr);
    while (h->table[i].addr != 0)
        i = (i + 1) & mask;
    h->table[i].addr = addr;
    h->table[i].meta = meta;
    h->used++;
}

/* Empties slot i, shifting back the entries after it that would become unreachable. */
static void remove_at(akm_page_heap_t *h, size_t i)
{
    size_t mask = h->cap - 1;
    for (size_t j = (i + 1) & mask; h->table[j].addr != 0; j = (j + 1) & mask) {
        size_t k = home(h, h->table[j].addr);
        /* Entry j may stay only if its home lies cyclically in (i, j]. */
        bool stays = i < j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            h->table[i] = h->table[j];
            i = j;
        }
    }
    h->table[i].addr = 0;
    h->table[i].meta = 0;
    h->used--;
}

/* Moves the entries to a new table of cap slots (cap > 0); false if pages in failed. */
static bool resize(akm_page_heap_t *h, size_t cap)
{
    akm_page_entry_t *t = ak_malloc_pages_in(cap * sizeof *t, AKM_PAGE);
    if (t == NULL)
        return false;
    h->stats.kernel_bytes_in += cap * sizeof *t;
    akm_page_entry_t *old = h->table;
    size_t old_cap = h->cap;
    h->table = t;
    h->cap = cap;
    h->used = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].addr != 0)
            insert(h, old[i].addr, old[i].meta);
    if (old != NULL)
        pages_out(h, old, old_cap * sizeof *old);
    return true;
}

/* Room for one more entry; false if the table had to grow and could not. */
static bool reserve(akm_page_heap_t *h)
{
    if ((h->used + 1) * 4 <= h->cap * 3)
        return true;
    return resize(h, h->cap != 0 ? h->cap * 2 : TABLE_MIN);
}

/* After a removal: halves a table that fell below 1/8 full (keeps it if pages in fails). */
static void maybe_shrink(akm_page_heap_t *h)
{
    if (h->cap > TABLE_MIN && h->used * 8 < h->cap)
        resize(h, h->cap / 2);
}

/* The slot of the live pointer p; panics if p is not one. */
static size_t live_slot(const akm_page_heap_t *h, const void *p, const char *op)
{
    if (akm_addr(p) % AKM_PAGE != 0)
        akm_panic(op, p, "not a pointer from malloc (page mode returns page-aligned pointers)");
    size_t i = lookup(h, akm_addr(p));
    if (i == h->cap)
        akm_panic(op, p, "not a live allocation (a double free, or a pointer malloc did not return)");
    return i;
}

/* --- operations --------------------------------------------------------- */

/* Maps n bytes aligned to align; NULL if pages in failed (the caller reports it). */
static void *alloc(akm_page_heap_t *h, size_t n, size_t align)
{
    if (!reserve(h))
        return NULL;
    size_t len = map_len(n, align);
    void *p = ak_malloc_pages_in_now(len, align > AKM_PAGE ? align : AKM_PAGE);
    if (p == NULL)
        return NULL;
    h->stats.kernel_bytes_in += len;
    insert(h, akm_addr(p), make_meta(n, align));
    h->stats.user_bytes += n;
    h->stats.live_blocks++;
    return p;
}

static void release(akm_page_heap_t *h, size_t slot)
{
    akm_page_entry_t e = h->table[slot];
    remove_at(h, slot);
    h->stats.user_bytes -= meta_size(e.meta);
    h->stats.live_blocks--;
    pages_out(h, (void *)e.addr, meta_len(e.meta));
    maybe_shrink(h);
}

int akm_page_memalign(akm_page_heap_t *h, size_t align, size_t size, void **out)
{
    if (!akm_is_pow2(align))
        return -AK_EINVAL;
    if (size > AK_MALLOC_REQUEST_MAX || align > ALIGN_MAX)
        return -AK_ENOMEM;
    if (align < ALIGN_MIN)
        align = ALIGN_MIN;
    void *p = alloc(h, size, align);
    if (p == NULL) {
        akm_report_oom(&h->stats, size, align);
        return -AK_ENOMEM;
    }
    h->stats.alloc_count++;
    *out = p;
    return 0;
}

int akm_page_malloc(akm_page_heap_t *h, size_t size, void **out)
{
    return akm_page_memalign(h, ALIGN_MIN, size, out);
}

int akm_page_calloc(akm_page_heap_t *h, size_t n, size_t size, void **out)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        return -AK_ENOMEM;
    return akm_page_malloc(h, total, out);  /* pages in gives zero-filled pages */
}

int akm_page_realloc(akm_page_heap_t *h, void *p, size_t size, void **out)
{
    if (p == NULL)
        return akm_page_malloc(h, size, out);
    size_t slot = live_slot(h, p, "realloc");
    if (size > AK_MALLOC_REQUEST_MAX)
        return -AK_ENOMEM;
    uint64_t meta = h->table[slot].meta;
    size_t len = meta_len(meta), new_len = map_len(size, ALIGN_MIN);
    if (new_len <= len) {
        if (new_len < len)
            pages_out(h, (char *)p + new_len, len - new_len);
        h->table[slot].meta = make_meta(size, ALIGN_MIN);
        h->stats.user_bytes += size - meta_size(meta);
    } else {
        void *q = alloc(h, size, ALIGN_MIN);
        if (q == NULL) {
            akm_report_oom(&h->stats, size, ALIGN_MIN);
            return -AK_ENOMEM;
        }
        memcpy(q, p, len);
        release(h, live_slot(h, p, "realloc"));  /* alloc() may have moved the table */
        p = q;
    }
    h->stats.alloc_count++;
    *out = p;
    return 0;
}

void akm_page_free(akm_page_heap_t *h, void *p)
{
    if (p == NULL)
        return;
    release(h, live_slot(h, p, "free"));
}

size_t akm_page_usable_size(akm_page_heap_t *h, const void *p)
{
    if (p == NULL)
        return 0;
    return meta_len(h->table[live_slot(h, p, "malloc_usable_size")].meta);
}

int akm_page_trim(akm_page_heap_t *h)
{
    if (h->used != 0 || h->table == NULL)
        return 0;
    pages_out(h, h->table, akm_page_table_bytes(h));
    h->table = NULL;
    h->cap = 0;
    return 1;
}

void akm_page_stats(const akm_page_heap_t *h, ak_malloc_stats_t *out)
{
    *out = h->stats;
}

size_t akm_page_table_bytes(const akm_page_heap_t *h)
{
    return h->cap * sizeof(akm_page_entry_t);
}

static _Noreturn void check_fail(const void *where, const char *why)
{
    akm_panic("check", where, why);
}

void akm_page_check(const akm_page_heap_t *h)
{
    if ((h->cap != 0) != (h->table != NULL) || (h->cap != 0 && !akm_is_pow2(h->cap)))
        check_fail(h, "table size");
    if (h->cap != 0 && (h->cap < TABLE_MIN || h->used * 4 > h->cap * 3))
        check_fail(h, "table load out of bounds");
    uint64_t user = 0, held = akm_page_table_bytes(h);
    size_t used = 0;
    for (size_t i = 0; i < h->cap; i++) {
        const akm_page_entry_t *e = &h->table[i];
        if (e->addr == 0) {
            if (e->meta != 0)
                check_fail(e, "empty slot with contents");
            continue;
        }
        if (e->addr % AKM_PAGE != 0 || meta_size(e->meta) > AK_MALLOC_REQUEST_MAX
            || (e->meta >> META_ALIGN_SHIFT) < log2_of(ALIGN_MIN)
            || (e->meta >> META_ALIGN_SHIFT) > log2_of(ALIGN_MAX))
            check_fail(e, "entry fields");
        if (lookup(h, e->addr) != i)
            check_fail(e, "entry unreachable from its home slot, or duplicated");
        if (e->addr % ((size_t)1 << (e->meta >> META_ALIGN_SHIFT)) != 0)
            check_fail(e, "mapping not aligned as requested");
        user += meta_size(e->meta);
        held += meta_len(e->meta);
        used++;
    }
    if (used != h->used || used != h->stats.live_blocks)
        check_fail(h, "live count");
    if (user != h->stats.user_bytes)
        check_fail(h, "user_bytes disagrees with the table");
    if (h->stats.kernel_bytes_in - h->stats.kernel_bytes_out != held)
        check_fail(h, "pages in minus pages out differ from the pages held");
}
