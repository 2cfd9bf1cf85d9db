/*
 * init's physical memory: the range the kernel gave it, handed out by a
 * bump pointer and a stack of frames given back (those of a spawned
 * process once it is gone), and a one-page window (WINDOW_VA) through
 * which init writes a frame before handing it to another process.
 */
#include "init.h"

#include <stdio.h>
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/abi/mman.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

/* The window: in the mmap area, which init (without a pager) never uses otherwise. */
#define WINDOW_VA AK_USER_MMAP_MIN

/* Frames given back: at most all of the spawn reserve. */
#define FREE_MAX (INIT_SPAWN_RESERVE / AK_PAGE_SIZE)

static uint64_t base, next, limit;
static uint64_t freed[FREE_MAX];
static uint32_t nfreed;

uint64_t frame_alloc(frame_list_t *list)
{
    if (list && list->n == INIT_PROC_FRAMES)
        return 0;
    uint64_t pa;
    if (nfreed > 0) {
        pa = freed[--nfreed];
    } else {
        if (limit - next < AK_PAGE_SIZE)
            return 0;
        pa = next;
        next += AK_PAGE_SIZE;
    }
    if (list)
        list->pa[list->n++] = pa;
    return pa;
}

void frames_release(frame_list_t *list)
{
    for (uint32_t i = 0; i < list->n; i++) {
        if (nfreed < FREE_MAX)
            freed[nfreed++] = list->pa[i];
        else
            printf("[init] a frame given back is lost: the free stack is full\n");
    }
    list->n = 0;
}

void frames_shrink(uint64_t end)
{
    if (end >= next && end < limit)
        limit = end;
}

uint64_t frames_in_use(void)
{
    return (next - base) / AK_PAGE_SIZE - nfreed;
}

uint64_t frames_end(void)
{
    return next;
}

uint64_t frames_base(void)
{
    return base;
}

uint64_t frames_limit(void)
{
    return limit;
}

int map_with_tables(uint32_t aspace_slot, uint64_t va, uint64_t pa, uint32_t prot, frame_list_t *list)
{
    /* At most three tables can be missing below the root: levels 1, 2 and 3. */
    for (unsigned tries = 0; tries < 4; tries++) {
        uint8_t level = 0;
        uint64_t table_va = 0;
        int rc = aspace_map(aspace_slot, va, pa, prot, &level, &table_va);
        if (rc != -AK_ENOTABLE)
            return rc;
        uint64_t table = frame_alloc(list);
        if (!table)
            return -AK_ENOMEM;
        if ((rc = aspace_table(aspace_slot, table_va, level, table)) != 0)
            return rc;
    }
    return -AK_EIO;
}

int frame_fill(uint64_t pa, const void *data, size_t n)
{
    if (n > AK_PAGE_SIZE)
        return -AK_EINVAL;
    int rc = map_with_tables(AK_INIT_SLOT_ASPACE, WINDOW_VA, pa, AK_PROT_READ | AK_PROT_WRITE, NULL);
    if (rc)
        return rc;
    memcpy((void *)WINDOW_VA, data, n);
    memset((char *)WINDOW_VA + n, 0, AK_PAGE_SIZE - n);
    return aspace_unmap(AK_INIT_SLOT_ASPACE, WINDOW_VA, 1);
}

int frames_init(void)
{
    const ak_bootinfo_t *bi = ak_bootinfo();
    for (uint32_t i = 0; i < bi->nmems && i < AK_BOOTINFO_MEMS; i++) {
        if (bi->mems[i].physmem_slot == AK_INIT_SLOT_PHYSMEM) {
            base = next = bi->mems[i].base;
            limit = base + bi->mems[i].size;
            return 0;
        }
    }
    return -AK_ENOENT;
}
