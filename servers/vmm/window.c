/*
 * The window (see vmm.h): the vmm's own mapping of the frames it owns,
 * made one page at a time on first use through its address-space
 * capability over itself.  Translation tables for the window come from
 * the pool (or, while the pool is being built, from the frames after its
 * bookkeeping); window_make_tables makes all of them at start-up, so
 * that windowing a frame later never needs a frame.
 */
#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <idl/kernel_client.h>

#include "vmm.h"

#define WINDOW_PROT (AK_PROT_READ | AK_PROT_WRITE)

void *window_va(uint64_t pa)
{
    return (void *)(uintptr_t)(VMM_WINDOW_VA + (pa - vmm_frames.base));
}

uint64_t window_pa(const void *va)
{
    return (uint64_t)(uintptr_t)va - VMM_WINDOW_VA + vmm_frames.base;
}

/*
 * Maps pa at its window address; table frames from next_table (or the
 * pool if NULL).  Cold: a frame is mapped once and then stays, so this
 * is kept out of line and the callers' usual path (already mapped) saves
 * no registers for it.
 */
__attribute__((cold)) static int map(uint64_t pa, uint64_t *next_table, uint64_t limit)
{
    uint64_t va = (uint64_t)(uintptr_t)window_va(pa);
    for (;;) {
        uint8_t level = 0;
        uint64_t where = 0;
        int rc = aspace_map(vmm.self_slot, va, pa, WINDOW_PROT, &level, &where);
        if (rc != -AK_ENOTABLE)
            return rc;
        uint64_t table;
        if (next_table) {
            if (*next_table >= limit)
                return -AK_ENOMEM;
            table = *next_table;
            *next_table += VMM_PAGE;
        } else if (frames_reserve(1) != 0 || !(table = frames_alloc_table(FRAME_VMM, FROM_RESERVED))) {
            return -AK_ENOMEM;
        }
        rc = aspace_table(vmm.self_slot, va, level, table);
        if (rc != 0)
            return rc;
    }
}

int window_map_early(uint64_t pa, uint64_t *next_table, uint64_t limit)
{
    return map(pa, next_table, limit);
}

void *window_of(uint64_t pa)
{
    if (!frames_windowed(pa)) {
        if (map(pa, NULL, 0) != 0)
            return NULL;
        frames_set_windowed(pa, true);
    }
    return window_va(pa);
}

int window_drop(uint64_t pa)
{
    if (!frames_windowed(pa))
        return 0;
    int rc = aspace_unmap(vmm.self_slot, (uint64_t)(uintptr_t)window_va(pa), 1);
    if (rc == 0)
        frames_set_windowed(pa, false);
    return rc;
}

int window_make_tables(void)
{
    const frames_t *f = &vmm_frames;
    uint64_t per_span = VMM_SPAN / VMM_PAGE;
    for (uint64_t first = 0; first < f->nframes; first += per_span) {
        uint64_t last = first + per_span < f->nframes ? first + per_span : f->nframes;
        /*
         * A windowed frame of the span means its tables exist; else window
         * its highest free frame (not the next one the pool hands out,
         * which mapping it may need as a table).
         */
        for (uint64_t i = last; i-- > first;) {
            uint64_t pa = f->base + i * VMM_PAGE;
            if (frames_windowed(pa))
                break;
            if (f->owner[i] != FRAME_FREE_OWNER || f->stack[f->nfree - 1] == i)
                continue;
            if (!window_of(pa))
                return -AK_ENOMEM;
            break;
        }
    }
    frames_end_request();
    return 0;
}
