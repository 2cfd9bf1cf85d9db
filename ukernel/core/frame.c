/*
 * The frame table (see frame.h).
 *
 * Each frame is one 32-bit word, so that the table costs 1/1024 of RAM:
 *   0                  FREE
 *   1..FRAME_MAP_MAX   MAPPED, the word is the mapping count
 *   WORD_TABLE         TABLE
 *   WORD_KERNEL        KERNEL
 * Every word value is a valid state, so a count can never be mistaken for
 * another state; the totals in frame_table_t change with every transition
 * and frame_check recounts them.
 */
#include <ukernel/frame.h>

#include <akuma/abi/errno.h>

#define WORD_FREE   UINT32_C(0)
#define WORD_TABLE  (FRAME_MAP_MAX + 1u)
#define WORD_KERNEL (FRAME_MAP_MAX + 2u)

_Static_assert(WORD_KERNEL == UINT32_MAX, "the encoding uses every word value");

/* The last page frame number whose address fits a paddr_t. */
#define PFN_LIMIT (UINT64_MAX >> PAGE_SHIFT)

static frame_state_t word_state(uint32_t w)
{
    if (w == WORD_FREE)
        return FRAME_FREE;
    if (w == WORD_TABLE)
        return FRAME_TABLE;
    if (w == WORD_KERNEL)
        return FRAME_KERNEL;
    return FRAME_MAPPED;
}

/* The frame holding pa, or NULL if the table does not cover it. */
static frame_t *lookup(const frame_table_t *ft, paddr_t pa)
{
    pfn_t pfn = pa >> PAGE_SHIFT;
    if (pfn < ft->base_pfn || pfn - ft->base_pfn >= ft->nframes)
        return NULL;
    return &ft->frames[pfn - ft->base_pfn];
}

/* The aligned frame at pa for a transition, or NULL with *err set. */
static frame_t *lookup_aligned(const frame_table_t *ft, paddr_t pa, int *err)
{
    if ((pa & PAGE_MASK) != 0) {
        *err = -AK_EINVAL;
        return NULL;
    }
    frame_t *f = lookup(ft, pa);
    if (f == NULL)
        *err = -AK_EFAULT;
    return f;
}

int frame_init(frame_table_t *ft, frame_t *storage, pfn_t base_pfn, size_t nframes)
{
    if (storage == NULL || nframes == 0 || base_pfn > PFN_LIMIT || nframes > PFN_LIMIT - base_pfn)
        return -AK_EINVAL;
    for (size_t i = 0; i < nframes; i++)
        storage[i].word = WORD_FREE;
    *ft = (frame_table_t){
        .frames = storage,
        .base_pfn = base_pfn,
        .nframes = nframes,
        .nfree = nframes,
    };
    return 0;
}

int frame_set_kernel(frame_table_t *ft, paddr_t base, paddr_t end)
{
    if ((base & PAGE_MASK) != 0 || (end & PAGE_MASK) != 0 || end <= base ||
        lookup(ft, base) == NULL || lookup(ft, end - PAGE_SIZE) == NULL)
        return -AK_EINVAL;
    frame_t *first = lookup(ft, base);
    size_t n = (end - base) >> PAGE_SHIFT;
    for (size_t i = 0; i < n; i++)
        if (first[i].word != WORD_FREE)
            return -AK_EBUSY;
    for (size_t i = 0; i < n; i++)
        first[i].word = WORD_KERNEL;
    ft->nfree -= n;
    ft->nkernel += n;
    return 0;
}

frame_state_t frame_state(const frame_table_t *ft, paddr_t pa, uint32_t *count)
{
    const frame_t *f = lookup(ft, pa);
    frame_state_t s = f == NULL ? FRAME_NONE : word_state(f->word);
    if (count != NULL)
        *count = s == FRAME_MAPPED ? f->word : 0;
    return s;
}

/* Always inlined where visible: it is on every map's path (vspace_map). */
__attribute__((always_inline)) int frame_ref(frame_table_t *ft, paddr_t pa)
{
    int err;
    frame_t *f = lookup_aligned(ft, pa, &err);
    if (f == NULL)
        return err;
    switch (word_state(f->word)) {
    case FRAME_KERNEL:
        return -AK_EFAULT;
    case FRAME_TABLE:
        return -AK_EBUSY;
    case FRAME_FREE:
        ft->nfree--;
        ft->nmapped++;
        break;
    default:
        if (f->word == FRAME_MAP_MAX)
            return -AK_EOVERFLOW;
        break;
    }
    f->word++;
    ft->nrefs++;
    return 0;
}

int frame_unref(frame_table_t *ft, paddr_t pa)
{
    int err;
    frame_t *f = lookup_aligned(ft, pa, &err);
    if (f == NULL)
        return err;
    if (word_state(f->word) != FRAME_MAPPED)
        return -AK_ENOENT;
    f->word--;
    ft->nrefs--;
    if (f->word == WORD_FREE) {
        ft->nmapped--;
        ft->nfree++;
    }
    return 0;
}

int frame_set_table(frame_table_t *ft, paddr_t pa)
{
    int err;
    frame_t *f = lookup_aligned(ft, pa, &err);
    if (f == NULL)
        return err;
    switch (word_state(f->word)) {
    case FRAME_KERNEL:
        return -AK_EFAULT;
    case FRAME_FREE:
        f->word = WORD_TABLE;
        ft->nfree--;
        ft->ntable++;
        return 0;
    default:
        return -AK_EBUSY;
    }
}

int frame_clear_table(frame_table_t *ft, paddr_t pa)
{
    int err;
    frame_t *f = lookup_aligned(ft, pa, &err);
    if (f == NULL)
        return err;
    if (f->word != WORD_TABLE)
        return -AK_ENOENT;
    f->word = WORD_FREE;
    ft->ntable--;
    ft->nfree++;
    return 0;
}

int frame_check(const frame_table_t *ft)
{
    if (ft->frames == NULL || ft->nframes == 0 || ft->base_pfn > PFN_LIMIT ||
        ft->nframes > PFN_LIMIT - ft->base_pfn)
        return -AK_EINVAL;
    size_t n[FRAME_NONE] = { 0 };  /* per state: FRAME_NONE follows the real ones */
    uint64_t refs = 0;
    for (size_t i = 0; i < ft->nframes; i++) {
        uint32_t w = ft->frames[i].word;
        frame_state_t s = word_state(w);
        n[s]++;
        if (s == FRAME_MAPPED)
            refs += w;
    }
    if (n[FRAME_FREE] != ft->nfree || n[FRAME_MAPPED] != ft->nmapped ||
        n[FRAME_TABLE] != ft->ntable || n[FRAME_KERNEL] != ft->nkernel || refs != ft->nrefs)
        return -AK_EINVAL;
    return 0;
}
