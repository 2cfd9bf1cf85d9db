/*
 * Building the processes of the manifest, as the kernel did before init
 * existed: each gets a fresh address space whose segments, stack, IPC
 * buffer and boot-info page are frames of init's, mapped before it starts;
 * then the manifest's capabilities, minted from init's own; then its
 * boot-info page, which says the same as the kernel's did (the manifest's
 * endpoint numbers, the pids, and for a pager every process it serves).
 */
#include "init.h"

#include <stdio.h>
#include <string.h>

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/start.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

static int fail(const bootimage_t *image, uint32_t i, const char *what, int rc)
{
    printf("[init] program %u (%s): %s: error %d\n", i, image->programs[i].name, what, rc);
    return rc ? rc : -AK_EIO;
}

/* Maps a fresh frame holding n bytes of data (the rest zero) at va; its pa in *pa_out if asked. */
static int map_fresh(uint32_t aspace_slot, uint64_t va, const void *data, size_t n, uint32_t prot,
                     uint64_t *pa_out)
{
    uint64_t pa = frame_alloc();
    if (!pa)
        return -AK_ENOMEM;
    int rc = frame_fill(pa, data, n);
    if (!rc)
        rc = map_with_tables(aspace_slot, va, pa, prot);
    if (!rc && pa_out)
        *pa_out = pa;
    return rc;
}

static int load_segments(const bootimage_program_t *p, uint32_t aspace_slot)
{
    const elf_image_t *img = &p->image;
    for (unsigned s = 0; s < img->nsegs; s++) {
        const elf_segment_t *seg = &img->segs[s];
        uint64_t start = seg->vaddr & ~(AK_PAGE_SIZE - 1);
        uint64_t end = (seg->vaddr + seg->memsz + AK_PAGE_SIZE - 1) & ~(AK_PAGE_SIZE - 1);
        for (uint64_t va = start; va < end; va += AK_PAGE_SIZE) {
            static uint8_t page[AK_PAGE_SIZE];
            memset(page, 0, sizeof page);
            /* The part of the file that lands in this page, if any. */
            uint64_t lo = va > seg->vaddr ? va : seg->vaddr;
            uint64_t hi = va + AK_PAGE_SIZE;
            if (hi > seg->vaddr + seg->filesz)
                hi = seg->vaddr + seg->filesz;
            if (lo < hi)
                memcpy(page + (lo - va), p->elf + seg->offset + (lo - seg->vaddr), hi - lo);
            int rc = map_fresh(aspace_slot, va, page, sizeof page, seg->prot, NULL);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int build_program(const bootimage_t *image, uint32_t i, program_t *prog)
{
    const bootimage_program_t *p = &image->programs[i];
    uint32_t pager = p->pager >= 0 ? SLOT_EP0 + (uint32_t)p->pager : AK_NO_SLOT;
    uint64_t root = frame_alloc();
    if (!root)
        return fail(image, i, "out of memory for its root table", -AK_ENOMEM);
    int rc = procctl_create(AK_INIT_SLOT_PROCCTL, SLOT_PROC0 + i, root, (uint8_t)p->priority, pager,
                            &prog->pid);
    if (rc)
        return fail(image, i, "create", rc);
    uint32_t as = SLOT_ASPACE0 + i;
    if ((rc = process_aspace(SLOT_PROC0 + i, as)))
        return fail(image, i, "its address space", rc);
    if ((rc = load_segments(p, as)))
        return fail(image, i, "loading its segments", rc);
    /* The stack; its top page starts with the arguments (abi/start.h). */
    static char args[AK_ARGS_MAX];
    static uint8_t top[AK_PAGE_SIZE];
    const char *argv[AK_START_ARGV_MAX];
    argv[0] = p->name;
    memcpy(args, p->args, strlen(p->args) + 1);
    int nargs = split_words(args, argv + 1, AK_START_ARGV_MAX - 1);
    if (nargs < 0)
        return fail(image, i, "too many arguments", nargs);
    const uint64_t top_va = AK_USER_STACK_TOP - AK_PAGE_SIZE;
    if ((rc = initial_stack(top, top_va, argv, 1u + (unsigned)nargs, NULL, 0, &prog->sp)))
        return fail(image, i, "its arguments", rc);
    for (uint64_t va = AK_USER_STACK_BOTTOM; va < top_va; va += AK_PAGE_SIZE)
        if ((rc = map_fresh(as, va, NULL, 0, AK_PROT_READ | AK_PROT_WRITE, NULL)))
            return fail(image, i, "its stack", rc);
    if ((rc = map_fresh(as, top_va, top, sizeof top, AK_PROT_READ | AK_PROT_WRITE, NULL)))
        return fail(image, i, "its stack", rc);
    if ((rc = map_fresh(as, AK_IPCBUF_VA, NULL, 0, AK_PROT_READ | AK_PROT_WRITE, NULL)) ||
        (rc = map_fresh(as, AK_BOOTINFO_VA, NULL, 0, AK_PROT_READ, &prog->bootinfo_pa)))
        return fail(image, i, "its IPC buffer and boot-info page", rc);
    return 0;
}

/* init's slot holding what a capability record of the manifest grants. */
static uint32_t source_slot(const bootimage_cap_t *c, uint32_t ram_slot)
{
    switch (c->kind) {
    case AK_CAP_ENDPOINT: return SLOT_EP0 + c->target;
    case AK_CAP_ASPACE:   return SLOT_ASPACE0 + c->target;
    case AK_CAP_PHYSMEM:  return ram_slot;
    case AK_CAP_PROCCTL:  return AK_INIT_SLOT_PROCCTL;
    case AK_CAP_POWER:    return AK_INIT_SLOT_POWER;
    case AK_CAP_IRQCTL:   return AK_INIT_SLOT_IRQCTL;
    case AK_CAP_DEVICE:   return AK_INIT_SLOT_DEVICE0 + c->target;
    default:              return AK_NO_SLOT;
    }
}

int grant_caps(const bootimage_t *image, uint32_t ram_slot)
{
    for (uint32_t k = 0; k < image->ncaps; k++) {
        const bootimage_cap_t *c = &image->caps[k];
        int rc = process_cap_copy(SLOT_PROC0 + c->holder, source_slot(c, ram_slot), c->slot,
                                  (uint8_t)c->rights, c->badge);
        if (rc) {
            printf("[init] cap %u (%s slot %u): cannot grant it: error %d\n", k,
                   image->programs[c->holder].name, c->slot, rc);
            return rc;
        }
    }
    return 0;
}

/* The badge program q uses on an endpoint that program h receives on, or 0. */
static uint64_t badge_towards(const bootimage_t *image, uint32_t q, uint32_t h)
{
    for (uint32_t a = 0; a < image->ncaps; a++) {
        const bootimage_cap_t *c = &image->caps[a];
        if (c->holder != q || c->kind != AK_CAP_ENDPOINT || !(c->rights & AK_RIGHT_SEND))
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

static void write_bootinfo(const bootimage_t *image, uint32_t i, const program_t *progs,
                           ak_bootinfo_t *bi)
{
    memset(bi, 0, sizeof *bi);
    bi->magic = AK_BOOTINFO_MAGIC;
    bi->version = AK_BOOTINFO_VERSION;
    bi->pid = progs[i].pid;
    memcpy(bi->name, image->programs[i].name, strlen(image->programs[i].name));
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
            o->target = c->kind == AK_CAP_ASPACE ? progs[c->target].pid : c->target;
            o->badge = c->badge;
            if (c->kind == AK_CAP_PHYSMEM && bi->nmems < AK_BOOTINFO_MEMS) {
                ak_bootinfo_mem_t *m = &bi->mems[bi->nmems++];
                m->base = progs[i].ram_base;
                m->size = progs[i].ram_size;
                m->physmem_slot = s;
            }
            if (c->kind == AK_CAP_ASPACE)
                pager = true;
        }
    }
    /* A holder of address-space authority learns about every process. */
    for (uint32_t q = 0; pager && q < image->nprograms; q++) {
        ak_bootinfo_proc_t *o = &bi->procs[bi->nprocs++];
        o->pid = progs[q].pid;
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

static uint64_t name_word(const char *name, unsigned w)
{
    char buf[AK_NAME_MAX] = { 0 };
    memcpy(buf, name, strnlen(name, AK_NAME_MAX - 1));
    uint64_t word;
    memcpy(&word, buf + sizeof word * w, sizeof word);
    return word;
}

int finish_program(const bootimage_t *image, uint32_t i, program_t *progs)
{
    static ak_bootinfo_t bi;
    write_bootinfo(image, i, progs, &bi);
    int rc = frame_fill(progs[i].bootinfo_pa, &bi, sizeof bi);
    if (rc)
        return fail(image, i, "writing its boot info", rc);
    const char *name = image->programs[i].name;
    rc = process_configure(SLOT_PROC0 + i, image->programs[i].image.entry, progs[i].sp,
                           name_word(name, 0), name_word(name, 1));
    if (rc)
        return fail(image, i, "configure", rc);
    return 0;
}
