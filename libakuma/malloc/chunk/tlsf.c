/*
 * The walk of the TLSF free lists for akm_chunk_check() (tlsf.h has the
 * lists themselves): every list entry is a valid free block of its class,
 * the back links hold, the bitmaps say exactly which lists are non-empty,
 * and the empty chunks are counted right.
 */
#include <malloc/tlsf.h>

static _Noreturn void check_fail(const void *where, const char *why)
{
    akm_panic("check", where, why);
}

size_t akm_tlsf_check(const akm_chunk_heap_t *h)
{
    size_t nfree = 0;
    size_t spares = 0;
    for (unsigned fl = 0; fl < AKM_TLSF_FL_COUNT; fl++) {
        if (((h->fl_bitmap >> fl) & 1u) != (h->sl_bitmap[fl] != 0))
            check_fail(h, "first-level bitmap disagrees with the second level");
        for (unsigned sl = 0; sl < AKM_TLSF_SL_COUNT; sl++) {
            const akm_free_t *f = h->lists[fl][sl];
            if (((h->sl_bitmap[fl] >> sl) & 1u) != (f != NULL))
                check_fail(h, "second-level bitmap disagrees with its list");
            const akm_free_t *prev = NULL;
            for (; f != NULL; prev = f, f = f->next) {
                size_t size;
                akm_block_t *b = tlsf_listed_block((akm_free_t *)(uintptr_t)f, &size);
                unsigned bfl, bsl;
                tlsf_mapping(size, &bfl, &bsl);
                if (bfl != fl || bsl != sl)
                    check_fail(b, "free block on the list of another size class");
                if (f->prev != prev)
                    check_fail(b, "free list back link broken");
                if (size == BLOCK_MAX)
                    spares++;
                nfree++;
            }
        }
    }
    if (spares != h->spares || spares > AKM_CHUNK_SPARES)
        check_fail(h, "count of empty chunks is wrong");
    return nfree;
}
