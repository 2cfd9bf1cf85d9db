/*
 * Run queues with a priority bitmap, and time charged to the caller (see
 * sched.h).
 *
 * Invariants: a thread is on the queue of its eff_prio iff it is RUNNABLE
 * and not `current`; bit p of ready is set iff queue p is non-empty; bit
 * w of ready_words is set iff ready[w] is not zero; top is the highest p
 * with bit p set, or -1.
 */
#include <ukernel/sched.h>

#include <ukernel/arch.h>
#include <ukernel/clock.h>
#include <ukernel/klog.h>
#include <ukernel/kprintf.h>
#include <ukernel/process.h>
#include <ukernel/tqueue.h>

thread_t *current;
sched_rq_t sched_rq = { .top = -1 };
proc_t *sched_active_proc;     /* whose address space TTBR0 holds */

/* The highest priority of the bitmap, or -1. */
static int bitmap_top(void)
{
    if (!sched_rq.ready_words)
        return -1;
    int w = 31 - __builtin_clz(sched_rq.ready_words);
    return w * 64 + 63 - __builtin_clzll(sched_rq.ready[w]);
}

static void push_back(thread_t *t)
{
    unsigned p = t->eff_prio;
    tq_push_back(&sched_rq.q[p], t);
    sched_rq.ready[p / 64] |= UINT64_C(1) << (p % 64);
    sched_rq.ready_words |= 1u << (p / 64);
    if ((int)p > sched_rq.top)
        sched_rq.top = (int)p;
}

static void push_front(thread_t *t)
{
    unsigned p = t->eff_prio;
    tq_push_front(&sched_rq.q[p], t);
    sched_rq.ready[p / 64] |= UINT64_C(1) << (p % 64);
    sched_rq.ready_words |= 1u << (p / 64);
    if ((int)p > sched_rq.top)
        sched_rq.top = (int)p;
}

/* Takes t, queued at its eff_prio, off its run queue. */
static void unlink(thread_t *t)
{
    unsigned p = t->eff_prio;
    tq_unlink(&sched_rq.q[p], t);
    if (sched_rq.q[p].head)
        return;
    sched_rq.ready[p / 64] &= ~(UINT64_C(1) << (p % 64));
    if (!sched_rq.ready[p / 64])
        sched_rq.ready_words &= ~(1u << (p / 64));
    if ((int)p == sched_rq.top)
        sched_rq.top = bitmap_top();
}

/* current may be outranked now: it yields at its next return if so. */
static void check_outranked(void)
{
    if (current && current->state == T_RUNNABLE && sched_rq.top > current->eff_prio)
        sched_rq.resched = true;
}

void sched_remove(thread_t *t)
{
    unlink(t);
}

void sched_set_eff(thread_t *t, unsigned p)
{
    if (t->eff_prio == p)
        return;
    bool queued = t->state == T_RUNNABLE && t != current;
    if (queued)
        unlink(t);
    t->eff_prio = (uint8_t)p;
    if (queued)
        push_back(t);
    check_outranked();
}

/* A thread about to run or queue with no caller runs on its own context. */
static inline void own_if_free(thread_t *t)
{
    if (!t->caller) {
        t->eff_prio = t->prio;
        t->inherit = 0;
    }
}

void sched_wake(thread_t *t)
{
    own_if_free(t);
    t->state = T_RUNNABLE;
    push_back(t);
    check_outranked();
}

void sched_yield(void)
{
    sched_payer(current)->slice = 0;
}

void sched_tick(void)
{
    if (!current)
        return;
    thread_t *payer = sched_payer(current);
    if (payer->slice > 0)
        payer->slice--;
}

void sched_switch_to(thread_t *t)
{
    own_if_free(t);
    /* A higher priority waits, or current can still run: queue t instead. */
    if (sched_rq.top > t->eff_prio || (current && current->state == T_RUNNABLE)) {
        sched_wake(t);
        return;
    }
    t->state = T_RUNNABLE;
    sched_set_current(t); /* saves current's thread pointer, loads t's */
}

static void activate(thread_t *t)
{
    sched_set_current(t);
}

/* The general case of sched_return: current cannot simply go on. */
static arch_regs_t *sched_return_slow(void)
{
    thread_t *t = current;
    if (t && t->state == T_RUNNABLE) {
        thread_t *payer = sched_payer(t);
        int best = sched_rq.top;
        if (sched_rq.resched && best > t->eff_prio && payer->slice) {
            push_front(t);      /* keeps the rest of its slice */
        } else if (payer->slice == 0) {
            /*
             * The slice it ran on is spent: refilled, it waits behind its
             * equals, even if a higher priority also takes the CPU now
             * (queued at the front, a thread preempted at every tick by a
             * higher one would never let its equals run).
             */
            payer->slice = TIMESLICE_TICKS;
            if (best < t->eff_prio) {
                activate(t);
                sched_rq.resched = false;
                return &t->regs;
            }
            push_back(t);
        } else {
            sched_rq.resched = false;
            activate(t);
            return &t->regs;
        }
    }
    sched_rq.resched = false;
    int p;
    while ((p = sched_rq.top) < 0) {
        if (current)
            current->tls = arch_tls_read();
        current = NULL;
        /* Nothing can run: wait for an interrupt that may wake a thread, if any could. */
        if (!proc_may_wake())
            proc_system_end(); /* every program ended, or deadlock */
        arch_idle();
        if (irq_poll())
            sched_tick();
    }
    thread_t *next = sched_rq.q[p].head;
    unlink(next);
    thread_t *payer = sched_payer(next);
    if (payer->slice == 0)
        payer->slice = TIMESLICE_TICKS;
    activate(next);
    return &next->regs;
}

arch_regs_t *sched_return(void)
{
    klog_kick(); /* the console, if the kernel wrote to its log: it may run first */
    thread_t *t = current;
    if (t && t->state == T_RUNNABLE && !sched_rq.resched && sched_payer(t)->slice) {
        activate(t);
        return &t->regs;
    }
    return sched_return_slow();
}

/* t's effective priority as sched.h defines it, for a runnable t. */
static bool eff_consistent(const thread_t *t)
{
    if (!t->caller)
        return t->eff_prio == t->prio && t->inherit == 0;
    return t->eff_prio == sched_lent_prio(t);
}

bool sched_check(void)
{
    if (sched_rq.top != bitmap_top())
        return false;
    for (unsigned p = 0; p < PRIO_LEVELS; p++) {
        bool bit = (sched_rq.ready[p / 64] >> (p % 64)) & 1;
        if (bit != (sched_rq.q[p].head != NULL))
            return false;
        if (((sched_rq.ready_words >> (p / 64)) & 1) != (sched_rq.ready[p / 64] != 0))
            return false;
        thread_t *prev = NULL;
        for (thread_t *t = sched_rq.q[p].head; t; prev = t, t = t->next) {
            if (t->prev != prev || t->eff_prio != p || t->state != T_RUNNABLE || t == current ||
                !eff_consistent(t))
                return false;
        }
        if (sched_rq.q[p].tail != prev)
            return false;
    }
    return !current || current->state != T_RUNNABLE || eff_consistent(current);
}
