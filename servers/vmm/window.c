/*
 * The window (see vmm.h): the vmm's own mapping of the frames it owns,
 * made one page at a time on first use through its address-space
 * capability over itself.  Translation tables for the window come from
 * the pool (or, while the pool is being built, from the frames after its
 * bookkeeping).
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
        } else if (!(table = frames_alloc_table(FRAME_VMM))) {
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
