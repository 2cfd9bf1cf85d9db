/*
 * The scheduler: fixed priorities 0..255 (higher runs first), round-robin
 * within a priority with a time slice of TIMESLICE_TICKS, preemption by
 * the tick.  A blocked thread is on no run queue and costs nothing.
 *
 * `current` is the thread whose frame the next return to EL0 restores;
 * it is never on a run queue.  Every exception ends with sched_return().
 */
#ifndef UKERNEL_SCHED_H
#define UKERNEL_SCHED_H

#include <ukernel/arch.h>
#include <ukernel/proc.h>

extern thread_t *current;

/* The run-queue bitmap (sched.c); read it only through sched_highest_ready(). */
extern uint64_t sched_ready[PRIO_LEVELS / 64];
extern unsigned sched_ready_words;

/* The highest priority with a queued runnable thread, or -1. */
static inline int sched_highest_ready(void)
{
    if (!sched_ready_words)
        return -1;
    int w = 31 - __builtin_clz(sched_ready_words);
    return w * 64 + 63 - __builtin_clzll(sched_ready[w]);
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

/* Makes t RUNNABLE and queues it; if it outranks current, current yields to it. */
void sched_wake(thread_t *t);

/* Takes t off its run queue (it is about to block or die); t != current. */
void sched_remove(thread_t *t);

/* Ends current's time slice: it goes to the back of its queue. */
void sched_yield(void);

/* Counts a tick against current's time slice. */
void sched_tick(void);

/*
 * Chooses the thread to run next, switches address space if needed and
 * returns the frame to restore.  When no thread can run it does not
 * return: the system ends (see process.h, proc_system_end).
 */
arch_regs_t *sched_return(void);

/* Runs `t` next, ahead of the run queues (IPC hand-off); t is RUNNABLE and queued nowhere. */
void sched_switch_to(thread_t *t);

/* Checks the run queues' invariants (states, links, bitmap); for tests. */
bool sched_check(void);

#endif /* UKERNEL_SCHED_H */
