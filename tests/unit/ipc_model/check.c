/*
 * The checks of the ipc_model suite (see check.h).
 *
 * Invariants of the kernel's objects, after every step (check_invariants):
 *  - sched_check(); the run queues have no cycle;
 *  - each endpoint queue is well linked (prev links, tail, no cycle) and
 *    holds only BLOCKED_SEND or only BLOCKED_RECV threads, each with
 *    blocked_on pointing at it; endpoints outside the world stay empty;
 *  - a thread is on at most one queue, with NULL links when on none;
 *    BLOCKED_SEND or BLOCKED_RECV iff on an endpoint queue; RUNNABLE iff
 *    on a run queue or current; current is RUNNABLE, and no thread on a
 *    run queue has a higher priority;
 *  - DEAD iff its process is ENDED; its address space destroyed exactly
 *    once iff ENDED; TTBR0 holds current's table; TPIDR_EL0 holds
 *    current's thread pointer and every other thread keeps its own;
 *  - a kernel message is in flight only while BLOCKED_SEND (on the
 *    pager's queue, badge pid|AK_PAGER_BADGE_BIT) or BLOCKED_REPLY, and
 *    EXIT iff the process is EXITING;
 *  - every `caller` is a BLOCKED_REPLY thread of the world, no two threads
 *    share one, and every BLOCKED_REPLY thread is some thread's caller (a
 *    server cannot take a call while it holds one: recv is refused);
 *  - the capability tables are well formed (cap_table_check; when a world
 *    starts and when it halts, since nothing under test writes them).
 *
 * Effects of a step, against the model's prediction (check_step): the
 * registers and IPC buffer of every thread change only by a delivery the
 * model accounts for.  A received message holds the badge of the sender's
 * capability, its info and its words, and the receiver's own registers
 * and buffer words beyond its length; a kernel message has badge
 * pid|AK_PAGER_BADGE_BIT and the words of the event that caused it; each
 * message is received once, on the endpoint it was sent to, and a call
 * links its receiver to its sender.  A refused system call changes x0
 * only.  No thread changes state without a cause; processes stop, and
 * become ENDED, exactly when the model says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>
#include <ukernel/halt.h>
#include <ukernel/process.h>
#include <ukernel/sched.h>

#include "check.h"
#include "kernel_host.h"
#include "sched_host.h"

static const char *state_name(thread_state_t s)
{
    switch (s) {
    case T_INACTIVE: return "INACTIVE";
    case T_RUNNABLE: return "RUNNABLE";
    case T_BLOCKED_SEND: return "BLOCKED_SEND";
    case T_BLOCKED_RECV: return "BLOCKED_RECV";
    case T_BLOCKED_REPLY: return "BLOCKED_REPLY";
    case T_BLOCKED_NOTIF: return "BLOCKED_NOTIF";
    case T_SLEEPING: return "SLEEPING";
    case T_DEAD: return "DEAD";
    }
    return "?";
}

static const char *kmsg_name(kmsg_kind_t k)
{
    switch (k) {
    case KMSG_NONE: return "none";
    case KMSG_START: return "START";
    case KMSG_FAULT: return "FAULT";
    case KMSG_EXIT: return "EXIT";
    }
    return "?";
}

/* Index of t in the world, or -1 if it is not one of its threads. */
static int check_index(const world_t *w, const thread_t *t)
{
    for (unsigned i = 0; i < w->nprocs; i++)
        if (t == &procs[i].thread)
            return (int)i;
    return -1;
}

/* "pid N", "none" or "a stranger" for a thread pointer; buf holds at least 16 bytes. */
static const char *who(const world_t *w, const thread_t *t, char *buf)
{
    int i = t ? check_index(w, t) : -1;
    if (!t)
        return "none";
    if (i < 0)
        return "a stranger";
    snprintf(buf, 16, "pid %d", i + 1);
    return buf;
}

/* "endpoint N" or "none" for an endpoint pointer; buf holds at least 16 bytes. */
static const char *ep_name(const endpoint_t *ep, char *buf)
{
    if (!ep)
        return "none";
    snprintf(buf, 16, "endpoint %ld", (long)(ep - endpoints));
    return buf;
}

/* ---- invariants ---------------------------------------------------------- */

/* Checks endpoint e's queue and counts each thread on it in on[]. */
static void check_endpoint(const world_t *w, unsigned e, unsigned on[])
{
    const endpoint_t *ep = &endpoints[e];
    const thread_t *prev = NULL;
    thread_state_t kind = T_INACTIVE;
    unsigned n = 0;
    char b[16];
    if (e >= w->neps && (ep->queue.head || ep->queue.tail))
        world_fail(w, "endpoint %u, outside the world, has a queue", e);
    for (const thread_t *t = ep->queue.head; t; prev = t, t = t->next) {
        int i = check_index(w, t);
        if (i < 0)
            world_fail(w, "endpoint %u's queue holds a thread outside the world", e);
        if (++n > w->nprocs)
            world_fail(w, "endpoint %u's queue has a cycle", e);
        if (t->prev != prev)
            world_fail(w, "endpoint %u: pid %d's prev link is wrong", e, i + 1);
        if (t->state != T_BLOCKED_SEND && t->state != T_BLOCKED_RECV)
            world_fail(w, "endpoint %u holds pid %d, which is %s", e, i + 1, state_name(t->state));
        if (kind != T_INACTIVE && t->state != kind)
            world_fail(w, "endpoint %u holds senders and receivers (pid %d is %s)", e, i + 1,
                       state_name(t->state));
        kind = t->state;
        if (t->blocked_on != ep)
            world_fail(w, "pid %d is on endpoint %u's queue, but blocked_on is %s", i + 1, e,
                       ep_name(t->blocked_on, b));
        on[i]++;
    }
    if (ep->queue.tail != prev)
        world_fail(w, "endpoint %u's tail is not its last thread", e);
}

/*
 * Counts each thread on a run queue in on[].  After sched_check(), the
 * ready bitmap names every queue that is not empty, and no queue has a
 * cycle (a cycle breaks some prev link).
 */
static void count_runnable(const world_t *w, unsigned on[])
{
    for (int p = sched_highest_ready(); p >= 0; p--) {
        unsigned n = 0;
        if (!((sched_rq.ready[p / 64] >> (p % 64)) & 1))
            continue;
        for (const thread_t *t = sched_host_runq(p)->head; t; t = t->next) {
            int i = check_index(w, t);
            if (i < 0)
                world_fail(w, "run queue %d holds a thread outside the world", p);
            if (++n > w->nprocs)
                world_fail(w, "run queue %d has a cycle", p);
            on[i]++;
        }
    }
}

/* A thread's state against the queues it is on and its process. */
static void check_thread(const world_t *w, unsigned i, unsigned on_ep, unsigned on_run)
{
    const proc_t *p = &procs[i];
    const thread_t *t = &p->thread;
    int pid = (int)i + 1;
    bool waits = t->state == T_BLOCKED_SEND || t->state == T_BLOCKED_RECV;
    if (on_ep + on_run > 1)
        world_fail(w, "pid %d is on %u queues", pid, on_ep + on_run);
    if (waits != (on_ep == 1))
        world_fail(w, "pid %d is %s but on %u endpoint queues", pid, state_name(t->state), on_ep);
    if (!waits && t->blocked_on)
        world_fail(w, "pid %d is %s but blocked_on is set", pid, state_name(t->state));
    if (on_ep + on_run == 0 && (t->next || t->prev))
        world_fail(w, "pid %d is on no queue but keeps queue links", pid);
    if ((t->state == T_RUNNABLE) != (on_run == 1 || t == current))
        world_fail(w, "pid %d is %s, %s a run queue%s", pid, state_name(t->state),
                   on_run ? "on" : "not on", t == current ? ", and current" : "");
    if ((t->state == T_DEAD) != (p->state == P_ENDED))
        world_fail(w, "pid %d's thread is %s but its process is %s", pid, state_name(t->state),
                   p->state == P_ENDED ? "ENDED" : "not ENDED");
    if (p->state == P_FREE)
        world_fail(w, "pid %d's process is FREE", pid);
    if (t->kmsg != KMSG_NONE && t->state != T_BLOCKED_SEND && t->state != T_BLOCKED_REPLY)
        world_fail(w, "pid %d has kernel message %s in flight but is %s", pid, kmsg_name(t->kmsg),
                   state_name(t->state));
    if ((t->kmsg == KMSG_EXIT) != (p->state == P_EXITING))
        world_fail(w, "pid %d: kernel message %s, process %s", pid, kmsg_name(t->kmsg),
                   p->state == P_EXITING ? "EXITING" : "not EXITING");
    if (t->kmsg != KMSG_NONE && t->state == T_BLOCKED_SEND) {
        if (t->send_badge != (p->pid | AK_PAGER_BADGE_BIT))
            world_fail(w, "pid %d sends its %s with badge 0x%lx", pid, kmsg_name(t->kmsg),
                       (unsigned long)t->send_badge);
        if (t->blocked_on != t->pager)
            world_fail(w, "pid %d's %s waits on an endpoint other than its pager", pid,
                       kmsg_name(t->kmsg));
    }
    if ((host_vspace_destroyed[i] != 0) != (p->state == P_ENDED) || host_vspace_destroyed[i] > 1)
        world_fail(w, "pid %d's address space was destroyed %u times; its process is %s", pid,
                   host_vspace_destroyed[i], p->state == P_ENDED ? "ENDED" : "not ENDED");
    if (p->vs.live != (p->state != P_ENDED))
        world_fail(w, "pid %d's address space is %s", pid, p->vs.live ? "live" : "dead");
    if (p->state == P_ENDED && sched_active_proc == p)
        world_fail(w, "TTBR0 still holds the address space of pid %d, which ended", pid);
}

/* Nothing under test writes a capability table: checked when a world starts and halts. */
static void check_caps(const world_t *w)
{
    for (unsigned i = 0; i < w->nprocs; i++)
        if (!cap_table_check(&procs[i].caps))
            world_fail(w, "pid %u's capability table is broken", i + 1);
}

/* Every caller link, and every thread waiting for a reply. */
static void check_callers(const world_t *w)
{
    unsigned callers_of[W_PROCS] = { 0 };
    char b[16];
    for (unsigned i = 0; i < w->nprocs; i++) {
        const thread_t *k = procs[i].thread.caller;
        if (!k)
            continue;
        int ki = check_index(w, k);
        if (ki < 0 || ki == (int)i)
            world_fail(w, "pid %u's caller is %s", i + 1, ki < 0 ? who(w, k, b) : "itself");
        if (k->state != T_BLOCKED_REPLY)
            world_fail(w, "pid %u's caller pid %d is %s", i + 1, ki + 1, state_name(k->state));
        if (++callers_of[ki] > 1)
            world_fail(w, "pid %d is the caller of two threads", ki + 1);
    }
    for (unsigned i = 0; i < w->nprocs; i++)
        if (procs[i].thread.state == T_BLOCKED_REPLY && callers_of[i] == 0)
            world_fail(w, "pid %u waits for a reply, but no thread holds it as its caller", i + 1);
}

/* Everything but the caller links (check_callers). */
static void check_objects(const world_t *w)
{
    unsigned on_ep[W_PROCS] = { 0 }, on_run[W_PROCS] = { 0 };
    for (unsigned e = 0; e < ENDPOINT_MAX; e++)
        check_endpoint(w, e, on_ep);
    if (!sched_check())
        world_fail(w, "sched_check() failed: run queues, states or ready bitmap");
    count_runnable(w, on_run);
    for (unsigned i = 0; i < w->nprocs; i++)
        check_thread(w, i, on_ep[i], on_run[i]);
    for (unsigned i = w->nprocs; i < PROC_MAX; i++)
        if (procs[i].state != P_FREE)
            world_fail(w, "procs[%u], outside the world, is in use", i);
    if (w->halted)
        return; /* no current thread: TTBR0 and TPIDR_EL0 are no one's */

    int c = current ? check_index(w, current) : -1;
    if (c < 0)
        world_fail(w, "no thread of the world is current");
    if (sched_highest_ready() > (int)current->eff_prio)
        world_fail(w, "pid %d runs at priority %u while a thread of priority %d waits to run", c + 1,
                   current->eff_prio, sched_highest_ready());
    if (sched_active_proc != current->proc || host_ttbr0 != current->proc->vs.ttbr)
        world_fail(w, "pid %d runs, but TTBR0 holds 0x%lx (the active process is %s)", c + 1,
                   (unsigned long)host_ttbr0,
                   sched_active_proc ? sched_active_proc->name : "none");
    for (unsigned i = 0; i < w->nprocs; i++) {
        if ((int)i == c) {
            if (host_tpidr_el0 != w->m[i].tls)
                world_fail(w, "pid %d runs with TPIDR_EL0 = 0x%lx, not its own 0x%lx", c + 1,
                           (unsigned long)host_tpidr_el0, (unsigned long)w->m[i].tls);
        } else if (procs[i].thread.tls != w->m[i].tls) {
            world_fail(w, "pid %u's saved thread pointer is 0x%lx, not its own 0x%lx", i + 1,
                       (unsigned long)procs[i].thread.tls, (unsigned long)w->m[i].tls);
        }
    }
}

void check_invariants(const world_t *w)
{
    check_objects(w);
    check_callers(w);
    check_caps(w);
}

/* ---- prediction ---------------------------------------------------------- */

void check_capture(const world_t *w, pre_t *pre)
{
    pre->cur = current ? check_index(w, current) : -1;
    for (unsigned i = 0; i < w->nprocs; i++) {
        const thread_t *t = &procs[i].thread;
        pre->regs[i] = t->regs;
        pre->buf[i] = *t->ipcbuf;
        pre->state[i] = t->state;
        pre->caller[i] = t->caller;
        pre->blocked_on[i] = t->blocked_on;
        pre->kmsg[i] = t->kmsg;
        pre->pstate[i] = procs[i].state;
    }
}

/* README, "System calls": the info word is checked before the slot. */
static int info_error(uint64_t info)
{
    if ((info & AK_MSGINFO_LEN_MASK) > AK_MSG_MAX_WORDS)
        return -AK_EMSGSIZE;
    if (info & AK_MSGINFO_ZERO_MASK)
        return -AK_EINVAL;
    return 0;
}

/* README, "Capabilities": a slot holding a capability, of the right kind, with the right. */
static const cap_t *slot_lookup(const cap_table_t *caps, uint64_t slot, uint8_t right, int *err)
{
    if (slot >= AK_CAP_SLOTS || caps->slot[slot].kind == AK_CAP_NONE) {
        *err = -AK_EBADF;
        return NULL;
    }
    const cap_t *cap = &caps->slot[slot];
    if (cap->kind != AK_CAP_ENDPOINT) {
        *err = -AK_ENOTSUP;
        return NULL;
    }
    if (!(cap->rights & right)) {
        *err = -AK_EPERM;
        return NULL;
    }
    return cap;
}

static void finish(world_t *w, expect_t *x, int i)
{
    x->finishes[i] = true;
    w->m[i].kmsg = KMSG_NONE;
    w->m[i].kmsg_received = false;
}

/*
 * Process i stops: its EXIT goes to its pager, or it is ENDED at once;
 * the caller it holds is answered AK_ESRCH, or, if that caller waits for
 * a kernel message's answer, killed (START, FAULT) or ENDED (EXIT).
 */
static void end(world_t *w, const pre_t *pre, expect_t *x, int i)
{
    if (x->ends[i])
        return;
    x->ends[i] = true;
    const thread_t *t = &procs[i].thread;
    w->m[i].kmsg = t->pager ? KMSG_EXIT : KMSG_NONE;
    w->m[i].kmsg_received = false;
    if (!t->pager)
        x->finishes[i] = true;
    if (!pre->caller[i])
        return;
    int k = check_index(w, pre->caller[i]);
    switch (pre->kmsg[k]) {
    case KMSG_NONE: x->esrch[k] = true; break;
    case KMSG_START:
    case KMSG_FAULT: end(w, pre, x, k); break;
    case KMSG_EXIT: finish(w, x, k); break;
    }
}

void check_predict(world_t *w, const pre_t *pre, const event_t *ev, expect_t *x)
{
    memset(x, 0, sizeof *x);
    x->replied = -1;
    int c = pre->cur;
    mthread_t *mc = &w->m[c];
    const proc_t *p = &procs[c];
    if (ev->kind == EV_TICK)
        return;
    if (ev->kind == EV_FAULT) {
        if (!p->thread.pager) {
            end(w, pre, x, c);
            return;
        }
        mc->kmsg = KMSG_FAULT;
        mc->kmsg_received = false;
        mc->fault[AK_FAULT_W_FAR] = ev->far;
        mc->fault[AK_FAULT_W_ESR] = ev->esr;
        mc->fault[AK_FAULT_W_ELR] = pre->regs[c].elr;
        mc->fault[AK_FAULT_W_ACCESS] = ev->access;
        return;
    }
    uint64_t info = pre->regs[c].x[1];
    switch (ev->number) {
    case AK_SYS_YIELD:
        return;
    case AK_SYS_EXIT:
        mc->exited = true;
        mc->exit_code = (int32_t)pre->regs[c].x[0];
        end(w, pre, x, c);
        return;
    default:
        break;
    }
    bool sending = ev->number == AK_SYS_CALL || ev->number == AK_SYS_SEND;
    int err = ev->number == AK_SYS_RECV ? 0 : info_error(info);
    const cap_t *cap = err ? NULL : slot_lookup(&p->caps, pre->regs[c].x[0],
                                                 sending ? AK_RIGHT_SEND : AK_RIGHT_RECV, &err);
    if (!cap) {
        x->refused = true;
        x->err = (uint64_t)(int64_t)err;
        return;
    }
    if (sending) {
        mc->out_tag = ak_msginfo_label(info);
        mc->out_info = info;
        mc->out_badge = cap->badge;
        mc->out_ep = cap->object;
        mc->out_is_call = ev->number == AK_SYS_CALL;
        return;
    }
    if (ev->number == AK_SYS_RECV && pre->caller[c]) {
        /* A caller is waiting for this thread's answer: recv is refused. */
        x->refused = true;
        x->err = (uint64_t)(int64_t)-AK_EBUSY;
        w->stats.busy++;
        return;
    }
    x->recv_ep = cap->object;
    if (ev->number != AK_SYS_REPLY_RECV)
        return;
    x->replying = true;
    if (!pre->caller[c])
        return;
    int k = check_index(w, pre->caller[c]);
    switch (pre->kmsg[k]) {
    case KMSG_NONE:
        x->replied = k;
        x->reply_info = info;
        break;
    case KMSG_START:
    case KMSG_FAULT:
        if (ak_msginfo_label(info) != 0) {
            end(w, pre, x, k);
        } else {
            x->resumes[k] = true;
            w->m[k].kmsg = KMSG_NONE;
            w->m[k].kmsg_received = false;
        }
        break;
    case KMSG_EXIT:
        finish(w, x, k);
        break;
    }
}

/* ---- verification -------------------------------------------------------- */

/* What delivering a message (badge, info, words from its tag) makes of a receiver's registers and buffer. */
static void expect_message(arch_regs_t *regs, ak_ipcbuf_t *buf, uint64_t badge, uint64_t info)
{
    uint64_t tag = ak_msginfo_label(info), len = ak_msginfo_len(info);
    regs->x[0] = badge;
    regs->x[1] = info;
    for (uint64_t j = 0; j < len && j < AK_MSG_REG_WORDS; j++)
        regs->x[2 + j] = world_word(tag, j);
    for (uint64_t j = AK_MSG_REG_WORDS; j < len; j++)
        buf->words[j] = world_word(tag, j);
}

/* The state of one step's check_step, shared by its parts. */
typedef struct outcome {
    arch_regs_t want[W_PROCS];
    ak_ipcbuf_t want_buf[W_PROCS];
    bool received[W_PROCS];   /* it received a message */
    bool taken[W_PROCS];      /* its send or call was received */
    bool was_call[W_PROCS];
    bool kmsg_taken[W_PROCS]; /* its kernel message was received */
} outcome_t;

/* Receiver i is no longer BLOCKED_RECV: identify what it received and expect exactly that. */
static void receive(world_t *w, const pre_t *pre, const expect_t *x, int i, outcome_t *o)
{
    const thread_t *t = &procs[i].thread;
    bool is_cur = i == pre->cur && x->recv_ep;
    const endpoint_t *ep = is_cur ? x->recv_ep : pre->blocked_on[i];
    const thread_t *old_caller = is_cur && x->replying ? NULL : pre->caller[i];
    uint64_t badge = t->regs.x[0];
    bool is_call;
    int s;
    char b1[16], b2[16];
    o->received[i] = true;
    if (badge & AK_PAGER_BADGE_BIT) {
        uint64_t pid = badge & ~AK_PAGER_BADGE_BIT;
        if (pid == 0 || pid > w->nprocs)
            world_fail(w, "pid %d received a kernel message with badge 0x%lx, which names no process",
                       i + 1, (unsigned long)badge);
        s = (int)pid - 1;
        mthread_t *ms = &w->m[s];
        if (ms->kmsg == KMSG_NONE || ms->kmsg_received || o->kmsg_taken[s])
            world_fail(w, "pid %d received a kernel message from pid %d, which has none waiting",
                       i + 1, s + 1);
        if (procs[s].thread.pager != ep)
            world_fail(w, "pid %d received pid %d's %s on %s, not on its pager", i + 1, s + 1,
                       kmsg_name(ms->kmsg), ep_name(ep, b1));
        uint64_t words[AK_MSG_REG_WORDS] = { pid }, label = 0, len = 0;
        switch (ms->kmsg) {
        case KMSG_START:
            label = AK_PAGER_START;
            len = AK_PAGER_START_WORDS;
            break;
        case KMSG_FAULT:
            label = AK_PAGER_FAULT;
            len = AK_PAGER_FAULT_WORDS;
            memcpy(words, ms->fault, sizeof ms->fault);
            break;
        case KMSG_EXIT:
            label = AK_PAGER_EXIT;
            len = AK_PAGER_EXIT_WORDS;
            words[1] = ms->exited ? (uint64_t)(int64_t)ms->exit_code : AK_EXIT_KILLED;
            break;
        case KMSG_NONE:
            break;
        }
        o->want[i].x[0] = pid | AK_PAGER_BADGE_BIT;
        o->want[i].x[1] = ak_msginfo(label, len);
        for (uint64_t j = 0; j < len; j++)
            o->want[i].x[2 + j] = words[j];
        ms->kmsg_received = true;
        o->kmsg_taken[s] = true;
        w->stats.kmsgs[ms->kmsg]++;
        is_call = true;
    } else {
        uint64_t tag = ak_msginfo_label(t->regs.x[1]);
        for (s = 0; s < (int)w->nprocs; s++)
            if (tag && w->m[s].out_tag == tag && !o->taken[s])
                break;
        if (s == (int)w->nprocs)
            world_fail(w, "pid %d received x0 = 0x%lx, x1 = 0x%lx: a message no one is sending", i + 1,
                       (unsigned long)badge, (unsigned long)t->regs.x[1]);
        const mthread_t *ms = &w->m[s];
        if (ms->out_ep != ep)
            world_fail(w, "pid %d received on %s pid %d's message to %s", i + 1, ep_name(ep, b1),
                       s + 1, ep_name(ms->out_ep, b2));
        expect_message(&o->want[i], &o->want_buf[i], ms->out_badge, ms->out_info);
        o->taken[s] = true;
        o->was_call[s] = is_call = ms->out_is_call;
        w->stats.delivered++;
        if (ak_msginfo_len(ms->out_info) > AK_MSG_REG_WORDS)
            w->stats.long_delivered++;
    }
    if (!is_call)
        return;
    if (t->caller != &procs[s].thread)
        world_fail(w, "pid %d took pid %d's call, but its caller is %s", i + 1, s + 1,
                   who(w, t->caller, b1));
    if (old_caller)
        world_fail(w, "pid %d took pid %d's call while %s still waited for its answer", i + 1,
                   s + 1, who(w, old_caller, b1));
}

/* Thread i's registers and IPC buffer against what the step should have left there. */
static void compare_thread(const world_t *w, int i, const arch_regs_t *want, const ak_ipcbuf_t *want_buf)
{
    const thread_t *t = &procs[i].thread;
    /* A union of two views of the same words, with no padding. */
    // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
    if (memcmp(&t->regs, want, sizeof *want) != 0) {
        for (unsigned r = 0; r < 31; r++)
            if (t->regs.x[r] != want->x[r])
                world_fail(w, "pid %d's x%u is 0x%lx, want 0x%lx (%s)", i + 1, r,
                           (unsigned long)t->regs.x[r], (unsigned long)want->x[r],
                           state_name(t->state));
        world_fail(w, "pid %d's sp, elr or spsr changed", i + 1);
    }
    if (memcmp(t->ipcbuf, want_buf, sizeof *want_buf) != 0) {
        for (unsigned j = 0; j < AK_MSG_MAX_WORDS; j++)
            if (t->ipcbuf->words[j] != want_buf->words[j])
                world_fail(w, "pid %d's IPC buffer word %u is 0x%lx, want 0x%lx", i + 1, j,
                           (unsigned long)t->ipcbuf->words[j], (unsigned long)want_buf->words[j]);
    }
}

/* Thread i's process and state against the prediction. */
static void check_lifecycle(world_t *w, const pre_t *pre, const expect_t *x, const event_t *ev,
                            const outcome_t *o, int i)
{
    const proc_t *p = &procs[i];
    const thread_t *t = &p->thread;
    const mthread_t *m = &w->m[i];
    int pid = i + 1;
    bool stopped = pre->pstate[i] == P_LIVE && p->state != P_LIVE;
    if (stopped != x->ends[i])
        world_fail(w, stopped ? "pid %d stopped, with no cause" : "pid %d should have stopped", pid);
    bool ended = pre->pstate[i] != P_ENDED && p->state == P_ENDED;
    if (ended != x->finishes[i])
        world_fail(w, ended ? "pid %d is ENDED before its pager answered its EXIT"
                            : "pid %d should be ENDED", pid);
    if (x->ends[i]) {
        if (p->killed == m->exited)
            world_fail(w, "pid %d %s, but the kernel says %s", pid, m->exited ? "exited" : "was killed",
                       p->killed ? "killed" : "exited");
        if (m->exited && p->exit_status != m->exit_code)
            world_fail(w, "pid %d exited with %d, but the kernel says %ld", pid, m->exit_code,
                       (long)p->exit_status);
        w->stats.kills += p->killed;
    }
    w->stats.ended += ended;
    if (t->kmsg != m->kmsg)
        world_fail(w, "pid %d has kernel message %s in flight, want %s", pid, kmsg_name(t->kmsg),
                   kmsg_name(m->kmsg));
    if (m->kmsg != KMSG_NONE && m->kmsg_received != (t->state == T_BLOCKED_REPLY))
        world_fail(w, "pid %d's %s was %sreceived, but pid %d is %s", pid, kmsg_name(m->kmsg),
                   m->kmsg_received ? "" : "not ", pid, state_name(t->state));

    bool runs_again = x->resumes[i] || x->esrch[i] || x->replied == i || o->received[i] ||
                      (o->taken[i] && !o->was_call[i]);
    bool cause = runs_again || x->ends[i] || x->finishes[i] || o->taken[i] || o->kmsg_taken[i] ||
                 (i == pre->cur && ev->kind != EV_TICK);
    if (!cause && t->state != pre->state[i])
        world_fail(w, "pid %d went from %s to %s with no cause", pid, state_name(pre->state[i]),
                   state_name(t->state));
    if (runs_again && t->state != T_RUNNABLE)
        world_fail(w, "pid %d should run again, but it is %s", pid, state_name(t->state));
    if (o->taken[i] && o->was_call[i] && t->state != T_BLOCKED_REPLY)
        world_fail(w, "pid %d's call was received, but it is %s", pid, state_name(t->state));
}

void check_step(world_t *w, const pre_t *pre, const expect_t *x, const event_t *ev)
{
    static outcome_t o;
    int c = pre->cur;
    char b[16];
    /* The root task ended inside this step and the machine stopped there, part-way through the
       kernel's work: there is no state after the step to check (check_halt judges the halt). */
    if (w->halted && proc_root && proc_root->state == P_ENDED)
        return;
    check_objects(w);
    memset(&o, 0, sizeof o);
    memcpy(o.want, pre->regs, w->nprocs * sizeof o.want[0]);
    memcpy(o.want_buf, pre->buf, w->nprocs * sizeof o.want_buf[0]);
    if (x->refused) {
        o.want[c].x[0] = x->err;
        w->stats.errors++;
    }
    if (ev->kind == EV_SYSCALL && ev->number == AK_SYS_YIELD)
        o.want[c].x[0] = 0;

    /* Receivers first: what each received says whose message was taken. */
    for (int i = 0; i < (int)w->nprocs; i++) {
        bool receiving = pre->state[i] == T_BLOCKED_RECV || (i == c && x->recv_ep);
        if (x->esrch[i]) {
            o.want[i].x[0] = 0;
            o.want[i].x[1] = ak_msginfo(AK_ESRCH, 0);
            w->stats.esrch++;
        } else if (x->replied == i) {
            expect_message(&o.want[i], &o.want_buf[i], 0, x->reply_info);
            w->stats.replies++;
        } else if (receiving && procs[i].thread.state != T_BLOCKED_RECV) {
            receive(w, pre, x, i, &o);
        }
    }
    /* Then senders: a message taken completes a send; one not taken still waits. */
    for (int i = 0; i < (int)w->nprocs; i++) {
        mthread_t *m = &w->m[i];
        const thread_t *t = &procs[i].thread;
        if (!m->out_tag)
            continue;
        if (o.taken[i]) {
            if (!m->out_is_call)
                o.want[i].x[0] = 0;
            m->out_tag = 0;
        } else if (t->state != T_BLOCKED_SEND || t->blocked_on != m->out_ep) {
            world_fail(w, "pid %d's message to %s (label 0x%lx) was lost: pid %d is %s", i + 1,
                       ep_name(m->out_ep, b), (unsigned long)ak_msginfo_label(m->out_info), i + 1,
                       state_name(t->state));
        }
    }
    for (int i = 0; i < (int)w->nprocs; i++)
        compare_thread(w, i, &o.want[i], &o.want_buf[i]);
    for (int i = 0; i < (int)w->nprocs; i++)
        check_lifecycle(w, pre, x, ev, &o, i);
    check_callers(w);
}

void check_halt(const world_t *w)
{
    check_caps(w);
    /* The root task's end is the system's, with its exit status if init could power off with it. */
    const proc_t *init = proc_root;
    const mthread_t *m = init ? &w->m[init - procs] : NULL;
    bool init_ended = init && init->state == P_ENDED;
    /* init's end may halt the system inside any thread's system call (a pager refusing its START). */
    if (current && !init_ended)
        world_fail(w, "the system halted, but pid %d is current", check_index(w, current) + 1);
    for (unsigned i = 0; i < w->nprocs; i++)
        if (procs[i].thread.state == T_RUNNABLE && !init_ended)
            world_fail(w, "the system halted, but pid %u could run", i + 1);
    int want = HALT_MISMATCH;
    if (init_ended && m->exited && m->exit_code >= 0 && m->exit_code <= 255 && m->exit_code != HALT_PANIC)
        want = (int)m->exit_code;
    if (host_halt_status != want)
        world_fail(w, "the system halted with status %d, want %d; log:\n%s", host_halt_status, want,
                   host_log());
    if ((strstr(host_log(), "deadlock") != NULL) == init_ended)
        world_fail(w, "%s; log:\n%s",
                   init_ended ? "a deadlock was reported, but init ended"
                              : "no deadlock was reported, but init has not ended",
                   host_log());
    if (init_ended != (strstr(host_log(), "init ended") != NULL))
        world_fail(w, "init's end and the log disagree; log:\n%s", host_log());
}
