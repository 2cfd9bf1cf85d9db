/*
 * Notifications and deadlines (see abi/notif.h for the ABI).
 *
 * Notifications are kernel objects like endpoints: in a table sized at
 * boot, created by procctl.notification, reference counted (object.h).
 * Deadlines: a thread that receives, waits or sleeps with a time limit
 * has `wake_at`; every tick expires those that are due.  A thread taken
 * off an endpoint's queue by a message has its deadline cleared there
 * (q_take), so a deadline never outlives the block it was set for.
 */
#ifndef UKERNEL_NOTIF_H
#define UKERNEL_NOTIF_H

#include <ukernel/proc.h>

/* ORs badge (1 if 0) into n, then wakes its first waiter or its bound receiver. */
void notif_signal(notification_t *n, uint64_t badge);

/*
 * In recv, before blocking: if t's bound notification holds bits, delivers
 * them to t as the notification message and returns true.
 */
bool notif_deliver_bound(thread_t *t);

/* Drops t's binding, if any. */
void notif_unbind(thread_t *t);

/* The last reference to n went: its waiters get -AK_EINTR, its binding goes. */
void notif_release(notification_t *n);

/* A free notification (refs 0, no waiter), or NULL; how many are free. */
notification_t *notif_alloc(void);
unsigned notifs_free(void);

/* The system calls (abi/syscall.h), for current t. */
void sys_signal(thread_t *t);
void sys_wait(thread_t *t);
void sys_poll(thread_t *t);
void sys_bind(thread_t *t);
void sys_recv_timed(thread_t *t);
void sys_sleep(thread_t *t);
void sys_signal_wait(thread_t *t);

/*
 * The fastpath of signal_wait for self (= current): when the signalled
 * notification's first waiter may run now and self must block on the
 * other, hands the bits straight to the waiter and switches to it.
 * Returns the thread to resume, or NULL, having changed nothing, if the
 * slow path must handle the call.
 */
thread_t *notif_fastpath(thread_t *self);

/*
 * Arms t's deadline ms milliseconds from now (0: none).  Returns 0, or
 * -AK_EINVAL for ms above AK_TIMEOUT_MAX_MS.
 */
int timeout_arm(thread_t *t, uint64_t ms);

/* On each tick: wakes every thread whose deadline has come (-AK_ETIMEDOUT, or 0 for a sleep). */
void timeout_tick(void);

/* Is any thread waiting for a deadline? */
bool timeout_pending(void);

#endif /* UKERNEL_NOTIF_H */
