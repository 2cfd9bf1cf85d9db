/*
 * The vmm core, shared by every vmm variant (servers/vmm, vmm-list,
 * vmm-bump): everything but the free-region structure, which each variant
 * brings as its own implementation of <vmm/region.h>.
 *
 * The vmm owns the RAM the kernel handed out (its physical-memory
 * capability) and an address-space capability for every process it
 * serves, itself included.  It keeps, per process, the free regions of
 * the mmap area and a page map (the state of every page: reserved, its
 * protection, whether it has a frame); it maps a zeroed frame under a page
 * when the process first touches it (or at once for MAP_POPULATE),
 * supplies translation tables when the kernel asks, takes frames back on
 * munmap and reclaims everything when a process exits.
 *
 * Requests are all-or-nothing: a handler decodes, then reserves from the
 * supply (frames, region nodes) everything it may need, then acts, and
 * acting cannot fail for want of memory.  The supply can be told to fail
 * at its k-th request (the fault-injection seam, vmm.idl inject).
 *
 * Accounting: a page that can be touched, or that holds a frame, is
 * "committed": charged to its process's quota, and, until it is touched,
 * a frame of the free pool is promised to it, as is a frame for every
 * translation table its touches may need.  So a fault on a committed page
 * never lacks a frame, and running out is an ENOMEM at mmap or mprotect.
 *
 * Its own memory: every frame it owns can be seen through the "window",
 * a range of its own address space where frame pa appears at
 * VMM_WINDOW_VA + (pa - base); every window table is made at start-up,
 * so windowing a frame never needs another.  Bookkeeping (the frame
 * arrays, region nodes, page maps) lives in windowed frames.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/layout.h>
#include <vmm/region.h>

#define VMM_PAGE      AK_PAGE_SIZE
#define VMM_WINDOW_VA UINT64_C(0x4000000000)  /* 256 GiB: far above the user layout */
#define VMM_MAX_PROCS 64u  /* processes served at once: the manifest's and those adopted */
#define VMM_SPAN      (UINT64_C(512) * VMM_PAGE)  /* what one last-level table maps */

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

/*
 * The free frames are spoken for in two ways: "promised" to committed
 * pages and tables not yet made (across requests), and "reserved" by the
 * request being served (released when it ends).  Only the rest is
 * available to a new reservation.
 */
typedef struct frames {
    uint64_t base;          /* physical address of the first frame */
    uint64_t nframes;
    frame_owner_t *owner;   /* nframes owners */
    uint64_t *windowed;     /* nframes bits */
    uint32_t *stack;        /* free frame indexes; stack[0..nfree) */
    uint64_t nfree;
    uint64_t promised;      /* <= nfree - reserved */
    uint64_t reserved;
    uint64_t vmm_held;      /* frames owned by FRAME_VMM */
    uint64_t peak_in_use;   /* the most frames_used() has been (vmm.idl totals) */
} frames_t;

extern frames_t vmm_frames;

/* Where a frame taken for a request comes from (the counter it draws down). */
typedef enum { FROM_RESERVED, FROM_PROMISED } frame_src_t;

/*
 * Takes over [base, base + size) (page-aligned): carves the owners, the
 * bitmap and the stack out of its first frames, maps them in the window,
 * frees the rest and makes every window table.  Returns 0, or -AK_ENOMEM
 * if the range cannot even hold that.
 */
int frames_init(uint64_t base, uint64_t size);

/* Frames held by the processes served (pages and tables): neither free nor the vmm's. */
static inline uint64_t frames_used(void)
{
    return vmm_frames.nframes - vmm_frames.nfree - vmm_frames.vmm_held;
}

/* Frames neither promised nor reserved. */
static inline uint64_t frames_available(void)
{
    return vmm_frames.nfree - vmm_frames.promised - vmm_frames.reserved;
}

/*
 * A supply request: sets n free frames aside for the request being
 * served.  0, or -AK_ENOMEM (not enough available, or the seam refused).
 */
int frames_reserve(uint64_t n);

/* Turns n reserved frames into promised ones (they outlive the request). */
void frames_promise(uint64_t n);

/* Gives n promises back (their pages or tables went away untouched). */
void frames_unpromise(uint64_t n);

/* The request is over: what it reserved and did not take is available again. */
void frames_end_request(void);

/*
 * A frame for owner (vmm_proc_owner() or FRAME_VMM), drawn from src,
 * zeroed and windowed; or, with frames_alloc_table, not windowed (the
 * kernel refuses a mapped frame as a table).  0 only if src holds none
 * (a bug of the caller's accounting) or the kernel refused the window.
 */
uint64_t frames_alloc_zeroed(frame_owner_t owner, frame_src_t src);
uint64_t frames_alloc_table(frame_owner_t owner, frame_src_t src);

/* Gives back a frame in use. */
void frames_free(uint64_t pa);

/* True if pa is a frame of the vmm's range. */
bool frames_owns(uint64_t pa);

/*
 * Gives back every frame owner holds (its pages and tables), all of which
 * lie in [lo, hi] (a frame's address: the lowest and highest it was
 * given).  Returns how many.
 */
uint64_t frames_free_owner(frame_owner_t owner, uint64_t lo, uint64_t hi);

/* Whether pa is mapped in the window, and recording that it is or is not. */
bool frames_windowed(uint64_t pa);
void frames_set_windowed(uint64_t pa, bool on);

/*
 * The seam: true if this supply request must fail (the countdown armed
 * by vmm.idl inject for the process being served reached it).
 */
bool supply_refuses(void);

/* ---- window.c: the vmm's view of its frames ------------------------- */

/* The window address of pa, mapped or not. */
void *window_va(uint64_t pa);

/* The frame seen at window address va. */
uint64_t window_pa(const void *va);

/* Where the vmm reads and writes frame pa, mapping it on first use; NULL on failure. */
void *window_of(uint64_t pa);

/* Unmaps pa from the window if it is there (before it becomes a table).  0 or the kernel's error. */
int window_drop(uint64_t pa);

/*
 * Maps pa in the window before the pool exists, taking any table frames
 * it needs from *next_table (below limit) and advancing it.  0 or an error.
 */
int window_map_early(uint64_t pa, uint64_t *next_table, uint64_t limit);

/*
 * Makes the window's tables for every frame, taking table frames from
 * the pool: after it, windowing a frame needs no frame.  0 or an error.
 */
int window_make_tables(void);

/* ---- slab.c: fixed-size bookkeeping objects ------------------------- */

/* The node allocator the region structures use. */
extern const region_mem_t vmm_region_mem;

/*
 * A supply request: makes sure n nodes can be taken during the request
 * without failing (growing the slab from reserved... available frames).
 * 0, or -AK_ENOMEM.
 */
int nodes_reserve(uint64_t n);

/* The request is over: empty slab pages beyond one spare go back to the pool. */
void nodes_end_request(void);

/*
 * The node slab's counts, kept by slab.c: objects free, pages empty; and
 * held: free objects set aside, one for each page in a process's cache of
 * unmapped pages (vmm_proc_t.cache), whose region_free may take a node
 * when the cache is emptied.  Invariant: held <= free.
 */
typedef struct nodes_count {
    uint64_t free, empty_pages, held;
} nodes_count_t;
extern nodes_count_t vmm_nodes;

/* Nodes that can be taken now without growing the slab (the held ones excepted); its empty pages. */
static inline uint64_t nodes_free(void)
{
    return vmm_nodes.free - vmm_nodes.held;
}

static inline uint64_t nodes_spare(void)
{
    return vmm_nodes.empty_pages;
}

/* ---- space.c: one process's address space --------------------------- */

/* The page map's entry for a page: 0 is free, not reserved. */
#define PM_PROT     0x07u  /* AK_PROT_READ | AK_PROT_WRITE | AK_PROT_EXEC */
#define PM_RESERVED 0x08u  /* in use: handed out by mmap */
#define PM_PRESENT  0x10u  /* a frame is mapped under it */

#define PMAP_LEAF_PAGES VMM_PAGE  /* entries per leaf, one byte each: a leaf is a frame */
#define PMAP_LEAVES     (((AK_USER_MMAP_MAX - AK_USER_MMAP_MIN) / VMM_PAGE + PMAP_LEAF_PAGES - 1) / PMAP_LEAF_PAGES)
#define SPAN_COUNT      ((AK_USER_MMAP_MAX - AK_USER_MMAP_MIN + 2 * VMM_SPAN - 1) / VMM_SPAN)
#define SPAN_WORDS      ((SPAN_COUNT + 63) / 64)
#define VMM_PAGE_CACHE  16u  /* unmapped one-page mappings kept for reuse, per process */

typedef struct vmm_proc {
    bool used;               /* an entry of the table (clients.c) */
    bool adopted;            /* adopted from init at run time: forgotten at its EXIT */
    uint32_t pid;            /* the kernel's: any 32-bit value, only compared */
    uint32_t aspace_slot;
    uint64_t badge;
    char name[AK_NAME_MAX];
    bool live;               /* between START and EXIT */
    region_set_t regions;
    uint8_t *pmap[PMAP_LEAVES];   /* window addresses of the page map's leaves, or NULL */
    uint64_t span_acct[SPAN_WORDS];  /* last-level tables promised or made, per 2 MiB */
    uint64_t span_made[SPAN_WORDS];  /* ... made */
    bool upper_acct, upper_made;     /* the same for one upper-level table */
    uint64_t leaves;         /* page-map leaves (frames of the vmm's) */
    uint64_t reserved_pages; /* pages with PM_RESERVED */
    uint64_t mapped_pages;   /* pages with PM_PRESENT: frames it holds as pages */
    uint64_t committed;      /* pages charged to the quota */
    uint64_t promised;       /* its share of vmm_frames.promised */
    uint64_t tables;         /* frames it holds as translation tables */
    uint64_t frame_lo, frame_hi;  /* the lowest and highest frame it has been given (hi 0: none) */
    uint64_t peak;           /* most mapped_pages at once */
    uint64_t quota;          /* most committed pages */
    uint64_t refusals;       /* requests refused for want of memory */
    uint64_t inject_in;      /* the seam: the inject_in-th supply request fails (0: off) */
    /*
     * Pages of one-page mappings it unmapped, still taken in the region
     * set (not in the page map: to the process they are free), a node held
     * for each; the next one-page mmap without a hint takes the last one
     * without walking the region set.  Emptied into the set before any
     * other mmap, before stats and at exit (vmm_cache_flush).
     */
    uint64_t cache[VMM_PAGE_CACHE];
    unsigned ncached;
    uint64_t mmap_calls, munmap_calls;
} vmm_proc_t;


/* The page map entry of va (in the area); 0 if its leaf does not exist. */
static inline uint8_t pmap_get(const vmm_proc_t *p, uint64_t va)
{
    uint64_t n = (va - AK_USER_MMAP_MIN) / VMM_PAGE;
    const uint8_t *leaf = p->pmap[n / PMAP_LEAF_PAGES];
    return leaf ? leaf[n % PMAP_LEAF_PAGES] : 0;
}

/* Sets it; its leaf exists (space_prepare). */
static inline void pmap_set(vmm_proc_t *p, uint64_t va, uint8_t e)
{
    uint64_t n = (va - AK_USER_MMAP_MIN) / VMM_PAGE;
    p->pmap[n / PMAP_LEAF_PAGES][n % PMAP_LEAF_PAGES] = e;
}

/*
 * Frames a request over [va, va + size) may need for bookkeeping and
 * tables: leaves of the page map not made yet, and last-level (and one
 * upper) tables not yet accounted.  Exact for a known range.
 */
uint64_t space_frames_needed(const vmm_proc_t *p, uint64_t va, uint64_t size);
/* True if the page at va needs no frame for bookkeeping or tables: space_prepare would do nothing. */
static inline bool space_ready(const vmm_proc_t *p, uint64_t va)
{
    uint64_t n = (va - AK_USER_MMAP_MIN) / VMM_PAGE, s = (va - AK_USER_MMAP_MIN) / VMM_SPAN;
    return p->pmap[n / PMAP_LEAF_PAGES] && ((p->span_acct[s / 64] >> (s % 64)) & 1) && p->upper_acct;
}

/* The same, an upper bound for a range of size bytes anywhere. */
uint64_t space_frames_bound(uint64_t size);

/*
 * Makes the page map's leaves over the range (from reserved frames) and
 * promises the tables its touches will need (turning reserved frames
 * into promises).  Cannot fail once space_frames_needed were reserved.
 */
void space_prepare(vmm_proc_t *p, uint64_t va, uint64_t size);

/*
 * Maps a zeroed frame (from src) at va with prot, making tables from
 * their promises.  0 or the kernel's error (then nothing is mapped and
 * the frame is back).
 */
int space_map_fresh(vmm_proc_t *p, uint64_t va, uint32_t prot, frame_src_t src);
/*
 * space_map_fresh for npages pages from va (at most AK_ASPACE_RANGE_MAX),
 * in one kernel invocation (aspace map_range) besides the tables it asks
 * for: 0, or the kernel's error, and then nothing is mapped and every
 * frame is back (the kernel's map_range is all-or-nothing).
 */
int space_map_fresh_range(vmm_proc_t *p, uint64_t va, uint64_t npages, uint32_t prot, frame_src_t src);
/* Takes back the frame at va (if mapped) into the pool.  0 or the kernel's error. */
int space_unmap_page(vmm_proc_t *p, uint64_t va);
/*
 * Takes back every frame mapped in npages pages from va into the pool,
 * AK_ASPACE_RANGE_MAX pages to an invocation (aspace take_range).  0 or
 * the kernel's error (the pages of the invocation that failed stay).
 */
int space_unmap_range(vmm_proc_t *p, uint64_t va, uint64_t npages);
/* Frees every frame and table of p, its page map and its promises: its address space is about to be destroyed. */
void space_reclaim(vmm_proc_t *p);

/* Gives p's cached pages back to its region set (with their held nodes: it cannot fail). */
void vmm_cache_flush(vmm_proc_t *p);

/* ---- refuse.c: saying why a request was refused ---------------------- */

/* How many refusals of one process are printed; the rest are counted. */
#define VMM_REFUSALS_SHOWN 3u

/*
 * Counts a refusal of p and prints, for the first VMM_REFUSALS_SHOWN,
 * "[<vmm>] pid N (name): <why>" on the console (the kernel's console
 * call, never another server).  Returns err.
 */
int vmm_refuse(vmm_proc_t *p, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints "[<vmm>] pid N (name): <what>" on the console. */
void vmm_say(const vmm_proc_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* At p's exit: how many refusals were not shown, if any. */
void vmm_refusals_summary(const vmm_proc_t *p);

/* ---- clients.c: the processes it serves ------------------------------ */

/*
 * The process of this badge (a client call) or pid (a kernel message);
 * NULL if none.  Both compare the whole value: a pid is not assumed small.
 */
vmm_proc_t *vmm_proc_by_badge(uint64_t badge);
vmm_proc_t *vmm_proc_by_pid(uint64_t pid);

/* The frame owner number of p: its index in vmm.procs plus one. */
frame_owner_t vmm_proc_owner(const vmm_proc_t *p);

/* A new entry (the first free one), or NULL when the table is full. */
vmm_proc_t *clients_add(uint32_t pid, uint32_t aspace_slot, uint64_t badge, uint64_t quota, const char *name);

/*
 * vmm.idl adopt, once the caller is known to be init: checks everything
 * (quota_max: the most frames the vmm could ever give) and adds the
 * entry.  0 or the error of vmm.idl; a failure changes nothing.
 */
int clients_adopt(uint32_t pid, uint32_t aspace_slot, uint64_t badge, uint64_t quota, const char *name,
                  uint64_t quota_max);

/* vmm.idl disown, once the caller is known to be init.  0 or its error. */
int clients_disown(uint32_t pid);

/* Frees p's entry (its frames are all back). */
void clients_forget(vmm_proc_t *p);

/* ---- the vmm itself ---------------------------------------------------- */

typedef struct vmm {
    uint32_t pid;
    uint32_t self_slot;      /* aspace capability over itself */
    uint32_t ep_slot;        /* the endpoint it receives on */
    uint64_t lo, hi;         /* the mmap area it serves */
    vmm_proc_t procs[VMM_MAX_PROCS];
    unsigned nprocs;
    vmm_proc_t *current;     /* the process being served (the seam counts its requests) */
    bool inject_enabled;     /* started with "inject": vmm.idl inject is accepted */
    uint64_t default_quota;  /* pages, for a process its arguments do not name */
    uint64_t vmm_held_start; /* vmm_frames.vmm_held once set up, before serving anyone */
} vmm_t;

extern vmm_t vmm;

_Static_assert(VMM_MAX_PROCS < FRAME_VMM, "every process has an owner number of its own");
_Static_assert(AK_BOOTINFO_PROCS <= VMM_MAX_PROCS, "the manifest's processes fit the table");

#endif /* VMM_VMM_H */
