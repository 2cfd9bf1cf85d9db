/*
 * How a step ended, what a script expects of it, and the runner of
 * scripts (apps/shell/script.c).  No system call: the script's bytes come
 * through a reader and each command goes to a runner given by the caller
 * (the shell reads proc.file and runs the command; tests/unit/shell reads
 * memory and runs a model), so the whole of `sh SCRIPT` but the commands
 * themselves is host-tested.
 *
 * A script is lines as typed at the prompt (parse.h), plus expectations:
 *
 *   expect exit N     the next command ends with exit status N (N may be negative)
 *   expect killed     the next command is killed (proc.kill, Ctrl-C)
 *   expect fault      the next command is killed by a fault
 *
 * A command without an expectation is expected to exit 0.  Each command is
 * a step; blank lines, comments and expectations are not.  A step that
 * does not end as expected gets one line, so does one that ends as its
 * `expect` line said, and the script a summary:
 *
 *   sh: story: line 7: exited 1, expected exit 0
 *   sh: story: line 12: exited -1, as expected
 *   sh: story: 6 steps as expected, 1 not
 */
#ifndef SHELL_SCRIPT_H
#define SHELL_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* How a command ended: as proc.wait reports (AK_PM_EXITED/KILLED, why, status). */
typedef struct sh_end {
    uint8_t state;
    uint8_t why;
    int32_t status;
} sh_end_t;

/* Statuses of the shell's own endings. */
#define SH_STATUS_FAILED   1    /* a built-in command or a spawn failed */
#define SH_STATUS_USAGE    2    /* a line that does not parse, bad arguments */
#define SH_STATUS_NOTFOUND 127  /* no program of that name */

static inline sh_end_t sh_exited(int32_t status)
{
    sh_end_t e = { AK_PM_EXITED, AK_PM_WHY_NONE, status };
    return e;
}

/* Bytes of a description, NUL included. */
#define SH_DESC_MAX 32u

/* "exited 1", "killed", "killed (fault)", "killed (other)". */
void sh_end_describe(const sh_end_t *end, char out[SH_DESC_MAX]);
/* The prompt's short form: "0", "-1", "killed", "fault", "other". */
void sh_end_short(const sh_end_t *end, char out[SH_DESC_MAX]);

typedef enum sh_expect_kind { SH_EXPECT_EXIT, SH_EXPECT_KILLED, SH_EXPECT_FAULT } sh_expect_kind_t;
typedef struct sh_expect {
    sh_expect_kind_t kind;
    int32_t status;     /* SH_EXPECT_EXIT's */
} sh_expect_t;

/* The expectation of an `expect` command (argv[0] "expect"): 0, or -1 with err. */
int sh_expect_parse(const sh_cmd_t *cmd, sh_expect_t *out, char err[SH_ERR_MAX]);
bool sh_expect_met(const sh_expect_t *x, const sh_end_t *end);
/* "exit 0", "killed", "fault". */
void sh_expect_describe(const sh_expect_t *x, char out[SH_DESC_MAX]);

/*
 * Reads up to cap bytes of the script from offset into buf: 0 and *got
 * (0 at the end), or a negative AK_E* error.
 */
typedef int (*sh_read_fn)(void *ctx, uint64_t offset, char *buf, size_t cap, size_t *got);

/* What the runner does after a command. */
typedef enum sh_step { SH_STEP_GO, SH_STEP_STOP } sh_step_t;

/*
 * Runs one parsed command of the script; *end says how it ended.  Returns
 * SH_STEP_STOP to end the script there (poweroff): the step is not counted.
 */
typedef sh_step_t (*sh_run_fn)(void *ctx, const sh_cmd_t *cmd, sh_end_t *end);

/* Where the runner's lines go, one whole line (with its newline) at a time. */
typedef void (*sh_say_fn)(void *ctx, const char *line);

typedef struct sh_script_io {
    sh_read_fn read;
    sh_run_fn run;
    sh_say_fn say;
    void *ctx;
} sh_script_io_t;

typedef struct sh_tally {
    unsigned ok, bad;
    bool stopped;       /* a command returned SH_STEP_STOP */
    int read_error;     /* 0, or the reader's error (the script was cut short) */
} sh_tally_t;

/*
 * Runs script `name` (for the lines it prints) to its end or to a
 * command that stops it, and prints the summary unless the script could
 * not be read from its first byte (then one line says why).  A line that
 * does not parse is printed why and is a step that ends with exit
 * SH_STATUS_USAGE, as a typed one does; a line too long, and expectations
 * that are malformed or come last, count as steps not as expected.  Returns 0 if every step ended as expected
 * and the script was read whole, else 1.
 */
int sh_script_run(const sh_script_io_t *io, const char *name, sh_tally_t *t);

#endif /* SHELL_SCRIPT_H */
