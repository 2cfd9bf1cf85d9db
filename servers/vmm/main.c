/*
 * The vmm's start-up and receive loop.  From its boot-info page it learns
 * its physical memory, its address-space capabilities (one over itself,
 * one per process it serves) and the endpoint it receives on; from its
 * arguments (in the boot manifest) the frame quotas and whether the
 * fault-injection seam is open:
 *
 *   NAME=PAGES   the quota of the process called NAME
 *   *=PAGES      the quota of every other process (default: three
 *                quarters of the frames free at start-up)
 *   inject       accept vmm.idl inject (tests only)
 *
 * Then it answers requests and kernel messages for ever; init adopts
 * further processes to it at run time (vmm.idl adopt).
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
        char name[AK_NAME_MAX];
        memcpy(name, q->name, sizeof name);
        name[sizeof name - 1] = '\0';
        (void)clients_add(q->pid, q->aspace_slot, q->badge, 0, name); /* 16 of them fit */
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

static bool parse_pages(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > UINT32_MAX)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* Reads the arguments (above); false with a message on one it does not know. */
static bool parse_args(int argc, char **argv)
{
    uint64_t default_quota = vmm.default_quota;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        uint64_t pages = 0;
        if (!strcmp(a, "inject")) {
            vmm.inject_enabled = true;
            continue;
        }
        if (!eq || !parse_pages(eq + 1, &pages)) {
            printf("vmm: unknown argument '%s' (NAME=PAGES, *=PAGES or inject)\n", a);
            return false;
        }
        size_t n = (size_t)(eq - a);
        if (n == 1 && a[0] == '*') {
            default_quota = pages;
            continue;
        }
        bool found = false;
        for (unsigned k = 0; k < vmm.nprocs; k++) {
            if (strlen(vmm.procs[k].name) == n && !strncmp(vmm.procs[k].name, a, n)) {
                vmm.procs[k].quota = pages;
                found = true;
            }
        }
        if (!found) {
            printf("vmm: a quota for '%.*s', which it does not serve\n", (int)n, a);
            return false;
        }
    }
    for (unsigned k = 0; k < vmm.nprocs; k++)
        if (vmm.procs[k].quota == 0)
            vmm.procs[k].quota = default_quota;
    vmm.default_quota = default_quota;
    return true;
}

int main(int argc, char **argv)
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
    vmm.default_quota = frames_available() / 4 * 3;
    vmm.vmm_held_start = vmm_frames.vmm_held;
    if (!parse_args(argc, argv))
        return 1;
    printf("vmm: %s, %lu MiB of RAM, %u processes, mmap area 0x%lx-0x%lx, quota %lu pages\n", region_variant,
           (unsigned long)(bi->mems[0].size >> 20), vmm.nprocs, (unsigned long)vmm.lo,
           (unsigned long)vmm.hi, (unsigned long)vmm.default_quota);

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
