/*
 * A window on the scheduler's private state, for the ipc_model suite
 * (sched_host.c compiles the real ukernel/core/sched.c with it): the run
 * queues and the resched flag are static there, and the fastpath's
 * differential test must save and restore them with everything else.
 */
#ifndef IPC_MODEL_SCHED_HOST_H
#define IPC_MODEL_SCHED_HOST_H

#include <ukernel/proc.h>

/* Everything sched.c keeps between two exceptions. */
typedef struct sched_host_state {
    thread_queue_t runq[PRIO_LEVELS];
    uint64_t ready[PRIO_LEVELS / 64];
    unsigned ready_words;
    bool resched;
    thread_t *current;
    proc_t *active_proc;
} sched_host_state_t;

void sched_host_save(sched_host_state_t *s);
void sched_host_restore(const sched_host_state_t *s);

/* Empty run queues, no current thread, no active address space. */
void sched_host_reset(void);

/* The run queue of priority prio (read only). */
const thread_queue_t *sched_host_runq(unsigned prio);

#endif /* IPC_MODEL_SCHED_HOST_H */
