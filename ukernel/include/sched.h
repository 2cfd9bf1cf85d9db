/*
 * The scheduler: fixed priorities 0..255 (higher runs first), round-robin
 * within a priority with a time slice of TIMESLICE_TICKS, preemption by
 * the tick.  A blocked thread is on no run queue and costs nothing.
 *
 * `current` is the thread whose frame the next return to EL0 restores;
 * it is never on a run queue.  Every exception ends with sched_return().
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "proc.h"

extern thread_t *current;

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

#endif /* KERNEL_SCHED_H */
