/*
 * The shell (README "The shell"): reads what is typed on the console a
 * burst at a time (the console does not echo: the line editor, edit.c,
 * does), parses each line (parse.c) and runs it (cmd.c); runs scripts of
 * the boot archive read through init's proc.file (script.c).
 *
 * At start: the boot arguments' script=NAME (none: no script), else the
 * first argument of its manifest line, names a script to run first; with
 * interactive=1 a script's poweroff is reported, not done, and the shell
 * goes on to its prompt.  The prompt shows how the last command ended:
 * "[0] ak$ ", "[127] ak$ ", "[killed] ak$ ".  Ctrl-D at an empty line ends
 * the shell with status 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <akuma/abi/console.h>
#include <akuma/abi/errno.h>
#include <akuma/sys.h>
#include <idl/console_client.h>
#include <idl/kernel_client.h>
#include <idl/proc_client.h>

#include "edit.h"
#include "shell.h"

shell_t sh;

/* Echo collected while a burst of input is edited, written before anything else. */
static char echo_buf[AK_CON_WRITE_MAX];
static size_t echo_len;

static void echo_flush(void)
{
    if (echo_len)
        console_write(AK_SLOT_CONSOLE, echo_buf, echo_len);
    echo_len = 0;
}

static void echo(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        if (echo_len == sizeof echo_buf)
            echo_flush();
        echo_buf[echo_len++] = s[i];
    }
}

/* --- scripts ----------------------------------------------------------------- */

static int script_read(void *ctx, uint64_t offset, char *buf, size_t cap, size_t *got)
{
    const char *name = ctx;
    uint64_t size = 0, n = 0;
    if (cap < AK_PM_FILE_CHUNK)
        return -AK_EINVAL;
    int rc = proc_file(SH_SLOT_INIT, name, offset, &size, (uint8_t *)buf, &n);
    *got = rc == 0 && n <= cap ? (size_t)n : 0;
    return rc;
}

static sh_step_t script_step(void *ctx, const sh_cmd_t *cmd, sh_end_t *end)
{
    (void)ctx;
    return sh_command(cmd, end);
}

static void script_say(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s", line);
}

int sh_run_script(const char *name, sh_tally_t *t)
{
    if (strlen(name) > AK_PM_NAME_MAX || !name[0]) {
        printf("sh: %.20s: a script's name is 1 to %u bytes\n", name, AK_PM_NAME_MAX);
        t->ok = t->bad = 0;
        t->read_error = -AK_EINVAL;
        return 1;
    }
    sh_script_io_t io = { script_read, script_step, script_say, (void *)(uintptr_t)name };
    sh.tallies[sh.depth++] = t;
    int rc = sh_script_run(&io, name, t);
    sh.depth--;
    return rc;
}

/* After a script at the prompt or at boot asked to power off: does it (unless interactive). */
static void script_poweroff(const char *name)
{
    int status = sh.poweroff_status;
    sh.poweroff = false;
    if (sh.interactive) {
        printf("sh: %s: would power off with status %d; interactive, so the shell goes on\n", name, status);
        return;
    }
    fflush_stdout();
    int rc = power_poweroff(SH_SLOT_POWER, (uint32_t)status);
    printf("sh: poweroff: %s (error %d)\n", rc == -AK_EBADF ? "this shell holds no power capability" : "refused",
           rc);
}

/* --- boot arguments -------------------------------------------------------------- */

/* The value of KEY=VALUE among the boot arguments, copied into out[n]; false if absent. */
static bool bootarg(const char *key, char *out, size_t n)
{
    const char *s = ak_bootinfo()->bootargs;
    size_t klen = strlen(key);
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        size_t wlen = (size_t)(s - w);
        if (wlen > klen && memcmp(w, key, klen) == 0 && w[klen] == '=') {
            size_t v = wlen - klen - 1;
            if (v >= n)
                v = n - 1;
            memcpy(out, w + klen + 1, v);
            out[v] = '\0';
            return true;
        }
    }
    return false;
}

/* --- the prompt --------------------------------------------------------------- */

static sh_end_t last;

static void prompt(void)
{
    char s[SH_DESC_MAX];
    sh_reap();
    sh_end_short(&last, s);
    printf("[%s] ak$ ", s);
    fflush_stdout();
}

/* A finished typed line. */
static void run_line(const sh_edit_t *e)
{
    static sh_cmd_t cmd;
    char err[SH_ERR_MAX];
    if (e->dropped) {
        printf("sh: line too long (at most %u bytes)\n", SH_LINE_MAX);
        last = sh_exited(SH_STATUS_USAGE);
        return;
    }
    if (sh_parse(e->line, e->len, &cmd, err) != 0) {
        printf("%s\n", err);
        last = sh_exited(SH_STATUS_USAGE);
        return;
    }
    if (cmd.argc == 0)
        return;
    sh_end_t end = sh_exited(0);
    sh_command(&cmd, &end);
    last = end;
    if (sh.poweroff)
        script_poweroff(cmd.argv[1]);
}

int main(int argc, char **argv)
{
    char script[AK_PM_NAME_MAX + 2] = "";
    char flag[4];
    sh.interactive = bootarg("interactive", flag, sizeof flag) && strcmp(flag, "1") == 0;
    if (!bootarg("script", script, sizeof script) && argc > 1) {
        size_t n = strlen(argv[1]);
        if (n > AK_PM_NAME_MAX + 1)
            n = AK_PM_NAME_MAX + 1;
        memcpy(script, argv[1], n);
        script[n] = '\0';
    }
    last = sh_exited(0);
    if (script[0] && strcmp(script, "none") != 0) {
        sh_tally_t t;
        last = sh_exited(sh_run_script(script, &t));
        if (sh.poweroff)
            script_poweroff(script);
    }

    static sh_edit_t ed;
    sh_edit_init(&ed);
    prompt();
    for (;;) {
        uint8_t in[AK_CON_READ_MAX];
        uint64_t n = 0;
        int rc = console_read(AK_SLOT_CONSOLE, AK_CON_READ_MAX, AK_CON_READ_BYTES, in, &n);
        if (rc == -AK_EAGAIN) {   /* a foreground left behind by a job: take it back */
            console_foreground(AK_SLOT_CONSOLE, 0, 0);
            continue;
        }
        if (rc) {
            printf("sh: cannot read the console (error %d)\n", rc);
            return 1;
        }
        for (uint64_t i = 0; i < n && i < sizeof in; i++) {
            sh_edit_event_t ev = sh_edit_feed(&ed, in[i], echo, NULL);
            if (ev == SH_EDIT_MORE)
                continue;
            echo_flush();
            if (ev == SH_EDIT_EOF) {
                printf("\n");
                fflush_stdout();
                return 0;
            }
            if (ev == SH_EDIT_LINE)
                run_line(&ed);
            prompt();
        }
        echo_flush();
    }
}
