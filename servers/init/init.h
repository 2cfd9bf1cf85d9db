/*
 * init's parts (see main.c): its frames, the window it writes them through,
 * and the building of one process of the manifest.
 */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/init.h>
#include <akuma/abi/bootinfo.h>
#include <akuma/abi/layout.h>
#include <bootfmt/bootimage.h>

/* init's own capability slots, past the ones the kernel filled (abi/init.h). */
#define INIT_PROCS    48u                                  /* processes init created and still tracks */
#define SLOT_EP0      AK_INIT_SLOT_FIRST_FREE              /* endpoint e of the manifest */
#define SLOT_PROC0    (SLOT_EP0 + BI_MAX_ENDPOINTS)        /* entry i's process capability */
#define SLOT_ASPACE0  (SLOT_PROC0 + INIT_PROCS)            /* program i's address space, while built */
#define SLOT_ENDED    (SLOT_ASPACE0 + BI_MAX_PROGRAMS)     /* the notification every ending signals */
#define SLOT_RAM      (SLOT_ENDED + 1u)                    /* two: RAM being cut into the manifest's shares */
#define SLOT_PM       (SLOT_RAM + 2u)                      /* init's process-manager endpoint (proc.idl) */
#define INIT_WAITERS  16u                                  /* callers of wait() answered later */
#define SLOT_REPLY0   (SLOT_PM + 1u)                       /* their reply capabilities */
_Static_assert(SLOT_REPLY0 + INIT_WAITERS <= AK_CAP_SLOTS, "init's slots fit its table");
_Static_assert(INIT_PROCS <= 62u, "an entry's ending bit is a badge bit");
_Static_assert(BI_MAX_PROGRAMS <= INIT_PROCS, "the manifest's programs are entries 0..15");

/* The badge init gives a process spawned at run time on its vmm's endpoint (vmm.idl adopt). */
#define INIT_VMM_BADGE(pid) ((UINT64_C(1) << 61) | (uint64_t)(pid))

/*
 * The RAM init keeps past what the manifest's programs took: for programs
 * spawned at run time, each built of init's frames (about 50 for a small
 * program: its 128 KiB stack is 32 of them), so that its 32 spawned
 * processes can all run at once.
 */
#define INIT_SPAWN_RESERVE (UINT64_C(8) << 20)

/* The most frames a spawned process may take (its segments, stack, pages and tables). */
#define INIT_PROC_FRAMES 128u

/* Frames recorded for one process, to be freed once it is gone. */
typedef struct frame_list {
    uint32_t n;
    uint64_t pa[INIT_PROC_FRAMES];
} frame_list_t;

/* --- frames.c: init's physical memory ---------------------------------- */

/* Takes init's range from its boot info and readies the window; 0 or an error. */
int frames_init(void);

/* A frame of init's range (not zeroed), or 0 when none is left; recorded in list if given
   (0 too when the list is full). */
uint64_t frame_alloc(frame_list_t *list);

/* Gives back every frame of list (their process is gone) and empties it. */
void frames_release(frame_list_t *list);

/* init's range ends at end now (it split the rest off to hand it out). */
void frames_shrink(uint64_t end);

/* Frames handed out and not given back. */
uint64_t frames_in_use(void);

/* Writes n bytes of data (the rest zero) into the frame pa; 0 or an error. */
int frame_fill(uint64_t pa, const void *data, size_t n);

/* The first byte past every frame handed out so far (page-aligned). */
uint64_t frames_end(void);

/* init's range: its first byte and its end. */
uint64_t frames_base(void);
uint64_t frames_limit(void);

/*
 * Maps pa at va with prot (AK_PROT_*) in the address space of aspace_slot,
 * supplying translation tables from init's frames (recorded in list, if
 * given); 0 or an error.
 */
int map_with_tables(uint32_t aspace_slot, uint64_t va, uint64_t pa, uint32_t prot, frame_list_t *list);

/* --- stack.c: how a program starts (abi/start.h) ------------------------ */

/*
 * Splits s in place into words separated by spaces (double quotes group
 * words and are dropped); returns their number, or -AK_E2BIG past max.
 */
int split_words(char *s, const char *words[], unsigned max);

/*
 * Writes the initial stack of a program into page, which will be mapped at
 * page_va, the top page of its stack: argv (argc >= 1), envp, auxv and
 * their strings.  Sets *sp; 0, or -AK_E2BIG if it does not fit the page
 * or the bounds of abi/start.h.
 */
int initial_stack(uint8_t page[AK_PAGE_SIZE], uint64_t page_va, const char *const argv[], unsigned argc,
                  const char *const envp[], unsigned envc, uint64_t *sp);

/* --- build.c: building a process ----------------------------------------- */

/* What a process is built from. */
typedef struct build_req {
    const char *name;                 /* its name (argv[0]) */
    const elf_image_t *image;         /* its ELF, decoded */
    const uint8_t *elf;
    const char *const *argv;          /* argv[0] included */
    unsigned argc;
    const char *const *envp;
    unsigned envc;
    uint8_t priority;
    uint32_t pager_slot;              /* init's slot of its pager's endpoint, or AK_NO_SLOT */
    uint32_t proc_slot, aspace_slot;  /* where its process and address-space capabilities go */
} build_req_t;

/* What building gave. */
typedef struct built {
    uint32_t pid;
    uint64_t sp;            /* its initial stack pointer (abi/start.h) */
    uint64_t bootinfo_pa;   /* its boot-info page, to be written before it starts */
} built_t;

/*
 * Creates the process of r: a fresh address space with its segments,
 * stack (with its arguments), IPC buffer and boot-info page, all frames of
 * init's (recorded in frames, if given).  Returns 0, or an error after
 * destroying what it made (the frames are then the caller's to release).
 */
int build_process(const build_req_t *r, frame_list_t *frames, built_t *out);

/* Writes its boot-info page, configures it (entry, sp, name); 0 or an error. */
int finish_process(uint32_t proc_slot, const char *name, uint64_t entry, const built_t *b,
                   const ak_bootinfo_t *bi);

/* --- manifest.c: the programs of the manifest --------------------------- */

/* Builds every program of the manifest, grants its capabilities and starts them; powers off
   with 2 (after a line saying why) if it cannot. */
void manifest_start(const bootimage_t *image);

/* --- pm.c: the process table and proc.idl ------------------------------- */

typedef struct pm_proc {
    bool used;
    bool ended;              /* ended, as wait() and list() report it (a kill counts at once) */
    bool destroyed;          /* killed: init's process capability is gone */
    bool gone;               /* the kernel has finished it: its frames are free to reuse */
    bool collected;          /* waited for: the entry goes once it is gone too */
    bool manifest;           /* a program of the manifest: init judges its end */
    bool killed_by_pm;       /* ended by proc.kill() */
    uint8_t priority;
    uint32_t pid;
    uint32_t parent;         /* the pid that spawned it (init's for the manifest's) */
    int32_t exit_status;
    bool killed;
    char name[AK_NAME_MAX];
    char pager[AK_NAME_MAX];
    uint32_t pager_ep;       /* init's slot of its vmm's endpoint, if a vmm pages it, else AK_NO_SLOT */
    uint32_t console_ep;     /* init's slot of the endpoint in its AK_SLOT_CONSOLE, else AK_NO_SLOT */
    int32_t vmm;             /* that vmm's entry, if init adopted it to the vmm at run time, else -1 */
    uint32_t vmm_slot;       /* ... and the vmm's slot holding its address space */
    uint8_t malloc_mode;     /* AK_PM_MALLOC_*, from MALLOC= in its environment */
    uint32_t waiter;         /* the reply slot of a parent waiting for it, or AK_NO_SLOT */
    frame_list_t frames;     /* spawned ones: the frames init gave it */
} pm_proc_t;

extern pm_proc_t pm_procs[INIT_PROCS];   /* entry i: process capability in SLOT_PROC0 + i */

/* Records entry i (a manifest program, or a spawned one) and watches its end (bit i). */
int pm_track(uint32_t i, uint32_t pid, const char *name, const char *pager, uint8_t priority, uint32_t parent,
             bool manifest);

/*
 * The malloc mode (AK_PM_MALLOC_*) a program runs, as its start-up chooses
 * it (ak_malloc_choose): MALLOC=page or chunk in its environment (the last
 * MALLOC= counts), else the mode its ELF file (size bytes at elf) carries
 * in AK_MALLOC_SECTION, else AK_PM_MALLOC_DEFAULT (not known).
 */
uint8_t pm_malloc_mode(const char *const envp[], int envc, const uint8_t *elf, size_t size);

/* The manifest's programs, for judging them; and how many of them must still end. */
void pm_set_manifest(const bootimage_t *image);

/*
 * The vmm of the manifest called name (a program holding physical memory,
 * receiving on an endpoint and holding no device: not a driver): its entry
 * and init's slot of the endpoint it receives on (the one in its lowest
 * slot, as the vmm chooses).  false if no program of that name is a vmm.
 */
bool manifest_vmm(const bootimage_t *image, const char *name, uint32_t *entry, uint32_t *ep_slot);

/* Serves proc.idl and judges endings until every manifest program that is not a server has ended;
   returns whether all ended as expected. */
bool pm_serve(void);

#endif /* INIT_INIT_H */
