/*
 * The processes a vmm serves (vmm.procs): the boot manifest's, listed in
 * its boot-info page, and those init adopts to it at run time (vmm.idl
 * adopt), which are forgotten when they end.  A process is known by its
 * badge (its calls) and its pid (the kernel's messages); an entry's index
 * is also its frame owner number, so an entry is reused only once every
 * frame of its last process is back (its EXIT, or a disown before it ran).
 *
 * Nothing here calls the kernel: the table is tested on the host.
 */
#include <string.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/syscall.h>

#include "vmm.h"

vmm_t vmm;

vmm_proc_t *vmm_proc_by_badge(uint64_t badge)
{
    for (unsigned i = 0; i < vmm.nprocs; i++)
        if (vmm.procs[i].used && vmm.procs[i].badge == badge && badge != 0)
            return &vmm.procs[i];
    return NULL;
}

vmm_proc_t *vmm_proc_by_pid(uint64_t pid)
{
    for (unsigned i = 0; i < vmm.nprocs; i++)
        if (vmm.procs[i].used && (uint64_t)vmm.procs[i].pid == pid)
            return &vmm.procs[i];
    return NULL;
}

frame_owner_t vmm_proc_owner(const vmm_proc_t *p)
{
    return (frame_owner_t)(p - vmm.procs + 1);
}

vmm_proc_t *clients_add(uint32_t pid, uint32_t aspace_slot, uint64_t badge, uint64_t quota, const char *name)
{
    unsigned i = 0;
    while (i < vmm.nprocs && vmm.procs[i].used)
        i++;
    if (i == VMM_MAX_PROCS)
        return NULL;
    vmm_proc_t *p = &vmm.procs[i];
    memset(p, 0, sizeof *p);
    p->used = true;
    p->pid = pid;
    p->aspace_slot = aspace_slot;
    p->badge = badge;
    p->quota = quota;
    memcpy(p->name, name, strnlen(name, sizeof p->name - 1));
    if (i == vmm.nprocs)
        vmm.nprocs++;
    return p;
}

int clients_adopt(uint32_t pid, uint32_t aspace_slot, uint64_t badge, uint64_t quota, const char *name,
                  uint64_t quota_max)
{
    if (aspace_slot < AK_BOOT_CAP_SLOTS || aspace_slot >= AK_CAP_SLOTS || badge == 0 || badge > AK_BADGE_MAX ||
        name[0] == '\0')
        return -AK_EINVAL;
    if (vmm_proc_by_pid(pid) || vmm_proc_by_badge(badge))
        return -AK_EEXIST;
    for (unsigned i = 0; i < vmm.nprocs; i++)
        if (vmm.procs[i].used && vmm.procs[i].aspace_slot == aspace_slot)
            return -AK_EEXIST;
    if (quota > quota_max)
        return -AK_ENOMEM;
    vmm_proc_t *p = clients_add(pid, aspace_slot, badge, quota ? quota : vmm.default_quota, name);
    if (!p)
        return -AK_ENOSPC;
    p->adopted = true;
    return 0;
}

int clients_disown(uint32_t pid)
{
    vmm_proc_t *p = vmm_proc_by_pid(pid);
    if (!p || !p->adopted)
        return -AK_ESRCH;
    if (p->live)
        return -AK_EBUSY;
    clients_forget(p);
    return 0;
}

void clients_forget(vmm_proc_t *p)
{
    p->used = false;
    p->pid = 0;
    p->badge = 0;
    while (vmm.nprocs > 0 && !vmm.procs[vmm.nprocs - 1].used)
        vmm.nprocs--;
}
