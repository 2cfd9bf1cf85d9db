/*
 * vmmsoak: a long random workload against the vmm, checked against a model
 * of what the process should have mapped.
 *
 * Usage: vmmsoak OPS SEED [NAME] [inject] [bump | vmm=VMM]
 *
 * Each op is one of: mmap anywhere (1..64 pages, maybe aligned, maybe with
 * a hint), mmap MAP_FIXED over whatever is there, MAP_FIXED_NOREPLACE
 * (refused with EEXIST when it meets a mapping), munmap of a whole mapping
 * or of its head, tail or middle, mprotect of part of one to read-only,
 * no access or read-write, and calls that must fail (unaligned, a range
 * with a hole).  The model is a sorted list of runs of pages with one
 * protection each.  Every page carries a word of its own (its address
 * mixed with a tag), so that lost, swapped or stale frames show:
 *
 *   - a new mapping lies in the mmap area, overlaps nothing the model has
 *     and reads zero;
 *   - every readable page still holds its word (checked on every op for
 *     the pages it touches, and for all pages every 256 ops);
 *   - the vmm's counts of mapped, reserved and committed pages equal the
 *     model's, and its frames add up (free + in use + its own = total).
 *
 * With "inject" (the vmm must be started with "inject" too), before a
 * third of the ops the vmm's supply is told to fail at its 1st, 2nd or
 * 3rd request (vmm.idl inject): an op that then fails with ENOMEM must
 * have changed nothing, which a full check proves at once.  With "bump"
 * (or vmm=vmm-bump: vmm-bump, which never reuses an address), MAP_FIXED may be refused
 * with EEXIST, and the run ends early when the area is used up.
 *
 * Prints "AKTEST PASS NAME" (default vmm-soak) at the end, or the first
 * disagreement as "AKTEST FAIL NAME: ..." and exits 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <akuma/abi/caps.h>
#include <akuma/abi/layout.h>
#include <idl/vmm_client.h>

#define PAGE        4096u
#define MAX_RUNS    512u   /* model entries (an op adds at most 3) */
#define MAX_PAGES   64u    /* per new mapping */
#define CHECK_EVERY 256u   /* ops between full checks */
#define RW          (PROT_READ | PROT_WRITE)
#define ANON        (MAP_PRIVATE | MAP_ANONYMOUS)

/* A run of pages with one protection; pages of a run need not share a tag. */
typedef struct {
    uint64_t start, npages;
    int prot;
} run_t;

static run_t runs[MAX_RUNS];
static unsigned nruns;
static uint64_t rng;
static const char *name = "vmm-soak";
static uint64_t op_no;
static bool inject, bump, armed, exhausted;
static uint64_t injected_failures, bump_refusals;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

static _Noreturn void fail(const char *what, uint64_t addr, long got, long want)
{
    printf("AKTEST FAIL %s: op %lu: %s at 0x%lx: got %ld, want %ld\n", name, (unsigned long)op_no, what,
           (unsigned long)addr, got, want);
    exit(1);
}

/* The word every page keeps at its start (and, mirrored, at its end). */
static uint64_t word_of(uint64_t page)
{
    return page * UINT64_C(0x9E3779B97F4A7C15) ^ UINT64_C(0x5A5A5A5A5A5A5A5A);
}

static volatile uint64_t *first_word(uint64_t page)
{
    return (volatile uint64_t *)(uintptr_t)page;
}

static volatile uint64_t *last_word(uint64_t page)
{
    return (volatile uint64_t *)(uintptr_t)(page + PAGE - 8);
}

static void check_page(uint64_t page)
{
    if (*first_word(page) != word_of(page) || *last_word(page) != ~word_of(page))
        fail("a page lost its contents", page, (long)*first_word(page), (long)word_of(page));
}

/* A fresh page: zero, then given its words. */
static void take_fresh(uint64_t page)
{
    if (*first_word(page) != 0 || *last_word(page) != 0)
        fail("a new page is not zero", page, (long)*first_word(page), 0);
    *first_word(page) = word_of(page);
    *last_word(page) = ~word_of(page);
}

static uint64_t model_pages(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < nruns; i++)
        n += runs[i].npages;
    return n;
}

/* Whether [a, a + n pages) meets a run of the model. */
static bool overlaps(uint64_t a, uint64_t n)
{
    uint64_t end = a + n * PAGE;
    for (unsigned i = 0; i < nruns; i++)
        if (runs[i].start < end && a < runs[i].start + runs[i].npages * PAGE)
            return true;
    return false;
}

/* Adds a run, merged with a neighbour that continues it with the same protection. */
static void insert_run(uint64_t start, uint64_t npages, int prot)
{
    unsigned i = 0;
    while (i < nruns && runs[i].start < start)
        i++;
    if (i > 0 && runs[i - 1].prot == prot && runs[i - 1].start + runs[i - 1].npages * PAGE == start) {
        runs[i - 1].npages += npages;
        if (i < nruns && runs[i].prot == prot && start + npages * PAGE == runs[i].start) {
            runs[i - 1].npages += runs[i].npages;
            memmove(&runs[i], &runs[i + 1], (nruns - i - 1) * sizeof runs[0]);
            nruns--;
        }
        return;
    }
    if (i < nruns && runs[i].prot == prot && start + npages * PAGE == runs[i].start) {
        runs[i].start = start;
        runs[i].npages += npages;
        return;
    }
    if (nruns == MAX_RUNS)
        fail("the model is full", start, (long)nruns, MAX_RUNS);
    memmove(&runs[i + 1], &runs[i], (nruns - i) * sizeof runs[0]);
    runs[i] = (run_t){ start, npages, prot };
    nruns++;
}

/*
 * Takes [a, a + n pages) out of the model, splitting runs at its ends;
 * calls keep(page, prot) for each page taken out, if keep is not NULL.
 */
static void punch(uint64_t a, uint64_t n, void (*keep)(uint64_t page, int prot))
{
    uint64_t end = a + n * PAGE;
    for (unsigned i = 0; i < nruns;) {
        run_t r = runs[i];
        uint64_t rend = r.start + r.npages * PAGE;
        if (rend <= a || r.start >= end) {
            i++;
            continue;
        }
        uint64_t lo = r.start > a ? r.start : a, hi = rend < end ? rend : end;
        if (keep)
            for (uint64_t p = lo; p < hi; p += PAGE)
                keep(p, r.prot);
        memmove(&runs[i], &runs[i + 1], (nruns - i - 1) * sizeof runs[0]);
        nruns--;
        if (r.start < lo)
            insert_run(r.start, (lo - r.start) / PAGE, r.prot);
        if (hi < rend)
            insert_run(hi, (rend - hi) / PAGE, r.prot);
        i = 0; /* the list changed under us: start over (it is short) */
    }
}

static void check_all(void)
{
    for (unsigned i = 0; i < nruns; i++)
        if (runs[i].prot & PROT_READ)
            for (uint64_t k = 0; k < runs[i].npages; k++)
                check_page(runs[i].start + k * PAGE);
    uint64_t st[18];
    int rc = vmm_stats(AK_SLOT_VMM, &st[0], &st[1], &st[2], &st[3], &st[4], &st[5], &st[6], &st[7], &st[8],
                       &st[9], &st[10], &st[11], &st[12], &st[13], &st[14], &st[15], &st[16], &st[17]);
    if (rc != 0)
        fail("stats failed", 0, rc, 0);
    uint64_t pages = model_pages();
    if (st[1] != pages)
        fail("the vmm's mapped pages differ from the model's", 0, (long)st[1], (long)pages);
    if (st[9] != pages)
        fail("the vmm's reserved pages differ from the model's", 0, (long)st[9], (long)pages);
    if (st[10] != pages) /* every page was touched when made: all hold a frame */
        fail("the vmm's committed pages differ from the model's", 0, (long)st[10], (long)pages);
    if (st[5] + st[14] + st[15] != st[6])
        fail("the vmm's frames do not add up (free + in use + its own)", 0, (long)(st[5] + st[14] + st[15]),
             (long)st[6]);
}

/* Arms the seam for the next op, a third of the time. */
static void maybe_arm(void)
{
    armed = inject && below(3) == 0;
    if (armed) {
        int rc = vmm_inject(AK_SLOT_VMM, 1 + below(3));
        if (rc != 0)
            fail("inject refused", 0, rc, 0);
    }
}

static void disarm(void)
{
    if (armed && vmm_inject(AK_SLOT_VMM, 0) != 0)
        fail("inject refused", 0, 0, 0);
    armed = false;
}

/*
 * A call that failed with err: an injected ENOMEM is fine if nothing
 * changed (checked at once, against the model as it was); true then.
 */
static bool injected(int err)
{
    if (!armed || err != ENOMEM)
        return false;
    injected_failures++;
    disarm();
    check_all();
    return true;
}

/* A readable page about to be unmapped or replaced: its contents were intact. */
static void check_if_readable(uint64_t page, int prot)
{
    if (prot & PROT_READ)
        check_page(page);
}

/* A random sub-range of run r: its first page in *a, its length in *n pages. */
static void pick_part(const run_t *r, uint64_t *a, uint64_t *n)
{
    uint64_t off = below(r->npages);
    *n = 1 + below(r->npages - off);
    *a = r->start + off * PAGE;
}

static void op_mmap(void)
{
    uint64_t n = 1 + below(MAX_PAGES);
    int flags = ANON;
    uint64_t align = PAGE;
    if (below(8) == 0) {
        unsigned shift = 13 + (unsigned)below(8); /* 8 KiB .. 1 MiB */
        flags |= MAP_ALIGNED(shift);
        align = UINT64_C(1) << shift;
    }
    void *hint = below(4) == 0 ? (void *)(uintptr_t)(AK_USER_MMAP_MIN + below(1u << 16) * PAGE) : NULL;
    char *p = mmap(hint, n * PAGE, RW, flags, -1, 0);
    if (p == MAP_FAILED) {
        if (injected(errno))
            return;
        if (errno == ENOMEM && bump && nruns == 0)
            exhausted = true; /* vmm-bump has used up the area */
        if (errno == ENOMEM && (nruns > 0 || bump))
            return; /* the area is full: fine, munmaps will follow */
        fail("mmap failed", (uint64_t)(uintptr_t)hint, errno, 0);
    }
    uint64_t a = (uint64_t)(uintptr_t)p;
    if (a < AK_USER_MMAP_MIN || a + n * PAGE > AK_USER_MMAP_MAX || a % align != 0)
        fail("mmap returned an address outside the area or misaligned", a, (long)(a % align), 0);
    if (overlaps(a, n))
        fail("mmap returned a range in use", a, (long)n, 0);
    for (uint64_t k = 0; k < n; k++)
        take_fresh(a + k * PAGE);
    insert_run(a, n, RW);
}

static void op_fixed(bool noreplace)
{
    const run_t *r = &runs[below(nruns)];
    uint64_t a, n;
    pick_part(r, &a, &n);
    n += below(8); /* maybe past the run, over a hole or the next run */
    if (a + n * PAGE > AK_USER_MMAP_MAX)
        n = (AK_USER_MMAP_MAX - a) / PAGE;
    char *p = mmap((void *)(uintptr_t)a, n * PAGE, RW, ANON | (noreplace ? MAP_FIXED_NOREPLACE : MAP_FIXED),
                   -1, 0);
    if (noreplace) {
        if (p != MAP_FAILED || errno != EEXIST)
            fail("MAP_FIXED_NOREPLACE over a mapping did not fail with EEXIST", a, (long)(uintptr_t)p, EEXIST);
        return;
    }
    if (p == MAP_FAILED && injected(errno))
        return;
    if (p == MAP_FAILED && bump && errno == EEXIST) {
        bump_refusals++; /* over an address it will not reuse */
        return;
    }
    if (p == MAP_FAILED)
        fail("MAP_FIXED failed", a, errno, 0);
    if ((uint64_t)(uintptr_t)p != a)
        fail("MAP_FIXED moved the mapping", a, (long)(uintptr_t)p, (long)a);
    punch(a, n, NULL);
    for (uint64_t k = 0; k < n; k++)
        take_fresh(a + k * PAGE);
    insert_run(a, n, RW);
}

static void op_munmap(void)
{
    const run_t *r = &runs[below(nruns)];
    uint64_t a = r->start, n = r->npages;
    if (below(2))
        pick_part(r, &a, &n);
    int prot = r->prot;
    for (uint64_t k = 0; k < n; k++)
        check_if_readable(a + k * PAGE, prot);
    if (munmap((void *)(uintptr_t)a, n * PAGE) != 0) {
        if (injected(errno))
            return;
        fail("munmap failed", a, errno, 0);
    }
    punch(a, n, NULL);
}

static void op_mprotect(void)
{
    static const int prots[] = { PROT_READ, PROT_NONE, RW };
    const run_t *r = &runs[below(nruns)];
    uint64_t a, n;
    pick_part(r, &a, &n);
    int prot = prots[below(3)];
    for (uint64_t k = 0; k < n; k++)
        check_if_readable(a + k * PAGE, r->prot);
    if (mprotect((void *)(uintptr_t)a, n * PAGE, prot) != 0) {
        if (injected(errno))
            return;
        fail("mprotect failed", a, errno, 0);
    }
    punch(a, n, NULL);
    insert_run(a, n, prot);
    if (prot & PROT_READ)
        for (uint64_t k = 0; k < n; k++)
            check_page(a + k * PAGE);
}

/* Calls that must fail and change nothing. */
static void op_refused(void)
{
    const run_t *r = &runs[below(nruns)];
    if (munmap((void *)(uintptr_t)(r->start + 8), PAGE) != -1 || errno != EINVAL)
        fail("munmap of an unaligned address did not fail with EINVAL", r->start + 8, errno, EINVAL);
    /* mprotect over a range with a page the model does not have. */
    uint64_t end = r->start + r->npages * PAGE;
    if (end < AK_USER_MMAP_MAX && !overlaps(end, 1) &&
        (mprotect((void *)(uintptr_t)r->start, (r->npages + 1) * PAGE, PROT_READ) != -1 || errno != ENOMEM))
        fail("mprotect over a hole did not fail with ENOMEM", r->start, errno, ENOMEM);
    if (mmap(NULL, 0, RW, ANON, -1, 0) != MAP_FAILED || errno != EINVAL)
        fail("mmap of 0 bytes did not fail with EINVAL", 0, errno, EINVAL);
}

static uint64_t parse(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

int main(int argc, char **argv)
{
    uint64_t ops = argc > 1 ? parse(argv[1]) : 10000;
    rng = argc > 2 ? parse(argv[2]) * UINT64_C(0x9E3779B97F4A7C15) + 1 : 1;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "inject"))
            inject = true;
        else if (!strcmp(argv[i], "bump") || !strcmp(argv[i], "vmm=vmm-bump"))
            bump = true;
        else if (!strncmp(argv[i], "vmm=", 4))
            continue; /* another vmm: nothing to adapt */
        else
            name = argv[i];
    }
    printf("vmmsoak: %lu ops, seed %s%s%s\n", (unsigned long)ops, argc > 2 ? argv[2] : "0",
           inject ? ", injected failures" : "", bump ? ", vmm-bump" : "");
    uint64_t counts[6] = { 0 };
    for (op_no = 1; op_no <= ops; op_no++) {
        unsigned kind = nruns == 0 ? 0 : (unsigned)below(16);
        if (nruns > MAX_RUNS / 8 && below(2))
            kind = 7; /* keep the model short: unmap more often */
        if (kind <= 12)
            maybe_arm();
        if (kind <= 4) {
            op_mmap(), counts[0]++;
        } else if (kind <= 6) {
            op_fixed(false), counts[1]++;
        } else if (kind <= 9) {
            op_munmap(), counts[2]++;
        } else if (kind <= 12) {
            op_mprotect(), counts[3]++;
        } else if (kind <= 13) {
            op_fixed(true), counts[4]++;
        } else {
            op_refused(), counts[5]++;
        }
        disarm();
        if (exhausted)
            break;
        if (op_no % CHECK_EVERY == 0)
            check_all();
    }
    check_all();
    while (nruns > 0) {
        run_t r = runs[0];
        punch(r.start, r.npages, check_if_readable);
        if (munmap((void *)(uintptr_t)r.start, r.npages * PAGE) != 0)
            fail("munmap at the end failed", r.start, errno, 0);
    }
    check_all();
    printf("vmmsoak: mmap %lu, fixed %lu, munmap %lu, mprotect %lu, noreplace %lu, refused %lu, "
           "injected failures %lu, bump refusals %lu\n",
           (unsigned long)counts[0], (unsigned long)counts[1], (unsigned long)counts[2], (unsigned long)counts[3],
           (unsigned long)counts[4], (unsigned long)counts[5], (unsigned long)injected_failures,
           (unsigned long)bump_refusals);
    if (inject && injected_failures == 0)
        fail("no injected failure happened", 0, 0, 1);
    printf("AKTEST PASS %s\n", name);
    return 0;
}
