/*
 * The shell's line parser (apps/shell/parse.c): a typed or script line
 * into a command, with no system call, so that it is host-tested and
 * fuzzed (tests/unit/shell, tests/fuzz/fuzz_shell.c).
 *
 * A line is words separated by spaces or tabs.  Double quotes group (a
 * quoted "" is an empty word; there are no backslash escapes); '#' outside
 * quotes starts a comment; an '&' outside quotes, followed by nothing but
 * blanks or a comment, runs the program in the background.  Before the
 * program name come at most one each, in any order, of vmm=NAME,
 * malloc=page|chunk and quota=N.  Every bound below is checked: an
 * over-long line, word or list gets an error message, never a write past
 * a buffer.
 */
#ifndef SHELL_PARSE_H
#define SHELL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <akuma/abi/procmgr.h>

/* Bytes of one line, without its newline. */
#define SH_LINE_MAX  255u
/* Words of one command: the program and AK_PM_ARGS_MAX's 63 arguments. */
#define SH_WORDS_MAX 64u
/* Bytes of an error message, NUL included. */
#define SH_ERR_MAX   128u

/* A parsed line.  argv points into buf; argc 0 is an empty line or a comment. */
typedef struct sh_cmd {
    char buf[SH_LINE_MAX + 1];
    const char *argv[SH_WORDS_MAX + 1]; /* argv[argc] is NULL */
    unsigned argc;
    bool background;                    /* a trailing '&' */
    bool has_vmm, has_malloc, has_quota;
    char vmm[AK_PM_NAME_MAX + 1];       /* vmm=NAME: the pager to spawn with */
    uint8_t malloc_mode;                /* malloc=: AK_PM_MALLOC_PAGE or _CHUNK */
    uint64_t quota;                     /* quota=N: frames (0: the vmm's default) */
} sh_cmd_t;

/*
 * Parses line[0..len) into *cmd.  Returns 0, or -1 with a one-line message
 * ("sh: malloc: 'fast' is not page or chunk", no newline) in err[SH_ERR_MAX];
 * *cmd is then unspecified.  Never reads past len, never writes past cmd or err.
 */
int sh_parse(const char *line, size_t len, sh_cmd_t *cmd, char err[SH_ERR_MAX]);

/*
 * A decimal number without sign, at most max: true and *out, or false
 * (empty, a non-digit, or above max).
 */
bool sh_number(const char *s, uint64_t max, uint64_t *out);

/* The bytes argv[1..argc) take as spawn's args: each word and its NUL. */
size_t sh_args_bytes(const sh_cmd_t *cmd);

#endif /* SHELL_PARSE_H */
