/*
 * sidecheck: the witness of vmms-side-by-side.  It holds an address-space
 * capability over each of the three allocstress programs (slots 1..3),
 * each paged by a vmm of its own with a share of RAM of SHARE MiB (its
 * argument).  Every 10 ms, until all three have ended, it asks the kernel
 * which frame lies under each of the first SAMPLE pages of each one's mmap
 * area (where a vmm that reuses addresses puts every allocation, and where
 * page mode keeps its table of sizes all its life), and keeps, per
 * program, the lowest and highest frame seen.  Then: each program's frames
 * fit in one share, and no two programs' spans overlap, so no vmm handed
 * out a frame of another's share.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/layout.h>
#include <akuma/sys.h>
#include <idl/kernel_client.h>

#define PROGRAMS 3u
#define SAMPLE   64u

typedef struct span {
    uint64_t lo, hi, samples;
    bool ended;
} span_t;

static unsigned to_u(const char *s)
{
    unsigned v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned)(*s++ - '0');
    return v;
}

/* One look at program i: false once its address space is gone. */
static bool look(uint32_t slot, span_t *s)
{
    for (uint64_t k = 0; k < SAMPLE; k++) {
        uint64_t pa = 0;
        uint32_t perms = 0;
        int rc = aspace_query(slot, AK_USER_MMAP_MIN + k * AK_PAGE_SIZE, &pa, &perms);
        if (rc == -AK_ENOENT)
            continue;
        if (rc != 0)
            return false;   /* AK_ESRCH: it has ended */
        if (s->samples == 0 || pa < s->lo)
            s->lo = pa;
        if (s->samples == 0 || pa > s->hi)
            s->hi = pa;
        s->samples++;
    }
    return true;
}

int main(int argc, char **argv)
{
    uint64_t share = (uint64_t)(argc > 1 ? to_u(argv[1]) : 0) << 20;
    span_t spans[PROGRAMS] = { 0 };
    unsigned live = PROGRAMS;
    while (live > 0) {
        for (uint32_t i = 0; i < PROGRAMS; i++) {
            if (!spans[i].ended && !look(1u + i, &spans[i])) {
                spans[i].ended = true;
                live--;
            }
        }
        ak_sleep(10);
    }
    bool ok = share > 0;
    for (uint32_t i = 0; i < PROGRAMS; i++) {
        const span_t *s = &spans[i];
        printf("sidecheck: program %u: %lu frames seen in 0x%lx-0x%lx\n", i + 1, (unsigned long)s->samples,
               (unsigned long)s->lo, (unsigned long)s->hi);
        ok = ok && s->samples > 0 && s->hi - s->lo < share;
        for (uint32_t j = 0; j < i; j++)
            ok = ok && (s->hi < spans[j].lo || s->lo > spans[j].hi);
    }
    printf("AKTEST %s vmms-side-by-side-frames\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
