/*
 * The state of every physical frame of RAM, kept by the kernel so that no
 * holder of a capability can turn a frame against it: a translation
 * table is never mapped into a process, a mapped frame never becomes a
 * table, kernel memory is never either.
 *
 * States and transitions (frame_ref and friends are the only way in):
 *
 *   FREE --ref--> MAPPED(1) --ref--> MAPPED(n+1)   (one per mapping)
 *   MAPPED(1) --unref--> FREE,  MAPPED(n+1) --unref--> MAPPED(n)
 *   FREE --set_table--> TABLE --clear_table--> FREE
 *   FREE --set_kernel--> KERNEL  (at boot; never leaves it)
 *
 * FREE means used by no mapping and no table: it belongs to whoever holds
 * the physical-memory capability that covers it.  The table is sized at
 * boot over caller-provided storage (FRAME_STORAGE_SIZE bytes); the
 * kernel allocates nothing afterwards.
 */
#ifndef UKERNEL_FRAME_H
#define UKERNEL_FRAME_H

#include <ukernel/types.h>

typedef enum frame_state {
    FRAME_FREE,    /* no mapping, no table */
    FRAME_MAPPED,  /* mapped into one or more address spaces (count >= 1) */
    FRAME_TABLE,   /* a translation table of some address space */
    FRAME_KERNEL,  /* kernel memory: never mapped, never a table */
    FRAME_NONE,    /* not a frame of the table (not RAM the kernel tracks) */
} frame_state_t;

/* One frame: its state and mapping count in one word (private to frame.c). */
typedef struct frame {
    uint32_t word;
} frame_t;

/* The largest mapping count of one frame. */
#define FRAME_MAP_MAX UINT32_C(0xFFFFFFFD)

/* Bytes of storage frame_init needs for nframes frames. */
#define FRAME_STORAGE_SIZE(nframes) ((size_t)(nframes) * sizeof(frame_t))

/* A range of physical memory [base, end), such as a physical-memory capability grants. */
typedef struct frame_range {
    paddr_t base;
    paddr_t end;
} frame_range_t;

/*
 * The frame table.  The caller allocates it; its fields belong to
 * frame.c.  The totals are kept for frame_check and statistics:
 * nfree + nmapped + ntable + nkernel == nframes, and nrefs is the sum of
 * the mapping counts.
 */
typedef struct frame_table {
    frame_t *frames;   /* nframes entries, caller's storage */
    pfn_t base_pfn;    /* the frame of frames[0] */
    size_t nframes;
    size_t nfree, nmapped, ntable, nkernel;
    uint64_t nrefs;
} frame_table_t;

/*
 * Makes ft track the frames [base_pfn, base_pfn + nframes), all FREE,
 * in storage (FRAME_STORAGE_SIZE(nframes) bytes, owned by ft from now on).
 * Returns 0, or
 *   -AK_EINVAL  storage NULL, nframes 0, or the range runs past the end
 *               of the physical address space
 */
int frame_init(frame_table_t *ft, frame_t *storage, pfn_t base_pfn, size_t nframes);

/*
 * Marks [base, end) as kernel memory for good (boot only: the kernel
 * image, the frame table itself, boot stacks).  Changes nothing on error.
 * Returns 0, or
 *   -AK_EINVAL  base or end not page aligned, end <= base, or the range
 *               not inside the table
 *   -AK_EBUSY   a frame of the range is not FREE
 */
int frame_set_kernel(frame_table_t *ft, paddr_t base, paddr_t end);

/*
 * The state of the frame at pa (any address inside it); *count (if not
 * NULL) is its mapping count (0 unless FRAME_MAPPED).  FRAME_NONE if pa is
 * not in the table.
 */
frame_state_t frame_state(const frame_table_t *ft, paddr_t pa, uint32_t *count);

/*
 * Counts one more mapping of the frame at pa (page aligned): FREE becomes
 * MAPPED(1), MAPPED(n) becomes MAPPED(n+1).  Returns 0, or
 *   -AK_EINVAL     pa not page aligned
 *   -AK_EFAULT     pa is not in the table, or is kernel memory
 *   -AK_EBUSY      the frame is a translation table
 *   -AK_EOVERFLOW  the frame already has FRAME_MAP_MAX mappings
 */
int frame_ref(frame_table_t *ft, paddr_t pa);

/*
 * Counts one mapping fewer of the frame at pa (page aligned): MAPPED(1)
 * becomes FREE.  Returns 0, or
 *   -AK_EINVAL  pa not page aligned
 *   -AK_EFAULT  pa is not in the table
 *   -AK_ENOENT  the frame is not MAPPED
 */
int frame_unref(frame_table_t *ft, paddr_t pa);

/*
 * Makes the FREE frame at pa (page aligned) a translation table.
 * Returns 0, or
 *   -AK_EINVAL  pa not page aligned
 *   -AK_EFAULT  pa is not in the table, or is kernel memory
 *   -AK_EBUSY   the frame is mapped or already a table
 */
int frame_set_table(frame_table_t *ft, paddr_t pa);

/*
 * Makes the translation table at pa (page aligned) FREE again, once no
 * page table links to it.  Returns 0, or
 *   -AK_EINVAL  pa not page aligned
 *   -AK_EFAULT  pa is not in the table
 *   -AK_ENOENT  the frame is not a TABLE
 */
int frame_clear_table(frame_table_t *ft, paddr_t pa);

/*
 * Verifies the table: the totals by state and the sum of the mapping
 * counts match a recount of every frame.  Returns 0, or -AK_EINVAL if an invariant is broken.
 * O(nframes): for tests and debugging.
 */
int frame_check(const frame_table_t *ft);

#endif /* UKERNEL_FRAME_H */
