/*
 * The frame pool (see vmm.h).  Invariants: a frame is on the free stack
 * exactly when its owner is FRAME_FREE_OWNER; nfree counts the stack; the
 * first frames, which hold the state array and the stack, belong to
 * FRAME_VMM forever.
 */
#include <string.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/mman.h>
#include <akuma/zero.h>
#include <idl/kernel_client.h>

#include "vmm.h"

frames_t vmm_frames;

static uint64_t index_of(uint64_t pa)
{
    return (pa - vmm_frames.base) / VMM_PAGE;
}

bool frames_owns(uint64_t pa)
{
    return pa >= vmm_frames.base && pa < vmm_frames.base + vmm_frames.nframes * VMM_PAGE &&
           (pa & (VMM_PAGE - 1)) == 0;
}

/* Pops a free frame and gives it to owner; 0 if none. */
static uint64_t pop(frame_owner_t owner)
{
    frames_t *f = &vmm_frames;
    if (f->nfree == 0)
        return 0;
    uint32_t i = f->stack[--f->nfree];
    f->state[i] = (frame_owner_t)((f->state[i] & FRAME_WINDOWED) | owner);
    return f->base + (uint64_t)i * VMM_PAGE;
}

static void push(uint64_t i)
{
    frames_t *f = &vmm_frames;
    f->state[i] &= FRAME_WINDOWED;
    f->stack[f->nfree++] = (uint32_t)i;
}

uint64_t frames_alloc_zeroed(frame_owner_t owner)
{
    uint64_t pa = pop(owner);
    if (!pa)
        return 0;
    void *p = window_of(pa);
    if (!p) {
        push(index_of(pa));
        return 0;
    }
    ak_zero_page(p);
    return pa;
}

uint64_t frames_alloc_table(frame_owner_t owner)
{
    uint64_t pa = pop(owner);
    if (pa && window_drop(pa) != 0) {
        push(index_of(pa));
        return 0;
    }
    return pa;
}

bool frames_windowed(uint64_t pa)
{
    return vmm_frames.state[index_of(pa)] & FRAME_WINDOWED;
}

void frames_set_windowed(uint64_t pa, bool on)
{
    frame_owner_t *s = &vmm_frames.state[index_of(pa)];
    *s = (frame_owner_t)(on ? *s | FRAME_WINDOWED : *s & ~FRAME_WINDOWED);
}

void frames_free(uint64_t pa)
{
    push(index_of(pa));
}

uint64_t frames_free_owner(frame_owner_t owner)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < vmm_frames.nframes; i++) {
        if ((vmm_frames.state[i] & FRAME_OWNER_MASK) == owner) {
            push(i);
            n++;
        }
    }
    return n;
}

int frames_init(uint64_t base, uint64_t size)
{
    frames_t *f = &vmm_frames;
    uint64_t n = size / VMM_PAGE;
    uint64_t state_pages = (n * sizeof(frame_owner_t) + VMM_PAGE - 1) / VMM_PAGE;
    uint64_t stack_pages = (n * sizeof(uint32_t) + VMM_PAGE - 1) / VMM_PAGE;
    uint64_t carved = state_pages + stack_pages;
    if (n < carved + 1 || n > UINT32_MAX)
        return -AK_ENOMEM;
    f->base = base;
    f->nframes = n;
    f->nfree = 0;
    /*
     * The state and the stack sit in the first frames, contiguous in the
     * window; the tables that mapping them needs come from the frames
     * right after them (window_map_early), before the pool exists.
     */
    uint64_t next_table = base + carved * VMM_PAGE;
    for (uint64_t i = 0; i < carved; i++)
        if (window_map_early(base + i * VMM_PAGE, &next_table, base + n * VMM_PAGE) != 0)
            return -AK_ENOMEM;
    f->state = window_va(base);
    f->stack = window_va(base + state_pages * VMM_PAGE);
    uint64_t first_free = (next_table - base) / VMM_PAGE;
    memset(f->state, FRAME_FREE_OWNER, n * sizeof(frame_owner_t));
    for (uint64_t i = 0; i < first_free; i++)
        f->state[i] = (frame_owner_t)(FRAME_VMM | (i < carved ? FRAME_WINDOWED : 0));
    /* Highest first, so that low frames come out first. */
    for (uint64_t i = n; i-- > first_free;)
        push(i);
    return 0;
}
