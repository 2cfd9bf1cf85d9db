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
 *              vmm-errors, vmm-enomem-clean
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
} stats_t;

static int stats(stats_t *s)
{
    return vmm_stats(AK_SLOT_VMM, &s->nodes, &s->mapped, &s->holes, &s->largest, &s->bump,
                     &s->free, &s->total, &s->mmaps, &s->munmaps);
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
        /* MAP_FIXED replaces: a fresh zero page at the same place (bump cannot reuse it). */
        char *q = map(want, PAGE, RW, ANON | MAP_FIXED);
        if (bump)
            ok = q == MAP_FAILED && errno == EEXIST;
        else
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
    if (!strcmp(role, "rofault")) {
        char *p = map(NULL, PAGE, RW, ANON);
        mprotect(p, PAGE, PROT_READ);
        printf("vmmtest: writing 0x%lx after mprotect(PROT_READ)\n", (unsigned long)(uintptr_t)p);
        p[0] = 1;
        return 0;
    }
    test_zeroed();
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
