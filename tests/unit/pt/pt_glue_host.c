/*
 * The host glue of the page-table code (see pt_host.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ukernel/pt_glue.h>

#include "pt_host.h"

host_event_t host_events[HOST_EVENTS_MAX];
size_t host_nevents;
void (*host_event_hook)(const host_event_t *e);
size_t host_ntranslations;

static uint8_t *arena;
static size_t arena_frames;

void host_arena_init(size_t nframes)
{
    host_arena_free();
    arena = aligned_alloc(PAGE_SIZE, nframes * PAGE_SIZE);
    assert_non_null(arena);
    memset(arena, HOST_JUNK, nframes * PAGE_SIZE);
    arena_frames = nframes;
    host_event_hook = NULL;
    host_events_clear();
}

void host_arena_free(void)
{
    free(arena);
    arena = NULL;
    arena_frames = 0;
}

size_t host_arena_frames(void)
{
    return arena_frames;
}

paddr_t host_frame(size_t i)
{
    assert_true(i < arena_frames);
    return HOST_PA_BASE + i * PAGE_SIZE;
}

void *host_virt(paddr_t pa)
{
    if (pa < HOST_PA_BASE || pa - HOST_PA_BASE >= arena_frames * PAGE_SIZE)
        fail_msg("physical address 0x%llx outside the arena", (unsigned long long)pa);
    return arena + (pa - HOST_PA_BASE);
}

void host_dirty(paddr_t pa)
{
    memset(host_virt(pa), HOST_JUNK, PAGE_SIZE);
}

static bool frame_all(paddr_t pa, uint8_t v)
{
    const uint8_t *p = host_virt(pa);
    for (size_t i = 0; i < PAGE_SIZE; i++)
        if (p[i] != v)
            return false;
    return true;
}

bool host_is_zero(paddr_t pa)
{
    return frame_all(pa, 0);
}

bool host_is_junk(paddr_t pa)
{
    return frame_all(pa, HOST_JUNK);
}

void host_events_clear(void)
{
    host_nevents = 0;
}

size_t host_count(host_event_kind_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < host_nevents; i++)
        n += host_events[i].kind == kind;
    return n;
}

static void record(host_event_t e)
{
    if (host_nevents >= HOST_EVENTS_MAX)
        fail_msg("more than %u glue events", HOST_EVENTS_MAX);
    host_events[host_nevents++] = e;
    if (host_event_hook != NULL)
        host_event_hook(&e);
}

void *pt_phys_to_virt(paddr_t pa)
{
    host_ntranslations++;
    return host_virt(pa);
}

void pt_publish(void)
{
    record((host_event_t){ .kind = HOST_PUBLISH });
}

void pt_tlb_inval_page(vaddr_t va, unsigned asid)
{
    record((host_event_t){ .kind = HOST_INVAL_PAGE, .va = va, .asid = asid });
}

void pt_tlb_inval_asid(unsigned asid)
{
    record((host_event_t){ .kind = HOST_INVAL_ASID, .asid = asid });
}

void pt_sync_exec(paddr_t pa, size_t len)
{
    host_virt(pa + len - 1u);
    record((host_event_t){ .kind = HOST_SYNC_EXEC, .pa = pa, .len = len });
}
