/*
 * The frame pool (see vmm.h).  Invariants: a frame is on the free stack
 * exactly when its owner is FRAME_FREE_OWNER; nfree counts the stack;
 * promised + reserved <= nfree; vmm_held counts the frames owned by
 * FRAME_VMM; the first frames, which hold the owner array, the windowed
 * bitmap and the stack, belong to FRAME_VMM forever.
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

static void set_owner(uint64_t i, frame_owner_t owner)
{
    frames_t *f = &vmm_frames;
    f->vmm_held -= f->owner[i] == FRAME_VMM;
    f->vmm_held += owner == FRAME_VMM;
    f->owner[i] = owner;
}

/* Pops a free frame and gives it to owner; 0 if none.  (A free frame's owner is FRAME_FREE_OWNER.) */
static uint64_t pop(frame_owner_t owner)
{
    frames_t *f = &vmm_frames;
    if (f->nfree == 0)
        return 0;
    uint32_t i = f->stack[--f->nfree];
    f->owner[i] = owner;
    f->vmm_held += owner == FRAME_VMM;
    return f->base + (uint64_t)i * VMM_PAGE;
}

static void push(uint64_t i)
{
    frames_t *f = &vmm_frames;
    f->vmm_held -= f->owner[i] == FRAME_VMM;
    f->owner[i] = FRAME_FREE_OWNER;
    f->stack[f->nfree++] = (uint32_t)i;
}

bool supply_refuses(void)
{
    vmm_proc_t *p = vmm.current;
    return p && p->inject_in && --p->inject_in == 0;
}

int frames_reserve(uint64_t n)
{
    if (n == 0)
        return 0;
    if (supply_refuses() || frames_available() < n)
        return -AK_ENOMEM;
    vmm_frames.reserved += n;
    return 0;
}

void frames_promise(uint64_t n)
{
    vmm_frames.reserved -= n;
    vmm_frames.promised += n;
}

void frames_unpromise(uint64_t n)
{
    vmm_frames.promised -= n;
}

void frames_end_request(void)
{
    vmm_frames.reserved = 0;
}

/* Takes a frame for owner from src's count; 0 if it has none. */
static uint64_t take(frame_owner_t owner, frame_src_t src)
{
    uint64_t *count = src == FROM_RESERVED ? &vmm_frames.reserved : &vmm_frames.promised;
    if (*count == 0)
        return 0;
    uint64_t pa = pop(owner);
    if (pa)
        (*count)--;
    return pa;
}

/* Puts back a frame just taken from src, as if it had not been. */
static void untake(uint64_t pa, frame_src_t src)
{
    push(index_of(pa));
    *(src == FROM_RESERVED ? &vmm_frames.reserved : &vmm_frames.promised) += 1;
}

/* A frame was handed out for good: frames in use may have reached a new peak (only a handout raises it). */
static inline void note_peak(void)
{
    uint64_t in_use = frames_used();
    if (in_use > vmm_frames.peak_in_use)
        vmm_frames.peak_in_use = in_use;
}

/* Always inlined, as space_map_fresh: zeroing is on every page's path. */
__attribute__((always_inline)) uint64_t frames_alloc_zeroed(frame_owner_t owner, frame_src_t src)
{
    uint64_t pa = take(owner, src);
    if (!pa)
        return 0;
    void *p = window_of(pa);
    if (!p) {
        untake(pa, src);
        return 0;
    }
    ak_zero_page(p);
    note_peak();
    return pa;
}

uint64_t frames_alloc_table(frame_owner_t owner, frame_src_t src)
{
    uint64_t pa = take(owner, src);
    if (pa && window_drop(pa) != 0) {
        untake(pa, src);
        return 0;
    }
    if (pa)
        note_peak();
    return pa;
}

bool frames_windowed(uint64_t pa)
{
    uint64_t i = index_of(pa);
    return (vmm_frames.windowed[i / 64] >> (i % 64)) & 1;
}

void frames_set_windowed(uint64_t pa, bool on)
{
    uint64_t i = index_of(pa), bit = UINT64_C(1) << (i % 64);
    uint64_t *w = &vmm_frames.windowed[i / 64];
    *w = on ? *w | bit : *w & ~bit;
}

/* Always inlined, as frames_alloc_zeroed. */
__attribute__((always_inline)) void frames_free(uint64_t pa)
{
    push(index_of(pa));
}

uint64_t frames_free_owner(frame_owner_t owner, uint64_t lo, uint64_t hi)
{
    uint64_t n = 0;
    if (lo < vmm_frames.base || hi < lo)
        return 0;
    uint64_t last = index_of(hi) < vmm_frames.nframes ? index_of(hi) : vmm_frames.nframes - 1;
    for (uint64_t i = index_of(lo); i <= last; i++) {
        if (vmm_frames.owner[i] == owner) {
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
    uint64_t owner_pages = (n * sizeof(frame_owner_t) + VMM_PAGE - 1) / VMM_PAGE;
    uint64_t bitmap_pages = ((n + 63) / 64 * sizeof(uint64_t) + VMM_PAGE - 1) / VMM_PAGE;
    uint64_t stack_pages = (n * sizeof(uint32_t) + VMM_PAGE - 1) / VMM_PAGE;
    uint64_t carved = owner_pages + bitmap_pages + stack_pages;
    if (n < carved + 1 || n > UINT32_MAX)
        return -AK_ENOMEM;
    *f = (frames_t){ .base = base, .nframes = n };
    /*
     * The owners, the bitmap and the stack sit in the first frames,
     * contiguous in the window; the tables that mapping them needs come
     * from the frames right after them (window_map_early), before the
     * pool exists.
     */
    uint64_t next_table = base + carved * VMM_PAGE;
    for (uint64_t i = 0; i < carved; i++)
        if (window_map_early(base + i * VMM_PAGE, &next_table, base + n * VMM_PAGE) != 0)
            return -AK_ENOMEM;
    f->owner = window_va(base);
    f->windowed = window_va(base + owner_pages * VMM_PAGE);
    f->stack = window_va(base + (owner_pages + bitmap_pages) * VMM_PAGE);
    uint64_t first_free = (next_table - base) / VMM_PAGE;
    memset(f->owner, 0, n * sizeof(frame_owner_t));
    memset(f->windowed, 0, (n + 63) / 64 * sizeof(uint64_t));
    for (uint64_t i = 0; i < first_free; i++) {
        set_owner(i, FRAME_VMM);
        if (i < carved)
            frames_set_windowed(base + i * VMM_PAGE, true);
    }
    /* Highest first, so that low frames come out first. */
    for (uint64_t i = n; i-- > first_free;)
        push(i);
    return window_make_tables();
}
