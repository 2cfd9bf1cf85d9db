/*
 * The harness of the region conformance suite (harness.h).
 *
 * The model is deliberately naive (one byte per page, linear scans) so
 * that it is obviously right; the variants' answers are checked against
 * it after every step of a randomized run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>

#include "harness.h"

#define JUNK 0xA5

/* ---- node pool ---------------------------------------------------------- */

static void *pool_node_alloc(void *ctx)
{
    pool_t *p = ctx;
    if (p->budget == 0) {
        p->refused++;
        return NULL;
    }
    if (p->budget > 0)
        p->budget--;
    void *n = malloc(REGION_NODE_SIZE);
    assert_non_null(n);
    assert_int_equal((uintptr_t)n % REGION_NODE_ALIGN, 0);
    memset(n, JUNK, REGION_NODE_SIZE);  /* the variant must not trust a new node */
    p->live++;
    return n;
}

static void pool_node_free(void *ctx, void *node)
{
    pool_t *p = ctx;
    assert_non_null(node);
    assert_true(p->live > 0);
    p->live--;
    memset(node, JUNK, REGION_NODE_SIZE);
    free(node);
}

region_mem_t pool_mem(pool_t *p)
{
    return (region_mem_t){ .node_alloc = pool_node_alloc, .node_free = pool_node_free, .ctx = p };
}

/* ---- snapshots ---------------------------------------------------------- */

static void dump_add(void *ctx, uint64_t start, uint64_t end)
{
    dump_t *d = ctx;
    if (d->n == d->cap) {
        d->cap = d->cap != 0 ? 2 * d->cap : 64;
        d->r = realloc(d->r, d->cap * sizeof d->r[0]);
        assert_non_null(d->r);
    }
    d->r[d->n++] = (region_range_t){ start, end };
}

void dump_take(const region_set_t *s, dump_t *d)
{
    d->n = 0;
    region_walk(s, dump_add, d);
}

void dump_free(dump_t *d)
{
    free(d->r);
    *d = (dump_t){ 0 };
}

void snap_take(const region_set_t *s, snapshot_t *out)
{
    out->set = *s;
    region_stats(s, &out->st);
    dump_take(s, &out->d);
}

void snap_assert_same(const region_set_t *s, const snapshot_t *before)
{
    assert_int_equal(region_check(s), 0);
    assert_int_equal(s->lo, before->set.lo);
    assert_int_equal(s->hi, before->set.hi);
    assert_int_equal(s->bump, before->set.bump);
    assert_int_equal(s->free_bytes, before->set.free_bytes);
    assert_int_equal(s->nodes, before->set.nodes);
    assert_ptr_equal(s->root, before->set.root);
    region_stats_t st;
    region_stats(s, &st);
    assert_memory_equal(&st, &before->st, sizeof st);
    static dump_t now;  /* reused: fresh buffers cost ASan page faults */
    dump_take(s, &now);
    assert_int_equal(now.n, before->d.n);
    for (size_t i = 0; i < now.n; i++) {
        assert_int_equal(now.r[i].start, before->d.r[i].start);
        assert_int_equal(now.r[i].end, before->d.r[i].end);
    }
}

/* ---- operations --------------------------------------------------------- */

int op_run(region_set_t *s, const op_t *op, uint64_t *out)
{
    switch (op->kind) {
    case OP_ALLOC:
        return region_alloc(s, op->len, op->align, op->hint, out);
    case OP_RESERVE:
        return region_reserve(s, op->addr, op->len);
    case OP_FREE:
        return region_free(s, op->addr, op->len);
    }
    fail_msg("unknown op %d", (int)op->kind);
    return 0;
}

int op_run_every_budget(region_set_t *s, pool_t *p, const op_t *op, uint64_t *out)
{
    static snapshot_t before;  /* its buffer is reused */
    snap_take(s, &before);     /* a refusal changes nothing, so one serves every try */
    for (int64_t budget = 0;; budget++) {
        uint64_t refused = p->refused, sentinel = UINT64_C(0xDEADBEEF000);
        *out = sentinel;
        p->budget = budget;
        int err = op_run(s, op, out);
        bool starved = err == -AK_ENOMEM && p->refused > refused;
        if (err != 0) {
            snap_assert_same(s, &before);
            assert_int_equal(*out, sentinel);  /* *out is written only on success */
        }
        p->budget = -1;
        if (!starved)
            return err;
        assert_true(budget < 1);  /* no operation needs more than one node */
    }
}

/* ---- the reference model ------------------------------------------------ */

void model_init(model_t *m, uint64_t lo, size_t npages)
{
    *m = (model_t){ .lo = lo, .npages = npages, .used = calloc(npages, 1), .bump = lo,
                    .seen = malloc(npages) };
    assert_non_null(m->used);
    assert_non_null(m->seen);
}

void model_free_all(model_t *m)
{
    free(m->used);
    free(m->seen);
    *m = (model_t){ 0 };
}

static uint64_t model_hi(const model_t *m)
{
    return m->lo + m->npages * PAGE;
}

bool model_range_ok(const model_t *m, uint64_t addr, uint64_t len)
{
    return len != 0 && addr % PAGE == 0 && len % PAGE == 0 && addr >= m->lo &&
           addr <= model_hi(m) && len <= model_hi(m) - addr;
}

uint64_t model_free_pages(const model_t *m, uint64_t addr, uint64_t len)
{
    uint64_t n = 0;
    for (uint64_t a = addr; a < addr + len; a += PAGE)
        n += !m->used[(a - m->lo) / PAGE];
    return n;
}

void model_take(model_t *m, uint64_t x, uint64_t len)
{
    /* bump forgets what it skips: that space is in use for ever. */
    uint64_t from = variant.fit == FIT_BUMP && x > m->bump ? m->bump : x;
    for (uint64_t a = from; a < x + len; a += PAGE) {
        if (a >= x)
            assert_false(m->used[(a - m->lo) / PAGE]);
        m->used[(a - m->lo) / PAGE] = 1;
    }
    if (x + len > m->bump)
        m->bump = x + len;
}

void model_release(model_t *m, uint64_t addr, uint64_t len)
{
    for (uint64_t a = addr; a < addr + len; a += PAGE) {
        assert_true(m->used[(a - m->lo) / PAGE]);
        if (variant.reuses)
            m->used[(a - m->lo) / PAGE] = 0;
    }
}

/* The maximal runs of free pages, in address order. */
static void model_runs(const model_t *m, dump_t *d)
{
    d->n = 0;
    for (size_t i = 0; i < m->npages;) {
        if (m->used[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < m->npages && !m->used[j])
            j++;
        dump_add(d, m->lo + i * PAGE, m->lo + j * PAGE);
        i = j;
    }
}

static bool fits(const region_range_t *r, uint64_t len, uint64_t align, uint64_t *x)
{
    uint64_t a = (r->start + align - 1) / align * align;
    if (a < r->start || a > r->end || r->end - a < len)
        return false;
    *x = a;
    return true;
}

bool model_lowest_fit(const model_t *m, uint64_t len, uint64_t align, uint64_t *x)
{
    static dump_t runs;
    model_runs(m, &runs);
    bool found = false;
    for (size_t i = 0; i < runs.n && !found; i++)
        found = fits(&runs.r[i], len, align, x);
    return found;
}

/*
 * The tree's rule: the lowest REGION_ALIGN_PROBES holes at least len
 * long; then the lowest later one long enough for any alignment; then,
 * if there is none, every later one in turn.
 */
static bool model_tree_fit(const model_t *m, uint64_t len, uint64_t align, uint64_t *x)
{
    static dump_t runs;
    model_runs(m, &runs);
    unsigned probes = 0;
    size_t i = 0;
    for (; i < runs.n && probes < REGION_ALIGN_PROBES; i++) {
        if (runs.r[i].end - runs.r[i].start < len)
            continue;
        probes++;
        if (fits(&runs.r[i], len, align, x))
            return true;
    }
    for (size_t j = i; j < runs.n; j++) {
        if (runs.r[j].end - runs.r[j].start >= len + align - PAGE)
            return fits(&runs.r[j], len, align, x);
    }
    for (size_t j = i; j < runs.n; j++) {
        if (fits(&runs.r[j], len, align, x))
            return true;
    }
    return false;
}

bool model_expect_alloc(const model_t *m, const dump_t *before, uint64_t len, uint64_t align,
                        uint64_t hint, uint64_t *x)
{
    if (hint % align == 0 && model_range_ok(m, hint, len) &&
        model_free_pages(m, hint, len) == len / PAGE) {
        *x = hint;
        return true;
    }
    switch (variant.fit) {
    case FIT_LOWEST:
        return model_tree_fit(m, len, align, x);
    case FIT_LIST:
        for (size_t i = 0; i < before->n; i++) {
            if (fits(&before->r[i], len, align, x))
                return true;
        }
        return false;
    case FIT_BUMP: {
        region_range_t top = { m->bump, model_hi(m) };
        return fits(&top, len, align, x);
    }
    }
    return false;
}

void model_assert_matches(const model_t *m, const region_set_t *s, const pool_t *p)
{
    assert_int_equal(region_check(s), 0);
    region_stats_t st;
    region_stats(s, &st);
    assert_int_equal(st.nodes, p->live);
    assert_int_equal(st.bump, m->bump);

    static dump_t d;
    dump_take(s, &d);
    uint8_t *seen = m->seen;
    memset(seen, 0, m->npages);
    uint64_t holes = 0, largest = 0, free_pages = 0;
    for (size_t i = 0; i < d.n; i++) {
        const region_range_t *r = &d.r[i];
        assert_true(r->start < r->end && model_range_ok(m, r->start, r->end - r->start));
        for (uint64_t a = r->start; a < r->end; a += PAGE) {
            size_t pg = (a - m->lo) / PAGE;
            assert_false(seen[pg]);       /* regions are disjoint */
            assert_false(m->used[pg]);    /* and free in the model */
            seen[pg] = 1;
            free_pages++;
        }
        if (r->start < st.bump) {
            holes++;
            uint64_t below = (r->end < st.bump ? r->end : st.bump) - r->start;
            largest = below > largest ? below : largest;
        }
        if (variant.coalesces && i > 0)
            assert_true(d.r[i - 1].end < r->start);  /* maximal, in address order */
    }
    uint64_t runs = 0;
    for (size_t pg = 0; pg < m->npages; pg++) {
        assert_int_equal(seen[pg], !m->used[pg]);  /* every free page is reported */
        runs += m->used[pg] && (pg == 0 || !m->used[pg - 1]);
    }
    assert_int_equal(st.used_runs, runs);
    assert_int_equal(st.free_bytes, free_pages * PAGE);
    assert_int_equal(st.holes, holes);
    assert_int_equal(st.largest_hole, largest);
}

/* ---- randomness ---------------------------------------------------------- */

uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

uint64_t rng_below(uint64_t *state, uint64_t n)
{
    return rng_next(state) % n;
}

/* ---- the randomized run -------------------------------------------------- */

typedef struct tally {
    unsigned alloc_ok, alloc_nomem, alloc_hint, alloc_aligned, reserve_ok, reserve_exist, free_ok,
        free_inval, partial_free;
} tally_t;

/* A random page address around the area, sometimes outside it. */
static uint64_t random_addr(uint64_t *rng, const model_t *m)
{
    uint64_t pg = rng_below(rng, m->npages + 8);
    return m->lo + pg * PAGE - 4 * PAGE;
}

int model_step(region_set_t *s, pool_t *p, model_t *m, const op_t *op, uint64_t *out)
{
    uint64_t want = 0, got = 0;
    int expect = 0;
    switch (op->kind) {
    case OP_ALLOC:
        if (op->len == 0 || op->len % PAGE != 0 || op->align < PAGE || (op->align & (op->align - 1)) != 0) {
            expect = -AK_EINVAL;
        } else {
            static dump_t before;
            dump_take(s, &before);
            if (!model_expect_alloc(m, &before, op->len, op->align, op->hint, &want))
                expect = -AK_ENOMEM;
        }
        break;
    case OP_RESERVE:
        if (!model_range_ok(m, op->addr, op->len))
            expect = -AK_EINVAL;
        else if (model_free_pages(m, op->addr, op->len) != op->len / PAGE)
            expect = -AK_EEXIST;
        want = op->addr;
        break;
    case OP_FREE:
        if (!model_range_ok(m, op->addr, op->len) || model_free_pages(m, op->addr, op->len) != 0)
            expect = -AK_EINVAL;
        break;
    }
    int err = op_run_every_budget(s, p, op, &got);
    assert_int_equal(err, expect);
    if (err == 0 && op->kind == OP_ALLOC)
        assert_int_equal(got, want);
    if (err == 0 && op->kind == OP_FREE)
        model_release(m, op->addr, op->len);
    else if (err == 0)
        model_take(m, want, op->len);
    if (out != NULL)
        *out = want;
    return err;
}

static void random_alloc(region_set_t *s, pool_t *p, model_t *m, uint64_t *rng, tally_t *t)
{
    uint64_t pages = rng_below(rng, 16) == 0 ? 1 + rng_below(rng, 64) : 1 + rng_below(rng, 8);
    uint64_t align = rng_below(rng, 4) == 0 ? PAGE << rng_below(rng, 6) : PAGE;
    uint64_t hint = rng_below(rng, 4) == 0 ? random_addr(rng, m) : 0;
    op_t op = { .kind = OP_ALLOC, .len = pages * PAGE, .align = align, .hint = hint };
    uint64_t lowest = 0, got;
    bool any = model_lowest_fit(m, op.len, align, &lowest);
    if (model_step(s, p, m, &op, &got) != 0) {
        assert_false(variant.fit == FIT_LOWEST && any);  /* the tree fails only if nothing fits */
        t->alloc_nomem++;
        return;
    }
    /* The tree's answer is the plain lowest fit whenever probes cannot matter. */
    if (variant.fit == FIT_LOWEST && got != hint && align == PAGE)
        assert_int_equal(got, lowest);
    t->alloc_ok++;
    t->alloc_hint += hint != 0 && got == hint;
    t->alloc_aligned += align > PAGE;
}

static void random_reserve(region_set_t *s, pool_t *p, model_t *m, uint64_t *rng, tally_t *t)
{
    op_t op = { .kind = OP_RESERVE, .addr = random_addr(rng, m), .len = (1 + rng_below(rng, 8)) * PAGE };
    int err = model_step(s, p, m, &op, NULL);
    t->reserve_ok += err == 0;
    t->reserve_exist += err == -AK_EEXIST;
}

/*
 * Frees a random range: mostly a run of pages in use from a random
 * start (often part of one allocation, or spanning several), sometimes
 * any range at all.
 */
static void random_free(region_set_t *s, pool_t *p, model_t *m, uint64_t *rng, tally_t *t)
{
    op_t op = { .kind = OP_FREE, .addr = random_addr(rng, m), .len = (1 + rng_below(rng, 8)) * PAGE };
    if (rng_below(rng, 4) != 0 && model_range_ok(m, op.addr, PAGE) && m->used[(op.addr - m->lo) / PAGE]) {
        uint64_t max = 1 + rng_below(rng, 16), n = 0;
        while (n < max && model_range_ok(m, op.addr, (n + 1) * PAGE) &&
               m->used[(op.addr - m->lo) / PAGE + n])
            n++;
        op.len = n * PAGE;
    }
    bool inside = model_range_ok(m, op.addr, op.len) && op.addr > m->lo &&
                  m->used[(op.addr - m->lo) / PAGE - 1];
    if (model_step(s, p, m, &op, NULL) != 0) {
        t->free_inval++;
        return;
    }
    t->free_ok++;
    t->partial_free += inside;
}

static void random_query(const region_set_t *s, const model_t *m, uint64_t *rng)
{
    uint64_t addr = random_addr(rng, m) + (rng_below(rng, 8) == 0 ? 512 : 0);
    uint64_t len = rng_below(rng, 8) == 0 ? 0 : (1 + rng_below(rng, 8)) * PAGE;
    bool want = model_range_ok(m, addr, len) && model_free_pages(m, addr, len) == len / PAGE;
    assert_int_equal(region_is_free(s, addr, len), want);
}

/* Requests with bad arguments: -AK_EINVAL and no change. */
static void random_invalid(region_set_t *s, pool_t *p, model_t *m, uint64_t *rng)
{
    op_t bad[] = {
        { .kind = OP_ALLOC, .len = 0, .align = PAGE },
        { .kind = OP_ALLOC, .len = PAGE + 8, .align = PAGE },
        { .kind = OP_ALLOC, .len = PAGE, .align = 3 * PAGE },
        { .kind = OP_ALLOC, .len = PAGE, .align = PAGE / 2 },
        { .kind = OP_RESERVE, .addr = m->lo + 100, .len = PAGE },
        { .kind = OP_RESERVE, .addr = model_hi(m), .len = PAGE },
        { .kind = OP_FREE, .addr = m->lo, .len = PAGE - 1 },
        { .kind = OP_FREE, .addr = m->lo - PAGE, .len = 2 * PAGE },
        { .kind = OP_FREE, .addr = UINT64_MAX & ~(PAGE - 1), .len = 2 * PAGE },
    };
    const op_t *op = &bad[rng_below(rng, sizeof bad / sizeof bad[0])];
    assert_int_equal(model_step(s, p, m, op, NULL), -AK_EINVAL);
}

void random_run(uint64_t seed, size_t npages, unsigned steps, unsigned check_every)
{
    pool_t pool = { .budget = -1 };
    region_mem_t mem = pool_mem(&pool);
    region_set_t s;
    model_t m;
    uint64_t rng = seed;
    tally_t t = { 0 };
    assert_int_equal(region_init(&s, LO, LO + npages * PAGE, &mem), 0);
    model_init(&m, LO, npages);
    for (unsigned step = 0; step < steps; step++) {
        /* The bump variant never gets space back: start a new "process". */
        if (!variant.reuses && m.bump + 16 * PAGE > model_hi(&m)) {
            region_destroy(&s);
            assert_int_equal(pool.live, 0);
            model_free_all(&m);
            assert_int_equal(region_init(&s, LO, LO + npages * PAGE, &mem), 0);
            model_init(&m, LO, npages);
        }
        uint64_t r = rng_below(&rng, 100);
        if (r < 40)
            random_alloc(&s, &pool, &m, &rng, &t);
        else if (r < 75)
            random_free(&s, &pool, &m, &rng, &t);
        else if (r < 87)
            random_reserve(&s, &pool, &m, &rng, &t);
        else if (r < 97)
            random_query(&s, &m, &rng);
        else
            random_invalid(&s, &pool, &m, &rng);
        if (step % check_every == 0 || step + 1 == steps)
            model_assert_matches(&m, &s, &pool);
    }
    /* The run exercised every outcome. */
    assert_true(t.alloc_ok > steps / 100 && t.alloc_nomem > 0 && t.alloc_hint > 0 && t.alloc_aligned > 0);
    assert_true(t.reserve_ok > 0 && t.reserve_exist > 0 && t.free_ok > steps / 100 && t.free_inval > 0);
    assert_true(t.partial_free > 0);
    region_destroy(&s);
    assert_int_equal(pool.live, 0);
    model_free_all(&m);
}
