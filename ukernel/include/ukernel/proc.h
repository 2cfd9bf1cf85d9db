/*
 * Kernel objects: processes, threads, endpoints, physical-memory ranges.
 *
 * All of them live in fixed arrays sized at compile time; the kernel
 * allocates nothing after boot.  Processes and endpoints are created at
 * boot (from the manifest) or at run time (by the holder of the process-
 * control capability) in free entries of those arrays; a full array is an
 * error for the creator.  A process has one thread for now.
 *
 * Names: a process's pid is 32 bits, slot + 1 at boot and PROC_MAX more at
 * each reuse of its slot, so that a stale pid (in a capability, a pager's
 * record) never names the slot's next process; its ASID is slot + 1,
 * reused once the slot's previous address space and its TLB entries are
 * gone.  Endpoints and physical-memory ranges count their references
 * (capabilities, and a thread's pager pointer) and are free at zero.
 * A thread's saved user registers come first in thread_t: while it runs
 * at EL0, SP_EL1 points just past them (arch/aarch64/entry.S).
 *
 * Thread states and the queue a thread is on:
 *   RUNNABLE        on its priority's run queue, or `current`
 *   BLOCKED_SEND    on an endpoint's queue, waiting for a receiver
 *   BLOCKED_RECV    on an endpoint's queue, waiting for a sender
 *   BLOCKED_REPLY   on no queue; a server's `caller` points to it
 *   BLOCKED_NOTIF   on a notification's queue, waiting for a signal
 *   SLEEPING        on no queue, until its deadline
 *   INACTIVE, DEAD  on no queue
 * A thread blocked receiving or waiting may also have a deadline
 * (`wake_at`): it then counts in `timed_threads` (timeout.c).
 * An endpoint's queue holds only senders or only receivers.
 */
#ifndef UKERNEL_PROC_H
#define UKERNEL_PROC_H

#include <akuma/abi/bootinfo.h>
#include <akuma/abi/msginfo.h>
#include <ukernel/arch/regs.h>
#include <ukernel/cap.h>
#include <ukernel/types.h>
#include <ukernel/vspace.h>

#define PROC_MAX      64u
#define ENDPOINT_MAX 128u
#define PHYSMEM_MAX   32u
#define NOTIF_MAX    128u
#define PRIO_LEVELS  256u
#define TIMESLICE_TICKS 2u   /* 20 ms at 100 Hz */

typedef struct thread thread_t;
typedef struct proc proc_t;

typedef enum thread_state {
    T_INACTIVE = 0,
    T_RUNNABLE,
    T_BLOCKED_SEND,
    T_BLOCKED_RECV,
    T_BLOCKED_REPLY,
    T_BLOCKED_NOTIF,
    T_SLEEPING,
    T_DEAD,
} thread_state_t;

/* A message the kernel makes a thread send to its pager (abi/pager.h). */
typedef enum kmsg_kind {
    KMSG_NONE = 0,
    KMSG_START,
    KMSG_FAULT,
    KMSG_EXIT,
} kmsg_kind_t;

typedef struct thread_queue {
    thread_t *head, *tail;
} thread_queue_t;

typedef struct endpoint {
    thread_queue_t queue;   /* all BLOCKED_SEND or all BLOCKED_RECV */
    uint32_t id;
    uint32_t refs;          /* capabilities naming it, and threads' pager pointers; free at 0 */
} endpoint_t;

/*
 * A notification: a word of bits that `signal` ORs a badge into and
 * `wait` takes; waiters queue on it; a thread bound to it also wakes from
 * `recv` on any endpoint when it is signalled.
 */
typedef struct notification {
    uint64_t word;
    thread_queue_t waiters; /* BLOCKED_NOTIF threads */
    thread_t *bound;        /* the thread whose recv it also wakes, or NULL */
    uint32_t id;
    uint32_t refs;          /* capabilities naming it, its binding, IRQ handlers signalling it */
} notification_t;

typedef struct physmem {
    paddr_t base;
    uint64_t size;
    uint32_t refs;          /* capabilities naming it; free at 0 */
} physmem_t;

struct thread {
    arch_regs_t regs;           /* must stay first: see entry.S */
    uint64_t tls;               /* the user thread pointer while it does not run */
    proc_t *proc;
    thread_state_t state;
    /* Scheduling (sched.h, "Time charged to the caller"). */
    union {
        struct {
            uint8_t eff_prio;   /* the priority it runs and queues at: prio, or lower while serving */
            uint8_t inherit;    /* while serving: the highest priority of a sender waiting for it */
        };
        uint16_t eff_and_inherit; /* both, for the IPC fastpath's single store */
    };
    uint8_t prio;               /* its own priority: the most it ever runs at */
    uint8_t slice;              /* ticks left in its time slice (its scheduling context) */
    thread_t *next, *prev;      /* run queue or endpoint queue */
    endpoint_t *blocked_on;     /* BLOCKED_SEND / BLOCKED_RECV */
    notification_t *waiting_on; /* BLOCKED_NOTIF */
    notification_t *bound;      /* its bound notification, or NULL */
    uint64_t wake_at;           /* deadline (counter value) of its block or sleep; 0: none */
    uint64_t send_badge;        /* BLOCKED_SEND: badge of the capability used */
    bool send_is_call;          /* BLOCKED_SEND: wants a reply */
    thread_t *caller;           /* the thread waiting for this one's reply */
    endpoint_t *serving;        /* while it has a caller: the endpoint the call came through */
    thread_t *saved_by;         /* BLOCKED_REPLY: the server holding a reply capability for it */
    uint64_t reply_seq;         /* saves of its calls so far: names the one a reply capability answers */
    ak_ipcbuf_t *ipcbuf;        /* kernel view of the IPC buffer */
    char *console;              /* kernel view of the console area of that page */
    endpoint_t *pager;          /* where START, FAULT and EXIT go; NULL if none */
    kmsg_kind_t kmsg;           /* the kernel message in flight, if any */
    ak_msg_t kmsg_body;         /* its info and words */
};

typedef enum proc_state {
    P_FREE = 0,
    P_CREATED,   /* created at run time, not started */
    P_LIVE,
    P_EXITING,   /* EXIT sent to the pager, waiting for its answer */
    P_ENDED,
} proc_state_t;

struct proc {
    uint32_t pid;               /* see the top of this file; 0 for a slot never used */
    proc_state_t state;
    bool configured;            /* P_CREATED: entry, stack and pinned pages set */
    bool reap;                  /* its creator destroyed it: the slot is free once it has ended */
    char name[AK_NAME_MAX];
    vspace_t vs;
    thread_t thread;
    bool killed;
    int64_t exit_status;
    notification_t *on_end;     /* signalled with on_end_bits when it has ended (process.watch) */
    uint64_t on_end_bits;
    frame_range_t memory;       /* the range of the physmem capability in its lowest slot holding one */
    cap_table_t caps;           /* last: 4 KiB, and the hot fields above stay close together */
};

/* The IPC fastpath sets eff_prio and clears inherit with one 16-bit store of eff_and_inherit. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&
               offsetof(thread_t, inherit) == offsetof(thread_t, eff_prio) + 1,
               "eff_prio is the low byte of eff_and_inherit");

/* Exception entry saves into the thread through its frame (el0.c relies on it). */
_Static_assert(offsetof(thread_t, regs) == 0, "thread_t starts with its frame");

extern proc_t procs[PROC_MAX];
extern endpoint_t endpoints[ENDPOINT_MAX];

extern physmem_t physmems[PHYSMEM_MAX];
extern notification_t notifications[NOTIF_MAX];

/* Returns the process with pid, or NULL. */
proc_t *proc_by_pid(uint64_t pid);

/* The slot (0-based) of p in procs[]. */
static inline unsigned proc_slot(const proc_t *p)
{
    return (unsigned)(p - procs);
}

#endif /* UKERNEL_PROC_H */
