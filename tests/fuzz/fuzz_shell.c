/*
 * libFuzzer: the shell's line parser, line editor and script runner
 * (apps/shell/parse.c, edit.c, script.c) on any bytes.  The input is
 * parsed as one line, fed to the editor byte by byte (each finished line
 * parsed too), and run as a script read in pieces; every command the
 * parser accepts must keep parse.h's bounds: at most SH_WORDS_MAX words,
 * each inside the command's buffer, a program name of 1 to AK_PM_NAME_MAX
 * bytes, arguments within AK_PM_ARGS_MAX; every refusal a message that
 * starts "sh: " and ends inside its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "parse.h"
#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const sh_cmd_t *c, int rc, const char *err)
{
    if (rc != 0) {
        if (rc != -1 || memchr(err, '\0', SH_ERR_MAX) == NULL || strncmp(err, "sh: ", 4) != 0)
            abort();
        return;
    }
    if (c->argc > SH_WORDS_MAX || c->argv[c->argc] != NULL)
        abort();
    for (unsigned i = 0; i < c->argc; i++) {
        const char *w = c->argv[i];
        if (w < c->buf || w >= c->buf + sizeof c->buf || memchr(w, '\0', (size_t)(c->buf + sizeof c->buf - w)) == NULL)
            abort();
    }
    if (c->argc && (c->argv[0][0] == '\0' || strlen(c->argv[0]) > AK_PM_NAME_MAX || sh_args_bytes(c) > AK_PM_ARGS_MAX))
        abort();
    if (c->argc == 0 && (c->background || c->has_vmm || c->has_malloc || c->has_quota))
        abort();
    if (c->has_vmm && (c->vmm[0] == '\0' || strlen(c->vmm) > AK_PM_NAME_MAX))
        abort();
    if (c->has_malloc != (c->malloc_mode != AK_PM_MALLOC_DEFAULT))
        abort();
}

static void no_echo(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    if (n > 3)
        abort();
}

static const uint8_t *in;
static size_t in_size;

static int read_piece(void *ctx, uint64_t offset, char *buf, size_t cap, size_t *got)
{
    (void)ctx;
    size_t n = offset >= in_size ? 0 : in_size - (size_t)offset;
    if (n > cap)
        n = cap;
    if (n > 97)    /* pieces that cut lines anywhere */
        n = 97;
    memcpy(buf, in + offset, n);
    *got = n;
    return 0;
}

static sh_step_t run(void *ctx, const sh_cmd_t *c, sh_end_t *end)
{
    (void)ctx;
    check(c, 0, "");
    if (c->argc == 0)
        abort();    /* blank lines and comments are not steps */
    *end = sh_exited((int32_t)c->argc - 1);
    return strcmp(c->argv[0], "poweroff") == 0 ? SH_STEP_STOP : SH_STEP_GO;
}

static void say(void *ctx, const char *line)
{
    (void)ctx;
    if (strncmp(line, "sh: ", 4) != 0 || line[strlen(line) - 1] != '\n')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sh_cmd_t cmd;
    char err[SH_ERR_MAX];
    check(&cmd, sh_parse((const char *)data, size, &cmd, err), err);

    static sh_edit_t ed;
    sh_edit_init(&ed);
    for (size_t i = 0; i < size; i++) {
        sh_edit_event_t ev = sh_edit_feed(&ed, data[i], no_echo, NULL);
        if (ed.len > SH_LINE_MAX)
            abort();
        if (ev == SH_EDIT_LINE) {
            if (strlen(ed.line) != ed.len)
                abort();
            check(&cmd, sh_parse(ed.line, ed.len, &cmd, err), err);
        }
    }

    in = data;
    in_size = size;
    sh_tally_t t;
    sh_script_io_t io = { read_piece, run, say, NULL };
    int rc = sh_script_run(&io, "fuzz", &t);
    if (rc != (t.bad != 0) || t.read_error)
        abort();
    return 0;
}
