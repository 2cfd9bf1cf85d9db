/*
 * The vmm's start-up and receive loop.  From its boot-info page it learns
 * its physical memory, its address-space capabilities (one over itself,
 * one per process it serves) and the endpoint it receives on; then it
 * answers requests and kernel messages for ever.
 */
#include <stdio.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/ipc.h>
#include <akuma/sys.h>

#include "handlers.h"
#include "vmm.h"

/* Finds this process's capabilities; returns false with a message if one is missing. */
static bool find_caps(const ak_bootinfo_t *bi)
{
    bool self = false, ep = false;
    for (uint32_t i = 0; i < bi->ncaps && i < AK_BOOT_CAP_SLOTS; i++) {
        const ak_bootinfo_cap_t *c = &bi->caps[i];
        if (c->kind == AK_CAP_ASPACE && c->target == bi->pid) {
            vmm.self_slot = c->slot;
            self = true;
        }
        if (c->kind == AK_CAP_ENDPOINT && (c->rights & AK_RIGHT_RECV) && !ep) {
            vmm.ep_slot = c->slot;
            ep = true;
        }
    }
    if (!self || !ep || bi->nmems < 1) {
        printf("vmm: the manifest must give me %s\n",
               !self ? "an aspace capability over myself"
               : !ep ? "an endpoint to receive on" : "physical memory");
        return false;
    }
    return true;
}

/* Records every process it can serve: an aspace capability and a badge of its own. */
static void find_clients(const ak_bootinfo_t *bi)
{
    for (uint32_t i = 0; i < bi->nprocs && i < AK_BOOTINFO_PROCS; i++) {
        const ak_bootinfo_proc_t *q = &bi->procs[i];
        if (q->pid == bi->pid || q->aspace_slot == UINT32_MAX)
            continue;
        vmm_proc_t *p = &vmm.procs[vmm.nprocs++];
        p->pid = q->pid;
        p->aspace_slot = q->aspace_slot;
        p->badge = q->badge;
        memcpy(p->name, q->name, sizeof p->name);
    }
    /* A badge that is 0 or shared names no one: such a process gets no service. */
    for (unsigned i = 0; i < vmm.nprocs; i++) {
        for (unsigned j = 0; j < vmm.nprocs; j++) {
            if (vmm.procs[i].badge == 0 || (i != j && vmm.procs[i].badge == vmm.procs[j].badge)) {
                printf("vmm: %s (pid %u) has no badge of its own: its requests will be refused\n",
                       vmm.procs[i].name, vmm.procs[i].pid);
                vmm.procs[i].badge = 0;
                break;
            }
        }
    }
}

int main(void)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    vmm.pid = bi->pid;
    vmm.lo = AK_USER_MMAP_MIN;
    vmm.hi = AK_USER_MMAP_MAX;
    if (!find_caps(bi))
        return 1;
    find_clients(bi);
    int rc = frames_init(bi->mems[0].base, bi->mems[0].size);
    if (rc != 0) {
        printf("vmm: cannot set up %lu KiB of physical memory: error %d\n",
               (unsigned long)(bi->mems[0].size >> 10), rc);
        return 1;
    }
    printf("vmm: %s, %lu MiB of RAM, %u processes, mmap area 0x%lx-0x%lx\n", region_variant,
           (unsigned long)(bi->mems[0].size >> 20), vmm.nprocs, (unsigned long)vmm.lo,
           (unsigned long)vmm.hi);

    ak_msg_t m;
    int64_t badge = ak_ipc_recv(vmm.ep_slot, &m);
    for (;;) {
        if (badge < 0) {
            printf("vmm: receive failed: %ld\n", (long)badge);
            return 1;
        }
        vmm_dispatch(&vmm_handlers, NULL, (uint64_t)badge, &m, ak_ipc_buffer());
        badge = ak_ipc_reply_recv(vmm.ep_slot, &m);
    }
}
