/*
 * Doubly linked queues of threads, through thread_t's next and prev: the
 * scheduler's run queues and the endpoints' wait queues.  A thread is on
 * at most one queue at a time; off a queue, its links are NULL.
 */
#ifndef UKERNEL_TQUEUE_H
#define UKERNEL_TQUEUE_H

#include <ukernel/proc.h>

static inline void tq_push_back(thread_queue_t *q, thread_t *t)
{
    t->next = NULL;
    t->prev = q->tail;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static inline void tq_push_front(thread_queue_t *q, thread_t *t)
{
    t->prev = NULL;
    t->next = q->head;
    if (q->head)
        q->head->prev = t;
    else
        q->tail = t;
    q->head = t;
}

/* Takes t, which must be on q, off it. */
static inline void tq_unlink(thread_queue_t *q, thread_t *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        q->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        q->tail = t->prev;
    t->next = t->prev = NULL;
}

/* Takes the first thread off q, which is not empty, and returns it. */
static inline thread_t *tq_pop_front(thread_queue_t *q)
{
    thread_t *t = q->head;
    q->head = t->next;
    if (q->head)
        q->head->prev = NULL;
    else
        q->tail = NULL;
    t->next = NULL;
    return t;
}

#endif /* UKERNEL_TQUEUE_H */
