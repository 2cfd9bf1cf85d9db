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
    memcpy(s->runq, runq, sizeof runq);
    memcpy(s->ready, sched_ready, sizeof sched_ready);
    s->ready_words = sched_ready_words;
    s->resched = resched;
    s->current = current;
    s->active_proc = sched_active_proc;
}

void sched_host_restore(const sched_host_state_t *s)
{
    memcpy(runq, s->runq, sizeof runq);
    memcpy(sched_ready, s->ready, sizeof sched_ready);
    sched_ready_words = s->ready_words;
    resched = s->resched;
    current = s->current;
    sched_active_proc = s->active_proc;
}

void sched_host_reset(void)
{
    memset(runq, 0, sizeof runq);
    memset(sched_ready, 0, sizeof sched_ready);
    sched_ready_words = 0;
    resched = false;
    current = NULL;
    sched_active_proc = NULL;
}

const thread_queue_t *sched_host_runq(unsigned prio)
{
    return &runq[prio];
}
