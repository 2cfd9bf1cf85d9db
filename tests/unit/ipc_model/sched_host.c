/*
 * The scheduler under test: the real ukernel/core/sched.c is compiled at
 * the head of this file (its own `-include`, in module.mk), so that the
 * functions below can reach the state it keeps static (see
 * sched_host.h).  Nothing here changes how it schedules.
 */

#include <string.h>

#include "sched_host.h"

void sched_host_save(sched_host_state_t *s)
{
    memcpy(&s->rq, &sched_rq, sizeof sched_rq); /* padding too: snapshots compare bytes */
    s->current = current;
    s->active_proc = sched_active_proc;
}

void sched_host_restore(const sched_host_state_t *s)
{
    memcpy(&sched_rq, &s->rq, sizeof sched_rq);
    current = s->current;
    sched_active_proc = s->active_proc;
}

void sched_host_reset(void)
{
    memset(&sched_rq, 0, sizeof sched_rq);
    sched_rq.top = -1;
    current = NULL;
    sched_active_proc = NULL;
}

const thread_queue_t *sched_host_runq(unsigned prio)
{
    return &sched_rq.q[prio];
}
