/*
 * The scheduler: fixed priorities 0..255 (higher runs first), round-robin
 * within a priority with a time slice of TIMESLICE_TICKS, preemption by
 * the tick.  A blocked thread is on no run queue and costs nothing.
 *
 * `current` is the thread whose frame the next return to EL0 restores;
 * it is never on a run queue.  Every exception ends with sched_return().
 *
 * Time charged to the caller.  Each thread has a scheduling context: its
 * time slice (`slice`) and its own priority (`prio`).  A call lends the
 * caller's context to the thread that receives it, for as long as that
 * thread holds the caller (`caller`, until it replies or saves a reply
 * capability):
 *   - budget: the tick is charged to sched_payer(current), the thread at
 *     the end of the chain of callers (a server serving a server serving
 *     C charges C); when that slice runs out the running thread, server
 *     or not, goes to the back of its queue and the slice is refilled;
 *   - priority: a thread runs and queues at eff_prio, which is prio when
 *     it holds no caller and otherwise
 *         min(prio, max(caller's eff_prio, inherit))
 *     so a caller can lower a server's priority to its own but never
 *     raise it above the server's own; a server preempted mid-request
 *     waits on the run queue of that priority, behind the caller's peers,
 *     and resumes where it was;
 *   - inheritance: a sender that blocks on an endpoint while the thread
 *     serving it (the one holding a call that came through it) runs below
 *     the sender's priority raises that thread's `inherit`, and on through
 *     the chain that thread waits in, so a high caller queued behind a
 *     low one is not held up by threads of middle priority.
 * Kernel messages (START, FAULT, EXIT) are calls of the thread concerned.
 * A thread that holds no caller runs at prio with inherit 0; a thread
 * blocked in a receive may keep stale values, made right whenever it
 * wakes (sched_wake, sched_switch_to, the IPC fastpath).
 */
#ifndef UKERNEL_SCHED_H
#define UKERNEL_SCHED_H

#include <ukernel/arch.h>
#include <ukernel/proc.h>

extern thread_t *current;

/*
 * The run queues of a CPU (one CPU for now: sched_rq; one each when SMP
 * comes).  top is the highest priority with a queued thread, or -1, kept
 * by every change of the queues so that the IPC fastpath reads it in one
 * load; the bitmap finds the next one when a queue empties.
 */
typedef struct sched_rq {
    int top;
    unsigned ready_words;             /* bit w: ready[w] != 0 */
    uint64_t ready[PRIO_LEVELS / 64]; /* bit p: queue p is not empty */
    bool resched;                     /* current must yield to a higher priority */
    thread_queue_t q[PRIO_LEVELS];
} sched_rq_t;

extern sched_rq_t sched_rq;

/* The highest priority with a queued runnable thread, or -1. */
static inline int sched_highest_ready(void)
{
    return sched_rq.top;
}

/*
 * True if a queued thread outranks priority p.  Nothing queued, the usual
 * case on the IPC fastpaths, costs a load and a branch (ready_words).
 */
static inline __attribute__((always_inline)) bool sched_outranked(unsigned p)
{
    return sched_rq.ready_words && sched_rq.top > (int)p;
}

/* The priority t runs at while it serves its caller (see the top of this file). */
static inline unsigned sched_lent_prio(const thread_t *t)
{
    unsigned p = t->caller->eff_prio > t->inherit ? t->caller->eff_prio : t->inherit;
    return p < t->prio ? p : t->prio;
}

/* The thread whose time slice t's running uses: the end of its chain of callers. */
static inline thread_t *sched_payer(thread_t *t)
{
    for (unsigned n = 0; t->caller && n < PROC_MAX; n++)
        t = t->caller;
    return t;
}

/*
 * Sets t's effective priority to p, moving t to the run queue of p if it
 * is queued; current yields at its next return if it no longer runs at
 * the highest priority ready.
 */
void sched_set_eff(thread_t *t, unsigned p);

/* t holds no caller any more: it runs on its own context again. */
static inline void sched_own(thread_t *t)
{
    t->inherit = 0;
    sched_set_eff(t, t->prio);
}

/* The process whose address space TTBR0 holds (sched.c). */
extern proc_t *sched_active_proc;

/*
 * Makes t, RUNNABLE and on no queue, the thread to run next and switches
 * to its address space (also the IPC fastpath's switch, once it has
 * checked that nothing queued outranks t).
 */
static inline __attribute__((always_inline)) void sched_set_current(thread_t *t)
{
    if (t != current) {
        if (current)
            current->tls = arch_tls_read();
        arch_tls_write(t->tls);
    }
    current = t;
    if (t->proc != sched_active_proc) {
        sched_active_proc = t->proc;
        arch_vspace_activate(t->proc->vs.ttbr);
    }
}

/* p's address space is about to be destroyed: TTBR0 must not point at it. */
static inline void sched_forget_vspace(const proc_t *p)
{
    if (sched_active_proc == p) {
        arch_vspace_idle();
        sched_active_proc = NULL;
    }
}

/* sched_set_current for the IPC fastpath, where current is from and differs from t. */
static inline __attribute__((always_inline)) void sched_switch_from(thread_t *from, thread_t *t)
{
    from->tls = arch_tls_read();
    arch_tls_write(t->tls);
    current = t;
    if (t->proc != sched_active_proc) {
        sched_active_proc = t->proc;
        arch_vspace_activate(t->proc->vs.ttbr);
    }
}

/*
 * Makes t RUNNABLE and queues it; if it outranks current, current yields
 * to it.  A t holding no caller runs on its own context (sched_own).
 */
void sched_wake(thread_t *t);

/* Takes t off its run queue (it is about to block or die); t != current. */
void sched_remove(thread_t *t);

/* Ends the time slice current runs on: it goes to the back of its queue. */
void sched_yield(void);

/* Counts a tick against the slice current runs on (its payer's). */
void sched_tick(void);

/*
 * Chooses the thread to run next, switches address space if needed and
 * returns the frame to restore.  When no thread can run it does not
 * return: the system ends (see process.h, proc_system_end).
 */
arch_regs_t *sched_return(void);

/*
 * Runs `t` next, ahead of the run queues (IPC hand-off), or queues it if
 * a higher priority is ready or current can still run; t is queued
 * nowhere.  A t holding no caller runs on its own context.
 */
void sched_switch_to(thread_t *t);

/* Checks the run queues' invariants (states, links, bitmap); for tests. */
bool sched_check(void);

#endif /* UKERNEL_SCHED_H */
