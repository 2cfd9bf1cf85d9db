/*
 * The vmm's contract as a program sees it (idl/vmm.idl through libakuma's
 * sys/mman.h), run against every vmm variant.  vmm-bump reproduces the
 * design before the fix: address space below its pointer, once handed out,
 * is never free again; where that changes an answer, the test asserts
 * bump's answer.  Roles, by first argument:
 *
 *   contract VMM
 *              vmm-zeroed, vmm-munmap-frees, vmm-partial-munmap,
 *              vmm-fixed, vmm-hint, vmm-align, vmm-mprotect, vmm-stats,
 *              vmm-errors, vmm-enomem-clean; demand paging,
 *              vmm-demand-lazy, -populate, -none; and a regression test
 *              for each bug of issue 15: vmm-bug-len-wrap,
 *              vmm-bug-prot-alone, vmm-bug-mprotect-halfway,
 *              vmm-bug-fixed-removes
 *   quota      maps until its quota (2048 pages, from the vmm's
 *              arguments) is used up: vmm-quota-enomem, -populate,
 *              -mprotect, -touch, -recovers
 *   worker     allocates and frees all along meanwhile: vmm-quota-other-unharmed
 *   holes N    makes N holes (2N one-page PROT_NONE mappings, every other
 *              one unmapped), then unmaps everything: the vmm's own frames
 *              shrink back, vmm-account-shrinks
 *   partial    maps, touches, unmaps parts, protects, replaces, populates,
 *              and exits holding all that
 *   killed     maps and touches, then is killed by a stray write
 *   account    runs last: every frame of the others is back, exactly
 *              (vmm-account-exact), and the vmm's own frames are back to
 *              what it held before serving anyone, within two frames
 *              (vmm-account-bookkeeping)
 *   rountouched  writes a read-only page never touched: the vmm refuses
 *   execnx     jumps into a read-write page: the same
 *   hog N      maps N MiB, touches every page, exits (its frames must come
 *              back); the second hog of an image proves they did:
 *              vmm-exit-reclaims-N
 *   touchfreed reads a page after unmapping it: the vmm refuses the fault
 *   rofault    writes a page after making it read-only: the same
 *   nonefault  reads a page after mprotect(PROT_NONE): the same
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <akuma/abi/caps.h>
#include <idl/vmm_client.h>

#define PAGE ((size_t)4096)
#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

typedef struct {
    uint64_t nodes, mapped, holes, largest, bump, free, total, mmaps, munmaps;
    uint64_t reserved, committed, peak, quota, tables, in_use, vmm, refusals, vmm_start;
} stats_t;

static int stats(stats_t *s)
{
    return vmm_stats(AK_SLOT_VMM, &s->nodes, &s->mapped, &s->holes, &s->largest, &s->bump,
                     &s->free, &s->total, &s->mmaps, &s->munmaps, &s->reserved, &s->committed,
                     &s->peak, &s->quota, &s->tables, &s->in_use, &s->vmm, &s->refusals, &s->vmm_start);
}

static int failures;
static int bump; /* the vmm is vmm-bump: nothing below its pointer is reused */

static void verdict(const char *name, int ok, const char *why)
{
    if (ok) {
        printf("AKTEST PASS %s\n", name);
    } else {
        printf("AKTEST FAIL %s: %s\n", name, why);
        failures++;
    }
}

static void *map(void *addr, size_t len, int prot, int flags)
{
    return mmap(addr, len, prot, flags, -1, 0);
}

static int all_zero(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_zeroed(void)
{
    char *p = map(NULL, 3 * PAGE, RW, ANON);
    int ok = p != MAP_FAILED && all_zero(p, 3 * PAGE);
    if (ok) {
        memset(p, 0xA5, 3 * PAGE);
        ok = p[0] == (char)0xA5 && p[3 * PAGE - 1] == (char)0xA5;
        munmap(p, 3 * PAGE);
    }
    verdict("vmm-zeroed", ok, "a fresh mapping is not zero-filled or not writable");
    /* A second mapping, likely on the same frames, must be zero again. */
    char *q = map(NULL, 3 * PAGE, RW, ANON);
    verdict("vmm-zeroed-reuse", q != MAP_FAILED && all_zero(q, 3 * PAGE),
            "a mapping on recycled frames kept old contents");
    if (q != MAP_FAILED)
        munmap(q, 3 * PAGE);
}

static void test_munmap_frees(void)
{
    stats_t a, b, c;
    stats(&a);
    char *p = map(NULL, 16 * PAGE, RW, ANON);
    for (size_t i = 0; p != MAP_FAILED && i < 16; i++)
        p[i * PAGE] = 1; /* each page gets its frame on this first touch */
    stats(&b);
    int rc = p == MAP_FAILED ? -1 : munmap(p, 16 * PAGE);
    stats(&c);
    char why[128];
    snprintf(why, sizeof why, "frames free %lu -> %lu -> %lu, pages %lu -> %lu -> %lu, munmap %d",
             (unsigned long)a.free, (unsigned long)b.free, (unsigned long)c.free,
             (unsigned long)a.mapped, (unsigned long)b.mapped, (unsigned long)c.mapped, rc);
    verdict("vmm-munmap-frees", rc == 0 && b.free + 16 <= a.free && c.free >= a.free - 1 &&
                                    b.mapped == a.mapped + 16 && c.mapped == a.mapped,
            why);
}

static void test_partial_munmap(void)
{
    char *p = map(NULL, 4 * PAGE, RW, ANON);
    int ok = p != MAP_FAILED;
    if (ok) {
        p[0] = 1;
        p[PAGE] = 2;
        p[2 * PAGE] = 3;
        p[3 * PAGE] = 4;
        stats_t a, b;
        stats(&a);
        ok = munmap(p + PAGE, 2 * PAGE) == 0;
        stats(&b);
        ok = ok && p[0] == 1 && p[3 * PAGE] == 4 && b.mapped == a.mapped - 2;
        /* The middle is free again: a fixed mapping there succeeds without replacing. */
        char *m = map(p + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE);
        if (bump)
            ok = ok && m == MAP_FAILED && errno == EEXIST; /* never free again */
        else
            ok = ok && m == p + PAGE && all_zero(m, 2 * PAGE);
        munmap(p, 4 * PAGE);
    }
    verdict("vmm-partial-munmap", ok, "unmapping the middle of a mapping went wrong");
}

static void test_fixed(void)
{
    char *want = (char *)(uintptr_t)0x30000000;
    char *p = map(want, 2 * PAGE, RW, ANON | MAP_FIXED);
    int ok = p == want;
    if (ok) {
        p[0] = 7;
        /*
         * MAP_FIXED replaces: a fresh zero page at the same place.  Over
         * pages in use it reuses no freed address, so vmm-bump does it too.
         */
        char *q = map(want, PAGE, RW, ANON | MAP_FIXED);
        ok = q == want && q[0] == 0 && q[PAGE] == 0;
        char *r = map(want, PAGE, RW, ANON | MAP_FIXED_NOREPLACE);
        ok = ok && r == MAP_FAILED && errno == EEXIST;
        munmap(want, 2 * PAGE);
    }
    verdict("vmm-fixed", ok, "MAP_FIXED or MAP_FIXED_NOREPLACE misbehaved");
}

static void test_hint(void)
{
    /* Above anything handed out so far, so free for every variant. */
    char *want = (char *)(uintptr_t)0x38000000;
    char *p = map(want, PAGE, RW, ANON);
    verdict("vmm-hint", p == want, "a free, aligned hint was not honoured");
    if (p != MAP_FAILED)
        munmap(p, PAGE);
}

static void test_align(void)
{
    char *p = map(NULL, PAGE, RW, ANON | MAP_ALIGNED(16));
    verdict("vmm-align", p != MAP_FAILED && ((uintptr_t)p & 0xFFFF) == 0,
            "MAP_ALIGNED(16) did not give a 64 KiB-aligned address");
    if (p != MAP_FAILED)
        munmap(p, PAGE);
}

static void test_mprotect(void)
{
    char *p = map(NULL, 2 * PAGE, RW, ANON);
    int ok = p != MAP_FAILED;
    if (ok) {
        p[0] = 9;
        ok = mprotect(p, 2 * PAGE, PROT_READ) == 0 && p[0] == 9;
        ok = ok && mprotect(p, 2 * PAGE, RW) == 0;
        p[1] = 1;
        /* PROT_NONE keeps the contents out of reach; they are back after another mprotect. */
        p[PAGE] = 7;
        ok = ok && mprotect(p, 2 * PAGE, PROT_NONE) == 0 && mprotect(p, 2 * PAGE, PROT_READ) == 0 &&
             p[0] == 9 && p[PAGE] == 7;
        ok = ok && mprotect(p, 2 * PAGE, RW) == 0;
        /* PROT_NONE reserves, mprotect then backs it. */
        char *r = map(NULL, PAGE, PROT_NONE, ANON);
        ok = ok && r != MAP_FAILED && mprotect(r, PAGE, RW) == 0 && r[0] == 0;
        r[0] = 1;
        munmap(r, PAGE);
        munmap(p, 2 * PAGE);
    }
    verdict("vmm-mprotect", ok, "mprotect lost contents or refused a valid change");
}

static void test_stats(void)
{
    stats_t a, b;
    int rc = stats(&a);
    char *p = map(NULL, PAGE, RW, ANON);
    munmap(p, PAGE);
    stats(&b);
    char why[96];
    snprintf(why, sizeof why, "rc %d, mmap calls %lu -> %lu, munmap calls %lu -> %lu", rc,
             (unsigned long)a.mmaps, (unsigned long)b.mmaps, (unsigned long)a.munmaps,
             (unsigned long)b.munmaps);
    verdict("vmm-stats", rc == 0 && b.mmaps == a.mmaps + 1 && b.munmaps == a.munmaps + 1 &&
                             a.total >= a.free && a.free > 0,
            why);
}

/* Each bad request is refused with its errno and changes nothing. */
static void test_errors(void)
{
    struct {
        const char *what;
        void *addr;
        size_t len;
        int prot, flags, fd, want;
    } cases[] = {
        { "length 0", NULL, 0, RW, ANON, -1, EINVAL },
        { "write and exec", NULL, PAGE, PROT_WRITE | PROT_EXEC | PROT_READ, ANON, -1, EACCES },
        { "shared", NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, EINVAL },
        { "not anonymous", NULL, PAGE, RW, MAP_PRIVATE, -1, EINVAL },
        { "a file", NULL, PAGE, RW, ANON, 3, EINVAL },
        { "unknown flag", NULL, PAGE, RW, ANON | 0x40, -1, EINVAL },
        { "alignment 2^40", NULL, PAGE, RW, ANON | (int)MAP_ALIGNED(40), -1, EINVAL },
        { "fixed below the area", (void *)0x1000, PAGE, RW, ANON | MAP_FIXED, -1, EINVAL },
        { "fixed unaligned", (void *)0x20000010, PAGE, RW, ANON | MAP_FIXED, -1, EINVAL },
        { "longer than the area", NULL, (size_t)1 << 31, RW, ANON, -1, EINVAL },
    };
    stats_t a, b;
    stats(&a);
    int ok = 1;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        errno = 0;
        void *p = mmap(cases[i].addr, cases[i].len, cases[i].prot, cases[i].flags, cases[i].fd, 0);
        if (p != MAP_FAILED || errno != cases[i].want) {
            printf("vmmtest: mmap with %s gave %p errno %d, want errno %d\n", cases[i].what, p,
                   errno, cases[i].want);
            ok = 0;
        }
    }
    errno = 0;
    if (munmap((void *)0x20000010, PAGE) != -1 || errno != EINVAL) {
        printf("vmmtest: munmap unaligned: errno %d\n", errno);
        ok = 0;
    }
    errno = 0;
    if (mprotect((void *)0x3F000000, PAGE, PROT_READ) != -1 || errno != ENOMEM) {
        printf("vmmtest: mprotect of nothing: errno %d\n", errno);
        ok = 0;
    }
    stats(&b);
    ok = ok && b.mapped == a.mapped && b.free == a.free;
    verdict("vmm-errors", ok, "a bad request was not refused as documented (see above)");
}

/*
 * More than all RAM: ENOMEM, and every page mapped on the way is given
 * back.  Translation tables made on the way stay (the process's, and the
 * vmm's window onto the frames it zeroed): at most two per 512 pages.
 */
static void test_enomem(void)
{
    stats_t a, b;
    stats(&a);
    size_t len = (size_t)(a.total + 1) * PAGE;
    errno = 0;
    void *p = map(NULL, len, RW, ANON);
    stats(&b);
    uint64_t tables = 2 * (a.total / 512 + 2);
    void *again = map(NULL, 64 << 20, RW, ANON);
    char why[128];
    snprintf(why, sizeof why, "mmap %p errno %d, frames free %lu -> %lu (%lu tables allowed), 64 MiB after: %p",
             p, errno, (unsigned long)a.free, (unsigned long)b.free, (unsigned long)tables, again);
    verdict("vmm-enomem-clean", p == MAP_FAILED && errno == ENOMEM && b.free + tables >= a.free &&
                                    b.mapped == a.mapped && again != MAP_FAILED,
            why);
    if (again != MAP_FAILED)
        munmap(again, 64 << 20);
}

/* ---- demand paging ---- */

static void test_demand(void)
{
    stats_t a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
    stats(&a);
    char *p = map(NULL, 64 * PAGE, RW, ANON);
    stats(&b);
    int ok = p != MAP_FAILED && b.mapped == a.mapped && b.committed == a.committed + 64 &&
             b.reserved == a.reserved + 64;
    if (ok) {
        p[5 * PAGE] = 1;               /* a write fault */
        ok = p[9 * PAGE + 7] == 0;     /* a read fault: a zeroed frame */
        stats(&c);
        ok = ok && c.mapped == a.mapped + 2 && p[5 * PAGE] == 1;
        munmap(p, 64 * PAGE);
        stats(&d);
        ok = ok && d.mapped == a.mapped && d.committed == a.committed && d.reserved == a.reserved;
    }
    char why[160];
    snprintf(why, sizeof why, "mapped %lu -> %lu -> %lu, committed %lu -> %lu, reserved %lu -> %lu",
             (unsigned long)a.mapped, (unsigned long)b.mapped, (unsigned long)c.mapped, (unsigned long)a.committed,
             (unsigned long)b.committed, (unsigned long)a.reserved, (unsigned long)b.reserved);
    verdict("vmm-demand-lazy", ok, why);

    stats(&a);
    p = map(NULL, 64 * PAGE, RW, ANON | MAP_POPULATE);
    stats(&b);
    ok = p != MAP_FAILED && b.mapped == a.mapped + 64 && all_zero(p, 64 * PAGE);
    stats(&c);
    ok = ok && c.mapped == b.mapped; /* reading them faulted nothing in */
    if (p != MAP_FAILED)
        munmap(p, 64 * PAGE);
    verdict("vmm-demand-populate", ok, "MAP_POPULATE did not map every page at once");

    stats(&a);
    p = map(NULL, 64 * PAGE, PROT_NONE, ANON);
    stats(&b);
    ok = p != MAP_FAILED && b.committed == a.committed && b.reserved == a.reserved + 64;
    ok = ok && mprotect(p, 64 * PAGE, RW) == 0;
    stats(&c);
    ok = ok && c.committed == a.committed + 64 && c.mapped == a.mapped;
    if (ok) {
        p[0] = 3;
        stats(&d);
        ok = d.mapped == a.mapped + 1;
        ok = ok && mprotect(p, 64 * PAGE, PROT_NONE) == 0;
        stats(&d);
        ok = ok && d.committed == a.committed + 1; /* the touched page keeps its frame */
        munmap(p, 64 * PAGE);
    }
    verdict("vmm-demand-none", ok, "PROT_NONE reservations were charged or mprotect did not commit");
}

/* ---- regressions of issue 15's bugs ---- */

static void test_bug_len_wrap(void)
{
    char *p = map(NULL, 2 * PAGE, RW, ANON);
    int ok = p != MAP_FAILED;
    if (ok) {
        p[0] = 0x5A;
        p[PAGE] = 0x5B;
        stats_t a, b;
        stats(&a);
        const size_t lens[] = { SIZE_MAX, SIZE_MAX - PAGE + 1, SIZE_MAX - PAGE + 2, (size_t)1 << 63 };
        for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            errno = 0;
            ok = ok && munmap(p, lens[i]) == -1 && errno == EINVAL;
            errno = 0;
            ok = ok && mprotect(p, lens[i], PROT_READ) == -1 && errno == EINVAL;
            errno = 0;
            ok = ok && map(NULL, lens[i], RW, ANON) == MAP_FAILED && errno == EINVAL;
        }
        /* An address near 2^64 whose end wraps to a small one. */
        char *top = (char *)(uintptr_t)(UINT64_MAX - PAGE + 1);
        errno = 0;
        ok = ok && munmap(top, 2 * PAGE) == -1 && errno == EINVAL;
        errno = 0;
        ok = ok && mprotect(top, 2 * PAGE, PROT_READ) == -1 && errno == EINVAL;
        stats(&b);
        ok = ok && b.mapped == a.mapped && b.reserved == a.reserved && p[0] == 0x5A && p[PAGE] == 0x5B;
        p[0] = 1; /* still writable: mprotect changed nothing */
        munmap(p, 2 * PAGE);
    }
    verdict("vmm-bug-len-wrap", ok, "a length that wraps past 2^64 was not EINVAL, or changed something");
}

static void test_bug_prot_alone(void)
{
    char *w = map(NULL, PAGE, PROT_WRITE, ANON);
    char *x = map(NULL, PAGE, PROT_EXEC, ANON);
    int ok = w != MAP_FAILED && x != MAP_FAILED;
    if (ok) {
        w[10] = 42;                    /* writable ... */
        ok = w[10] == 42 && w[11] == 0; /* ... and readable */
        ok = ok && x[0] == 0;          /* executable mappings are readable */
        ok = ok && mprotect(w, PAGE, PROT_WRITE) == 0 && w[10] == 42;
        w[12] = 1;
    }
    if (w != MAP_FAILED)
        munmap(w, PAGE);
    if (x != MAP_FAILED)
        munmap(x, PAGE);
    verdict("vmm-bug-prot-alone", ok, "PROT_WRITE alone or PROT_EXEC alone was refused or not readable");
}

/* A request for more than the vmm has, over memory the process holds, changes nothing. */
static void test_bug_halfway(void)
{
    stats_t a = { 0 }, b = { 0 };
    stats(&a);
    size_t len = (size_t)(a.total + 1) * PAGE;
    char *p = map(NULL, len, PROT_NONE, ANON);
    int ok = p != MAP_FAILED;
    if (ok) {
        stats(&a);
        errno = 0;
        ok = mprotect(p, len, RW) == -1 && errno == ENOMEM;
        stats(&b);
        ok = ok && b.mapped == a.mapped && b.committed == a.committed && b.free == a.free;
        if (mprotect(p, PAGE, RW) == 0)
            p[0] = 1;
        else
            ok = 0;
        munmap(p, len);
    }
    char why[128];
    snprintf(why, sizeof why, "mapped %lu -> %lu, committed %lu -> %lu, frames free %lu -> %lu",
             (unsigned long)a.mapped, (unsigned long)b.mapped, (unsigned long)a.committed,
             (unsigned long)b.committed, (unsigned long)a.free, (unsigned long)b.free);
    verdict("vmm-bug-mprotect-halfway", ok, why);
}

/* The same for MAP_FIXED over a mapping (first: vmm-bump needs the area's room above it). */
static void test_bug_fixed(void)
{
    stats_t a = { 0 }, b = { 0 };
    char why[128];
    size_t len;
    char *q = map(NULL, 4 * PAGE, RW, ANON);
    int ok;
    ok = q != MAP_FAILED;
    if (ok) {
        for (int i = 0; i < 4; i++)
            q[i * PAGE] = (char)(0x40 + i);
        stats(&a);
        len = (size_t)(a.total + 1) * PAGE;
        errno = 0;
        ok = map(q, len, RW, ANON | MAP_FIXED) == MAP_FAILED && errno == ENOMEM;
        stats(&b);
        ok = ok && b.mapped == a.mapped && b.reserved == a.reserved;
        for (int i = 0; ok && i < 4; i++)
            ok = q[i * PAGE] == (char)(0x40 + i);
        munmap(q, 4 * PAGE);
    }
    snprintf(why, sizeof why, "mapped %lu -> %lu, reserved %lu -> %lu", (unsigned long)a.mapped,
             (unsigned long)b.mapped, (unsigned long)a.reserved, (unsigned long)b.reserved);
    verdict("vmm-bug-fixed-removes", ok, why);
}

/* ---- quota (the vmm gives this process 2048 pages) ---- */

#define QUOTA 2048u
#define CHUNK 512u

static int quota(void)
{
    stats_t a, b;
    char *chunks[QUOTA / CHUNK];
    unsigned n = 0;
    char *p;
    while (n < QUOTA / CHUNK && (p = map(NULL, CHUNK * PAGE, RW, ANON)) != MAP_FAILED)
        chunks[n++] = p;
    errno = 0;
    p = map(NULL, CHUNK * PAGE, RW, ANON);
    int e = errno;
    stats(&a);
    char why[160];
    snprintf(why, sizeof why, "%u chunks, then %p errno %d; quota %lu committed %lu", n, p, e,
             (unsigned long)a.quota, (unsigned long)a.committed);
    verdict("vmm-quota-enomem", n == QUOTA / CHUNK && p == MAP_FAILED && e == ENOMEM && a.quota == QUOTA &&
                                    a.committed == QUOTA, why);

    errno = 0;
    p = map(NULL, PAGE, RW, ANON | MAP_POPULATE);
    e = errno;
    stats(&b);
    verdict("vmm-quota-populate", p == MAP_FAILED && e == ENOMEM && b.mapped == a.mapped,
            "MAP_POPULATE past the quota did not fail cleanly");

    char *none = map(NULL, 16 * PAGE, PROT_NONE, ANON);
    errno = 0;
    int rc = none == MAP_FAILED ? 0 : mprotect(none, 16 * PAGE, RW);
    e = errno;
    stats(&b);
    verdict("vmm-quota-mprotect", none != MAP_FAILED && rc == -1 && e == ENOMEM && b.committed == a.committed,
            "mprotect past the quota did not fail cleanly");
    if (none != MAP_FAILED)
        munmap(none, 16 * PAGE);

    /* Every committed page can be touched: its frame was promised. */
    for (unsigned i = 0; i < n; i++)
        for (size_t off = 0; off < CHUNK * PAGE; off += PAGE)
            chunks[i][off] = 1;
    stats(&b);
    verdict("vmm-quota-touch", b.mapped == a.mapped + (uint64_t)n * CHUNK, "touching committed pages did not map them");

    /* More refusals, for the rate limit; then room again after a munmap. */
    for (int i = 0; i < 10; i++)
        map(NULL, PAGE, RW, ANON);
    munmap(chunks[0], CHUNK * PAGE);
    p = map(NULL, CHUNK * PAGE, RW, ANON);
    stats(&b);
    snprintf(why, sizeof why, "mmap after munmap %p, refusals %lu", p, (unsigned long)b.refusals);
    verdict("vmm-quota-recovers", p != MAP_FAILED && b.refusals == a.refusals + 12, why);
    return failures;
}

/* Meanwhile, another process of the same priority allocates and frees all along. */
static int worker(void)
{
    int ok = 1;
    for (unsigned i = 0; i < 3000 && ok; i++) {
        char *p = map(NULL, 16 * PAGE, RW, ANON);
        ok = p != MAP_FAILED;
        if (ok) {
            p[0] = 1;
            p[15 * PAGE] = 2;
            ok = munmap(p, 16 * PAGE) == 0;
        }
    }
    verdict("vmm-quota-other-unharmed", ok, "an mmap failed while another process used up its quota");
    return failures;
}

/* ---- accounting ---- */

/* The pages of the page map that n pages starting at the area's start may need, and the slab's spare. */
#define LEAF_PAGES 4096u
#define SLACK(n)   ((n) / LEAF_PAGES + 2)
#define NODES_PER_PAGE 84u  /* region nodes in a slab page (servers/vmm/slab.c) */

static size_t parse_size(const char *s)
{
    size_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (size_t)(*s - '0');
    return v;
}

static int holes(size_t n)
{
    stats_t a, b, c;
    stats(&a);
    char *first = NULL;
    int ok = 1;
    for (size_t i = 0; i < 2 * n && ok; i++) {
        char *p = map(NULL, PAGE, PROT_NONE, ANON);
        ok = p != MAP_FAILED;
        if (i == 0)
            first = p;
    }
    /* Lowest fit: the pages are contiguous (vmm-bump's too); every other one goes. */
    for (size_t i = 0; i < 2 * n && ok; i += 2)
        ok = munmap(first + i * PAGE, PAGE) == 0;
    stats(&b);
    ok = ok && munmap(first, 2 * n * PAGE) == 0;
    stats(&c);
    /*
     * Its frames follow the nodes still in use (one, for the tree, which
     * merges the holes back; one per freed run for the list, which never
     * merges), plus the page map's leaves and the slab's spare.
     */
    uint64_t allowed = a.vmm + SLACK(2 * n) + (c.nodes + NODES_PER_PAGE - 1) / NODES_PER_PAGE;
    char why[160];
    snprintf(why, sizeof why, "vmm frames %lu, %lu with %lu holes (%lu nodes), %lu after with %lu nodes (at most %lu)",
             (unsigned long)a.vmm, (unsigned long)b.vmm, (unsigned long)b.holes, (unsigned long)b.nodes,
             (unsigned long)c.vmm, (unsigned long)c.nodes, (unsigned long)allowed);
    verdict("vmm-account-shrinks", ok && c.vmm <= allowed, why);
    return failures;
}

static int partial(void)
{
    char *p = map(NULL, 64 * PAGE, RW, ANON);
    if (p == MAP_FAILED)
        return 1;
    for (int i = 0; i < 64; i++)
        p[i * PAGE] = (char)i;
    munmap(p + 16 * PAGE, 16 * PAGE);
    mprotect(p + 40 * PAGE, 8 * PAGE, PROT_NONE);
    mprotect(p + 48 * PAGE, 4 * PAGE, PROT_READ);
    map(p + 56 * PAGE, 4 * PAGE, RW, ANON | MAP_FIXED);
    map(NULL, 256 * PAGE, PROT_NONE, ANON);
    char *q = map(NULL, 8 * PAGE, RW, ANON | MAP_POPULATE);
    map(NULL, 32 * PAGE, RW, ANON); /* committed, never touched */
    return q == MAP_FAILED;
}

static int account(void)
{
    stats_t s;
    stats(&s);
    char why[200];
    snprintf(why, sizeof why, "frames in use %lu (mine: %lu pages, %lu tables), free %lu + vmm %lu of %lu",
             (unsigned long)s.in_use, (unsigned long)s.mapped, (unsigned long)s.tables, (unsigned long)s.free,
             (unsigned long)s.vmm, (unsigned long)s.total);
    verdict("vmm-account-exact", s.in_use == s.mapped + s.tables && s.free + s.in_use + s.vmm == s.total, why);
    snprintf(why, sizeof why, "the vmm holds %lu frames for itself, %lu before serving anyone",
             (unsigned long)s.vmm, (unsigned long)s.vmm_start);
    /* Within two frames: the slab page of its own region node, and the slab's one spare. */
    verdict("vmm-account-bookkeeping", s.vmm <= s.vmm_start + 2, why);
    return failures;
}

static int hog(const char *mib_arg, int second)
{
    size_t mib = 0;
    for (const char *s = mib_arg; *s >= '0' && *s <= '9'; s++)
        mib = mib * 10 + (size_t)(*s - '0');
    char *p = map(NULL, mib << 20, RW, ANON);
    if (second) {
        char name[48];
        snprintf(name, sizeof name, "vmm-exit-reclaims-%zu", mib);
        verdict(name, p != MAP_FAILED, "the first hog's frames did not come back");
    }
    if (p == MAP_FAILED)
        return 1;
    for (size_t off = 0; off < mib << 20; off += PAGE)
        p[off] = 1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "contract";
    bump = argc > 2 && !strcmp(argv[2], "vmm-bump");
    if (!strcmp(role, "hog"))
        return hog(argc > 2 ? argv[2] : "1", argc > 3);
    if (!strcmp(role, "touchfreed")) {
        char *p = map(NULL, PAGE, RW, ANON);
        munmap(p, PAGE);
        printf("vmmtest: reading 0x%lx after munmap\n", (unsigned long)(uintptr_t)p);
        return p[0];
    }
    if (!strcmp(role, "nonefault")) {
        char *p = map(NULL, PAGE, RW, ANON);
        p[0] = 1;
        mprotect(p, PAGE, PROT_NONE);
        printf("vmmtest: reading 0x%lx after mprotect(PROT_NONE)\n", (unsigned long)(uintptr_t)p);
        return p[0];
    }
    if (!strcmp(role, "quota"))
        return quota();
    if (!strcmp(role, "holes"))
        return holes(parse_size(argc > 2 ? argv[2] : "1000"));
    if (!strcmp(role, "partial"))
        return partial();
    if (!strcmp(role, "account"))
        return account();
    if (!strcmp(role, "killed")) {
        char *p = map(NULL, 32 * PAGE, RW, ANON);
        for (int i = 0; i < 32; i++)
            p[i * PAGE] = 1;
        printf("vmmtest: writing past its mapping at 0x%lx\n", (unsigned long)(uintptr_t)(p + 32 * PAGE));
        p[32 * PAGE + 64 * PAGE] = 1;
        return 0;
    }
    if (!strcmp(role, "worker"))
        return worker();
    if (!strcmp(role, "rountouched")) {
        char *p = map(NULL, PAGE, PROT_READ, ANON);
        printf("vmmtest: writing 0x%lx, read-only and never touched\n", (unsigned long)(uintptr_t)p);
        p[0] = 1;
        return 0;
    }
    if (!strcmp(role, "execnx")) {
        char *p = map(NULL, PAGE, RW, ANON);
        p[0] = 0;
        printf("vmmtest: jumping to 0x%lx, read-write\n", (unsigned long)(uintptr_t)p);
        void (*fn)(void) = (void (*)(void))(uintptr_t)p;
        fn();
        return 0;
    }
    if (!strcmp(role, "rofault")) {
        char *p = map(NULL, PAGE, RW, ANON);
        p[0] = 2; /* its frame is mapped: the write below is a permission fault */
        mprotect(p, PAGE, PROT_READ);
        printf("vmmtest: writing 0x%lx after mprotect(PROT_READ)\n", (unsigned long)(uintptr_t)p);
        p[0] = 1;
        return 0;
    }
    test_zeroed();
    test_bug_len_wrap();
    test_bug_prot_alone();
    test_bug_fixed();
    test_bug_halfway();
    test_demand();
    test_munmap_frees();
    test_partial_munmap();
    test_fixed();
    test_hint();
    test_align();
    test_mprotect();
    test_stats();
    test_errors();
    test_enomem();
    return failures;
}
