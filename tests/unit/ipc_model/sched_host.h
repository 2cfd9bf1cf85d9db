/*
 * A window on the scheduler's private state, for the ipc_model suite
 * (sched_host.c compiles the real ukernel/core/sched.c with it): the
 * fastpath's differential test must save and restore the run queues with
 * everything else.
 */
#ifndef IPC_MODEL_SCHED_HOST_H
#define IPC_MODEL_SCHED_HOST_H

#include <ukernel/sched.h>

/* Everything sched.c keeps between two exceptions. */
typedef struct sched_host_state {
    sched_rq_t rq;
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
