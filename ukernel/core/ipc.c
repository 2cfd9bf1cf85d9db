/*
 * IPC (see ipc.h).
 *
 * A message moves at a rendezvous: whichever side arrives second finds
 * the other on the endpoint's queue and copies the message straight from
 * the sender's saved registers (or its kernel message) and IPC buffer into
 * the receiver's.  A call leaves the caller BLOCKED_REPLY with the
 * receiver's `caller` pointing at it; the receiver's next reply_recv
 * answers it.  The call and reply_recv paths hand the CPU straight to the
 * thread they unblock (sched_switch_to), so a round trip between a client
 * and a waiting server does not touch the run queues.
 *
 * A call lends the caller's scheduling context to the thread that takes
 * it (sched.h): take_call() sets the receiver's priority from the
 * caller's, and a sender that has to wait lends its priority to the
 * endpoint's server (lend_priority).
 */
#include <ukernel/ipc.h>

#include <akuma/abi/errno.h>
#include <akuma/abi/pager.h>
#include <akuma/abi/syscall.h>
#include <ukernel/invoke.h>
#include <ukernel/notif.h>
#include <ukernel/object.h>
#include <ukernel/process.h>
#include <ukernel/sched.h>
#include <ukernel/tqueue.h>

#define REG_SLOT  0
#define REG_INFO  1
#define REG_WORD0 2

/* Queues t on ep (it is blocking there). */
static void q_append(endpoint_t *ep, thread_t *t)
{
    tq_push_back(&ep->queue, t);
    t->blocked_on = ep;
}

/* Takes the first thread off ep's queue, which is not empty. */
static thread_t *q_take(endpoint_t *ep)
{
    thread_t *t = tq_pop_front(&ep->queue);
    t->blocked_on = NULL;
    t->wake_at = 0; /* a receive with a deadline got its message */
    return t;
}

/* The first waiting thread in `state`, or NULL. */
static thread_t *waiting(endpoint_t *ep, thread_state_t state)
{
    thread_t *h = ep->queue.head;
    return h && h->state == state ? h : NULL;
}

static void set_error(thread_t *t, int err)
{
    t->regs.x[REG_SLOT] = (uint64_t)(int64_t)err;
}

/* Checks current's info word; returns 0 or the error for the caller. */
static int check_info(ak_msginfo_t info)
{
    if (ak_msginfo_len(info) > AK_MSG_MAX_WORDS)
        return -AK_EMSGSIZE;
    if (!ak_msginfo_valid(info))
        return -AK_EINVAL;
    return 0;
}

/*
 * Copies the register words of a message of len words, and no more:
 * registers beyond the length keep the receiver's own values, so nothing
 * outside the message passes between processes (as in seL4).
 */
static inline __attribute__((always_inline)) void copy_reg_words(uint64_t *to, const uint64_t *w,
                                                                 uint64_t len)
{
    switch (len) {
    default: to[3] = w[3]; /* fall through */
    case 3: to[2] = w[2];  /* fall through */
    case 2: to[1] = w[1];  /* fall through */
    case 1: to[0] = w[0];  /* fall through */
    case 0: break;
    }
}

/* Copies a message's registers into `to`: x0 = badge, x1 = info, x2.. = words 0..3. */
static inline __attribute__((always_inline)) void deliver_regs(thread_t *to, uint64_t badge,
                                                               ak_msginfo_t info, const uint64_t *w)
{
    to->regs.x[REG_SLOT] = badge;
    to->regs.x[REG_INFO] = info;
    copy_reg_words(&to->regs.x[REG_WORD0], w, ak_msginfo_len(info));
}

/* Copies a message into `to`: its registers, and words 4+ from src_buf into to's IPC buffer. */
static void deliver(thread_t *to, uint64_t badge, ak_msginfo_t info, const uint64_t *w,
                    const ak_ipcbuf_t *src_buf)
{
    uint64_t len = ak_msginfo_len(info);
    deliver_regs(to, badge, info, w);
    for (uint64_t i = AK_MSG_REG_WORDS; i < len; i++)
        to->ipcbuf->words[i] = src_buf->words[i];
}

/* Delivers the message a blocked sender waits to send (a kernel message fits the registers). */
static void deliver_from(thread_t *to, thread_t *sender)
{
    if (sender->kmsg != KMSG_NONE)
        deliver_regs(to, sender->send_badge, sender->kmsg_body.info, sender->kmsg_body.w);
    else
        deliver(to, sender->send_badge, sender->regs.x[REG_INFO], &sender->regs.x[REG_WORD0],
                sender->ipcbuf);
}

/* The thread that holds caller t (t waits for its reply), or NULL. */
static thread_t *holder_of(const thread_t *t)
{
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (procs[i].thread.caller == t)
            return &procs[i].thread;
    return NULL;
}

/* A thread serving a call that came through ep, or NULL. */
static thread_t *server_of(const endpoint_t *ep)
{
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (procs[i].thread.caller && procs[i].thread.serving == ep)
            return &procs[i].thread;
    return NULL;
}

/*
 * t's eff_prio changed: if t waits for a reply, the thread serving it
 * runs at a priority derived from t's, and so on down the chain.
 */
static void ripple(thread_t *t)
{
    for (unsigned n = 0; n < PROC_MAX && t->state == T_BLOCKED_REPLY; n++) {
        thread_t *s = holder_of(t);
        if (!s || sched_lent_prio(s) == s->eff_prio)
            return;
        sched_set_eff(s, sched_lent_prio(s));
        t = s;
    }
}

/*
 * A sender of priority p waits on ep: the thread serving ep inherits p
 * (capped at its own priority), and so does the thread that one waits
 * for, if it waits too (sched.h, "inheritance").
 */
static void lend_priority(endpoint_t *ep, unsigned p)
{
    thread_t *s = server_of(ep);
    for (unsigned n = 0; s && n < PROC_MAX; n++) {
        if (s->inherit < p)
            s->inherit = (uint8_t)p;
        if (sched_lent_prio(s) != s->eff_prio) {
            sched_set_eff(s, sched_lent_prio(s));
            ripple(s);
        }
        s = s->state == T_BLOCKED_SEND ? server_of(s->blocked_on) : NULL;
    }
}

/* r takes caller's call, which came through ep: it runs on caller's context (sched.h). */
static void take_call(thread_t *r, thread_t *caller, endpoint_t *ep)
{
    r->caller = caller;
    r->serving = ep;
    unsigned waiting = 0;
    for (const thread_t *s = ep->queue.head; s && s->state == T_BLOCKED_SEND; s = s->next)
        if (s->eff_prio > waiting)
            waiting = s->eff_prio;
    r->inherit = (uint8_t)waiting;
    if (r == current)
        sched_set_eff(r, sched_lent_prio(r));
    else
        r->eff_prio = (uint8_t)sched_lent_prio(r);
}

void ipc_release_caller(thread_t *server)
{
    server->caller = NULL;
    sched_own(server);
    ripple(server);
}

/* Common part of send and call: rendezvous or block. */
static void send_common(const cap_t *cap, bool is_call)
{
    thread_t *self = current;
    endpoint_t *ep = cap->object;
    thread_t *r = waiting(ep, T_BLOCKED_RECV);
    if (!r) {
        self->state = T_BLOCKED_SEND;
        self->send_badge = cap->badge;
        self->send_is_call = is_call;
        q_append(ep, self);
        lend_priority(ep, self->eff_prio);
        return;
    }
    q_take(ep);
    deliver(r, cap->badge, self->regs.x[REG_INFO], &self->regs.x[REG_WORD0], self->ipcbuf);
    if (is_call) {
        take_call(r, self, ep);
        self->state = T_BLOCKED_REPLY;
        sched_switch_to(r);
    } else {
        self->regs.x[REG_SLOT] = 0;
        sched_wake(r);
    }
}

/* send and call: check the message and the capability, then send. */
static void send_checked(uint64_t slot, bool is_call)
{
    int err = check_info(current->regs.x[REG_INFO]);
    const cap_t *cap = err ? NULL : cap_lookup(&current->proc->caps, slot, AK_CAP_ENDPOINT,
                                               AK_RIGHT_SEND, &err);
    if (!cap) {
        set_error(current, err);
        return;
    }
    send_common(cap, is_call);
}

void ipc_send(uint64_t slot)
{
    send_checked(slot, false);
}

void ipc_call(uint64_t slot)
{
    send_checked(slot, true);
}

/* Receives on ep for current: takes a waiting sender or blocks. */
static void recv_common(endpoint_t *ep)
{
    thread_t *self = current;
    /* A signal of its bound notification counts as a message (abi/notif.h). */
    if (notif_deliver_bound(self)) {
        sched_own(self);
        return;
    }
    thread_t *s = waiting(ep, T_BLOCKED_SEND);
    if (!s) {
        self->state = T_BLOCKED_RECV;
        q_append(ep, self);
        return;
    }
    q_take(ep);
    deliver_from(self, s);
    if (s->send_is_call) {
        take_call(self, s, ep);
        s->state = T_BLOCKED_REPLY;
    } else {
        sched_own(self);
        s->regs.x[REG_SLOT] = 0;
        sched_wake(s);
    }
}

void ipc_recv(uint64_t slot)
{
    int err;
    const cap_t *cap = cap_lookup(&current->proc->caps, slot, AK_CAP_ENDPOINT, AK_RIGHT_RECV, &err);
    if (!cap) {
        set_error(current, err);
        return;
    }
    /* Taking another message now would leave the caller without an answer for ever. */
    if (current->caller) {
        set_error(current, -AK_EBUSY);
        return;
    }
    recv_common(cap->object);
}

/*
 * Answers `caller` with current's registers as the reply.  Returns true
 * if the caller can run now (it is then RUNNABLE but on no queue); a
 * kernel message's reply goes to the kernel instead (process.c).
 */
static bool reply_to(thread_t *caller)
{
    thread_t *self = current;
    if (caller->kmsg != KMSG_NONE) {
        proc_kmsg_replied(caller, ak_msginfo_label(self->regs.x[REG_INFO]));
        return false;
    }
    deliver(caller, 0, self->regs.x[REG_INFO], &self->regs.x[REG_WORD0], self->ipcbuf);
    caller->state = T_RUNNABLE;
    return true;
}

void ipc_reply_recv(uint64_t slot)
{
    thread_t *self = current;
    int err = check_info(self->regs.x[REG_INFO]);
    const cap_t *cap = err ? NULL : cap_lookup(&self->proc->caps, slot, AK_CAP_ENDPOINT,
                                               AK_RIGHT_RECV, &err);
    if (!cap) {
        set_error(self, err);
        return;
    }
    thread_t *caller = self->caller;
    self->caller = NULL;
    bool resume = caller && reply_to(caller);
    recv_common(cap->object);
    /* Usually the server now waits and its client runs next, directly. */
    if (resume)
        sched_switch_to(caller);
}

void ipc_reply(void)
{
    thread_t *self = current;
    int err = check_info(self->regs.x[REG_INFO]);
    if (!err && !self->caller)
        err = -AK_ENOENT;
    if (err) {
        set_error(self, err);
        return;
    }
    thread_t *caller = self->caller;
    self->caller = NULL;
    sched_own(self);
    if (reply_to(caller))
        sched_wake(caller);
    self->regs.x[REG_SLOT] = 0;
}

/* The caller a reply capability in holder's table still answers, or NULL if that call is over. */
static thread_t *reply_target(const thread_t *holder, const cap_t *c)
{
    thread_t *caller = c->object;
    if (caller->saved_by != holder || caller->reply_seq != c->aux || caller->proc->pid != c->target ||
        caller->state != T_BLOCKED_REPLY)
        return NULL;
    return caller;
}

void ipc_save_reply(uint64_t slot)
{
    thread_t *self = current;
    if (slot >= AK_CAP_SLOTS) {
        set_error(self, -AK_EBADF);
        return;
    }
    if (self->proc->caps.slot[slot].kind != AK_CAP_NONE) {
        set_error(self, -AK_EEXIST);
        return;
    }
    thread_t *caller = self->caller;
    if (!caller) {
        set_error(self, -AK_ENOENT);
        return;
    }
    self->caller = NULL;
    sched_own(self); /* what it does until it answers is its own work */
    caller->saved_by = self;
    caller->reply_seq++;
    obj_cap_put(self->proc, slot, AK_CAP_REPLY, AK_RIGHT_SEND, caller->proc->pid, 0, caller);
    self->proc->caps.slot[slot].aux = caller->reply_seq;
    self->regs.x[REG_SLOT] = 0;
}

void ipc_reply_to(uint64_t slot)
{
    thread_t *self = current;
    int err = check_info(self->regs.x[REG_INFO]);
    const cap_t *c = err ? NULL : cap_lookup(&self->proc->caps, slot, AK_CAP_REPLY, AK_RIGHT_SEND, &err);
    if (!c) {
        set_error(self, err);
        return;
    }
    thread_t *caller = reply_target(self, c);
    if (caller)
        caller->saved_by = NULL; /* answered now: the capability's drop below must not answer again */
    obj_cap_delete(self->proc, slot);
    if (!caller) {
        set_error(self, -AK_ESRCH);
        return;
    }
    if (reply_to(caller))
        sched_wake(caller);
    self->regs.x[REG_SLOT] = 0;
}

void ipc_reply_cap_dropped(const proc_t *holder, const cap_t *c)
{
    thread_t *caller = reply_target(&holder->thread, c);
    if (!caller)
        return;
    caller->saved_by = NULL;
    /* Nobody will answer it now: as when its server ends (ipc_abandon_caller). */
    if (caller->kmsg != KMSG_NONE) {
        proc_kmsg_replied(caller, AK_ESRCH);
        return;
    }
    caller->regs.x[REG_SLOT] = 0;
    caller->regs.x[REG_INFO] = ak_msginfo(AK_ESRCH, 0);
    sched_wake(caller);
}

void ipc_abandon_caller(thread_t *t)
{
    thread_t *caller = t->caller;
    t->caller = NULL;
    if (!caller)
        return;
    if (caller->kmsg != KMSG_NONE) {
        proc_kmsg_replied(caller, AK_ESRCH);
        return;
    }
    caller->regs.x[REG_SLOT] = 0;
    caller->regs.x[REG_INFO] = ak_msginfo(AK_ESRCH, 0);
    sched_wake(caller);
}

void ipc_kernel_call(thread_t *t, kmsg_kind_t kind, uint64_t label, const uint64_t *words,
                     unsigned len)
{
    t->kmsg = kind;
    t->kmsg_body.info = ak_msginfo(label, len);
    for (unsigned i = 0; i < AK_MSG_REG_WORDS; i++)
        t->kmsg_body.w[i] = i < len ? words[i] : 0;
    t->send_badge = t->proc->pid | AK_PAGER_BADGE_BIT;
    t->send_is_call = true;
    /* A call of t's: on the context it runs on, its own unless it serves a caller (sched.h). */
    if (!t->caller) {
        t->eff_prio = t->prio;
        t->inherit = 0;
    }

    endpoint_t *ep = t->pager;
    thread_t *r = waiting(ep, T_BLOCKED_RECV);
    if (!r) {
        t->state = T_BLOCKED_SEND;
        q_append(ep, t);
        lend_priority(ep, t->eff_prio);
        return;
    }
    q_take(ep);
    deliver_from(r, t);
    take_call(r, t, ep);
    t->state = T_BLOCKED_REPLY;
    sched_wake(r);
}

/*
 * The fastpath (see ipc.h): a call of at most 4 words to a waiting
 * receiver, and a reply_recv of at most 4 words to a waiting caller while
 * no sender waits, both switching straight to the other thread.  Every
 * check of the slow path is made here too; anything unusual (an error, a
 * long message, a kernel message, a higher priority thread ready) goes to
 * the slow path, which handles it completely.
 */

/* Info with the reserved bits clear and at most 4 words, in one compare. */
#define FAST_INFO_MASK (AK_MSGINFO_ZERO_MASK | AK_MSGINFO_LEN_MASK)

/*
 * Moves the message of info (at most 4 words, checked) from `from`'s
 * registers to `to`'s, badge into x0; a message of exactly 4 words (bit 2
 * of its length) skips the switch of copy_reg_words.
 */
static inline __attribute__((always_inline)) void copy_words(thread_t *to, const thread_t *from,
                                                             uint64_t info, uint64_t badge)
{
    to->regs.x[REG_SLOT] = badge;
    to->regs.x[REG_INFO] = info;
    uint64_t *dst = &to->regs.x[REG_WORD0];
    const uint64_t *src = &from->regs.x[REG_WORD0];
    if (__builtin_expect((info & AK_MSG_REG_WORDS) != 0, 1)) {
        /* All loads first: to and from differ, and the compiler may then pair them. */
        uint64_t w0 = src[0], w1 = src[1], w2 = src[2], w3 = src[3];
        dst[0] = w0;
        dst[1] = w1;
        dst[2] = w2;
        dst[3] = w3;
    } else {
        copy_reg_words(dst, src, info & AK_MSGINFO_LEN_MASK);
    }
}

thread_t *ipc_fastpath(thread_t *self, uint64_t number)
{
    uint64_t info = self->regs.x[REG_INFO];
    uint64_t slot = self->regs.x[REG_SLOT];
    if ((info & FAST_INFO_MASK) > AK_MSG_REG_WORDS || slot >= AK_CAP_SLOTS)
        return NULL;
    const cap_t *cap = &self->proc->caps.slot[slot];
    uint8_t kind = cap->kind, rights = cap->rights;
    endpoint_t *ep = cap->object;
    uint64_t badge = cap->badge;
    if (kind != AK_CAP_ENDPOINT) {
        /*
         * A call on an address space invokes the kernel and is answered at
         * once: no thread switch, so it takes no detour through the slow
         * path's dispatch and scheduler either.
         */
        if (kind == AK_CAP_ASPACE && number == AK_SYS_CALL)
            return invoke_aspace(self, cap);  /* a tail call: the IPC paths stay leaf code */
        return NULL;
    }
    thread_t *head = ep->queue.head;

    if (number == AK_SYS_CALL) {
        if (!(rights & AK_RIGHT_SEND) || !head || head->state != T_BLOCKED_RECV)
            return NULL;
        /* take_call() with nobody else waiting: the caller's priority, capped at head's own. */
        unsigned eff = head->prio < self->eff_prio ? head->prio : self->eff_prio;
        if (sched_outranked(eff))
            return NULL;
        q_take(ep);
        copy_words(head, self, info, badge);
        head->caller = self;
        head->serving = ep;
        head->eff_and_inherit = (uint16_t)eff; /* eff_prio = eff, inherit = 0: one store */
        self->state = T_BLOCKED_REPLY;
        head->state = T_RUNNABLE;
        sched_switch_from(self, head);
        return head;
    }
    /* AK_SYS_REPLY_RECV */
    thread_t *caller = self->caller;
    if (!(rights & AK_RIGHT_RECV) || !caller || caller->kmsg != KMSG_NONE ||
        (head && head->state == T_BLOCKED_SEND) || sched_outranked(caller->eff_prio) ||
        (self->bound && self->bound->word))
        return NULL;
    copy_words(caller, self, info, 0);
    self->caller = NULL;
    self->state = T_BLOCKED_RECV;
    q_append(ep, self);
    caller->state = T_RUNNABLE;
    sched_switch_from(self, caller);
    return caller;
}
