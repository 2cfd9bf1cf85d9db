/*
 * The ipc_model suite's harness: a world of a few processes, endpoints
 * and capabilities over the real ipc.c, sched.c, process.c and cap.c, the
 * events that drive it (system calls, ticks, faults) and the check made
 * after every step (world.c builds and drives, check.c checks).
 *
 * Every event acts for `current`, as a trap would; the scheduler decides
 * who that is.  A message the harness sends carries a unique tag as its
 * label, and its words (registers and IPC buffer, beyond its length too)
 * are a function of the tag (world_word), so that whoever receives it can
 * be checked against what was sent.  Replies to kernel messages carry the
 * event's verdict label instead.
 */
#ifndef IPC_MODEL_WORLD_H
#define IPC_MODEL_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include <akuma/abi/pager.h>
#include <ukernel/proc.h>

#define W_PROCS 6u   /* processes in a world, at most */
#define W_EPS   3u   /* endpoints in a world, at most */
#define W_SLOTS 6u   /* capability slots a random world fills: 0 .. W_SLOTS-1 */

typedef enum event_kind {
    EV_SYSCALL,
    EV_TICK,    /* a timer interrupt */
    EV_FAULT,   /* an abort or undefined instruction at EL0 */
} event_kind_t;

typedef struct event {
    event_kind_t kind;
    uint64_t number;   /* EV_SYSCALL: AK_SYS_CALL, _REPLY_RECV, _SEND, _RECV, _YIELD or _EXIT */
    uint64_t arg;      /* x0: the slot, or the status of AK_SYS_EXIT */
    uint64_t len;      /* message length, < 128 (over AK_MSG_MAX_WORDS is an error) */
    uint64_t junk;     /* bits of AK_MSGINFO_ZERO_MASK to set (a malformed info word) */
    uint64_t verdict;  /* label of a reply to a kernel message (0: carry on) */
    bool set_tls;      /* the user code wrote TPIDR_EL0 = tls before trapping */
    uint64_t tls;
    uint64_t far, esr, access;  /* EV_FAULT */
} event_t;

typedef enum step_mode {
    MODE_ENTRY,  /* as entry.S: call and reply_recv try the fastpath, then the slow path */
    MODE_SLOW,   /* the slow path only */
    MODE_DIFF,   /* call and reply_recv: the fastpath and the slow path from one state, compared */
} step_mode_t;

/* What the harness expects of one thread, beyond what the kernel says. */
typedef struct mthread {
    uint64_t tls;           /* what its user code last wrote to TPIDR_EL0 */
    uint64_t out_tag;       /* its send or call not yet received (0: none) */
    uint64_t out_info;
    uint64_t out_badge;     /* the badge of the capability it used */
    endpoint_t *out_ep;
    bool out_is_call;
    kmsg_kind_t kmsg;       /* the kernel message it must have in flight */
    bool kmsg_received;     /* ... and that its pager has received */
    uint64_t fault[AK_PAGER_FAULT_WORDS];  /* the words of its last FAULT */
    bool exited;            /* it called exit (else, if it ended, it was killed) */
    int32_t exit_code;
} mthread_t;

/* What a run did, to show that it exercised what it claims to. */
typedef struct world_stats {
    unsigned long steps, worlds, halts, halts_ok;
    unsigned long fast_calls, fast_replies;   /* the fastpath took the call */
    unsigned long compared;                   /* MODE_DIFF: outcomes compared */
    unsigned long delivered, long_delivered;  /* user messages received, > 4 words */
    unsigned long errors;                     /* system calls refused */
    unsigned long kmsgs[KMSG_EXIT + 1];       /* kernel messages received, by kind */
    unsigned long replies, esrch, kills, ended, busy;
} world_stats_t;

typedef struct world {
    unsigned nprocs, neps;
    uint64_t seed;          /* the world's, for messages */
    uint64_t rng;
    uint64_t next_tag;
    unsigned long id;       /* which world of a run, for messages */
    unsigned long step;     /* steps made in this world */
    bool halted;
    mthread_t m[W_PROCS];
    int actor;              /* the step being made, for messages: who, and what */
    event_t ev;
    world_stats_t stats;
} world_t;

/*
 * Empties the kernel and builds nprocs processes (pids 1..nprocs, not
 * started, priority 100, no capability, no pager, expected to exit 0) and
 * neps endpoints.  Frames and thread pointers get values from seed.
 * Statistics are kept.
 */
void world_init(world_t *w, unsigned nprocs, unsigned neps, uint64_t seed);

/* Builds a random world from seed (capabilities, badges, pagers, priorities) and starts it. */
void world_random(world_t *w, uint64_t seed);

/* Puts an endpoint capability in slot of process i (0-based); fails the test if refused. */
void world_grant(world_t *w, unsigned i, unsigned slot, unsigned ep, uint8_t rights, uint64_t badge);

/* Starts every process (proc_start) and lets the scheduler choose; checks. */
void world_start(world_t *w);

/* Index of the current thread's process, or -1 if none. */
int world_current(void);

/* A random event for the current thread, biased towards ones that make progress. */
void world_pick(world_t *w, event_t *ev);

/*
 * Makes ev happen to the current thread in mode, then checks everything
 * (check.c); a broken rule fails the test with the step and the rule.
 * Returns true if the system halted (w->halted; host_halt_status says how).
 */
bool world_step(world_t *w, const event_t *ev, step_mode_t mode);

/* The word i of the message tagged tag: in x2.., then in the IPC buffer. */
uint64_t world_word(uint64_t tag, uint64_t i);

/* Fails the running test: "world W step S (event): " and the message. */
_Noreturn void world_fail(const world_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Events. */
event_t ev_call(uint64_t slot, uint64_t len);
event_t ev_send(uint64_t slot, uint64_t len);
event_t ev_recv(uint64_t slot);
event_t ev_reply_recv(uint64_t slot, uint64_t len, uint64_t verdict);
event_t ev_yield(void);
event_t ev_exit(int64_t status);
event_t ev_tick(void);
event_t ev_fault(uint64_t far, uint64_t esr, uint64_t access);

#endif /* IPC_MODEL_WORLD_H */
