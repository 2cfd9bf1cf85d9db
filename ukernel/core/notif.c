/*
 * Notifications and deadlines (see notif.h).
 */
#include <ukernel/notif.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/notif.h>
#include <ukernel/arch.h>
#include <ukernel/ipc.h>
#include <ukernel/object.h>
#include <ukernel/sched.h>
#include <ukernel/tqueue.h>

notification_t notifications[NOTIF_MAX];

#define REG_SLOT 0
#define REG_INFO 1
#define REG_WORD0 2

/* Hands n's bits to t as the answer of a bound recv: badge, label, one word. */
static void deliver_to_receiver(thread_t *t, notification_t *n)
{
    t->regs.x[REG_SLOT] = AK_NOTIFY_BADGE;
    t->regs.x[REG_INFO] = ak_msginfo(AK_NOTIFY_LABEL, AK_NOTIFY_WORDS);
    t->regs.x[REG_WORD0] = n->word;
    n->word = 0;
}

void notif_signal(notification_t *n, uint64_t badge)
{
    n->word |= badge ? badge : 1;
    thread_t *t = n->waiters.head;
    if (t) {
        tq_pop_front(&n->waiters);
        t->waiting_on = NULL;
        t->wake_at = 0;
        t->regs.x[REG_SLOT] = n->word;
        n->word = 0;
        sched_wake(t);
        return;
    }
    t = n->bound;
    if (t && t->state == T_BLOCKED_RECV) {
        tq_unlink(&t->blocked_on->queue, t);
        t->blocked_on = NULL;
        t->wake_at = 0;
        deliver_to_receiver(t, n);
        sched_wake(t);
    }
}

bool notif_deliver_bound(thread_t *t)
{
    notification_t *n = t->bound;
    if (!n || n->word == 0)
        return false;
    deliver_to_receiver(t, n);
    return true;
}

void notif_unbind(thread_t *t)
{
    notification_t *n = t->bound;
    if (!n)
        return;
    t->bound = NULL;
    n->bound = NULL;
    notif_unref(n);
}

void notif_release(notification_t *n)
{
    while (n->waiters.head) {
        thread_t *t = tq_pop_front(&n->waiters);
        t->waiting_on = NULL;
        t->wake_at = 0;
        t->regs.x[REG_SLOT] = (uint64_t)-AK_EINTR;
        sched_wake(t);
    }
    n->word = 0;
}

notification_t *notif_alloc(void)
{
    for (unsigned i = 0; i < NOTIF_MAX; i++)
        if (notifications[i].refs == 0 && !notifications[i].waiters.head)
            return &notifications[i];
    return NULL;
}

unsigned notifs_free(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NOTIF_MAX; i++)
        n += notifications[i].refs == 0 && !notifications[i].waiters.head;
    return n;
}

static void set_error(thread_t *t, int err)
{
    t->regs.x[REG_SLOT] = (uint64_t)(int64_t)err;
}

/* The notification in t's slot x0 with rights, or NULL with the error set. */
static notification_t *lookup(thread_t *t, uint8_t rights, uint64_t *badge)
{
    int err;
    const cap_t *c = cap_lookup(&t->proc->caps, t->regs.x[REG_SLOT], AK_CAP_NOTIFICATION, rights, &err);
    if (!c) {
        set_error(t, err);
        return NULL;
    }
    if (badge)
        *badge = c->badge;
    return c->object;
}

void sys_signal(thread_t *t)
{
    uint64_t badge;
    notification_t *n = lookup(t, AK_RIGHT_SEND, &badge);
    if (!n)
        return;
    t->regs.x[REG_SLOT] = 0;
    notif_signal(n, badge);
}

void sys_wait(thread_t *t)
{
    uint64_t ms = t->regs.x[REG_INFO];
    notification_t *n = lookup(t, AK_RIGHT_RECV, NULL);
    if (!n)
        return;
    if (ms > AK_TIMEOUT_MAX_MS) {
        set_error(t, -AK_EINVAL);
        return;
    }
    if (n->word) {
        t->regs.x[REG_SLOT] = n->word;
        n->word = 0;
        return;
    }
    timeout_arm(t, ms);
    t->state = T_BLOCKED_NOTIF;
    t->waiting_on = n;
    tq_push_back(&n->waiters, t);
}

void sys_poll(thread_t *t)
{
    notification_t *n = lookup(t, AK_RIGHT_RECV, NULL);
    if (!n)
        return;
    t->regs.x[REG_SLOT] = n->word;
    n->word = 0;
}

void sys_bind(thread_t *t)
{
    if (t->regs.x[REG_SLOT] == AK_NO_SLOT) {
        notif_unbind(t);
        t->regs.x[REG_SLOT] = 0;
        return;
    }
    notification_t *n = lookup(t, AK_RIGHT_RECV, NULL);
    if (!n)
        return;
    if (n->bound || t->bound) {
        set_error(t, n->bound == t ? 0 : -AK_EBUSY);
        return;
    }
    notif_ref(n);
    n->bound = t;
    t->bound = n;
    t->regs.x[REG_SLOT] = 0;
}

void sys_recv_timed(thread_t *t)
{
    uint64_t ms = t->regs.x[REG_INFO];
    if (ms > AK_TIMEOUT_MAX_MS) {
        set_error(t, -AK_EINVAL);
        return;
    }
    ipc_recv(t->regs.x[REG_SLOT]);
    if (t->state == T_BLOCKED_RECV)
        timeout_arm(t, ms);
}

void sys_sleep(thread_t *t)
{
    uint64_t ms = t->regs.x[REG_SLOT];
    if (ms > AK_TIMEOUT_MAX_MS) {
        set_error(t, -AK_EINVAL);
        return;
    }
    t->regs.x[REG_SLOT] = 0;
    if (ms == 0)
        return;
    timeout_arm(t, ms);
    t->state = T_SLEEPING;
}

/* The notifications of signal_wait's two slots, checked as the slow path checks them. */
void sys_signal_wait(thread_t *t)
{
    int err;
    const cap_t *w = cap_lookup(&t->proc->caps, t->regs.x[REG_INFO], AK_CAP_NOTIFICATION, AK_RIGHT_RECV, &err);
    if (!w) {
        set_error(t, err);
        return;
    }
    uint64_t badge;
    notification_t *s = lookup(t, AK_RIGHT_SEND, &badge);
    if (!s)
        return;
    notif_signal(s, badge);
    notification_t *n = w->object;
    if (n->word) {
        t->regs.x[REG_SLOT] = n->word;
        n->word = 0;
        return;
    }
    t->wake_at = 0;
    t->state = T_BLOCKED_NOTIF;
    t->waiting_on = n;
    tq_push_back(&n->waiters, t);
}

thread_t *notif_fastpath(thread_t *self)
{
    uint64_t ss = self->regs.x[REG_SLOT], ws = self->regs.x[REG_INFO];
    if (ss >= AK_CAP_SLOTS || ws >= AK_CAP_SLOTS)
        return NULL;
    const cap_t *sc = &self->proc->caps.slot[ss], *wc = &self->proc->caps.slot[ws];
    if (sc->kind != AK_CAP_NOTIFICATION || !(sc->rights & AK_RIGHT_SEND) ||
        wc->kind != AK_CAP_NOTIFICATION || !(wc->rights & AK_RIGHT_RECV))
        return NULL;
    notification_t *s = sc->object, *w = wc->object;
    thread_t *t = s->waiters.head;
    if (!t || w->word || sched_outranked(t->eff_prio))
        return NULL;
    /* The waiter takes the bits at once (the word never holds them). */
    tq_pop_front(&s->waiters);
    t->waiting_on = NULL;
    t->wake_at = 0;
    t->regs.x[REG_SLOT] = s->word | (sc->badge ? sc->badge : 1);
    s->word = 0;
    /* self runs, so its wake_at is 0: every way out of a timed block clears it. */
    self->state = T_BLOCKED_NOTIF;
    self->waiting_on = w;
    tq_push_back(&w->waiters, self);
    t->state = T_RUNNABLE;
    sched_switch_from(self, t);
    return t;
}

int timeout_arm(thread_t *t, uint64_t ms)
{
    if (ms > AK_TIMEOUT_MAX_MS)
        return -AK_EINVAL;
    if (ms == 0) {
        t->wake_at = 0;
        return 0;
    }
    /* Rounded up: a deadline never comes early.  ms * freq fits: 2^32 * 2^32. */
    uint64_t freq = arch_counter_freq();
    uint64_t ticks = (ms * freq + 999u) / 1000u;
    t->wake_at = arch_counter() + ticks;
    return 0;
}

/* The deadline of t has come: take it out of what it waits in and wake it. */
static void expire(thread_t *t)
{
    t->wake_at = 0;
    switch (t->state) {
    case T_BLOCKED_RECV:
        tq_unlink(&t->blocked_on->queue, t);
        t->blocked_on = NULL;
        set_error(t, -AK_ETIMEDOUT);
        break;
    case T_BLOCKED_NOTIF:
        tq_unlink(&t->waiting_on->waiters, t);
        t->waiting_on = NULL;
        set_error(t, -AK_ETIMEDOUT);
        break;
    case T_SLEEPING:
        break;
    default:
        return; /* it woke otherwise: the deadline was stale */
    }
    sched_wake(t);
}

void timeout_tick(void)
{
    uint64_t now = arch_counter();
    for (unsigned i = 0; i < PROC_MAX; i++) {
        thread_t *t = &procs[i].thread;
        if (t->wake_at && now >= t->wake_at)
            expire(t);
    }
}

bool timeout_pending(void)
{
    for (unsigned i = 0; i < PROC_MAX; i++) {
        const thread_t *t = &procs[i].thread;
        if (t->wake_at && (t->state == T_BLOCKED_RECV || t->state == T_BLOCKED_NOTIF ||
                           t->state == T_SLEEPING))
            return true;
    }
    return false;
}
