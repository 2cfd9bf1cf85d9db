/*
 * The host glue of the page-table code (pt_glue.h) for unit tests: the
 * "physical memory" is an aligned arena whose frame i has the address
 * HOST_PA_BASE + i * PAGE_SIZE, and every TLB, cache and publish
 * operation is recorded as an event, in order, for the tests to check.
 * pt_phys_to_virt fails the running test for an address outside the arena.
 */
#ifndef TEST_PT_HOST_H
#define TEST_PT_HOST_H

#include <ukernel/types.h>

#define HOST_PA_BASE UINT64_C(0x40000000)
#define HOST_JUNK    0xA5u  /* every arena byte at start: tables must be zeroed */
#define HOST_EVENTS_MAX 4096u

typedef enum host_event_kind {
    HOST_PUBLISH,
    HOST_INVAL_PAGE,
    HOST_INVAL_ASID,
    HOST_SYNC_EXEC,
} host_event_kind_t;

typedef struct host_event {
    host_event_kind_t kind;
    vaddr_t va;       /* HOST_INVAL_PAGE */
    unsigned asid;    /* HOST_INVAL_PAGE, HOST_INVAL_ASID */
    paddr_t pa;       /* HOST_SYNC_EXEC */
    size_t len;       /* HOST_SYNC_EXEC */
} host_event_t;

/* The recorded events since the last host_events_clear (at most HOST_EVENTS_MAX). */
extern host_event_t host_events[HOST_EVENTS_MAX];
extern size_t host_nevents;

/* How many times pt_phys_to_virt was called: the cost of a walk. */
extern size_t host_ntranslations;

/* Called (if set) with each event as it is recorded, before the glue returns. */
extern void (*host_event_hook)(const host_event_t *e);

/* Allocates an arena of nframes frames filled with HOST_JUNK; clears the events. */
void host_arena_init(size_t nframes);
void host_arena_free(void);
size_t host_arena_frames(void);

/* The address of arena frame i, and a pointer to any arena address. */
paddr_t host_frame(size_t i);
void *host_virt(paddr_t pa);

/* Fills a frame with HOST_JUNK; whether a frame is all zero / all junk. */
void host_dirty(paddr_t pa);
bool host_is_zero(paddr_t pa);
bool host_is_junk(paddr_t pa);

void host_events_clear(void);
size_t host_count(host_event_kind_t kind);

#endif /* TEST_PT_HOST_H */
