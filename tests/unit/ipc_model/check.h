/*
 * The checks made around each step of a world (check.c), for world.c:
 * capture the state before the step, predict from it what the event must
 * do, and after it verify the kernel's objects and every thread's
 * registers against that prediction.
 */
#ifndef IPC_MODEL_CHECK_H
#define IPC_MODEL_CHECK_H

#include "world.h"

/* The kernel's state before a step, as the model needs it. */
typedef struct pre {
    int cur;                            /* index of the current thread */
    arch_regs_t regs[W_PROCS];          /* after the harness loaded the system call */
    ak_ipcbuf_t buf[W_PROCS];
    thread_state_t state[W_PROCS];
    thread_t *caller[W_PROCS];
    endpoint_t *blocked_on[W_PROCS];
    kmsg_kind_t kmsg[W_PROCS];
    proc_state_t pstate[W_PROCS];
} pre_t;

/* What the step must do, predicted from pre_t and the event. */
typedef struct expect {
    bool refused;                /* the system call fails with x0 = err and does nothing else */
    uint64_t err;
    endpoint_t *recv_ep;         /* current receives on it (recv, reply_recv), or NULL */
    bool replying;               /* current's reply_recv: its caller link is cleared first */
    int replied;                 /* the caller current's reply goes to, or -1 */
    uint64_t reply_info;
    bool ends[W_PROCS];          /* the process stops (exit or killed) */
    bool finishes[W_PROCS];      /* the process is ENDED (its address space destroyed) */
    bool resumes[W_PROCS];       /* its pager answered its START or FAULT with 0 */
    bool esrch[W_PROCS];         /* its server ended: it is answered AK_ESRCH */
} expect_t;

/* Records the state before a step; the harness has loaded the event's registers. */
void check_capture(const world_t *w, pre_t *pre);

/* Predicts what ev must do, and updates the model (w->m) for it. */
void check_predict(world_t *w, const pre_t *pre, const event_t *ev, expect_t *x);

/* After the step: every invariant, then the step's effects against the prediction. */
void check_step(world_t *w, const pre_t *pre, const expect_t *x, const event_t *ev);

/* The kernel's objects: queues, states, links, address spaces, thread pointers, capabilities. */
void check_invariants(const world_t *w);

/* The system halted: nothing could run, and the verdict is the one the model expects. */
void check_halt(const world_t *w);

#endif /* IPC_MODEL_CHECK_H */
