/*
 * Symbol lookup over the embedded table (see ksyms.h): a binary search for
 * the last symbol at or below the address.
 */
#include <ukernel/ksyms.h>

#include <ukernel/arch/memory.h>

extern const ksyms_header_t ksyms_table;

const char *ksym_lookup(vaddr_t addr, uint64_t *offset)
{
    const ksyms_header_t *h = &ksyms_table;
    const ksym_t *e = (const ksym_t *)(h + 1);
    const char *names = (const char *)h + h->names_offset;

    if (addr < (vaddr_t)__text_start || addr >= (vaddr_t)__text_end || h->count == 0 ||
        addr < e[0].addr)
        return NULL;
    uint64_t lo = 0, hi = h->count; /* invariant: e[lo].addr <= addr, answer in [lo, hi) */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (e[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *offset = addr - e[lo].addr;
    return names + e[lo].name_offset;
}
