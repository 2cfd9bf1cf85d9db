/*
 * The shell's program (main.c: reading, the prompt, scripts; cmd.c: the
 * commands).  Its capabilities, by slot, as its manifest gives them:
 *
 *   1   its vmm (AK_SLOT_VMM), if it has one: programs it runs without
 *       vmm= are paged by it
 *   2   an endpoint to init (proc.idl): every command that runs or lists
 *   3   power (kernel.idl), for poweroff; without it poweroff says so
 *   31  the console (AK_SLOT_CONSOLE), badged with AK_CON_BADGE_CONTROL
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"
#include "script.h"

#define SH_SLOT_INIT  2u
#define SH_SLOT_POWER 3u

/* Scripts run inside scripts at most this deep. */
#define SH_DEPTH_MAX 4u

/* The shell's state shared by main.c and cmd.c. */
typedef struct shell {
    bool interactive;          /* boot argument interactive=1: a script's poweroff is not done */
    unsigned depth;            /* scripts running now */
    sh_tally_t *tallies[SH_DEPTH_MAX];
    bool poweroff;             /* a script asked to power off ... */
    int poweroff_status;       /* ... with this status */
} shell_t;

extern shell_t sh;

/*
 * Runs one parsed, non-empty command: a built-in or a program.  Returns
 * SH_STEP_STOP when it is a poweroff inside a script (sh.poweroff says
 * what was asked), else SH_STEP_GO; *end says how the command ended.
 */
sh_step_t sh_command(const sh_cmd_t *cmd, sh_end_t *end);

/* Collects every background job that has ended and prints how it ended. */
void sh_reap(void);

/* The status a script's bare poweroff asks for: 1 if a step of the scripts
 * running now was not as expected, else 0. */
int sh_poweroff_status(void);

/* Runs script `name` of the boot archive (proc.file); 0 all as expected, else 1. */
int sh_run_script(const char *name, sh_tally_t *t);

#endif /* SHELL_SHELL_H */
