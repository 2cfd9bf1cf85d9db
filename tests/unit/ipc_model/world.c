/*
 * The ipc_model suite's worlds (see world.h): building them, random
 * events, making a step as the trap handlers would, and the fastpath's
 * differential run.
 *
 * A step in MODE_DIFF saves every object the kernel may touch (the
 * world's processes and threads, endpoints, IPC buffers, the scheduler's
 * state and the two arch registers), runs ipc_fastpath(), saves again,
 * restores, runs the slow path (ipc_call or ipc_reply_recv, then
 * sched_return) and requires the two results to be identical, byte for
 * byte; a fastpath that declines must have changed nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>
#include <ukernel/arch/sysreg.h>
#include <ukernel/halt.h>
#include <ukernel/ipc.h>
#include <ukernel/process.h>
#include <ukernel/sched.h>

#include "check.h"
#include "kernel_host.h"
#include "sched_host.h"
#include "world.h"

#define TAG_FIRST UINT64_C(0x100000)   /* tags stay clear of small labels such as AK_ESRCH */
#define PRIO_BASE 100u

static ak_ipcbuf_t ipcbufs[W_PROCS];
static physmem_t some_memory = { .base = 0x80000000u, .size = PAGE_SIZE };  /* the object of a wrong-kind capability */

/* ---- randomness ---------------------------------------------------------- */

static uint64_t splitmix(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static uint64_t rnd(world_t *w)
{
    w->rng = splitmix(w->rng);
    return w->rng;
}

static uint64_t below(world_t *w, uint64_t n)
{
    return rnd(w) % n;
}

uint64_t world_word(uint64_t tag, uint64_t i)
{
    return splitmix(tag * AK_MSG_MAX_WORDS + i);
}

/* ---- failure messages ---------------------------------------------------- */

static void event_name(const event_t *ev, char *buf, size_t n)
{
    switch (ev->kind) {
    case EV_TICK:
        snprintf(buf, n, "tick");
        return;
    case EV_FAULT:
        snprintf(buf, n, "fault esr 0x%lx far 0x%lx", (unsigned long)ev->esr, (unsigned long)ev->far);
        return;
    case EV_SYSCALL:
        break;
    }
    const char *tls = ev->set_tls ? ", after writing TPIDR_EL0" : "";
    if (ev->number == AK_SYS_EXIT)
        snprintf(buf, n, "exit %ld%s", (long)ev->arg, tls);
    else if (ev->number == AK_SYS_YIELD)
        snprintf(buf, n, "yield%s", tls);
    else if (ev->number == AK_SYS_RECV)
        snprintf(buf, n, "recv slot %lu%s", (unsigned long)ev->arg, tls);
    else if (ev->number == AK_SYS_REPLY_RECV)
        snprintf(buf, n, "reply_recv slot %lu len %lu%s, verdict %lu%s", (unsigned long)ev->arg,
                 (unsigned long)ev->len, ev->junk ? ", reserved bits set" : "",
                 (unsigned long)ev->verdict, tls);
    else
        snprintf(buf, n, "%s slot %lu len %lu%s%s", ev->number == AK_SYS_CALL ? "call" : "send",
                 (unsigned long)ev->arg,
                 (unsigned long)ev->len, ev->junk ? ", reserved bits set" : "", tls);
}

_Noreturn void world_fail(const world_t *w, const char *fmt, ...)
{
    char msg[1024], ev[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (w->step == 0) {
        fail_msg("world %lu (seed 0x%lx) at its start: %s", w->id, (unsigned long)w->seed, msg);
        abort();
    }
    event_name(&w->ev, ev, sizeof ev);
    fail_msg("world %lu (seed 0x%lx) step %lu, pid %d: %s: %s", w->id, (unsigned long)w->seed,
             w->step, w->actor + 1, ev, msg);
    abort();
}

/* ---- building ------------------------------------------------------------ */

void world_init(world_t *w, unsigned nprocs, unsigned neps, uint64_t seed)
{
    assert_true(nprocs >= 1 && nprocs <= W_PROCS);
    assert_true(neps <= W_EPS);
    proc_root = NULL;
    memset(procs, 0, sizeof procs);
    memset(endpoints, 0, sizeof endpoints);
    memset(ipcbufs, 0, sizeof ipcbufs);
    sched_host_reset();
    host_reset();
    w->nprocs = nprocs;
    w->neps = neps;
    w->seed = seed;
    w->rng = seed;
    if (!w->next_tag)
        w->next_tag = TAG_FIRST;
    w->id++;
    w->step = 0;
    w->halted = false;
    w->actor = -1;
    memset(&w->ev, 0, sizeof w->ev);
    memset(w->m, 0, sizeof w->m);
    for (unsigned e = 0; e < ENDPOINT_MAX; e++) {
        endpoints[e].id = e;
        endpoints[e].refs = 0;
    }
    for (unsigned i = 0; i < nprocs; i++) {
        proc_t *p = &procs[i];
        thread_t *t = &p->thread;
        p->pid = i + 1;
        snprintf(p->name, sizeof p->name, "p%u", i + 1);
        p->vs.live = true;
        p->vs.asid = i + 1;
        p->vs.ttbr = ((uint64_t)(i + 1) << 48) | (UINT64_C(0x40000000) + (i + 1) * PAGE_SIZE);
        cap_table_init(&p->caps);
        t->proc = p;
        t->prio = PRIO_BASE;
        t->ipcbuf = &ipcbufs[i];
        for (unsigned r = 0; r < 31; r++)
            t->regs.x[r] = rnd(w);
        t->regs.sp_el0 = rnd(w);
        t->regs.elr = 0x400000 + 4 * below(w, 0x10000);
        t->regs.spsr = 0;
        t->tls = w->m[i].tls = rnd(w) | 1;
        for (unsigned j = 0; j < AK_MSG_MAX_WORDS; j++)
            ipcbufs[i].words[j] = rnd(w);
    }
}

void world_grant(world_t *w, unsigned i, unsigned slot, unsigned ep, uint8_t rights, uint64_t badge)
{
    assert_true(i < w->nprocs && ep < w->neps);
    assert_int_equal(cap_insert(&procs[i].caps, slot, AK_CAP_ENDPOINT, rights, ep, badge, &endpoints[ep]), 0);
}

int world_current(void)
{
    return current ? (int)current->proc->pid - 1 : -1;
}

/* Counts each endpoint's references, as the kernel's boot does: capabilities and pagers. */
static void count_refs(const world_t *w)
{
    for (unsigned i = 0; i < w->nprocs; i++) {
        for (unsigned s = 0; s < AK_CAP_SLOTS; s++)
            if (procs[i].caps.slot[s].kind == AK_CAP_ENDPOINT)
                ((endpoint_t *)procs[i].caps.slot[s].object)->refs++;
            else if (procs[i].caps.slot[s].kind == AK_CAP_PHYSMEM)
                ((physmem_t *)procs[i].caps.slot[s].object)->refs++;
        if (procs[i].thread.pager)
            procs[i].thread.pager->refs++;
    }
}

void world_start(world_t *w)
{
    some_memory.refs = 0;
    count_refs(w);
    for (unsigned i = 0; i < w->nprocs; i++)
        if (procs[i].thread.pager)
            w->m[i].kmsg = KMSG_START;
    for (unsigned i = 0; i < w->nprocs; i++)
        proc_start(&procs[i]);
    host_halt_armed = true;
    if (setjmp(host_halt_env) == 0) {
        sched_return();
        host_halt_armed = false;
    } else {
        w->halted = true;
    }
    check_invariants(w);
    if (w->halted) {
        check_halt(w);
        w->stats.halts++;
    }
}

void world_random(world_t *w, uint64_t seed)
{
    uint64_t r = splitmix(seed);
    unsigned nprocs = 2 + (unsigned)(r % (W_PROCS - 1));
    unsigned neps = 1 + (unsigned)((r >> 8) % W_EPS);
    world_init(w, nprocs, neps, seed);
    w->stats.worlds++;
    /* Half the worlds have a root task, whose end ends the system. */
    proc_root = (splitmix(seed ^ UINT64_C(0x5EED)) & 1) ? &procs[0] : NULL;
    for (unsigned i = 0; i < nprocs; i++) {
        proc_t *p = &procs[i];
        p->thread.prio = (uint8_t)(PRIO_BASE + 10 * below(w, 3));
        (void)below(w, 3);
        (void)below(w, 2);
        for (unsigned s = 0; s < W_SLOTS; s++) {
            static const uint8_t rights[] = { AK_RIGHT_SEND, AK_RIGHT_RECV, AK_RIGHT_SEND | AK_RIGHT_RECV,
                                              AK_RIGHT_SEND | AK_RIGHT_RECV, 0 };
            unsigned kind = (unsigned)below(w, 20);
            if (kind < 3)
                continue;
            if (kind == 3) {
                assert_int_equal(cap_insert(&p->caps, s, AK_CAP_PHYSMEM, AK_RIGHT_WRITE, 0, 0, &some_memory), 0);
                continue;
            }
            uint64_t badge = below(w, 4) ? below(w, 8) : AK_BADGE_MAX - below(w, 16);
            world_grant(w, i, s, (unsigned)below(w, neps), rights[below(w, sizeof rights)], badge);
        }
        p->thread.pager = below(w, 5) < 2 ? &endpoints[below(w, neps)] : NULL;
    }
    world_start(w);
}

/* ---- events -------------------------------------------------------------- */

static event_t ev_ipc(uint64_t number, uint64_t slot, uint64_t len)
{
    return (event_t){ .kind = EV_SYSCALL, .number = number, .arg = slot, .len = len };
}

event_t ev_call(uint64_t slot, uint64_t len) { return ev_ipc(AK_SYS_CALL, slot, len); }
event_t ev_send(uint64_t slot, uint64_t len) { return ev_ipc(AK_SYS_SEND, slot, len); }
event_t ev_recv(uint64_t slot) { return ev_ipc(AK_SYS_RECV, slot, 0); }
event_t ev_yield(void) { return ev_ipc(AK_SYS_YIELD, 0, 0); }
event_t ev_exit(int64_t status) { return ev_ipc(AK_SYS_EXIT, (uint64_t)status, 0); }
event_t ev_tick(void) { return (event_t){ .kind = EV_TICK }; }

event_t ev_reply_recv(uint64_t slot, uint64_t len, uint64_t verdict)
{
    event_t ev = ev_ipc(AK_SYS_REPLY_RECV, slot, len);
    ev.verdict = verdict;
    return ev;
}

event_t ev_fault(uint64_t far, uint64_t esr, uint64_t access)
{
    return (event_t){ .kind = EV_FAULT, .far = far, .esr = esr, .access = access };
}

/* A system call likely to rendezvous, from what current's capabilities reach; false if none. */
static bool pick_progress(world_t *w, const thread_t *t, event_t *ev)
{
    event_t cand[2 * W_SLOTS + 1];
    unsigned n = 0;
    if (t->caller)
        for (unsigned s = 0; s < W_SLOTS; s++) {
            const cap_t *c = &t->proc->caps.slot[s];
            if (c->kind == AK_CAP_ENDPOINT && (c->rights & AK_RIGHT_RECV)) {
                cand[n++] = ev_reply_recv(s, 0, 0);
                break;
            }
        }
    for (unsigned s = 0; s < W_SLOTS; s++) {
        const cap_t *c = &t->proc->caps.slot[s];
        const thread_t *h = c->kind == AK_CAP_ENDPOINT ? ((endpoint_t *)c->object)->queue.head : NULL;
        if (h && h->state == T_BLOCKED_RECV && (c->rights & AK_RIGHT_SEND))
            cand[n++] = below(w, 4) ? ev_call(s, 0) : ev_send(s, 0);
        if (h && h->state == T_BLOCKED_SEND && (c->rights & AK_RIGHT_RECV))
            cand[n++] = t->caller || below(w, 2) ? ev_reply_recv(s, 0, 0) : ev_recv(s);
    }
    if (!n)
        return false;
    *ev = cand[below(w, n)];
    return true;
}

/* A slot: mostly one the world fills, sometimes an empty one or one out of range. */
static uint64_t pick_slot(world_t *w)
{
    switch (below(w, 10)) {
    case 0: return AK_CAP_SLOTS + below(w, 4);
    case 1: return rnd(w);
    case 2: return W_SLOTS + below(w, AK_CAP_SLOTS - W_SLOTS);
    default: return below(w, W_SLOTS);
    }
}

void world_pick(world_t *w, event_t *ev)
{
    static const uint64_t numbers[] = { AK_SYS_CALL, AK_SYS_CALL, AK_SYS_REPLY_RECV, AK_SYS_REPLY_RECV,
                                        AK_SYS_SEND, AK_SYS_RECV, AK_SYS_RECV, AK_SYS_YIELD };
    const thread_t *t = current;
    unsigned r = (unsigned)below(w, 1000);
    if (r < 60) {
        *ev = ev_tick();
        return;
    }
    if (r < 72) {
        static const uint64_t ecs[] = { EC_DABT_LOWER, EC_DABT_LOWER, EC_IABT_LOWER, EC_UNKNOWN };
        uint64_t ec = ecs[below(w, 4)], write = below(w, 2);
        uint64_t access = ec == EC_DABT_LOWER ? (write ? AK_ACCESS_WRITE : AK_ACCESS_READ)
                          : ec == EC_IABT_LOWER ? AK_ACCESS_EXEC : 0;
        uint64_t esr = (ec << ESR_EC_SHIFT) | ESR_IL | (write && ec == EC_DABT_LOWER ? ESR_ISS_WNR : 0) |
                       below(w, 0x40);
        *ev = ev_fault(rnd(w) & 0xffffffffffffull, esr, access);
        return;
    }
    if (r < 75) {
        *ev = ev_exit(below(w, 4) ? (int64_t)below(w, 3) - 1 : (int64_t)rnd(w));
        return;
    }
    if (below(w, 3) == 0 || !pick_progress(w, t, ev))
        *ev = ev_ipc(numbers[below(w, sizeof numbers / sizeof numbers[0])], pick_slot(w), 0);
    switch (below(w, 16)) {
    case 11: case 12: case 13: ev->len = AK_MSG_REG_WORDS + 1 + below(w, AK_MSG_MAX_WORDS - AK_MSG_REG_WORDS); break;
    case 14: ev->len = AK_MSG_MAX_WORDS + 1 + below(w, AK_MSGINFO_LEN_MASK - AK_MSG_MAX_WORDS); break;
    case 15: ev->len = below(w, 5); ev->junk = AK_MSGINFO_ZERO_MASK & (rnd(w) | 0x80); break;
    default: ev->len = below(w, AK_MSG_REG_WORDS + 1); break;
    }
    ev->verdict = below(w, 4) ? 0 : 1 + below(w, 8);
    if (below(w, 8) == 0) {
        ev->set_tls = true;
        ev->tls = rnd(w) | 1;
    }
}

/* ---- stepping ------------------------------------------------------------ */

/* The user code of t traps with ev: its registers and IPC buffer as the harness's message. */
static void load_syscall(world_t *w, thread_t *t, const event_t *ev)
{
    uint64_t tag = w->next_tag++;
    uint64_t label = tag;
    if (ev->number == AK_SYS_REPLY_RECV && t->caller && t->caller->kmsg != KMSG_NONE)
        label = ev->verdict;
    t->regs.x[0] = ev->arg;
    t->regs.x[1] = ak_msginfo(label, ev->len) | ev->junk;
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        t->regs.x[2 + i] = world_word(tag, i);
    t->regs.x[7] = ev->number;
    if (ev->number == AK_SYS_CALL || ev->number == AK_SYS_SEND || ev->number == AK_SYS_REPLY_RECV)
        for (unsigned i = AK_MSG_REG_WORDS; i < AK_MSG_MAX_WORDS; i++)
            t->ipcbuf->words[i] = world_word(tag, i);
}

/* The IPC part of syscall_dispatch (no address-space capability exists in a world). */
static void dispatch(thread_t *t, uint64_t number)
{
    uint64_t slot = t->regs.x[0];
    switch (number) {
    case AK_SYS_CALL: ipc_call(slot); break;
    case AK_SYS_REPLY_RECV: ipc_reply_recv(slot); break;
    case AK_SYS_SEND: ipc_send(slot); break;
    case AK_SYS_RECV: ipc_recv(slot); break;
    case AK_SYS_YIELD:
        sched_yield();
        t->regs.x[0] = 0;
        break;
    case AK_SYS_EXIT: proc_exit(t, (int64_t)t->regs.x[0]); break;
    default: fail_msg("no such system call %lu in a world", (unsigned long)number);
    }
}

/* Everything the kernel may change in a world. */
typedef struct snapshot {
    proc_t procs[W_PROCS];
    endpoint_t endpoints[W_EPS];
    ak_ipcbuf_t ipcbufs[W_PROCS];
    sched_host_state_t sched;
    uint64_t ttbr0, tpidr_el0;
    unsigned destroyed[W_PROCS];
} snapshot_t;

static snapshot_t before, fast, slow;
static bool in_slow_run;   /* MODE_DIFF: the slow path is redoing what the fastpath did */

static void snap_save(const world_t *w, snapshot_t *s)
{
    memcpy(s->procs, procs, w->nprocs * sizeof procs[0]);
    memcpy(s->endpoints, endpoints, w->neps * sizeof endpoints[0]);
    memcpy(s->ipcbufs, ipcbufs, w->nprocs * sizeof ipcbufs[0]);
    sched_host_save(&s->sched);
    s->ttbr0 = host_ttbr0;
    s->tpidr_el0 = host_tpidr_el0;
    memcpy(s->destroyed, host_vspace_destroyed, w->nprocs * sizeof s->destroyed[0]);
}

static void snap_restore(const world_t *w, const snapshot_t *s)
{
    memcpy(procs, s->procs, w->nprocs * sizeof procs[0]);
    memcpy(endpoints, s->endpoints, w->neps * sizeof endpoints[0]);
    memcpy(ipcbufs, s->ipcbufs, w->nprocs * sizeof ipcbufs[0]);
    sched_host_restore(&s->sched);
    host_ttbr0 = s->ttbr0;
    host_tpidr_el0 = s->tpidr_el0;
    memcpy(host_vspace_destroyed, s->destroyed, w->nprocs * sizeof s->destroyed[0]);
}

/*
 * Snapshots are byte copies of the kernel's objects, padding included, so
 * comparing their bytes is exact (hence the NOLINTs for padded structs).
 */
static bool snap_equal(const world_t *w, const snapshot_t *a, const snapshot_t *b)
{
    return memcmp(a->procs, b->procs, w->nprocs * sizeof a->procs[0]) == 0 &&
           memcmp(a->endpoints, b->endpoints, w->neps * sizeof a->endpoints[0]) == 0 &&
           memcmp(a->ipcbufs, b->ipcbufs, w->nprocs * sizeof a->ipcbufs[0]) == 0 &&
           // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
           memcmp(&a->sched, &b->sched, sizeof a->sched) == 0 &&
           a->ttbr0 == b->ttbr0 &&
           a->tpidr_el0 == b->tpidr_el0 &&
           memcmp(a->destroyed, b->destroyed, w->nprocs * sizeof a->destroyed[0]) == 0;
}

/* Describes the first difference between a and b (NULL if none) into buf. */
static const char *snap_diff(const world_t *w, const snapshot_t *a, const snapshot_t *b, char *buf, size_t n)
{
#define DIFF(cond, ...) do { if (cond) { snprintf(buf, n, __VA_ARGS__); return buf; } } while (0)
    const sched_host_state_t *sa = &a->sched, *sb = &b->sched;
    if (snap_equal(w, a, b))
        return NULL;
    DIFF(sa->current != sb->current, "current is pid %d, not pid %d",
         sa->current ? (int)sa->current->proc->pid : 0, sb->current ? (int)sb->current->proc->pid : 0);
    DIFF(a->tpidr_el0 != b->tpidr_el0, "TPIDR_EL0 is 0x%lx, not 0x%lx", (unsigned long)a->tpidr_el0,
         (unsigned long)b->tpidr_el0);
    DIFF(a->ttbr0 != b->ttbr0 || sa->active_proc != sb->active_proc, "TTBR0 is 0x%lx, not 0x%lx",
         (unsigned long)a->ttbr0, (unsigned long)b->ttbr0);
    DIFF(sa->rq.resched != sb->rq.resched, "resched is %d, not %d", sa->rq.resched, sb->rq.resched);
    for (unsigned i = 0; i < w->nprocs; i++) {
        const thread_t *ta = &a->procs[i].thread, *tb = &b->procs[i].thread;
        int pid = (int)i + 1;
        DIFF(ta->state != tb->state, "pid %d is state %d, not %d", pid, ta->state, tb->state);
        for (unsigned r = 0; r < 31; r++)
            DIFF(ta->regs.x[r] != tb->regs.x[r], "pid %d's x%u is 0x%lx, not 0x%lx", pid, r,
                 (unsigned long)ta->regs.x[r], (unsigned long)tb->regs.x[r]);
        DIFF(ta->caller != tb->caller, "pid %d's caller differs", pid);
        DIFF(ta->next != tb->next || ta->prev != tb->prev, "pid %d's queue links differ", pid);
        DIFF(ta->blocked_on != tb->blocked_on, "pid %d's blocked_on differs", pid);
        DIFF(ta->tls != tb->tls, "pid %d's saved thread pointer is 0x%lx, not 0x%lx", pid,
             (unsigned long)ta->tls, (unsigned long)tb->tls);
        DIFF(ta->slice != tb->slice, "pid %d's slice is %u, not %u", pid, ta->slice, tb->slice);
        DIFF(ta->eff_prio != tb->eff_prio || ta->inherit != tb->inherit,
             "pid %d runs at priority %u (inherited %u), not %u (%u)", pid, ta->eff_prio, ta->inherit,
             tb->eff_prio, tb->inherit);
        DIFF(ta->kmsg != tb->kmsg, "pid %d's kernel message differs", pid);
        // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
        DIFF(memcmp(&a->procs[i], &b->procs[i], sizeof a->procs[i]) != 0,
             "pid %d's process differs", pid);
        DIFF(memcmp(&a->ipcbufs[i], &b->ipcbufs[i], sizeof a->ipcbufs[i]) != 0,
             "pid %d's IPC buffer differs", pid);
    }
    for (unsigned e = 0; e < w->neps; e++)
        // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
        DIFF(memcmp(&a->endpoints[e], &b->endpoints[e], sizeof a->endpoints[e]) != 0,
             "endpoint %u's queue differs", e);
    for (unsigned p = 0; p < PRIO_LEVELS; p++)
        DIFF(memcmp(&sa->rq.q[p], &sb->rq.q[p], sizeof sa->rq.q[p]) != 0, "run queue %u differs", p);
    DIFF(memcmp(sa->rq.ready, sb->rq.ready, sizeof sa->rq.ready) != 0 ||
         sa->rq.ready_words != sb->rq.ready_words || sa->rq.top != sb->rq.top,
         "the ready bitmap differs");
    DIFF(memcmp(a->destroyed, b->destroyed, w->nprocs * sizeof a->destroyed[0]) != 0,
         "address spaces destroyed differ");
#undef DIFF
    snprintf(buf, n, "the scheduler's state differs");
    return buf;
}

/* MODE_DIFF for call and reply_recv: the fastpath against the slow path from the same state. */
static void differential(world_t *w, thread_t *t, uint64_t number)
{
    char why[200];
    snap_save(w, &before);
    thread_t *next = ipc_fastpath(t, number);
    snap_save(w, &fast);
    if (!next) {
        if (snap_diff(w, &fast, &before, why, sizeof why))
            world_fail(w, "the fastpath declined but changed the state: %s", why);
        dispatch(t, number);
        sched_return();
        return;
    }
    if (next != current)
        world_fail(w, "the fastpath returned a thread that is not current");
    w->stats.fast_calls += number == AK_SYS_CALL;
    w->stats.fast_replies += number == AK_SYS_REPLY_RECV;
    snap_restore(w, &before);
    in_slow_run = true;
    dispatch(t, number);
    sched_return();
    in_slow_run = false;
    snap_save(w, &slow);
    if (snap_diff(w, &fast, &slow, why, sizeof why))
        world_fail(w, "the fastpath and the slow path disagree: after the fastpath %s", why);
    w->stats.compared++;
}

/* What entry.S and the trap handlers (el0.c) do with ev. */
static void run(world_t *w, thread_t *t, const event_t *ev, step_mode_t mode)
{
    switch (ev->kind) {
    case EV_TICK:
        sched_tick();
        sched_return();
        return;
    case EV_FAULT:
        proc_fault(t, ev->far, ev->esr, t->regs.elr, ev->access);
        sched_return();
        return;
    case EV_SYSCALL:
        break;
    }
    if (ev->number == AK_SYS_CALL || ev->number == AK_SYS_REPLY_RECV) {
        if (mode == MODE_DIFF) {
            differential(w, t, ev->number);
            return;
        }
        if (mode == MODE_ENTRY && ipc_fastpath(t, ev->number)) {
            w->stats.fast_calls += ev->number == AK_SYS_CALL;
            w->stats.fast_replies += ev->number == AK_SYS_REPLY_RECV;
            return;
        }
    }
    dispatch(t, ev->number);
    sched_return();
}

bool world_step(world_t *w, const event_t *ev, step_mode_t mode)
{
    static pre_t pre;
    static expect_t x;
    thread_t *t = current;
    w->ev = *ev;
    w->actor = world_current();
    w->step++;
    w->stats.steps++;
    if (w->halted || !t)
        world_fail(w, "the system has halted: no thread to act");
    if (ev->set_tls) {
        host_tpidr_el0 = ev->tls;
        w->m[w->actor].tls = ev->tls;
    }
    if (ev->kind == EV_SYSCALL)
        load_syscall(w, t, ev);
    check_capture(w, &pre);
    check_predict(w, &pre, ev, &x);

    host_halt_armed = true;
    if (setjmp(host_halt_env) == 0) {
        run(w, t, ev, mode);
        host_halt_armed = false;
    } else {
        w->halted = true;
        if (in_slow_run)
            world_fail(w, "the fastpath took the call, but the slow path halted the system");
    }
    check_step(w, &pre, &x, ev);
    if (w->halted) {
        check_halt(w);
        w->stats.halts++;
        w->stats.halts_ok += host_halt_status == HALT_OK;
    }
    return w->halted;
}
