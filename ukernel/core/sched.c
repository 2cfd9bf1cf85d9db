/*
 * Run queues with a priority bitmap (see sched.h).
 *
 * Invariants: a thread is on the queue of its priority iff it is RUNNABLE
 * and not `current`; bit p of sched_ready is set iff queue p is non-empty;
 * bit w of sched_ready_words is set iff sched_ready[w] is not zero.
 */
#include <ukernel/sched.h>

#include <ukernel/arch.h>
#include <ukernel/clock.h>
#include <ukernel/kprintf.h>
#include <ukernel/process.h>
#include <ukernel/tqueue.h>

thread_t *current;

static thread_queue_t runq[PRIO_LEVELS];
uint64_t sched_ready[PRIO_LEVELS / 64];
unsigned sched_ready_words;
static bool resched;           /* current must yield to a higher priority */
proc_t *sched_active_proc;     /* whose address space TTBR0 holds */

static void mark(unsigned p)
{
    sched_ready[p / 64] |= UINT64_C(1) << (p % 64);
    sched_ready_words |= 1u << (p / 64);
}

static void unmark_if_empty(unsigned p)
{
    if (runq[p].head)
        return;
    sched_ready[p / 64] &= ~(UINT64_C(1) << (p % 64));
    if (!sched_ready[p / 64])
        sched_ready_words &= ~(1u << (p / 64));
}

static int highest_ready(void)
{
    return sched_highest_ready();
}

void sched_remove(thread_t *t)
{
    tq_unlink(&runq[t->prio], t);
    unmark_if_empty(t->prio);
}

void sched_wake(thread_t *t)
{
    t->state = T_RUNNABLE;
    tq_push_back(&runq[t->prio], t);
    mark(t->prio);
    if (current && current->state == T_RUNNABLE && t->prio > current->prio)
        resched = true;
}

void sched_yield(void)
{
    current->slice = 0;
}

void sched_tick(void)
{
    if (current && current->slice > 0)
        current->slice--;
}

void sched_switch_to(thread_t *t)
{
    /* A higher priority waits, or current can still run: queue t instead. */
    if (highest_ready() > t->prio || (current && current->state == T_RUNNABLE)) {
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
        int best = highest_ready();
        if (resched && best > t->prio) {
            tq_push_front(&runq[t->prio], t);      /* keeps the rest of its slice */
            mark(t->prio);
        } else if (t->slice == 0) {
            t->slice = TIMESLICE_TICKS;
            if (best < t->prio) {
                activate(t);
                resched = false;
                return &t->regs;
            }
            tq_push_back(&runq[t->prio], t);
            mark(t->prio);
        } else {
            resched = false;
            activate(t);
            return &t->regs;
        }
    }
    resched = false;
    int p;
    while ((p = highest_ready()) < 0) {
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
    thread_t *next = runq[p].head;
    tq_unlink(&runq[p], next);
    unmark_if_empty((unsigned)p);
    if (next->slice == 0)
        next->slice = TIMESLICE_TICKS;
    activate(next);
    return &next->regs;
}

arch_regs_t *sched_return(void)
{
    thread_t *t = current;
    if (t && t->state == T_RUNNABLE && !resched && t->slice) {
        activate(t);
        return &t->regs;
    }
    return sched_return_slow();
}


bool sched_check(void)
{
    for (unsigned p = 0; p < PRIO_LEVELS; p++) {
        bool bit = (sched_ready[p / 64] >> (p % 64)) & 1;
        if (bit != (runq[p].head != NULL))
            return false;
        if (((sched_ready_words >> (p / 64)) & 1) != (sched_ready[p / 64] != 0))
            return false;
        thread_t *prev = NULL;
        for (thread_t *t = runq[p].head; t; prev = t, t = t->next) {
            if (t->prev != prev || t->prio != p || t->state != T_RUNNABLE || t == current)
                return false;
        }
        if (runq[p].tail != prev)
            return false;
    }
    return true;
}
