/*
 * The test glue (testglue.h).  The arena is one MAP_NORESERVE reservation;
 * a bitmap says which pages are mapped and a per-page range number which
 * pages in call mapped them, so pages out can be checked to cover only the
 * whole of one range or its tail.  Pages are handed out first-fit from the
 * lowest free page, so the pages a test touches stay few and reused.
 * Contract violations by the allocator fail the running test.
 */
#include "testglue.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <sanitizer/asan_interface.h>

#include <malloc/glue.h>

#define PAGE        AK_MALLOC_PAGE_SIZE
#define ARENA_BYTES ((size_t)512 << 20)
#define NPAGES      (ARENA_BYTES / PAGE)
#define WORD_BITS   64u
#define OOM_TEXT_MAX   1024u
#define PANIC_TEXT_MAX 512u

static char *arena;
static uint64_t used_map[NPAGES / WORD_BITS];  /* bit set: page mapped */
static uint32_t range_of[NPAGES];               /* the pages in call that mapped it; 0: none */
static uint32_t next_range;
static testglue_counts_t counts;
static uint64_t successes_left = UINT64_MAX;
static char oom_text[OOM_TEXT_MAX];
static char panic_text[PANIC_TEXT_MAX];
static int last_errno;
static jmp_buf panic_env;
static bool panic_armed;
static bool locked;
static uint64_t clock_ms = AK_MALLOC_NO_CLOCK;
static void *thread_heap;  /* one thread: the slot of glue.h */

static void arena_init(void)
{
    if (arena != NULL)
        return;
    void *p = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(p != MAP_FAILED);
    arena = p;
    ASAN_POISON_MEMORY_REGION(arena, ARENA_BYTES);
}

static bool page_used(size_t k)
{
    return (used_map[k / WORD_BITS] >> (k % WORD_BITS)) & 1u;
}

static void set_used(size_t k, bool used)
{
    uint64_t bit = UINT64_C(1) << (k % WORD_BITS);
    if (used)
        used_map[k / WORD_BITS] |= bit;
    else
        used_map[k / WORD_BITS] &= ~bit;
}

/* The first page at or after k whose bit equals `used`, or NPAGES. */
static size_t next_with(size_t k, bool used)
{
    while (k < NPAGES) {
        uint64_t w = used_map[k / WORD_BITS];
        if (!used)
            w = ~w;
        w >>= k % WORD_BITS;
        if (w != 0)
            return k + (size_t)__builtin_ctzll(w);
        k = (k / WORD_BITS + 1) * WORD_BITS;
    }
    return NPAGES;
}

/* The lowest run of n free pages starting at a multiple of a, or NPAGES. */
static size_t find_run(size_t n, size_t a)
{
    size_t s = next_with(0, false);
    for (;;) {
        s = (s + a - 1) / a * a;
        if (s + n > NPAGES)
            return NPAGES;
        size_t u = next_with(s, true);
        if (u >= s + n)
            return s;
        s = next_with(u, false);
    }
}

void testglue_reset(void)
{
    arena_init();
    for (size_t k = next_with(0, true); k < NPAGES; k = next_with(k + 1, true)) {
        set_used(k, false);
        range_of[k] = 0;
        ASAN_POISON_MEMORY_REGION(arena + k * PAGE, PAGE);
    }
    memset(&counts, 0, sizeof counts);
    successes_left = UINT64_MAX;
    oom_text[0] = '\0';
    panic_text[0] = '\0';
    last_errno = 0;
    panic_armed = false;
    locked = false;
    clock_ms = AK_MALLOC_NO_CLOCK;
}

void testglue_set_clock(uint64_t ms)
{
    clock_ms = ms;
}

uint64_t ak_malloc_clock_ms(void)
{
    return clock_ms;
}

void testglue_counts(testglue_counts_t *out)
{
    *out = counts;
}

void testglue_fail_after(uint64_t n)
{
    successes_left = n;
}

void testglue_fail_never(void)
{
    successes_left = UINT64_MAX;
}

const char *testglue_oom_report(void)
{
    return oom_text;
}

const char *testglue_panic_message(void)
{
    return panic_text;
}

int testglue_errno(void)
{
    return last_errno;
}

jmp_buf *testglue_arm_panic(void)
{
    panic_armed = true;
    return &panic_env;
}

void testglue_disarm_panic(void)
{
    panic_armed = false;
}

/* The arena has no lazy mapping: eager pages in are the same pages in. */
void *ak_malloc_pages_in_now(size_t len, size_t align)
{
    return ak_malloc_pages_in(len, align);
}

void *ak_malloc_pages_in(size_t len, size_t align)
{
    arena_init();
    if (len == 0 || len % PAGE != 0 || align < PAGE || (align & (align - 1)) != 0)
        fail_msg("pages in: bad request len %zu align %zu", len, align);
    if (successes_left == 0)
        return NULL;
    if (successes_left != UINT64_MAX)
        successes_left--;
    size_t n = len / PAGE;
    size_t first = find_run(n, align / PAGE);
    if (first == NPAGES)
        return NULL;
    uint32_t range = ++next_range;
    for (size_t k = first; k < first + n; k++) {
        set_used(k, true);
        range_of[k] = range;
    }
    char *p = arena + first * PAGE;
    ASAN_UNPOISON_MEMORY_REGION(p, len);
    memset(p, 0, len);
    counts.in_calls++;
    counts.in_bytes += len;
    counts.mapped_bytes += len;
    return p;
}

int ak_malloc_pages_out(void *p, size_t len)
{
    char *c = p;
    if (arena == NULL || c < arena || c >= arena + ARENA_BYTES || (size_t)(c - arena) % PAGE != 0
        || len == 0 || len % PAGE != 0 || len > (size_t)(arena + ARENA_BYTES - c))
        fail_msg("pages out: bad range %p + %zu", p, len);
    size_t first = (size_t)(c - arena) / PAGE, n = len / PAGE;
    uint32_t range = range_of[first];
    for (size_t k = first; k < first + n; k++)
        if (!page_used(k) || range_of[k] != range)
            fail_msg("pages out: %p + %zu is not within one mapped range", p, len);
    if (first + n < NPAGES && page_used(first + n) && range_of[first + n] == range)
        fail_msg("pages out: %p + %zu is neither a whole range nor its tail", p, len);
    for (size_t k = first; k < first + n; k++) {
        set_used(k, false);
        range_of[k] = 0;
    }
    ASAN_POISON_MEMORY_REGION(p, len);
    counts.out_calls++;
    counts.out_bytes += len;
    counts.mapped_bytes -= len;
    return 0;
}

void ak_malloc_lock(void)
{
    if (locked)
        fail_msg("ak_malloc_lock: already held");
    locked = true;
}

void ak_malloc_unlock(void)
{
    if (!locked)
        fail_msg("ak_malloc_unlock: not held");
    locked = false;
}

void *ak_malloc_thread_get(void)
{
    return thread_heap;
}

void ak_malloc_thread_set(void *heap)
{
    thread_heap = heap;
}

_Noreturn void ak_malloc_panic(const char *msg, size_t len)
{
    size_t n = len < PANIC_TEXT_MAX - 1 ? len : PANIC_TEXT_MAX - 1;
    memcpy(panic_text, msg, n);
    panic_text[n] = '\0';
    if (panic_armed) {
        panic_armed = false;
        longjmp(panic_env, 1);
    }
    fail_msg("unexpected allocator panic: %s", panic_text);
    abort();
}

void ak_malloc_oom(const char *report, size_t len)
{
    size_t n = len < OOM_TEXT_MAX - 1 ? len : OOM_TEXT_MAX - 1;
    memcpy(oom_text, report, n);
    oom_text[n] = '\0';
    counts.oom_reports++;
}

void ak_malloc_set_errno(int err)
{
    last_errno = err;
}
