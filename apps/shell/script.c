/*
 * Endings, expectations and the script runner (script.h).  The runner
 * reads the script in pieces of AK_PM_FILE_CHUNK bytes, cuts lines of at
 * most SH_LINE_MAX bytes (a longer one is a step not as expected), and
 * holds at most one expectation, for the next command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <akuma/abi/procmgr.h>

#include "script.h"

void sh_end_describe(const sh_end_t *end, char out[SH_DESC_MAX])
{
    if (end->state == AK_PM_EXITED)
        snprintf(out, SH_DESC_MAX, "exited %d", (int)end->status);
    else if (end->why == AK_PM_WHY_KILL)
        snprintf(out, SH_DESC_MAX, "killed");
    else if (end->why == AK_PM_WHY_FAULT)
        snprintf(out, SH_DESC_MAX, "killed (fault)");
    else
        snprintf(out, SH_DESC_MAX, "killed (other)");
}

void sh_end_short(const sh_end_t *end, char out[SH_DESC_MAX])
{
    if (end->state == AK_PM_EXITED)
        snprintf(out, SH_DESC_MAX, "%d", (int)end->status);
    else
        snprintf(out, SH_DESC_MAX, "%s",
                 end->why == AK_PM_WHY_KILL ? "killed" : end->why == AK_PM_WHY_FAULT ? "fault" : "other");
}

/* A decimal int32, with an optional '-'. */
static bool int32_of(const char *s, int32_t *out)
{
    bool neg = *s == '-';
    uint64_t v;
    if (!sh_number(s + neg, neg ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX, &v))
        return false;
    *out = neg ? (int32_t)(-(int64_t)v) : (int32_t)v;
    return true;
}

int sh_expect_parse(const sh_cmd_t *cmd, sh_expect_t *out, char err[SH_ERR_MAX])
{
    const char *k = cmd->argc > 1 ? cmd->argv[1] : "";
    if (cmd->argc == 3 && strcmp(k, "exit") == 0 && int32_of(cmd->argv[2], &out->status)) {
        out->kind = SH_EXPECT_EXIT;
        return 0;
    }
    if (cmd->argc == 2 && strcmp(k, "killed") == 0) {
        out->kind = SH_EXPECT_KILLED;
        out->status = 0;
        return 0;
    }
    if (cmd->argc == 2 && strcmp(k, "fault") == 0) {
        out->kind = SH_EXPECT_FAULT;
        out->status = 0;
        return 0;
    }
    snprintf(err, SH_ERR_MAX, "sh: expect: say 'expect exit N', 'expect killed' or 'expect fault'");
    return -1;
}

bool sh_expect_met(const sh_expect_t *x, const sh_end_t *end)
{
    switch (x->kind) {
    case SH_EXPECT_EXIT:
        return end->state == AK_PM_EXITED && end->status == x->status;
    case SH_EXPECT_KILLED:
        return end->state == AK_PM_KILLED && end->why == AK_PM_WHY_KILL;
    case SH_EXPECT_FAULT:
        return end->state == AK_PM_KILLED && end->why == AK_PM_WHY_FAULT;
    }
    return false;
}

void sh_expect_describe(const sh_expect_t *x, char out[SH_DESC_MAX])
{
    if (x->kind == SH_EXPECT_EXIT)
        snprintf(out, SH_DESC_MAX, "exit %d", (int)x->status);
    else
        snprintf(out, SH_DESC_MAX, "%s", x->kind == SH_EXPECT_KILLED ? "killed" : "fault");
}

/* The runner's state between lines. */
typedef struct runner {
    const sh_script_io_t *io;
    const char *name;
    sh_tally_t *t;
    bool pending;           /* an expectation waits for its command */
    sh_expect_t expect;
    unsigned pending_line;
    sh_cmd_t cmd;
} runner_t;

static void say(runner_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(runner_t *r, const char *fmt, ...)
{
    char line[SH_ERR_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    r->io->say(r->io->ctx, line);
}

/* One step that was not as expected, with why. */
static void miss(runner_t *r, unsigned lineno, const char *why)
{
    r->t->bad++;
    say(r, "sh: %s: line %u: %s\n", r->name, lineno, why);
}

/* One whole line of the script (too_long: only its start is in line). */
static void line_done(runner_t *r, unsigned lineno, const char *line, size_t len, bool too_long)
{
    char err[SH_ERR_MAX];
    if (too_long) {
        snprintf(err, sizeof err, "longer than %u bytes", SH_LINE_MAX);
        r->pending = false;
        miss(r, lineno, err);
        return;
    }
    if (len && line[len - 1] == '\r')
        len--;
    sh_end_t end = sh_exited(0);
    bool parsed = sh_parse(line, len, &r->cmd, err) == 0;
    if (parsed && r->cmd.argc == 0)
        return;
    if (parsed && strcmp(r->cmd.argv[0], "expect") == 0) {
        if (r->pending)
            miss(r, r->pending_line, "an expectation with no command after it");
        r->pending = sh_expect_parse(&r->cmd, &r->expect, err) == 0;
        r->pending_line = lineno;
        if (!r->pending)
            miss(r, lineno, err);
        return;
    }
    sh_expect_t x = { SH_EXPECT_EXIT, 0 };
    bool told = r->pending;   /* an `expect` line said how it ends: say so when it does */
    if (r->pending)
        x = r->expect;
    r->pending = false;
    if (!parsed) {
        /* A line that does not parse is a step that ends as typed ones do. */
        say(r, "%s\n", err);
        end = sh_exited(SH_STATUS_USAGE);
    } else if (r->io->run(r->io->ctx, &r->cmd, &end) == SH_STEP_STOP) {
        r->t->stopped = true;
        return;
    }
    if (sh_expect_met(&x, &end)) {
        r->t->ok++;
        if (told) {
            char got[SH_DESC_MAX];
            sh_end_describe(&end, got);
            say(r, "sh: %s: line %u: %s, as expected\n", r->name, lineno, got);
        }
        return;
    }
    char got[SH_DESC_MAX], want[SH_DESC_MAX], why[2 * SH_DESC_MAX + 16];
    sh_end_describe(&end, got);
    sh_expect_describe(&x, want);
    snprintf(why, sizeof why, "%s, expected %s", got, want);
    miss(r, lineno, why);
}

int sh_script_run(const sh_script_io_t *io, const char *name, sh_tally_t *t)
{
    char chunk[AK_PM_FILE_CHUNK];
    char line[SH_LINE_MAX + 1];
    runner_t r = { .io = io, .name = name, .t = t, .pending = false };
    size_t len = 0;
    bool too_long = false;
    unsigned lineno = 1;
    uint64_t offset = 0;

    t->ok = t->bad = 0;
    t->stopped = false;
    t->read_error = 0;
    while (!t->stopped) {
        size_t got = 0;
        int rc = io->read(io->ctx, offset, chunk, sizeof chunk, &got);
        if (rc < 0) {
            t->read_error = rc;
            if (offset == 0) {
                say(&r, "sh: %s: cannot read it (error %d)\n", name, rc);
                return 1;
            }
            say(&r, "sh: %s: cut short at byte %lu (error %d)\n", name, (unsigned long)offset, rc);
            break;
        }
        if (got == 0 || got > sizeof chunk)
            break;
        offset += got;
        for (size_t i = 0; i < got && !t->stopped; i++) {
            if (chunk[i] == '\n') {
                line_done(&r, lineno++, line, len, too_long);
                len = 0;
                too_long = false;
            } else if (len < SH_LINE_MAX) {
                line[len++] = chunk[i];
            } else {
                too_long = true;
            }
        }
    }
    if (!t->stopped && (len || too_long))
        line_done(&r, lineno, line, len, too_long);
    if (r.pending && !t->stopped)
        miss(&r, r.pending_line, "an expectation with no command after it");
    say(&r, "sh: %s: %u step%s as expected, %u not\n", name, t->ok, t->ok == 1 ? "" : "s", t->bad);
    return t->bad || t->read_error ? 1 : 0;
}
