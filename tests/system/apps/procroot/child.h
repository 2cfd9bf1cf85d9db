/*
 * procroot's children: processes it creates at run time through the
 * process-control capability, each a few instructions of machine code that
 * procroot writes into a fresh frame (no ELF: the kernel parses none after
 * boot, and these tests need no loader).  procroot is the pager of every
 * child: their START, FAULT and EXIT come to its endpoint.
 */
#ifndef PROCROOT_CHILD_H
#define PROCROOT_CHILD_H

#include <stdbool.h>
#include <stdint.h>

/* procroot's own slots (tests/system/proc-create/manifest and the others). */
#define SLOT_EP      1u   /* its endpoint: send and recv, unbadged */
#define SLOT_PHYS    2u   /* all RAM the kernel hands out */
#define SLOT_SELF    3u   /* its own address space */
#define SLOT_PROCCTL 4u
#define SLOT_POWER   5u
#define SLOT_BADGED  6u   /* its endpoint again, send only, badge 0x55 */
#define SLOT_DEVICE  7u   /* the PL011's page (the dev image only) */
#define SLOT_IRQCTL  8u   /* interrupt control (the dev image only) */
#define SLOT_FIRST_FREE 16u

/* What a child does. */
typedef enum child_kind {
    CHILD_EXIT,      /* exits with arg */
    CHILD_RECV,      /* receives on its slot arg, for ever */
    CHILD_CALL,      /* calls its slot arg with label 7 and exits with the reply's label (or the error) */
    CHILD_SERVE,     /* receives one call on its slot 1, then calls its slot 2 (and never answers) */
    CHILD_FAULT,     /* reads address arg */
    CHILD_SPIN,      /* runs for ever */
    CHILD_SIGNAL,    /* signals its slot 1 arg times, then exits with 0 */
    CHILD_WAIT,      /* waits on its slot 1 for at most arg ms and exits with the result */
    CHILD_PINGPONG,  /* waits on its slot 1, then for ever: signal_wait(slot 2, slot 1) */
    CHILD_SLEEP_SIGNAL, /* sleeps arg ms, signals its slot 1, exits with 0 */
    CHILD_CALL_NOTIFY,  /* calls its slot 1 with the notification label; exits with the reply's label */
    CHILD_SAVE_EXIT,    /* receives a call on its slot 1, keeps its reply capability in slot 5, exits with 0 */
} child_kind_t;

#define CHILD_MAX_FRAMES 8u

typedef struct child {
    uint32_t pid;
    uint32_t proc_slot;    /* its process capability, in procroot's table */
    uint32_t aspace_slot;  /* its address space, in procroot's table */
    uint64_t frames[CHILD_MAX_FRAMES]; /* every frame it was given, tables included */
    unsigned nframes;
} child_t;

/* Maps pa at va through aspace_slot (map_device when device_slot is not AK_NO_SLOT), supplying tables. */
int map_with_tables_dev(uint32_t aspace_slot, uint64_t va, uint64_t pa, uint32_t prot, uint32_t device_slot);

/* Sets up the frame pool and procroot's own scratch window; false on error. */
bool child_init(void);

/* Frames in the pool now. */
unsigned frames_free(void);
uint64_t frame_alloc(void);
void frame_free(uint64_t pa);

/*
 * Creates and configures (does not start) a child of kind with arg, at
 * prio, named name, paged by procroot.  Returns 0 or the first error.
 */
int child_create(child_t *c, child_kind_t kind, uint64_t arg, unsigned prio, const char *name);

/* Starts c and answers its START.  Returns 0 or the first error. */
int child_start(child_t *c);

/*
 * Receives the next message on procroot's endpoint into *label, *badge and
 * w[0..3]; answers nothing.  Returns 0 or the error.
 */
int root_recv(uint64_t *label, uint64_t *badge, uint64_t w[4]);

/* Answers the last caller with label (0 resumes a child's START or FAULT). */
int root_reply(uint64_t label);

/*
 * Waits for c's EXIT (answering every other child's kernel message it
 * meets with 0, which the tests never leave pending), answers it, and
 * returns its status in *status.  Returns 0 or the error.
 */
int child_wait(const child_t *c, uint64_t *status);

/*
 * Destroys c (its process capability goes); returns destroy's result.  A
 * child that was running ends as killed: wait for its EXIT before
 * releasing its frames.
 */
int child_destroy(child_t *c);

/* Gives back c's frames and its address-space slot (once it has ended or was never started). */
void child_release(child_t *c);

#endif /* PROCROOT_CHILD_H */
