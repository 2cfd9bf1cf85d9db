/*
 * What the two allocator modes share (internal to libakuma/malloc/): sizes
 * and rounding, the size limits of the public contract, and the reports
 * that leave through the glue (report.c).  Nothing here allocates or
 * touches global state.
 */
#ifndef AKUMA_MALLOC_AKM_H
#define AKUMA_MALLOC_AKM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <akuma/malloc.h>
#include <malloc/glue.h>

#define AKM_PAGE AK_MALLOC_PAGE_SIZE

static inline bool akm_is_pow2(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* x rounded up to a multiple of a (a power of two); x + a - 1 must not overflow. */
static inline size_t akm_round_up(size_t x, size_t a)
{
    return (x + a - 1) & ~(a - 1);
}

static inline uintptr_t akm_addr(const void *p)
{
    return (uintptr_t)p;
}

/*
 * The OUT OF MEMORY report of the original libakuma, for the counters s and
 * the request that failed, into buf (cap bytes, not NUL-terminated).
 * Returns the length written (the text is cut at cap).
 */
size_t akm_format_oom(char *buf, size_t cap, const ak_malloc_stats_t *s, size_t request,
                      size_t align);

/* Formats the report and hands it to ak_malloc_oom(); returns if the glue does. */
void akm_report_oom(const ak_malloc_stats_t *s, size_t request, size_t align);

/*
 * A broken invariant found by operation op (e.g. "free") on pointer p:
 * "akuma malloc: op(0x...): why" through ak_malloc_panic().
 */
_Noreturn void akm_panic(const char *op, const void *p, const char *why);

/*
 * The mode chosen from MALLOC's value (NULL: not set) and what the program
 * was linked with (built): value's mode if it is exactly "page" or
 * "chunk", else built; *bad says whether a value was set and ignored.
 */
ak_malloc_mode_t akm_mode_resolve(const char *value, ak_malloc_mode_t built, bool *bad);

/* What the program was linked with: its pin or the image's default (mode/, one linked per program). */
extern const ak_malloc_mode_t akm_built;

#endif /* AKUMA_MALLOC_AKM_H */
