/*
 * Building one process: a fresh address space whose segments, stack (with
 * its arguments, abi/start.h), IPC buffer and boot-info page are frames of
 * init's, mapped before it starts.  The manifest's programs and those
 * spawned at run time are built the same way.
 */
#include "init.h"

#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/abi/start.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

/* Maps a fresh frame holding n bytes of data (the rest zero) at va; its pa in *pa_out if asked. */
static int map_fresh(uint32_t aspace_slot, uint64_t va, const void *data, size_t n, uint32_t prot,
                     frame_list_t *frames, uint64_t *pa_out)
{
    uint64_t pa = frame_alloc(frames);
    if (!pa)
        return -AK_ENOMEM;
    int rc = frame_fill(pa, data, n);
    if (!rc)
        rc = map_with_tables(aspace_slot, va, pa, prot, frames);
    if (!rc && pa_out)
        *pa_out = pa;
    return rc;
}

static int load_segments(const build_req_t *r, frame_list_t *frames)
{
    static uint8_t page[AK_PAGE_SIZE];
    for (unsigned s = 0; s < r->image->nsegs; s++) {
        const elf_segment_t *seg = &r->image->segs[s];
        uint64_t start = seg->vaddr & ~(AK_PAGE_SIZE - 1);
        uint64_t end = (seg->vaddr + seg->memsz + AK_PAGE_SIZE - 1) & ~(AK_PAGE_SIZE - 1);
        for (uint64_t va = start; va < end; va += AK_PAGE_SIZE) {
            memset(page, 0, sizeof page);
            /* The part of the file that lands in this page, if any. */
            uint64_t lo = va > seg->vaddr ? va : seg->vaddr;
            uint64_t hi = va + AK_PAGE_SIZE;
            if (hi > seg->vaddr + seg->filesz)
                hi = seg->vaddr + seg->filesz;
            if (lo < hi)
                memcpy(page + (lo - va), r->elf + seg->offset + (lo - seg->vaddr), hi - lo);
            int rc = map_fresh(r->aspace_slot, va, page, sizeof page, seg->prot, frames, NULL);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int build_space(const build_req_t *r, frame_list_t *frames, built_t *out)
{
    int rc = process_aspace(r->proc_slot, r->aspace_slot);
    if (rc || (rc = load_segments(r, frames)))
        return rc;
    /* The stack; its top page starts with the arguments. */
    static uint8_t top[AK_PAGE_SIZE];
    const uint64_t top_va = AK_USER_STACK_TOP - AK_PAGE_SIZE;
    if ((rc = initial_stack(top, top_va, r->argv, r->argc, r->envp, r->envc, &out->sp)))
        return rc;
    for (uint64_t va = AK_USER_STACK_BOTTOM; va < top_va; va += AK_PAGE_SIZE)
        if ((rc = map_fresh(r->aspace_slot, va, NULL, 0, AK_PROT_READ | AK_PROT_WRITE, frames, NULL)))
            return rc;
    if ((rc = map_fresh(r->aspace_slot, top_va, top, sizeof top, AK_PROT_READ | AK_PROT_WRITE, frames, NULL)) ||
        (rc = map_fresh(r->aspace_slot, AK_IPCBUF_VA, NULL, 0, AK_PROT_READ | AK_PROT_WRITE, frames, NULL)))
        return rc;
    return map_fresh(r->aspace_slot, AK_BOOTINFO_VA, NULL, 0, AK_PROT_READ, frames, &out->bootinfo_pa);
}

int build_process(const build_req_t *r, frame_list_t *frames, built_t *out)
{
    uint64_t root = frame_alloc(frames);
    if (!root)
        return -AK_ENOMEM;
    int rc = procctl_create(AK_INIT_SLOT_PROCCTL, r->proc_slot, root, r->priority, r->pager_slot, &out->pid);
    if (rc)
        return rc;
    rc = build_space(r, frames, out);
    if (rc) {
        ak_cap_drop(r->aspace_slot);
        process_destroy(r->proc_slot);   /* not started: freed at once, its frames unmapped */
    }
    return rc;
}

static uint64_t name_word(const char *name, unsigned w)
{
    char buf[AK_NAME_MAX] = { 0 };
    memcpy(buf, name, strnlen(name, AK_NAME_MAX - 1));
    uint64_t word;
    memcpy(&word, buf + sizeof word * w, sizeof word);
    return word;
}

int finish_process(uint32_t proc_slot, const char *name, uint64_t entry, const built_t *b,
                   const ak_bootinfo_t *bi)
{
    int rc = frame_fill(b->bootinfo_pa, bi, sizeof *bi);
    if (!rc)
        rc = process_configure(proc_slot, entry, b->sp, name_word(name, 0), name_word(name, 1));
    return rc;
}
