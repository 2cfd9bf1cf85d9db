/*
 * The programs of the manifest, started as the kernel started them before
 * init existed: all built first, then the RAM init did not use (less the
 * spawn reserve) handed to the manifest's physmem holder, the manifest's
 * capabilities minted from init's own, each boot-info page written with
 * the same contents (the manifest's endpoint numbers, the pids, and for a
 * pager every process it serves) plus init's boot arguments, and then
 * started in order.  Program i is
 * entry i of the process table (pm.c).
 */
#include "init.h"

#include <stdio.h>
#include <string.h>

#include <akuma/abi/console.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/process.h>
#include <akuma/abi/start.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

static built_t built[BI_MAX_PROGRAMS];
static uint64_t share_base[BI_MAX_CAPS], share_size[BI_MAX_CAPS];  /* a physmem capability's range */
static char why[200];

_Noreturn static void refuse(const char *what)
{
    printf("[init] manifest refused: %s\n", what);
    fflush_stdout();
    power_poweroff(AK_INIT_SLOT_POWER, AK_POWEROFF_REFUSED);
    ak_exit(AK_POWEROFF_REFUSED);
}

static void build_program(const bootimage_t *image, uint32_t i)
{
    const bootimage_program_t *p = &image->programs[i];
    static char args[AK_ARGS_MAX], env[AK_ARGS_MAX];
    const char *argv[AK_START_ARGV_MAX], *envp[AK_START_ENV_MAX];
    argv[0] = p->name;
    memcpy(args, p->args, strlen(p->args) + 1);
    memcpy(env, p->env, strlen(p->env) + 1);
    int nargs = split_words(args, argv + 1, AK_START_ARGV_MAX - 1);
    int nenv = split_words(env, envp, AK_START_ENV_MAX);
    int rc = nargs < 0 ? nargs : nenv < 0 ? nenv : 0;
    const char *what = nargs < 0 ? "too many arguments" : "too many environment strings";
    if (!rc) {
        build_req_t r = {
            .name = p->name, .image = &p->image, .elf = p->elf, .argv = argv, .argc = 1u + (unsigned)nargs,
            .envp = envp, .envc = (unsigned)nenv,
            .priority = (uint8_t)p->priority,
            .pager_slot = p->pager >= 0 ? SLOT_EP0 + (uint32_t)p->pager : AK_NO_SLOT,
            .proc_slot = SLOT_PROC0 + i, .aspace_slot = SLOT_ASPACE0 + i,
        };
        rc = build_process(&r, NULL, &built[i]);
        what = "cannot be built";
    }
    if (rc) {
        printf("[init] program %u (%s): %s: error %d\n", i, p->name, what, rc);
        refuse("a program cannot be built (above)");
    }
}

/* init's slot holding what a capability record of the manifest grants. */
static uint32_t source_slot(const bootimage_cap_t *c)
{
    switch (c->kind) {
    case AK_CAP_ENDPOINT: return c->target == BI_ENDPOINT_INIT ? SLOT_PM : SLOT_EP0 + c->target;
    case AK_CAP_ASPACE:   return SLOT_ASPACE0 + c->target;
    case AK_CAP_PROCCTL:  return AK_INIT_SLOT_PROCCTL;
    case AK_CAP_POWER:    return AK_INIT_SLOT_POWER;
    case AK_CAP_IRQCTL:   return AK_INIT_SLOT_IRQCTL;
    case AK_CAP_DEVICE:   return AK_INIT_SLOT_DEVICE0 + c->target;
    default:              return AK_NO_SLOT;
    }
}

static void grant_caps(const bootimage_t *image)
{
    for (uint32_t k = 0; k < image->ncaps; k++) {
        const bootimage_cap_t *c = &image->caps[k];
        if (c->kind == AK_CAP_PHYSMEM)
            continue;   /* granted as it was cut (split_ram) */
        /* An endpoint to init is badged with the holder's entry number, plus one. */
        uint64_t badge = c->kind == AK_CAP_ENDPOINT && c->target == BI_ENDPOINT_INIT ? c->holder + 1u : c->badge;
        int rc = process_cap_copy(SLOT_PROC0 + c->holder, source_slot(c), c->slot, (uint8_t)c->rights, badge);
        if (rc) {
            snprintf(why, sizeof why, "cap %u (%s slot %u): cannot grant it: error %d", k,
                     image->programs[c->holder].name, c->slot, rc);
            refuse(why);
        }
    }
}

/* The badge program q uses on an endpoint that program h receives on, or 0. */
static uint64_t badge_towards(const bootimage_t *image, uint32_t q, uint32_t h)
{
    for (uint32_t a = 0; a < image->ncaps; a++) {
        const bootimage_cap_t *c = &image->caps[a];
        if (c->holder != q || c->kind != AK_CAP_ENDPOINT || !(c->rights & AK_RIGHT_SEND) ||
            c->target == BI_ENDPOINT_INIT)
            continue;
        for (uint32_t b = 0; b < image->ncaps; b++) {
            const bootimage_cap_t *r = &image->caps[b];
            if (r->holder == h && r->kind == AK_CAP_ENDPOINT && (r->rights & AK_RIGHT_RECV) &&
                r->target == c->target)
                return c->badge;
        }
    }
    return 0;
}

static void write_bootinfo(const bootimage_t *image, uint32_t i, ak_bootinfo_t *bi)
{
    memset(bi, 0, sizeof *bi);
    bi->magic = AK_BOOTINFO_MAGIC;
    bi->version = AK_BOOTINFO_VERSION;
    bi->pid = built[i].pid;
    memcpy(bi->name, image->programs[i].name, strlen(image->programs[i].name));
    /* init's boot arguments, as the kernel gave them (printable, NUL-terminated, within the bound). */
    memcpy(bi->bootargs, ak_bootinfo()->bootargs, strnlen(ak_bootinfo()->bootargs, AK_BOOTARGS_MAX - 1));
    bool pager = false;
    /* In slot order, as the kernel listed them. */
    for (uint32_t s = 0; s < AK_BOOT_CAP_SLOTS; s++) {
        for (uint32_t k = 0; k < image->ncaps; k++) {
            const bootimage_cap_t *c = &image->caps[k];
            if (c->holder != i || c->slot != s)
                continue;
            ak_bootinfo_cap_t *o = &bi->caps[bi->ncaps++];
            o->slot = s;
            o->kind = c->kind;
            o->rights = c->rights;
            o->target = c->kind == AK_CAP_ASPACE ? built[c->target].pid : c->target;
            o->badge = c->kind == AK_CAP_ENDPOINT && c->target == BI_ENDPOINT_INIT ? i + 1u : c->badge;
            if (c->kind == AK_CAP_PHYSMEM && bi->nmems < AK_BOOTINFO_MEMS) {
                ak_bootinfo_mem_t *m = &bi->mems[bi->nmems++];
                m->base = share_base[k];
                m->size = share_size[k];
                m->physmem_slot = s;
            }
            if (c->kind == AK_CAP_ASPACE)
                pager = true;
        }
    }
    /* A holder of address-space authority learns about every process. */
    for (uint32_t q = 0; pager && q < image->nprograms; q++) {
        ak_bootinfo_proc_t *o = &bi->procs[bi->nprocs++];
        o->pid = built[q].pid;
        memcpy(o->name, image->programs[q].name, strlen(image->programs[q].name));
        o->badge = badge_towards(image, q, i);
        o->aspace_slot = UINT32_MAX;
        for (uint32_t k = 0; k < image->ncaps; k++) {
            const bootimage_cap_t *c = &image->caps[k];
            if (c->holder == i && c->kind == AK_CAP_ASPACE && c->target == q)
                o->aspace_slot = c->slot;
        }
    }
}

/* Grants the range in slot (a physmem capability) to cap k's holder, records it and says so. */
static void grant_share(const bootimage_t *image, uint32_t k, uint32_t slot)
{
    const bootimage_cap_t *c = &image->caps[k];
    int rc = physmem_info(slot, &share_base[k], &share_size[k]);
    if (!rc)
        rc = process_cap_copy(SLOT_PROC0 + c->holder, slot, c->slot, (uint8_t)c->rights, 0);
    if (rc) {
        snprintf(why, sizeof why, "cap %u (%s slot %u): cannot grant its RAM: error %d", k,
                 image->programs[c->holder].name, c->slot, rc);
        refuse(why);
    }
    ak_cap_drop(slot);
    printf("[init] %lu MiB of RAM to pid %u (%s): 0x%lx-0x%lx\n", (unsigned long)(share_size[k] >> 20),
           built[c->holder].pid, image->programs[c->holder].name, (unsigned long)share_base[k],
           (unsigned long)(share_base[k] + share_size[k]));
}

/*
 * The manifest's physical memory.  init keeps what it used and the spawn
 * reserve; the shares with a size are cut from the rest in the manifest's
 * order, and the share without one (if any) gets what they leave.  A share
 * is granted as it is cut, so grant_caps() skips physmem.
 */
static void split_ram(const bootimage_t *image)
{
    uint64_t want = 0;
    bool any = false;
    for (uint32_t k = 0; k < image->ncaps; k++) {
        if (image->caps[k].kind == AK_CAP_PHYSMEM) {
            any = true;
            want += (uint64_t)image->caps[k].target << 20;
        }
    }
    if (!any)
        return;
    uint64_t keep = frames_end() - frames_base() + INIT_SPAWN_RESERVE;
    uint64_t left = frames_limit() - frames_base() > keep ? frames_limit() - frames_base() - keep : 0;
    if (want > left) {
        snprintf(why, sizeof why, "the RAM shares ask for %lu MiB; %lu MiB are left after init's %lu KiB",
                 (unsigned long)(want >> 20), (unsigned long)(left >> 20), (unsigned long)(keep >> 10));
        refuse(why);
    }
    int rc = physmem_split(AK_INIT_SLOT_PHYSMEM, keep, SLOT_RAM);
    if (rc) {
        snprintf(why, sizeof why, "cannot split RAM at 0x%lx: error %d", (unsigned long)keep, rc);
        refuse(why);
    }
    frames_shrink(frames_base() + keep);
    printf("[init] init keeps %lu KiB\n", (unsigned long)(keep >> 10));
    /* The rest is in slot `rest`; a share is cut off its start, the remainder going to `spare`. */
    uint32_t rest = SLOT_RAM, spare = SLOT_RAM + 1u;
    for (uint32_t k = 0; k < image->ncaps; k++) {
        const bootimage_cap_t *c = &image->caps[k];
        if (c->kind != AK_CAP_PHYSMEM || c->target == BI_PHYSMEM_REST)
            continue;
        uint64_t size = (uint64_t)c->target << 20;
        left -= size;
        if (left > 0 && (rc = physmem_split(rest, size, spare)) != 0) {
            snprintf(why, sizeof why, "cannot cut %lu MiB of RAM: error %d", (unsigned long)c->target, rc);
            refuse(why);
        }
        grant_share(image, k, rest);
        uint32_t t = rest;
        rest = spare;
        spare = t;
    }
    for (uint32_t k = 0; k < image->ncaps; k++) {
        const bootimage_cap_t *c = &image->caps[k];
        if (c->kind != AK_CAP_PHYSMEM || c->target != BI_PHYSMEM_REST)
            continue;
        if (left == 0) {
            snprintf(why, sizeof why, "cap %u (%s slot %u): the shares with a size leave no RAM for it", k,
                     image->programs[c->holder].name, c->slot);
            refuse(why);
        }
        grant_share(image, k, rest);
        left = 0;
    }
    if (left > 0) {
        printf("[init] %lu MiB of RAM handed to no one\n", (unsigned long)(left >> 20));
        ak_cap_drop(rest);
    }
}

bool manifest_vmm(const bootimage_t *image, const char *name, uint32_t *entry, uint32_t *ep_slot)
{
    uint32_t v = 0;
    while (v < image->nprograms && strcmp(image->programs[v].name, name) != 0)
        v++;
    bool ram = false, driver = false;
    uint32_t slot = AK_BOOT_CAP_SLOTS, ep = 0;
    for (uint32_t k = 0; v < image->nprograms && k < image->ncaps; k++) {
        const bootimage_cap_t *c = &image->caps[k];
        if (c->holder != v)
            continue;
        ram |= c->kind == AK_CAP_PHYSMEM;
        driver |= c->kind == AK_CAP_DEVICE;
        if (c->kind == AK_CAP_ENDPOINT && c->target != BI_ENDPOINT_INIT && (c->rights & AK_RIGHT_RECV) &&
            c->slot < slot) {
            slot = c->slot;
            ep = c->target;
        }
    }
    /* A driver (the console: RAM only for its device window's tables) is never asked as a vmm: it may be
       calling init itself (Ctrl-C), and init's call to it would then wait forever. */
    if (!ram || driver || slot == AK_BOOT_CAP_SLOTS)
        return false;
    *entry = v;
    *ep_slot = SLOT_EP0 + ep;
    return true;
}

static const char *pager_name(const bootimage_t *image, const bootimage_program_t *p)
{
    /* The program that receives on its pager endpoint; "none" without one. */
    for (uint32_t k = 0; p->pager >= 0 && k < image->ncaps; k++) {
        const bootimage_cap_t *c = &image->caps[k];
        if (c->kind == AK_CAP_ENDPOINT && c->target == (uint32_t)p->pager && (c->rights & AK_RIGHT_RECV))
            return image->programs[c->holder].name;
    }
    return p->pager >= 0 ? "" : "none";
}

void manifest_start(const bootimage_t *image)
{
    printf("[init] %u programs, %u endpoints, %u capabilities\n", image->nprograms, image->nendpoints,
           image->ncaps);
    for (uint32_t e = 0; e < image->nendpoints; e++) {
        int rc = procctl_endpoint(AK_INIT_SLOT_PROCCTL, SLOT_EP0 + e);
        if (rc) {
            snprintf(why, sizeof why, "endpoint %u: error %d", e, rc);
            refuse(why);
        }
    }
    /* init's own endpoint after the manifest's, so that theirs have the kernel's first numbers. */
    int rc = procctl_endpoint(AK_INIT_SLOT_PROCCTL, SLOT_PM);
    if (rc) {
        snprintf(why, sizeof why, "init's endpoint: error %d", rc);
        refuse(why);
    }
    for (uint32_t i = 0; i < image->nprograms; i++)
        build_program(image, i);
    split_ram(image);
    grant_caps(image);
    for (uint32_t i = 0; i < image->nprograms; i++) {
        const bootimage_program_t *p = &image->programs[i];
        static ak_bootinfo_t bi;
        write_bootinfo(image, i, &bi);
        rc = finish_process(SLOT_PROC0 + i, p->name, p->image.entry, &built[i], &bi);
        const char *pager = pager_name(image, p);
        if (!rc)
            rc = pm_track(i, built[i].pid, p->name, pager, (uint8_t)p->priority, AK_INIT_PID, true);
        uint32_t v, ep;
        if (!rc && manifest_vmm(image, pager, &v, &ep) && ep == SLOT_EP0 + (uint32_t)p->pager)
            pm_procs[i].pager_ep = ep;
        for (uint32_t k = 0; k < image->ncaps; k++) {
            const bootimage_cap_t *c = &image->caps[k];
            if (c->holder == i && c->slot == AK_SLOT_CONSOLE && c->kind == AK_CAP_ENDPOINT &&
                c->target != BI_ENDPOINT_INIT)
                pm_procs[i].console_ep = SLOT_EP0 + c->target;
        }
        static char env[AK_ARGS_MAX];
        const char *envp[AK_START_ENV_MAX];
        memcpy(env, p->env, strlen(p->env) + 1);
        int nenv = split_words(env, envp, AK_START_ENV_MAX);
        pm_procs[i].malloc_mode = pm_malloc_mode(envp, nenv < 0 ? 0 : nenv, p->elf, p->elf_size);
        if (rc) {
            snprintf(why, sizeof why, "program %u (%s) cannot be configured: error %d", i, p->name, rc);
            refuse(why);
        }
    }
    /* Built: only its pager keeps a process's address space from now on. */
    for (uint32_t i = 0; i < image->nprograms; i++)
        ak_cap_drop(SLOT_ASPACE0 + i);
    for (uint32_t i = 0; i < image->nprograms; i++) {
        rc = process_start(SLOT_PROC0 + i);
        if (rc) {
            snprintf(why, sizeof why, "starting program %u (%s): error %d", i, image->programs[i].name, rc);
            refuse(why);
        }
    }
}
