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
#include <akuma/abi/layout.h>
#include <bootfmt/bootimage.h>

/* init's own capability slots, past the ones the kernel filled (abi/init.h). */
#define SLOT_EP0      AK_INIT_SLOT_FIRST_FREE              /* endpoint e of the manifest */
#define SLOT_PROC0    (SLOT_EP0 + BI_MAX_ENDPOINTS)        /* program i's process capability */
#define SLOT_ASPACE0  (SLOT_PROC0 + BI_MAX_PROGRAMS)       /* program i's address space, while built */
#define SLOT_ENDED    (SLOT_ASPACE0 + BI_MAX_PROGRAMS)     /* the notification every ending signals */
#define SLOT_RAM      (SLOT_ENDED + 1u)                    /* the RAM the manifest hands out */
_Static_assert(SLOT_RAM < AK_CAP_SLOTS, "init's slots fit its table");

/* --- frames.c: init's physical memory ---------------------------------- */

/* Takes init's range from its boot info and readies the window; 0 or an error. */
int frames_init(void);

/* A frame of init's range (not zeroed), or 0 when none is left. */
uint64_t frame_alloc(void);

/* Writes n bytes of data (the rest zero) into the frame pa; 0 or an error. */
int frame_fill(uint64_t pa, const void *data, size_t n);

/* The first byte past every frame handed out so far (page-aligned). */
uint64_t frames_end(void);

/* init's range: its first byte and its end. */
uint64_t frames_base(void);
uint64_t frames_limit(void);

/*
 * Maps pa at va with prot (AK_PROT_*) in the address space of aspace_slot,
 * supplying translation tables from init's frames; 0 or an error.
 */
int map_with_tables(uint32_t aspace_slot, uint64_t va, uint64_t pa, uint32_t prot);

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

/* --- build.c: the processes of the manifest ---------------------------- */

/* What init knows of a program it created. */
typedef struct program {
    uint32_t pid;
    uint64_t sp;            /* its initial stack pointer (abi/start.h) */
    uint64_t bootinfo_pa;   /* its boot-info page, written once its capabilities are granted */
    uint64_t ram_base;      /* its physical-memory capability's range, if it holds one */
    uint64_t ram_size;
    bool ended;
} program_t;

/*
 * Creates program i of image (its pid comes back in prog->pid), loads its
 * segments and maps its stack, IPC buffer and boot-info page; 0, or an
 * error with a line printed.
 */
int build_program(const bootimage_t *image, uint32_t i, program_t *prog);

/* Grants the manifest's capabilities (ram_slot: the RAM to hand out, or AK_NO_SLOT). */
int grant_caps(const bootimage_t *image, uint32_t ram_slot);

/* Writes program i's boot-info page, configures it and drops init's hold on its address space. */
int finish_program(const bootimage_t *image, uint32_t i, program_t *progs);

#endif /* INIT_INIT_H */
