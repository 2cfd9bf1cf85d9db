/*
 * The vmm core, shared by every vmm variant (servers/vmm, vmm-list,
 * vmm-bump): everything but the free-region structure, which each variant
 * brings as its own implementation of <vmm/region.h>.
 *
 * The vmm owns the RAM the kernel handed out (its physical-memory
 * capability) and an address-space capability for every process it
 * serves, itself included.  It keeps, per process, the free regions of
 * the mmap area; it maps a fresh zeroed frame under every page it hands
 * out, supplies translation tables when the kernel asks, takes frames
 * back on munmap and reclaims everything when a process exits.
 *
 * Its own memory: every frame it owns can be seen through the "window",
 * a range of its own address space where frame pa appears at
 * VMM_WINDOW_VA + (pa - base), mapped on first use.  Bookkeeping (the
 * frame bitmaps, region nodes, table lists) lives in windowed frames.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/bootinfo.h>
#include <vmm/region.h>

#define VMM_PAGE      AK_PAGE_SIZE
#define VMM_WINDOW_VA UINT64_C(0x4000000000)  /* 256 GiB: far above the user layout */
#define VMM_MAX_PROCS AK_BOOTINFO_PROCS

/* ---- frames.c: the physical frames the vmm owns -------------------- */

/*
 * Per frame: who holds it, 16 bits (FRAME_FREE_OWNER, FRAME_VMM for the
 * vmm's own bookkeeping and window tables, or a process's owner number:
 * its index in vmm.procs plus one, never its pid, which the kernel makes
 * as wide and as sparse as it likes), and one bit: whether it is mapped
 * in the window.  Free frames are on a LIFO stack, so a freed frame,
 * still windowed, is the next one handed out: no mapping needed to zero
 * it.
 */
typedef uint16_t frame_owner_t;
#define FRAME_FREE_OWNER ((frame_owner_t)0)       /* on the free stack */
#define FRAME_VMM        ((frame_owner_t)0xFFFF)  /* the vmm's own */

typedef struct frames {
    uint64_t base;          /* physical address of the first frame */
    uint64_t nframes;
    frame_owner_t *owner;   /* nframes owners */
    uint64_t *windowed;     /* nframes bits */
    uint32_t *stack;        /* free frame indexes; stack[0..nfree) */
    uint64_t nfree;
} frames_t;

extern frames_t vmm_frames;

/*
 * Takes over [base, base + size) (page-aligned): carves the state and the
 * stack out of its first frames, maps them in the window and frees the
 * rest.  Returns 0, or -AK_ENOMEM if the range cannot even hold that.
 */
int frames_init(uint64_t base, uint64_t size);

/* A free frame for owner (vmm_proc_owner() or FRAME_VMM), zeroed; 0 if none is left. */
uint64_t frames_alloc_zeroed(frame_owner_t owner);

/* A frame for a translation table (never windowed: the kernel refuses a mapped frame as a table). */
uint64_t frames_alloc_table(frame_owner_t owner);

/* Gives back a frame in use. */
void frames_free(uint64_t pa);

/* True if pa is a frame of the vmm's range. */
bool frames_owns(uint64_t pa);

/* Gives back every frame owner holds (its pages and tables).  Returns how many. */
uint64_t frames_free_owner(frame_owner_t owner);

/* Whether pa is mapped in the window, and recording that it is or is not. */
bool frames_windowed(uint64_t pa);
void frames_set_windowed(uint64_t pa, bool on);

/* ---- window.c: the vmm's view of its frames ------------------------- */

/* The window address of pa, mapped or not. */
void *window_va(uint64_t pa);

/* Where the vmm reads and writes frame pa, mapping it on first use; NULL on failure. */
void *window_of(uint64_t pa);

/* Unmaps pa from the window if it is there (before it becomes a table).  0 or the kernel's error. */
int window_drop(uint64_t pa);

/*
 * Maps pa in the window before the pool exists, taking any table frames
 * it needs from *next_table (below limit) and advancing it.  0 or an error.
 */
int window_map_early(uint64_t pa, uint64_t *next_table, uint64_t limit);

/* ---- slab.c: fixed-size bookkeeping objects ------------------------- */

/* The node allocator the region structures use. */
extern const region_mem_t vmm_region_mem;

/* ---- space.c: one process's address space --------------------------- */

typedef struct vmm_proc {
    uint32_t pid;            /* the kernel's: any 32-bit value, only compared */
    uint32_t aspace_slot;
    uint64_t badge;
    char name[AK_NAME_MAX];
    bool live;               /* between START and EXIT */
    region_set_t regions;
    uint64_t mapped_pages;
    uint64_t mmap_calls, munmap_calls;
} vmm_proc_t;

/*
 * The process of this badge (a client call) or pid (a kernel message);
 * NULL if none.  Both compare the whole value: a pid is not assumed small.
 */
vmm_proc_t *vmm_proc_by_badge(uint64_t badge);
vmm_proc_t *vmm_proc_by_pid(uint64_t pid);

/* The frame owner number of p: its index in vmm.procs plus one. */
frame_owner_t vmm_proc_owner(const vmm_proc_t *p);

/* Maps a fresh zeroed frame at va in p with prot (AK_PROT_*). 0, -AK_ENOMEM or the kernel's error. */
int space_map_fresh(vmm_proc_t *p, uint64_t va, uint32_t prot);
/* Unmaps the page at va (if mapped) and frees its frame.  Returns 0 or the kernel's error. */
int space_unmap_page(vmm_proc_t *p, uint64_t va);
/* Frees every frame and table of p: its address space is about to be destroyed. */
void space_reclaim(vmm_proc_t *p);

/* ---- the vmm itself ---------------------------------------------------- */

typedef struct vmm {
    uint32_t pid;
    uint32_t self_slot;      /* aspace capability over itself */
    uint32_t ep_slot;        /* the endpoint it receives on */
    uint64_t lo, hi;         /* the mmap area it serves */
    vmm_proc_t procs[VMM_MAX_PROCS];
    unsigned nprocs;
} vmm_t;

extern vmm_t vmm;

_Static_assert(VMM_MAX_PROCS < FRAME_VMM, "every process has an owner number of its own");

#endif /* VMM_VMM_H */
