/*
 * Driving a process's page tables through its address-space capability
 * (see vmm.h): fresh zeroed frames under new pages, translation tables
 * when the kernel asks for one, frames taken back on unmap, and every
 * frame of a process reclaimed at its exit (the frame pool remembers the
 * owner of each frame, so no list of mappings is kept).
 */
#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <idl/kernel_client.h>

#include "vmm.h"

vmm_t vmm;

vmm_proc_t *vmm_proc_by_badge(uint64_t badge)
{
    for (unsigned i = 0; i < vmm.nprocs; i++)
        if (vmm.procs[i].badge == badge && badge != 0)
            return &vmm.procs[i];
    return NULL;
}

vmm_proc_t *vmm_proc_by_pid(uint64_t pid)
{
    for (unsigned i = 0; i < vmm.nprocs; i++)
        if ((uint64_t)vmm.procs[i].pid == pid)
            return &vmm.procs[i];
    return NULL;
}

frame_owner_t vmm_proc_owner(const vmm_proc_t *p)
{
    return (frame_owner_t)(p - vmm.procs + 1);
}

int space_map_fresh(vmm_proc_t *p, uint64_t va, uint32_t prot)
{
    uint64_t pa = frames_alloc_zeroed(vmm_proc_owner(p));
    if (!pa)
        return -AK_ENOMEM;
    for (;;) {
        uint8_t level = 0;
        uint64_t where = 0;
        int rc = aspace_map(p->aspace_slot, va, pa, prot, &level, &where);
        if (rc == 0) {
            p->mapped_pages++;
            return 0;
        }
        if (rc == -AK_ENOTABLE) {
            uint64_t table = frames_alloc_table(vmm_proc_owner(p));
            if (table) {
                rc = aspace_table(p->aspace_slot, va, level, table);
                if (rc == 0)
                    continue;
                frames_free(table);
            } else {
                rc = -AK_ENOMEM;
            }
        }
        frames_free(pa);
        return rc;
    }
}

int space_unmap_page(vmm_proc_t *p, uint64_t va)
{
    uint64_t pa = 0;
    int rc = aspace_take(p->aspace_slot, va, &pa);
    if (rc == -AK_ENOENT)
        return 0;
    if (rc != 0)
        return rc;
    if (frames_owns(pa))
        frames_free(pa);
    p->mapped_pages--;
    return 0;
}

void space_reclaim(vmm_proc_t *p)
{
    /*
     * The kernel destroys the address space when this EXIT is answered,
     * before the vmm runs again: its frames can go back to the pool now.
     */
    frames_free_owner(vmm_proc_owner(p));
    region_destroy(&p->regions);
    p->mapped_pages = 0;
    p->live = false;
}
